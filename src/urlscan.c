/*
 * urlscan - find URLs in decoded UTF-8 text and HTML.  See urlscan.h.
 *
 * The only module that uses PCRE2.  One pattern, re_url, is compiled
 * once, in UTF mode with PCRE2_MATCH_INVALID_UTF (invalid UTF-8 is a
 * barrier no match crosses, never an error) and anchored at compile
 * time so that the JIT can run it at a given offset: the scheme or
 * "www." prefix of a URL (also the defanged hxxp, [:], [://], [.], (.)
 * and {.} spellings) and the first URL character after it, if any (so that
 * the JIT too counts the match limit: it does not for a pattern without
 * a quantifier).  The rest of the run of URL characters (URL_CHAR
 * below) is read by url_run(), in C: sixteen ASCII bytes at a time,
 * a code point check for the rest, invalid UTF-8 a barrier as for
 * PCRE2 (the unit test checks it against the same class in PCRE2).
 *
 * The pattern never runs blindly over a text: an SSE2 prefilter finds
 * the ':' and '.' bytes that can be part of a URL prefix (':' before
 * '/' or ']', '.' after 'w', '[', '(' or '{'), a few bytes of C around each
 * decide whether a URL can start there, and only then the anchored
 * pattern runs.  Every byte is looked at a small constant number of
 * times, so a scan is linear in the input whatever the input is.
 *
 * HTML is tokenised by hand (tags, attributes, comments, raw-text
 * elements): href/src/action/data-src/... values are entity-decoded
 * (the WHATWG named references, html-entities.h) and kept when
 * absolute, javascript: links and on* handlers are scanned as script,
 * srcset values are split into image candidates (WHATWG rules), style
 * attributes and <style> elements are read as CSS (only) for url(),
 * @import and image-set(); the text between tags (joined across inline
 * elements such as <b> and <span>, but for the text of a hidden one,
 * broken at the others) and in <script>, <title>, ... is entity-decoded
 * and scanned like plain text.
 * Tag markup never becomes part of a URL.
 *
 * Found URLs go to a struct url_set: de-duplicated through a small
 * open-addressing hash set (GLib stays in mime.c), first-seen order,
 * bounded by max_urls and max_url_length.  Microsoft Safe Links and
 * Proofpoint URL Defense wrappers get their inner URL added after them.
 */
#include "autoconfig.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <time.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "config.h"
#include "extract.h"
#include "domain.h"
#include "urlscan.h"

#define DEFAULT_MATCH_LIMIT	100000
#define HEAP_LIMIT_KIB		8192	/* interpreter backtracking memory */
#define WRAP_MAX_BYTES		2048	/* look-ahead for a wrapped <URL> */
#define WRAP_MAX_PIECES		16
#define UNWRAP_MAX_DEPTH	3	/* wrapper inside wrapper inside ... */
#define ENTITY_NAME_MAX		32
#define PREFIX_WINDOW		16	/* subject bytes for re_url (its longest
					   match, "hxxps[:]//" and a 4-byte
					   character, is 14) */

/*
 * URL_CHAR: the characters of a URL in text, as a PCRE2 class (url_run()
 * implements it; the unit test compares the two).  What ends a URL:
 * ASCII white space and controls, '"', '<', '>', C1 controls, Unicode
 * spaces, zero-width characters, typographic quotes and guillemets
 * (also the low-9 and single ones), CJK punctuation and brackets, the
 * fullwidth ! " ' ( ) , : ; < > ? [ ] { | } and the halfwidth CJK
 * full stop, corner brackets and comma, arrows, symbols and dingbats (a decoded
 * "&rarr;" or "&hearts;" after a URL), U+FFFD (what a broken charset
 * conversion leaves behind), and invalid UTF-8.
 */
#define URL_CHAR	URLSCAN_URL_CHAR	/* urlscan.h */

static const char url_pattern[] =
	"(?i)(?:(?:h(?:tt|xx)ps?|ftp)(?:(?::|\\[:\\])//|\\[://\\])"
	"|www(?:\\.|\\[\\.\\]|\\(\\.\\)|\\{\\.\\}))" URL_CHAR "?+";

static pcre2_code		*re_url;
static pcre2_match_context	*mctx;
static uint32_t			 match_limit = DEFAULT_MATCH_LIMIT;
static uint64_t			 hash_seed;
static bool			 jit_ok;	/* re_url JIT-compiled */
static bool			 jit_disabled;	/* urlscan_disable_jit() */

/* What one scan call carries around. */
struct scan {
	struct url_set		*set;
	pcre2_match_data	*md;
	struct strbuf		 run;		/* HTML: visible text run */
	const char		*seg;		/* or one stretch, in place */
	size_t			 seg_len;
	struct strbuf		 attr;		/* HTML: decoded attribute */
	struct strbuf		 url;		/* cleaned / refanged URL */
	struct strbuf		 css;		/* CSS url() or string value */
	struct strbuf		 join;		/* a wrapped <URL> joined */
	struct strbuf		 script;	/* script text, unescaped */
	struct strbuf		 hid;		/* hidden inline text, decoded */
	const char		*hide_name;	/* a hidden inline element: */
	size_t			 hide_nl;	/* its name, and how deep */
	size_t			 hide_depth;	/* inside it (0: not in one) */
	struct strbuf		 unwrap[UNWRAP_MAX_DEPTH];
	const char		*doc;		/* HTML: the document, for */
	size_t			 doc_len;	/* its <base href> */
	const char		*prel_scheme;	/* "//host" links: "https:" or
						   "http:", NULL: not looked up */
	struct strbuf		 base;		/* the <base href> seen, when an
						   absolute http(s) URL */
	struct strbuf		 rel;		/* a link resolved against it */
	bool			 base_seen;	/* a <base href> was seen */
	bool			 stop;		/* set full or regex error */
	/* an <a href>: its visible text against where it leads */
	bool			 in_a;
	struct strbuf		 a_text;	/* the text, at most A_TEXT_MAX */
	struct strbuf		 a_href;	/* the link as reported */
	struct strbuf		 a_inner;	/* the URL a wrapper wraps */
	struct strbuf		*cap;		/* emit() copies the link here */
};

#define A_TEXT_MAX	1024		/* link text examined */
#define A_SHOWN_MAX	512		/* shown URL kept in the alert */

/* ------------------------------------------------------------ helpers */

/* Character classes of the HTML tokeniser, one table lookup each. */
#define C_SPACE		0x01	/* HTML white space */
#define C_ALPHA		0x02
#define C_DIGIT		0x04
#define C_NAME_END	0x08	/* ends an attribute name: space / > = */
#define C_VAL_END	0x10	/* ends an unquoted value: space > */
#define C_TAG_END	0x20	/* ends a tag name: space / > */
#define C_ATTR_GAP	0x40	/* between attributes: space / */

#define SP	(C_SPACE | C_NAME_END | C_VAL_END | C_TAG_END | C_ATTR_GAP)
#define AL	C_ALPHA
#define DG	C_DIGIT
static const unsigned char cclass[256] = {
	['\t'] = SP, ['\n'] = SP, ['\f'] = SP, ['\r'] = SP, [' '] = SP,
	['/'] = C_NAME_END | C_TAG_END | C_ATTR_GAP,
	['>'] = C_NAME_END | C_VAL_END | C_TAG_END,
	['='] = C_NAME_END,
	['0'] = DG, ['1'] = DG, ['2'] = DG, ['3'] = DG, ['4'] = DG,
	['5'] = DG, ['6'] = DG, ['7'] = DG, ['8'] = DG, ['9'] = DG,
	['A'] = AL, ['B'] = AL, ['C'] = AL, ['D'] = AL, ['E'] = AL,
	['F'] = AL, ['G'] = AL, ['H'] = AL, ['I'] = AL, ['J'] = AL,
	['K'] = AL, ['L'] = AL, ['M'] = AL, ['N'] = AL, ['O'] = AL,
	['P'] = AL, ['Q'] = AL, ['R'] = AL, ['S'] = AL, ['T'] = AL,
	['U'] = AL, ['V'] = AL, ['W'] = AL, ['X'] = AL, ['Y'] = AL,
	['Z'] = AL,
	['a'] = AL, ['b'] = AL, ['c'] = AL, ['d'] = AL, ['e'] = AL,
	['f'] = AL, ['g'] = AL, ['h'] = AL, ['i'] = AL, ['j'] = AL,
	['k'] = AL, ['l'] = AL, ['m'] = AL, ['n'] = AL, ['o'] = AL,
	['p'] = AL, ['q'] = AL, ['r'] = AL, ['s'] = AL, ['t'] = AL,
	['u'] = AL, ['v'] = AL, ['w'] = AL, ['x'] = AL, ['y'] = AL,
	['z'] = AL,
};
#undef SP
#undef AL
#undef DG

#define CC(c, bits)	((cclass[(unsigned char)(c)] & (bits)) != 0)

static inline bool
is_alpha(unsigned char c)
{
	return CC(c, C_ALPHA);
}

static inline bool
is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static inline bool
is_alnum(unsigned char c)
{
	return CC(c, C_ALPHA | C_DIGIT);
}

static inline bool
is_space(unsigned char c)
{
	return CC(c, C_SPACE);
}

static inline unsigned char
to_lower(unsigned char c)
{
	return CC(c, C_ALPHA) ? (c | 0x20) : c;
}

/*
 * lower8 - the eight bytes of w with ASCII 'A'..'Z' made lower case,
 * all at once: a byte gets 0x20 when its high bit is clear (ASCII), it
 * is at least 'A' and not above 'Z'.
 */
static inline uint64_t
lower8(uint64_t w)
{
	const uint64_t	ones = 0x0101010101010101ULL;
	uint64_t	h = w & (ones * 0x7f);
	uint64_t	ge_a = h + ones * (0x80 - 'A');
	uint64_t	gt_z = h + ones * (0x80 - 'Z' - 1);

	return w | ((ge_a & ~gt_z & ~w & (ones * 0x80)) >> 2);
}

/* eq_ci8 - eq_ci() for n <= 8, as one word compare */
static inline bool
eq_ci8(const char *s, const char *lit, size_t n)
{
	uint64_t	w = 0, l = 0;

	memcpy(&w, s, n);
	memcpy(&l, lit, n);
	return lower8(w) == l;
}

/* eq_ci - s[0..n) equals the lower-case ASCII string lit[0..n), any case */
static inline bool
eq_ci(const char *s, const char *lit, size_t n)
{
	for (; n > 8; s += 8, lit += 8, n -= 8)
		if (!eq_ci8(s, lit, 8))
			return false;
	return eq_ci8(s, lit, n);
}

static inline int
hex_val(unsigned char c)
{
	if (is_digit(c))
		return c - '0';
	c |= 0x20;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* HAS_PREFIX_CI - s[0..n) starts with the lower-case literal lit */
#define HAS_PREFIX_CI(s, n, lit) \
	((n) >= sizeof(lit) - 1 && eq_ci((s), (lit), sizeof(lit) - 1))


/* utf8_put - encode code point cp into out (4 bytes); returns length */
static size_t
utf8_put(uint32_t cp, char *out)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* Printable ASCII that stays as it is in a URL: 0x21..0x7e but '"' (0x22),
 * '<' (0x3c), '>' (0x3e). */
static const bool url_plain[256] = {
	[0x21] = true, [0x23 ... 0x3b] = true, [0x3d] = true,
	[0x3f ... 0x7e] = true,
};

#ifdef __SSE2__
/*
 * url_bad16 - a bit per byte of p[0..16) that is not plain printable
 * ASCII for a URL: controls, space, 8-bit (signed compare: below 0x21
 * too), DEL, '"', '<', '>'.  0: none of them.
 */
static inline unsigned
url_bad16(const unsigned char *p)
{
	__m128i	v = _mm_loadu_si128((const __m128i *)(const void *)p);
	__m128i	bad = _mm_or_si128(_mm_cmplt_epi8(v, _mm_set1_epi8(0x21)),
		    _mm_cmpeq_epi8(v, _mm_set1_epi8(0x7f)));

	bad = _mm_or_si128(bad, _mm_or_si128(
	    _mm_cmpeq_epi8(v, _mm_set1_epi8('"')),
	    _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('<')),
	    _mm_cmpeq_epi8(v, _mm_set1_epi8('>')))));
	return (unsigned)_mm_movemask_epi8(bad);
}
#endif

/*
 * space_seq - the valid UTF-8 sequence s[0..k) is a C1 control or a
 * Unicode space: U+0080..U+00A0, U+1680, U+2000..U+200A, U+2028,
 * U+2029, U+202F, U+205F, U+3000.
 */
static inline bool
space_seq(const unsigned char *s, size_t k)
{
	if (k == 2)
		return s[0] == 0xc2 && s[1] <= 0xa0;
	if (k != 3)
		return false;
	if (s[0] == 0xe2)
		return (s[1] == 0x80 && (s[2] <= 0x8a || s[2] == 0xa8 ||
		    s[2] == 0xa9 || s[2] == 0xaf)) ||
		    (s[1] == 0x81 && s[2] == 0x9f);
	return (s[0] == 0xe1 && s[1] == 0x9a && s[2] == 0x80) ||
	    (s[0] == 0xe3 && s[1] == 0x80 && s[2] == 0x80);
}

/*
 * clean_append - append u[0..n) to sb as a URL a browser would request:
 * TAB/CR/LF removed (WHATWG URL parsing), controls, space, '"', '<',
 * '>', bytes that are not valid UTF-8, and C1 controls and Unicode
 * spaces (a decoded "&nbsp;": %C2%A0) percent-encoded; other non-ASCII
 * characters are kept as they are (IRI form).  The result is valid
 * UTF-8 without NUL, fit for the JSON alert.  Returns whether it holds
 * a non-ASCII character.
 */
static bool
clean_append(struct strbuf *sb, const char *u, size_t n)
{
	static const char	 hex[] = "0123456789ABCDEF";
	const unsigned char	*s = (const unsigned char *)u;
	size_t			 i, k, start;
	char			 esc[3];
	bool			 utf8 = false;

	for (i = start = 0; i < n; ) {
#ifdef __SSE2__
		/* sixteen printable ASCII bytes but '"' '<' '>' at a time */
		while (i + 16 <= n && url_bad16(s + i) == 0)
			i += 16;
		if (i >= n)
			break;
#endif
		if (url_plain[s[i]]) {
			i++;
			continue;
		}
		if (s[i] >= 0x80 && (k = utf8_seq_len(s + i, n - i)) > 0) {
			if (!space_seq(s + i, k)) {
				i += k;
				utf8 = true;
				continue;
			}
			sb_append(sb, u + start, i - start);
			for (; k > 1; k--, i++) {
				esc[0] = '%';
				esc[1] = hex[s[i] >> 4];
				esc[2] = hex[s[i] & 0x0f];
				sb_append(sb, esc, 3);
			}
		} else
			sb_append(sb, u + start, i - start);
		if (s[i] != '\t' && s[i] != '\n' && s[i] != '\r') {
			esc[0] = '%';
			esc[1] = hex[s[i] >> 4];
			esc[2] = hex[s[i] & 0x0f];
			sb_append(sb, esc, 3);
		}
		start = ++i;
	}
	sb_append(sb, u + start, n - start);
	return utf8;
}

/* absolute_prefix_len - length of "http://" etc. or "www." at u, or 0 */
static size_t
absolute_prefix_len(const char *u, size_t n)
{
	if (n < 4)
		return 0;
	switch (to_lower((unsigned char)u[0])) {
	case 'h':
		if (HAS_PREFIX_CI(u, n, "http://"))
			return 7;
		return HAS_PREFIX_CI(u, n, "https://") ? 8 : 0;
	case 'f':
		return HAS_PREFIX_CI(u, n, "ftp://") ? 6 : 0;
	case 'w':
		return HAS_PREFIX_CI(u, n, "www.") ? 4 : 0;
	}
	return 0;
}

/* ------------------------------------------------------------ url_set */

/*
 * The de-duplication index: open addressing with linear probing over
 * indexes into set->list, with the hash kept next to each slot so a
 * probe rarely touches the strings.  The hash is seeded per process so
 * that a message cannot be crafted to make every URL collide.
 */
struct url_index {
	uint32_t	*slot;		/* list index + 1; 0 = empty */
	uint32_t	*hash;
	size_t		 cap;		/* slots, a power of two */
	size_t		*len;		/* length of each list entry */
	size_t		 len_cap;
};

/* url_hash - seeded 64-bit hash of s[0..n), folded to 32 bits */
static uint32_t
url_hash(const char *s, size_t n)
{
	uint64_t	h = hash_seed ^ (n * 0x9e3779b97f4a7c15ULL);
	uint64_t	w;
	size_t		i;

	for (i = 0; i + 8 <= n; i += 8) {
		memcpy(&w, s + i, 8);
		h = (h ^ w) * 0xff51afd7ed558ccdULL;
		h ^= h >> 32;
	}
	if (i < n) {
		w = 0;
		memcpy(&w, s + i, n - i);
		h = (h ^ w) * 0xc4ceb9fe1a85ec53ULL;
	}
	h ^= h >> 29;
	h *= 0x9e3779b97f4a7c15ULL;
	h ^= h >> 32;
	return (uint32_t)h;
}

/* index_grow - double the slot array and re-insert */
static void
index_grow(struct url_index *ix)
{
	uint32_t	*oslot = ix->slot, *ohash = ix->hash;
	size_t		 ocap = ix->cap, i, j;

	ix->cap = ocap == 0 ? 64 : ocap * 2;
	ix->slot = xcalloc(ix->cap, sizeof(*ix->slot));
	ix->hash = xcalloc(ix->cap, sizeof(*ix->hash));
	for (i = 0; i < ocap; i++) {
		if (oslot[i] == 0)
			continue;
		for (j = ohash[i] & (ix->cap - 1); ix->slot[j] != 0;
		    j = (j + 1) & (ix->cap - 1))
			;
		ix->slot[j] = oslot[i];
		ix->hash[j] = ohash[i];
	}
	free(oslot);
	free(ohash);
}

void
url_set_init(struct url_set *set, size_t max_urls, size_t max_url_length)
{
	memset(set, 0, sizeof(*set));
	set->max_urls = max_urls;
	set->max_url_length = max_url_length;
}

#define ADD_NEW	1
#define ADD_DUP	0
#define ADD_FULL	(-1)

/*
 * set_add - add one clean URL (no NUL: the scanner never makes one):
 * truncate, de-duplicate, bound
 */
static int
set_add(struct url_set *set, const char *url, size_t len)
{
	struct url_index	*ix;
	char			*copy;
	uint32_t		 h;
	size_t			 j;
	bool			 cut = false;

	if (set->max_url_length > 0 && len > set->max_url_length) {
		len = set->max_url_length;
		/* back off to a character boundary (at most 3 bytes) */
		for (j = 0; j < 3 && len > 0 &&
		    ((unsigned char)url[len] & 0xc0) == 0x80; j++)
			len--;
		cut = true;
	}
	if (len == 0)
		return ADD_DUP;
	if ((ix = set->index) == NULL)
		ix = set->index = xcalloc(1, sizeof(*ix));
	if (ix->cap == 0)
		index_grow(ix);
	h = url_hash(url, len);
	for (j = h & (ix->cap - 1); ix->slot[j] != 0;
	    j = (j + 1) & (ix->cap - 1)) {
		size_t	k = ix->slot[j] - 1;

		if (ix->hash[j] == h && ix->len[k] == len &&
		    memcmp(set->list.v[k], url, len) == 0) {
			if (cut)
				set->flags |= EXF_TRUNC_URL_LEN;
			return ADD_DUP;
		}
	}
	if ((set->max_urls > 0 && set->list.n >= set->max_urls) ||
	    set->list.n >= UINT32_MAX - 1) {
		set->flags |= EXF_TRUNC_URLS;
		return ADD_FULL;
	}
	if (cut)
		set->flags |= EXF_TRUNC_URL_LEN;
	if (set->list.n == ix->len_cap) {
		ix->len_cap = ix->len_cap == 0 ? 16 : ix->len_cap * 2;
		ix->len = xrealloc(ix->len, ix->len_cap * sizeof(*ix->len));
	}
	ix->len[set->list.n] = len;
	copy = xmalloc(len + 1);
	memcpy(copy, url, len);
	copy[len] = '\0';
	strlist_add_owned(&set->list, copy);
	ix->slot[j] = (uint32_t)set->list.n;
	ix->hash[j] = h;
	if (set->list.n * 2 > ix->cap)
		index_grow(ix);
	return ADD_NEW;
}

bool
url_set_add(struct url_set *set, const char *url, size_t len)
{
	const char	*nul;

	if ((nul = memchr(url, '\0', len)) != NULL)
		len = (size_t)(nul - url);
	return set_add(set, url, len) != ADD_FULL;
}

/* index_free - release the de-duplication index */
static void
index_free(struct url_set *set)
{
	struct url_index	*ix = set->index;

	if (ix != NULL) {
		free(ix->slot);
		free(ix->hash);
		free(ix->len);
		free(ix);
	}
	set->index = NULL;
}

void
url_set_finish(struct url_set *set, struct strlist *dst)
{
	*dst = set->list;
	memset(&set->list, 0, sizeof(set->list));
	strlist_free(&set->shown);
	strlist_free(&set->target);
	index_free(set);
}

void
url_set_finish_links(struct url_set *set, struct strlist *shown,
    struct strlist *target)
{
	*shown = set->shown;
	*target = set->target;
	memset(&set->shown, 0, sizeof(set->shown));
	memset(&set->target, 0, sizeof(set->target));
}

void
url_set_free(struct url_set *set)
{
	strlist_free(&set->list);
	strlist_free(&set->shown);
	strlist_free(&set->target);
	index_free(set);
}

/* set_full - nothing more can be added: no point in scanning on */
static bool
set_full(const struct url_set *set)
{
	return (set->flags & EXF_TRUNC_URLS) != 0 && set->max_urls > 0 &&
	    set->list.n >= set->max_urls;
}

/* ------------------------------------------------------------ init */

/* pcre2_oom - PCRE2 could not allocate: same policy as xmalloc() */
static void __attribute__((noreturn))
pcre2_oom(void)
{
	fprintf(stderr, "soar-milter: out of memory (pcre2)\n");
	abort();
}

/* compile_one - compile and JIT one of our own patterns */
static pcre2_code *
compile_one(const char *pattern, bool *jit_r, struct errbuf *err)
{
	pcre2_code	*re;
	PCRE2_UCHAR	 msg[256];
	PCRE2_SIZE	 off;
	int		 rc;

	re = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED,
	    PCRE2_UTF | PCRE2_MATCH_INVALID_UTF | PCRE2_ANCHORED, &rc, &off,
	    NULL);
	if (re == NULL) {
		pcre2_get_error_message(rc, msg, sizeof(msg));
		errbuf_set(err, "urlscan: internal pattern: %s at offset %zu",
		    (char *)msg, (size_t)off);
		return NULL;
	}
	/* JIT when the library has it; the interpreter otherwise */
	*jit_r = !jit_disabled &&
	    pcre2_jit_compile(re, PCRE2_JIT_COMPLETE) == 0;
	return re;
}

static void entity_table_check(void);

void
urlscan_disable_jit(bool disable)
{
	jit_disabled = disable;
}

int
urlscan_init(const struct config *cfg, struct errbuf *err)
{
	uint64_t	seed;
	bool		jit_url = false;

	urlscan_shutdown();
	entity_table_check();
	if (domain_init(err) == -1)
		return -1;
	if (cfg != NULL && cfg->regex_match_limit > 0)
		match_limit = cfg->regex_match_limit > UINT32_MAX ?
		    UINT32_MAX : (uint32_t)cfg->regex_match_limit;
	else
		match_limit = DEFAULT_MATCH_LIMIT;
	if (getrandom(&seed, sizeof(seed), GRND_NONBLOCK) !=
	    (ssize_t)sizeof(seed))
		seed = (uint64_t)time(NULL) ^ (uint64_t)(uintptr_t)&seed;
	hash_seed = seed;

	if ((re_url = compile_one(url_pattern, &jit_url, err)) == NULL) {
		urlscan_shutdown();
		return -1;
	}
	jit_ok = jit_url;
	if ((mctx = pcre2_match_context_create(NULL)) == NULL) {
		errbuf_set(err, "urlscan: out of memory");
		urlscan_shutdown();
		return -1;
	}
	pcre2_set_match_limit(mctx, match_limit);
	pcre2_set_depth_limit(mctx, match_limit);
	pcre2_set_heap_limit(mctx, HEAP_LIMIT_KIB);
	return 0;
}

void
urlscan_shutdown(void)
{
	domain_shutdown();
	pcre2_code_free(re_url);
	pcre2_match_context_free(mctx);
	re_url = NULL;
	mctx = NULL;
	jit_ok = false;
}

/* ------------------------------------------------------------ scanning */

/* scan_begin - set up a scan over set (match data is per call) */
static void
scan_begin(struct scan *sc, struct url_set *set)
{
	ASSERT(re_url != NULL);			/* urlscan_init() first */
	memset(sc, 0, sizeof(*sc));
	sc->set = set;
	if ((sc->md = pcre2_match_data_create(1, NULL)) == NULL)
		pcre2_oom();
	sc->stop = set_full(set);
}

static void
scan_end(struct scan *sc)
{
	size_t	i;

	pcre2_match_data_free(sc->md);
	sb_free(&sc->run);
	sb_free(&sc->attr);
	sb_free(&sc->url);
	sb_free(&sc->css);
	sb_free(&sc->join);
	sb_free(&sc->script);
	sb_free(&sc->hid);
	sb_free(&sc->base);
	sb_free(&sc->rel);
	sb_free(&sc->a_text);
	sb_free(&sc->a_href);
	sb_free(&sc->a_inner);
	for (i = 0; i < UNWRAP_MAX_DEPTH; i++)
		sb_free(&sc->unwrap[i]);
}

/*
 * url_cp_ok - code point cp (not ASCII) is a URL_CHAR: not C1, NBSP,
 * a guillemet, a Unicode space or zero-width character, a typographic
 * quote, an arrow, symbol or dingbat, CJK punctuation or bracket, BOM,
 * fullwidth ! " ' ( ) , : ; < > ? [ ] { | }, halfwidth CJK punctuation
 * (U+FF61..U+FF64), or U+FFFD.
 */
static inline bool
url_cp_ok(uint32_t cp)
{
	if (cp <= 0xbb)
		return cp > 0xa0 && cp != 0xab && cp != 0xbb;
	if (cp < 0x1680)
		return true;
	if (cp < 0x2000)
		return cp != 0x1680;
	if (cp <= 0x3011) {
		if (cp <= 0x200f || (cp >= 0x2018 && cp <= 0x201e) ||
		    (cp >= 0x2028 && cp <= 0x202f) ||
		    (cp >= 0x2190 && cp <= 0x21ff) ||
		    (cp >= 0x2600 && cp <= 0x27bf) ||
		    (cp >= 0x3000 && cp <= 0x3002) || cp >= 0x3008)
			return false;
		return cp != 0x2039 && cp != 0x203a && cp != 0x205f &&
		    cp != 0x2060;
	}
	if (cp < 0xff01)
		return cp != 0xfeff;
	switch (cp) {
	case 0xff01: case 0xff02: case 0xff07: case 0xff08: case 0xff09:
	case 0xff0c: case 0xff1a: case 0xff1b: case 0xff1c: case 0xff1e:
	case 0xff1f: case 0xff3b: case 0xff3d: case 0xff5b: case 0xff5c:
	case 0xff5d: case 0xff61: case 0xff62: case 0xff63: case 0xff64:
	case 0xfffd:
		return false;
	}
	return true;
}

/*
 * url_run - the end of the run of URL_CHAR characters that starts at
 * s[i], within s[0..len): what PCRE2 matches with URL_CHAR*+ in UTF
 * mode with PCRE2_MATCH_INVALID_UTF (an invalid or cut sequence ends
 * the run).  Sixteen ASCII bytes at a time with SSE2.
 */
static size_t
url_run(const char *s, size_t len, size_t i)
{
	const unsigned char	*u = (const unsigned char *)s;
	size_t			 k;
	uint32_t		 cp;

	while (i < len) {
#ifdef __SSE2__
		while (i + 16 <= len) {
			unsigned	m = url_bad16(u + i);

			if (m != 0) {
				i += (size_t)__builtin_ctz(m);
				break;
			}
			i += 16;
		}
		if (i >= len)
			break;
#endif
		if (u[i] < 0x80) {
			if (!url_plain[u[i]])
				break;
			i++;
			continue;
		}
		switch (k = utf8_seq_len(u + i, len - i)) {
		case 2:
			cp = (uint32_t)(u[i] & 0x1f) << 6 | (u[i + 1] & 0x3f);
			break;
		case 3:
			cp = (uint32_t)(u[i] & 0x0f) << 12 |
			    (uint32_t)(u[i + 1] & 0x3f) << 6 |
			    (u[i + 2] & 0x3f);
			break;
		case 4:
			cp = (uint32_t)(u[i] & 0x07) << 18 |
			    (uint32_t)(u[i + 1] & 0x3f) << 12 |
			    (uint32_t)(u[i + 2] & 0x3f) << 6 |
			    (u[i + 3] & 0x3f);
			break;
		default:
			return i;		/* invalid: a barrier */
		}
		if (!url_cp_ok(cp))
			break;
		i += k;
	}
	return i;
}

/*
 * url_at - a URL starts at s[a] (of s[0..len)) when re_url matches its
 * prefix there (and perhaps one URL character): the end of the URL (the
 * prefix and the run of URL characters after it), or (size_t)-1.  A
 * match error (match or depth limit, ...) flags the set and stops the
 * scan.  run_end: where a run of URL characters that holds s[a] ends,
 * when known (the run of a URL cut by glued_end()), else 0.
 *
 * The subject given to PCRE2 is at most PREFIX_WINDOW bytes: its
 * interpreter (10.42) checks the UTF-8 from the offset to the end of
 * the subject on every call, which over a whole text would make a scan
 * quadratic.  The JIT is called directly (pcre2_jit_match: the same
 * limits, fewer checks).
 */
static size_t
url_at(struct scan *sc, const char *s, size_t len, size_t a, size_t run_end)
{
	PCRE2_SIZE	*ov;
	size_t		 wend;
	int		 rc;

	wend = len - a > PREFIX_WINDOW ? a + PREFIX_WINDOW : len;
	if (jit_ok)
		rc = pcre2_jit_match(re_url, (PCRE2_SPTR)s, wend, a, 0,
		    sc->md, mctx);
	else
		rc = pcre2_match(re_url, (PCRE2_SPTR)s, wend, a, 0, sc->md,
		    mctx);
	if (rc < 0) {
		if (rc != PCRE2_ERROR_NOMATCH) {
			sc->set->flags |= EXF_REGEX_LIMIT;
			sc->stop = true;
		}
		return (size_t)-1;
	}
	ov = pcre2_get_ovector_pointer(sc->md);
	if (ov[0] != a)
		return (size_t)-1;
	if (run_end >= ov[1])
		return run_end;		/* inside a run already read */
	return url_run(s, len, ov[1]);
}

static void unwrap(struct scan *, const char *, size_t, int);
static void pct_decode_append(struct strbuf *, const char *, size_t);
static void scan_plain(struct scan *, const char *, size_t);

/* emit - add one final URL, then the URL a known wrapper hides in it */
static void
emit(struct scan *sc, const char *u, size_t n, int depth)
{
	int	rc;

	if (sc->cap != NULL) {		/* an <a href>: keep what it is */
		if (depth == 0 && sc->cap->len == 0)
			sb_append(sc->cap, u, n);
		else if (depth > 0 && sc->a_inner.len == 0)
			sb_append(&sc->a_inner, u, n);
	}
	if (sc->stop)
		return;
	if ((rc = set_add(sc->set, u, n)) == ADD_FULL)
		sc->stop = true;
	else if ((rc == ADD_NEW || sc->cap != NULL) &&
	    depth < UNWRAP_MAX_DEPTH)
		unwrap(sc, u, n, depth);	/* a link's: for its target */
}

/* trim_count - the bracket balances and the '\'' count of u[0..n) */
static void
trim_count(const char *u, size_t n, ssize_t bal[3], size_t *quotes)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		switch (u[i]) {
		case '(': bal[0]++; break;
		case ')': bal[0]--; break;
		case '[': bal[1]++; break;
		case ']': bal[1]--; break;
		case '{': bal[2]++; break;
		case '}': bal[2]--; break;
		case '\'': (*quotes)++; break;
		}
	}
}

/*
 * trim_trailing - drop what text glues to the end of a URL: sentence
 * punctuation, quotes, an ellipsis, a closing ) ] } that has no opening
 * partner inside the URL ("(see http://x/)", but keep "/wiki/A_(b)"),
 * and an emphasis mark.  pre is the character right before the URL (or
 * 0): a '*', '_' or '~' there is markdown-style emphasis around the URL,
 * its mark is dropped at the end too.  A final '\'' that closes one
 * inside the URL ("/blah_'quoted'") stays, unless a '\'' opens before
 * the URL ("'http://x/a'b'").  dash: the URL is a host alone, which
 * does not end in '-' ("-----www.x.example-----" is decoration).
 */
static size_t
trim_trailing(const char *u, size_t n, char pre, bool dash)
{
	/* brackets opened minus closed, and the number of '\'', counted
	 * once, at the first closer or quote */
	ssize_t	bal[3] = { 0, 0, 0 };
	size_t	quotes = 0;
	bool	counted = false;
	char	emph = pre == '*' || pre == '_' || pre == '~' ? pre : '\0';
	int	k;

	while (n > 0) {
		if (emph != '\0' && u[n - 1] == emph) {
			n--;
			continue;
		}
		switch (u[n - 1]) {
		case '-':
			if (!dash)
				return n;
			n--;
			continue;
		case '\'':
			if (pre != '\'') {
				if (!counted) {
					trim_count(u, n, bal, &quotes);
					counted = true;
				}
				if (quotes % 2 == 0)	/* closes one */
					return n;
			}
			if (counted)
				quotes--;
			n--;
			continue;
		case '.': case ',': case ';': case ':': case '!': case '?':
		case '"': case '`':
			n--;
			continue;
		case '\xa6':
			/* U+2026 ELLIPSIS: "https://x.com/long/pa..." */
			if (n >= 3 && u[n - 3] == '\xe2' &&
			    u[n - 2] == '\x80') {
				n -= 3;
				continue;
			}
			return n;
		case ')':
			k = 0;
			break;
		case ']':
			k = 1;
			break;
		case '}':
			k = 2;
			break;
		default:
			return n;
		}
		if (!counted) {
			trim_count(u, n, bal, &quotes);
			counted = true;
		}
		if (bal[k] >= 0)
			return n;		/* balanced: part of the URL */
		bal[k]++;
		n--;
	}
	return n;
}

/*
 * text_prefix - length of the scheme ("http://", "hxxp[:]//",
 * "hxxp[://]") or "www." part of a matched URL, and whether it is a
 * defanged spelling.
 */
static size_t
text_prefix(const char *u, size_t n, bool *defanged)
{
	size_t	i;

	*defanged = false;
	if (HAS_PREFIX_CI(u, n, "www")) {
		if (n > 3 && u[3] == '.')
			return 4;
		*defanged = true;
		return 6;			/* www[.] www(.) www{.} */
	}
	for (i = 0; i < n && is_alpha((unsigned char)u[i]); i++)
		;
	if ((u[1] | 0x20) == 'x')
		*defanged = true;		/* hxxp */
	if (i < n && u[i] == '[') {
		*defanged = true;
		return i + 5;			/* [:]// [://] */
	}
	return i + 3;				/* :// */
}

/*
 * fang_dot - the length of a defanged full stop at u[i] (of u[0..n)):
 * "[.]", "(.)", "{.}" (3) or "[dot]", "(dot)" (5, any case), else 0.
 */
static inline size_t
fang_dot(const char *u, size_t n, size_t i)
{
	char	c = u[i];

	if (c != '[' && c != '(' && c != '{')
		return 0;
	if (i + 2 < n && u[i + 1] == '.' && u[i + 2] == (c == '[' ? ']' :
	    c == '(' ? ')' : '}'))
		return 3;
	if (c != '{' && i + 4 < n && eq_ci(u + i + 1, "dot", 3) &&
	    u[i + 4] == (c == '[' ? ']' : ')'))
		return 5;
	return 0;
}

/*
 * refang - write the live form of a defanged URL into sc->url: hxxp ->
 * http (the scheme in lower case), [:]// and [://] -> ://, and [.] (.)
 * {.} [dot] (dot) -> . in the host part (a path may hold them for
 * real).
 */
static void
refang(struct scan *sc, const char *u, size_t n, size_t plen)
{
	struct strbuf	*sb = &sc->url;
	size_t		 i, k, host_end;

	sb_reset(sb);
	if ((u[0] | 0x20) == 'w') {
		sb_puts(sb, "www.");
	} else {
		/* a rewritten scheme is written in lower case */
		for (i = 0; i < plen && is_alpha((unsigned char)u[i]); i++) {
			char	c = (char)(u[i] | 0x20);

			sb_putc(sb, (i == 1 || i == 2) && c == 'x' ? 't' : c);
		}
		sb_puts(sb, "://");
	}
	for (host_end = plen; host_end < n && u[host_end] != '/' &&
	    u[host_end] != '?' && u[host_end] != '#'; host_end++)
		;
	for (i = plen; i < host_end; i++) {
		if ((k = fang_dot(u, host_end, i)) > 0) {
			sb_putc(sb, '.');
			i += k - 1;
			continue;
		}
		sb_putc(sb, u[i]);
	}
	sb_append(sb, u + host_end, n - host_end);
}

/*
 * ignorable_len - the length of the UTF-8 character at u[0..n) when it
 * is one a reader does not see and IDNA drops from a host name: U+00AD
 * soft hyphen, U+200B..U+200D zero width space, non-joiner, joiner,
 * U+2060 word joiner, U+FEFF BOM; else 0.
 */
static inline size_t
ignorable_len(const char *u, size_t n)
{
	const unsigned char *s = (const unsigned char *)u;

	if (n >= 2 && s[0] == 0xc2 && s[1] == 0xad)
		return 2;
	if (n < 3)
		return 0;
	if ((s[0] == 0xe2 && s[1] == 0x80 && s[2] >= 0x8b && s[2] <= 0x8d) ||
	    (s[0] == 0xe2 && s[1] == 0x81 && s[2] == 0xa0) ||
	    (s[0] == 0xef && s[1] == 0xbb && s[2] == 0xbf))
		return 3;
	return 0;
}

/*
 * host_marks - one walk over the host part u[hs..) (up to '/', '?' or
 * '#') of a text URL: HM_FANG if it holds a defanged full stop
 * (fang_dot()), HM_IGN an ignorable_len() character.
 */
#define HM_END	1		/* in host_mark[]: '/' '?' '#' */
#define HM_FANG	2		/* '[' '(' '{', and the result */
#define HM_IGN	4		/* a lead byte of an ignorable, and the result */
static const unsigned char host_mark[256] = {
	['/'] = HM_END, ['?'] = HM_END, ['#'] = HM_END,
	['['] = HM_FANG, ['('] = HM_FANG, ['{'] = HM_FANG,
	[0xc2] = HM_IGN, [0xe2] = HM_IGN, [0xef] = HM_IGN,
};

static unsigned
host_marks(const char *u, size_t n, size_t hs)
{
	unsigned	m, r = 0;
	size_t		i;

	for (i = hs; i < n; i++) {
		if ((m = host_mark[(unsigned char)u[i]]) == 0)
			continue;
		if (m == HM_END)
			break;
		if (m == HM_FANG && fang_dot(u, n, i) > 0)
			r |= HM_FANG;
		else if (m == HM_IGN && ignorable_len(u + i, n - i) > 0)
			r |= HM_IGN;
	}
	return r;
}

/* host_drop_ignorables - drop them from the host part of sb (from hs) */
static void
host_drop_ignorables(struct strbuf *sb, size_t hs)
{
	char	*u = sb->s;
	size_t	 n = sb->len, r, w, k;

	for (r = w = hs; r < n && u[r] != '/' && u[r] != '?' && u[r] != '#'; ) {
		if ((k = ignorable_len(u + r, n - r)) > 0) {
			r += k;
			continue;
		}
		u[w++] = u[r++];
	}
	memmove(u + w, u + r, n - r + 1);
	sb->len = n - (r - w);
}

/*
 * host_part - where the host part of the URL u[0..n) (after the prefix
 * u[0..plen)) ends: at a '\'', which no host name holds
 * ("http://www.x.com's site"), else n when the URL is a host alone
 * (*only), else (at '/', '?' or '#') n too.
 */
static size_t
host_part(const char *u, size_t plen, size_t n, bool *only)
{
	size_t	i;

	*only = false;
	for (i = plen; i < n; i++) {
		if (u[i] == '/' || u[i] == '?' || u[i] == '#')
			return n;
		if (u[i] == '\'') {
			*only = true;
			return i;
		}
	}
	*only = true;
	return n;
}

/*
 * www_host_ok - a "www." URL u[0..n) (text only: no scheme says it is a
 * link) has a host whose last label is a top-level domain of the Public
 * Suffix List, or one of the reserved test names (RFC 2606): not the
 * file name "www.setup.exe" or "www.liy8quei:80".  Other URLs: true.
 */
static bool
www_host_ok(const char *u, size_t n)
{
	static const char *const reserved[] = {
		"example", "test", "invalid", "localhost",
	};
	size_t	he, s, i;

	if (!HAS_PREFIX_CI(u, n, "www."))
		return true;
	for (he = 4; he < n && u[he] != '/' && u[he] != '?' && u[he] != '#' &&
	    u[he] != ':' && u[he] != '@'; he++)
		;
	if (he < n && u[he] == '@')
		return true;			/* user info: not a host */
	if (domain_known_tld(u, he))
		return true;
	while (he > 4 && u[he - 1] == '.')
		he--;
	for (s = he; s > 4 && u[s - 1] != '.'; s--)
		;
	for (i = 0; i < ARRAY_LEN(reserved); i++)
		if (he - s == strlen(reserved[i]) &&
		    eq_ci(u + s, reserved[i], he - s))
			return true;
	return false;
}

/*
 * text_url - clean up one URL matched in text and emit it; pre is the
 * character before it, if any (trim_trailing())
 */
static void
text_url(struct scan *sc, const char *u, size_t n, char pre)
{
	size_t		plen;
	unsigned	marks;
	bool		defanged, ign, dash;

	plen = text_prefix(u, n, &defanged);
	n = host_part(u, plen, n, &dash);
	n = trim_trailing(u, n, pre, dash);
	if (n <= plen)
		return;				/* only a scheme: "http://" */
	marks = host_marks(u, n, plen);
	ign = (marks & HM_IGN) != 0;
	if (defanged || (marks & HM_FANG) != 0) {
		refang(sc, u, n, plen);
	} else if (ign) {
		sb_reset(&sc->url);
		sb_append(&sc->url, u, n);
	} else {
		if (www_host_ok(u, n))
			emit(sc, u, n, 0);
		return;
	}
	if (ign) {
		/* "micro\u200bsoft.example" is what the reader sees:
		 * microsoft.example; the scheme part is all ASCII now */
		plen = (sc->url.s[0] | 0x20) == 'w' ? 4 :
		    (size_t)(strchr(sc->url.s, ':') - sc->url.s) + 3;
		host_drop_ignorables(&sc->url, plen);
		sc->url.len = trim_trailing(sc->url.s, sc->url.len, pre,
		    dash);
		if (sc->url.len <= plen)
			return;
		sc->url.s[sc->url.len] = '\0';
	}
	if (www_host_ok(sc->url.s, sc->url.len))
		emit(sc, sc->url.s, sc->url.len, 0);
}

/* starts_url - s[0..n) begins like a URL of its own */
static bool
starts_url(const char *s, size_t n)
{
	return absolute_prefix_len(s, n) > 0 || HAS_PREFIX_CI(s, n, "hxxp");
}

/*
 * join_wrapped - RFC 3986 appendix C: a URL in angle brackets may be
 * broken across lines, the white space to be ignored.  The URL at
 * s[a..e) follows '<' (or "<URL:") and is cut by white space: look for
 * continuation lines (each after a line break, perhaps behind a "> "
 * quote prefix) up to the closing '>'.  Bounded: WRAP_MAX_BYTES of
 * look-ahead and WRAP_MAX_PIECES lines; no piece may hold '<' or start
 * a URL of its own.  On success the joined URL is in sc->join and *end_r
 * is past the '>'.
 */
static bool
join_wrapped(struct scan *sc, const char *s, size_t len, size_t a,
    size_t e, size_t *end_r)
{
	size_t	pieces[WRAP_MAX_PIECES][2];
	size_t	np = 0, q = e, r, bound, i;
	bool	nl;

	bound = len - e > WRAP_MAX_BYTES ? e + WRAP_MAX_BYTES : len;
	for (;;) {
		for (nl = false; q < bound && is_space((unsigned char)s[q]);
		    q++)
			if (s[q] == '\n')
				nl = true;
		if (q >= bound || !nl)
			return false;
		if (s[q] == '>') {
			/* the closing bracket alone on its line, or a quote */
			for (r = q + 1; r < bound && (s[r] == ' ' ||
			    s[r] == '\t' || s[r] == '\r'); r++)
				;
			if (r >= len || s[r] == '\n') {
				if (np == 0)
					return false;
				*end_r = q + 1;
				break;
			}
			while (q < bound && (s[q] == '>' || s[q] == ' ' ||
			    s[q] == '\t'))
				q++;
		}
		if (np == WRAP_MAX_PIECES)
			return false;
		r = url_run(s, bound, q);
		if (r == q || starts_url(s + q, r - q))
			return false;
		pieces[np][0] = q;
		pieces[np][1] = r;
		np++;
		if (r < bound && s[r] == '>') {
			*end_r = r + 1;
			break;
		}
		if (r >= bound || !is_space((unsigned char)s[r]))
			return false;
		q = r;
	}
	sb_reset(&sc->join);
	sb_append(&sc->join, s + a, e - a);
	for (i = 0; i < np; i++)
		sb_append(&sc->join, s + pieces[i][0],
		    pieces[i][1] - pieces[i][0]);
	return true;
}

/* after_angle - the URL at s[a] is right after "<" or "<URL:" */
static bool
after_angle(const char *s, size_t a)
{
	if (a >= 1 && s[a - 1] == '<')
		return true;
	if (a >= 5 && strncasecmp(s + a - 5, "<URL:", 5) == 0)
		return true;
	return a >= 6 && strncasecmp(s + a - 6, "<URL: ", 6) == 0;
}

/*
 * scheme_start - a ':' at c may end a scheme (also "hxxp[:]//",
 * "hxxp[://]"): the start of the scheme, or (size_t)-1.  The letters
 * must begin at a word boundary, but for "http" and "https", and not
 * before pos.  The pattern does the exact check.
 */
static size_t
scheme_start(const char *s, size_t len, size_t pos, size_t c)
{
	size_t	e = c, sl = c + 1, b;

	if (c > 0 && s[c - 1] == '[' && c + 3 < len && s[c + 1] == '/' &&
	    s[c + 2] == '/' && s[c + 3] == ']')
		e = c - 1;			/* [://] */
	else {
		if (c > 0 && s[c - 1] == '[' && c + 1 < len &&
		    s[c + 1] == ']') {
			e = c - 1;		/* [:]// */
			sl = c + 2;
		}
		if (sl + 1 >= len || s[sl] != '/' || s[sl + 1] != '/')
			return (size_t)-1;
	}
	for (b = e; b > pos && e - b < 6 && is_alpha((unsigned char)s[b - 1]);
	    b--)
		;
	if ((b == 0 || !is_alnum((unsigned char)s[b - 1])) &&
	    ((e - b == 3 && eq_ci(s + b, "ftp", 3)) ||
	    (e - b == 4 && (eq_ci(s + b, "http", 4) ||
	    eq_ci(s + b, "hxxp", 4))) ||
	    (e - b == 5 && (eq_ci(s + b, "https", 5) ||
	    eq_ci(s + b, "hxxps", 5)))))
		return b;
	/* "Click herehttp://x": http and https may be glued to a word
	 * (text flattened from HTML), not ftp ("sftp://") or hxxp */
	if (e - pos >= 5 && eq_ci(s + e - 5, "https", 5))
		return e - 5;
	if (e - pos >= 4 && eq_ci(s + e - 4, "http", 4))
		return e - 4;
	return (size_t)-1;
}

/*
 * www_start - a '.' at d may end "www" (also "www[.]", "www(.)",
 * "www{.}")
 */
static size_t
www_start(const char *s, size_t len, size_t pos, size_t d)
{
	size_t	w = d, j, r;
	char	p;

	if (d > 0 && (s[d - 1] == '[' || s[d - 1] == '(' ||
	    s[d - 1] == '{') && d + 1 < len && s[d + 1] == (s[d - 1] == '[' ?
	    ']' : s[d - 1] == '(' ? ')' : '}'))
		w = d - 1;
	if (w < pos + 3 || (s[w - 3] | 0x20) != 'w' ||
	    (s[w - 2] | 0x20) != 'w' || (s[w - 1] | 0x20) != 'w')
		return (size_t)-1;
	/* not inside a host name, e-mail address or path ("foo.www.x",
	 * "me@www.x", "/www.x"), but after decoration ("...www.x",
	 * "_www.x_") */
	for (j = w - 3, r = 0; j > pos && r < 64 && (s[j - 1] == '.' ||
	    s[j - 1] == '-' || s[j - 1] == '_'); j--, r++)
		;
	if (j > 0 && r < 64) {
		p = s[j - 1];
		if (is_alnum((unsigned char)p) || p == '@' || p == '/' ||
		    (r == 0 && (p == '.' || p == '-' || p == '_')))
			return (size_t)-1;
	}
	return w - 3;
}

/* find - index of the next byte ch in s[from..len), or len */
static inline size_t
find(const char *s, size_t len, size_t from, char ch)
{
	const char	*p;

	if (from >= len)
		return len;
	p = memchr(s + from, ch, len - from);
	return p != NULL ? (size_t)(p - s) : len;
}

/*
 * find3 - index of the next byte a, b or c in s[from..len), or len.
 * Sixteen bytes at a time with SSE2, the last (partial) sixteen by one
 * load that ends at len, its bytes before i masked off (no byte loop
 * for a stretch of sixteen bytes or more).  Inline, no call: the
 * stretches searched (between two tags, a style attribute) are short.
 */
static inline size_t
find3(const char *s, size_t len, size_t from, char a, char b, char c)
{
	size_t	i = from;
#ifdef __SSE2__
	const __m128i	va = _mm_set1_epi8(a), vb = _mm_set1_epi8(b),
			vc = _mm_set1_epi8(c);
	__m128i		v;
	unsigned	m;

	/* (c == b: two bytes, the third compare left out; the
	 * arguments are constants, so this is decided at compile time) */
#define FIND3_MASK(v) ((unsigned)_mm_movemask_epi8(c == b ? \
	_mm_or_si128(_mm_cmpeq_epi8(v, va), _mm_cmpeq_epi8(v, vb)) : \
	_mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, va), \
	_mm_cmpeq_epi8(v, vb)), _mm_cmpeq_epi8(v, vc))))
	for (; i + 16 <= len; i += 16) {
		v = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
		if ((m = FIND3_MASK(v)) != 0)
			return i + (size_t)__builtin_ctz(m);
	}
	if (i < len && len - from >= 16) {
		v = _mm_loadu_si128((const __m128i *)(const void *)
		    (s + len - 16));
		m = FIND3_MASK(v) & (~0u << (i - (len - 16)));	/* seen */
		return m != 0 ? len - 16 + (size_t)__builtin_ctz(m) : len;
	}
#undef FIND3_MASK
#endif
	for (; i < len; i++)
		if (s[i] == a || s[i] == b || (c != b && s[i] == c))
			return i;
	return len;
}

/* find2 - index of the next byte a or b in s[from..len), or len */
static inline size_t
find2(const char *s, size_t len, size_t from, char a, char b)
{
	return find3(s, len, from, a, b, b);
}

/* find_lt_amp - the next '<' or '&': where a tag or a reference starts */
static inline size_t
find_lt_amp(const char *s, size_t len, size_t from)
{
	return find2(s, len, from, '<', '&');
}

/*
 * anchor_at - s[i] (a ':' or a '.') can be part of a URL prefix: a ':'
 * followed by '/' or ']' ("://", "[:]//", "[://]"), a '.' after 'w',
 * '[', '(' or '{' ("www.", "www[.]", "www(.)", "www{.}").
 * scheme_start() and www_start() check the rest.
 */
static inline bool
anchor_at(const char *s, size_t len, size_t i)
{
	if (s[i] == ':')
		return i + 1 < len && (s[i + 1] == '/' || s[i + 1] == ']');
	return i > 0 && ((s[i - 1] | 0x20) == 'w' || s[i - 1] == '[' ||
	    s[i - 1] == '(' || s[i - 1] == '{');
}

/*
 * find_anchor - index of the next ':' or '.' in s[from..len) that can
 * be part of a URL prefix (anchor_at), or len.  Sixteen bytes at a time
 * with SSE2: sentence dots and "Re:" colons are passed over without a
 * return to the caller.
 */
static inline size_t
find_anchor(const char *s, size_t len, size_t from)
{
	size_t	i = from;

#ifdef __SSE2__
	const __m128i	colon = _mm_set1_epi8(':'), dot = _mm_set1_epi8('.');
	__m128i		v;
	unsigned	m;

	for (; i + 16 <= len; i += 16) {
		v = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
		m = (unsigned)_mm_movemask_epi8(_mm_or_si128(
		    _mm_cmpeq_epi8(v, colon), _mm_cmpeq_epi8(v, dot)));
		for (; m != 0; m &= m - 1)
			if (anchor_at(s, len, i + (size_t)__builtin_ctz(m)))
				return i + (size_t)__builtin_ctz(m);
	}
#endif
	for (; i < len; i++)
		if ((s[i] == ':' || s[i] == '.') && anchor_at(s, len, i))
			return i;
	return len;
}

/* char_before - the character before s[a] (trim_trailing()), or 0 */
static inline char
char_before(const char *s, size_t a)
{
	return a == 0 ? '\0' : s[a - 1];
}

/*
 * glued_end - where the URL s[a..e) ends when text glued a second one
 * to it: at a ']' that closes no '[' of the URL (a markdown link whose
 * text is a URL, "[https://a/](https://b/)"; RFC 3986 has no ']' outside
 * an IPv6 host), or at a ')' that closes no '(' when "(" and a URL
 * follow it or a '(' comes right before the URL (it closes that one:
 * "(http://x/a_(b))", "[text](http://x/)[more](...)").  Else e.
 */
static size_t
glued_end(const char *s, size_t a, size_t e)
{
	size_t	i, sq = 0, par = 0;
	bool	inpar = a > 0 && s[a - 1] == '(';

	if ((i = find2(s, e, a, ']', ')')) >= e)
		return e;
	for (i = a; i < e; i++) {
		switch (s[i]) {
		case '[':
			sq++;
			break;
		case '(':
			par++;
			break;
		case ']':
			if (sq == 0)
				return i;
			sq--;
			break;
		case ')':
			if (par > 0)
				par--;
			else if (inpar || (i + 1 < e && s[i + 1] == '(' &&
			    starts_url(s + i + 2, e - i - 2)))
				return i;
			break;
		}
	}
	return e;
}

/*
 * The last '/', '?' or '#' of the text before upto (lastp, SIZE_MAX:
 * none), carried along one scan_plain call so that each byte is looked
 * at once, however often a run is read again after a cut.
 */
struct path_memo {
	size_t	upto;
	size_t	lastp;
};

/* path_before - whether s[i..e) holds '/', '?' or '#' (via the memo) */
static bool
path_before(const char *s, size_t i, size_t e, struct path_memo *m)
{
	size_t	p;

	if (e < m->upto) {		/* behind the memo: look directly */
		for (p = i; p < e; p++)
			if (s[p] == '/' || s[p] == '?' || s[p] == '#')
				return true;
		return false;
	}
	for (p = m->upto; p < e; p++)
		if (s[p] == '/' || s[p] == '?' || s[p] == '#')
			m->lastp = p;
	m->upto = e;
	return m->lastp != SIZE_MAX && m->lastp >= i;
}

/*
 * host_symbol_len - the length of the symbol or dingbat (U+2600..U+27BF,
 * which end a URL elsewhere: "https://x/&hearts;") at s[e] when it is a
 * character of a host name that starts at s[hs]: before a letter, digit,
 * '-' or another URL character that is not ASCII
 * ("http://\u272adf.ws/", an emoji's U+FE0F), or at the end of a label
 * before '.' and a letter or digit ("http://i\u2764.ws/"); else 0.
 */
static inline size_t
host_symbol_len(const char *s, size_t len, size_t e, size_t hs)
{
	const unsigned char	*u = (const unsigned char *)s;

	if (len - e < 4 || u[e] != 0xe2 || u[e + 1] < 0x98 ||
	    u[e + 1] > 0x9e || (u[e + 2] & 0xc0) != 0x80)
		return 0;
	if (u[e + 3] == '.')
		return e > hs && len - e > 4 && is_alnum(u[e + 4]) ? 3 : 0;
	if (is_alnum(u[e + 3]) || u[e + 3] == '-')
		return 3;
	return u[e + 3] >= 0x80 &&
	    url_run(s, len - e > 7 ? e + 7 : len, e + 3) > e + 3 ? 3 : 0;
}

/*
 * run_past_ignorables - the URL s[a..e) ends at a character the reader
 * does not see (ignorable_len(): "micro\u200bsoft.example") or at a
 * symbol of its host name (host_symbol_len()): while that is in its
 * host part, the URL goes on past it.  The new end.
 */
static size_t
run_past_ignorables(const char *s, size_t len, size_t a, size_t e,
    struct path_memo *m)
{
	size_t	i, k;
	bool	defanged;

	i = a + text_prefix(s + a, e - a, &defanged);
	while (e < len && ((k = ignorable_len(s + e, len - e)) > 0 ||
	    (k = host_symbol_len(s, len, e, i)) > 0)) {
		if (path_before(s, i, e, m))
			return e;
		e = url_run(s, len, e + k);
	}
	return e;
}

/*
 * scan_plain - find the URLs of plain text s[0..len).  Each ':' and '.'
 * is looked at once by a few bytes of C, and only where a URL can start
 * does the anchored pattern run; a URL consumes its bytes, so the scan
 * is linear in len.
 */
static void
scan_plain(struct scan *sc, const char *s, size_t len)
{
	struct path_memo	memo = { 0, SIZE_MAX };
	size_t	pos = 0, c, a, e, end, g, run_end = 0;

	for (c = find_anchor(s, len, 0); c < len && !sc->stop;
	    c = find_anchor(s, len, c < pos ? pos : c + 1)) {
		a = s[c] == ':' ? scheme_start(s, len, pos, c) :
		    www_start(s, len, pos, c);
		if (a == (size_t)-1 ||
		    (e = url_at(sc, s, len, a, run_end)) == (size_t)-1)
			continue;
		if (e < len && (unsigned char)s[e] >= 0xe2)
			e = run_past_ignorables(s, len, a, e, &memo);
		if ((g = glued_end(s, a, e)) < e) {
			/* the rest of the run is read again from g: its end
			 * is known (linear, however many cuts) */
			text_url(sc, s + a, g - a, char_before(s, a));
			pos = g;
			run_end = e;
			continue;
		}
		if (e < len && is_space((unsigned char)s[e]) &&
		    after_angle(s, a) && join_wrapped(sc, s, len, a, e, &end)) {
			text_url(sc, sc->join.s, sc->join.len, '\0');
			pos = end;
			continue;
		}
		text_url(sc, s + a, e - a, char_before(s, a));
		pos = e;
	}
}

void
urlscan_text(struct url_set *set, const char *text, size_t len)
{
	struct scan	sc;

	if (text == NULL || len == 0)
		return;
	scan_begin(&sc, set);
	if (!sc.stop)
		scan_plain(&sc, text, len);
	scan_end(&sc);
}

/* ------------------------------------------------------------ entities */

/*
 * The WHATWG named character references, generated by
 * contrib/gen-html-entities.py: html_entities[] (sorted by strcmp) and
 * html_entity_first[] (where each first letter's names begin).
 */
#include "html-entities.h"

/* Windows-1252 meanings of &#128; .. &#159; (HTML numeric references). */
static const uint16_t cp1252[32] = {
	0x20ac, 0x0081, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021,
	0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008d, 0x017d, 0x008f,
	0x0090, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014,
	0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0x009d, 0x017e, 0x0178,
};

/* entity_table_check - the table must stay sorted for the search */
static void
entity_table_check(void)
{
	size_t	i;

	for (i = 1; i < ARRAY_LEN(html_entities); i++)
		ASSERT(strcmp(html_entities[i - 1].name,
		    html_entities[i].name) < 0);
	ASSERT(html_entity_first[52] == ARRAY_LEN(html_entities));
	ASSERT(HTML_ENTITY_NAME_MAX <= ENTITY_NAME_MAX);
}

/*
 * entity_lookup - the named character reference s[0..n) (letters and
 * digits, no ';'), or NULL: a binary search among the names with the
 * same first letter (compared from the second on).
 */
static const struct html_entity *
entity_lookup(const char *s, size_t n)
{
	const char	*name;
	size_t		 lo, hi, mid, j;
	int		 k, cmp;
	unsigned char	 c = (unsigned char)s[0];

	if (c >= 'A' && c <= 'Z')
		k = c - 'A';
	else if (c >= 'a' && c <= 'z')
		k = 26 + c - 'a';
	else
		return NULL;
	lo = html_entity_first[k];
	hi = html_entity_first[k + 1];
	while (lo < hi) {
		mid = (lo + hi) / 2;
		name = html_entities[mid].name;
		for (j = 1; j < n && s[j] == name[j]; j++)
			;
		if (j < n)	/* a shorter name (its NUL) sorts first */
			cmp = (unsigned char)s[j] - (unsigned char)name[j];
		else
			cmp = name[n] == '\0' ? 0 : -1;
		if (cmp == 0)
			return &html_entities[mid];
		if (cmp < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

/*
 * decode_ref - decode the character reference at s[0..n) (s[0] == '&')
 * into out: bytes consumed, 0 if it is not one (the '&' is literal).
 * Numeric: &#NN; &#xHH; (';' optional).  Named: any WHATWG name with
 * ';', or without it the longest legacy name ("&amp", "&copy", ...) the
 * letters and digits start with -- but not inside an attribute when a
 * letter, digit or '=' follows (HTML's rule, so "?a=1&copy=2" stays as
 * it is).  out has room for HTML_ENTITY_UTF8_MAX bytes.
 */
static inline __attribute__((always_inline)) size_t
decode_ref(const char *s, size_t n, bool in_attr, char *out, size_t *outlen)
{
	const struct html_entity *e;
	uint32_t	 cp = 0;
	size_t		 i, ln, digits;
	int		 v;

	if (n >= 3 && s[1] == '#') {
		bool	hex = (s[2] | 0x20) == 'x';

		for (i = hex ? 3 : 2, digits = 0; i < n; i++, digits++) {
			v = hex ? hex_val((unsigned char)s[i]) :
			    (is_digit((unsigned char)s[i]) ? s[i] - '0' : -1);
			if (v < 0)
				break;
			if (cp <= 0x10ffff)
				cp = cp * (hex ? 16 : 10) + (uint32_t)v;
		}
		if (digits == 0)
			return 0;
		if (i < n && s[i] == ';')
			i++;
		if (cp == 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			cp = 0xfffd;
		else if (cp >= 0x80 && cp <= 0x9f)
			cp = cp1252[cp - 0x80];
		*outlen = utf8_put(cp, out);
		return i;
	}
	if (n >= 5 && memcmp(s, "&amp;", 5) == 0) {
		*out = '&';			/* by far the most common */
		*outlen = 1;
		return 5;
	}
	for (i = 1; i < n && i <= ENTITY_NAME_MAX &&
	    is_alnum((unsigned char)s[i]); i++)
		;
	if (i == 1)
		return 0;
	if (i < n && s[i] == ';' && (e = entity_lookup(s + 1, i - 1)) !=
	    NULL) {
		*outlen = strlen(e->utf8);
		memcpy(out, e->utf8, *outlen);
		return i + 1;
	}
	/* no ';': the longest legacy name that is a prefix */
	for (ln = i - 1 < HTML_ENTITY_LEGACY_MAX ? i - 1 :
	    HTML_ENTITY_LEGACY_MAX; ln >= 2; ln--) {
		if ((e = entity_lookup(s + 1, ln)) == NULL || !e->legacy)
			continue;
		if (in_attr && (i - 1 > ln || (i < n && s[i] == '=')))
			return 0;
		*outlen = strlen(e->utf8);
		memcpy(out, e->utf8, *outlen);
		return ln + 1;
	}
	return 0;
}

/*
 * decode_append - append s[0..n) to sb with character references
 * decoded.  A reference is almost never shorter than what it decodes to
 * (the longest numeric one, four bytes, needs at least "&#x10000"), so
 * the bytes are copied once and decoded in place, the write index never
 * passing the read index.  The two exceptions ("&nGt;" and "&nLt;", six
 * bytes) switch to appending from s for the rest (s is never in sb).
 */
static void
decode_append(struct strbuf *sb, const char *s, size_t n, bool in_attr)
{
	char		*d, *amp;
	char		 out[HTML_ENTITY_UTF8_MAX > 8 ? HTML_ENTITY_UTF8_MAX : 8];
	size_t		 r, w, w0, used, olen;
	const char	*p;

	if (n == 0)
		return;
	w = w0 = sb->len;
	sb_append(sb, s, n);
	d = sb->s;
	r = w;
	while ((amp = memchr(d + r, '&', sb->len - r)) != NULL) {
		size_t	a = (size_t)(amp - d);

		if (w != r)
			memmove(d + w, d + r, a - r);
		w += a - r;
		r = a;
		used = decode_ref(d + r, sb->len - r, in_attr, out, &olen);
		if (used == 0) {
			d[w++] = '&';
			r++;
		} else if (olen > used) {
			/* longer than its reference: append the rest */
			sb->len = w;
			sb_append(sb, out, olen);
			for (r += used - w0; r < n; ) {
				p = memchr(s + r, '&', n - r);
				a = p != NULL ? (size_t)(p - s) : n;
				sb_append(sb, s + r, a - r);
				if ((r = a) >= n)
					break;
				used = decode_ref(s + r, n - r, in_attr, out,
				    &olen);
				if (used == 0) {
					sb_putc(sb, '&');
					r++;
				} else {
					sb_append(sb, out, olen);
					r += used;
				}
			}
			return;
		} else {
			memcpy(d + w, out, olen);
			w += olen;
			r += used;
		}
	}
	if (w != r)
		memmove(d + w, d + r, sb->len - r);
	w += sb->len - r;
	sb->len = w;
	d[w] = '\0';
}

/* ------------------------------------------------------------ HTML */

/*
 * attr_kind - what the attribute named s[0..n) holds: ATTR_URL a link
 * (href, src, action, background, formaction, data, cite, lowsrc,
 * poster, xlink:href, and the lazy-loading data-src, data-href,
 * data-url, data-original, data-lazy-src), ATTR_CSS CSS (style),
 * ATTR_SRCSET image candidates (srcset, imagesrcset),
 * ATTR_SCRIPT script (an on* event handler), else ATTR_OTHER.  A
 * first-letter test, then switched on length: it runs for every
 * attribute.
 */
#define ATTR_OTHER	0
#define ATTR_URL	1
#define ATTR_CSS	2
#define ATTR_SRCSET	3
#define ATTR_SCRIPT	4
static inline __attribute__((always_inline)) int
attr_kind(const char *s, size_t n)
{
	/* first letters: a b c d f h i l p s x, and o (on*: 2) */
	static const unsigned char first[32] = {
		['a' & 31] = 1, ['b' & 31] = 1, ['c' & 31] = 1,
		['d' & 31] = 1, ['f' & 31] = 1, ['h' & 31] = 1,
		['i' & 31] = 1, ['l' & 31] = 1, ['o' & 31] = 2,
		['p' & 31] = 1, ['s' & 31] = 1, ['x' & 31] = 1,
	};
	unsigned char	f;

	if (!is_alpha((unsigned char)s[0]) || (f = first[s[0] & 31]) == 0)
		return ATTR_OTHER;
	if (f == 2)
		return n > 2 && (s[1] | 0x20) == 'n' ? ATTR_SCRIPT :
		    ATTR_OTHER;
	switch (n) {
	case 3:
		return eq_ci(s, "src", 3) ? ATTR_URL : ATTR_OTHER;
	case 4:
		return eq_ci(s, "href", 4) || eq_ci(s, "data", 4) ||
		    eq_ci(s, "cite", 4) ? ATTR_URL : ATTR_OTHER;
	case 5:
		return eq_ci(s, "style", 5) ? ATTR_CSS : ATTR_OTHER;
	case 6:
		if (eq_ci(s, "srcset", 6))
			return ATTR_SRCSET;
		return eq_ci(s, "action", 6) || eq_ci(s, "lowsrc", 6) ||
		    eq_ci(s, "poster", 6) ? ATTR_URL : ATTR_OTHER;
	case 8:
		return eq_ci(s, "data-src", 8) || eq_ci(s, "data-url", 8) ?
		    ATTR_URL : ATTR_OTHER;
	case 9:
		return eq_ci(s, "data-href", 9) ? ATTR_URL : ATTR_OTHER;
	case 10:
		return eq_ci(s, "background", 10) ||
		    eq_ci(s, "formaction", 10) ||
		    eq_ci(s, "xlink:href", 10) ? ATTR_URL : ATTR_OTHER;
	case 11:
		return eq_ci(s, "imagesrcset", 11) ? ATTR_SRCSET : ATTR_OTHER;
	case 13:
		return eq_ci(s, "data-original", 13) ||
		    eq_ci(s, "data-lazy-src", 13) ? ATTR_URL : ATTR_OTHER;
	}
	return ATTR_OTHER;
}

/*
 * attr_plain - v[0..n) is printable ASCII without '"', '<', '>', '&' or
 * '\\': no entity to decode, nothing to trim, escape or turn into a
 * slash, so the value is its own cleaned URL (the common case: no
 * copies then).
 */
static bool
attr_plain(const char *v, size_t n)
{
	const unsigned char	*s = (const unsigned char *)v;
	size_t			 i = 0;

#ifdef __SSE2__
	for (; i + 16 <= n; i += 16) {
		__m128i	x = _mm_loadu_si128((const __m128i *)
		    (const void *)(s + i));
		__m128i	bad = _mm_or_si128(
		    _mm_cmplt_epi8(x, _mm_set1_epi8(0x21)),
		    _mm_cmpeq_epi8(x, _mm_set1_epi8(0x7f)));

		bad = _mm_or_si128(bad, _mm_or_si128(
		    _mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8('"')),
		    _mm_cmpeq_epi8(x, _mm_set1_epi8('&'))),
		    _mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8('<')),
		    _mm_cmpeq_epi8(x, _mm_set1_epi8('>')))));
		bad = _mm_or_si128(bad,
		    _mm_cmpeq_epi8(x, _mm_set1_epi8('\\')));
		if (_mm_movemask_epi8(bad) != 0)
			return false;
	}
#endif
	for (; i < n; i++)
		if (s[i] < 0x21 || s[i] > 0x7e || s[i] == '"' ||
		    s[i] == '&' || s[i] == '<' || s[i] == '>' || s[i] == '\\')
			return false;
	return true;
}

/* One attribute of a tag: name h[an..ae), value h[vs..ve). */
struct attr {
	size_t	an, ae, vs, ve;
	bool	has_val;
};

/*
 * attr_read - read the attribute whose name starts at h[i] (not white
 * space, '/' or '>'), HTML tokeniser rules: the name up to white space,
 * '/', '>' or '=' (a first '=' belongs to it), then perhaps '=' and a
 * quoted (may hold '>') or unquoted value; a quoted value never closed
 * ends at the next '<' or '>'.  Returns the index after it.
 */
static inline __attribute__((always_inline)) size_t
attr_read(const char *h, size_t i, size_t limit, struct attr *a)
{
	const char	*qp;
	char		 q;

	a->an = i++;
	while (i < limit && !CC(h[i], C_NAME_END))
		i++;
	a->ae = i;
	while (i < limit && CC(h[i], C_SPACE))
		i++;
	a->has_val = false;
	a->vs = a->ve = i;
	if (i < limit && h[i] == '=') {
		i++;
		while (i < limit && is_space((unsigned char)h[i]))
			i++;
		if (i < limit && (h[i] == '"' || h[i] == '\'')) {
			q = h[i];
			a->vs = i + 1;
			qp = a->vs < limit ?
			    memchr(h + a->vs, q, limit - a->vs) : NULL;
			if (qp != NULL)
				a->ve = (size_t)(qp - h);
			else {
				/* never closed: a browser drops the tag at
				 * the end of the text; what could be the
				 * value is read up to the next tag */
				for (a->ve = a->vs; a->ve < limit &&
				    h[a->ve] != '<' && h[a->ve] != '>';
				    a->ve++)
					;
			}
			i = qp != NULL ? a->ve + 1 : limit;
		} else {
			a->vs = i;
			while (i < limit && !CC(h[i], C_VAL_END))
				i++;
			a->ve = i;
		}
		a->has_val = true;
	}
	return i;
}

/*
 * base_href - the first <base> tag with an href in h[0..n): sets
 * *vs..*ve to the value; false if there is none.
 */
static bool
base_href(const char *h, size_t n, size_t *vs, size_t *ve)
{
	struct attr	a;
	size_t		i, t;

	for (t = find(h, n, 0, '<'); t < n; t = find(h, n, t + 1, '<')) {
		if (n - t < 6 || (h[t + 1] | 0x20) != 'b' ||
		    !eq_ci(h + t + 1, "base", 4) || !CC(h[t + 5], C_TAG_END))
			continue;
		for (i = t + 5;;) {
			while (i < n && CC(h[i], C_SPACE) | (h[i] == '/'))
				i++;
			if (i >= n || h[i] == '>')
				break;
			i = attr_read(h, i, n, &a);
			if (a.has_val && a.ae - a.an == 4 &&
			    eq_ci(h + a.an, "href", 4)) {
				*vs = a.vs;
				*ve = a.ve;
				return true;
			}
		}
	}
	return false;
}

/*
 * prel_scheme - the scheme a "//host/..." link of the document gets:
 * that of its <base href> when http or https, else "https:" (what a
 * webmail client served over https resolves it to).  Looked up once per
 * document, when the first such link shows up.
 */
static const char *
prel_scheme(struct scan *sc)
{
	struct strbuf	 b = { 0 };
	const char	*v;
	size_t		 vs, ve, vl;

	if (sc->prel_scheme != NULL)
		return sc->prel_scheme;
	sc->prel_scheme = "https:";
	if (sc->doc == NULL || !base_href(sc->doc, sc->doc_len, &vs, &ve))
		return sc->prel_scheme;
	v = sc->doc + vs;
	vl = ve - vs;
	if (memchr(v, '&', vl) != NULL) {
		decode_append(&b, v, vl, true);
		v = b.s;
		vl = b.len;
	}
	while (vl > 0 && (unsigned char)*v <= 0x20) {
		v++;
		vl--;
	}
	if (HAS_PREFIX_CI(v, vl, "http:"))
		sc->prel_scheme = "http:";
	sb_free(&b);
	return sc->prel_scheme;
}

/* ------------------------------------------------------------ link text */

/* host_char - a byte of a host name as written (IDN: any non-ASCII) */
static inline bool
host_char(unsigned char c)
{
	return is_alnum(c) || c == '.' || c == '-' || c >= 0x80;
}

/*
 * url_host_at - the host of the URL u[0..n) ("scheme://" or "www."
 * form): *hl bytes at the returned offset, after any userinfo, before
 * the port or path; trailing dots left out.  False if none.
 */
static bool
url_host_at(const char *u, size_t n, size_t *hs, size_t *hl)
{
	size_t	i, s, e, at = SIZE_MAX;

	if (n >= 4 && eq_ci(u, "www.", 4))
		s = 0;
	else {
		for (i = 0; i < n && i < 16 && u[i] != ':'; i++)
			;
		if (i + 3 > n || u[i] != ':' || u[i + 1] != '/' ||
		    u[i + 2] != '/')
			return false;
		s = i + 3;
	}
	for (e = s; e < n && u[e] != '/' && u[e] != '?' && u[e] != '#' &&
	    u[e] != '\\'; e++)
		if (u[e] == '@')
			at = e;
	if (at != SIZE_MAX)
		s = at + 1;
	if (s < e && u[s] == '[') {	/* IPv6 literal, brackets kept */
		for (i = s; i < e && u[i] != ']'; i++)
			;
		if (i == e)
			return false;
		*hs = s;
		*hl = i + 1 - s;
		return true;
	}
	/* to the port or the end of the authority: a '_' or '%' is part
	 * of the host a browser goes to (www.paypal.com_x.evil.example) */
	for (i = s; i < e && u[i] != ':' && !is_space((unsigned char)u[i]) &&
	    u[i] != '<' && u[i] != '>' && u[i] != '"'; i++)
		;
	while (i > s && u[i - 1] == '.')
		i--;
	if (i == s)
		return false;
	*hs = s;
	*hl = i - s;
	return true;
}

/*
 * bare_host - t[0..n) (trimmed link text) is a host name alone, maybe
 * with a path: labels of letters, digits, '-' or non-ASCII, at least
 * one dot, a last label of two letters or more (or "xn--..."), then
 * nothing or '/' and no white space.  Sets *hl.
 */
static bool
bare_host(const char *t, size_t n, size_t *hl)
{
	size_t	i, j, last = 0, dots = 0;

	for (i = 0; i < n && host_char((unsigned char)t[i]); i++)
		if (t[i] == '.') {
			if (i == 0 || t[i - 1] == '.')
				return false;
			dots++;
			last = i + 1;
		}
	if (dots == 0 || last >= i || (i < n && t[i] != '/') ||
	    !domain_known_tld(t, i))
		return false;
	for (j = i; j < n; j++)
		if (is_space((unsigned char)t[j]))
			return false;
	if (!(i - last >= 4 && eq_ci(t + last, "xn--", 4))) {
		if (i - last < 2)
			return false;
		for (j = last; j < i; j++)
			if (!is_alpha((unsigned char)t[j]) &&
			    (unsigned char)t[j] < 0x80)
				return false;
	}
	*hl = i;
	return true;
}

/*
 * shown_link - what a link's text shows: the first http(s):// or www.
 * URL in it, else the whole text when it is a host name.  (s, sl) is
 * that token, (hs, hl) its host (offsets into t).  False if none.
 */
static bool
shown_link(const char *t, size_t n, size_t *s, size_t *sl, size_t *hs,
    size_t *hl)
{
	struct path_memo	memo;
	size_t			i, e, p, b = 0;
	bool			defanged, only;

	/* every URL or host name has a dot; most link texts ("Read
	 * more") have none */
	if (memchr(t, '.', n) == NULL)
		return false;
	/* trim white space and no-break spaces (U+00A0 as UTF-8) */
	while (n > 0 && (is_space((unsigned char)t[n - 1]) || (n >= 2 &&
	    (unsigned char)t[n - 2] == 0xc2 && (unsigned char)t[n - 1] ==
	    0xa0)))
		n -= is_space((unsigned char)t[n - 1]) ? 1 : 2;
	while (b < n && (is_space((unsigned char)t[b]) || (b + 1 < n &&
	    (unsigned char)t[b] == 0xc2 && (unsigned char)t[b + 1] == 0xa0)))
		b += is_space((unsigned char)t[b]) ? 1 : 2;
	for (i = b; i < n; i++) {
		if (((unsigned char)t[i] | 0x20) != 'h' &&
		    ((unsigned char)t[i] | 0x20) != 'w')
			continue;
		/* as in text: http(s) may be glued to a word, www. not */
		if (!((n - i >= 7 && eq_ci(t + i, "http://", 7)) ||
		    (n - i >= 8 && eq_ci(t + i, "https://", 8)) ||
		    (n - i >= 4 && eq_ci(t + i, "www.", 4) &&
		    (i == b || !is_alnum((unsigned char)t[i - 1])))))
			continue;
		/* where the URL ends, as text_url() has it */
		p = text_prefix(t + i, n - i, &defanged);
		e = url_run(t, n, i);
		if (e < n && (unsigned char)t[e] >= 0xe2) {
			memo.upto = i;
			memo.lastp = SIZE_MAX;
			e = run_past_ignorables(t, n, i, e, &memo);
		}
		e = host_part(t + i, p, e - i, &only);
		e = i + trim_trailing(t + i, e, i > 0 ? t[i - 1] : '\0',
		    only);
		if (e <= i + p || !url_host_at(t + i, e - i, hs, hl)) {
			i = e;		/* not again inside this token */
			continue;
		}
		*hs += i;
		*s = i;
		*sl = e - i;
		return true;
	}
	if (!bare_host(t + b, n - b, hl))
		return false;
	*hs = b;
	*s = b;
	*sl = n - b;
	return true;
}

/*
 * link_done - at </a> (or the next <a>, or the end of the document):
 * when the link's text shows a URL or host name of another site than
 * the link leads to (registrable domains, Public Suffix List; a link
 * through a Safe Links or URL Defense wrapper counts as leading to the
 * URL it wraps too), keep the pair for the alert, as a mail client's
 * "this link goes elsewhere" warning would.
 */
static void
link_done(struct scan *sc)
{
	struct url_set	*set = sc->set;
	const char	*t = sc->a_text.s;
	size_t		 s, sl, hs, hl, ts, tl, is, il;

	if (!sc->in_a)
		return;
	sc->in_a = false;
	if (set->shown.n >= URLSCAN_MISMATCH_MAX || sc->a_text.len == 0 ||
	    !shown_link(t, sc->a_text.len, &s, &sl, &hs, &hl) ||
	    !url_host_at(sc->a_href.s, sc->a_href.len, &ts, &tl))
		return;
	if ((hl == tl && eq_ci(t + hs, sc->a_href.s + ts, hl)) ||
	    domain_same_site(t + hs, hl, sc->a_href.s + ts, tl))
		return;
	if (sc->a_inner.len > 0 && url_host_at(sc->a_inner.s,
	    sc->a_inner.len, &is, &il) && domain_same_site(t + hs, hl,
	    sc->a_inner.s + is, il))
		return;
	if (sl > A_SHOWN_MAX) {		/* cut at a character boundary */
		sl = A_SHOWN_MAX;
		while (sl > 0 && ((unsigned char)t[s + sl] & 0xc0) == 0x80)
			sl--;
	}
	strlist_add_owned(&set->shown, xstrndup(t + s, sl));
	strlist_add(&set->target, sc->a_inner.len > 0 ? sc->a_inner.s :
	    sc->a_href.s);
}

/*
 * prel_host - u[0..n) is a protocol-relative link: "//" and a host that
 * starts with a letter, digit or non-ASCII character (IDN) and has a
 * dot ("///x", "//:80", "//localhost/" are not).
 */
static bool
prel_host(const char *u, size_t n)
{
	size_t	i;

	if (n < 5 || u[0] != '/' || u[1] != '/' ||
	    !(is_alnum((unsigned char)u[2]) || (unsigned char)u[2] >= 0x80))
		return false;
	for (i = 3; i < n && u[i] != '/' && u[i] != '?' && u[i] != '#' &&
	    u[i] != '\\'; i++)
		if (u[i] == '.')
			return true;
	return false;
}

/* sb_prepend - insert s (NUL-terminated) at the start of sb */
static void
sb_prepend(struct strbuf *sb, const char *s)
{
	size_t	k = strlen(s), n = sb->len;

	sb_room(sb, k);
	memmove(sb->s + k, sb->s, n + 1);
	memcpy(sb->s, s, k);
	sb->len = n + k;
}

/*
 * special_backslashes - sb holds a cleaned link: if its scheme is http,
 * https or ftp (a WHATWG "special" one), make its backslashes before
 * the query or fragment slashes and a run of two or more slashes and
 * backslashes after the scheme "//", as a browser does: "http:\\\\h\\p"
 * is http://h/p, "https://good.example\\@evil.example/" goes to
 * good.example.  Only called when sb has a backslash.
 */
static void
special_backslashes(struct strbuf *sb)
{
	char	*u = sb->s;
	size_t	 n = sb->len, i, k;

	for (i = 0; i < n && is_alpha((unsigned char)u[i]); i++)
		;
	if (i >= n || u[i] != ':' || !((i == 4 && eq_ci(u, "http", 4)) ||
	    (i == 5 && eq_ci(u, "https", 5)) || (i == 3 && eq_ci(u, "ftp", 3))))
		return;
	for (k = ++i; k < n && (u[k] == '/' || u[k] == '\\'); k++)
		;
	if (k - i >= 2 && memchr(u + i, '\\', k - i) != NULL) {
		u[i] = u[i + 1] = '/';
		memmove(u + i + 2, u + k, n - k + 1);
		n -= k - i - 2;
		sb->len = n;
	}
	for (; i < n && u[i] != '?' && u[i] != '#'; i++)
		if (u[i] == '\\')
			u[i] = '/';
}

/*
 * host_idna_map - in the host part of the link in sb (from sb->s[hs] to
 * the first '/', '?' or '#'), what IDNA mapping does that changes where
 * a browser goes: drop the characters mapped to nothing (U+00AD soft
 * hyphen, U+200B zero width space, U+2060 word joiner, U+FEFF BOM:
 * "pay&shy;pal.example" is paypal.example) and make the ideographic and
 * fullwidth full stops (U+3002, U+FF0E, U+FF61) dots.  ZWJ/ZWNJ are
 * kept (IDNA keeps or refuses them).  False if the host was made of
 * ignored characters alone (no link then).
 */
static bool
host_idna_map(struct strbuf *sb, size_t hs)
{
	char	*u = sb->s;
	size_t	 n = sb->len, r, w, k;

	for (r = hs; r < n && u[r] != '/' && u[r] != '?' && u[r] != '#' &&
	    (unsigned char)u[r] < 0x80; r++)
		;
	if (r >= n || (unsigned char)u[r] < 0x80)
		return true;			/* an ASCII host: the rule */
	for (w = r; r < n && u[r] != '/' && u[r] != '?' && u[r] != '#'; ) {
		k = 0;
		if (u[r] == '\xc2' && r + 1 < n && u[r + 1] == '\xad')
			k = 2;
		else if (r + 2 < n && ((u[r] == '\xe2' && u[r + 1] == '\x80' &&
		    u[r + 2] == '\x8b') || (u[r] == '\xe2' &&
		    u[r + 1] == '\x81' && u[r + 2] == '\xa0') ||
		    (u[r] == '\xef' && u[r + 1] == '\xbb' && u[r + 2] == '\xbf')))
			k = 3;
		if (k > 0) {
			r += k;
			continue;
		}
		if (r + 2 < n && ((u[r] == '\xe3' && u[r + 1] == '\x80' &&
		    u[r + 2] == '\x82') || (u[r] == '\xef' &&
		    u[r + 1] == '\xbc' && u[r + 2] == '\x8e') ||
		    (u[r] == '\xef' && u[r + 1] == '\xbd' && u[r + 2] == '\xa1'))) {
			u[w++] = '.';
			r += 3;
			continue;
		}
		u[w++] = u[r++];
	}
	if (w == r)
		return true;
	memmove(u + w, u + r, n - r + 1);
	sb->len = n - (r - w);
	return w > hs;
}

/*
 * base_resolve - the relative link u[0..n) (cleaned, no scheme, not
 * "//") against the document's <base href> (sc->base): "/p" takes its
 * origin, "?q" its path, "p" its directory; into sc->rel.  False for a
 * link with a scheme of its own (mailto:, cid:, ...), an empty or
 * fragment-only one.  Dot segments are left as they are.
 */
static bool
base_resolve(struct scan *sc, const char *u, size_t n)
{
	const char	*b = sc->base.s;
	size_t		 bl = sc->base.len, i, oe, pe, de;

	if (n == 0 || u[0] == '#')
		return false;
	for (i = 0; i < n && u[i] != '/' && u[i] != '\\' && u[i] != '?' &&
	    u[i] != '#'; i++)
		if (u[i] == ':')
			return false;		/* a scheme (or a port-less
						   "a:b" a browser reads so) */
	for (oe = (size_t)(strchr(b, ':') - b) + 3; oe < bl && b[oe] != '/' &&
	    b[oe] != '?' && b[oe] != '#'; oe++)
		;
	for (pe = oe; pe < bl && b[pe] != '?' && b[pe] != '#'; pe++)
		;
	sb_reset(&sc->rel);
	if (u[0] == '/' || u[0] == '\\')
		sb_append(&sc->rel, b, oe);
	else if (u[0] == '?')
		sb_append(&sc->rel, b, pe);
	else {
		for (de = pe; de > oe && b[de - 1] != '/'; de--)
			;
		sb_append(&sc->rel, b, de > oe ? de : oe);
		if (de <= oe)
			sb_putc(&sc->rel, '/');
	}
	sb_append(&sc->rel, u, n);
	if (memchr(sc->rel.s, '\\', sc->rel.len) != NULL)
		special_backslashes(&sc->rel);
	return true;
}

/*
 * base_set - the first <base href> of the document, v[0..n) as written:
 * kept (decoded, cleaned) when it is an absolute http or https URL.
 */
static __attribute__((noinline)) void
base_set(struct scan *sc, const char *v, size_t n)
{
	struct strbuf	*b = &sc->base;
	size_t		 plen;

	sc->base_seen = true;
	sb_reset(&sc->attr);
	decode_append(&sc->attr, v, n, true);
	v = sc->attr.s != NULL ? sc->attr.s : "";
	n = sc->attr.len;
	while (n > 0 && (unsigned char)*v <= 0x20) {
		v++;
		n--;
	}
	while (n > 0 && (unsigned char)v[n - 1] <= 0x20)
		n--;
	clean_append(b, v, n);
	if (memchr(b->s != NULL ? b->s : "", '\\', b->len) != NULL)
		special_backslashes(b);
	plen = absolute_prefix_len(b->s != NULL ? b->s : "", b->len);
	if (plen < 7 || b->len <= plen || (b->s[0] | 0x20) != 'h')
		sb_reset(b);			/* not http(s)://host */
}

/*
 * script_text - scan t[0..n), script source (a <script> element, an
 * on* event handler attribute, a javascript: URL), like text, with
 * JSON's escaped slashes read as slashes when it has an escaped
 * "https:\/\/" (uses sc->script; t may be in it).
 */
static void
script_text(struct scan *sc, const char *t, size_t n)
{
	struct strbuf	*sb = &sc->script;
	size_t		 r, w;

	if (n < 5 || sc->stop)
		return;
	if (memmem(t, n, ":\\/\\/", 5) == NULL) {
		scan_plain(sc, t, n);
		return;
	}
	if (t != sb->s) {
		sb_reset(sb);
		sb_append(sb, t, n);
	}
	for (r = w = 0; r < n; r++) {
		if (sb->s[r] == '\\' && r + 1 < n && sb->s[r + 1] == '/')
			continue;
		sb->s[w++] = sb->s[r];
	}
	sb->len = w;
	sb->s[w] = '\0';
	scan_plain(sc, sb->s, sb->len);
}

/*
 * js_url - if the link u[0..n) (white space trimmed) is a javascript:
 * URL, scan its body (percent-decoded, as a browser runs it) as script
 * text and return true (phishing kits hide the target in
 * "javascript:location='https://...'").
 */
static bool
js_url(struct scan *sc, const char *u, size_t n)
{
	if (!HAS_PREFIX_CI(u, n, "javascript:"))
		return false;
	/* a copy: u may be in sc->url, which text_url() writes */
	sb_reset(&sc->script);
	pct_decode_append(&sc->script, u + 11, n - 11);
	script_text(sc, sc->script.s, sc->script.len);
	return true;
}

/*
 * special_slashes - sc->url is "http:", "https:" or "ftp:" and a host
 * after at most one slash ("http:evil.example/x", "http:/evil.example",
 * "http:@evil.example": an empty userinfo is dropped):
 * WHATWG's URL parser reads it as "http://evil.example/x" unless the
 * document's base URL has that scheme, when it is relative to the base
 * (emitted here: (size_t)-1).  Else the new absolute_prefix_len(), or 0
 * (not such a link; sc->url unchanged).
 */
static size_t
special_slashes(struct scan *sc)
{
	struct strbuf	*sb = &sc->url;
	char		*u = sb->s;
	size_t		 n = sb->len, i, k;

	for (i = 0; i < n && i < 6 && is_alpha((unsigned char)u[i]); i++)
		;
	if (i >= n || u[i] != ':' || !((i == 4 && eq_ci(u, "http", 4)) ||
	    (i == 5 && eq_ci(u, "https", 5)) || (i == 3 && eq_ci(u, "ftp", 3))))
		return 0;
	k = i + 1;
	if (k < n && u[k] == '/')
		k++;
	/* an empty userinfo ("http:@evil.example/"): a browser drops it */
	if (k + 1 < n && u[k] == '@')
		k++;
	if (k >= n || !(is_alnum((unsigned char)u[k]) ||
	    (unsigned char)u[k] >= 0x80))
		return 0;
	if (sc->base.len > i && strncasecmp(sc->base.s, u, i) == 0 &&
	    sc->base.s[i] == ':') {
		if (base_resolve(sc, u + i + 1, n - i - 1))
			emit(sc, sc->rel.s, sc->rel.len, 0);
		return (size_t)-1;
	}
	sb_room(sb, 2);
	u = sb->s;
	memmove(u + i + 3, u + k, n - k + 1);
	u[i + 1] = u[i + 2] = '/';
	sb->len = n - k + i + 3;
	return i + 3;
}

/*
 * link_url - u[0..ul) is a link (decoded: no entities, no CSS escapes):
 * trim the white space and controls a browser ignores (and drop TAB, CR,
 * LF anywhere, as a browser does), keep it only when it is an absolute
 * http/https/ftp URL or a www. form, or a protocol-relative "//host..."
 * one, which gets a scheme (prel_scheme()).  Backslashes are slashes in
 * an http/https/ftp link (special_backslashes(); "\\\\host" is
 * "//host"), a missing slash is added ("http:host", "http:/host": a
 * browser opens http://host, special_slashes(); but after a <base href>
 * of the same scheme they are relative to it), and IDNA's ignored
 * characters and full stops are mapped in its host (host_idna_map()), as
 * a browser does.  Uses sc->url: u must not be in it.
 */
static void
link_url(struct scan *sc, const char *u, size_t ul)
{
	size_t	plen;
	bool	utf8;

	while (ul > 0 && (unsigned char)*u <= 0x20) {
		u++;
		ul--;
	}
	while (ul > 0 && (unsigned char)u[ul - 1] <= 0x20)
		ul--;
	if (ul == 0)
		return;
	sb_reset(&sc->url);
	utf8 = clean_append(&sc->url, u, ul);
	if (memchr(sc->url.s, '\\', sc->url.len) != NULL)
		special_backslashes(&sc->url);
	plen = absolute_prefix_len(sc->url.s, sc->url.len);
	if (plen == 0 && (plen = special_slashes(sc)) == (size_t)-1)
		return;				/* resolved against <base> */
	if (plen == 0) {
		if (sc->url.len >= 2 && (sc->url.s[0] == '\\' ||
		    sc->url.s[1] == '\\') && (sc->url.s[0] == '/' ||
		    sc->url.s[0] == '\\') && (sc->url.s[1] == '/' ||
		    sc->url.s[1] == '\\'))
			sc->url.s[0] = sc->url.s[1] = '/';	/* "\\\\host" */
		if (sc->url.len >= 2 && sc->url.s[0] == '/' &&
		    sc->url.s[1] == '/') {
			if (sc->url.len < 5 ||
			    (utf8 && !host_idna_map(&sc->url, 2)) ||
			    !prel_host(sc->url.s, sc->url.len))
				return;
		} else if ((sc->url.s[0] | 0x20) == 'j' &&
		    js_url(sc, sc->url.s, sc->url.len)) {
			return;
		} else {
			/* relative: against a <base href> seen before */
			if (sc->base.len > 0 &&
			    base_resolve(sc, sc->url.s, sc->url.len))
				emit(sc, sc->rel.s, sc->rel.len, 0);
			return;
		}
		sb_prepend(&sc->url, prel_scheme(sc));
		plen = (size_t)(strchr(sc->url.s, ':') - sc->url.s) + 3;
		if (memchr(sc->url.s, '\\', sc->url.len) != NULL)
			special_backslashes(&sc->url);
	} else if (sc->url.len <= plen)
		return;
	if (utf8 && (!host_idna_map(&sc->url, sc->url.s[plen - 1] == '/' ?
	    plen : 0) || sc->url.len <= plen))
		return;
	emit(sc, sc->url.s, sc->url.len, 0);
}

/*
 * attr_url - an attribute that holds a link: its entities decoded, then
 * link_url().  A plain value (the common case) is its own URL.
 */
static inline __attribute__((always_inline)) void
attr_url(struct scan *sc, const char *v, size_t n)
{
	size_t	plen;

	if (attr_plain(v, n)) {
		plen = absolute_prefix_len(v, n);
		if (plen > 0 && n > plen)
			emit(sc, v, n, 0);
		else if (plen == 0 && n > 11 && (v[0] | 0x20) == 'j' &&
		    js_url(sc, v, n))
			return;			/* javascript:... */
		else if (plen == 0 && ((n >= 5 && v[0] == '/' &&
		    v[1] == '/') || sc->base.len > 0 ||
		    (v[0] | 0x20) == 'h' || (v[0] | 0x20) == 'f'))
			link_url(sc, v, n);	/* "//host/...", relative,
						   "http:host" */
		return;
	}
	sb_reset(&sc->attr);
	decode_append(&sc->attr, v, n, true);
	link_url(sc, sc->attr.s, sc->attr.len);
}

/*
 * attr_value - the value v[0..n) of an attribute with its entities
 * decoded: v itself when it has no '&', else a copy in sc->attr.
 */
static const char *
attr_value(struct scan *sc, const char *v, size_t n, size_t *len_r)
{
	*len_r = n;
	if (memchr(v, '&', n) == NULL)
		return v;
	sb_reset(&sc->attr);
	decode_append(&sc->attr, v, n, true);
	*len_r = sc->attr.len;
	return sc->attr.s != NULL ? sc->attr.s : "";
}

/*
 * srcset_urls - the URLs of a srcset / imagesrcset value d[0..n)
 * (entities decoded), split as the WHATWG "parse a srcset attribute"
 * algorithm does: candidates are separated by white space and commas;
 * a URL is a run of anything but white space (so it may hold commas),
 * and if it ends in commas those end the candidate (no descriptors);
 * else the descriptors ("2x", "300w", also a parenthesised group with
 * commas in it) run up to the next comma outside parentheses.
 * Descriptors are not checked: a URL with bad ones is still a URL in
 * the message.  Linear: every index moves forward.
 */
static void
srcset_urls(struct scan *sc, const char *d, size_t n)
{
	size_t	i = 0, s, e;
	bool	paren;

	while (!sc->stop) {
		while (i < n && (is_space((unsigned char)d[i]) || d[i] == ','))
			i++;
		if (i >= n)
			break;
		for (s = i; i < n && !is_space((unsigned char)d[i]); i++)
			;
		e = i;
		if (d[e - 1] == ',') {
			while (e > s && d[e - 1] == ',')
				e--;
		} else {
			/* the descriptor tokeniser, only to find the end:
			 * a comma outside parentheses */
			for (paren = false; i < n; i++) {
				if (paren) {
					paren = d[i] != ')';
					continue;
				}
				if (d[i] == ',') {
					i++;
					break;
				}
				if (d[i] == '(')
					paren = true;
			}
		}
		if (e > s)
			link_url(sc, d + s, e - s);
	}
}

/* ------------------------------------------------------------ CSS */

/* CSS white space: space, TAB, LF, CR, FF (as HTML's) */
static inline bool
css_space(unsigned char c)
{
	return CC(c, C_SPACE);
}

static inline bool
css_newline(unsigned char c)
{
	return c == '\n' || c == '\r' || c == '\f';
}

/* css_name_char - c may be part of a CSS name (so "myurl(" is no url() */
static inline bool
css_name_char(unsigned char c)
{
	return is_alnum(c) || c == '-' || c == '_' || c >= 0x80 || c == '\\';
}

/*
 * css_escape - c[p] follows a backslash that is a valid escape (not
 * before a newline): append what it stands for to sb (CSS Syntax 3
 * "consume an escaped code point": up to six hex digits and one white
 * space after them, 0 / a surrogate / above U+10FFFF giving U+FFFD; the
 * end of the input U+FFFD; any other character itself).  Returns the
 * index after the escape.
 */
static size_t
css_escape(struct strbuf *sb, const char *c, size_t n, size_t p)
{
	uint32_t	cp = 0;
	size_t		k, q;
	char		out[4];
	int		v;

	if (p >= n) {
		sb_append(sb, "\xef\xbf\xbd", 3);
		return p;
	}
	for (q = p; q < n && q - p < 6 && (v = hex_val((unsigned char)c[q])) >=
	    0; q++)
		cp = cp << 4 | (uint32_t)v;
	if (q == p) {
		/* a character as it is: a whole UTF-8 sequence if valid */
		k = utf8_seq_len((const unsigned char *)c + p, n - p);
		if (k == 0)
			k = 1;
		sb_append(sb, c + p, k);
		return p + k;
	}
	if (q < n && css_space((unsigned char)c[q]))
		q += c[q] == '\r' && q + 1 < n && c[q + 1] == '\n' ? 2 : 1;
	if (cp == 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		cp = 0xfffd;
	sb_append(sb, out, utf8_put(cp, out));
	return q;
}

/*
 * css_string - the string token whose quote is c[p]: its value into sb
 * (escapes decoded, a backslash-newline dropped).  Returns the index
 * after it, and whether it is a good string (an unescaped newline makes
 * a bad one; the end of the input ends a good one).
 */
static size_t
css_string(struct strbuf *sb, const char *c, size_t n, size_t p, bool *ok_r)
{
	char	quote = c[p];
	size_t	q, k;

	sb_reset(sb);
	*ok_r = true;
	for (p++; p < n; ) {
		q = find2(c, n, p, quote, '\\');
		/* the newline that makes a bad string, before q? */
		for (k = p; k < q; k++) {
			if (css_newline((unsigned char)c[k])) {
				*ok_r = false;
				return k;
			}
		}
		sb_append(sb, c + p, q - p);
		if (q >= n)
			return n;
		if (c[q] == quote)
			return q + 1;
		/* a backslash */
		if (q + 1 >= n)
			return n;		/* at the end: nothing */
		if (css_newline((unsigned char)c[q + 1])) {
			p = q + 2;
			if (c[q + 1] == '\r' && p < n && c[p] == '\n')
				p++;
			continue;
		}
		p = css_escape(sb, c, n, q + 1);
	}
	return n;
}

/*
 * css_bad_url - the remnants of a bad url(): skip to the ')' that ends
 * it (an escaped one does not) or the end.
 */
static size_t
css_bad_url(const char *c, size_t n, size_t p)
{
	for (; p < n; p++) {
		if (c[p] == ')')
			return p + 1;
		if (c[p] == '\\' && p + 1 < n &&
		    !css_newline((unsigned char)c[p + 1]))
			p++;
	}
	return n;
}

/*
 * css_url - c[p] follows "url(": a quoted string (url("...") is a
 * function with a string) or an unquoted url token, CSS Syntax 3 rules:
 * white space around the URL ignored, escapes decoded; white space
 * inside, a quote, '(' , a control or a backslash before a newline make
 * a bad url, which gives nothing.  Returns the index after it.
 */
static size_t
css_url(struct scan *sc, const char *c, size_t n, size_t p)
{
	struct strbuf	*sb = &sc->css;
	unsigned char	 ch;
	bool		 ok;

	while (p < n && css_space((unsigned char)c[p]))
		p++;
	if (p < n && (c[p] == '"' || c[p] == '\'')) {
		p = css_string(sb, c, n, p, &ok);
		if (ok)
			link_url(sc, sb->s != NULL ? sb->s : "", sb->len);
		return p;
	}
	sb_reset(sb);
	while (p < n) {
		ch = (unsigned char)c[p];
		if (ch == ')') {
			p++;
			break;
		}
		if (css_space(ch)) {
			while (p < n && css_space((unsigned char)c[p]))
				p++;
			if (p >= n || c[p] == ')') {
				p = p < n ? p + 1 : n;
				break;
			}
			return css_bad_url(c, n, p);
		}
		if (ch == '"' || ch == '\'' || ch == '(' || ch < 0x20 ||
		    ch == 0x7f)
			return css_bad_url(c, n, p);
		if (ch == '\\') {
			if (p + 1 < n && css_newline((unsigned char)c[p + 1]))
				return css_bad_url(c, n, p);
			p = css_escape(sb, c, n, p + 1);
			continue;
		}
		sb_putc(sb, (char)ch);
		p++;
	}
	link_url(sc, sb->s != NULL ? sb->s : "", sb->len);
	return p;
}

/*
 * css_image_set_name - c[0..i) ends in the function name "image-set" or
 * "-webkit-image-set" (any case), not the end of a longer name.
 */
static bool
css_image_set_name(const char *c, size_t i)
{
	size_t	s = i - 9;

	if (!eq_ci(c + s, "image-set", 9))
		return false;
	if (s >= 8 && eq_ci(c + s - 8, "-webkit-", 8))
		s -= 8;
	return s == 0 || !css_name_char((unsigned char)c[s - 1]);
}

/*
 * css_image_set - c[p] follows "image-set(": its string arguments are
 * image URLs (CSS Images 4; url() arguments are found as any url()).
 * Reads up to the closing ')' or a nested function's '(' (the search
 * goes on from there), and returns the index after what it read.
 */
static size_t
css_image_set(struct scan *sc, const char *c, size_t n, size_t p)
{
	bool	ok;

	while (p < n && !sc->stop) {
		while (p < n && c[p] != '"' && c[p] != '\'' && c[p] != '(' &&
		    c[p] != ')')
			p++;
		if (p >= n || c[p] == '(')
			return p;
		if (c[p] == ')')
			return p + 1;
		p = css_string(&sc->css, c, n, p, &ok);
		if (ok)
			link_url(sc, sc->css.s != NULL ? sc->css.s : "",
			    sc->css.len);
	}
	return p;
}

/*
 * css_urls - the URLs of CSS text c[0..n) (a style attribute, entities
 * decoded, or a <style> element): every url(...) and @import "...".
 * They are looked for everywhere, comments and strings included (a
 * scanner would rather see too much than be hidden from), the url name
 * in any case but not escaped, and not as the end of a longer name
 * ("myurl(").  The search starts at c[from] (nothing before it may be
 * a '(' or '@'; the "url" before a '(' is looked for before from too).
 * Linear: each url() or string is read once, from where the search goes
 * on.
 */
static void
css_urls(struct scan *sc, const char *c, size_t n, size_t from)
{
	size_t	i, j;
	bool	ok;

	for (i = find2(c, n, from, '(', '@'); i < n && !sc->stop;
	    i = find2(c, n, i, '(', '@')) {
		if (c[i] == '(') {
			if (i >= 3 && eq_ci(c + i - 3, "url", 3) &&
			    (i == 3 || !css_name_char((unsigned char)c[i - 4])))
				i = css_url(sc, c, n, i + 1);
			else if (i >= 9 && css_image_set_name(c, i))
				i = css_image_set(sc, c, n, i + 1);
			else
				i++;
			continue;
		}
		/* '@': @import "URL" (@import url(URL) is a url() above) */
		if (n - i < 7 || !eq_ci(c + i + 1, "import", 6) ||
		    (i + 7 < n && css_name_char((unsigned char)c[i + 7]))) {
			i++;
			continue;
		}
		for (j = i + 7; j < n && css_space((unsigned char)c[j]); j++)
			;
		if (j < n && (c[j] == '"' || c[j] == '\'')) {
			j = css_string(&sc->css, c, n, j, &ok);
			if (ok)
				link_url(sc, sc->css.s != NULL ? sc->css.s : "",
				    sc->css.len);
		}
		i = j;
	}
}

/*
 * css_attr - the URLs of a style attribute v[0..n): most have no '(',
 * '@' or '&' at all (one SSE2 pass says so); one with a '&' is
 * entity-decoded first ("url&#40;" is a url( too).
 */
static void
css_attr(struct scan *sc, const char *v, size_t n)
{
	size_t	i = find3(v, n, 0, '(', '@', '&');

	if (i >= n)
		return;
	if (v[i] != '&' && find(v, n, i, '&') >= n) {
		css_urls(sc, v, n, i);
		return;
	}
	sb_reset(&sc->attr);
	decode_append(&sc->attr, v, n, true);
	css_urls(sc, sc->attr.s, sc->attr.len, 0);
}

/* ------------------------------------------------------------ HTML text */

/*
 * run_add - add text t[0..n) to the visible text run, with its character
 * references decoded when refs (the caller knows whether there is an
 * '&' in it; raw text has none).  Most runs are one stretch of text
 * without entities: those are scanned in place, not copied.
 */
static inline void
run_add(struct scan *sc, const char *t, size_t n, bool refs)
{
	size_t	room;

	if (n == 0)
		return;
	if (sc->in_a && sc->a_text.len < A_TEXT_MAX) {
		/* at most A_TEXT_MAX source bytes: decoding makes text
		 * shorter, but for &nGt; and &nLt; (a few bytes) */
		room = A_TEXT_MAX - sc->a_text.len;
		if (refs)
			decode_append(&sc->a_text, t, n < room ? n : room,
			    false);
		else
			sb_append(&sc->a_text, t, n < room ? n : room);
	}
	if (sc->run.len == 0 && !refs) {
		if (sc->seg == NULL) {
			sc->seg = t;
			sc->seg_len = n;
			return;
		}
		if (sc->seg + sc->seg_len == t) {
			sc->seg_len += n;	/* "a < b": still one stretch */
			return;
		}
	}
	if (sc->seg != NULL) {
		sb_append(&sc->run, sc->seg, sc->seg_len);
		sc->seg = NULL;
	}
	if (refs)
		decode_append(&sc->run, t, n, false);
	else
		sb_append(&sc->run, t, n);
}

/* flush_run_text - scan the visible text collected so far */
static void
flush_run_text(struct scan *sc)
{
	/* the shortest URL is "www.x" */
	if (sc->seg != NULL) {
		if (sc->seg_len >= 5 && !sc->stop)
			scan_plain(sc, sc->seg, sc->seg_len);
		sc->seg = NULL;
	} else if (sc->run.len >= 5 && !sc->stop)
		scan_plain(sc, sc->run.s, sc->run.len);
	if (sc->run.len > 0)		/* most runs are scanned in place */
		sb_reset(&sc->run);
}

/*
 * flush_run - flush_run_text() at every tag, without a call for the
 * usual run between two tags: none, or a few blanks (a stretch is
 * never pending together with copied text, see run_add()).
 */
static inline void
flush_run(struct scan *sc)
{
	if (sc->seg != NULL && sc->seg_len < 5) {
		sc->seg = NULL;
		return;
	}
	if (sc->seg != NULL || sc->run.len > 0)
		flush_run_text(sc);
}

/*
 * Elements whose content is text, not markup: raw text (no entities:
 * script, style, xmp, iframe, noembed, noframes) or RCDATA (entities:
 * title, textarea).  name is as written, in any case.
 */
#define ELEM_MARKUP	0
#define ELEM_RAW	1
#define ELEM_RCDATA	2
static int
elem_kind(const char *name, size_t n)
{
	switch (n) {
	case 3:
		return eq_ci(name, "xmp", 3) ? ELEM_RAW : ELEM_MARKUP;
	case 5:
		if (eq_ci(name, "style", 5))
			return ELEM_RAW;
		return eq_ci(name, "title", 5) ? ELEM_RCDATA : ELEM_MARKUP;
	case 6:
		return eq_ci(name, "script", 6) || eq_ci(name, "iframe", 6) ?
		    ELEM_RAW : ELEM_MARKUP;
	case 7:
		return eq_ci(name, "noembed", 7) ? ELEM_RAW : ELEM_MARKUP;
	case 8:
		if (eq_ci(name, "noframes", 8))
			return ELEM_RAW;
		return eq_ci(name, "textarea", 8) ? ELEM_RCDATA : ELEM_MARKUP;
	}
	return ELEM_MARKUP;
}

/*
 * raw_end - where the raw text of element name ends in h[p..limit): the
 * '<' of "</name" followed by white space, '/' or '>', or limit.
 */
static size_t
raw_end(const char *h, size_t p, size_t limit, const char *name, size_t nl)
{
	size_t	q;

	for (q = find(h, limit, p, '<'); q < limit;
	    q = find(h, limit, q + 1, '<')) {
		if (q + 2 + nl > limit || h[q + 1] != '/' ||
		    strncasecmp(h + q + 2, name, nl) != 0)
			continue;
		if (q + 2 + nl == limit || CC(h[q + 2 + nl], C_TAG_END))
			return q;
	}
	return limit;
}

/*
 * refresh_url - c[0..n) is a <meta> content value (decoded): if it has
 * the refresh form "TIME; url=URL" (HTML's declarative refresh parsing:
 * digits and dots, ';' or ',', "url =" optional, the URL perhaps quoted)
 * and the URL is protocol-relative, add it (an absolute one is found by
 * the text scan of the value).
 */
static void
refresh_url(struct scan *sc, const char *c, size_t n)
{
	const char	*qe;
	size_t		 i = 0, t;
	char		 q;

	while (i < n && is_space((unsigned char)c[i]))
		i++;
	for (t = i; i < n && (is_digit((unsigned char)c[i]) || c[i] == '.');
	    i++)
		;
	if (i == t)
		return;
	while (i < n && is_space((unsigned char)c[i]))
		i++;
	if (i < n && (c[i] == ';' || c[i] == ','))
		i++;
	while (i < n && is_space((unsigned char)c[i]))
		i++;
	if (n - i >= 3 && eq_ci(c + i, "url", 3)) {
		for (t = i + 3; t < n && is_space((unsigned char)c[t]); t++)
			;
		if (t < n && c[t] == '=') {
			for (i = t + 1; i < n && is_space((unsigned char)c[i]);
			    i++)
				;
		}
	}
	if (i < n && (c[i] == '"' || c[i] == '\'')) {
		q = c[i++];
		if ((qe = memchr(c + i, q, n - i)) != NULL)
			n = (size_t)(qe - c);
	}
	if (n - i >= 5 && c[i] == '/' && c[i + 1] == '/')
		link_url(sc, c + i, n - i);
}

/*
 * css_hides - the style attribute value v[0..n) (as written) hides the
 * element: "display: none" or a zero "font-size" (the hidden-text
 * tricks that put invisible letters inside a URL).
 */
static bool
css_hides(const char *v, size_t n)
{
	const char	*p, *e = v + n;
	size_t		 k;

	for (p = v; (p = memchr(p, ':', (size_t)(e - p))) != NULL; p++) {
		const char	*b = p, *a = p + 1;

		while (b > v && is_space((unsigned char)b[-1]))
			b--;
		while (a < e && is_space((unsigned char)*a))
			a++;
		k = (size_t)(b - v);
		/* "none" as the whole value: "display:none/" (an unquoted
		 * style="display:none/>") is no valid CSS, so not hidden */
		if (k >= 7 && eq_ci(b - 7, "display", 7) && e - a >= 4 &&
		    eq_ci(a, "none", 4) && (a + 4 == e || is_space((unsigned
		    char)a[4]) || a[4] == ';' || a[4] == '!'))
			return true;
		if (k >= 9 && eq_ci(b - 9, "font-size", 9) && a < e &&
		    *a == '0' && (a + 1 == e || (!is_digit((unsigned char)a[1])
		    && a[1] != '.')))
			return true;
	}
	return false;
}

/*
 * parse_tag - h[ns..i) is a tag name (after '<' or "</"), as written.
 * Reads the attributes (HTML tokeniser rules:
 * quoted or unquoted values, a quoted value may hold '>'), handles the
 * link attributes of a start tag, and returns the index after '>'.
 * hidden_r (when not NULL):
 * set if the tag has a style that hides it (css_hides()).
 */
static inline __attribute__((always_inline)) size_t
parse_tag(struct scan *sc, const char *h, size_t ns, size_t i, size_t limit,
    bool end_tag, bool *hidden_r)
{
	struct attr	a;
	size_t	an, ae, vs, ve, vl;
	bool	meta, base, anchor, href;
	const char *v;
	int	k;

	meta = i - ns == 4 && (h[ns] | 0x20) == 'm' &&
	    eq_ci(h + ns, "meta", 4);
	anchor = i - ns == 1 && (h[ns] | 0x20) == 'a';
	if (anchor)			/* </a>, or <a> closing an open one */
		link_done(sc);
	base = i - ns == 4 && (h[ns] | 0x20) == 'b' &&
	    eq_ci(h + ns, "base", 4);
	for (;;) {
		while (i < limit && CC(h[i], C_ATTR_GAP))
			i++;
		if (i >= limit)
			return limit;
		if (h[i] == '>')
			return i + 1;
		i = attr_read(h, i, limit, &a);
		if (end_tag || !a.has_val || sc->stop)
			continue;
		an = a.an;
		ae = a.ae;
		vs = a.vs;
		ve = a.ve;
		if ((k = attr_kind(h + an, ae - an)) == ATTR_URL) {
			href = ae - an == 4 && eq_ci(h + an, "href", 4);
			if (base && !sc->base_seen && href)
				base_set(sc, h + vs, ve - vs);
			if (anchor && href && !sc->in_a) {
				sb_reset(&sc->a_href);
				sb_reset(&sc->a_inner);
				sb_reset(&sc->a_text);
				sc->cap = &sc->a_href;
				attr_url(sc, h + vs, ve - vs);
				sc->cap = NULL;
				sc->in_a = sc->a_href.len > 0;
			} else
				attr_url(sc, h + vs, ve - vs);
		}
		else if (k == ATTR_CSS) {
			if (hidden_r != NULL && css_hides(h + vs, ve - vs))
				*hidden_r = true;
			css_attr(sc, h + vs, ve - vs);
		}
		else if (k == ATTR_SRCSET) {
			v = attr_value(sc, h + vs, ve - vs, &vl);
			srcset_urls(sc, v, vl);
		} else if (k == ATTR_SCRIPT) {
			v = attr_value(sc, h + vs, ve - vs, &vl);
			script_text(sc, v, vl);
		} else if (meta && ae - an == 7 &&
		    eq_ci(h + an, "content", 7)) {
			/* <meta http-equiv=refresh content="0; url=..."> */
			sb_reset(&sc->attr);
			decode_append(&sc->attr, h + vs, ve - vs, true);
			scan_plain(sc, sc->attr.s, sc->attr.len);
			refresh_url(sc, sc->attr.s, sc->attr.len);
		}
	}
}

/*
 * text_add - run_add() for the text between tags, but the text of a
 * hidden inline element (<span style="display:none">) is no part of the
 * visible text: scanned on its own, the visible run going on around it.
 */
static inline void
text_add(struct scan *sc, const char *t, size_t n, bool refs)
{
	if (sc->hide_depth == 0) {
		run_add(sc, t, n, refs);
		return;
	}
	if (n < 5 || sc->stop)
		return;
	if (!refs) {
		scan_plain(sc, t, n);
		return;
	}
	sb_reset(&sc->hid);
	decode_append(&sc->hid, t, n, false);
	if (sc->hid.len >= 5)
		scan_plain(sc, sc->hid.s, sc->hid.len);
}

/*
 * hide_update - after the tag name[0..nl) (an end tag, a start tag that
 * hides its inline element, an open one: HTML ignores the "/" of "<x/>"
 * on a non-void element), follow the depth of the hidden element being
 * in (text_add()).  The void <wbr> has no content to hide; any other
 * tag than an inline one ends the hiding (scan_html()): an unclosed
 * hidden element must not hide the rest of the document from us.
 */
static __attribute__((noinline)) void
hide_update(struct scan *sc, const char *name, size_t nl, bool end_tag,
    bool hidden, bool open)
{
	if (sc->hide_depth == 0) {
		if (hidden && open && !end_tag &&
		    !(nl == 3 && strncasecmp(name, "wbr", 3) == 0)) {
			sc->hide_name = name;	/* <span style=display:none> */
			sc->hide_nl = nl;
			sc->hide_depth = 1;
		}
		return;
	}
	if (nl != sc->hide_nl || strncasecmp(name, sc->hide_name, nl) != 0)
		return;
	if (end_tag)
		sc->hide_depth--;
	else if (open)
		sc->hide_depth++;
}

/*
 * run_ends_blank - the visible text collected so far ends in white space
 * or a no-break space (or there is none): no URL in it goes on.
 */
static inline bool
run_ends_blank(const struct scan *sc)
{
	const char	*t;
	size_t		 n;

	if (sc->seg != NULL) {
		t = sc->seg;
		n = sc->seg_len;
	} else {
		t = sc->run.s;
		n = sc->run.len;
	}
	if (n == 0)
		return true;
	return is_space((unsigned char)t[n - 1]) || (n >= 2 &&
	    t[n - 1] == '\xa0' && t[n - 2] == '\xc2');
}

/*
 * inline_elem - the tag named s[0..n) is an inline (phrasing) element
 * whose start and end tags do not break the visible text: a browser
 * shows "http://a.<b></b>example/" and "www.<span>x</span>.example" as
 * one URL (and mailers put <wbr> inside long URLs).  Block elements
 * (p, div, br, td, li, h1, ...), images and unknown names do break it.
 */
static inline bool
inline_elem(const char *s, size_t n)
{
	/* by first and by last letter, the lengths (bit n) an inline
	 * name can have: most names (p, td, tr, div, img, ...) fail one */
#define B(n)	(1 << (n))
	static const unsigned char first[32] = {
		['a' & 31] = B(1) | B(4), ['b' & 31] = B(1) | B(3),
		['c' & 31] = B(4), ['d' & 31] = B(3) | B(4),
		['e' & 31] = B(2), ['f' & 31] = B(4), ['i' & 31] = B(1),
		['k' & 31] = B(3), ['m' & 31] = B(4), ['q' & 31] = B(1),
		['s' & 31] = B(1) | B(3) | B(4) | B(5) | B(6),
		['t' & 31] = B(2) | B(4), ['u' & 31] = B(1),
		['v' & 31] = B(3), ['w' & 31] = B(3),
	};
	static const unsigned char last[32] = {
		['a' & 31] = B(1) | B(4), ['b' & 31] = B(1) | B(3),
		['d' & 31] = B(3), ['e' & 31] = B(4) | B(6),
		['g' & 31] = B(3) | B(6), ['i' & 31] = B(1) | B(3),
		['k' & 31] = B(4), ['l' & 31] = B(5), ['m' & 31] = B(2),
		['n' & 31] = B(3) | B(4), ['o' & 31] = B(3),
		['p' & 31] = B(3) | B(4), ['q' & 31] = B(1),
		['r' & 31] = B(3) | B(4), ['s' & 31] = B(1),
		['t' & 31] = B(2) | B(4), ['u' & 31] = B(1),
	};
#undef B

	if (n > 6 || (first[s[0] & 31] & last[s[n - 1] & 31] &
	    (1u << n)) == 0)
		return false;
	switch (n) {
	case 1:
		switch (s[0] | 0x20) {
		case 'a': case 'b': case 'i': case 'q': case 's': case 'u':
			return true;
		}
		return false;
	case 2:
		/* "em", "tt" (td, tr, th get here too) */
		return (s[1] | 0x20) == ((s[0] | 0x20) == 'e' ? 'm' : 't');
	case 3:
		switch (s[0] | 0x20) {
		case 'b':
			return eq_ci(s, "bdi", 3) || eq_ci(s, "bdo", 3) ||
			    eq_ci(s, "big", 3);
		case 'd':
			return eq_ci(s, "dfn", 3);
		case 'k':
			return eq_ci(s, "kbd", 3);
		case 's':
			return eq_ci(s, "sub", 3) || eq_ci(s, "sup", 3);
		case 'v':
			return eq_ci(s, "var", 3);
		case 'w':
			return eq_ci(s, "wbr", 3);
		}
		return false;
	case 4:
		switch (s[0] | 0x20) {
		case 'a':
			return eq_ci(s, "abbr", 4);
		case 'c':
			return eq_ci(s, "cite", 4) || eq_ci(s, "code", 4);
		case 'd':
			return eq_ci(s, "data", 4);
		case 'f':
			return eq_ci(s, "font", 4);
		case 'm':
			return eq_ci(s, "mark", 4);
		case 's':
			return eq_ci(s, "samp", 4) || eq_ci(s, "span", 4);
		case 't':
			return eq_ci(s, "time", 4);
		}
		return false;
	case 5:
		return eq_ci(s, "small", 5);
	case 6:
		return eq_ci(s, "strike", 6) || eq_ci(s, "strong", 6);
	}
	return false;
}

/*
 * scan_html - tokenise h[0..len): text runs are decoded and scanned
 * like plain text at each tag but an inline element's (inline_elem()),
 * link attributes give URLs in document order.
 * A comment's content is tokenised too (Outlook's conditional comments
 * hold real markup) but ends at the first "-->".  Linear: every index
 * moves forward.
 */
static void
scan_html(struct scan *sc, const char *h, size_t len)
{
	const char	*ce;
	size_t		 p = 0, limit = len, cend = 0, lt, q, re, ne;
	bool		 in_comment = false, end_tag, style, inl, hidden;
	const char	*name;
	size_t		 nl;
	int		 kind;

	while (!sc->stop) {
		if (p >= limit) {
			if (!in_comment)
				break;
			flush_run(sc);
			in_comment = false;
			p = cend + 3 < len ? cend + 3 : len;
			limit = len;
			continue;
		}
		/* one pass finds the tag and tells whether the text before
		 * it has a character reference */
		lt = find_lt_amp(h, limit, p);
		if (lt < limit && h[lt] == '&') {
			lt = find(h, limit, lt + 1, '<');
			text_add(sc, h + p, lt - p, true);
		} else
			text_add(sc, h + p, lt - p, false);
		if (lt >= limit) {
			p = limit;
			continue;
		}
		q = lt + 1;
		if (q < limit && h[q] == '!') {
			if (limit - q >= 3 && h[q + 1] == '-' &&
			    h[q + 2] == '-') {
				if (in_comment) {
					p = q + 3;	/* nested "<!--" */
					continue;
				}
				flush_run(sc);
				ce = memmem(h + q + 1, len - q - 1, "-->", 3);
				cend = ce != NULL ? (size_t)(ce - h) : len;
				in_comment = true;
				limit = cend;
				p = cend < q + 3 ? cend : q + 3;
				continue;
			}
		}
		if (q < limit && (h[q] == '!' || h[q] == '?')) {
			/* <!DOCTYPE>, <![CDATA[...]]>, <![endif]>, <?xml?> */
			flush_run(sc);
			p = find(h, limit, q, '>');
			p = p < limit ? p + 1 : limit;
			continue;
		}
		end_tag = q + 1 < limit && h[q] == '/' &&
		    is_alpha((unsigned char)h[q + 1]);
		if (!end_tag && !(q < limit && is_alpha((unsigned char)h[q]))) {
			run_add(sc, h + lt, 1, false);	/* "a < b": text */
			p = q;
			continue;
		}
		if (end_tag)
			q++;
		/* the tag's name decides whether the text run breaks
		 * (an inline one's does not, but after a blank no URL
		 * goes on: flushed then, to keep the document order) */
		for (ne = q + 1; ne < limit && !CC(h[ne], C_TAG_END); ne++)
			;
		name = h + q;
		nl = ne - q;
		inl = inline_elem(name, nl);
		if (!inl)
			sc->hide_depth = 0;	/* see hide_update() */
		if (!inl || run_ends_blank(sc))
			flush_run(sc);
		hidden = false;
		p = parse_tag(sc, h, q, ne, limit, end_tag,
		    inl ? &hidden : NULL);
		if (inl && __builtin_expect(hidden || sc->hide_depth > 0, 0))
			hide_update(sc, name, nl, end_tag, hidden,
			    h[p - 1] == '>');
		if (end_tag || p >= limit || h[p - 1] != '>')
			continue;
		if ((kind = elem_kind(name, nl)) == ELEM_MARKUP)
			continue;
		re = raw_end(h, p, limit, name, nl);
		style = nl == 5 && eq_ci(name, "style", 5);
		/*
		 * <style> is CSS and read as CSS only (a text scan would
		 * report an escaped URL raw too, and apply text rules to
		 * CSS), unless unterminated: then it runs to the end of the
		 * document, which is scanned as text too, as the markup it
		 * probably was.  script and the rest are text (phishing kits
		 * hide URLs in scripts: window.location='https://...').
		 */
		if (kind == ELEM_RAW && nl == 6 && eq_ci(name, "script", 6))
			script_text(sc, h + p, re - p);
		else if (!style || re >= limit) {
			run_add(sc, h + p, re - p, kind == ELEM_RCDATA &&
			    memchr(h + p, '&', re - p) != NULL);
			flush_run(sc);
		}
		if (style && !sc->stop)
			css_urls(sc, h + p, re - p, 0);
		p = re;
	}
	flush_run(sc);
	link_done(sc);
}

void
urlscan_html(struct url_set *set, const char *html, size_t len)
{
	struct scan	sc;

	if (html == NULL || len == 0)
		return;
	scan_begin(&sc, set);
	sc.doc = html;
	sc.doc_len = len;
	if (!sc.stop)
		scan_html(&sc, html, len);
	scan_end(&sc);
}

/* ------------------------------------------------------------ unwrap */

/* pct_decode_append - append s[0..n) to sb with %XX decoded */
static void
pct_decode_append(struct strbuf *sb, const char *s, size_t n)
{
	size_t	i, start;
	int	hi, lo;
	char	c;

	for (i = start = 0; i + 2 < n; i++) {
		if (s[i] != '%')
			continue;
		if ((hi = hex_val((unsigned char)s[i + 1])) < 0 ||
		    (lo = hex_val((unsigned char)s[i + 2])) < 0)
			continue;
		sb_append(sb, s + start, i - start);
		c = (char)(hi << 4 | lo);
		sb_append(sb, &c, 1);
		i += 2;
		start = i + 1;
	}
	sb_append(sb, s + start, n - start);
}

/* query_param - the value of name in the query of u[0..n), or NULL */
static const char *
query_param(const char *u, size_t n, const char *name, size_t *vlen)
{
	const char	*q, *end = u + n, *amp;
	size_t		 nl = strlen(name);

	if ((q = memchr(u, '?', n)) == NULL)
		return NULL;
	for (q++; q < end; q = amp + 1) {
		if ((amp = memchr(q, '&', (size_t)(end - q))) == NULL)
			amp = end;
		if ((size_t)(amp - q) > nl && q[nl] == '=' &&
		    strncasecmp(q, name, nl) == 0) {
			*vlen = (size_t)(amp - q) - nl - 1;
			return q + nl + 1;
		}
		if (amp == end)
			break;
	}
	return NULL;
}

/* b64url_val - value of a base64 (URL-safe or not) digit, or -1 */
static int
b64url_val(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (is_digit(c))
		return c - '0' + 52;
	if (c == '-' || c == '+')
		return 62;
	if (c == '_' || c == '/')
		return 63;
	return -1;
}

/*
 * proofpoint_v3 - https://urldefense.com/v3/__URL__;BYTES!...: the URL
 * is percent-decoded, then each '*' takes the next character of the
 * base64url-decoded BYTES and "**X" takes a run of them (X in
 * A-Za-z0-9-_ means 2..65 characters).
 */
static bool
proofpoint_v3(struct strbuf *out, const char *u, size_t n)
{
	struct strbuf	 inner = { 0 }, bytes = { 0 };
	const char	*s, *e, *end = u + n, *p;
	const char	*runs = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789-_";
	size_t		 bi = 0, i, k, take, cl;
	unsigned	 acc = 0;
	int		 bits = 0, v;
	bool		 ok = false;

	if ((s = memmem(u, n, "/v3/__", 6)) == NULL)
		return false;
	s += 6;
	if ((e = memmem(s, (size_t)(end - s), "__;", 3)) == NULL)
		return false;
	for (p = e + 3; p < end && (v = b64url_val((unsigned char)*p)) >= 0;
	    p++) {
		acc = (acc << 6) | (unsigned)v;
		if ((bits += 6) >= 8) {
			bits -= 8;
			sb_putc(&bytes, (char)((acc >> bits) & 0xff));
		}
	}
	/* "https:/host" -> "https://host" */
	for (p = s; p < e && is_alpha((unsigned char)*p); p++)
		;
	if (p + 2 < e && p[0] == ':' && p[1] == '/' && p[2] != '/') {
		sb_append(&inner, s, (size_t)(p + 2 - s));
		sb_putc(&inner, '/');
		pct_decode_append(&inner, p + 2, (size_t)(e - p - 2));
	} else
		pct_decode_append(&inner, s, (size_t)(e - s));
	for (i = 0; i < inner.len; i++) {
		if (inner.s[i] != '*') {
			sb_putc(out, inner.s[i]);
			continue;
		}
		take = 1;
		if (i + 2 < inner.len && inner.s[i + 1] == '*' &&
		    (p = strchr(runs, inner.s[i + 2])) != NULL &&
		    inner.s[i + 2] != '\0') {
			take = (size_t)(p - runs) + 2;
			i += 2;
		}
		/* one token is one character (UTF-8), not one byte */
		for (k = 0; k < take; k++) {
			if (bi >= bytes.len)
				goto out;
			cl = utf8_seq_len((unsigned char *)bytes.s + bi,
			    bytes.len - bi);
			if (cl == 0)
				cl = 1;
			sb_append(out, bytes.s + bi, cl);
			bi += cl;
		}
	}
	ok = true;
out:
	sb_free(&inner);
	sb_free(&bytes);
	return ok;
}

/*
 * unwrap - u[0..n) is a stored URL; if it is a Microsoft Safe Links or
 * Proofpoint URL Defense (v1, v2, v3) wrapper, emit the URL it hides.
 */
static void
unwrap(struct scan *sc, const char *u, size_t n, int depth)
{
	static const char	 safelinks[] =
	    ".safelinks.protection.outlook.com";
	struct strbuf		*out = &sc->unwrap[depth];
	struct strbuf		 tmp = { 0 };
	const char		*host, *he, *v;
	size_t			 hl, vl, i, plen;

	if (n < 24)
		return;
	if (HAS_PREFIX_CI(u, n, "https://"))
		host = u + 8;
	else if (HAS_PREFIX_CI(u, n, "http://"))
		host = u + 7;
	else
		return;
	/* cheap test first: "urldefense." or "<label>.safelinks." */
	if (to_lower((unsigned char)host[0]) == 'u') {
		if (!eq_ci(host, "urldefense.", 11))
			return;
	} else {
		v = memchr(host, '.', (size_t)(u + n - host) < 16 ?
		    (size_t)(u + n - host) : 16);
		if (v == NULL || (size_t)(u + n - v) < 11 ||
		    !eq_ci(v + 1, "safelinks.", 10))
			return;
	}
	for (he = host; he < u + n && *he != '/' && *he != '?' &&
	    *he != '#' && *he != ':'; he++)
		;
	hl = (size_t)(he - host);
	if (hl != 14 && hl != 25 && hl <= sizeof(safelinks) - 1)
		return;				/* the common case */
	sb_reset(out);
	if (hl > sizeof(safelinks) - 1 && eq_ci(he - (sizeof(safelinks) - 1),
	    safelinks, sizeof(safelinks) - 1)) {
		if ((v = query_param(he, (size_t)(u + n - he), "url", &vl)) ==
		    NULL)
			return;
		pct_decode_append(&tmp, v, vl);
	} else if (hl == 25 && strncasecmp(host, "urldefense.proofpoint.com",
	    25) == 0 && (v = query_param(he, (size_t)(u + n - he), "u",
	    &vl)) != NULL) {
		if (HAS_PREFIX_CI(he, (size_t)(u + n - he), "/v1/"))
			pct_decode_append(&tmp, v, vl);
		else if (HAS_PREFIX_CI(he, (size_t)(u + n - he), "/v2/")) {
			char	*t = xstrndup(v, vl);

			for (i = 0; i < vl; i++) {
				if (t[i] == '-')
					t[i] = '%';
				else if (t[i] == '_')
					t[i] = '/';
			}
			pct_decode_append(&tmp, t, vl);
			free(t);
		} else
			return;
	} else if ((hl == 14 && strncasecmp(host, "urldefense.com", 14) == 0) ||
	    (hl == 25 && strncasecmp(host, "urldefense.proofpoint.com",
	    25) == 0)) {
		if (!HAS_PREFIX_CI(he, (size_t)(u + n - he), "/v3/__") ||
		    !proofpoint_v3(&tmp, u, n)) {
			sb_free(&tmp);
			return;
		}
	} else
		return;
	if (tmp.len > 0) {
		const char	*t = tmp.s;
		size_t		 tl = tmp.len;

		while (tl > 0 && (unsigned char)*t <= 0x20) {
			t++;
			tl--;
		}
		while (tl > 0 && (unsigned char)t[tl - 1] <= 0x20)
			tl--;
		plen = absolute_prefix_len(t, tl);
		if (plen > 0 && tl > plen && !HAS_PREFIX_CI(t, tl, "www.")) {
			clean_append(out, t, tl);
			emit(sc, out->s, out->len, depth + 1);
		}
	}
	sb_free(&tmp);
}

/* ------------------------------------------------------------ user regex */

struct urlscan_re {
	pcre2_code		*code;
	pcre2_match_context	*mctx;
};

struct urlscan_re *
urlscan_re_compile(const char *pattern, bool caseless, struct errbuf *err)
{
	struct urlscan_re	*re;
	PCRE2_UCHAR		 msg[256];
	PCRE2_SIZE		 off;
	uint32_t		 opts;
	int			 rc;

	opts = PCRE2_UTF | PCRE2_MATCH_INVALID_UTF;
	if (caseless)
		opts |= PCRE2_CASELESS;
	re = xcalloc(1, sizeof(*re));
	re->code = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED,
	    opts, &rc, &off, NULL);
	if (re->code == NULL) {
		pcre2_get_error_message(rc, msg, sizeof(msg));
		errbuf_set(err, "bad regular expression \"%s\": %s at offset "
		    "%zu", pattern, (char *)msg, (size_t)off);
		free(re);
		return NULL;
	}
	if (!jit_disabled)
		(void)pcre2_jit_compile(re->code, PCRE2_JIT_COMPLETE);
	if ((re->mctx = pcre2_match_context_create(NULL)) == NULL)
		pcre2_oom();
	pcre2_set_match_limit(re->mctx, match_limit);
	pcre2_set_depth_limit(re->mctx, match_limit);
	pcre2_set_heap_limit(re->mctx, HEAP_LIMIT_KIB);
	return re;
}

int
urlscan_re_match(const struct urlscan_re *re, const char *s, size_t len)
{
	pcre2_match_data	*md;
	int			 rc;

	if ((md = pcre2_match_data_create(1, NULL)) == NULL)
		pcre2_oom();
	rc = pcre2_match(re->code, (PCRE2_SPTR)s, len, 0, 0, md, re->mctx);
	if (rc == PCRE2_ERROR_JIT_STACKLIMIT) {
		/* the JIT's small stack: the interpreter has the heap limit */
		rc = pcre2_match(re->code, (PCRE2_SPTR)s, len, 0, PCRE2_NO_JIT,
		    md, re->mctx);
	}
	pcre2_match_data_free(md);
	if (rc >= 0)
		return 1;
	return rc == PCRE2_ERROR_NOMATCH ? 0 : -1;
}

void
urlscan_re_free(struct urlscan_re *re)
{
	if (re == NULL)
		return;
	pcre2_code_free(re->code);
	pcre2_match_context_free(re->mctx);
	free(re);
}
