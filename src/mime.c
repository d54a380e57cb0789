/*
 * mime - raw RFC 5322 bytes -> struct extract, with GMime 3.  See
 * extract.h.  The only module that uses GMime and GLib.
 *
 * Work per message, in order:
 *
 * 1. A bounded pre-pass over the raw bytes (pp_*): a leading UTF-8 BOM,
 *    blank lines before the header and the mbox "From " line are
 *    skipped, CRLF and lone CR become LF, at most max_message_bytes are
 *    kept, a header field longer than max_header_bytes is cut.  The
 *    pre-pass also mirrors GMime's view of the MIME structure (header
 *    blocks, the boundary stack) to cap what GMime would otherwise pay
 *    for on hostile input: measured on GMime 3.2.13, 2.5 million empty
 *    parts cost 3.2 GB and 12 s, 2.5 million header fields 1.2 GB, and
 *    50,000 nested multiparts 4.5 s (GMime stops nesting at 1024 levels
 *    but then checks every "--" line against 1024 boundaries).  So the
 *    pre-pass stops feeding parts after max_mime_parts boundary lines,
 *    header fields after MIME_MAX_FIELDS, and disables (renames) the
 *    boundary parameter of a multipart nested deeper than max_mime_depth
 *    + MIME_STACK_SLACK, or of one whose boundary it cannot track exactly.
 *    It also notes where each unencoded message/rfc822 part's content
 *    lies, so an attached message is hashed as carried (att_message).
 *    The output is copied only from where it first differs from the
 *    input: a message with LF line ends, nothing skipped and nothing
 *    cut or renamed (most mail stored on Unix) is handed on as it is.
 * 2. GMime parses the pre-pass output from memory (no copy).
 * 3. Headers: our own RFC 2047 decoder (GMime 3.2.13 loses bytes of
 *    padded base64 words and of unknown charsets); address lists are
 *    parsed by GMime after the encoded words are normalised.
 * 4. A walk with explicit depth and part counters: text parts are
 *    transfer-decoded straight from the pre-pass buffer, converted to
 *    UTF-8 and handed to urlscan; attachments are decoded in chunks
 *    through SHA-256 and MD5.
 * 5. The content hash (content_hash() has the definition).
 *
 * Thread-safety: the parser options are built once in extract_init() and
 * only read afterwards; the warning callback finds its message through a
 * thread-local pointer.
 */
#include "autoconfig.h"

#include <errno.h>
#include <iconv.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <gmime/gmime.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif
#if defined(__x86_64__) && defined(__GNUC__)
#include <tmmintrin.h>
#define B64_SSSE3	1	/* chosen at run time: b64_simd */
#endif

#include "config.h"
#include "digest.h"
#include "extract.h"
#include "received.h"
#include "urlscan.h"
#include "util.h"

#define MIME_MAX_FIELDS		10000	/* header fields fed to GMime, all blocks */
#define MIME_MAX_ADDRS		1000	/* addresses kept per address header */
#define MIME_BOUNDARY_MAX	200	/* longest boundary the pre-pass tracks */
#define MIME_STACK_SLACK	8	/* nested boundaries beyond max_mime_depth */
#define MIME_CHUNK		49152	/* encoded bytes decoded per step */
#define MIME_EW_MAX		1024	/* longest encoded word accepted */
#define RECEIVED_MAX		64	/* Received fields read for their IPs */
#define MIME_SKIP_MAX		65536	/* bytes looked at before the header */
#define MIME_KEEP		262144	/* largest work buffer a thread keeps */
#define MIME_KEEP_STACK		64	/* largest boundary stack it keeps */

#define NO_OFF			((size_t)-1)

/* ------------------------------------------------------------ state */

/*
 * mime_opts has our warning callback; quiet_opts is the same without
 * it.  With a callback set, GMime decodes the value of every header of
 * every part while parsing, to check its encoded words (8 % of the
 * engine's instructions on ordinary mail); we only want its structural
 * warnings.  So parse() uses quiet_opts unless the pre-pass or the
 * walk saw something GMime may warn about (see prepass.suspect).
 */
static GMimeParserOptions	*mime_opts;
static GMimeParserOptions	*quiet_opts;
static int			 mime_checks = EXTRACT_CHECKS_AUTO;
static bool			 mime_ready;

struct mctx;
static __thread struct mctx	*mime_cur;	/* for parser_warning() */

/* A tiny growable byte buffer for hot paths (no per-byte calls). */
struct obuf {
	char	*p;
	size_t	 len;
	size_t	 cap;
};

/* ob_reserve - make room for n more bytes plus a NUL */
static inline char *
ob_reserve(struct obuf *ob, size_t n)
{
	size_t	 want;

	if (ob->cap - ob->len < n + 1) {
		want = ob->cap ? ob->cap : 64;
		while (want - ob->len < n + 1) {
			ASSERT(want < SIZE_MAX / 2);
			want *= 2;
		}
		ob->p = xrealloc(ob->p, want);
		ob->cap = want;
		ob->p[ob->len] = '\0';
	}
	return ob->p + ob->len;
}

static inline void
ob_put(struct obuf *ob, const void *p, size_t n)
{
	memcpy(ob_reserve(ob, n), p, n);
	ob->len += n;
	ob->p[ob->len] = '\0';
}

static inline void
ob_putc(struct obuf *ob, char c)
{
	*ob_reserve(ob, 1) = c;
	ob->len++;
	ob->p[ob->len] = '\0';
}

/* ob_steal - the NUL-terminated string, caller frees */
static char *
ob_steal(struct obuf *ob)
{
	char	*s;

	if (ob->p == NULL)
		return xstrdup("");
	s = ob->p;
	memset(ob, 0, sizeof(*ob));
	return s;
}

static void
ob_free(struct obuf *ob)
{
	free(ob->p);
	memset(ob, 0, sizeof(*ob));
}

static size_t
cfg_size(int64_t v)
{
	if (v < 0)
		return 0;
	if ((uint64_t)v > SIZE_MAX / 4)
		return SIZE_MAX / 4;
	return (size_t)v;
}

static inline bool
is_wsp(int c)
{
	return c == ' ' || c == '\t';
}

static inline bool
is_lwsp(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* ------------------------------------------------- UTF-8 / charsets */

/* windows-1252 0x80..0x9f; the five holes map to the C1 controls */
static const uint16_t cp1252_hi[32] = {
	0x20ac, 0x0081, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021,
	0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008d, 0x017d, 0x008f,
	0x0090, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014,
	0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0x009d, 0x017e, 0x0178
};

/* put_cp1252 - one windows-1252 byte (>= 0x80) as UTF-8 at o */
static inline size_t
put_cp1252(char *o, unsigned char c)
{
	unsigned	u = c < 0xa0 ? cp1252_hi[c - 0x80] : c;

	if (u < 0x800) {
		o[0] = (char)(0xc0 | (u >> 6));
		o[1] = (char)(0x80 | (u & 0x3f));
		return 2;
	}
	o[0] = (char)(0xe0 | (u >> 12));
	o[1] = (char)(0x80 | ((u >> 6) & 0x3f));
	o[2] = (char)(0x80 | (u & 0x3f));
	return 3;
}


/* ascii_run - length of the leading run of bytes below 0x80 */
static inline size_t
ascii_run(const unsigned char *p, size_t n)
{
	const unsigned char	*s = p, *e = p + n;
	uint64_t		 w, v[4];

	while (e - s >= 32) {
		memcpy(v, s, 32);
		if (((v[0] | v[1] | v[2] | v[3]) & 0x8080808080808080ULL) != 0)
			break;
		s += 32;
	}
	while (e - s >= 8) {
		memcpy(&w, s, 8);
		if ((w & 0x8080808080808080ULL) != 0)
			break;
		s += 8;
	}
	while (s < e && *s < 0x80)
		s++;
	return (size_t)(s - p);
}

/*
 * utf8_span - length of the longest valid UTF-8 prefix of p[0..n) (NUL
 * bytes allowed): ASCII a word at a time, a run of multi-byte sequences
 * (Greek, Cyrillic, CJK text) without going back to ascii_run() after
 * each of them.
 */
static inline size_t
utf8_span(const unsigned char *p, size_t n)
{
	const unsigned char	*s = p, *e = p + n;
	size_t			 k;

	for (;;) {
		s += ascii_run(s, (size_t)(e - s));
		do {
			if (s == e ||
			    (k = utf8_seq_len(s, (size_t)(e - s))) == 0)
				return (size_t)(s - p);
			s += k;
		} while (s < e && *s >= 0x80);
	}
}

/* utf8_valid - s[0..n) is valid UTF-8 (NUL bytes allowed) */
static bool
utf8_valid(const char *s, size_t n)
{
	return utf8_span((const unsigned char *)s, n) == n;
}

/*
 * utf8_fix - append s[0..n) to ob as valid UTF-8: valid UTF-8 sequences
 * are kept, every other byte is read as windows-1252 (so both UTF-8 and
 * Latin-1/cp1252 text come out right, and mixed text best-effort).
 * drop_nul: drop NUL bytes (for C strings).
 */
static void
utf8_fix(struct obuf *ob, const char *s, size_t n, bool drop_nul)
{
	const unsigned char	*p = (const unsigned char *)s;
	const unsigned char	*end = p + n, *stop = end, *nul = NULL;
	char			*o;
	size_t			 k;

	while (p < end) {
		/* the valid run at p in one copy, up to the next NUL if
		 * those are dropped (found once: no rescan per NUL) */
		if (drop_nul && (nul == NULL || nul < p)) {
			if ((nul = memchr(p, 0, (size_t)(end - p))) == NULL)
				nul = end;
			stop = nul;
		}
		k = utf8_span(p, (size_t)(stop - p));
		if (k > 0) {
			ob_put(ob, p, k);
			p += k;
			continue;
		}
		if (*p == 0) {
			p++;
			continue;
		}
		/* a byte that starts no valid sequence: windows-1252 */
		o = ob_reserve(ob, 3);
		ob->len += put_cp1252(o, *p++);
		ob->p[ob->len] = '\0';
	}
}

/* utf8_clean - new valid UTF-8 C string from s[0..n) */
static char *
utf8_clean(const char *s, size_t n)
{
	struct obuf	 ob = { NULL, 0, 0 };

	ob_reserve(&ob, n);
	utf8_fix(&ob, s, n, true);
	return ob_steal(&ob);
}

enum cs_kind { CS_UTF8, CS_CP1252, CS_ICONV };

#define CSF_UTF8	0x01	/* names UTF-8 itself (not ASCII, not "unknown") */
#define CSF_UNKNOWN	0x02	/* says "we do not know": EXF_CHARSET */
#define CSF_GB_EURO	0x04	/* gbk/gb18030: a lone byte 0x80 is U+20AC */
#define CSF_JIS		0x08	/* iso-2022-jp: via jis_to_euc() */

/*
 * Charset labels -> how to decode them.  Mail clients decode legacy
 * charsets with the superset decoders of the WHATWG Encoding Standard
 * (https://encoding.spec.whatwg.org/, section 4.2 "Names and labels"):
 * a message labelled gb2312 holds GBK/GB18030 bytes, ks_c_5601-1987 or
 * euc-kr holds windows-949 (UHC), shift_jis holds windows-31j (NEC and
 * IBM extensions), big5 holds Big5-HKSCS, iso-8859-9 and iso-8859-11
 * are read as windows-1254 and windows-874.  Every label of that table
 * whose decoder glibc's iconv has is here (lowercase, sorted by strcmp
 * for bsearch), mapped to the glibc name; a name is chosen that GMime's
 * g_mime_charset_iconv_name() passes through unchanged (it turns
 * "windows-NNN" into "CPNNN", so "WINDOWS-31J" would become "CP31J").
 * Choices where glibc has no exact equivalent:
 * - gbk labels and gb18030: GB18030 (the WHATWG gbk decoder is the
 *   gb18030 one), plus the lone 0x80 = U+20AC rule (CSF_GB_EURO);
 *   cp936, ms936, windows-936 and euc-cn (not WHATWG labels, seen in
 *   mail) too.  cp949, ms949 and uhc likewise with windows-949, cp932
 *   with windows-31j.
 * - euc-jp: EUC-JP-MS (jis0208 with the NEC/IBM rows, as the WHATWG
 *   index).  iso-2022-jp: glibc's ISO-2022-JP has neither those rows
 *   (circled digits, (株) in Japanese business mail, CP50220) nor the
 *   JIS X 0201 katakana escape WHATWG accepts, so jis_to_euc() turns
 *   the text into EUC-JP bytes for EUC-JP-MS (CSF_JIS).
 * - koi8-u and koi8-ru: KOI8-U (WHATWG's koi8-u differs from it only
 *   at 0xAE/0xBE, which it reads as the Belarusian short u).
 * - x-mac-cyrillic, x-mac-ukrainian: MAC-UK (Mac OS Ukrainian, the
 *   WHATWG index).
 * - iso-8859-8-i, logical: ISO-8859-8 (same bytes, a display hint).
 * - ASCII labels stay "UTF-8 if valid, else windows-1252" (a superset
 *   of WHATWG's windows-1252 for them: raw UTF-8 under us-ascii is
 *   common), utf-16 labels and the "replacement" ones (iso-2022-kr,
 *   hz-gb-2312, iso-2022-cn) are left to iconv under their own name:
 *   mail is not the web, RFC 2781 and RFC 1557 text is decoded.
 * Any other label goes to iconv as it is; when iconv does not know it
 * either, EXF_CHARSET.
 */
static const struct cs_label {
	const char	*label;
	unsigned char	 kind;		/* enum cs_kind */
	unsigned char	 flags;		/* CSF_* */
	const char	*conv;		/* iconv name (CS_ICONV) */
} cs_labels[] = {
	{ "866", CS_ICONV, 0, "IBM866" },
	{ "8bit", CS_UTF8, CSF_UNKNOWN, NULL },
	{ "ansi_x3.4-1968", CS_UTF8, 0, NULL },
	{ "arabic", CS_ICONV, 0, "ISO-8859-6" },
	{ "ascii", CS_UTF8, 0, NULL },
	{ "asmo-708", CS_ICONV, 0, "ISO-8859-6" },
	{ "big5", CS_ICONV, 0, "BIG5-HKSCS" },
	{ "big5-hkscs", CS_ICONV, 0, "BIG5-HKSCS" },
	{ "chinese", CS_ICONV, CSF_GB_EURO, "GB18030" },
	{ "cn-big5", CS_ICONV, 0, "BIG5-HKSCS" },
	{ "cp1250", CS_ICONV, 0, "CP1250" },
	{ "cp1251", CS_ICONV, 0, "CP1251" },
	{ "cp1252", CS_CP1252, 0, NULL },
	{ "cp1253", CS_ICONV, 0, "CP1253" },
	{ "cp1254", CS_ICONV, 0, "CP1254" },
	{ "cp1255", CS_ICONV, 0, "CP1255" },
	{ "cp1256", CS_ICONV, 0, "CP1256" },
	{ "cp1257", CS_ICONV, 0, "CP1257" },
	{ "cp1258", CS_ICONV, 0, "CP1258" },
	{ "cp819", CS_CP1252, 0, NULL },
	{ "cp866", CS_ICONV, 0, "IBM866" },
	{ "cp874", CS_ICONV, 0, "CP874" },
	{ "cp932", CS_ICONV, 0, "CP932" },
	{ "cp936", CS_ICONV, CSF_GB_EURO, "GB18030" },
	{ "cp949", CS_ICONV, 0, "CP949" },
	{ "csbig5", CS_ICONV, 0, "BIG5-HKSCS" },
	{ "cseuckr", CS_ICONV, 0, "CP949" },
	{ "cseucpkdfmtjapanese", CS_ICONV, 0, "EUC-JP-MS" },
	{ "csgb2312", CS_ICONV, CSF_GB_EURO, "GB18030" },
	{ "csibm866", CS_ICONV, 0, "IBM866" },
	{ "csiso2022jp", CS_ICONV, CSF_JIS, "EUC-JP-MS" },
	{ "csiso58gb231280", CS_ICONV, CSF_GB_EURO, "GB18030" },
	{ "csiso88596e", CS_ICONV, 0, "ISO-8859-6" },
	{ "csiso88596i", CS_ICONV, 0, "ISO-8859-6" },
	{ "csiso88598e", CS_ICONV, 0, "ISO-8859-8" },
	{ "csiso88598i", CS_ICONV, 0, "ISO-8859-8" },
	{ "csisolatin1", CS_CP1252, 0, NULL },
	{ "csisolatin2", CS_ICONV, 0, "ISO-8859-2" },
	{ "csisolatin3", CS_ICONV, 0, "ISO-8859-3" },
	{ "csisolatin4", CS_ICONV, 0, "ISO-8859-4" },
	{ "csisolatin5", CS_ICONV, 0, "CP1254" },
	{ "csisolatin6", CS_ICONV, 0, "ISO-8859-10" },
	{ "csisolatin9", CS_ICONV, 0, "ISO-8859-15" },
	{ "csisolatinarabic", CS_ICONV, 0, "ISO-8859-6" },
	{ "csisolatincyrillic", CS_ICONV, 0, "ISO-8859-5" },
	{ "csisolatingreek", CS_ICONV, 0, "ISO-8859-7" },
	{ "csisolatinhebrew", CS_ICONV, 0, "ISO-8859-8" },
	{ "cskoi8r", CS_ICONV, 0, "KOI8-R" },
	{ "csksc56011987", CS_ICONV, 0, "CP949" },
	{ "csmacintosh", CS_ICONV, 0, "MACINTOSH" },
	{ "csshiftjis", CS_ICONV, 0, "CP932" },
	{ "cyrillic", CS_ICONV, 0, "ISO-8859-5" },
	{ "default", CS_UTF8, CSF_UNKNOWN, NULL },
	{ "dos-874", CS_ICONV, 0, "CP874" },
	{ "ecma-114", CS_ICONV, 0, "ISO-8859-6" },
	{ "ecma-118", CS_ICONV, 0, "ISO-8859-7" },
	{ "elot_928", CS_ICONV, 0, "ISO-8859-7" },
	{ "euc-cn", CS_ICONV, CSF_GB_EURO, "GB18030" },
	{ "euc-jp", CS_ICONV, 0, "EUC-JP-MS" },
	{ "euc-kr", CS_ICONV, 0, "CP949" },
	{ "gb18030", CS_ICONV, CSF_GB_EURO, "GB18030" },
	{ "gb2312", CS_ICONV, CSF_GB_EURO, "GB18030" },
	{ "gb_2312", CS_ICONV, CSF_GB_EURO, "GB18030" },
	{ "gb_2312-80", CS_ICONV, CSF_GB_EURO, "GB18030" },
	{ "gbk", CS_ICONV, CSF_GB_EURO, "GB18030" },
	{ "greek", CS_ICONV, 0, "ISO-8859-7" },
	{ "greek8", CS_ICONV, 0, "ISO-8859-7" },
	{ "hebrew", CS_ICONV, 0, "ISO-8859-8" },
	{ "ibm819", CS_CP1252, 0, NULL },
	{ "ibm866", CS_ICONV, 0, "IBM866" },
	{ "iso-2022-jp", CS_ICONV, CSF_JIS, "EUC-JP-MS" },
	{ "iso-8859-1", CS_CP1252, 0, NULL },
	{ "iso-8859-10", CS_ICONV, 0, "ISO-8859-10" },
	{ "iso-8859-11", CS_ICONV, 0, "CP874" },
	{ "iso-8859-13", CS_ICONV, 0, "ISO-8859-13" },
	{ "iso-8859-14", CS_ICONV, 0, "ISO-8859-14" },
	{ "iso-8859-15", CS_ICONV, 0, "ISO-8859-15" },
	{ "iso-8859-16", CS_ICONV, 0, "ISO-8859-16" },
	{ "iso-8859-2", CS_ICONV, 0, "ISO-8859-2" },
	{ "iso-8859-3", CS_ICONV, 0, "ISO-8859-3" },
	{ "iso-8859-4", CS_ICONV, 0, "ISO-8859-4" },
	{ "iso-8859-5", CS_ICONV, 0, "ISO-8859-5" },
	{ "iso-8859-6", CS_ICONV, 0, "ISO-8859-6" },
	{ "iso-8859-6-e", CS_ICONV, 0, "ISO-8859-6" },
	{ "iso-8859-6-i", CS_ICONV, 0, "ISO-8859-6" },
	{ "iso-8859-7", CS_ICONV, 0, "ISO-8859-7" },
	{ "iso-8859-8", CS_ICONV, 0, "ISO-8859-8" },
	{ "iso-8859-8-e", CS_ICONV, 0, "ISO-8859-8" },
	{ "iso-8859-8-i", CS_ICONV, 0, "ISO-8859-8" },
	{ "iso-8859-9", CS_ICONV, 0, "CP1254" },
	{ "iso-ir-100", CS_CP1252, 0, NULL },
	{ "iso-ir-101", CS_ICONV, 0, "ISO-8859-2" },
	{ "iso-ir-109", CS_ICONV, 0, "ISO-8859-3" },
	{ "iso-ir-110", CS_ICONV, 0, "ISO-8859-4" },
	{ "iso-ir-126", CS_ICONV, 0, "ISO-8859-7" },
	{ "iso-ir-127", CS_ICONV, 0, "ISO-8859-6" },
	{ "iso-ir-138", CS_ICONV, 0, "ISO-8859-8" },
	{ "iso-ir-144", CS_ICONV, 0, "ISO-8859-5" },
	{ "iso-ir-148", CS_ICONV, 0, "CP1254" },
	{ "iso-ir-149", CS_ICONV, 0, "CP949" },
	{ "iso-ir-157", CS_ICONV, 0, "ISO-8859-10" },
	{ "iso-ir-58", CS_ICONV, CSF_GB_EURO, "GB18030" },
	{ "iso646-us", CS_UTF8, 0, NULL },
	{ "iso8859-1", CS_CP1252, 0, NULL },
	{ "iso8859-10", CS_ICONV, 0, "ISO-8859-10" },
	{ "iso8859-11", CS_ICONV, 0, "CP874" },
	{ "iso8859-13", CS_ICONV, 0, "ISO-8859-13" },
	{ "iso8859-14", CS_ICONV, 0, "ISO-8859-14" },
	{ "iso8859-15", CS_ICONV, 0, "ISO-8859-15" },
	{ "iso8859-2", CS_ICONV, 0, "ISO-8859-2" },
	{ "iso8859-3", CS_ICONV, 0, "ISO-8859-3" },
	{ "iso8859-4", CS_ICONV, 0, "ISO-8859-4" },
	{ "iso8859-5", CS_ICONV, 0, "ISO-8859-5" },
	{ "iso8859-6", CS_ICONV, 0, "ISO-8859-6" },
	{ "iso8859-7", CS_ICONV, 0, "ISO-8859-7" },
	{ "iso8859-8", CS_ICONV, 0, "ISO-8859-8" },
	{ "iso8859-9", CS_ICONV, 0, "CP1254" },
	{ "iso88591", CS_CP1252, 0, NULL },
	{ "iso885910", CS_ICONV, 0, "ISO-8859-10" },
	{ "iso885911", CS_ICONV, 0, "CP874" },
	{ "iso885913", CS_ICONV, 0, "ISO-8859-13" },
	{ "iso885914", CS_ICONV, 0, "ISO-8859-14" },
	{ "iso885915", CS_ICONV, 0, "ISO-8859-15" },
	{ "iso88592", CS_ICONV, 0, "ISO-8859-2" },
	{ "iso88593", CS_ICONV, 0, "ISO-8859-3" },
	{ "iso88594", CS_ICONV, 0, "ISO-8859-4" },
	{ "iso88595", CS_ICONV, 0, "ISO-8859-5" },
	{ "iso88596", CS_ICONV, 0, "ISO-8859-6" },
	{ "iso88597", CS_ICONV, 0, "ISO-8859-7" },
	{ "iso88598", CS_ICONV, 0, "ISO-8859-8" },
	{ "iso88599", CS_ICONV, 0, "CP1254" },
	{ "iso_8859-1", CS_CP1252, 0, NULL },
	{ "iso_8859-11", CS_ICONV, 0, "CP874" },
	{ "iso_8859-15", CS_ICONV, 0, "ISO-8859-15" },
	{ "iso_8859-1:1987", CS_CP1252, 0, NULL },
	{ "iso_8859-2", CS_ICONV, 0, "ISO-8859-2" },
	{ "iso_8859-2:1987", CS_ICONV, 0, "ISO-8859-2" },
	{ "iso_8859-3", CS_ICONV, 0, "ISO-8859-3" },
	{ "iso_8859-3:1988", CS_ICONV, 0, "ISO-8859-3" },
	{ "iso_8859-4", CS_ICONV, 0, "ISO-8859-4" },
	{ "iso_8859-4:1988", CS_ICONV, 0, "ISO-8859-4" },
	{ "iso_8859-5", CS_ICONV, 0, "ISO-8859-5" },
	{ "iso_8859-5:1988", CS_ICONV, 0, "ISO-8859-5" },
	{ "iso_8859-6", CS_ICONV, 0, "ISO-8859-6" },
	{ "iso_8859-6:1987", CS_ICONV, 0, "ISO-8859-6" },
	{ "iso_8859-7", CS_ICONV, 0, "ISO-8859-7" },
	{ "iso_8859-7:1987", CS_ICONV, 0, "ISO-8859-7" },
	{ "iso_8859-8", CS_ICONV, 0, "ISO-8859-8" },
	{ "iso_8859-8:1988", CS_ICONV, 0, "ISO-8859-8" },
	{ "iso_8859-9", CS_ICONV, 0, "CP1254" },
	{ "iso_8859-9:1989", CS_ICONV, 0, "CP1254" },
	{ "koi", CS_ICONV, 0, "KOI8-R" },
	{ "koi8", CS_ICONV, 0, "KOI8-R" },
	{ "koi8-r", CS_ICONV, 0, "KOI8-R" },
	{ "koi8-ru", CS_ICONV, 0, "KOI8-U" },
	{ "koi8-u", CS_ICONV, 0, "KOI8-U" },
	{ "koi8_r", CS_ICONV, 0, "KOI8-R" },
	{ "korean", CS_ICONV, 0, "CP949" },
	{ "ks_c_5601-1987", CS_ICONV, 0, "CP949" },
	{ "ks_c_5601-1989", CS_ICONV, 0, "CP949" },
	{ "ksc5601", CS_ICONV, 0, "CP949" },
	{ "ksc_5601", CS_ICONV, 0, "CP949" },
	{ "l1", CS_CP1252, 0, NULL },
	{ "l2", CS_ICONV, 0, "ISO-8859-2" },
	{ "l3", CS_ICONV, 0, "ISO-8859-3" },
	{ "l4", CS_ICONV, 0, "ISO-8859-4" },
	{ "l5", CS_ICONV, 0, "CP1254" },
	{ "l6", CS_ICONV, 0, "ISO-8859-10" },
	{ "l9", CS_ICONV, 0, "ISO-8859-15" },
	{ "latin-1", CS_CP1252, 0, NULL },
	{ "latin1", CS_CP1252, 0, NULL },
	{ "latin2", CS_ICONV, 0, "ISO-8859-2" },
	{ "latin3", CS_ICONV, 0, "ISO-8859-3" },
	{ "latin4", CS_ICONV, 0, "ISO-8859-4" },
	{ "latin5", CS_ICONV, 0, "CP1254" },
	{ "latin6", CS_ICONV, 0, "ISO-8859-10" },
	{ "logical", CS_ICONV, 0, "ISO-8859-8" },
	{ "mac", CS_ICONV, 0, "MACINTOSH" },
	{ "macintosh", CS_ICONV, 0, "MACINTOSH" },
	{ "ms932", CS_ICONV, 0, "CP932" },
	{ "ms936", CS_ICONV, CSF_GB_EURO, "GB18030" },
	{ "ms949", CS_ICONV, 0, "CP949" },
	{ "ms_kanji", CS_ICONV, 0, "CP932" },
	{ "shift-jis", CS_ICONV, 0, "CP932" },
	{ "shift_jis", CS_ICONV, 0, "CP932" },
	{ "sjis", CS_ICONV, 0, "CP932" },
	{ "sun_eu_greek", CS_ICONV, 0, "ISO-8859-7" },
	{ "tis-620", CS_ICONV, 0, "CP874" },
	{ "uhc", CS_ICONV, 0, "CP949" },
	{ "unicode-1-1-utf-8", CS_UTF8, 0, NULL },
	{ "unicode11utf8", CS_UTF8, 0, NULL },
	{ "unicode20utf8", CS_UTF8, 0, NULL },
	{ "unknown", CS_UTF8, CSF_UNKNOWN, NULL },
	{ "unknown-8bit", CS_UTF8, CSF_UNKNOWN, NULL },
	{ "us-ascii", CS_UTF8, 0, NULL },
	{ "utf-8", CS_UTF8, CSF_UTF8, NULL },
	{ "utf8", CS_UTF8, CSF_UTF8, NULL },
	{ "visual", CS_ICONV, 0, "ISO-8859-8" },
	{ "windows-1250", CS_ICONV, 0, "CP1250" },
	{ "windows-1251", CS_ICONV, 0, "CP1251" },
	{ "windows-1252", CS_CP1252, 0, NULL },
	{ "windows-1253", CS_ICONV, 0, "CP1253" },
	{ "windows-1254", CS_ICONV, 0, "CP1254" },
	{ "windows-1255", CS_ICONV, 0, "CP1255" },
	{ "windows-1256", CS_ICONV, 0, "CP1256" },
	{ "windows-1257", CS_ICONV, 0, "CP1257" },
	{ "windows-1258", CS_ICONV, 0, "CP1258" },
	{ "windows-31j", CS_ICONV, 0, "CP932" },
	{ "windows-874", CS_ICONV, 0, "CP874" },
	{ "windows-936", CS_ICONV, CSF_GB_EURO, "GB18030" },
	{ "windows-949", CS_ICONV, 0, "CP949" },
	{ "x-cp1250", CS_ICONV, 0, "CP1250" },
	{ "x-cp1251", CS_ICONV, 0, "CP1251" },
	{ "x-cp1252", CS_CP1252, 0, NULL },
	{ "x-cp1253", CS_ICONV, 0, "CP1253" },
	{ "x-cp1254", CS_ICONV, 0, "CP1254" },
	{ "x-cp1255", CS_ICONV, 0, "CP1255" },
	{ "x-cp1256", CS_ICONV, 0, "CP1256" },
	{ "x-cp1257", CS_ICONV, 0, "CP1257" },
	{ "x-cp1258", CS_ICONV, 0, "CP1258" },
	{ "x-euc-jp", CS_ICONV, 0, "EUC-JP-MS" },
	{ "x-gbk", CS_ICONV, CSF_GB_EURO, "GB18030" },
	{ "x-mac-cyrillic", CS_ICONV, 0, "MAC-UK" },
	{ "x-mac-roman", CS_ICONV, 0, "MACINTOSH" },
	{ "x-mac-ukrainian", CS_ICONV, 0, "MAC-UK" },
	{ "x-sjis", CS_ICONV, 0, "CP932" },
	{ "x-unicode20utf8", CS_UTF8, 0, NULL },
	{ "x-unknown", CS_UTF8, CSF_UNKNOWN, NULL },
	{ "x-user-defined", CS_UTF8, CSF_UNKNOWN, NULL },
	{ "x-x-big5", CS_ICONV, 0, "BIG5-HKSCS" },
};

#define CS_LABEL_MAX	24	/* longer than any label above */

/* cs_label_cmp - bsearch comparison: a lowercase key and an entry */
static int
cs_label_cmp(const void *key, const void *ent)
{
	return strcmp(key, ((const struct cs_label *)ent)->label);
}

/*
 * cs_lookup - the table entry of charset label cs (case-insensitive),
 * or NULL.  NULL or "" (undeclared): UTF-8 if valid, without CSF_UTF8.
 */
static const struct cs_label *
cs_lookup(const char *cs)
{
	static const struct cs_label	 undeclared = { "", CS_UTF8, 0, NULL };
	char				 key[CS_LABEL_MAX + 1];
	size_t				 i;

	if (cs == NULL || *cs == '\0')
		return &undeclared;
	for (i = 0; cs[i] != '\0'; i++) {
		if (i == CS_LABEL_MAX)
			return NULL;
		key[i] = (char)g_ascii_tolower(cs[i]);
	}
	key[i] = '\0';
	return bsearch(key, cs_labels, ARRAY_LEN(cs_labels),
	    sizeof(cs_labels[0]), cs_label_cmp);
}

/*
 * jis_to_euc - ISO-2022-JP s[0..n) as EUC-JP bytes appended to ob, the
 * states of the WHATWG iso-2022-jp decoder: ESC ( B ASCII, ESC ( J
 * JIS X 0201 Roman (kept as ASCII: EUC-JP has no single-byte yen),
 * ESC ( I half-width katakana (SS2 + byte), ESC $ @ and ESC $ B
 * JIS X 0208 with the NEC and IBM rows (two bytes | 0x80); also
 * ESC $ ( D JIS X 0212 (SS3 + two bytes), which EUC-JP-MS has.  A line
 * break returns to ASCII (senders do, some forget).  Anything else (an
 * unknown escape, an 8-bit byte, half a character) becomes 0xFF, which
 * no EUC-JP sequence has: iconv stops there and to_utf8() puts U+FFFD.
 */
static void
jis_to_euc(struct obuf *ob, const char *s, size_t n)
{
	const unsigned char	*p = (const unsigned char *)s, *e = p + n, *q;
	unsigned char		*o;
	enum { J_ASCII, J_KANA, J_0208, J_0212 } st = J_ASCII;
	size_t			 r;

	/* at most two bytes out per byte in (half-width katakana) */
	o = (unsigned char *)ob_reserve(ob, 2 * n);
	while (p < e) {
		if (st == J_ASCII) {
			r = ascii_run(p, (size_t)(e - p));
			if ((q = memchr(p, 0x1b, r)) != NULL)
				r = (size_t)(q - p);
			memcpy(o, p, r);
			o += r;
			if ((p += r) == e)
				break;
		}
		if (*p == 0x1b) {
			if (e - p >= 3 && p[1] == '(' && (p[2] == 'B' ||
			    p[2] == 'J')) {
				st = J_ASCII;
				p += 3;
			} else if (e - p >= 3 && p[1] == '(' && p[2] == 'I') {
				st = J_KANA;
				p += 3;
			} else if (e - p >= 3 && p[1] == '$' && (p[2] == '@' ||
			    p[2] == 'B')) {
				st = J_0208;
				p += 3;
			} else if (e - p >= 4 && p[1] == '$' && p[2] == '(' &&
			    p[3] == 'D') {
				st = J_0212;
				p += 4;
			} else {
				*o++ = 0xff;
				p++;
			}
		} else if (*p == '\n' || *p == '\r') {
			st = J_ASCII;
			*o++ = *p++;
		} else if (*p >= 0x80) {
			*o++ = 0xff;
			p++;
		} else if (st == J_KANA) {
			if (*p >= 0x21 && *p <= 0x5f) {
				*o++ = 0x8e;
				*o++ = (unsigned char)(*p | 0x80);
			} else
				*o++ = 0xff;
			p++;
		} else if (st == J_0208 || st == J_0212) {
			if (e - p >= 2 && p[0] >= 0x21 && p[0] <= 0x7e &&
			    p[1] >= 0x21 && p[1] <= 0x7e) {
				if (st == J_0212)
					*o++ = 0x8f;
				*o++ = (unsigned char)(p[0] | 0x80);
				*o++ = (unsigned char)(p[1] | 0x80);
				p += 2;
			} else {
				*o++ = 0xff;
				p++;
			}
		} else
			*o++ = *p++;	/* ASCII control byte */
	}
	ob->len = (size_t)((char *)o - ob->p);
	ob->p[ob->len] = '\0';
}

/*
 * conv_run - s[0..n) through cd, the decoder of label cl (NULL: iconv's
 * own for the charset), appended to ob, then the shift back to the
 * initial state; ob stays NUL-terminated.  A byte cd cannot convert is
 * U+FFFD (a sequence cut at the end, EINVAL: one for the rest), or with
 * strict ends the run: false, and ob keeps what came before it.  With
 * CSF_GB_EURO a lone 0x80 is the euro sign, as the WHATWG gb18030
 * decoder reads it.  Shared by to_utf8 and to_utf8_strict.
 */
static bool
conv_run(iconv_t cd, const struct cs_label *cl, const char *s, size_t n,
    struct obuf *ob, bool strict)
{
	static const char	 repl[] = "\xef\xbf\xbd";
	static const char	 euro[] = "\xe2\x82\xac";
	struct obuf		 jis = { NULL, 0, 0 };
	char			*in, *out;
	size_t			 inleft, outleft, r;
	bool			 ok = true;

	if (cl != NULL && (cl->flags & CSF_JIS)) {
		jis_to_euc(&jis, s, n);
		s = jis.p;
		n = jis.len;
	}
	in = (char *)s;
	inleft = n;
	while (inleft > 0) {
		out = ob_reserve(ob, inleft * 2 + 16);
		outleft = ob->cap - ob->len - 1;
		r = iconv(cd, &in, &inleft, &out, &outleft);
		ob->len = (size_t)(out - ob->p);
		if (r != (size_t)-1)
			break;
		if (errno == E2BIG)
			continue;
		if (errno == EILSEQ && *in == '\x80' && cl != NULL &&
		    (cl->flags & CSF_GB_EURO))
			ob_put(ob, euro, 3);	/* WHATWG gb18030 decoder */
		else if (strict) {
			ok = false;
			break;
		} else
			ob_put(ob, repl, 3);	/* EILSEQ or EINVAL */
		if (errno == EINVAL)
			break;
		in++;
		inleft--;
	}
	if (ok) {
		out = ob_reserve(ob, 16);
		outleft = ob->cap - ob->len - 1;
		(void)iconv(cd, NULL, NULL, &out, &outleft);	/* shift back */
		ob->len = (size_t)(out - ob->p);
	}
	ob_reserve(ob, 0);
	ob->p[ob->len] = '\0';
	ob_free(&jis);
	return ok;
}

/*
 * to_utf8 - append s[0..n) in charset cs to ob as valid UTF-8, with the
 * decoder cs_labels gives cs.  An unknown charset falls back to
 * UTF-8-else-windows-1252 and sets EXF_CHARSET in *flags.  Invalid
 * input sequences become U+FFFD.
 */
static void
to_utf8(struct obuf *ob, const char *s, size_t n, const char *cs,
    bool drop_nul, unsigned *flags)
{
	const struct cs_label	*cl;
	iconv_t			 cd;
	char			*out;
	size_t			 r, before;
	const unsigned char	*p, *end;

	before = ob->len;
	cl = cs_lookup(cs);
	if (cl != NULL && cl->kind == CS_UTF8) {
		if (cl->flags & CSF_UNKNOWN)
			*flags |= EXF_CHARSET;
		utf8_fix(ob, s, n, drop_nul);
		return;
	}
	if (cl != NULL && cl->kind == CS_CP1252) {
		p = (const unsigned char *)s;
		end = p + n;
		out = ob_reserve(ob, 3 * n);
		while (p < end) {
			r = ascii_run(p, (size_t)(end - p));
			memcpy(out, p, r);
			out += r;
			p += r;
			if (p < end)
				out += put_cp1252(out, *p++);
		}
		ob->len = (size_t)(out - ob->p);
		ob->p[ob->len] = '\0';
		if (drop_nul)
			goto nul;
		return;
	}
	if ((cd = g_mime_iconv_open("UTF-8", cl != NULL ? cl->conv : cs)) ==
	    (iconv_t)-1) {
		*flags |= EXF_CHARSET;
		utf8_fix(ob, s, n, drop_nul);
		return;
	}
	(void)conv_run(cd, cl, s, n, ob, false);
	g_mime_iconv_close(cd);
 nul:
	if (drop_nul && memchr(ob->p + before, '\0', ob->len - before)) {
		char	*w = ob->p + before, *q;

		for (q = w; q < ob->p + ob->len; q++)
			if (*q != '\0')
				*w++ = *q;
		ob->len = (size_t)(w - ob->p);
		ob->p[ob->len] = '\0';
	}
}

/* ------------------------------------------------------ RFC 2047 */

static const signed char b64val[256] = {
	['A'] = 1, ['B'] = 2, ['C'] = 3, ['D'] = 4, ['E'] = 5, ['F'] = 6,
	['G'] = 7, ['H'] = 8, ['I'] = 9, ['J'] = 10, ['K'] = 11, ['L'] = 12,
	['M'] = 13, ['N'] = 14, ['O'] = 15, ['P'] = 16, ['Q'] = 17,
	['R'] = 18, ['S'] = 19, ['T'] = 20, ['U'] = 21, ['V'] = 22,
	['W'] = 23, ['X'] = 24, ['Y'] = 25, ['Z'] = 26,
	['a'] = 27, ['b'] = 28, ['c'] = 29, ['d'] = 30, ['e'] = 31,
	['f'] = 32, ['g'] = 33, ['h'] = 34, ['i'] = 35, ['j'] = 36,
	['k'] = 37, ['l'] = 38, ['m'] = 39, ['n'] = 40, ['o'] = 41,
	['p'] = 42, ['q'] = 43, ['r'] = 44, ['s'] = 45, ['t'] = 46,
	['u'] = 47, ['v'] = 48, ['w'] = 49, ['x'] = 50, ['y'] = 51,
	['z'] = 52, ['0'] = 53, ['1'] = 54, ['2'] = 55, ['3'] = 56,
	['4'] = 57, ['5'] = 58, ['6'] = 59, ['7'] = 60, ['8'] = 61,
	['9'] = 62, ['+'] = 63, ['/'] = 64
};	/* value + 1; 0 = not base64 */

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * What one encoded word of a run leaves for the next word of the same
 * run (same charset): the bits of an unfinished base64 quantum, or an
 * unfinished quoted-printable escape ("=" or "=X").  Broken encoders cut
 * the payload anywhere, not only between characters: "=?utf-8?q?=C2=?="
 * "=?utf-8?q?A3?=" is U+00A3, "=?x?b?ey?=" "=?x?b?NE6O...?=" is the
 * base64 "eyNE6O...".  GMime's own decoder joins them likewise.
 */
struct ewcarry {
	unsigned	 acc, bits;	/* base64: bits not yet a byte */
	char		 q[3];		/* quoted-printable: "=" [hex] */
	size_t		 nq;
};

/* ew_flush - what c still holds of the run, appended to ob as it was */
static void
ew_flush(struct obuf *ob, struct ewcarry *c)
{
	if (c->nq > 0)
		ob_put(ob, c->q, c->nq);
	c->nq = 0;
	c->bits = 0;
	c->acc = 0;
}

/*
 * ew_decode - append the decoded payload of one encoded word to ob; c
 * carries an unfinished base64 quantum or quoted-printable escape from
 * the previous word of the run into this one, and this word's to the
 * next.  A base64 word ends its quantum when it has padding, or when
 * its leftover bits are all zero (an encoder that omits the padding
 * leaves zero bits); only nonzero leftover bits, or 6 of them (never a
 * whole word), are carried.
 */
static void
ew_decode(struct obuf *ob, char enc, const char *t, size_t n,
    struct ewcarry *c)
{
	unsigned	acc, bits;
	size_t		i;
	int		v, h, l;

	if (enc == 'b' || enc == 'B') {
		if (c->nq > 0)
			ew_flush(ob, c);
		acc = c->acc;
		bits = c->bits;
		for (i = 0; i < n; i++) {
			if (t[i] == '=')
				break;
			if ((v = b64val[(unsigned char)t[i]]) == 0)
				continue;
			acc = ((acc << 6) | (unsigned)(v - 1)) & 0xffff;
			if ((bits += 6) >= 8) {
				bits -= 8;
				ob_putc(ob, (char)((acc >> bits) & 0xff));
			}
		}
		acc &= (1u << bits) - 1;
		if (i < n || bits == 0 || (bits < 6 && acc == 0))
			acc = bits = 0;
		c->acc = acc;
		c->bits = bits;
		return;
	}
	c->acc = c->bits = 0;
	for (i = 0; i < n || c->nq > 0; i++) {
		/* an escape the previous word began: its hex digits here */
		if (c->nq > 0) {
			if (i >= n)
				return;
			if (hexval((unsigned char)t[i]) < 0) {
				ob_put(ob, c->q, c->nq);
				c->nq = 0;
				i--;
				continue;
			}
			c->q[c->nq++] = t[i];
			if (c->nq == 3) {
				ob_putc(ob, (char)(hexval((unsigned char)c->q[1]) <<
				    4 | hexval((unsigned char)c->q[2])));
				c->nq = 0;
			}
			continue;
		}
		if (t[i] == '_')
			ob_putc(ob, ' ');
		else if (t[i] == '=' && i + 2 < n &&
		    (h = hexval((unsigned char)t[i + 1])) >= 0 &&
		    (l = hexval((unsigned char)t[i + 2])) >= 0) {
			ob_putc(ob, (char)(h << 4 | l));
			i += 2;
		} else if (t[i] == '=' && (i + 1 == n || (i + 2 == n &&
		    hexval((unsigned char)t[i + 1]) >= 0))) {
			/* cut at the end of the word: kept for the next */
			c->q[0] = '=';
			c->nq = 1;
			if (i + 2 == n)
				c->q[c->nq++] = t[i + 1];
			return;
		} else
			ob_putc(ob, t[i]);
	}
}

struct ew {
	const char	*start;		/* "=?" */
	const char	*end;		/* after "?=" */
	const char	*cs;		/* charset */
	size_t		 cslen;		/* without an RFC 2231 "*lang" */
	char		 enc;
	const char	*text;
	size_t		 textlen;
};

/* ew_parse - an encoded word at s ("=?" already seen), loosely */
static bool
ew_parse(const char *s, const char *end, struct ew *ew)
{
	const char	*p = s + 2, *q, *lim;

	lim = end - s > MIME_EW_MAX ? s + MIME_EW_MAX : end;
	ew->start = s;
	ew->cs = p;
	while (p < lim && *p != '?' && !is_lwsp((unsigned char)*p))
		p++;
	if (p >= lim || *p != '?' || p == ew->cs)
		return false;
	q = memchr(ew->cs, '*', (size_t)(p - ew->cs));
	ew->cslen = (size_t)((q != NULL ? q : p) - ew->cs);
	if (ew->cslen == 0 || p + 3 > lim)
		return false;
	ew->enc = p[1];
	if (strchr("bBqQ", ew->enc) == NULL || ew->enc == '\0' || p[2] != '?')
		return false;
	ew->text = p + 3;
	for (q = ew->text; q + 1 < lim; q++) {
		if (q[0] == '?' && q[1] == '=') {
			ew->textlen = (size_t)(q - ew->text);
			ew->end = q + 2;
			return true;
		}
		if (q[0] == '\r' || q[0] == '\n')
			return false;
	}
	return false;
}

/*
 * ctl_len - length of the control character at p (before e): a C0
 * control (NUL to U+001F), DEL, or a C1 control (U+0080..U+009F, C2 80
 * .. C2 9F in UTF-8); 0 if p holds none
 */
static inline size_t
ctl_len(const unsigned char *p, const unsigned char *e)
{
	if (*p < 0x20 || *p == 0x7f)
		return 1;
	if (*p == 0xc2 && e - p >= 2 && p[1] >= 0x80 && p[1] <= 0x9f)
		return 2;
	return 0;
}

/*
 * ctl_space - s[0..n) (UTF-8, NULs allowed) with its control characters
 * (ctl_len) read as white space, in place: a run of controls and spaces
 * that holds at least one control becomes one space, other text (runs
 * of spaces without a control included) is kept.  Returns the new
 * length; s[length] is NUL.  For decoded subjects, display names and
 * file names: a line break, bell or escape decoded from an encoded word
 * or carried raw must not reach a SOC screen or log line as such.
 */
static size_t
ctl_space(char *s, size_t n)
{
	unsigned char	*p = (unsigned char *)s, *e = p + n, *w, *q;
	size_t		 k;
	bool		 ctl;

	for (w = p; p < e;) {
		if (*p != ' ' && ctl_len(p, e) == 0) {
			*w++ = *p++;
			continue;
		}
		ctl = false;
		for (q = p; q < e; q += k) {
			if (*q == ' ')
				k = 1;
			else if ((k = ctl_len(q, e)) == 0)
				break;
			else
				ctl = true;
		}
		if (ctl)
			*w++ = ' ';
		else {
			memmove(w, p, (size_t)(q - p));
			w += q - p;
		}
		p = q;
	}
	*w = '\0';
	return (size_t)(w - (unsigned char *)s);
}

/* ob_unfold - remove CR and LF (folding) from ob->p[from..len) */
static void
ob_unfold(struct obuf *ob, size_t from)
{
	char	*r, *w, *e = ob->p + ob->len;

	if (from >= ob->len || ((r = memchr(ob->p + from, '\n', ob->len -
	    from)) == NULL && (r = memchr(ob->p + from, '\r', ob->len -
	    from)) == NULL))
		return;
	for (r = w = ob->p + from; r < e; r++)
		if (*r != '\r' && *r != '\n')
			*w++ = *r;
	ob->len = (size_t)(w - ob->p);
	ob->p[ob->len] = '\0';
}

/*
 * b64_word_ok - the payload of a "B" encoded word is base64: nothing but
 * the base64 alphabet and '=' (padding may be missing, the decoder stops
 * at the first '=').  A word with other bytes is left as written.
 */
static bool
b64_word_ok(const char *t, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (b64val[(unsigned char)t[i]] == 0 && t[i] != '=')
			return false;
	return true;
}

/* run of encoded words being decoded by hdr_text() */
struct ewrun {
	struct obuf	 bytes;		/* decoded, not yet converted */
	struct obuf	 u8;		/* converted text of the run */
	char		 cs[64];	/* charset of bytes */
	struct ewcarry	 carry;		/* of the last word */
	bool		 active;
};

/*
 * ewrun_conv - convert the pending bytes of the run to UTF-8 (NULs kept:
 * ctl_space() turns them into white space like the other controls)
 */
static void
ewrun_conv(struct ewrun *r, unsigned *flags)
{
	ew_flush(&r->bytes, &r->carry);
	if (r->bytes.len > 0)
		to_utf8(&r->u8, r->bytes.p, r->bytes.len, r->cs, false, flags);
	r->bytes.len = 0;
}

/* ewrun_end - finish the run: its text (mode 0) or one new word (1) */
static void
ewrun_end(struct ewrun *r, struct obuf *out, int mode, unsigned *flags)
{
	gchar	*b64;

	ewrun_conv(r, flags);
	if (mode == 0)
		ob_put(out, r->u8.p != NULL ? r->u8.p : "", r->u8.len);
	else if (r->u8.len > 0) {
		r->u8.len = ctl_space(r->u8.p, r->u8.len);
		b64 = g_base64_encode((const guchar *)r->u8.p, r->u8.len);
		ob_put(out, "=?UTF-8?B?", 10);
		ob_put(out, b64, strlen(b64));
		ob_put(out, "?=", 2);
		g_free(b64);
	}
	r->u8.len = 0;
	r->active = false;
}

/*
 * hdr_text - RFC 2047 decode (mode 0) or normalise (mode 1) raw[0..n).
 *
 * Decoding: encoded words may sit anywhere (loose); only white space
 * between two encoded words is dropped; adjacent words in one charset
 * are joined before conversion, so a character split across words comes
 * out whole; each word's base64 is decoded on its own (padding in the
 * middle of a run is fine), except that a base64 quantum or a
 * quoted-printable escape cut between two words of the run is joined
 * (struct ewcarry).  Unknown charsets: best effort and
 * EXF_CHARSET.  A "B" word whose payload is not base64 (b64_word_ok) is
 * no encoded word: it stays as written.  Raw 8-bit text: UTF-8 if
 * valid, else windows-1252 (headers() first converts a raw value from
 * the message's charset, hdr_raw()).  CR and LF of the raw text
 * (folding) are removed; then every control character, decoded or raw,
 * is white space (ctl_space()); the result is trimmed and valid UTF-8.
 *
 * Normalising: every run of encoded words is replaced by one
 * "=?UTF-8?B?...?=" word with the same text, everything else is kept
 * as is, so GMime's own phrase and parameter decoder (used for display
 * names and file names) only sees single words, which it handles; the
 * controls in a run's text are white space already (ctl_space()).
 */
static char *
hdr_text(const char *raw, size_t n, int mode, unsigned *flags)
{
	struct obuf	 out = { NULL, 0, 0 };
	struct ewrun	 run;
	const char	*p, *end, *lit, *q, *w;
	struct ew	 ew;
	size_t		 cslen, k, len;
	char		*s;
	gchar		*b64;

	memset(&run, 0, sizeof(run));
	end = raw + n;
	ob_reserve(&out, n);
	lit = p = raw;
	while (p < end) {
		q = memchr(p, '=', (size_t)(end - p));
		if (q == NULL || q + 1 >= end)
			break;
		if (q[1] != '?' || !ew_parse(q, end, &ew)) {
			p = q + 1;
			continue;
		}
		if ((ew.enc == 'b' || ew.enc == 'B') &&
		    !b64_word_ok(ew.text, ew.textlen)) {
			if (mode == 0) {
				p = q + 1;
				continue;
			}
			/* GMime would decode it: a word of its own text */
			if (run.active)
				ewrun_end(&run, &out, mode, flags);
			ob_put(&out, lit, (size_t)(q - lit));
			b64 = g_base64_encode((const guchar *)ew.start,
			    (size_t)(ew.end - ew.start));
			ob_put(&out, "=?UTF-8?B?", 10);
			ob_put(&out, b64, strlen(b64));
			ob_put(&out, "?=", 2);
			g_free(b64);
			lit = p = ew.end;
			continue;
		}
		cslen = ew.cslen < sizeof(run.cs) - 1 ? ew.cslen :
		    sizeof(run.cs) - 1;
		for (w = lit; w < q && is_lwsp((unsigned char)*w); w++)
			;
		if (run.active && w == q) {
			/* only white space between two words: dropped */
			if (strlen(run.cs) != cslen ||
			    g_ascii_strncasecmp(run.cs, ew.cs, cslen) != 0)
				ewrun_conv(&run, flags);
		} else {
			if (run.active)
				ewrun_end(&run, &out, mode, flags);
			if (mode == 0) {
				k = out.len;
				utf8_fix(&out, lit, (size_t)(q - lit), true);
				ob_unfold(&out, k);
			} else
				ob_put(&out, lit, (size_t)(q - lit));
			run.active = true;
		}
		memcpy(run.cs, ew.cs, cslen);
		run.cs[cslen] = '\0';
		ew_decode(&run.bytes, ew.enc, ew.text, ew.textlen, &run.carry);
		lit = p = ew.end;
	}
	if (run.active)
		ewrun_end(&run, &out, mode, flags);
	if (mode == 0) {
		k = out.len;
		utf8_fix(&out, lit, (size_t)(end - lit), true);
		ob_unfold(&out, k);
	} else
		ob_put(&out, lit, (size_t)(end - lit));
	ob_free(&run.bytes);
	ob_free(&run.u8);
	len = out.len;
	s = ob_steal(&out);
	if (mode == 0) {
		(void)ctl_space(s, len);
		str_trim(s);
	}
	return s;
}

/* ------------------------------------------------------- pre-pass */

struct bound {
	char	 b[MIME_BOUNDARY_MAX];	/* without the leading "--" */
	size_t	 len;
	bool	 digest;		/* its multipart is a digest */
};

enum pp_state { PP_HDR, PP_BODY, PP_MSG };

/* nesting at which GMime's own limit (1024 levels) may be near */
#define PP_DEEP		900
enum fld_kind { FK_OTHER, FK_CT, FK_CTE };

/*
 * Where an unencoded message/rfc822 part's content lies in the pre-pass
 * output: [start, end), the bytes after the blank line that ends its
 * header block up to (not including) the line break before the
 * boundary line that closes it, or to the end of the output.
 */
struct msgspan {
	size_t	 blk;			/* its header block */
	size_t	 start;
	size_t	 end;			/* NO_OFF while open */
	size_t	 level;			/* boundaries open around it */
};

/* run of open message parts too deep to record, at one level */
struct deepspan {
	size_t	 level;
	size_t	 count;
};

/* a header block whose multipart boundary was disabled for depth */
struct capped {
	size_t	 start;
	size_t	 end;
};

struct prepass {
	/* limits */
	size_t		 max_out;	/* bytes of output */
	size_t		 max_hdr;	/* bytes of one header field */
	size_t		 max_parts;	/* boundary lines */
	size_t		 max_stack;	/* nested boundaries */
	size_t		 max_fields;	/* header fields, all blocks */
	/* output */
	GByteArray	*buf;
	size_t		 cap;		/* bytes buf was sized for */
	char		*out;
	size_t		 olen;
	/*
	 * Identity: while the output is a prefix of the input, out points
	 * into the caller's (read-only) input and nothing is copied;
	 * pp_own() copies it into buf at the first difference.  wrap is
	 * the GByteArray parse() lends GMime over such an output.
	 */
	bool		 ident;
	size_t		 in_len;	/* input bytes the pre-pass may read */
	GByteArray	*wrap;
	size_t		 body_off;	/* top-level body */
	size_t		 n_headers;	/* fields of the top-level header */
	size_t		 n_fields;	/* fields kept, all blocks */
	bool		 has_headers;
	bool		 full;		/* stop: output full or parts cut */
	unsigned	 flags;
	/*
	 * Something GMime's parser may warn about (see parse_opts()): a
	 * header line that is not "name:", a boundary or the end of input
	 * inside a header block, a multipart left open or closed by its
	 * parent's boundary, a multipart without a boundary, deep nesting.
	 */
	bool		 suspect;
	/* structure: GMime's view of header blocks and boundaries */
	enum pp_state	 state;
	bool		 top;		/* in the top-level header block */
	bool		 parent_digest;	/* block is a part of a digest */
	size_t		 blk_start;
	bool		 in_field;
	bool		 blk_odd;	/* a line of the block is no field */
	bool		 fld_drop;	/* rest of this field dropped */
	size_t		 fld_start;	/* NO_OFF: not kept */
	size_t		 fld_bytes;
	enum fld_kind	 fld_kind;
	size_t		 ct_off, ct_end;	/* the Content-Type value */
	int		 cte;		/* first C-T-E: -1 none, 1 encoded */
	size_t		 n_bounds;	/* boundary lines seen */
	struct bound	*stack;
	size_t		 sn, scap;
	/* message parts: spans recorded down to the walk's max depth */
	size_t		 max_depth;
	size_t		 base_depth;	/* walk depth of this output's root */
	struct msgspan	*spans;		/* document order */
	size_t		 nspans, spcap;
	size_t		*open;		/* open recorded spans (indices) */
	size_t		 nopen, opcap;
	struct deepspan	*deep;		/* open ones not recorded */
	size_t		 ndeep, dcap;
	size_t		 depth_open;	/* open message parts, both kinds */
	/* blocks whose boundary was disabled for depth: not a defect */
	struct capped	*caps;		/* document order */
	size_t		 ncaps, ccap;
	/* header blocks that are text (no field line): GMime drops them */
	struct capped	*lost;
	size_t		 nlost, clost;
	size_t		 blk_lines;	/* lines of the block, no field yet */
	bool		 blk_field;	/* a field line in the block */
	bool		 blk_nottext;	/* a "--" or "From " line in it */
};

/* grow - make room for one more element in *v (n used, *cap allocated) */
static void *
grow(void *v, size_t n, size_t *cap, size_t size)
{
	if (n < *cap)
		return v;
	ASSERT(*cap < SIZE_MAX / 2 / size);
	*cap = *cap ? *cap * 2 : 8;
	return xrealloc(v, *cap * size);
}

/*
 * pp_span_open - an unencoded message part's content starts here.  It
 * is recorded when the walk can reach it (depth at most max_depth);
 * deeper ones are only counted, per level, so that a chain of 50,000
 * nested messages costs no memory.
 */
static void
pp_span_open(struct prepass *pp)
{
	struct msgspan	*sp;
	struct deepspan	*d;

	if (pp->base_depth + pp->sn + pp->depth_open <= pp->max_depth) {
		pp->spans = grow(pp->spans, pp->nspans, &pp->spcap,
		    sizeof(*pp->spans));
		sp = &pp->spans[pp->nspans];
		sp->blk = pp->blk_start;
		sp->start = pp->olen;
		sp->end = NO_OFF;
		sp->level = pp->sn;
		pp->open = grow(pp->open, pp->nopen, &pp->opcap,
		    sizeof(*pp->open));
		pp->open[pp->nopen++] = pp->nspans++;
	} else if (pp->ndeep > 0 && pp->deep[pp->ndeep - 1].level == pp->sn)
		pp->deep[pp->ndeep - 1].count++;
	else {
		pp->deep = grow(pp->deep, pp->ndeep, &pp->dcap,
		    sizeof(*pp->deep));
		d = &pp->deep[pp->ndeep++];
		d->level = pp->sn;
		d->count = 1;
	}
	pp->depth_open++;
}

/*
 * pp_span_close - close every open message part inside keep or more
 * boundaries (keep 0: all of them): at a boundary line starting at
 * pp->olen (its line break before it is not content), or at the end.
 */
static void
pp_span_close(struct prepass *pp, size_t keep, bool at_boundary)
{
	struct msgspan	*sp;

	while (pp->ndeep > 0 && pp->deep[pp->ndeep - 1].level >= keep) {
		pp->depth_open -= pp->deep[pp->ndeep - 1].count;
		pp->ndeep--;
	}
	while (pp->nopen > 0 &&
	    (sp = &pp->spans[pp->open[pp->nopen - 1]])->level >= keep) {
		sp->end = at_boundary && pp->olen > sp->start ? pp->olen - 1 :
		    pp->olen;
		pp->nopen--;
		pp->depth_open--;
	}
}

/*
 * pp_own - the output stops being the input as it is: copy what there
 * is so far into buf, and write there from now on.
 */
static void
pp_own(struct prepass *pp)
{
	if (!pp->ident)
		return;
	if (pp->buf == NULL)		/* else a thread's kept buffer */
		pp->buf = g_byte_array_sized_new((guint)pp->cap + 1);
	g_byte_array_set_size(pp->buf, (guint)pp->cap);
	memcpy(pp->buf->data, pp->out, pp->olen);
	pp->out = (char *)pp->buf->data;
	pp->ident = false;
}

/*
 * pp_put - s[0..n) to the output, room checked by the caller.  In
 * identity mode, bytes equal to the input at the same place (the input
 * itself, or a "\n" where the input has one) cost nothing.
 */
static inline void
pp_put(struct prepass *pp, const char *s, size_t n)
{
	if (pp->ident) {
		if (s == pp->out + pp->olen || (n <= pp->in_len - pp->olen &&
		    memcmp(pp->out + pp->olen, s, n) == 0)) {
			pp->olen += n;
			return;
		}
		pp_own(pp);
	}
	memcpy(pp->out + pp->olen, s, n);
	pp->olen += n;
}

/* pp_emit - append to the output; false (and stop) when it is full */
static inline bool
pp_emit(struct prepass *pp, const char *s, size_t n)
{
	size_t	 room = pp->max_out - pp->olen;

	if (n > room) {
		pp_put(pp, s, room);
		pp->flags |= EXF_TRUNC_BYTES;
		pp->full = true;
		return false;
	}
	pp_put(pp, s, n);
	return true;
}

static void
pp_emit_line(struct prepass *pp, const char *s, size_t n, bool eol)
{
	if (pp_emit(pp, s, n) && eol)
		(void)pp_emit(pp, "\n", 1);
}

static bool
lwsp_only(const char *s, size_t n)
{
	while (n > 0 && is_lwsp((unsigned char)*s)) {
		s++;
		n--;
	}
	return n == 0;
}

/* field_name_is - s[0..n) is a field named name, GMime's way */
static bool
field_name_is(const char *s, size_t n, const char *name)
{
	size_t	 k = strlen(name);

	if (n <= k || g_ascii_strncasecmp(s, name, k) != 0)
		return false;
	while (k < n && is_wsp((unsigned char)s[k]))
		k++;
	return k < n && s[k] == ':';
}

/*
 * is_field_line - s[0..n) starts a header field as GMime sees one: a
 * name without control characters or inner blanks, optional blanks,
 * then ':'.
 */
static bool
is_field_line(const char *s, size_t n)
{
	size_t	 i;
	bool	 blank = false;

	if (n == 0 || is_wsp((unsigned char)s[0]) || s[0] == ':')
		return false;
	for (i = 0; i < n && s[i] != ':'; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c == 0x7f)
			return false;
		if (is_wsp(c))
			blank = true;
		else if (blank)
			return false;
	}
	return i < n;
}

/*
 * clean_field_line - s[0..n) starts a header field GMime takes without
 * a word: a field line (is_field_line) whose name is ASCII and does not
 * start with "--" (which could be a boundary).
 */
static bool
clean_field_line(const char *s, size_t n)
{
	const char	*c;

	if (!is_field_line(s, n) || (n >= 2 && s[0] == '-' && s[1] == '-'))
		return false;
	for (c = s; *c != ':'; c++)	/* is_field_line found the ':' */
		if ((unsigned char)*c >= 0x80)
			return false;
	return true;
}

static void
pp_block_begin(struct prepass *pp, bool parent_digest)
{
	pp->state = PP_HDR;
	pp->top = false;
	pp->parent_digest = parent_digest;
	pp->blk_start = pp->olen;
	pp->in_field = false;
	pp->blk_odd = false;
	pp->blk_lines = 0;
	pp->blk_field = pp->blk_nottext = false;
	pp->fld_drop = false;
	pp->fld_start = NO_OFF;
	pp->ct_off = NO_OFF;
	pp->cte = -1;
}

/* pp_field_end - note Content-Type / C-T-E of the field just ended */
static void
pp_field_end(struct prepass *pp)
{
	const char	*v, *e, *c;
	size_t		 n;

	if (pp->in_field && pp->fld_start != NO_OFF &&
	    pp->fld_kind != FK_OTHER) {
		v = pp->out + pp->fld_start;
		e = pp->out + pp->olen;
		if ((c = memchr(v, ':', (size_t)(e - v))) != NULL) {
			c++;
			if (pp->fld_kind == FK_CT) {
				pp->ct_off = (size_t)(c - pp->out);
				pp->ct_end = pp->olen;
			} else if (pp->cte == -1) {
				while (c < e && is_lwsp((unsigned char)*c))
					c++;
				while (e > c && is_lwsp((unsigned char)e[-1]))
					e--;
				n = (size_t)(e - c);
				pp->cte = (n == 6 &&
				    g_ascii_strncasecmp(c, "base64", 6) == 0) ||
				    (n == 16 && g_ascii_strncasecmp(c,
				    "quoted-printable", 16) == 0) ||
				    (n == 8 && g_ascii_strncasecmp(c,
				    "uuencode", 8) == 0) ||
				    (n == 10 && g_ascii_strncasecmp(c,
				    "x-uuencode", 10) == 0) ||
				    (n == 5 && g_ascii_strncasecmp(c,
				    "x-uue", 5) == 0) ? 1 : 0;
			}
		}
	}
	pp->in_field = false;
	pp->fld_start = NO_OFF;
}

struct ctinfo {
	bool		 ok;		/* type/subtype parsed */
	bool		 multipart, digest, message;
	bool		 has_boundary;	/* a boundary parameter */
	bool		 simple;	/* ... one we can track exactly */
	const char	*b;
	size_t		 blen;
};

/*
 * maybe_ew - s[0..n) may hold an RFC 2047 encoded word ("=?" charset
 * "?" B or Q "?" ... "?="), which GMime decodes inside a parameter
 * value.  A mere "=?" (mime4j's weird-boundary.msg) is kept as written.
 */
static bool
maybe_ew(const char *s, size_t n)
{
	const char	*p = s, *e = s + n, *q;

	while ((p = g_strstr_len(p, e - p, "=?")) != NULL) {
		p += 2;
		if ((q = memchr(p, '?', (size_t)(e - p))) != NULL && q > p &&
		    e - q >= 5 && (q[1] == 'b' || q[1] == 'B' || q[1] == 'q' ||
		    q[1] == 'Q') && q[2] == '?' &&
		    g_strstr_len(q + 3, e - q - 3, "?=") != NULL)
			return true;
	}
	return false;
}

/*
 * ct_parse - the parts of a Content-Type value that decide GMime's
 * structure: the type, and the boundary parameter.  A boundary we would
 * not match exactly as GMime does (RFC 2231 continuations, quoted
 * escapes, encoded words, 8-bit or control bytes, too long) is not
 * "simple": the caller then renames it so that GMime ignores it too.
 */
static void
ct_parse(const char *v, size_t n, struct ctinfo *ci)
{
	const char	*p, *e = v + n, *t, *tn, *s, *sn, *name, *val, *ve;
	size_t		 nl;
	bool		 esc;

	memset(ci, 0, sizeof(*ci));
	p = str_skip_cfws(v, e);
	for (t = p; p < e && str_is_tchar((unsigned char)*p); p++)
		;
	tn = p;
	p = str_skip_cfws(p, e);
	if (tn > t && p < e && *p == '/') {
		p = str_skip_cfws(p + 1, e);
		for (s = p; p < e && str_is_tchar((unsigned char)*p); p++)
			;
		sn = p;
		if (sn > s) {
			ci->ok = true;
			ci->multipart = tn - t == 9 &&
			    g_ascii_strncasecmp(t, "multipart", 9) == 0;
			ci->message = tn - t == 7 &&
			    g_ascii_strncasecmp(t, "message", 7) == 0 &&
			    ((sn - s == 6 && (g_ascii_strncasecmp(s, "rfc822",
			    6) == 0 || g_ascii_strncasecmp(s, "global",
			    6) == 0)) || (sn - s == 7 && g_ascii_strncasecmp(s,
			    "rfc2822", 7) == 0) || (sn - s == 4 &&
			    g_ascii_strncasecmp(s, "news", 4) == 0));
			ci->digest = ci->multipart && sn - s == 6 &&
			    g_ascii_strncasecmp(s, "digest", 6) == 0;
		}
	}
	if (!ci->ok && (p = memchr(v, ';', n)) == NULL)
		return;
	/* parameters */
	while (p < e) {
		while (p < e && (*p == ';' || is_lwsp((unsigned char)*p)))
			p++;
		p = str_skip_cfws(p, e);
		for (name = p; p < e && *p != '=' && *p != ';' &&
		    !is_lwsp((unsigned char)*p); p++)
			;
		nl = (size_t)(p - name);
		p = str_skip_cfws(p, e);
		if (p >= e || *p != '=') {
			while (p < e && *p != ';')
				p++;
			continue;
		}
		p = str_skip_cfws(p + 1, e);
		esc = false;
		if (p < e && *p == '"') {
			for (val = ++p; p < e && *p != '"'; p++)
				if (*p == '\\') {
					esc = true;
					if (p + 1 < e)
						p++;
				}
			ve = p;
			while (p < e && *p != ';')
				p++;
		} else {
			for (val = p; p < e && *p != ';'; p++)
				;
			for (ve = p; ve > val && is_lwsp((unsigned char)ve[-1]);
			    ve--)
				;
		}
		if (nl > 8 && g_ascii_strncasecmp(name, "boundary", 8) == 0 &&
		    name[8] == '*') {
			ci->has_boundary = true;
			ci->simple = false;
			ci->b = NULL;		/* RFC 2231: do not track */
			return;
		}
		if (nl != 8 || g_ascii_strncasecmp(name, "boundary", 8) != 0 ||
		    ci->has_boundary)
			continue;
		ci->has_boundary = true;
		ci->b = val;
		ci->blen = (size_t)(ve - val);
		ci->simple = !esc && ci->blen > 0 &&
		    ci->blen <= MIME_BOUNDARY_MAX && !maybe_ew(val, ci->blen);
		for (s = val; ci->simple && s < ve; s++)
			if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
				ci->simple = false;
	}
}

/*
 * pp_mangle - rename every "boundary" in the Content-Type fields of the
 * current block to "xoundary": GMime then sees a multipart without a
 * boundary and keeps its content as an (unscanned) prologue.
 */
static void
pp_mangle(struct prepass *pp)
{
	char	*p, *e, *nl;
	char	*q;
	bool	 in_ct = false;

	pp_own(pp);			/* written in place */
	p = pp->out + pp->blk_start;
	e = pp->out + pp->olen;
	for (; p < e; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(e - p))) == NULL)
			nl = e;
		if (!is_wsp((unsigned char)*p))
			in_ct = field_name_is(p, (size_t)(nl - p),
			    "content-type");
		if (!in_ct)
			continue;
		for (q = p; q + 8 <= nl; q++)
			if (g_ascii_strncasecmp(q, "boundary", 8) == 0)
				*q = (*q == 'B') ? 'X' : 'x';
		if (nl == e)
			break;
	}
}

/* pp_block_end - the blank line after a header block: what follows? */
static void
pp_block_end(struct prepass *pp)
{
	struct ctinfo	 ci;
	struct bound	*b;
	bool		 msg;

	memset(&ci, 0, sizeof(ci));
	if (pp->ct_off != NO_OFF)
		ct_parse(pp->out + pp->ct_off, pp->ct_end - pp->ct_off, &ci);
	if ((ci.multipart && !ci.has_boundary) ||
	    pp->base_depth + pp->sn + pp->depth_open >= PP_DEEP)
		pp->suspect = true;
	if (ci.has_boundary && (ci.multipart || !ci.ok)) {
		if (ci.simple && pp->sn < pp->max_stack) {
			if (pp->sn == pp->scap) {
				pp->scap = pp->scap ? pp->scap * 2 : 8;
				pp->stack = xrealloc(pp->stack,
				    pp->scap * sizeof(*pp->stack));
			}
			b = &pp->stack[pp->sn++];
			memcpy(b->b, ci.b, ci.blen);
			b->len = ci.blen;
			b->digest = ci.digest;
		} else if (pp->sn >= pp->max_stack) {
			/* our own bound: GMime's complaint is no defect */
			pp_mangle(pp);
			pp->flags |= EXF_TRUNC_DEPTH;
			pp->caps = grow(pp->caps, pp->ncaps, &pp->ccap,
			    sizeof(*pp->caps));
			pp->caps[pp->ncaps].start = pp->blk_start;
			pp->caps[pp->ncaps++].end = pp->olen;
		} else {
			pp_mangle(pp);
			pp->flags |= EXF_PARSE_DEFECT;
		}
		pp->state = PP_BODY;
		return;
	}
	msg = ci.ok ? ci.message : pp->parent_digest;
	pp->state = msg && pp->cte != 1 ? PP_MSG : PP_BODY;
	if (pp->state == PP_MSG)
		pp_span_open(pp);
}

/* pp_field_bytes - one line of a kept field, cut at max_header_bytes */
static void
pp_field_bytes(struct prepass *pp, const char *s, size_t n, bool eol)
{
	size_t	 room;

	room = pp->max_hdr > pp->fld_bytes ? pp->max_hdr - pp->fld_bytes : 0;
	if (n > room) {
		/* never emit an empty line: it would end the header */
		if (room > 0)
			pp_emit_line(pp, s, room, true);
		pp->fld_bytes = pp->max_hdr;
		pp->fld_drop = true;
		pp->flags |= EXF_TRUNC_HEADER;
		return;
	}
	pp->fld_bytes += n;
	pp_emit_line(pp, s, n, eol);
}

static void
pp_hdr_line(struct prepass *pp, const char *s, size_t n, bool eol)
{
	if (n == 0) {
		pp_field_end(pp);
		if (!pp->top && pp->blk_lines > 0 && !pp->blk_field &&
		    !pp->blk_nottext) {
			/* text where a header should be: kept to read */
			pp->lost = grow(pp->lost, pp->nlost, &pp->clost,
			    sizeof(*pp->lost));
			pp->lost[pp->nlost].start = pp->blk_start;
			pp->lost[pp->nlost++].end = pp->olen;
		}
		if (!eol || !pp_emit(pp, "\n", 1))
			return;
		if (pp->top) {
			pp->body_off = pp->olen;
			pp->top = false;
		}
		pp_block_end(pp);
		return;
	}
	if (is_wsp((unsigned char)s[0]) && pp->in_field) {
		if (!pp->fld_drop)
			pp_field_bytes(pp, s, n, eol);
		return;
	}
	pp_field_end(pp);
	if (!pp->blk_field && !pp->top) {
		/* a block of text lines only?  (one check per block) */
		if (is_field_line(s, n))
			pp->blk_field = true;
		else if ((pp->blk_lines++ == 0 && n >= 5 &&
		    memcmp(s, "From ", 5) == 0) ||
		    (n >= 2 && s[0] == '-' && s[1] == '-'))
			pp->blk_nottext = true;
	}
	if (!pp->blk_odd && !clean_field_line(s, n))
		pp->blk_odd = pp->suspect = true;
	if (pp->top)
		pp->n_headers++;
	pp->in_field = true;
	pp->fld_bytes = 0;
	if (pp->n_fields >= pp->max_fields) {
		pp->fld_drop = true;
		pp->flags |= EXF_TRUNC_HEADER;
		return;
	}
	pp->n_fields++;
	pp->fld_drop = false;
	pp->fld_start = pp->olen;
	pp->fld_kind = FK_OTHER;
	if (s[0] == 'c' || s[0] == 'C') {
		if (field_name_is(s, n, "content-type"))
			pp->fld_kind = FK_CT;
		else if (field_name_is(s, n, "content-transfer-encoding"))
			pp->fld_kind = FK_CTE;
	}
	/*
	 * A second Content-Type or Content-Transfer-Encoding of the block
	 * is dropped: GMime would take the last, mail clients (and
	 * Python's email) take the first, so a "text/html" read as
	 * "application/octet-stream" would hide its links.  Not after a
	 * line that is no field (a boundary line where GMime ends the
	 * block, garbage): whose field it is is unsure there.
	 */
	if (!pp->blk_odd && ((pp->fld_kind == FK_CT &&
	    pp->ct_off != NO_OFF) || (pp->fld_kind == FK_CTE &&
	    pp->cte != -1))) {
		pp->fld_drop = true;
		pp->fld_start = NO_OFF;
		pp->fld_kind = FK_OTHER;
		return;
	}
	pp_field_bytes(pp, s, n, eol);
}

/*
 * pp_boundary - s[0..n) in a body: a boundary line of an open multipart
 * (checked as GMime does: innermost first, the end form before the
 * plain one, only white space after)?  Handles it and returns true.
 */
static bool
pp_boundary(struct prepass *pp, const char *s, size_t n, bool eol)
{
	const struct bound	*b;
	const char		*r;
	size_t			 i, rn;
	bool			 end = false;

	if (pp->sn == 0 || n < 2 || s[0] != '-' || s[1] != '-')
		return false;
	for (i = pp->sn; i-- > 0;) {
		b = &pp->stack[i];
		if (n < 2 + b->len || memcmp(s + 2, b->b, b->len) != 0)
			continue;
		r = s + 2 + b->len;
		rn = n - 2 - b->len;
		if (rn >= 2 && r[0] == '-' && r[1] == '-' &&
		    lwsp_only(r + 2, rn - 2)) {
			end = true;
			break;
		}
		if (lwsp_only(r, rn))
			break;
	}
	if (i == (size_t)-1)
		return false;
	if (i + 1 < pp->sn)
		pp->suspect = true;	/* closes an inner multipart too */
	pp_span_close(pp, i + 1, true);
	if (end) {
		pp->sn = i;
		pp->state = PP_BODY;
		pp_emit_line(pp, s, n, eol);
		return true;
	}
	pp->sn = i + 1;
	if (++pp->n_bounds > pp->max_parts) {
		pp->flags |= EXF_TRUNC_PARTS;
		pp->full = true;
		return true;
	}
	pp_emit_line(pp, s, n, eol);
	pp_block_begin(pp, pp->stack[i].digest);
	return true;
}

static void
pp_line(struct prepass *pp, const char *s, size_t n, bool eol)
{
	switch (pp->state) {
	case PP_MSG:
		/* GMime first checks for an empty message/rfc822 part */
		if (pp_boundary(pp, s, n, eol))
			return;
		pp_block_begin(pp, false);
		pp_hdr_line(pp, s, n, eol);
		return;
	case PP_HDR:
		pp_hdr_line(pp, s, n, eol);
		return;
	case PP_BODY:
		if (n >= 2 && s[0] == '-' && s[1] == '-' &&
		    pp_boundary(pp, s, n, eol))
			return;
		pp_emit_line(pp, s, n, eol);
		return;
	}
}

/*
 * dash_line - the first LF in s[0..n) followed by "--" within s[0..n),
 * or NULL: sixteen positions at a time with SSE2.
 */
static inline const char *
dash_line(const char *s, size_t n)
{
	size_t	i = 0;

	if (n < 3)
		return NULL;
#ifdef __SSE2__
	const __m128i	lf = _mm_set1_epi8('\n'), dash = _mm_set1_epi8('-');
	__m128i		a, b, c;
	unsigned	m;

	for (; i + 18 <= n; i += 16) {
		a = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
		b = _mm_loadu_si128((const __m128i *)(const void *)(s + i + 1));
		c = _mm_loadu_si128((const __m128i *)(const void *)(s + i + 2));
		m = (unsigned)_mm_movemask_epi8(_mm_and_si128(
		    _mm_cmpeq_epi8(a, lf), _mm_and_si128(
		    _mm_cmpeq_epi8(b, dash), _mm_cmpeq_epi8(c, dash))));
		if (m != 0)
			return s + i + (size_t)__builtin_ctz(m);
	}
#endif
	for (; i + 3 <= n; i++)
		if (s[i] == '\n' && s[i + 1] == '-' && s[i + 2] == '-')
			return s + i;
	return NULL;
}

/*
 * pp_bulk - copy body lines at p in one go: whole lines up to the next
 * CR (lim), the output bound, or a line that may be a boundary ("--"
 * at its start, only while a multipart is open).  Returns where it
 * stopped (p: nothing copied, go line by line).
 */
static const char *
pp_bulk(struct prepass *pp, const char *p, const char *lim)
{
	const char	*q, *nl;

	if (lim - p > (ptrdiff_t)(pp->max_out - pp->olen))
		lim = p + (pp->max_out - pp->olen);
	/*
	 * Up to the first line that starts with "--" (whole, before lim)
	 * while a multipart is open, else up to the last whole line: one
	 * scan, not a memchr() per line.
	 */
	if (pp->sn > 0 && (nl = dash_line(p, (size_t)(lim - p))) != NULL)
		q = nl + 1;
	else if ((nl = memrchr(p, '\n', (size_t)(lim - p))) != NULL)
		q = nl + 1;
	else
		q = p;
	pp_put(pp, p, (size_t)(q - p));
	return q;
}

/*
 * next_eol - index of the first CR or LF in s[0..n), or n: sixteen bytes
 * at a time with SSE2, one at a time elsewhere.
 */
static inline size_t
next_eol(const char *s, size_t n)
{
	size_t	i = 0;

#ifdef __SSE2__
	const __m128i	cr = _mm_set1_epi8('\r'), lf = _mm_set1_epi8('\n');
	__m128i		v;
	unsigned	m;

	for (; i + 16 <= n; i += 16) {
		v = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
		m = (unsigned)_mm_movemask_epi8(_mm_or_si128(
		    _mm_cmpeq_epi8(v, cr), _mm_cmpeq_epi8(v, lf)));
		if (m != 0)
			return i + (size_t)__builtin_ctz(m);
	}
#endif
	for (; i < n; i++)
		if (s[i] == '\r' || s[i] == '\n')
			return i;
	return n;
}

/*
 * pp_body_lines - body lines at p (up to end) without pp_line(): what
 * pp_line() does with a body line that is no boundary (CRLF and a lone
 * CR become LF), line after line, until the output is full or a line
 * may be a boundary ("--" at its start while a multipart is open).  The
 * line at p must not start with "--".  Returns where it stopped.
 */
static const char *
pp_body_lines(struct prepass *pp, const char *p, const char *end)
{
	const char	*e;

	while (p < end) {
		e = p + next_eol(p, (size_t)(end - p));
		if (e == end) {
			(void)pp_emit(pp, p, (size_t)(e - p));
			return end;
		}
		if (*e == '\n') {
			if (!pp_emit(pp, p, (size_t)(e + 1 - p)))
				return end;
			p = e + 1;
		} else {
			if (!pp_emit(pp, p, (size_t)(e - p)) ||
			    !pp_emit(pp, "\n", 1))
				return end;
			p = e + 1 < end && e[1] == '\n' ? e + 2 : e + 1;
		}
		if (pp->sn > 0 && end - p >= 2 && p[0] == '-' && p[1] == '-')
			break;
	}
	return p;
}

/* line_end - end of the line at p (CRLF, CR or LF); *next after it */
static const char *
line_end(const char *p, const char *end, const char **next)
{
	const char	*q;

	for (q = p; q < end && *q != '\n' && *q != '\r'; q++)
		;
	if (q == end)
		*next = end;
	else if (*q == '\r' && q + 1 < end && q[1] == '\n')
		*next = q + 2;
	else
		*next = q + 1;
	return q;
}

static bool
is_blank(const char *p, const char *e)
{
	while (p < e && is_wsp((unsigned char)*p))
		p++;
	return p == e;
}

/* is_mbox_from - an mbox "From " separator (not a "From :" field) */
static bool
is_mbox_from(const char *p, const char *e)
{
	if (e - p < 5 || memcmp(p, "From ", 5) != 0)
		return false;
	for (p += 5; p < e && is_wsp((unsigned char)*p); p++)
		;
	return p < e && *p != ':';
}

/*
 * pp_skip - what comes before the message proper: a UTF-8 BOM, one mbox
 * "From " line, and blank lines when a header field follows them.  Only
 * the first MIME_SKIP_MAX bytes are looked at.
 */
static size_t
pp_skip(const char *raw, size_t len)
{
	const char	*p = raw, *end, *e, *nx, *q;
	bool		 from_done = false;

	end = raw + (len < MIME_SKIP_MAX ? len : MIME_SKIP_MAX);

	for (;;) {
		if (end - p >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0) {
			p += 3;
			continue;
		}
		if (p == end)
			break;
		e = line_end(p, end, &nx);
		if (!from_done && is_mbox_from(p, e)) {
			from_done = true;
			p = nx;
			continue;
		}
		if (!is_blank(p, e) || nx == end)
			break;
		for (q = p; q < end; q = nx) {
			e = line_end(q, end, &nx);
			if (!is_blank(q, e))
				break;
		}
		if (q < end && is_field_line(q, (size_t)(e - q))) {
			p = q;
			continue;
		}
		break;
	}
	return (size_t)(p - raw);
}

/*
 * prepass - normalise raw[0..len) into pp->out[0..olen) (see the top of
 * this file): pp->buf, or raw itself as long as they do not differ
 * (identity mode: raw must then outlive the parse and the walk).  The
 * output depends only on the normalised content: CRLF, LF and mbox
 * copies of a message give the same bytes.  At most 2 * max_out + 16
 * raw bytes are looked at (a CRLF file of empty lines is the worst
 * legitimate case).
 */
static void
prepass(struct prepass *pp, const char *raw, size_t len)
{
	const char	*p, *end, *nl, *cr = NULL, *eol, *next, *e;
	size_t		 skip, avail, lim, cap, i;

	skip = pp_skip(raw, len);
	/*
	 * A first header line indented by mistake (" From: a@x.example"):
	 * GMime would take no header at all, the whole message as text;
	 * it is read without its indent (Python's email module drops that
	 * line), a defect.
	 */
	for (i = skip; i < len && is_wsp((unsigned char)raw[i]); i++)
		;
	if (i > skip && i < len) {
		e = line_end(raw + i, raw + len, &next);
		if (is_field_line(raw + i, (size_t)(e - (raw + i)))) {
			skip = i;
			pp->flags |= EXF_PARSE_DEFECT;
		}
	}
	avail = len - skip;
	lim = pp->max_out <= (SIZE_MAX - 16) / 2 ? pp->max_out * 2 + 16 :
	    SIZE_MAX;
	if (lim > avail)
		lim = avail;
	cap = lim < pp->max_out ? lim : pp->max_out;
	pp->cap = cap;
	/* never written through while ident: pp_own() copies first */
	pp->out = (char *)(uintptr_t)(raw + skip);
	pp->ident = true;
	pp->in_len = lim;
	pp->olen = 0;
	p = raw + skip;
	end = p + lim;
	e = line_end(p, end, &next);
	pp->has_headers = is_field_line(p, (size_t)(e - p));
	if (pp->has_headers) {
		pp_block_begin(pp, false);
		pp->top = true;
	} else {
		pp->state = PP_BODY;
		pp->body_off = 0;
	}
	while (p < end && !pp->full) {
		if (cr == NULL || cr < p) {
			if ((cr = memchr(p, '\r', (size_t)(end - p))) == NULL)
				cr = end;
		}
		/* body: bulk copy unless a CR is near, else lines at once */
		if (pp->state == PP_BODY && (end - p < 2 || p[0] != '-' ||
		    p[1] != '-')) {
			if (cr - p < 256 || (next = pp_bulk(pp, p, cr)) == p)
				next = pp_body_lines(pp, p, end);
			if (next != p) {
				p = next;
				continue;
			}
		}
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		if (cr < nl) {
			eol = cr;
			next = cr + 1 < end && cr[1] == '\n' ? cr + 2 : cr + 1;
		} else {
			eol = nl;
			next = nl < end ? nl + 1 : end;
		}
		pp_line(pp, p, (size_t)(eol - p), eol < end);
		p = next;
	}
	if (pp->state == PP_HDR)
		pp_field_end(pp);
	pp_span_close(pp, 0, false);
	if (!pp->full && lim < avail)
		pp->flags |= EXF_TRUNC_BYTES;
	if (pp->state != PP_BODY || pp->sn > 0 || pp->full ||
	    (pp->flags & (EXF_TRUNC_BYTES | EXF_TRUNC_HEADER |
	    EXF_TRUNC_DEPTH | EXF_TRUNC_PARTS | EXF_PARSE_DEFECT)) != 0)
		pp->suspect = true;
	if (pp->top)
		pp->body_off = pp->olen;	/* header without a body */
	if (!pp->ident) {
		g_byte_array_set_size(pp->buf, (guint)pp->olen);
		pp->out = (char *)pp->buf->data;
	}
}

static void
pp_free(struct prepass *pp)
{
	if (pp->wrap != NULL)		/* the input: not ours to free */
		(void)g_byte_array_free(pp->wrap, FALSE);
	pp->wrap = NULL;
	if (pp->buf != NULL)
		g_byte_array_free(pp->buf, TRUE);
	free(pp->stack);
	free(pp->spans);
	free(pp->open);
	free(pp->deep);
	free(pp->caps);
	free(pp->lost);
	pp->lost = NULL;
	pp->buf = NULL;
	pp->stack = NULL;
	pp->spans = NULL;
	pp->open = NULL;
	pp->deep = NULL;
	pp->caps = NULL;
}

/* ------------------------------------------------ per message */

struct mctx {
	struct extract	*x;
	struct url_set	 urls;
	size_t		 max_out, max_hdr, max_depth, max_parts, max_att;
	size_t		 max_stack;
	size_t		 fields_left;	/* header fields GMime may still get */
	size_t		 att_cap;
	bool		 stop;		/* part limit hit: walk no further */
	bool		 cut;		/* the pre-pass cut the input short */
	bool		 addr_warn;	/* GMime found an invalid address */
	GMimeMessage	*msg;		/* top-level message: hdr_charset() */
	const char	*hcs;		/* hdr_charset(), once hcs_done */
	bool		 hcs_done;
	bool		 recheck;	/* walk: parse again for warnings */
	struct prepass	*pp;		/* output GMime parses, walk walks */
	char		*scratch;	/* MIME_CHUNK-sized decode buffer */
	struct obuf	 dec;		/* transfer-decoded text */
	struct obuf	 u8;		/* text converted to UTF-8 */
};

/*
 * Work buffers a thread keeps from one message to the next (the
 * pre-pass output, decoded and converted text, the decode chunk), so
 * that a message of ordinary size costs no large allocation; one over
 * MIME_KEEP bytes is freed after use.  Released when the thread ends,
 * or by extract_shutdown() for the thread calling it.
 */
struct mcache {
	GByteArray	*pp;
	struct obuf	 dec;
	struct obuf	 u8;
	char		*scratch;
	struct bound	*stack;		/* the pre-pass's boundary stack */
	size_t		 scap;
};

/* mcache_free - GPrivate's destructor: the thread is ending */
static void
mcache_free(gpointer p)
{
	struct mcache	*c = p;

	if (c == NULL)
		return;
	if (c->pp != NULL)
		g_byte_array_free(c->pp, TRUE);
	ob_free(&c->dec);
	ob_free(&c->u8);
	free(c->scratch);
	free(c->stack);
	free(c);
}

static GPrivate		 mime_cache = G_PRIVATE_INIT(mcache_free);

/* mcache_take - lend this thread's buffers to m and pp */
static void
mcache_take(struct mctx *m, struct prepass *pp)
{
	struct mcache	*c;

	if ((c = g_private_get(&mime_cache)) == NULL) {
		c = xcalloc(1, sizeof(*c));
		g_private_set(&mime_cache, c);
	}
	pp->buf = c->pp;
	m->dec = c->dec;
	m->u8 = c->u8;
	m->scratch = c->scratch;
	pp->stack = c->stack;
	pp->scap = c->scap;
	memset(c, 0, sizeof(*c));
}

/* ob_keep - ob back to its cache slot, or freed if it grew too big */
static void
ob_keep(struct obuf *slot, struct obuf *ob)
{
	if (ob->cap <= MIME_KEEP) {
		*slot = *ob;
		slot->len = 0;
		memset(ob, 0, sizeof(*ob));
	} else
		ob_free(ob);
}

/* mcache_give - the buffers back after a message (pp->buf included) */
static void
mcache_give(struct mctx *m, struct prepass *pp)
{
	struct mcache	*c = g_private_get(&mime_cache);

	ASSERT(c != NULL);
	/* an identity pre-pass left the kept buffer as it was */
	if (pp->buf != NULL && (pp->ident || pp->cap <= MIME_KEEP)) {
		c->pp = pp->buf;
		pp->buf = NULL;
	}
	ob_keep(&c->dec, &m->dec);
	ob_keep(&c->u8, &m->u8);
	c->scratch = m->scratch;
	m->scratch = NULL;
	/* the boundary stack, unless a deep message grew it far */
	if (pp->scap <= MIME_KEEP_STACK) {
		c->stack = pp->stack;
		c->scap = pp->scap;
		pp->stack = NULL;
		pp->scap = 0;
	}
}

/* pp_capped - offset lies in a block the pre-pass disabled for depth */
static bool
pp_capped(const struct prepass *pp, gint64 offset)
{
	size_t	 lo = 0, hi, mid;

	if (pp == NULL || offset < 0)
		return false;
	hi = pp->ncaps;
	while (lo < hi) {		/* first block starting after offset */
		mid = lo + (hi - lo) / 2;
		if (pp->caps[mid].start <= (size_t)offset)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo > 0 && (size_t)offset < pp->caps[lo - 1].end;
}

/*
 * pp_header_only - the input ended inside its (top-level) header block,
 * and that header declares no multipart: a message without a body,
 * which RFC 5322 allows (GMime calls it truncated).  A multipart
 * without a body has no parts: that is still a defect.
 */
static bool
pp_header_only(const struct prepass *pp)
{
	struct ctinfo	 ci;

	if (pp == NULL || !pp->top)
		return false;
	memset(&ci, 0, sizeof(ci));
	if (pp->ct_off != NO_OFF)
		ct_parse(pp->out + pp->ct_off, pp->ct_end - pp->ct_off, &ci);
	return !ci.multipart;
}

/*
 * parser_warning - GMime's parser reports a problem.  What our own
 * bounds cause is flagged as truncation, never as a defect: a multipart
 * whose boundary the pre-pass disabled for depth, GMime's own nesting
 * limit (deeper than the walk ever goes), the end of a cut input.
 */
static void
parser_warning(gint64 offset, GMimeParserWarning code, const gchar *item,
    gpointer data)
{
	struct mctx	*m = mime_cur;

	if (m == NULL)
		return;
	switch (code) {
	case GMIME_CRIT_NESTING_OVERFLOW:
		m->x->flags |= EXF_TRUNC_DEPTH;
		break;
	case GMIME_CRIT_MULTIPART_WITHOUT_BOUNDARY:
		m->x->flags |= pp_capped(m->pp, offset) ? EXF_TRUNC_DEPTH :
		    EXF_PARSE_DEFECT;
		break;
	case GMIME_WARN_INVALID_ADDRESS_LIST:
		m->addr_warn = true;	/* addrs() looks closer */
		break;
	case GMIME_CRIT_INVALID_HEADER_NAME:
		/* an mbox From line atop an attached message is usual */
		if (item != NULL && strncmp(item, "From ", 5) == 0)
			break;
		m->x->flags |= EXF_PARSE_DEFECT;
		break;
	case GMIME_WARN_TRUNCATED_MESSAGE:
		/* our own cut is flagged as such, not as a defect; nor
		 * is a message without a body */
		if (!m->cut && !pp_header_only(m->pp))
			m->x->flags |= EXF_PARSE_DEFECT;
		break;
	case GMIME_WARN_MALFORMED_MULTIPART:
	case GMIME_WARN_MALFORMED_MESSAGE:
	case GMIME_WARN_PART_WITHOUT_CONTENT:
	case GMIME_CRIT_PART_WITHOUT_HEADERS_OR_CONTENT:
		m->x->flags |= EXF_PARSE_DEFECT;
		break;
	default:
		/* duplicated/8-bit headers, bad encoded words or
		 * parameters: ordinary mail, not structure */
		break;
	}
}

/* prepass_for - a pre-pass with this message's limits */
static void
prepass_for(struct mctx *m, struct prepass *pp, size_t max_out,
    size_t max_parts, size_t depth)
{
	memset(pp, 0, sizeof(*pp));
	pp->max_out = max_out;
	pp->max_hdr = m->max_hdr;
	pp->max_parts = max_parts;
	pp->max_stack = m->max_stack;
	pp->max_fields = m->fields_left;
	pp->max_depth = m->max_depth;
	pp->base_depth = depth;
}

/*
 * parse - GMime over pp's output, no copy; NULL if not a message.  An
 * identity output is the caller's input: GMime gets it through a
 * GByteArray that only borrows it (the stream does not own the array,
 * GMime only reads its input, and pp_free() releases the array without
 * its data), so the input must live until pp_free().
 */
static GMimeMessage *
parse(struct prepass *pp, GMimeParserOptions *opts)
{
	GMimeStream	*stream;
	GMimeParser	*parser;
	GMimeMessage	*msg;
	GByteArray	*ba = pp->buf;

	if (pp->ident) {
		if (pp->wrap == NULL)	/* parse_warnings() parses again */
			pp->wrap = g_byte_array_new_take((guint8 *)pp->out,
			    pp->olen);
		ba = pp->wrap;
	}
	stream = g_mime_stream_mem_new_with_byte_array(ba);
	g_mime_stream_mem_set_owner(GMIME_STREAM_MEM(stream), FALSE);
	parser = g_mime_parser_new_with_stream(stream);
	g_mime_parser_set_format(parser, GMIME_FORMAT_MESSAGE);
	g_mime_parser_set_persist_stream(parser, TRUE);
	msg = g_mime_parser_construct_message(parser, opts);
	g_object_unref(parser);
	g_object_unref(stream);
	return msg;
}

/* parse_opts - the options for a first parse of pp's output */
static GMimeParserOptions *
parse_opts(const struct prepass *pp)
{
	if (mime_checks == EXTRACT_CHECKS_ALWAYS || pp->suspect)
		return mime_opts;
	return quiet_opts;
}

/*
 * parse_warnings - the message was parsed quietly but the walk found
 * a structure GMime warns about: parse it again with the callback, for
 * its warnings only (the tree is the same: warnings never change it).
 */
static void
parse_warnings(struct mctx *m, struct prepass *pp, GMimeParserOptions *used)
{
	GMimeMessage	*msg;

	if (!m->recheck || used == mime_opts)
		return;
	if ((msg = parse(pp, mime_opts)) != NULL)
		g_object_unref(msg);
}

/* ------------------------------------------------------- headers */

/*
 * raw_clean - a raw header value unfolded, trimmed, valid UTF-8.  A line
 * break and the white space around it (folding: CRLF or LF, then
 * spaces or tabs) become one space; other white space is kept as is.
 */
static char *
raw_clean(const char *v)
{
	char	*s, *r, *w;

	if (v == NULL)
		return NULL;
	s = utf8_clean(v, strlen(v));
	for (r = w = s; *r != '\0';) {
		if (*r != '\r' && *r != '\n') {
			*w++ = *r++;
			continue;
		}
		while (w > s && is_wsp((unsigned char)w[-1]))
			w--;
		while (is_lwsp((unsigned char)*r))
			r++;
		*w++ = ' ';
	}
	*w = '\0';
	return str_trim(s);
}

/*
 * text_clean - raw_clean() of a decoded display name or file name, and
 * its control characters as white space (ctl_space()), trimmed again
 */
static char *
text_clean(const char *v)
{
	char	*s;

	if ((s = raw_clean(v)) != NULL) {
		(void)ctl_space(s, strlen(s));
		str_trim(s);
	}
	return s;
}

static char *
nonempty(char *s)
{
	if (s != NULL && *s == '\0') {
		free(s);
		return NULL;
	}
	return s;
}

/*
 * to_utf8_strict - s[0..n) in charset cs (the decoder cs_labels gives the
 * label, else iconv's own) appended to ob as UTF-8; false, and ob as it
 * was, when iconv does not know cs or s is not valid in it.
 */
static bool
to_utf8_strict(struct obuf *ob, const char *s, size_t n, const char *cs)
{
	const struct cs_label	*cl = cs_lookup(cs);
	iconv_t			 cd;
	size_t			 before = ob->len;
	bool			 ok;

	if ((cd = g_mime_iconv_open("UTF-8", cl != NULL ? cl->conv : cs)) ==
	    (iconv_t)-1)
		return false;
	ok = conv_run(cd, cl, s, n, ob, true) &&
	    utf8_valid(ob->p + before, ob->len - before);
	if (!ok) {
		ob->len = before;
		ob->p[ob->len] = '\0';
	}
	g_mime_iconv_close(cd);
	return ok;
}

/*
 * first_text_cs - the charset parameter of the first part of type text
 * under obj, in document order, through multiparts only (an attached
 * message has its own): "" when that part has none, NULL when there is
 * no such part.  At most *budget parts are looked at.
 */
static const char *
first_text_cs(GMimeObject *obj, size_t depth, size_t max_depth,
    size_t *budget)
{
	GMimeContentType	*ct;
	GMimeMultipart		*mp;
	const char		*t, *cs;
	int			 i, cnt;

	if (obj == NULL || *budget == 0)
		return NULL;
	(*budget)--;
	if (GMIME_IS_MULTIPART(obj)) {
		if (depth >= max_depth)
			return NULL;
		mp = GMIME_MULTIPART(obj);
		cnt = g_mime_multipart_get_count(mp);
		for (i = 0; i < cnt && *budget > 0; i++)
			if ((cs = first_text_cs(g_mime_multipart_get_part(mp,
			    i), depth + 1, max_depth, budget)) != NULL)
				return cs;
		return NULL;
	}
	if (!GMIME_IS_PART(obj) ||
	    (ct = g_mime_object_get_content_type(obj)) == NULL ||
	    (t = g_mime_content_type_get_media_type(ct)) == NULL ||
	    g_ascii_strcasecmp(t, "text") != 0)
		return NULL;
	cs = g_mime_content_type_get_parameter(ct, "charset");
	return cs != NULL ? cs : "";
}

/*
 * hdr_charset - the charset a raw 8-bit header that is not UTF-8 is
 * read in, as mail clients do: the top-level Content-Type's, else that
 * of the first text part; NULL (windows-1252 then) when there is none,
 * or it is an ASCII, UTF-8, windows-1252 or "unknown" label (cs_labels:
 * not CS_ICONV), or an ASCII-incompatible one (UTF-16, UTF-7...).
 * Looked up once per message, and only for such a header.
 */
static const char *
hdr_charset(struct mctx *m)
{
	const struct cs_label	*cl;
	GMimeObject		*top;
	const char		*cs = NULL;
	size_t			 budget;

	if (m->hcs_done)
		return m->hcs;
	m->hcs_done = true;
	if (m->msg == NULL ||
	    (top = g_mime_message_get_mime_part(m->msg)) == NULL)
		return NULL;
	cs = g_mime_object_get_content_type_parameter(top, "charset");
	if (cs == NULL || *cs == '\0') {
		budget = m->max_parts < 1000 ? m->max_parts : 1000;
		cs = first_text_cs(top, 0, m->max_depth, &budget);
	}
	if (cs == NULL || *cs == '\0' || g_ascii_strncasecmp(cs, "utf", 3) ==
	    0 || g_ascii_strncasecmp(cs, "ucs", 3) == 0)
		return NULL;
	if ((cl = cs_lookup(cs)) != NULL && cl->kind != CS_ICONV)
		return NULL;
	m->hcs = cs;
	return cs;
}

/* has_jis_esc - s holds an ISO-2022-JP escape: ESC $ B, $ @, ( B, ( J */
static bool
has_jis_esc(const char *s)
{
	for (; (s = strchr(s, 0x1b)) != NULL; s++)
		if ((s[1] == '$' && (s[2] == 'B' || s[2] == '@')) ||
		    (s[1] == '(' && (s[2] == 'B' || s[2] == 'J')))
			return true;
	return false;
}

/*
 * hdr_raw - raw header value v as the decoders should read it, or NULL
 * when v is to be read as it is (UTF-8, or windows-1252 byte by byte):
 * - 7-bit with an ISO-2022-JP escape sequence (raw JIS text): decoded
 *   as ISO-2022-JP, as bodies are;
 * - not valid UTF-8: converted from hdr_charset(), when there is one
 *   and v is valid in it.
 * Encoded words are ASCII and come out unchanged.  ASCII values (almost
 * all) cost one pass of ascii_run() and a strchr().
 */
static char *
hdr_raw(struct mctx *m, const char *v)
{
	struct obuf	 ob = { NULL, 0, 0 };
	const char	*cs;
	size_t		 n;
	unsigned	 fl = 0;

	if (v == NULL)
		return NULL;
	n = strlen(v);
	if (ascii_run((const unsigned char *)v, n) == n) {
		if (strchr(v, 0x1b) == NULL || !has_jis_esc(v))
			return NULL;
		to_utf8(&ob, v, n, "iso-2022-jp", true, &fl);
		return ob_steal(&ob);
	}
	if (utf8_valid(v, n) || (cs = hdr_charset(m)) == NULL)
		return NULL;
	if (!to_utf8_strict(&ob, v, n, cs)) {
		ob_free(&ob);
		return NULL;
	}
	if (memchr(ob.p, '\0', ob.len) != NULL) {
		ob_free(&ob);
		return NULL;
	}
	return ob_steal(&ob);
}

/* is_addr_local - a byte of an unquoted local part, loosely */
static bool
is_addr_local(int c)
{
	return c > 0x20 && c != 0x7f && strchr("<>()[]\\,;:\"@", c) == NULL;
}

/* is_addr_domain - a byte of a domain name (UTF-8 allowed) */
static bool
is_addr_domain(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '.' || c >= 0x80;
}

/* has_ace - s holds "xn--" (any case): an IDNA A-label may be in it */
static bool
has_ace(const char *s)
{
	for (; (s = strpbrk(s, "xX")) != NULL; s++)
		if (g_ascii_strncasecmp(s, "xn--", 4) == 0)
			return true;
	return false;
}

/*
 * addr_ace - the mailbox's address with its domain as written in text,
 * when text holds "xn--".  GMime (built with libidn2) gives the address
 * with the domain's A-labels decoded to Unicode
 * (internet_address_mailbox_get_addr), and the all-ASCII form with
 * get_idn_addr; SOC tools look addresses up as the header carried
 * them.  So get_idn_addr's "local@domain" is looked for in text (the
 * local part exactly, the domain ASCII case-insensitively, from *cur
 * on, then from the start: addresses come in order) and, when found,
 * the domain is text's bytes: "user@xn--bcher-kva.example" stays so,
 * case included.  A domain written in UTF-8 is not found that way and
 * keeps get_addr's form, which is the one written.  NULL: use get_addr.
 */
static char *
addr_ace(InternetAddressMailbox *mb, const char *text, const char **cur)
{
	const char	*idn, *d, *p, *q, *from;
	size_t		 dl, ll;
	int		 pass;

	if ((idn = internet_address_mailbox_get_idn_addr(mb)) == NULL ||
	    (d = strrchr(idn, '@')) == NULL || (dl = strlen(d + 1)) == 0)
		return NULL;
	ll = (size_t)(d++ - idn);
	for (pass = 0, from = *cur; pass < 2; pass++, from = text) {
		for (p = from; (p = strchr(p, '@')) != NULL; p++) {
			if (pass == 1 && p >= *cur)
				break;
			if ((size_t)(p - text) < ll ||
			    memcmp(p - ll, idn, ll) != 0 ||
			    (p - ll > text && is_addr_local(
			    (unsigned char)p[-(ptrdiff_t)ll - 1])))
				continue;
			for (q = p + 1; is_lwsp((unsigned char)*q); q++)
				;
			if (g_ascii_strncasecmp(q, d, dl) == 0 &&
			    !is_addr_domain((unsigned char)q[dl])) {
				*cur = q + dl;
				return xasprintf("%.*s@%.*s", (int)ll, idn,
				    (int)dl, q);
			}
		}
	}
	return NULL;
}

/*
 * addr_list - flatten GMime's address list (groups included) into l;
 * text is what GMime parsed (see addr_ace)
 */
static void
addr_list(struct mctx *m, struct addrlist *l, InternetAddressList *list,
    int depth, const char *text)
{
	InternetAddress	*ia;
	const char	*name, *addr;
	char		*n, *a, *w = NULL;
	const char	*cur = text;
	int		 i, cnt;
	bool		 ace;

	ace = has_ace(text);
	cnt = internet_address_list_length(list);
	for (i = 0; i < cnt; i++) {
		ia = internet_address_list_get_address(list, i);
		if (INTERNET_ADDRESS_IS_GROUP(ia)) {
			if (depth < 2)
				addr_list(m, l, internet_address_group_get_members(
				    INTERNET_ADDRESS_GROUP(ia)), depth + 1, text);
			continue;
		}
		if (!INTERNET_ADDRESS_IS_MAILBOX(ia))
			continue;
		if (l->n >= MIME_MAX_ADDRS) {
			m->x->flags |= EXF_TRUNC_HEADER;
			return;
		}
		name = internet_address_get_name(ia);
		if (ace && (w = addr_ace(INTERNET_ADDRESS_MAILBOX(ia),
		    text, &cur)) != NULL)
			addr = w;
		else
			addr = internet_address_mailbox_get_addr(
			    INTERNET_ADDRESS_MAILBOX(ia));
		n = name != NULL ? nonempty(text_clean(name)) : NULL;
		a = addr != NULL ? nonempty(raw_clean(addr)) : NULL;
		if (n != NULL || a != NULL)
			addrlist_add(l, n, a);
		free(n);
		free(a);
		free(w);
		w = NULL;
	}
}

/*
 * addr_spec_like - s[0..n) looks like an addr-spec: local@domain with
 * a dot inside the domain (not at its ends, no empty label)
 */
static bool
addr_spec_like(const char *s, size_t n)
{
	const char	*at, *d, *e = s + n;
	size_t		 i;

	if ((at = memchr(s, '@', n)) == NULL || at == s || e - at < 4)
		return false;
	for (i = 0; s + i < at; i++)
		if (!is_addr_local((unsigned char)s[i]))
			return false;
	d = at + 1;
	if (*d == '.' || e[-1] == '.' || memchr(d, '.', (size_t)(e - d)) ==
	    NULL)
		return false;
	for (; d < e; d++)
		if (!is_addr_domain((unsigned char)*d) ||
		    (*d == '.' && d[1] == '.'))
			return false;
	return true;
}

/*
 * addr_guess_name - the display name before a guessed address,
 * s[0..n): quotes dropped, encoded words decoded; NULL when empty
 */
static char *
addr_guess_name(struct mctx *m, const char *s, size_t n)
{
	char	*name, *r, *w, *v;

	name = xstrndup(s, n);
	for (r = w = name; *r != '\0'; r++)
		if (*r != '"')
			*w++ = *r;
	*w = '\0';
	v = nonempty(hdr_text(name, strlen(name), 0, &m->x->flags));
	free(name);
	return v;
}

/*
 * addr_guess - an address GMime could not parse, e.g. "Name
 * local@domain" without angle brackets: the last white-space separated
 * token that looks like an addr-spec (brackets, parentheses and quotes
 * around it removed) is the address, the text before that token
 * (quotes removed, RFC 2047 decoded, trimmed) the display name.  This
 * is what Python's email package and mail-parser recover.  False if
 * there is no such token.
 */
static bool
addr_guess(struct mctx *m, const char *s, size_t n, char **name_r,
    char **addr_r)
{
	const char	*p = s, *e = s + n, *ts, *t, *te;
	const char	*a = NULL, *ae = NULL, *as = NULL;

	while (p < e) {
		while (p < e && is_lwsp((unsigned char)*p))
			p++;
		for (ts = t = p; p < e && !is_lwsp((unsigned char)*p); p++)
			;
		for (te = p; t < te && strchr("<([\"'", *t) != NULL; t++)
			;
		while (te > t && strchr(">)]\"',;:.", te[-1]) != NULL)
			te--;
		if (te > t && addr_spec_like(t, (size_t)(te - t))) {
			as = ts;
			a = t;
			ae = te;
		}
	}
	if (a == NULL)
		return false;
	*name_r = addr_guess_name(m, s, (size_t)(as - s));
	*addr_r = utf8_clean(a, (size_t)(ae - a));
	return true;
}

/*
 * addr_angle - an item "name <addr>" GMime refused, read as a mail
 * client shows it: the display name before the last '<' outside quotes
 * (quotes dropped, encoded words decoded) and what the brackets hold
 * when it has an '@' and no ':;,<' ("Support <no reply@x.example>";
 * "MAILER DAEMON <>": a name, no address).
 * false when there are no brackets, or nothing in or before them.
 */
static bool
addr_angle(struct mctx *m, const char *s, size_t n, char **name_r,
    char **addr_r)
{
	const char	*p, *e = s + n, *lt = NULL, *gt;
	char		*name;
	bool		 quote = false;

	for (p = s; p < e; p++) {
		if (quote && *p == '\\' && p + 1 < e)
			p++;
		else if (*p == '"')
			quote = !quote;
		else if (!quote && *p == '<')
			lt = p;
	}
	if (lt == NULL || (gt = memchr(lt, '>', (size_t)(e - lt))) == NULL ||
	    !lwsp_only(gt + 1, (size_t)(e - gt - 1)))
		return false;
	*name_r = addr_guess_name(m, s, (size_t)(lt - s));
	/* an address of sorts, not a route or an empty group in brackets
	 * ("<Undisclosed-Recipient:@x.example;>") */
	name = xstrndup(lt + 1, (size_t)(gt - lt - 1));
	*addr_r = strchr(name, '@') != NULL && strpbrk(name, ":;,<") == NULL ?
	    nonempty(text_clean(name)) : NULL;
	free(name);
	if (*name_r == NULL && *addr_r == NULL)
		return false;
	return true;
}

/*
 * addr_item - one item of an address list GMime found invalid, parsed
 * alone: GMime's mailboxes if one of them has an address, else the
 * guess from the raw text, else whatever GMime made of it.
 */
static void
addr_item(struct mctx *m, struct addrlist *l, const char *s, size_t n)
{
	InternetAddressList	*list;
	char			*item, *name, *addr;
	size_t			 n0 = l->n, i;

	if (lwsp_only(s, n))
		return;
	item = xstrndup(s, n);
	if ((list = internet_address_list_parse(mime_opts, item)) != NULL) {
		addr_list(m, l, list, 0, item);
		g_object_unref(list);
	}
	free(item);
	for (i = n0; i < l->n; i++)
		if (l->v[i].addr != NULL)
			return;
	if (!addr_angle(m, s, n, &name, &addr) &&
	    !addr_guess(m, s, n, &name, &addr))
		return;
	for (i = n0; i < l->n; i++)
		free(l->v[i].name);
	l->n = n0;
	if (l->n < MIME_MAX_ADDRS)
		addrlist_add(l, name, addr);
	else
		m->x->flags |= EXF_TRUNC_HEADER;
	free(name);
	free(addr);
}

/*
 * addr_items - every top-level item of an address list, one at a time:
 * split at ',' and ';' outside quotes, comments and angle brackets; a
 * group's "name:" is dropped (groups are flattened anyway).  With l
 * NULL, only counts them.  Returns the number of items that hold an
 * '@' or a '<' (what can be a mailbox: "Worthington, Jr. <w@x>" is one).
 */
static size_t
addr_items(struct mctx *m, struct addrlist *l, const char *text)
{
	const char	*p, *item = text;
	int		 depth = 0;
	bool		 quote = false, angle = false;
	size_t		 n = 0;

	for (p = text;; p++) {
		if (*p == '\0' || (!quote && !angle && depth == 0 &&
		    (*p == ',' || *p == ';'))) {
			if (memchr(item, '@', (size_t)(p - item)) != NULL ||
			    memchr(item, '<', (size_t)(p - item)) != NULL)
				n++;
			if (l != NULL)
				addr_item(m, l, item, (size_t)(p - item));
			if (*p == '\0')
				return n;
			item = p + 1;
		} else if (quote || depth > 0) {
			if (*p == '\\' && p[1] != '\0')
				p++;
			else if (quote && *p == '"')
				quote = false;
			else if (!quote && *p == '(')
				depth++;
			else if (!quote && *p == ')')
				depth--;
		} else if (*p == '"')
			quote = true;
		else if (*p == '(')
			depth = 1;
		else if (*p == '<')
			angle = true;
		else if (*p == '>')
			angle = false;
		else if (*p == ':' && !angle)
			item = p + 1;
	}
}

/*
 * addr_name_split - From's display name cut at an unquoted comma: a
 * first mailbox that is a bare word (no name, no '@') followed by one
 * with a name and an addr-spec ("Charles,, likes commas <c@x.example>",
 * "Charles, likes commas <c@x.example>": GMime makes "Charles" a
 * mailbox without a domain) is the start of that name, as GMime itself
 * reads "Charles Kerr, Pan Programmer <c@x.example>" and mail clients
 * show it.  Only for From, where a local-only address is no sender.
 */
static void
addr_name_split(struct addrlist *l)
{
	char	*n;
	size_t	 i;

	if (l->n < 2 || l->v[0].name != NULL || l->v[0].addr == NULL ||
	    strchr(l->v[0].addr, '@') != NULL || l->v[1].name == NULL ||
	    l->v[1].addr == NULL || strchr(l->v[1].addr, '@') == NULL)
		return;
	n = xasprintf("%s, %s", l->v[0].addr, l->v[1].name);
	free(l->v[1].name);
	l->v[1].name = n;
	free(l->v[0].addr);
	for (i = 1; i < l->n; i++)
		l->v[i - 1] = l->v[i];
	l->n--;
}

/*
 * addrs - parse an address header (display names decoded) into l.
 * When GMime reports part of it invalid (it then drops that part), each
 * item is parsed alone and an item without an address gets
 * addr_guess()'s reading.
 */
static void
addrs(struct mctx *m, struct addrlist *l, const char *raw)
{
	InternetAddressList	*list;
	char			*norm = NULL, *conv;
	const char		*text;
	size_t			 n0 = l->n, i;

	if (raw == NULL)
		return;
	if ((conv = hdr_raw(m, raw)) != NULL)
		raw = conv;
	if (strstr(raw, "=?") != NULL)
		norm = hdr_text(raw, strlen(raw), 1, &m->x->flags);
	text = norm != NULL ? norm : raw;
	m->addr_warn = false;
	if ((list = internet_address_list_parse(mime_opts, text)) != NULL) {
		addr_list(m, l, list, 0, text);
		g_object_unref(list);
	}
	/* GMime gives up on some values, or drops some items, without a
	 * warning ("Name <>", "Support <no reply@x.example>"): when it
	 * found fewer mailboxes than there are items, read them one by
	 * one too */
	if (m->addr_warn || l->n - n0 < addr_items(m, NULL, text)) {
		for (i = n0; i < l->n; i++) {
			free(l->v[i].name);
			free(l->v[i].addr);
		}
		l->n = n0;
		addr_items(m, l, text);
	}
	free(norm);
	free(conv);
}

/* first_addr - the addr-spec of the first address in raw */
static char *
first_addr(struct mctx *m, const char *raw)
{
	struct addrlist	 l = { NULL, 0, 0 };
	char		*a = NULL;
	size_t		 i;

	addrs(m, &l, raw);
	for (i = 0; i < l.n && a == NULL; i++)
		if (l.v[i].addr != NULL)
			a = xstrdup(l.v[i].addr);
	addrlist_free(&l);
	return a;
}

/* path_addr - Return-Path: the addr-spec without <>; "<>" is NULL */
static char *
path_addr(const char *raw)
{
	char	*s, *p, *e;

	if ((s = raw_clean(raw)) == NULL)
		return NULL;
	p = s;
	if (*p == '<') {
		p++;
		if ((e = strchr(p, '>')) != NULL)
			*e = '\0';
	} else {
		for (e = p; *e != '\0' && !is_wsp((unsigned char)*e); e++)
			;
		*e = '\0';
	}
	memmove(s, p, strlen(p) + 1);
	return nonempty(str_trim(s));
}

/* is_month - s[0..n) is an English month name or its 3-letter form */
static bool
is_month(const char *s, size_t n)
{
	static const char	 mon[] = "janfebmaraprmayjunjulaugsepoctnovdec";
	size_t			 i;

	if (n < 3)
		return false;
	for (i = 0; i < n; i++)
		if (!g_ascii_isalpha(s[i]))
			return false;
	for (i = 0; i < 36; i += 3)
		if (g_ascii_strncasecmp(s, mon + i, 3) == 0)
			return true;
	return false;
}

/* all_digits - s[0..n) is one or more ASCII digits */
static bool
all_digits(const char *s, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return n > 0;
}

/* put_year - a 2- or 3-digit year s[0..n) as RFC 5322 4.3 reads it */
static void
put_year(struct obuf *ob, const char *s, size_t n)
{
	char	 b[16];
	int	 y = 0;
	size_t	 i;

	for (i = 0; i < n; i++)
		y = y * 10 + (s[i] - '0');
	y += n == 3 || y >= 50 ? 1900 : 2000;
	(void)snprintf(b, sizeof(b), "%04d", y);
	ob_put(ob, b, 4);
}

/* is_dotted_time - s[0..n) is "H.MM" or "H.MM.SS" (1 or 2 hour digits) */
static bool
is_dotted_time(const char *s, size_t n)
{
	size_t	 h;

	h = n > 1 && s[1] == '.' ? 1 : 2;
	if (n != h + 3 && n != h + 6)
		return false;
	if (!all_digits(s, h) || s[h] != '.' || !all_digits(s + h + 1, 2))
		return false;
	return n == h + 3 || (s[h + 3] == '.' && all_digits(s + h + 4, 2));
}

/*
 * Zone names outside RFC 5322 that mailers write instead of an offset
 * (GMime reads the RFC's UT, GMT, EST...PDT and reads any other name as
 * +0000): the common unambiguous ones, minutes east of UTC.  "IST"
 * (India, Ireland, Israel) and "CST" (GMime: US Central; also China)
 * are left as they are.
 */
static const struct {
	const char	*name;
	int		 min;
} date_zones[] = {
	{ "ACST", 570 }, { "ADT", -180 }, { "AEDT", 660 }, { "AEST", 600 },
	{ "AKDT", -480 }, { "AKST", -540 }, { "AST", -240 }, { "AWST", 480 },
	{ "BST", 60 }, { "CEST", 120 }, { "CET", 60 }, { "EEST", 180 },
	{ "EET", 120 }, { "HKT", 480 }, { "HST", -600 }, { "JST", 540 },
	{ "KST", 540 }, { "MESZ", 120 }, { "MEST", 120 }, { "MET", 60 },
	{ "MEZ", 60 }, { "MSK", 180 }, { "NDT", -150 }, { "NST", -210 },
	{ "NZDT", 780 }, { "NZST", 720 }, { "SGT", 480 }, { "UTC", 0 },
	{ "WEST", 60 }, { "WET", 0 }
};

/*
 * date_zone - the offset, in minutes east, that zone name s[0..n) means,
 * through date_zones[] or as a military letter other than Z (RFC 5322
 * 4.3: their meaning was reversed in RFC 822, so they are -0000, UTC;
 * GMime applies RFC 822's reading); false for other names
 */
static bool
date_zone(const char *s, size_t n, int *min)
{
	size_t	 i;

	if (n == 1 && g_ascii_isalpha(*s) && *s != 'z' && *s != 'Z' &&
	    *s != 'j' && *s != 'J') {
		*min = 0;
		return true;
	}
	for (i = 0; i < sizeof(date_zones) / sizeof(date_zones[0]); i++)
		if (strlen(date_zones[i].name) == n &&
		    g_ascii_strncasecmp(s, date_zones[i].name, n) == 0) {
			*min = date_zones[i].min;
			return true;
		}
	return false;
}

/* put_offset - "+hhmm" / "-hhmm" for min minutes east */
static void
put_offset(struct obuf *ob, int min)
{
	char	 b[16];

	(void)snprintf(b, sizeof(b), "%c%02d%02d", min < 0 ? '-' : '+',
	    abs(min) / 60, abs(min) % 60);
	ob_put(ob, b, 5);
}

/*
 * is_clock - s[0..n) is a time "H:MM" or "H:MM:SS" (1 or 2 hour digits);
 * *h gets the hour, *sec the offset of the seconds (0: none)
 */
static bool
is_clock(const char *s, size_t n, int *h, size_t *sec)
{
	size_t	 hl;

	hl = n > 1 && s[1] == ':' ? 1 : 2;
	if ((n != hl + 3 && n != hl + 6) || !all_digits(s, hl) ||
	    s[hl] != ':' || !all_digits(s + hl + 1, 2))
		return false;
	if (n == hl + 6 && (s[hl + 3] != ':' || !all_digits(s + hl + 4, 2)))
		return false;
	*h = hl == 1 ? s[0] - '0' : (s[0] - '0') * 10 + (s[1] - '0');
	*sec = n == hl + 6 ? hl + 4 : 0;
	return true;
}

/*
 * frac_clock - the length of the "h:mm:ss" before the fractional seconds
 * of a time "h:mm:ss.f" (1 to 9 digits: "22:23:35.882"), or 0 when the
 * token s of length n is not one
 */
static size_t
frac_clock(const char *s, size_t n)
{
	const char	*dot = memchr(s, '.', n);
	size_t		 k, sec;
	int		 h;

	if (dot == NULL)
		return 0;
	k = (size_t)(dot - s);
	if (n - k - 1 < 1 || n - k - 1 > 9 || !all_digits(dot + 1, n - k - 1) ||
	    !is_clock(s, k, &h, &sec) || sec == 0)
		return 0;
	return k;
}

/*
 * date_iso - an ISO 8601 / RFC 3339 date-time, the whole of v
 * ("2023-11-13T10:00:00Z", "2023-11-13 10:00:00.123+01:00", no zone is
 * UTC), written to ob the RFC 5322 way; false if v is not one
 */
static bool
date_iso(const char *v, struct obuf *ob)
{
	static const char	 mon[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	const char		*p;
	char			 b[64];
	int			 y, mo, d, h, mi, sec = 0, zh = 0, zm = 0, k = 0;
	char			 sign = '+';

	while (is_lwsp((unsigned char)*v))
		v++;
	if (!all_digits(v, 4) || v[4] != '-' || !all_digits(v + 5, 2) ||
	    v[7] != '-' || !all_digits(v + 8, 2) ||
	    (v[10] != 'T' && v[10] != 't' && v[10] != ' ') ||
	    !all_digits(v + 11, 2) || v[13] != ':' || !all_digits(v + 14, 2))
		return false;
	y = atoi(v);
	mo = atoi(v + 5);
	d = atoi(v + 8);
	h = atoi(v + 11);
	mi = atoi(v + 14);
	p = v + 16;
	if (*p == ':' && all_digits(p + 1, 2)) {
		sec = atoi(p + 1);
		p += 3;
		if (*p == '.' || *p == ',')
			for (p++; g_ascii_isdigit(*p); p++)
				;
	}
	while (*p == ' ')
		p++;
	if (*p == 'Z' || *p == 'z')
		p++;
	else if ((*p == '+' || *p == '-') && all_digits(p + 1, 2)) {
		sign = *p;
		zh = atoi(p + 1);
		p += 3;
		if (*p == ':')
			p++;
		if (all_digits(p, 2)) {
			zm = atoi(p);
			p += 2;
		}
	}
	while (is_lwsp((unsigned char)*p))
		p++;
	if (*p != '\0' || mo < 1 || mo > 12)
		return false;
	k = snprintf(b, sizeof(b), "%02d %.3s %04d %02d:%02d:%02d %c%02d%02d",
	    d, mon + 3 * (mo - 1), y, h, mi, sec, sign, zh, zm);
	ob_put(ob, b, (size_t)k);
	return true;
}

/*
 * date_fix - the Date value v with what GMime (3.2) misreads put right,
 * or NULL when there is nothing to change:
 * - a 2-digit year after "day month" or in "dd-Mon-yy": 00-49 is 20xx,
 *   50-99 is 19xx; a 3-digit year is year + 1900 (RFC 5322 section 4.3;
 *   GMime reads 50-69 as 2050-2069 and refuses 3 digits);
 * - a time written with dots ("10.00.00", old mailers; Python's email
 *   package reads it so too), which GMime reads as midnight;
 * - fractional seconds ("22:23:35.882"), which make GMime read midnight
 *   too, are dropped;
 * - after the time: "AM" / "PM" (a 12-hour clock), a zone offset
 *   without its sign ("0200", "400": east, as Python and MimeKit read
 *   it) when the date before the time is whole (day and year), a zone
 *   name of date_zones[] or a military letter (date_zone()) when no
 *   offset came first, all of which GMime ignores;
 * - a leap second (":60"), which GMime refuses, is :59;
 * - a time glued to its offset ("00:01+0000"), whose minutes GMime
 *   drops, is written apart;
 * - an ISO 8601 date-time (date_iso()), which GMime refuses.
 */
static char *
date_fix(const char *v)
{
	struct obuf	 ob = { NULL, 0, 0 };
	const char	*p = v, *t, *te, *m1, *m2;
	char		 tb[16], *ws;
	size_t		 n, i, sec, fr, tpos = 0, tend = 0;
	int		 state = 0;	/* 1: after a day, 2: after day month */
	int		 h, min, nums = 0;
	bool		 changed = false, clock = false, zone = false;
	bool		 just = false;	/* the token before was the time */
	bool		 ampm = false;	/* AM/PM applied */

	if (date_iso(v, &ob))
		return ob_steal(&ob);
	while (*p != '\0') {
		for (t = p; *t != '\0' && (is_lwsp((unsigned char)*t) ||
		    *t == ','); t++)
			;
		ob_put(&ob, p, (size_t)(t - p));
		if (*t == '\0')
			break;
		for (te = t; *te != '\0' && !is_lwsp((unsigned char)*te) &&
		    *te != ','; te++)
			;
		n = (size_t)(te - t);
		m1 = memchr(t, '-', n);
		m2 = m1 != NULL ? memchr(m1 + 1, '-', (size_t)(te - m1 - 1)) :
		    NULL;
		if (clock && just && !ampm && n == 2 &&
		    (g_ascii_strncasecmp(t, "am", 2) == 0 ||
		    g_ascii_strncasecmp(t, "pm", 2) == 0)) {
			/* 12-hour clock: the time rewritten, AM/PM dropped */
			h = atoi(ob.p + tpos);
			if (g_ascii_tolower(*t) == 'a')
				h = h == 12 ? 0 : h;
			else
				h = h < 12 ? h + 12 : h;
			i = strspn(ob.p + tpos, "0123456789");
			(void)snprintf(tb, sizeof(tb), "%02d", h);
			ws = xasprintf("%s%.*s", tb, (int)(ob.len - tpos - i),
			    ob.p + tpos + i);
			ob.len = tpos;
			ob_put(&ob, ws, strlen(ws));
			free(ws);
			changed = ampm = true;	/* once: no O(n^2) */
			p = te;
			continue;	/* still just after the time */
		}
		if (state == 2 && (n == 2 || n == 3) && all_digits(t, n)) {
			put_year(&ob, t, n);
			changed = true;
		} else if (m2 != NULL && (m1 - t == 1 || m1 - t == 2) &&
		    all_digits(t, (size_t)(m1 - t)) &&
		    is_month(m1 + 1, (size_t)(m2 - m1 - 1)) &&
		    (te - m2 == 3 || te - m2 == 4) &&
		    all_digits(m2 + 1, (size_t)(te - m2 - 1))) {
			ob_put(&ob, t, (size_t)(m2 + 1 - t));
			put_year(&ob, m2 + 1, (size_t)(te - m2 - 1));
			changed = true;
			nums += 2;
		} else if (is_dotted_time(t, n)) {
			if (!clock)
				tpos = ob.len;
			for (i = 0; i < n; i++)
				ob_putc(&ob, t[i] == '.' ? ':' : t[i]);
			changed = clock = true;
		} else if (!clock && n > 5 && (t[n - 5] == '+' ||
		    t[n - 5] == '-') && all_digits(t + n - 4, 4) &&
		    is_clock(t, n - 5, &h, &sec)) {
			/* "00:01+0000": GMime drops the minutes of a time
			 * glued to its zone; written apart */
			tpos = ob.len;
			ob_put(&ob, t, n - 5);
			ob_putc(&ob, ' ');
			ob_put(&ob, t + n - 5, 5);
			changed = clock = zone = true;
		} else if (!clock && (fr = frac_clock(t, n)) != 0) {
			/* "22:23:35.882": GMime reads a time with fractional
			 * seconds as midnight; the fraction is dropped */
			tpos = ob.len;
			ob_put(&ob, t, fr);
			changed = clock = true;
		} else if (!clock && is_clock(t, n, &h, &sec)) {
			tpos = ob.len;
			ob_put(&ob, t, n);
			if (sec != 0 && t[sec] == '6' && t[sec + 1] == '0') {
				ob.p[tpos + sec + 1] = '9';
				ob.p[tpos + sec] = '5';
				changed = true;
			}
			clock = true;
		} else if (clock && !zone && just && nums >= 2 &&
		    (n == 3 || n == 4) && all_digits(t, n) &&
		    atoi(t) % 100 < 60) {
			put_offset(&ob, atoi(t) / 100 * 60 + atoi(t) % 100);
			changed = zone = true;
		} else if (clock && !zone && date_zone(t, n, &min)) {
			put_offset(&ob, min);
			changed = zone = true;
		} else {
			if (clock && n >= 5 && (*t == '+' || *t == '-') &&
			    all_digits(t + 1, 4))
				zone = true;
			ob_put(&ob, t, n);
		}
		if (!clock && all_digits(t, n))
			nums++;
		just = clock && tend == 0;
		if (just)
			tend = ob.len;
		if (n <= 2 && all_digits(t, n))
			state = 1;
		else
			state = state == 1 && is_month(t, n) ? 2 : 0;
		p = te;
	}
	if (!changed) {
		ob_free(&ob);
		return NULL;
	}
	return ob_steal(&ob);
}

/*
 * date_plausible - v names a day of the year: it has an English month
 * name (a run of letters), or a numeric date "d-m-y" / "d/m/y" (GMime
 * reads "17-6-2008 17:10:08").  GMime's lenient parser makes a date of
 * any run of numbers (" 4 8 15 16 23 42" is 2015-04-08); such garbage
 * is no date.
 */
static bool
date_plausible(const char *v)
{
	const char	*p, *q;
	size_t		 sep;

	for (p = v; *p != '\0'; p = q) {
		for (q = p; g_ascii_isalpha(*q); q++)
			;
		if (q > p && is_month(p, (size_t)(q - p)))
			return true;
		if (q > p)
			continue;
		for (sep = 0; g_ascii_isdigit(*q) || ((*q == '-' || *q == '/') &&
		    g_ascii_isdigit(q[1])); q++)
			if (*q == '-' || *q == '/')
				sep++;
		if (sep == 2 && q > p && g_ascii_isdigit(*p))
			return true;
		if (q == p)
			q++;
	}
	return false;
}

/*
 * date_ms - unix ms of Date value v (GMime's reading of date_fix(v)), or
 * -1 when it is unparseable (or not date_plausible()) or before 1970 (no mail is that old: a
 * forged or broken date, flagged as bad_date like an unreadable one)
 */
static int64_t
date_ms(const char *v)
{
	GDateTime	*dt;
	char		*fix = date_fix(v);
	int64_t		 ms = -1;

	if (date_plausible(fix != NULL ? fix : v) &&
	    (dt = g_mime_utils_header_decode_date(fix != NULL ? fix : v)) !=
	    NULL) {
		ms = (int64_t)g_date_time_to_unix(dt) * 1000 +
		    g_date_time_get_microsecond(dt) / 1000;
		g_date_time_unref(dt);
	}
	free(fix);
	return ms < 0 ? -1 : ms;
}

/* top-level header fields we look at: the first of each */
enum {
	H_FROM, H_TO, H_CC, H_SUBJECT, H_DATE, H_REPLY_TO, H_MESSAGE_ID,
	H_RETURN_PATH, H_SENDER, H_IN_REPLY_TO, H_X_MAILER, H_USER_AGENT,
	H_AUTH_RESULTS, H_X_ORIG_IP, H_N
};

static const char *const hnames[H_N] = {
	"from", "to", "cc", "subject", "date", "reply-to", "message-id",
	"return-path", "sender", "in-reply-to", "x-mailer", "user-agent",
	"authentication-results", "x-originating-ip"
};

/*
 * received_hop - one top-level Received field (raw value v): count it
 * and keep its client IP when that is public and new.  Fields come
 * newest first; headers() turns the list into path order.
 */
static void
received_hop(struct extract *x, const char *v)
{
	char	ip[RECEIVED_IP_MAX];

	if (++x->received_hops > RECEIVED_MAX || v == NULL)
		return;
	if (received_from_ip(v, ip) && received_ip_public(ip) &&
	    !strlist_contains(&x->received_ips, ip))
		strlist_add(&x->received_ips, ip);
}

/*
 * the fields that must occur at most once (RFC 5322 3.6) and that a
 * reader of the alert sees: a second one is EXF_DUP_HEADER (two From
 * fields are a display-spoofing trick: mail clients differ in which one
 * they show; OpenDMARC rejects such mail)
 */
static const bool hdup[H_N] = {
	[H_FROM] = true, [H_TO] = true, [H_CC] = true, [H_SUBJECT] = true,
	[H_DATE] = true, [H_REPLY_TO] = true, [H_MESSAGE_ID] = true,
	[H_SENDER] = true
};

/*
 * headers - the top-level header fields into x; raw values to v[] (the
 * first of each).  The first From, Subject, Date, Message-ID, Sender and
 * Reply-To count (what the content hash and most clients use); the
 * recipients of every To and Cc field are collected, in order.
 */
static void
headers(struct mctx *m, GMimeMessage *msg, const char *v[H_N])
{
	struct extract	*x = m->x;
	GMimeHeaderList	*hl;
	GMimeHeader	*h;
	const char	*name, *raw;
	const char	**more = NULL;	/* further To (even) and Cc (odd) */
	size_t		 nmore = 0, cmore = 0, k;
	char		*conv;
	int		 i, j, cnt;

	hl = g_mime_object_get_header_list(GMIME_OBJECT(msg));
	cnt = hl != NULL ? g_mime_header_list_get_count(hl) : 0;
	for (i = 0; i < cnt; i++) {
		h = g_mime_header_list_get_header_at(hl, i);
		if ((name = g_mime_header_get_name(h)) == NULL)
			continue;
		if ((name[0] == 'r' || name[0] == 'R') &&
		    g_ascii_strcasecmp(name, "received") == 0) {
			received_hop(x, g_mime_header_get_raw_value(h));
			continue;
		}
		for (j = 0; j < H_N; j++)
			if (g_ascii_strcasecmp(name, hnames[j]) == 0)
				break;
		if (j == H_N)
			continue;
		if ((raw = g_mime_header_get_raw_value(h)) == NULL)
			raw = "";
		if (v[j] == NULL) {
			v[j] = raw;
			continue;
		}
		if (hdup[j])
			x->flags |= EXF_DUP_HEADER;
		if (j == H_TO || j == H_CC) {
			more = grow(more, nmore, &cmore, sizeof(*more) * 2);
			more[2 * nmore] = j == H_TO ? raw : NULL;
			more[2 * nmore++ + 1] = j == H_CC ? raw : NULL;
		}
	}
	for (i = 0; i < (int)(x->received_ips.n / 2); i++) {
		char	*t = x->received_ips.v[i];

		x->received_ips.v[i] =
		    x->received_ips.v[x->received_ips.n - 1 - i];
		x->received_ips.v[x->received_ips.n - 1 - i] = t;
	}
	m->msg = msg;
	if (v[H_SUBJECT] != NULL) {
		conv = hdr_raw(m, v[H_SUBJECT]);
		raw = conv != NULL ? conv : v[H_SUBJECT];
		x->subject = hdr_text(raw, strlen(raw), 0, &x->flags);
		free(conv);
	}
	if (v[H_DATE] != NULL) {
		x->date = raw_clean(v[H_DATE]);
		x->date_ms = date_ms(v[H_DATE]);
	}
	x->message_id = nonempty(raw_clean(v[H_MESSAGE_ID]));
	addrs(m, &x->from, v[H_FROM]);
	addr_name_split(&x->from);
	addrs(m, &x->to, v[H_TO]);
	for (k = 0; k < nmore; k++)
		addrs(m, &x->to, more[2 * k]);
	addrs(m, &x->cc, v[H_CC]);
	for (k = 0; k < nmore; k++)
		addrs(m, &x->cc, more[2 * k + 1]);
	free(more);
	addrs(m, &x->reply_to, v[H_REPLY_TO]);
	x->return_path = path_addr(v[H_RETURN_PATH]);
	if (v[H_SENDER] != NULL)
		x->sender = first_addr(m, v[H_SENDER]);
	x->in_reply_to = nonempty(raw_clean(v[H_IN_REPLY_TO]));
	x->x_mailer = nonempty(raw_clean(v[H_X_MAILER] != NULL ?
	    v[H_X_MAILER] : v[H_USER_AGENT]));
	x->auth_results = nonempty(raw_clean(v[H_AUTH_RESULTS]));
	x->x_originating_ip = nonempty(raw_clean(v[H_X_ORIG_IP]));
}

/*
 * has_bidi - UTF-8 s holds a bidirectional embedding, override or
 * isolate control (U+202A..U+202E LRE RLE PDF LRO RLO, U+2066..U+2069
 * LRI RLI FSI PDI): the characters that reorder what follows them,
 * used to disguise a file name ("invoice\u202Efdp.exe" shows as
 * "invoiceexe.pdf") or a subject or sender name (the "Trojan Source"
 * set, CVE-2021-42574).  The implicit marks U+200E, U+200F (LRM, RLM)
 * and U+061C (ALM) are not counted: they only settle the direction of
 * neutral characters next to them, cannot reverse a run of letters,
 * and are in ordinary Hebrew and Arabic mail (mail clients insert
 * them), so flagging them would flag that mail.  All of these are
 * U+2xxx: E2 80 AA..AE and E2 81 A6..A9.
 */
static bool
has_bidi(const char *s)
{
	const unsigned char	*p;

	if (s == NULL)
		return false;
	for (p = (const unsigned char *)s;
	    (p = (const unsigned char *)strchr((const char *)p, 0xe2)) != NULL;
	    p++)
		if ((p[1] == 0x80 && p[2] >= 0xaa && p[2] <= 0xae) ||
		    (p[1] == 0x81 && p[2] >= 0xa6 && p[2] <= 0xa9))
			return true;
	return false;
}

/* addrs_bidi - a display name in l has a bidi control */
static bool
addrs_bidi(const struct addrlist *l)
{
	size_t	 i;

	for (i = 0; i < l->n; i++)
		if (has_bidi(l->v[i].name))
			return true;
	return false;
}

/*
 * flag_bidi - EXF_BIDI when the subject, a display name (From, To, Cc,
 * Reply-To) or an attachment's file name holds a bidi control.  The
 * text is kept as decoded; the flag says it may not read as shown.
 */
static void
flag_bidi(struct extract *x)
{
	size_t	 i;
	bool	 b;

	b = has_bidi(x->subject) || addrs_bidi(&x->from) ||
	    addrs_bidi(&x->to) || addrs_bidi(&x->cc) ||
	    addrs_bidi(&x->reply_to);
	for (i = 0; !b && i < x->n_att; i++)
		b = has_bidi(x->att[i].name);
	if (b)
		x->flags |= EXF_BIDI;
}

/* -------------------------------------------------- content hash */

/* hash_value - "name:" + canonical value + "\n" */
static void
hash_value(struct digest *d, const char *name, const char *v)
{
	const char	*p, *q;
	bool		 first = true;

	digest_update(d, name, strlen(name));
	digest_update(d, ":", 1);
	for (p = v; p != NULL && *p != '\0'; p = q) {
		while (is_lwsp((unsigned char)*p))
			p++;
		if (*p == '\0')
			break;
		for (q = p; *q != '\0' && !is_lwsp((unsigned char)*q); q++)
			;
		if (!first)
			digest_update(d, " ", 1);
		first = false;
		digest_update(d, p, (size_t)(q - p));
	}
	digest_update(d, "\n", 1);
}

/*
 * content_hash - content_sha256, the basis of the stable alert id when
 * a message has no Message-ID (docs/ALERT-ID.md).  The exact rule:
 *
 *   SHA-256 over
 *   1. for each of From, To, Cc, Subject, Date, in this order:
 *        the lowercase name, ":", the value, "\n"
 *      where the value is the first such field of the top-level header,
 *      raw (not decoded), with every run of white space (SP, TAB, CR,
 *      LF: folding included) replaced by one SP and leading and
 *      trailing white space removed; an absent field gives "name:\n";
 *   2. "\n";
 *   3. the body: the bytes after the empty line that ends the top-level
 *      header, as left by the pre-pass (leading UTF-8 BOM, blank lines
 *      and mbox "From " line skipped, CRLF and lone CR turned into LF,
 *      at most max_message_bytes examined), split into lines at LF;
 *      SP and TAB at the end of each line removed; empty lines at the
 *      end removed; each remaining line followed by "\n".
 *   Input without any header field: all five fields absent, and the
 *   whole pre-pass output is the body.
 *
 * So the CRLF, LF and mbox copies of a message hash alike, as does a
 * message a milter rebuilds from its header callbacks ("Name: value"
 * lines, value as received) and body, whatever the final newline.
 */
static void
content_hash(const char *v[H_N], const char *body, size_t n, char *out)
{
	static const char	 nls[16] = "\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n";
	struct digest		*d;
	const char		*p, *end, *nl, *le, *te, *span;
	size_t			 pending = 0, k;
	int			 i;

	d = digest_new(DIGEST_SHA256);
	for (i = H_FROM; i <= H_DATE; i++)
		hash_value(d, hnames[i], v != NULL ? v[i] : NULL);
	digest_update(d, "\n", 1);
	p = span = body;
	end = body + n;
	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		le = nl != NULL ? nl : end;
		for (te = le; te > p && is_wsp((unsigned char)te[-1]); te--)
			;
		if (te == p) {
			/* empty once trimmed: only kept if a line follows */
			digest_update(d, span, (size_t)(p - span));
			pending++;
			p = span = nl != NULL ? nl + 1 : end;
			continue;
		}
		for (; pending > 0; pending -= k) {
			k = pending < sizeof(nls) ? pending : sizeof(nls);
			digest_update(d, nls, k);
		}
		if (te < le || nl == NULL) {
			digest_update(d, span, (size_t)(te - span));
			digest_update(d, "\n", 1);
			p = span = nl != NULL ? nl + 1 : end;
		} else
			p = nl + 1;
	}
	digest_update(d, span, (size_t)(p - span));
	digest_final_hex(d, out);
}

/*
 * mid_kind - how alert_id() will use this Message-ID (the rule of
 * docs/ALERT-ID.md, as alert_normalise_message_id() applies it): the
 * first <...> if there is one, else the first token; usable if that
 * holds anything but white space.  MID_NONE: the id comes from the
 * content hash.
 */
enum mid_kind { MID_NONE, MID_BRACKETS, MID_TOKEN };

static enum mid_kind
mid_kind(const char *mid)
{
	const char	*lt, *gt, *p;

	if (mid == NULL)
		return MID_NONE;
	if ((lt = strchr(mid, '<')) != NULL &&
	    (gt = strchr(lt + 1, '>')) != NULL) {
		for (p = lt + 1; p < gt; p++)
			if (!is_lwsp((unsigned char)*p))
				return MID_BRACKETS;
		return MID_NONE;
	}
	for (p = mid; *p != '\0' && (is_lwsp((unsigned char)*p) || *p == '<');
	    p++)
		;
	return *p != '\0' && *p != '>' ? MID_TOKEN : MID_NONE;
}

/* ---------------------------------------------------- MIME walk */

/*
 * part_bytes - the still-encoded content of part: a view into the
 * pre-pass buffer (GMime's content stream is a substream of it), else a
 * copy in *own (caller frees with g_byte_array_free).
 */
static const char *
part_bytes(GMimePart *part, size_t *len, GByteArray **own)
{
	GMimeDataWrapper	*w;
	GMimeStream		*s, *mem;
	GByteArray		*a;
	gint64			 st, en;

	*own = NULL;
	*len = 0;
	if ((w = g_mime_part_get_content(part)) == NULL ||
	    (s = g_mime_data_wrapper_get_stream(w)) == NULL)
		return "";
	if (GMIME_IS_STREAM_MEM(s) &&
	    (a = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(s))) != NULL) {
		st = s->bound_start;
		en = s->bound_end;
		if (en < 0 || en > (gint64)a->len)
			en = a->len;
		if (st < 0)
			st = 0;
		if (st > en)
			st = en;
		*len = (size_t)(en - st);
		return (const char *)a->data + st;
	}
	mem = g_mime_stream_mem_new();
	g_mime_stream_reset(s);
	g_mime_stream_write_to_stream(s, mem);
	g_mime_stream_mem_set_owner(GMIME_STREAM_MEM(mem), FALSE);
	*own = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem));
	g_object_unref(mem);
	*len = (*own)->len;
	return (const char *)(*own)->data;
}

/* uu_begin - uuencoded data starts after the "begin " line */
static const char *
uu_begin(const char *s, size_t *n)
{
	const char	*p = s, *e = s + *n, *nl;

	while (p < e) {
		nl = memchr(p, '\n', (size_t)(e - p));
		if (e - p >= 6 && memcmp(p, "begin ", 6) == 0) {
			p = nl != NULL ? nl + 1 : e;
			*n = (size_t)(e - p);
			return p;
		}
		p = nl != NULL ? nl + 1 : e;
	}
	*n = 0;				/* no data: nothing to decode */
	return e;
}

/* uudecoding state between calls */
struct uu {
	size_t		 left;		/* output still allowed */
	bool		 done;		/* "end" line seen */
};

/*
 * uu_decode - uuencoded lines of s[0..n) (after the "begin" line) into
 * dst (room for room bytes), line by line as mail clients and Python's
 * email read them: a line's first character gives its byte count
 * (0-63), the characters after it give the bytes four for three, and a
 * line cut short (its trailing spaces, zero bits, lost in transit) is
 * read as if padded with spaces; characters past the count are
 * ignored, blank lines skipped, an "end" line ends the data.  GMime's
 * decoder loses step on a short line and decodes garbage after it.
 * Only whole lines, while their bytes fit in room and in st->left (a
 * bound on the whole output: a line "_" alone makes 63 bytes out of 2,
 * and a run of zero bytes whose spaces were all stripped does too, so
 * a few times the input is allowed, not more).  Returns the bytes
 * written, *used the input read.
 */
static size_t
uu_decode(struct uu *st, const char *s, size_t n, char *dst, size_t room,
    size_t *used)
{
	const unsigned char	*p = (const unsigned char *)s, *e = p + n;
	const unsigned char	*nl, *le, *next, *q;
	unsigned char		*o = (unsigned char *)dst;
	unsigned		 len, k, i, c[4];

	while (p < e && !st->done) {
		nl = memchr(p, '\n', (size_t)(e - p));
		le = nl != NULL ? nl : e;
		next = nl != NULL ? nl + 1 : e;
		if (le > p && le[-1] == '\r')
			le--;
		if (le - p >= 3 && memcmp(p, "end", 3) == 0 &&
		    lwsp_only((const char *)p + 3, (size_t)(le - p - 3))) {
			st->done = true;
			p = next;
			break;
		}
		if (le == p) {
			p = next;
			continue;
		}
		len = (unsigned)(p[0] - 0x20) & 0x3f;
		if (len > room - (size_t)(o - (unsigned char *)dst))
			break;
		if (len > st->left) {
			st->done = true;
			break;
		}
		st->left -= len;
		for (q = p + 1, k = 0; k < len; k += 3) {
			for (i = 0; i < 4; i++, q++)
				c[i] = q < le ? (unsigned)(*q - 0x20) & 0x3f : 0;
			*o++ = (unsigned char)(c[0] << 2 | c[1] >> 4);
			if (k + 1 < len)
				*o++ = (unsigned char)(c[1] << 4 | c[2] >> 2);
			if (k + 2 < len)
				*o++ = (unsigned char)(c[2] << 6 | c[3]);
		}
		p = next;
	}
	*used = (size_t)(p - (const unsigned char *)s);
	return (size_t)(o - (unsigned char *)dst);
}

static bool
is_coded(GMimeContentEncoding enc)
{
	return enc == GMIME_CONTENT_ENCODING_BASE64 ||
	    enc == GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE ||
	    enc == GMIME_CONTENT_ENCODING_UUENCODE;
}

/* hex digit values + 1; 0: not a hex digit */
static const unsigned char hexv1[256] = {
	['0'] = 1, ['1'] = 2, ['2'] = 3, ['3'] = 4, ['4'] = 5, ['5'] = 6,
	['6'] = 7, ['7'] = 8, ['8'] = 9, ['9'] = 10,
	['A'] = 11, ['B'] = 12, ['C'] = 13, ['D'] = 14, ['E'] = 15, ['F'] = 16,
	['a'] = 11, ['b'] = 12, ['c'] = 13, ['d'] = 14, ['e'] = 15, ['f'] = 16
};

/* eq_mask - 0x80 in each byte of w that is '=' (exact at the lowest) */
static inline uint64_t
eq_mask(uint64_t w)
{
	w ^= 0x3d3d3d3d3d3d3d3dULL;
	return (w - 0x0101010101010101ULL) & ~w & 0x8080808080808080ULL;
}

#define QP_WSP_MAX	256	/* white space in a QP soft break */

/*
 * qp_wsp_break - p is the white space after a '=': the end of the soft
 * break (after the LF) when at most QP_WSP_MAX spaces and tabs and a
 * line end follow, p - 1 when not, NULL when they run to e within
 * that bound (the line end may come with the next input)
 */
static const unsigned char *
qp_wsp_break(const unsigned char *p, const unsigned char *e)
{
	const unsigned char	*q, *lim;

	lim = e - p > QP_WSP_MAX ? p + QP_WSP_MAX : e;
	for (q = p; q < lim && (*q == ' ' || *q == '\t'); q++)
		;
	if (q == e || (*q == '\r' && q + 1 == e))
		return NULL;
	if (*q == '\n')
		return q + 1;
	if (*q == '\r' && q[1] == '\n')
		return q + 2;
	return p - 1;
}

/*
 * qp_escape - decode the escape at *pp: '=' followed by two more bytes,
 * or by a '\n' (soft break, the only case that may end the input);
 * advances *pp past it and *op past what it wrote.  "=" + spaces or
 * tabs + line end is a soft break too (RFC 2045 6.7 (3): white space at
 * a line end was added in transit and is deleted); false when that
 * white space runs to e (the line end may be in the next input: *pp
 * and *op unchanged).
 */
static inline bool
qp_escape(const unsigned char **pp, unsigned char **op,
    const unsigned char *e)
{
	const unsigned char	*p = *pp, *q;
	unsigned char		*o = *op;
	unsigned		 h, l;

	if (p[1] == '\n') {
		*pp = p + 2;
		return true;
	}
	if ((h = hexv1[p[1]]) != 0 && (l = hexv1[p[2]]) != 0)
		*o++ = (unsigned char)((h - 1) << 4 | (l - 1));
	else if (p[1] == ' ' || p[1] == '\t') {
		if ((q = qp_wsp_break(p + 1, e)) == NULL)
			return false;
		if (q != p) {
			*pp = q;
			return true;
		}
		o[0] = '=';
		o[1] = p[1];
		o[2] = p[2];
		o += 3;
	} else if (p[1] != '\r' || p[2] != '\n') {
		o[0] = '=';
		o[1] = p[1];
		o[2] = p[2];
		o += 3;
	}
	*pp = p + 3;
	*op = o;
	return true;
}

/*
 * qp_decode - quoted-printable src[0..n) into dst (room for n bytes),
 * the result of GMime's decoder (steps, then flush) but faster, and
 * with one deliberate difference (RFC 2045 6.7): "=" followed by up to
 * QP_WSP_MAX spaces and tabs and a line end is a soft break too.  Runs
 * without '=' are copied 8 bytes at a time, and the escape that ends
 * one is decoded right there.  "=XX" (hex, either case)
 * is the byte, "=\n" and "=\r\n" are soft breaks, any other "=ab" is
 * kept as is.  An escape cut short by the end of the input ("=", "=a",
 * "=" and white space) is dropped when final, else left unread: *used
 * says how many input bytes were consumed (the rest starts the next
 * call; at most QP_WSP_MAX + 2 bytes).
 */
static size_t
qp_decode(const char *src, size_t n, char *dst, bool final, size_t *used)
{
	const unsigned char	*p = (const unsigned char *)src, *e = p + n;
	unsigned char		*o = (unsigned char *)dst;
	uint64_t		 w, mask;
	unsigned		 k;

	for (;;) {
		while (e - p >= 8) {
			memcpy(&w, p, 8);
			memcpy(o, p, 8);	/* output never outruns input */
			if ((mask = eq_mask(w)) == 0) {
				o += 8;
				p += 8;
				continue;
			}
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
			k = (unsigned)__builtin_ctzll(mask) >> 3;
#else
			k = (unsigned)__builtin_clzll(mask) >> 3;
#endif
			o += k;
			p += k;
			/* the escape at p, here unless near the end */
			if (e - p < 3)
				break;
			if (!qp_escape(&p, &o, e))
				goto out;
		}
		while (p < e && *p != '=')
			*o++ = *p++;
		if (e - p < 3 && (e - p < 2 || p[1] != '\n'))
			break;		/* the end, or an escape cut short */
		if (!qp_escape(&p, &o, e))
			break;
	}
 out:
	*used = final ? n : (size_t)(p - (const unsigned char *)src);
	return (size_t)(o - (unsigned char *)dst);
}

/* digit << 18, 12, 6, 0 by position in a group; B64_BAD if no digit */
#define B64_BAD		0x01000000u
static uint32_t		b64d[4][256];

#ifdef B64_SSSE3
static bool		b64_simd;	/* the CPU has SSSE3 */
#endif

/* b64_tables - fill b64d, check the CPU (once, from extract_init) */
static void
b64_tables(void)
{
	int	 i, j;

	for (j = 0; j < 4; j++)
		for (i = 0; i < 256; i++)
			b64d[j][i] = b64val[i] != 0 ?
			    (uint32_t)(b64val[i] - 1) << (18 - 6 * j) : B64_BAD;
#ifdef B64_SSSE3
	__builtin_cpu_init();
	b64_simd = __builtin_cpu_supports("ssse3");
#endif
}

#ifdef B64_SSSE3
/*
 * b64_run16 - decode p[0..n) sixteen alphabet characters at a time,
 * twelve bytes out per block (SSSE3), up to the first block holding
 * anything else ('=', a line break, ...), of which the whole groups of
 * four before that byte are decoded too, or up to the last 19 bytes;
 * returns the input bytes used, a multiple of 4, all of them alphabet
 * characters (used / 4 * 3 bytes out).  Each block is checked with
 * two nibble tables (a byte is valid when the entries for its high and
 * its low nibble share no bit), turned into 6-bit values by adding an
 * offset chosen by the high nibble ('/' shares its nibble with '+' and
 * gets its own), and packed: pairs into 12 bits, pairs of those into 24,
 * three bytes of each 32-bit lane kept in big-endian order.  A 16-byte
 * store per block: with 20 input bytes left, the b64_decode() caller's
 * room (n / 4 * 3 + 8 from any state) holds it.
 */
__attribute__((target("ssse3")))
static size_t
b64_run16(const unsigned char *p, size_t n, unsigned char *o)
{
	/* bit 0x10: high nibble 0, 1, 8-15; 0x01: 2 and not '+' '/';
	 * 0x02: 3 and not a digit; 0x04: 4 or 6 and lo 0 ('@' '`');
	 * 0x08: 5 or 7 and lo above 0xa */
	const __m128i	lut_lo = _mm_setr_epi8(0x15, 0x11, 0x11, 0x11, 0x11,
			    0x11, 0x11, 0x11, 0x11, 0x11, 0x13, 0x1a, 0x1b,
			    0x1b, 0x1b, 0x1a);
	const __m128i	lut_hi = _mm_setr_epi8(0x10, 0x10, 0x01, 0x02, 0x04,
			    0x08, 0x04, 0x08, 0x10, 0x10, 0x10, 0x10, 0x10,
			    0x10, 0x10, 0x10);
	/* '/' -> index 1 (+16), '+' (+19), '0'-'9' (+4), 'A'-'Z' (-65),
	 * 'a'-'z' (-71) */
	const __m128i	lut_off = _mm_setr_epi8(0, 16, 19, 4, -65, -65, -71,
			    -71, 0, 0, 0, 0, 0, 0, 0, 0);
	const __m128i	pack = _mm_setr_epi8(2, 1, 0, 6, 5, 4, 10, 9, 8, 14,
			    13, 12, -1, -1, -1, -1);
	const __m128i	nib = _mm_set1_epi8(0x0f), slash = _mm_set1_epi8('/');
	const __m128i	zero = _mm_setzero_si128();
	__m128i		v, hi, lo, bad, vals;
	size_t		i, k = 16;
	unsigned	ok;

	for (i = 0; k == 16 && i + 20 <= n; i += k) {
		v = _mm_loadu_si128((const __m128i *)(const void *)(p + i));
		hi = _mm_and_si128(_mm_srli_epi32(v, 4), nib);
		lo = _mm_and_si128(v, nib);
		bad = _mm_and_si128(_mm_shuffle_epi8(lut_lo, lo),
		    _mm_shuffle_epi8(lut_hi, hi));
		ok = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(bad, zero));
		/* valid bytes before the first other one, whole groups */
		k = ok == 0xffff ? 16 :
		    ((unsigned)__builtin_ctz(~ok) & ~3u);
		if (k == 0)
			break;
		/* lanes past k hold garbage: written, not counted */
		vals = _mm_add_epi8(v, _mm_shuffle_epi8(lut_off,
		    _mm_add_epi8(hi, _mm_cmpeq_epi8(v, slash))));
		vals = _mm_maddubs_epi16(vals, _mm_set1_epi32(0x01400140));
		vals = _mm_madd_epi16(vals, _mm_set1_epi32(0x00011000));
		_mm_storeu_si128((__m128i *)(void *)(o + i / 4 * 3),
		    _mm_shuffle_epi8(vals, pack));
	}
	return i;
}
#endif

/* base64 decoding state between calls */
struct b64 {
	uint32_t	 acc;		/* digits of the current group */
	unsigned	 k;		/* how many */
	bool		 done;		/* '=' seen: the rest is ignored */
};

/*
 * b64_decode - base64 src[0..n) into dst (room for n / 4 * 3 + 8
 * bytes), the result of GMime 3.2's decoder (steps, then flush) but
 * faster: whole groups of four alphabet characters are decoded at once.
 * Bytes outside the alphabet are skipped; the first '=' ends the data
 * (a group cut short by it gives its whole bytes: 2 characters 1 byte,
 * 3 characters 2); an incomplete group at the end stays in *st
 * (b64_flush() ends the data).
 */
static size_t
b64_decode(struct b64 *st, const char *src, size_t n, char *dst)
{
	const unsigned char	*p = (const unsigned char *)src, *e = p + n;
	unsigned char		*o = (unsigned char *)dst;
	uint32_t		 x, y, v;
	uint64_t		 w;

	while (p < e && !st->done) {
		if (st->k == 0) {
#ifdef B64_SSSE3
			if (b64_simd && e - p >= 20) {
				size_t	used = b64_run16(p, (size_t)(e - p), o);

				p += used;
				o += used / 4 * 3;
			}
#endif
			while (e - p >= 8) {
				x = b64d[0][p[0]] | b64d[1][p[1]] |
				    b64d[2][p[2]] | b64d[3][p[3]];
				y = b64d[0][p[4]] | b64d[1][p[5]] |
				    b64d[2][p[6]] | b64d[3][p[7]];
				if (((x | y) & B64_BAD) != 0)
					break;
				/* 6 bytes, big-endian, in one 8-byte store */
				w = (uint64_t)x << 40 | (uint64_t)y << 16;
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
				w = __builtin_bswap64(w);
#endif
				memcpy(o, &w, 8);
				o += 6;
				p += 8;
			}
			if (e - p >= 4 && ((x = b64d[0][p[0]] | b64d[1][p[1]] |
			    b64d[2][p[2]] | b64d[3][p[3]]) & B64_BAD) == 0) {
				o[0] = (unsigned char)(x >> 16);
				o[1] = (unsigned char)(x >> 8);
				o[2] = (unsigned char)x;
				o += 3;
				p += 4;
				continue;
			}
			if (p == e)
				break;
		}
		if (*p == '=') {
			if (st->k == 2)
				*o++ = (unsigned char)(st->acc >> 4);
			else if (st->k == 3) {
				o[0] = (unsigned char)(st->acc >> 10);
				o[1] = (unsigned char)(st->acc >> 2);
				o += 2;
			}
			st->done = true;
			break;
		}
		if ((v = b64d[3][*p++]) == B64_BAD)
			continue;
		st->acc = st->acc << 6 | v;
		if (++st->k == 4) {
			o[0] = (unsigned char)(st->acc >> 16);
			o[1] = (unsigned char)(st->acc >> 8);
			o[2] = (unsigned char)st->acc;
			o += 3;
			st->k = 0;
		}
	}
	return (size_t)(o - (unsigned char *)dst);
}

/*
 * b64_flush - the end of the data: an incomplete last group (its '='
 * padding lost) gives its whole bytes, as if padded: 2 characters 1
 * byte, 3 characters 2; a lone character nothing.  What mail clients
 * (Thunderbird) and Python's email package save; GMime 3.2 drops them.
 * Returns the bytes written to dst (room for 2).
 */
static size_t
b64_flush(struct b64 *st, char *dst)
{
	size_t	k = 0;

	if (!st->done && st->k == 2) {
		dst[0] = (char)(unsigned char)(st->acc >> 4);
		k = 1;
	} else if (!st->done && st->k == 3) {
		dst[0] = (char)(unsigned char)(st->acc >> 10);
		dst[1] = (char)(unsigned char)(st->acc >> 2);
		k = 2;
	}
	st->k = 0;
	st->done = true;
	return k;
}

/*
 * decode_all - transfer-decode s[0..n): identity encodings are returned
 * as they are (no copy), the others decoded into ob.
 */
static const char *
decode_all(GMimeContentEncoding enc, const char *s, size_t n,
    struct obuf *ob, size_t *outlen)
{
	char		*o;
	size_t		 k, used;

	if (!is_coded(enc)) {
		*outlen = n;
		return s;
	}
	ob->len = 0;
	if (enc == GMIME_CONTENT_ENCODING_BASE64) {
		struct b64	 b = { 0, 0, false };

		o = ob_reserve(ob, n / 4 * 3 + 8);
		k = b64_decode(&b, s, n, o);
		k += b64_flush(&b, o + k);
	} else if (enc == GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE) {
		o = ob_reserve(ob, n);
		k = qp_decode(s, n, o, true, &used);
	} else {
		struct uu	 u = { 0, false };

		s = uu_begin(s, &n);
		u.left = 2 * n + 64;	/* text: memory held */
		o = ob_reserve(ob, u.left);
		k = uu_decode(&u, s, n, o, u.left, &used);
	}
	ob->len = k;
	ob->p[k] = '\0';
	*outlen = k;
	return ob->p;
}

/* att_new - room for one more attachment, or NULL past the bound */
static struct attachment *
att_new(struct mctx *m)
{
	struct extract	*x = m->x;
	struct attachment *a;

	if (x->n_att >= m->max_att) {
		x->flags |= EXF_TRUNC_ATTACH;
		return NULL;
	}
	if (x->n_att == m->att_cap) {
		m->att_cap = m->att_cap ? m->att_cap * 2 : 4;
		x->att = xrealloc(x->att, m->att_cap * sizeof(*x->att));
	}
	a = &x->att[x->n_att++];
	memset(a, 0, sizeof(*a));
	return a;
}

static bool ct_untyped_text(GMimeObject *);

/* media_type - "type/subtype" in lowercase, valid UTF-8 */
static char *
media_type(GMimeObject *obj)
{
	GMimeContentType	*ct;
	const char		*t = NULL, *s = NULL;
	char			*r, *c;

	if (ct_untyped_text(obj)) {
		t = "text";
		s = "plain";
	} else if ((ct = g_mime_object_get_content_type(obj)) != NULL) {
		t = g_mime_content_type_get_media_type(ct);
		s = g_mime_content_type_get_media_subtype(ct);
	}
	r = xasprintf("%s/%s", t != NULL && *t != '\0' ? t : "application",
	    s != NULL && *s != '\0' ? s : "octet-stream");
	c = utf8_clean(r, strlen(r));
	free(r);
	str_lower(c);
	return c;
}

#define MIME_2231_SEGS	64	/* RFC 2231 continuations kept */

/* pct_decode - append t[0..n) to ob, %XX decoded (a bad % is kept) */
static void
pct_decode(struct obuf *ob, const char *t, size_t n)
{
	const char	*e = t + n, *q;
	int		 h, l;

	while (t < e) {
		if ((q = memchr(t, '%', (size_t)(e - t))) == NULL)
			q = e;
		ob_put(ob, t, (size_t)(q - t));
		if ((t = q) == e)
			break;
		if (e - t >= 3 && (h = hexval((unsigned char)t[1])) >= 0 &&
		    (l = hexval((unsigned char)t[2])) >= 0) {
			ob_putc(ob, (char)(h << 4 | l));
			t += 3;
		} else
			ob_putc(ob, *t++);
	}
}

/*
 * A parameter of a raw header value: its name ns..ne and its value
 * v..ve (without the quotes of a quoted-string, escapes kept).
 */
struct rawparam {
	const char	*ns, *ne, *v, *ve;
	bool		 quoted;
};

/*
 * param_next - the next "; name = value" of a raw header value from *pp
 * (at the value's start: its first ';', else at a ';') to e; a name
 * without '=' is skipped.  Moves *pp on; false at the end.  Shared by
 * param_2231() and param_path(), which read what GMime's parser would
 * not keep.
 */
static bool
param_next(const char **pp, const char *e, struct rawparam *rp)
{
	const char	*p = *pp;

	while (p < e && (p = memchr(p, ';', (size_t)(e - p))) != NULL) {
		p = str_skip_cfws(p + 1, e);	/* after ';' */
		for (rp->ns = p; p < e && *p != '=' && *p != ';' &&
		    !is_lwsp((unsigned char)*p); p++)
			;
		rp->ne = p;
		p = str_skip_cfws(p, e);
		if (p >= e || *p != '=')
			continue;
		p = str_skip_cfws(p + 1, e);
		rp->v = p;
		rp->quoted = p < e && *p == '"';
		if (rp->quoted) {
			for (p++; p < e && *p != '"'; p++)
				if (*p == '\\' && p + 1 < e)
					p++;
			rp->ve = p;
			rp->v++;
			if (p < e)
				p++;
		} else {
			while (p < e && *p != ';' && !is_lwsp((unsigned char)*p))
				p++;
			rp->ve = p;
		}
		*pp = p;
		return true;
	}
	*pp = e;
	return false;
}

/*
 * param_2231 - the RFC 2231 value of parameter pname in the raw header
 * value raw ("pname*=charset'lang'%XX..." or the continuations
 * "pname*0*=...; pname*1=..."), converted from its charset by to_utf8()
 * (so the label gets the decoder cs_labels gives it, as in bodies and
 * encoded words; GMime's own decoder knows fewer labels and drops the
 * bytes it cannot convert).  NULL when raw has no such parameter.
 * Segments are joined in index order from 0 up to the first missing
 * one, before conversion (a character may be split between them).
 */
static char *
param_2231(const char *raw, const char *pname, unsigned *flags)
{
	struct {
		const char	*v;
		size_t		 n;
		bool		 ext, quoted;
	} seg[MIME_2231_SEGS];
	struct obuf	 b = { NULL, 0, 0 }, u = { NULL, 0, 0 };
	struct rawparam	 rp;
	const char	*p, *e, *ns, *ne, *v, *ve, *q;
	size_t		 pl = strlen(pname), nseg = 0, idx;
	bool		 ext, any = false;
	char		*csz = NULL, *r;

	memset(seg, 0, sizeof(seg));
	e = raw + strlen(raw);
	for (p = raw; param_next(&p, e, &rp); ) {
		ns = rp.ns;
		ne = rp.ne;
		v = rp.v;
		ve = rp.ve;
		/* the name: pname "*" [index] ["*"] */
		if ((size_t)(ne - ns) > pl && ns[pl] == '*' &&
		    g_ascii_strncasecmp(ns, pname, pl) == 0) {
			q = ns + pl + 1;
			ext = ne[-1] == '*';
			if (q == ne)		/* "pname*" */
				q--;
			for (idx = 0; q < ne - (ext ? 1 : 0); q++) {
				if (*q < '0' || *q > '9' ||
				    idx >= MIME_2231_SEGS)
					break;
				idx = idx * 10 + (size_t)(*q - '0');
			}
			if (q == ne - (ext ? 1 : 0) && idx < MIME_2231_SEGS &&
			    seg[idx].v == NULL) {
				seg[idx].v = v;
				seg[idx].n = (size_t)(ve - v);
				seg[idx].ext = ext;
				seg[idx].quoted = rp.quoted;
				any = true;
			}
		}
	}
	if (!any || seg[0].v == NULL)
		return NULL;
	for (nseg = 0; nseg < MIME_2231_SEGS && seg[nseg].v != NULL; nseg++) {
		v = seg[nseg].v;
		ve = v + seg[nseg].n;
		if (nseg == 0 && seg[0].ext && (q = memchr(v, '\'',
		    (size_t)(ve - v))) != NULL) {
			csz = xstrndup(v, (size_t)(q - v));
			/* the language, up to the second quote, is skipped */
			v = q + 1;
			if ((q = memchr(v, '\'', (size_t)(ve - v))) != NULL)
				v = q + 1;
		}
		if (seg[nseg].ext)
			pct_decode(&b, v, (size_t)(ve - v));
		else if (seg[nseg].quoted) {
			for (; v < ve; v++) {
				if (*v == '\\' && v + 1 < ve)
					v++;
				ob_putc(&b, *v);
			}
		} else
			ob_put(&b, v, (size_t)(ve - v));
	}
	ob_reserve(&b, 0);
	ob_reserve(&u, b.len);
	to_utf8(&u, b.p, b.len, csz, false, flags);
	u.len = ctl_space(u.p, u.len);
	r = nonempty(text_clean(u.p));
	ob_free(&b);
	ob_free(&u);
	free(csz);
	return r;
}

/*
 * param_path - the file name of parameter pname (not RFC 2231) in raw
 * header value raw when its quoted value holds a backslash that escapes
 * neither '"' nor '\\': a Windows path ("C:\Users\x\evil.exe").  A
 * quoted-string parser drops those backslashes ("C:Usersxevil.exe");
 * browsers, mail clients and Python's email package keep them, and save
 * the part under the base name.  So the value is read that way: "\\"
 * and "\"" unescaped, other backslashes kept, decoded (hdr_text()),
 * then the part after the last '\\' or '/' ("evil.exe"; the whole
 * value if that is empty).  NULL when the parameter is not so.
 */
static char *
param_path(const char *raw, const char *pname, unsigned *flags)
{
	struct obuf	 ob = { NULL, 0, 0 };
	struct rawparam	 rp;
	const char	*p, *e, *v, *ve, *q;
	size_t		 pl = strlen(pname);
	bool		 lone = false, found = false;
	char		*r, *b;

	e = raw + strlen(raw);
	for (p = raw; param_next(&p, e, &rp); )
		if (rp.quoted && (size_t)(rp.ne - rp.ns) == pl &&
		    g_ascii_strncasecmp(rp.ns, pname, pl) == 0) {
			found = true;
			break;
		}
	if (!found)
		return NULL;
	v = rp.v;
	ve = rp.ve;
	for (q = v; q < ve; q++)
		if (*q == '\\' && q + 1 < ve) {
			if (q[1] != '"' && q[1] != '\\')
				lone = true;
			q++;
		}
	if (!found || !lone)
		return NULL;
	for (q = v; q < ve; q++) {
		if (*q == '\\' && q + 1 < ve && (q[1] == '"' || q[1] == '\\'))
			q++;
		ob_putc(&ob, *q);
	}
	ob_reserve(&ob, 0);
	r = hdr_text(ob.p, ob.len, 0, flags);
	ob_free(&ob);
	for (b = r + strlen(r); b > r && b[-1] != '\\' && b[-1] != '/'; b--)
		;
	if (*b != '\0')
		memmove(r, b, strlen(b) + 1);
	return nonempty(r);
}

/*
 * ct_unparsed - raw Content-Type value v names no "type/subtype" (GMime
 * then says application/octet-stream and keeps no parameter)
 */
static bool
ct_unparsed(const char *v)
{
	const char	*e = v + strlen(v), *t;

	v = str_skip_cfws(v, e);
	for (t = v; v < e && str_is_tchar((unsigned char)*v); v++)
		;
	if (v == t || (v = str_skip_cfws(v, e)) >= e || *v != '/')
		return true;
	v = str_skip_cfws(v + 1, e);
	for (t = v; v < e && str_is_tchar((unsigned char)*v); v++)
		;
	return v == t;
}

/*
 * ct_raw - obj's raw Content-Type value when GMime could not read it
 * (its type is then application/octet-stream), else NULL
 */
static const char *
ct_raw(GMimeObject *obj)
{
	GMimeContentType	*ct;
	GMimeHeaderList		*hl;
	GMimeHeader		*h;
	const char		*t, *sub, *raw;

	if ((ct = g_mime_object_get_content_type(obj)) == NULL ||
	    (t = g_mime_content_type_get_media_type(ct)) == NULL ||
	    (sub = g_mime_content_type_get_media_subtype(ct)) == NULL ||
	    g_ascii_strcasecmp(t, "application") != 0 ||
	    g_ascii_strcasecmp(sub, "octet-stream") != 0 ||
	    (hl = g_mime_object_get_header_list(obj)) == NULL ||
	    (h = g_mime_header_list_get_header(hl, "Content-Type")) == NULL ||
	    (raw = g_mime_header_get_raw_value(h)) == NULL ||
	    !ct_unparsed(raw))
		return NULL;
	return raw;
}

/*
 * ct_untyped_text - obj's Content-Type is one GMime could not read whose
 * type is "text" without a subtype ("text", "text/"), or none at all:
 * plain text, as RFC 2045 5.2 has an invalid Content-Type read and as
 * mail clients show it (Thunderbird's untyped text, Python's email),
 * not an application/octet-stream attachment
 */
static bool
ct_untyped_text(GMimeObject *obj)
{
	const char	*raw, *e, *t, *p;

	if ((raw = ct_raw(obj)) == NULL)
		return false;
	e = raw + strlen(raw);
	t = str_skip_cfws(raw, e);
	for (p = t; p < e && str_is_tchar((unsigned char)*p); p++)
		;
	/* no type at all: empty, or parameters only (a quoted or otherwise
	 * odd type, '"application/x-msdownload"', is not "none") */
	if (p == t)
		return t == e || *t == ';';
	return p - t == 4 && g_ascii_strncasecmp(t, "text", 4) == 0;
}

/*
 * param_of - parameter pname of the Content-Disposition (disp) or
 * Content-Type header of obj, decoded.  A raw 8-bit value that is not
 * UTF-8 is read in the message's charset (hdr_raw()).  When the raw
 * header holds encoded words, it is normalised first and parsed again
 * (GMime's own decoder loses bytes of multi-word base64 names).  A
 * quoted Windows path gives its base name (param_path()).
 */
static char *
param_of(struct mctx *m, GMimeObject *obj, bool disp, const char *pname)
{
	GMimeHeaderList		*hl;
	GMimeHeader		*h;
	GMimeContentDisposition	*cd = NULL;
	GMimeContentType	*ct = NULL;
	const char		*raw, *v = NULL, *text;
	char			*norm = NULL, *r = NULL, *conv, *fix = NULL;
	unsigned		*flags = &m->x->flags;

	hl = g_mime_object_get_header_list(obj);
	if (hl == NULL || (h = g_mime_header_list_get_header(hl,
	    disp ? "Content-Disposition" : "Content-Type")) == NULL ||
	    (raw = g_mime_header_get_raw_value(h)) == NULL)
		return NULL;
	if (strstr(raw, "*=") != NULL &&
	    (r = param_2231(raw, pname, flags)) != NULL)
		return r;
	if ((conv = hdr_raw(m, raw)) != NULL)
		raw = conv;
	/* a type GMime could not read: its parameters still count */
	if (!disp && ct_raw(obj) != NULL) {
		fix = xasprintf("application/octet-stream%s",
		    (text = strchr(raw, ';')) != NULL ? text : "");
		raw = fix;
	}
	if (strchr(raw, '\\') != NULL &&
	    (r = param_path(raw, pname, flags)) != NULL) {
		free(fix);
		free(conv);
		return r;
	}
	if (conv != NULL || fix != NULL || strstr(raw, "=?") != NULL) {
		if (strstr(raw, "=?") != NULL)
			norm = hdr_text(raw, strlen(raw), 1, flags);
		text = norm != NULL ? norm : raw;
		if (disp) {
			cd = g_mime_content_disposition_parse(mime_opts, text);
			v = g_mime_content_disposition_get_parameter(cd, pname);
		} else {
			ct = g_mime_content_type_parse(mime_opts, text);
			v = g_mime_content_type_get_parameter(ct, pname);
		}
	} else if (disp)
		v = g_mime_object_get_content_disposition_parameter(obj, pname);
	else
		v = g_mime_object_get_content_type_parameter(obj, pname);
	if (v != NULL)
		r = nonempty(text_clean(v));
	if (cd != NULL)
		g_object_unref(cd);
	if (ct != NULL)
		g_object_unref(ct);
	free(norm);
	free(fix);
	free(conv);
	return r;
}

/* part_filename - the decoded file name (RFC 2231 / 2047), or NULL */
static char *
part_filename(struct mctx *m, GMimeObject *obj)
{
	char	*n;

	if ((n = param_of(m, obj, true, "filename")) == NULL)
		n = param_of(m, obj, false, "name");
	return n;
}

static bool
is_attachment_disp(GMimeObject *obj)
{
	GMimeContentDisposition	*cd;

	cd = g_mime_object_get_content_disposition(obj);
	return cd != NULL && g_mime_content_disposition_is_attachment(cd);
}

/* att_record - one attachment: bytes s[0..n) still transfer-encoded */
static void
att_record(struct mctx *m, GMimeObject *obj, char *name,
    GMimeContentEncoding enc, const char *s, size_t n)
{
	struct attachment	*a;
	struct digest		*sha, *md5;
	struct b64		 b = { 0, 0, false };
	uint64_t		 size = 0;
	size_t			 off, c, k, used;

	if ((a = att_new(m)) == NULL) {
		free(name);
		return;
	}
	a->name = name;
	a->type = media_type(obj);
	sha = digest_new(DIGEST_SHA256);
	md5 = digest_new(DIGEST_MD5);
	if (enc == GMIME_CONTENT_ENCODING_BASE64 ||
	    enc == GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE) {
		/* decoded in chunks: memory stays bounded */
		if (m->scratch == NULL)
			m->scratch = xmalloc(MIME_CHUNK + 64);
		for (off = 0; off < n; off += used) {
			c = n - off < MIME_CHUNK ? n - off : MIME_CHUNK;
			if (enc == GMIME_CONTENT_ENCODING_BASE64) {
				k = b64_decode(&b, s + off, c, m->scratch);
				used = c;
			} else
				k = qp_decode(s + off, c, m->scratch,
				    off + c == n, &used);
			digest_update(sha, m->scratch, k);
			digest_update(md5, m->scratch, k);
			size += k;
		}
		if (enc == GMIME_CONTENT_ENCODING_BASE64 &&
		    (k = b64_flush(&b, m->scratch)) > 0) {
			digest_update(sha, m->scratch, k);
			digest_update(md5, m->scratch, k);
			size += k;
		}
	} else if (is_coded(enc)) {
		struct uu	 u = { 0, false };

		if (m->scratch == NULL)
			m->scratch = xmalloc(MIME_CHUNK + 64);
		s = uu_begin(s, &n);
		u.left = 8 * n + 64;	/* digested only: CPU bound */
		/* whole lines, MIME_CHUNK bytes out at a time */
		for (off = 0; off < n && !u.done; off += used) {
			k = uu_decode(&u, s + off, n - off, m->scratch,
			    MIME_CHUNK, &used);
			digest_update(sha, m->scratch, k);
			digest_update(md5, m->scratch, k);
			size += k;
			if (used == 0)
				break;
		}
	} else {
		digest_update(sha, s, n);
		digest_update(md5, s, n);
		size = n;
	}
	digest_final_hex(sha, a->sha256);
	digest_final_hex(md5, a->md5);
	a->size = size;
}

/* first_offset - where obj's first header field is in the parsed bytes */
static gint64
first_offset(GMimeObject *obj)
{
	GMimeHeaderList	*hl;

	if (obj == NULL || (hl = g_mime_object_get_header_list(obj)) == NULL ||
	    g_mime_header_list_get_count(hl) == 0)
		return -1;
	return g_mime_header_get_offset(g_mime_header_list_get_header_at(hl,
	    0));
}

/*
 * msg_span - the pre-pass span of message part obj: the last span whose
 * header block starts at or before obj's first header field, checked to
 * contain it.  An attachment always has a header field.
 */
static const struct msgspan *
msg_span(const struct prepass *pp, GMimeObject *obj)
{
	gint64		 key;
	size_t		 lo, hi, mid;

	if ((key = first_offset(obj)) < 0)
		return NULL;
	lo = 0;
	hi = pp->nspans;
	while (lo < hi) {		/* first span with blk > key */
		mid = lo + (hi - lo) / 2;
		if (pp->spans[mid].blk <= (size_t)key)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0 || (size_t)key >= pp->spans[lo - 1].start)
		return NULL;
	return &pp->spans[lo - 1];
}

/*
 * att_message - an attached, unencoded message/rfc822 part (7bit, 8bit,
 * binary or none): digests of its content as the message carries it,
 * what a mail client saves as the .eml file, an mbox "From " line at its
 * top included; line endings as the pre-pass leaves them (LF), like
 * every identity-encoded part.  (A base64 or quoted-printable one is a
 * leaf, hashed decoded by leaf().)
 */
static void
att_message(struct mctx *m, GMimeObject *obj, GMimeMessage *msg)
{
	const struct msgspan	*sp;
	GMimeStream		*mem = NULL;
	GByteArray		*ba;
	const char		*s = "";
	size_t			 n = 0;
	char			*name;

	name = part_filename(m, obj);
	if ((sp = msg_span(m->pp, obj)) != NULL) {
		s = m->pp->out + sp->start;
		n = sp->end - sp->start;
	} else if (msg != NULL) {
		/* should the pre-pass ever disagree: GMime's rewrite */
		mem = g_mime_stream_mem_new();
		g_mime_object_write_to_stream(GMIME_OBJECT(msg), NULL, mem);
		ba = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem));
		s = (const char *)ba->data;
		n = ba->len;
	}
	att_record(m, obj, name, GMIME_CONTENT_ENCODING_BINARY, s, n);
	if (mem != NULL)
		g_object_unref(mem);
}

static void walk(struct mctx *, GMimeObject *, size_t);

/* How a part's decoded text is read for URLs. */
enum scan_kind {
	SK_NONE,		/* not at all (an attachment) */
	SK_TEXT,		/* plain text */
	SK_HTML,		/* HTML (SVG and XHTML too) */
	SK_FLOWED,		/* text/plain; format=flowed (RFC 3676) */
	SK_FLOWED_DELSP,	/* ... with delsp=yes */
	SK_CAL,			/* iCalendar, vCard (RFC 5545, 6350) */
	SK_MSG			/* an attached message (.eml): parsed */
};

/*
 * cal_unfold - iCalendar / vCard text s[0..n) into o (room for n bytes;
 * o may be s): content lines unfolded (RFC 5545 3.1: a line break and
 * the one space or tab after it are removed), then the TEXT escapes of
 * 3.3.11 undone ("\n" and "\N" a line break, "\,", "\;" and "\\" the
 * character; any other backslash is kept).  Returns the length.
 */
static size_t
cal_unfold(const char *s, size_t n, char *o)
{
	const char	*p = s, *e = s + n;
	char		*w = o, c;
	bool		 esc = false;

	while (p < e) {
		c = *p;
		if (c == '\n' && e - p > 1 && (p[1] == ' ' || p[1] == '\t')) {
			p += 2;
			continue;
		}
		if (c == '\r' && e - p > 2 && p[1] == '\n' &&
		    (p[2] == ' ' || p[2] == '\t')) {
			p += 3;
			continue;
		}
		p++;
		if (esc) {
			esc = false;
			if (c == 'n' || c == 'N') {
				w[-1] = '\n';
				continue;
			}
			if (c == ',' || c == ';' || c == '\\') {
				w[-1] = c;
				continue;
			}
		} else if (c == '\\')
			esc = true;
		*w++ = c;
	}
	return (size_t)(w - o);
}

/*
 * flowed_join - RFC 3676 format=flowed text s[0..n) into o (room for n
 * bytes; o may be s): a line that ends in a space (a soft break; not
 * the "-- " signature line) is joined with the next line when both have
 * the same quote depth (">" count), without the next line's quote marks
 * and stuffed space; with delsp the space before the break goes too.
 * The first line of each paragraph is kept as written.  Returns the
 * length.
 */
static size_t
flowed_join(const char *s, size_t n, char *o, bool delsp)
{
	const char	*p = s, *e = s + n, *nl, *le, *q, *t, *from;
	char		*w = o;
	size_t		 depth, pdepth = 0;
	bool		 joining = false;

	while (p < e) {
		if ((nl = memchr(p, '\n', (size_t)(e - p))) == NULL)
			nl = e;
		le = nl > p && nl[-1] == '\r' ? nl - 1 : nl;
		for (q = p; q < le && *q == '>'; q++)
			;
		depth = (size_t)(q - p);
		t = q < le && *q == ' ' ? q + 1 : q;	/* after stuffing */
		from = p;
		if (joining && depth == pdepth)
			from = t;
		else if (joining)
			*w++ = '\n';	/* quote depths differ: hard break */
		memmove(w, from, (size_t)(le - from));
		w += le - from;
		joining = le > t && le[-1] == ' ' &&
		    !(le - t == 3 && memcmp(t, "-- ", 3) == 0);
		if (joining) {
			if (delsp)
				w--;
			pdepth = depth;
		} else if (nl < e) {
			memmove(w, le, (size_t)(nl + 1 - le));
			w += nl + 1 - le;
		}
		p = nl < e ? nl + 1 : e;
	}
	return (size_t)(w - o);
}

#define HTML_PRESCAN	1024	/* bytes searched for <meta> charset */

/* html_attr - one attribute at p (< e) of a tag: name and value */
static const char *
html_attr(const char *p, const char *e, const char **nm, size_t *nn,
    const char **val, size_t *vn)
{
	char	 qc;

	while (p < e && (is_lwsp((unsigned char)*p) || *p == '/'))
		p++;
	*nm = p;
	while (p < e && *p != '=' && *p != '>' && *p != '/' &&
	    !is_lwsp((unsigned char)*p))
		p++;
	*nn = (size_t)(p - *nm);
	*val = p;
	*vn = 0;
	while (p < e && is_lwsp((unsigned char)*p))
		p++;
	if (p >= e || *p != '=')
		return p;
	for (p++; p < e && is_lwsp((unsigned char)*p); p++)
		;
	if (p < e && (*p == '"' || *p == '\'')) {
		qc = *p++;
		for (*val = p; p < e && *p != qc; p++)
			;
		*vn = (size_t)(p - *val);
		return p < e ? p + 1 : e;
	}
	for (*val = p; p < e && *p != '>' && !is_lwsp((unsigned char)*p);
	    p++)
		;
	*vn = (size_t)(p - *val);
	return p;
}

/*
 * meta_label - copy the charset label v[0..n) (quotes and white space
 * around it dropped) to buf when cs_lookup() knows it (and it is not
 * one of the "unknown" ones); a UTF-16 label
 * means UTF-8 (HTML's rule: the bytes were read as ASCII to find it)
 */
static bool
meta_label(const char *v, size_t n, char *buf)
{
	const struct cs_label	*cl;

	while (n > 0 && (is_lwsp((unsigned char)*v) || *v == '"' ||
	    *v == '\''))
		v++, n--;
	while (n > 0 && (is_lwsp((unsigned char)v[n - 1]) ||
	    v[n - 1] == '"' || v[n - 1] == '\''))
		n--;
	if (n == 0 || n > CS_LABEL_MAX)
		return false;
	memcpy(buf, v, n);
	buf[n] = '\0';
	if (g_ascii_strncasecmp(buf, "utf-16", 6) == 0)
		strcpy(buf, "utf-8");
	return (cl = cs_lookup(buf)) != NULL &&
	    (cl->flags & CSF_UNKNOWN) == 0;
}

/*
 * html_charset - the charset a <meta> element declares in the first
 * HTML_PRESCAN bytes of s[0..n) (the HTML prescan, simplified: comments
 * skipped, <meta charset=X> or <meta http-equiv=content-type
 * content="...; charset=X">), copied to buf (CS_LABEL_MAX + 1 bytes);
 * NULL when there is none or its label is unknown
 */
static const char *
html_charset(const char *s, size_t n, char *buf)
{
	const char	*p = s, *e, *nm, *val, *c, *ce;
	size_t		 nn, vn;
	const char	*cs, *ct;
	size_t		 csn, ctn;
	bool		 equiv;

	e = s + (n < HTML_PRESCAN ? n : HTML_PRESCAN);
	while (p < e && (p = memchr(p, '<', (size_t)(e - p))) != NULL) {
		if (e - p >= 4 && memcmp(p, "<!--", 4) == 0) {
			if ((c = g_strstr_len(p + 4, e - p - 4, "-->")) ==
			    NULL)
				return NULL;
			p = c + 3;
			continue;
		}
		if (e - p < 6 || g_ascii_strncasecmp(p + 1, "meta", 4) != 0 ||
		    !(is_lwsp((unsigned char)p[5]) || p[5] == '/')) {
			p++;
			continue;
		}
		p += 5;
		cs = ct = NULL;
		csn = ctn = 0;
		equiv = false;
		while (p < e && *p != '>') {
			p = html_attr(p, e, &nm, &nn, &val, &vn);
			if (nn == 0) {
				if (p < e && *p != '>')
					p++;	/* a stray '=' */
				continue;
			}
			if (nn == 7 && g_ascii_strncasecmp(nm, "charset", 7) ==
			    0 && cs == NULL) {
				cs = val;
				csn = vn;
			} else if (nn == 7 && g_ascii_strncasecmp(nm,
			    "content", 7) == 0 && ct == NULL) {
				ct = val;
				ctn = vn;
			} else if (nn == 10 && g_ascii_strncasecmp(nm,
			    "http-equiv", 10) == 0)
				equiv = vn == 12 && g_ascii_strncasecmp(val,
				    "content-type", 12) == 0;
		}
		if (p >= e)
			return NULL;	/* cut by the prescan bound */
		/* an unknown label: on to the next <meta>, as HTML's
		 * prescan goes */
		if (cs != NULL) {
			if (meta_label(cs, csn, buf))
				return buf;
			continue;
		}
		if (!equiv || ct == NULL)
			continue;
		/* HTML's "extract a character encoding from a meta element" */
		for (c = ct, ce = ct + ctn; ce - c > 7; c++) {
			if (g_ascii_strncasecmp(c, "charset", 7) != 0)
				continue;
			for (c += 7; c < ce && is_lwsp((unsigned char)*c); c++)
				;
			if (c >= ce || *c != '=') {
				c--;
				continue;
			}
			for (c++; c < ce && is_lwsp((unsigned char)*c); c++)
				;
			for (val = c; c < ce && *c != ';' &&
			    !is_lwsp((unsigned char)*c); c++)
				;
			if (meta_label(val, (size_t)(c - val), buf))
				return buf;
			break;
		}
	}
	return NULL;
}

/*
 * scan_part - decoded text of charset cs to UTF-8, then read as kind
 * (not SK_NONE nor SK_MSG) by urlscan.  Text declared UTF-8 goes as it
 * is: urlscan treats invalid sequences as barriers and returns valid
 * UTF-8 only, and validating CJK-heavy text first would cost about 5%
 * of the extraction.  Undeclared and US-ASCII text is checked: when it
 * is not UTF-8 it is read as windows-1252 (the common case of raw 8-bit
 * mail).  Undeclared text that starts with a UTF-16 byte order mark is
 * UTF-16 (what browsers and editors make of it); HTML without a
 * declared charset gets the one of its <meta> element, as a browser
 * does.  Flowed and calendar text is rewritten in
 * m->u8 (it only shrinks) before the scan.
 */
static void
scan_part(struct mctx *m, const char *s, size_t n, const char *cs,
    enum scan_kind kind)
{
	const struct cs_label	*cl;
	char			 mcs[CS_LABEL_MAX + 1];

	if (n == 0)
		return;
	/* undeclared: a UTF-16 byte order mark, then HTML's <meta> */
	if ((cs == NULL || *cs == '\0') && n >= 2 &&
	    ((s[0] == '\xff' && s[1] == '\xfe') ||
	    (s[0] == '\xfe' && s[1] == '\xff')))
		cs = s[0] == '\xff' ? "utf-16le" : "utf-16be";
	else if (kind == SK_HTML && (cs == NULL || *cs == '\0') &&
	    !(n >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0))
		cs = html_charset(s, n, mcs);
	cl = cs_lookup(cs);
	if (cl == NULL || ((cl->flags & CSF_UTF8) == 0 &&
	    (cl->kind != CS_UTF8 || (cl->flags & CSF_UNKNOWN) ||
	    !utf8_valid(s, n)))) {
		m->u8.len = 0;
		to_utf8(&m->u8, s, n, cs, false, &m->x->flags);
		s = m->u8.p;
		n = m->u8.len;
	}
	if (kind == SK_FLOWED || kind == SK_FLOWED_DELSP || kind == SK_CAL) {
		if (s != m->u8.p) {
			m->u8.len = 0;
			(void)ob_reserve(&m->u8, n);
		}
		n = kind == SK_CAL ? cal_unfold(s, n, m->u8.p) :
		    flowed_join(s, n, m->u8.p, kind == SK_FLOWED_DELSP);
		m->u8.len = n;
		m->u8.p[n] = '\0';
		s = m->u8.p;
	}
	if (kind == SK_HTML)
		urlscan_html(&m->urls, s, n);
	else
		urlscan_text(&m->urls, s, n);
}

/* scan_text - scan_part() as plain text or HTML */
static void
scan_text(struct mctx *m, const char *s, size_t n, const char *cs,
    bool html)
{
	scan_part(m, s, n, cs, html ? SK_HTML : SK_TEXT);
}

/*
 * lost_text - the header blocks of pp that hold only text lines (a part
 * or message "without header" whose text starts right away, ended by
 * a blank line): GMime drops them as bad header lines, Python's email
 * (and RFC 5322's reading: the header ends there) shows them as the
 * part's text, so they are read as plain text, after the walk.
 */
static void
lost_text(struct mctx *m, const struct prepass *pp)
{
	size_t	 i;

	for (i = 0; i < pp->nlost; i++)
		scan_text(m, pp->out + pp->lost[i].start,
		    pp->lost[i].end - pp->lost[i].start, NULL, false);
}

/*
 * reparse - an encoded message/rfc822 part (GMime keeps it a leaf):
 * pre-pass and parse its decoded bytes like a message, then walk it.
 */
static void
reparse(struct mctx *m, const char *s, size_t n, size_t depth)
{
	struct prepass	 pp, *outer = m->pp;
	GMimeMessage	*msg;
	GMimeParserOptions *opts;
	size_t		 parts;
	bool		 recheck = m->recheck;

	parts = m->max_parts > m->x->n_parts ? m->max_parts - m->x->n_parts :
	    0;
	prepass_for(m, &pp, n, parts, depth);
	prepass(&pp, s, n);
	m->x->flags |= pp.flags & (EXF_TRUNC_HEADER | EXF_TRUNC_DEPTH |
	    EXF_TRUNC_PARTS | EXF_PARSE_DEFECT);
	if ((pp.flags & (EXF_TRUNC_BYTES | EXF_TRUNC_PARTS)) != 0)
		m->cut = true;
	m->fields_left -= pp.n_fields;
	m->pp = &pp;
	m->recheck = false;
	opts = parse_opts(&pp);
	if (pp.has_headers && (msg = parse(&pp, opts)) != NULL) {
		if (g_mime_message_get_mime_part(msg) != NULL)
			walk(m, g_mime_message_get_mime_part(msg), depth);
		g_object_unref(msg);
		parse_warnings(m, &pp, opts);
		lost_text(m, &pp);
	} else if (!pp.has_headers)
		/* no header at all: text, as a top-level one is */
		scan_text(m, pp.out, pp.olen, NULL, false);
	m->recheck = recheck;
	m->pp = outer;
	pp_free(&pp);
}

/* text-like message/ types: scanned as text, not attachments */
static bool
is_text_message(const char *sub)
{
	return strcmp(sub, "delivery-status") == 0 ||
	    strcmp(sub, "global-delivery-status") == 0 ||
	    strcmp(sub, "disposition-notification") == 0 ||
	    strcmp(sub, "global-disposition-notification") == 0 ||
	    strcmp(sub, "feedback-report") == 0 ||
	    strcmp(sub, "rfc822-headers") == 0 ||
	    strcmp(sub, "global-headers") == 0;
}

static bool
is_rfc822_sub(const char *sub)
{
	return strcmp(sub, "rfc822") == 0 || strcmp(sub, "global") == 0 ||
	    strcmp(sub, "rfc2822") == 0 || strcmp(sub, "news") == 0;
}

/*
 * text_kind - how a text/ part (or text-like message/ part) of subtype
 * sl is read: HTML, calendar or vCard, flowed plain text, plain text
 */
static enum scan_kind
text_kind(GMimeObject *obj, const char *sl)
{
	const char	*f, *d;

	if (strcmp(sl, "html") == 0)
		return SK_HTML;
	if (strcmp(sl, "plain") == 0) {
		if ((f = g_mime_object_get_content_type_parameter(obj,
		    "format")) == NULL || g_ascii_strcasecmp(f, "flowed") != 0)
			return SK_TEXT;
		d = g_mime_object_get_content_type_parameter(obj, "delsp");
		return d != NULL && g_ascii_strcasecmp(d, "yes") == 0 ?
		    SK_FLOWED_DELSP : SK_FLOWED;
	}
	if (strcmp(sl, "calendar") == 0 || strcmp(sl, "vcard") == 0 ||
	    strcmp(sl, "x-vcard") == 0 || strcmp(sl, "x-vcalendar") == 0 ||
	    strcmp(sl, "directory") == 0)
		return SK_CAL;
	return SK_TEXT;
}

/*
 * att_kind - how an attachment that is not text/ (type tl/sl, file
 * name or NULL) is read for URLs, if at all: what a recipient's system
 * opens it as.  HTML, XHTML and SVG (their types, or the names .htm
 * .html .xhtml .xht .shtml .hta .svg whatever the type: HTML attachments
 * sent as application/octet-stream are today's common phishing lure),
 * shortcut files (.url .website .webloc) and .txt as text, .ics, .vcf
 * and application/ics as calendars, .eml and MHTML web archives (.mht
 * .mhtml, application/x-mimearchive: MIME messages) as a message.
 * Compressed .svgz is not read.
 */
static enum scan_kind
att_kind(const char *tl, const char *sl, const char *name)
{
	static const struct {
		const char	*ext;
		enum scan_kind	 kind;
	} exts[] = {
		{ "htm", SK_HTML }, { "html", SK_HTML }, { "xhtml", SK_HTML },
		{ "xht", SK_HTML }, { "shtml", SK_HTML }, { "hta", SK_HTML },
		{ "svg", SK_HTML }, { "url", SK_TEXT }, { "website", SK_TEXT },
		{ "webloc", SK_TEXT }, { "txt", SK_TEXT }, { "ics", SK_CAL },
		{ "vcf", SK_CAL }, { "eml", SK_MSG }, { "mht", SK_MSG },
		{ "mhtml", SK_MSG }
	};
	const char	*dot;
	size_t		 i;

	if ((strcmp(tl, "application") == 0 && strcmp(sl, "xhtml+xml") == 0) ||
	    (strcmp(tl, "image") == 0 && strcmp(sl, "svg+xml") == 0))
		return SK_HTML;
	if (strcmp(tl, "application") == 0 && strcmp(sl, "ics") == 0)
		return SK_CAL;
	if (strcmp(tl, "application") == 0 &&
	    strcmp(sl, "x-mimearchive") == 0)
		return SK_MSG;
	if (name == NULL || (dot = strrchr(name, '.')) == NULL)
		return SK_NONE;
	for (dot++, i = 0; i < ARRAY_LEN(exts); i++)
		if (g_ascii_strcasecmp(dot, exts[i].ext) == 0)
			return exts[i].kind;
	return SK_NONE;
}

/* leaf - one leaf part: scan text, record attachments */
static void
leaf(struct mctx *m, GMimeObject *obj, size_t depth)
{
	GMimePart		*part = GMIME_PART(obj);
	GMimeContentType	*ct;
	GMimeContentEncoding	 enc;
	GMimeDataWrapper	*w;
	GByteArray		*own;
	const char		*type, *sub, *cs, *s, *d;
	char			*name, *tl, *sl, *csown;
	size_t			 n, dn;
	bool			 text, att, msg;
	enum scan_kind		 kind;

	ct = g_mime_object_get_content_type(obj);
	type = ct != NULL ? g_mime_content_type_get_media_type(ct) : NULL;
	sub = ct != NULL ? g_mime_content_type_get_media_subtype(ct) : NULL;
	name = part_filename(m, obj);
	/* untyped text, unless its file name says what a recipient opens
	 * it as (invoice.html: HTML, read by att_kind()) */
	if (ct_untyped_text(obj) && (name == NULL ||
	    att_kind("application", "octet-stream", name) == SK_NONE)) {
		type = "text";
		sub = "plain";
	}
	tl = g_ascii_strdown(type != NULL ? type : "application", -1);
	sl = g_ascii_strdown(sub != NULL ? sub : "octet-stream", -1);
	text = strcmp(tl, "text") == 0 ||
	    (strcmp(tl, "message") == 0 && is_text_message(sl));
	msg = strcmp(tl, "message") == 0 && is_rfc822_sub(sl);
	/* an encoded message/rfc822 is attached on the terms of walk()'s
	 * unencoded one: a file name or an attachment disposition */
	att = (!text && !msg) || name != NULL || is_attachment_disp(obj);
	kind = text ? text_kind(obj, sl) : msg ? SK_MSG :
	    att_kind(tl, sl, name);
	w = g_mime_part_get_content(part);
	enc = w != NULL ? g_mime_data_wrapper_get_encoding(w) :
	    GMIME_CONTENT_ENCODING_DEFAULT;
	s = part_bytes(part, &n, &own);
	if (kind != SK_NONE) {
		d = decode_all(enc, s, n, &m->dec, &dn);
		if (att)
			att_record(m, obj, name, GMIME_CONTENT_ENCODING_BINARY,
			    d, dn);
		else
			free(name);
		if (kind != SK_MSG && ct_raw(obj) != NULL) {
			/* GMime kept no parameter of that type */
			csown = param_of(m, obj, false, "charset");
			scan_part(m, d, dn, csown, kind);
			free(csown);
		} else if (kind != SK_MSG) {
			cs = g_mime_object_get_content_type_parameter(obj,
			    "charset");
			scan_part(m, d, dn, cs, kind);
		} else if (depth >= m->max_depth)
			m->x->flags |= EXF_TRUNC_DEPTH;
		else {
			/* decoded bytes live in m->dec: take them */
			struct obuf mine = m->dec;

			memset(&m->dec, 0, sizeof(m->dec));
			reparse(m, d, dn, depth + 1);
			ob_free(&mine);
		}
	} else
		att_record(m, obj, name, enc, s, n);
	if (own != NULL)
		g_byte_array_free(own, TRUE);
	g_free(tl);
	g_free(sl);
}

/*
 * mp_text - a multipart without parts: no boundary parameter, or one
 * that never occurs.  GMime keeps its whole body as the prologue; it
 * is read as text/plain (what Python's email module makes of it),
 * transfer-decoded if the part says so.  Not when the pre-pass renamed
 * the boundary for depth (that content is cut, and flagged) or stopped
 * at max_mime_parts.
 */
static void
mp_text(struct mctx *m, GMimeObject *obj)
{
	const char		*pro, *te, *d;
	GMimeContentEncoding	 enc = GMIME_CONTENT_ENCODING_DEFAULT;
	size_t			 dn;

	pro = g_mime_multipart_get_prologue(GMIME_MULTIPART(obj));
	if (pro == NULL || *pro == '\0' ||
	    (m->pp->flags & EXF_TRUNC_PARTS) != 0 ||
	    pp_capped(m->pp, first_offset(obj)))
		return;
	if ((te = g_mime_object_get_header(obj,
	    "Content-Transfer-Encoding")) != NULL)
		enc = g_mime_content_encoding_from_string(te);
	d = decode_all(enc, pro, strlen(pro), &m->dec, &dn);
	scan_text(m, d, dn, g_mime_object_get_content_type_parameter(obj,
	    "charset"), false);
}

/*
 * msg_headerless - an unencoded message part whose content starts with
 * a line that is no header field: GMime keeps none of it, mail clients
 * (and Python's email) show it as the message's text, so it is read
 * as plain text, as a top-level message without header is (its whole
 * content: there is no structure to walk).  False when it is not so.
 */
static bool
msg_headerless(struct mctx *m, GMimeObject *obj)
{
	const struct msgspan	*sp;
	const char		*s, *nl;
	size_t			 n;

	if ((sp = msg_span(m->pp, obj)) == NULL || sp->end == NO_OFF ||
	    sp->end <= sp->start)
		return false;
	s = m->pp->out + sp->start;
	n = sp->end - sp->start;
	nl = memchr(s, '\n', n);
	if (is_field_line(s, nl != NULL ? (size_t)(nl - s) : n) ||
	    lwsp_only(s, nl != NULL ? (size_t)(nl - s) : n))
		return false;
	scan_text(m, s, n, NULL, false);
	return true;
}

/*
 * walk - every part below obj in document order, with explicit depth
 * and part counters (not g_mime_message_foreach): the root part is at
 * depth 0; nothing deeper than max_mime_depth is visited and no more
 * than max_mime_parts parts.
 */
static void
walk(struct mctx *m, GMimeObject *obj, size_t depth)
{
	struct extract	*x = m->x;
	GMimeMultipart	*mp;
	GMimeMessage	*inner;
	int		 i, cnt;

	if (m->stop || obj == NULL)
		return;
	if (x->n_parts >= m->max_parts) {
		x->flags |= EXF_TRUNC_PARTS;
		m->stop = m->recheck = true;
		return;
	}
	x->n_parts++;
	if (GMIME_IS_MULTIPART(obj)) {
		mp = GMIME_MULTIPART(obj);
		/* no end boundary, or no boundary: GMime warned */
		if (!mp->write_end_boundary ||
		    g_mime_object_get_content_type_parameter(obj,
		    "boundary") == NULL)
			m->recheck = true;
		if ((cnt = g_mime_multipart_get_count(mp)) == 0)
			mp_text(m, obj);
		else if (depth >= m->max_depth) {
			x->flags |= EXF_TRUNC_DEPTH;
			m->recheck = true;
			return;
		}
		for (i = 0; i < cnt && !m->stop; i++)
			walk(m, g_mime_multipart_get_part(mp, i), depth + 1);
	} else if (GMIME_IS_MESSAGE_PART(obj)) {
		inner = g_mime_message_part_get_message(
		    GMIME_MESSAGE_PART(obj));
		if (is_attachment_disp(obj) ||
		    g_mime_object_get_content_disposition_parameter(obj,
		    "filename") != NULL ||
		    g_mime_object_get_content_type_parameter(obj, "name") !=
		    NULL)
			att_message(m, obj, inner);
		if (depth < m->max_depth && (inner == NULL ||
		    g_mime_header_list_get_count(g_mime_object_get_header_list(
		    GMIME_OBJECT(inner))) == 0) && msg_headerless(m, obj))
			return;
		if (inner == NULL || g_mime_message_get_mime_part(inner) == NULL)
			return;
		if (depth >= m->max_depth) {
			x->flags |= EXF_TRUNC_DEPTH;
			m->recheck = true;
			return;
		}
		walk(m, g_mime_message_get_mime_part(inner), depth + 1);
	} else if (GMIME_IS_PART(obj))
		leaf(m, obj, depth);
}

/* ---------------------------------------------------- public API */

int
extract_init(const struct config *cfg, struct errbuf *err)
{
	static const char *fallback[] = { "utf-8", "windows-1252", NULL };
	GMimeParserOptions	*o;
	int			 i;

	if (mime_ready)
		return 0;
	/* cs_lookup() bsearches the label table: an edit that breaks its
	 * order would silently lose labels */
	for (i = 1; i < (int)ARRAY_LEN(cs_labels); i++)
		if (strcmp(cs_labels[i - 1].label, cs_labels[i].label) >= 0) {
			errbuf_set(err, "mime: charset label table out of "
			    "order at \"%s\"", cs_labels[i].label);
			return -1;
		}
	g_mime_init();
	b64_tables();
	if ((mime_opts = g_mime_parser_options_new()) == NULL ||
	    (quiet_opts = g_mime_parser_options_new()) == NULL) {
		errbuf_set(err, "mime: cannot create GMime parser options");
		if (mime_opts != NULL)
			g_mime_parser_options_free(mime_opts);
		mime_opts = NULL;
		g_mime_shutdown();
		return -1;
	}
	for (i = 0; i < 2; i++) {
		o = i == 0 ? mime_opts : quiet_opts;
		g_mime_parser_options_set_rfc2047_compliance_mode(o,
		    GMIME_RFC_COMPLIANCE_LOOSE);
		g_mime_parser_options_set_address_compliance_mode(o,
		    GMIME_RFC_COMPLIANCE_LOOSE);
		g_mime_parser_options_set_parameter_compliance_mode(o,
		    GMIME_RFC_COMPLIANCE_LOOSE);
		g_mime_parser_options_set_allow_addresses_without_domain(o,
		    TRUE);
		g_mime_parser_options_set_fallback_charsets(o, fallback);
	}
	g_mime_parser_options_set_warning_callback(mime_opts, parser_warning,
	    NULL);
	mime_ready = true;
	return 0;
}

void
extract_set_checks(int mode)
{
	mime_checks = mode;
}

void
extract_shutdown(void)
{
	if (!mime_ready)
		return;
	g_private_replace(&mime_cache, NULL);	/* this thread's buffers */
	g_mime_parser_options_free(mime_opts);
	g_mime_parser_options_free(quiet_opts);
	mime_opts = quiet_opts = NULL;
	g_mime_shutdown();
	mime_ready = false;
}

int
extract_message(const struct config *cfg, const char *raw, size_t len,
    struct extract *out, struct errbuf *err)
{
	struct mctx	 m;
	struct prepass	 pp;
	GMimeMessage	*msg = NULL;
	GMimeParserOptions *opts;
	const char	*v[H_N];
	const char	*body;
	size_t		 bodylen;
	enum mid_kind	 mk;

	memset(out, 0, sizeof(*out));
	out->date_ms = -1;
	out->bytes = len;
	if (!mime_ready || cfg == NULL || (raw == NULL && len > 0)) {
		errbuf_set(err, "mime: extract_message: %s",
		    !mime_ready ? "extract_init() was not called" :
		    "no configuration or no input");
		out->flags = EXF_NO_HEADERS | EXF_NO_MESSAGE_ID | EXF_BAD_DATE;
		return -1;
	}
	memset(&m, 0, sizeof(m));
	memset(v, 0, sizeof(v));
	m.x = out;
	m.max_out = cfg_size(cfg->max_message_bytes);
	if (m.max_out > 0x7ffffff0)
		m.max_out = 0x7ffffff0;		/* GByteArray is 32-bit */
	m.max_hdr = cfg_size(cfg->max_header_bytes);
	m.max_depth = cfg_size(cfg->max_mime_depth);
	m.max_parts = cfg_size(cfg->max_mime_parts);
	m.max_att = cfg_size(cfg->max_attachments);
	m.max_stack = m.max_depth + MIME_STACK_SLACK;
	m.fields_left = MIME_MAX_FIELDS;
	url_set_init(&m.urls, cfg_size(cfg->max_urls),
	    cfg_size(cfg->max_url_length));
	mime_cur = &m;

	prepass_for(&m, &pp, m.max_out, m.max_parts, 0);
	mcache_take(&m, &pp);
	m.pp = &pp;
	prepass(&pp, raw != NULL ? raw : "", len);
	out->flags |= pp.flags;
	out->n_headers = pp.n_headers;
	m.cut = (pp.flags & (EXF_TRUNC_BYTES | EXF_TRUNC_PARTS)) != 0;
	m.fields_left -= pp.n_fields;
	opts = parse_opts(&pp);
	if (pp.has_headers && (msg = parse(&pp, opts)) != NULL) {
		headers(&m, msg, v);
		walk(&m, g_mime_message_get_mime_part(msg), 0);
		parse_warnings(&m, &pp, opts);
		lost_text(&m, &pp);
		body = pp.out + pp.body_off;
		bodylen = pp.olen - pp.body_off;
	} else {
		/* not mail: all of it is text */
		out->flags |= EXF_NO_HEADERS;
		memset(v, 0, sizeof(v));
		body = pp.out;
		bodylen = pp.olen;
		scan_text(&m, body, bodylen, NULL, false);
	}
	/*
	 * SHA-256 over the whole body is the largest single cost: skipped
	 * only when the id surely comes from the Message-ID.
	 */
	mk = mid_kind(out->message_id);
	if (mk != MID_BRACKETS)
		content_hash(v, body, bodylen, out->content_sha256);
	if (mk == MID_NONE)
		out->flags |= EXF_NO_MESSAGE_ID;
	if (out->date_ms == -1)
		out->flags |= EXF_BAD_DATE;
	flag_bidi(out);

	/* v[] points into msg: done with it only now */
	if (msg != NULL)
		g_object_unref(msg);
	mime_cur = NULL;
	out->flags |= m.urls.flags;
	url_set_finish_links(&m.urls, &out->link_shown, &out->link_target);
	url_set_finish(&m.urls, &out->urls);
	mcache_give(&m, &pp);
	pp_free(&pp);
	return 0;
}

void
extract_free(struct extract *x)
{
	size_t	 i;

	if (x == NULL)
		return;
	free(x->message_id);
	free(x->subject);
	free(x->date);
	addrlist_free(&x->from);
	addrlist_free(&x->to);
	addrlist_free(&x->cc);
	addrlist_free(&x->reply_to);
	free(x->return_path);
	free(x->sender);
	free(x->in_reply_to);
	free(x->x_mailer);
	free(x->auth_results);
	free(x->x_originating_ip);
	strlist_free(&x->received_ips);
	strlist_free(&x->urls);
	strlist_free(&x->link_shown);
	strlist_free(&x->link_target);
	for (i = 0; i < x->n_att; i++) {
		free(x->att[i].name);
		free(x->att[i].type);
	}
	free(x->att);
	memset(x, 0, sizeof(*x));
	x->date_ms = -1;
}

char *
extract_flags_str(unsigned flags)
{
	static const struct {
		unsigned	 bit;
		const char	*name;
	} names[] = {
		{ EXF_TRUNC_BYTES, "message_bytes" },
		{ EXF_TRUNC_HEADER, "header_bytes" },
		{ EXF_TRUNC_DEPTH, "mime_depth" },
		{ EXF_TRUNC_PARTS, "mime_parts" },
		{ EXF_TRUNC_URLS, "urls" },
		{ EXF_TRUNC_URL_LEN, "url_length" },
		{ EXF_REGEX_LIMIT, "regex_limit" },
		{ EXF_TRUNC_ATTACH, "attachments" },
		{ EXF_NO_HEADERS, "no_headers" },
		{ EXF_BAD_DATE, "bad_date" },
		{ EXF_NO_MESSAGE_ID, "no_message_id" },
		{ EXF_CHARSET, "charset" },
		{ EXF_PARSE_DEFECT, "parse_defect" },
		{ EXF_BIDI, "bidi_control" },
		{ EXF_DUP_HEADER, "duplicate_header" },
	};
	struct strbuf	 sb = { NULL, 0, 0 };
	size_t		 i;

	for (i = 0; i < ARRAY_LEN(names); i++) {
		if ((flags & names[i].bit) == 0)
			continue;
		if (sb.len > 0)
			sb_putc(&sb, ',');
		sb_puts(&sb, names[i].name);
	}
	return sb_steal(&sb);
}

void
addrlist_add(struct addrlist *l, const char *name, const char *addr)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 4;
		l->v = xrealloc(l->v, l->cap * sizeof(*l->v));
	}
	l->v[l->n].name = name != NULL ? xstrdup(name) : NULL;
	l->v[l->n].addr = addr != NULL ? xstrdup(addr) : NULL;
	l->n++;
}

void
addrlist_free(struct addrlist *l)
{
	size_t	 i;

	for (i = 0; i < l->n; i++) {
		free(l->v[i].name);
		free(l->v[i].addr);
	}
	free(l->v);
	l->v = NULL;
	l->n = l->cap = 0;
}
