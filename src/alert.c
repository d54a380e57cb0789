/*
 * alert - struct extract + struct envelope -> SOAR CaseInfo JSON.
 * See alert.h, docs/ALERT-ID.md and docs/ALERT-FORMAT.md.
 *
 * The only module that uses json-c.  Every string written first goes
 * through clean(): invalid UTF-8 becomes U+FFFD and every value is
 * capped, so that one alert stays far below SOAR's 8 MB per-alert limit
 * whatever the configured extraction bounds are.  clean() is the only
 * UTF-8 guard.
 *
 * Output: exactly what json-c 0.16's json_object_to_json_string_ext()
 * writes for the same object: compact (JSON_C_TO_STRING_PLAIN: no
 * spaces) or, with pretty (PRETTY | SPACED), indented by two spaces; '/'
 * is never escaped (NOSLASHESCAPE); bytes >= 0x80 go out as they are
 * (UTF-8, no \u escapes); '"', '\\' and the control characters are
 * escaped (\b \f \n \r \t, else \u00xx).  The key order below is the
 * output's.
 *
 * How: the alert is written straight into one buffer (see "writer"),
 * not built as a json-c object tree and then serialised: the tree (one
 * heap object and one hash insert per key, then a second walk to print)
 * cost 2.2 times the instructions of the whole alert_json() written
 * directly (docs/PERFORMANCE.md, "alert_json writer (session 3)").
 * json-c still escapes every string that needs it (jw_escaped()), and
 * test-alert checks the output against json-c's own serialisation.
 *
 * Cost: most values are valid UTF-8 under their cap, so clean() checks
 * them eight ASCII bytes at a time and hands back a view, not a copy.
 */
#include "autoconfig.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json.h>

#include "alert.h"
#include "authres.h"
#include "config.h"
#include "digest.h"
#include "extract.h"
#include "util.h"

/* Caps (bytes of UTF-8) on what goes into one alert. */
#define TEXT_MAX	8192		/* one free-text value */
#define LIST_MAX	65536		/* one comma-joined list */
#define DESC_PART_MAX	200		/* subject / sender inside description */
#define NAME_MAX_EML	200		/* name of the attach_eml attachment */
#define EVENT_BUDGET	(4u * 1024 * 1024)	/* escaped JSON of the event */

#define DEFAULT_NAME		"Suspicious email"
#define DEFAULT_ENVIRONMENT	"Default Environment"
#define DEFAULT_VENDOR		"soar-milter"
#define DEFAULT_PRODUCT		"Mail"
#define DEFAULT_RULE		"soar-milter"

/* Bounds and limits (as opposed to anomalies): they go to "truncated". */
#define EXF_LIMIT_MASK	(EXF_TRUNC_BYTES | EXF_TRUNC_HEADER | \
	EXF_TRUNC_DEPTH | EXF_TRUNC_PARTS | EXF_TRUNC_URLS | \
	EXF_TRUNC_URL_LEN | EXF_REGEX_LIMIT | EXF_TRUNC_ATTACH)

/* ------------------------------------------------------------ strings */

/*
 * A value as it goes into the alert: valid UTF-8, capped.  s points into
 * the caller's string when that needed no change but perhaps a cut (the
 * common case: no copy), else into buf.  Release with clean_free().
 */
struct clean {
	const char	*s;
	size_t		 len;
	struct strbuf	 buf;
};

#define ASCII_HIGH	0x8080808080808080ULL
#define ASCII_ONES	0x0101010101010101ULL

/* load8 - eight bytes at p as one word (any alignment) */
static inline uint64_t
load8(const unsigned char *p)
{
	uint64_t	w;

	memcpy(&w, p, sizeof(w));
	return w;
}

/* utf8_seq - length of the valid UTF-8 sequence at p (n bytes left), or
 * 0 if invalid; *bad_r gets how many bytes to replace with one U+FFFD
 * (the maximal valid prefix, at least 1). */
static inline size_t
utf8_seq(const unsigned char *p, size_t n, size_t *bad_r)
{
	unsigned char	c = p[0], lo = 0x80, hi = 0xbf;
	size_t		len, i;

	*bad_r = 1;
	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		len = 2;
	else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		if (c == 0xe0)
			lo = 0xa0;		/* overlong */
		else if (c == 0xed)
			hi = 0x9f;		/* surrogates */
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		if (c == 0xf0)
			lo = 0x90;		/* overlong */
		else if (c == 0xf4)
			hi = 0x8f;		/* > U+10FFFF */
	} else
		return 0;
	for (i = 1; i < len; i++) {
		if (i >= n || p[i] < lo || p[i] > hi) {
			*bad_r = i;
			return 0;
		}
		lo = 0x80;
		hi = 0xbf;
	}
	return len;
}

/* utf8_valid - length of the longest valid UTF-8 prefix of p[0..n):
 * ASCII eight bytes at a time, other characters one by one */
static size_t
utf8_valid(const unsigned char *p, size_t n)
{
	size_t	i = 0, len, bad;

	while (i < n) {
		while (n - i >= 8 && (load8(p + i) & ASCII_HIGH) == 0)
			i += 8;
		while (i < n && p[i] < 0x80)
			i++;
		if (i == n)
			break;
		if ((len = utf8_seq(p + i, n - i, &bad)) == 0)
			break;
		i += len;
	}
	return i;
}

/* utf8_cut - the largest character boundary <= max in valid UTF-8 p
 * of more than max bytes */
static size_t
utf8_cut(const unsigned char *p, size_t max)
{
	while (max > 0 && (p[max] & 0xc0) == 0x80)
		max--;
	return max;
}

/*
 * clean - s as valid UTF-8 (each invalid sequence replaced by U+FFFD) of
 * at most max bytes, cut at a character boundary, into c.  *cut_r is set
 * (never cleared) when cut.  Valid runs are measured by utf8_valid() and
 * taken whole.
 */
static void
clean(struct clean *c, const char *s, size_t max, bool *cut_r)
{
	static const char	 repl[] = "\xef\xbf\xbd";
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 n, ok, bad;

	memset(c, 0, sizeof(*c));
	n = strlen(s);
	ok = utf8_valid(p, n);
	if (ok == n) {
		/* Valid: a view of s, perhaps shortened. */
		c->s = s;
		c->len = n;
		if (n > max) {
			c->len = utf8_cut(p, max);
			*cut_r = true;
		}
		return;
	}
	for (;;) {
		/* p[0..ok) is valid, p[ok] starts an invalid sequence. */
		if (ok > max - c->buf.len) {
			sb_append(&c->buf, p, utf8_cut(p, max - c->buf.len));
			*cut_r = true;
			break;
		}
		sb_append(&c->buf, p, ok);
		p += ok;
		n -= ok;
		if (n == 0)
			break;
		(void)utf8_seq(p, n, &bad);
		if (3 > max - c->buf.len) {
			*cut_r = true;
			break;
		}
		sb_append(&c->buf, repl, 3);
		p += bad;
		n -= bad;
		ok = utf8_valid(p, n);
	}
	c->s = c->buf.s != NULL ? c->buf.s : "";
	c->len = c->buf.len;
}

/* clean_free - release what clean() allocated */
static void
clean_free(struct clean *c)
{
	sb_free(&c->buf);
}

/*
 * json_special - has word w a byte below 0x20, a '"' or a '\\'?  The
 * has-zero-byte test: (x - 0x01..01) & ~x & 0x80..80 is non-zero iff a
 * byte of x is zero; x - 0x20..20 finds a byte below 0x20 the same way.
 * ~w drops bytes >= 0x80 (none of them is special).
 */
static inline bool
json_special(uint64_t w)
{
	uint64_t	q = w ^ (ASCII_ONES * '"'), b = w ^ (ASCII_ONES * '\\');

	return (((w - ASCII_ONES * 0x20) | (q - ASCII_ONES) |
	    (b - ASCII_ONES)) & ~w & ASCII_HIGH) != 0;
}

/*
 * json_cost - upper bound of the escaped JSON size of "s[0..len)" as
 * json-c writes it with NOSLASHESCAPE: '"' and '\\' take two bytes, a
 * control character two (\n) or six (\u001f), counted as six; every
 * other byte, '/' and UTF-8 included, one.
 */
static size_t
json_cost(const char *s, size_t len)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 n = 2 + len, i = 0, end;

	while (i < len) {
		/* Words without anything to escape cost their length. */
		while (len - i >= 8 && !json_special(load8(p + i)))
			i += 8;
		end = len - i >= 8 ? i + 8 : len;
		for (; i < end; i++) {
			if (p[i] < 0x20)
				n += 5;
			else if (p[i] == '"' || p[i] == '\\')
				n++;
		}
	}
	return n;
}

/*
 * clean_cost - clean(c, s, max, cut_r) and return json_cost() of the
 * result.  The common value (ASCII without anything to escape, under
 * its cap) is recognised in one pass, eight bytes at a time, and costs
 * its length plus the quotes; any other takes clean() and json_cost().
 */
static size_t
clean_cost(struct clean *c, const char *s, size_t max, bool *cut_r)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 n = strlen(s), i = 0;
	uint64_t		 w;

	if (n <= max) {
		while (n - i >= 8) {
			w = load8(p + i);
			if ((w & ASCII_HIGH) != 0 || json_special(w))
				goto slow;
			i += 8;
		}
		for (; i < n; i++)
			if (p[i] >= 0x80 || p[i] < 0x20 || p[i] == '"' ||
			    p[i] == '\\')
				goto slow;
		memset(c, 0, sizeof(*c));
		c->s = s;
		c->len = n;
		return n + 2;
	}
slow:
	clean(c, s, max, cut_r);
	return json_cost(c->s, c->len);
}

/* empty - NULL or "" */
static bool
empty(const char *s)
{
	return s == NULL || *s == '\0';
}

/* ------------------------------------------------------------ writer */

/*
 * The alert is written straight into one growing buffer, in json-c
 * 0.16's layout (json_object_to_json_string_ext() with NOSLASHESCAPE,
 * and PLAIN or PRETTY | SPACED): members in the order written; compact:
 * {"k":v,"k":v} and [v]; pretty: each member or element on a new line
 * indented two spaces per level, "k": v, the closing bracket on a new
 * line at its container's level ("{\n  }" when empty).  A string with
 * nothing to escape (json_cost() says so) goes out between quotes as it
 * is; any other string is escaped by json-c itself (jw_escaped()), so
 * the escaping rules are json-c's own.  test-alert checks the whole
 * output against json-c's serialisation of the parsed result.
 */
struct jw {
	struct strbuf	 b;		/* the output so far */
	size_t		 depth;		/* containers open */
	bool		 pretty;
	bool		 first;		/* the innermost one is still empty */
	json_object	*esc;		/* json-c string for jw_escaped() */
};

#define JW_CAP0		16384		/* first buffer: most alerts fit */

/* jw_room - where n more bytes go (with room for a NUL after them) */
static inline char *
jw_room(struct jw *w, size_t n)
{
	if (w->b.cap - w->b.len <= n)
		return sb_room(&w->b, n);
	return w->b.s + w->b.len;
}

/* jw_put - append p[0..n) */
static inline void
jw_put(struct jw *w, const void *p, size_t n)
{
	memcpy(jw_room(w, n), p, n);
	w->b.len += n;
}

/* jw_sep - before a member or an element: ',' unless first, and when
 * pretty a new line indented to the depth */
static inline void
jw_sep(struct jw *w)
{
	char	*p = jw_room(w, 2 + 2 * w->depth);

	if (!w->first)
		*p++ = ',';
	w->first = false;
	if (w->pretty) {
		*p++ = '\n';
		memset(p, ' ', 2 * w->depth);
		p += 2 * w->depth;
	}
	w->b.len = (size_t)(p - w->b.s);
}

/* jw_open - '{' or '[' as a value */
static void
jw_open(struct jw *w, char c)
{
	jw_put(w, &c, 1);
	w->depth++;
	w->first = true;
}

/* jw_close - '}' or ']' (on a new line at the container's level when
 * pretty, even when empty, as json-c does) */
static void
jw_close(struct jw *w, char c)
{
	w->depth--;
	w->first = true;		/* no ',' from jw_sep() */
	if (w->pretty)
		jw_sep(w);
	jw_put(w, &c, 1);
	w->first = false;
}

/* jw_key - "key": for a key with nothing to escape (all of ours) */
static inline void
jw_key(struct jw *w, const char *key, size_t klen)
{
	char	*p;

	jw_sep(w);
	p = jw_room(w, klen + 4);
	*p++ = '"';
	memcpy(p, key, klen);
	p += klen;
	*p++ = '"';
	*p++ = ':';
	if (w->pretty)
		*p++ = ' ';
	w->b.len = (size_t)(p - w->b.s);
}

/* jw_lkey - jw_key() for a string literal */
#define jw_lkey(w, k)	jw_key((w), (k), sizeof(k) - 1)

/* jw_lit - a literal token (null, false) */
static void
jw_lit(struct jw *w, const char *s)
{
	jw_put(w, s, strlen(s));
}

/* jw_int - an integer, as json-c's "%" PRId64 */
static void
jw_int(struct jw *w, int64_t v)
{
	char		 buf[24], *p = buf + sizeof(buf);
	uint64_t	 u = v < 0 ? -(uint64_t)v : (uint64_t)v;

	do {
		*--p = (char)('0' + u % 10);
		u /= 10;
	} while (u > 0);
	if (v < 0)
		*--p = '-';
	jw_put(w, p, (size_t)(buf + sizeof(buf) - p));
}

/*
 * jw_escaped - "s[0..len)" escaped by json-c's string serializer (its
 * rules: \" \\ \b \f \n \r \t, other control bytes \u00xx, '/' kept
 * with NOSLASHESCAPE, every other byte as it is), through one json-c
 * string object per alert, reused.  Only strings that need escaping
 * come here: few in real mail.
 */
static void
jw_escaped(struct jw *w, const char *s, size_t len)
{
	const char	*out;
	size_t		 n;

	ASSERT(len <= LIST_MAX);
	if (w->esc == NULL) {
		w->esc = json_object_new_string_len(s, (int)len);
		ASSERT(w->esc != NULL);
	} else if (json_object_set_string_len(w->esc, s, (int)len) != 1)
		ASSERT(!"json_object_set_string_len");
	out = json_object_to_json_string_length(w->esc,
	    JSON_C_TO_STRING_NOSLASHESCAPE, &n);
	ASSERT(out != NULL);
	jw_put(w, out, n);
}

/* jw_str - a string of clean UTF-8 whose json_cost() is cost */
static inline void
jw_str(struct jw *w, const char *s, size_t len, size_t cost)
{
	char	*p;

	if (cost != len + 2) {
		jw_escaped(w, s, len);
		return;
	}
	p = jw_room(w, len + 2);
	*p++ = '"';
	memcpy(p, s, len);
	p[len] = '"';
	w->b.len += len + 2;
}

/* jw_clean - key: clean(s) capped at max ("" for NULL); cost_r gets
 * its json_cost() */
static void
jw_clean(struct jw *w, const char *key, const char *s, size_t max,
    bool *cut_r, size_t *cost_r)
{
	struct clean	c;
	size_t		cost;

	cost = clean_cost(&c, s != NULL ? s : "", max, cut_r);
	jw_key(w, key, strlen(key));
	jw_str(w, c.s, c.len, cost);
	clean_free(&c);
	if (cost_r != NULL)
		*cost_r = cost;
}

/* jw_done - the NUL-terminated output, handed to the caller */
static char *
jw_done(struct jw *w)
{
	ASSERT(w->depth == 0);
	*jw_room(w, 0) = '\0';
	if (w->esc != NULL)
		json_object_put(w->esc);
	return w->b.s;
}

/* ------------------------------------------------------------ lists */

/* A small set of lowercased strings for de-duplication. */
struct strset {
	char	**slot;
	size_t	  cap;			/* power of two */
	size_t	  n;
};

/* hash_ci - FNV-1a of s[0..len), ASCII case folded */
static uint64_t
hash_ci(const char *s, size_t len)
{
	uint64_t	h = 14695981039346656037ULL;
	size_t		i;

	for (i = 0; i < len; i++) {
		h ^= (unsigned char)tolower((unsigned char)s[i]);
		h *= 1099511628211ULL;
	}
	return h;
}

/* strset_add - true if s[0..len) was not in the set (and is now) */
static bool
strset_add(struct strset *set, const char *s, size_t len)
{
	size_t	i, j;
	char	**old;
	size_t	oldcap;

	if (set->n * 2 >= set->cap) {
		old = set->slot;
		oldcap = set->cap;
		set->cap = oldcap == 0 ? 64 : oldcap * 2;
		set->slot = xcalloc(set->cap, sizeof(*set->slot));
		for (i = 0; i < oldcap; i++) {
			if (old[i] == NULL)
				continue;
			j = hash_ci(old[i], strlen(old[i])) &
			    (set->cap - 1);
			while (set->slot[j] != NULL)
				j = (j + 1) & (set->cap - 1);
			set->slot[j] = old[i];
		}
		free(old);
	}
	i = hash_ci(s, len) & (set->cap - 1);
	for (; set->slot[i] != NULL; i = (i + 1) & (set->cap - 1))
		if (strncasecmp(set->slot[i], s, len) == 0 &&
		    set->slot[i][len] == '\0')
			return false;
	set->slot[i] = xstrndup(s, len);
	set->n++;
	return true;
}

/* strset_free - release the set and its strings */
static void
strset_free(struct strset *set)
{
	size_t	i;

	for (i = 0; i < set->cap; i++)
		free(set->slot[i]);
	free(set->slot);
	memset(set, 0, sizeof(*set));
}

/*
 * A comma-joined list built item by item, capped at LIST_MAX bytes at an
 * item boundary, optionally without case-insensitive duplicates.
 */
struct joined {
	struct strbuf	sb;
	struct strset	seen;
	bool		dedup;
	bool		cut;		/* items left out: LIST_MAX */
	bool		item_cut;	/* an item cut to TEXT_MAX */
	size_t		n;		/* items in sb */
};

/* joined_add - append one item (cleaned, capped, maybe de-duplicated) */
static void
joined_add(struct joined *j, const char *item)
{
	struct clean	c;

	if (empty(item) || j->cut)
		return;
	clean(&c, item, TEXT_MAX, &j->item_cut);
	if (j->dedup && !strset_add(&j->seen, c.s, c.len))
		goto out;
	if (j->sb.len + 1 + c.len > LIST_MAX) {
		j->cut = true;
		goto out;
	}
	if (j->n++ > 0)
		sb_putc(&j->sb, ',');
	sb_append(&j->sb, c.s, c.len);
out:
	clean_free(&c);
}

/* joined_addrs - append the addr-spec of every mailbox of l */
static void
joined_addrs(struct joined *j, const struct addrlist *l)
{
	size_t	i;

	for (i = 0; i < l->n; i++)
		joined_add(j, l->v[i].addr);
}

/* joined_steal - the list ("" when empty); frees the rest */
static char *
joined_steal(struct joined *j)
{
	strset_free(&j->seen);
	return sb_steal(&j->sb);
}

/* ------------------------------------------------------------ id */

/* alert_normalise_message_id - see alert.h and docs/ALERT-ID.md */
char *
alert_normalise_message_id(const char *raw)
{
	const char	*p, *end, *lt, *gt;
	struct strbuf	 sb = { 0 };
	char		*s, *at;

	if (raw == NULL)
		return NULL;
	/* The first <...> if there is one, else the first token. */
	if ((lt = strchr(raw, '<')) != NULL &&
	    (gt = strchr(lt + 1, '>')) != NULL) {
		p = lt + 1;
		end = gt;
	} else {
		for (p = raw; *p != '\0' && strchr(" \t\r\n<", *p) != NULL;
		    p++)
			;
		for (end = p; *end != '\0' && strchr(" \t\r\n>", *end) == NULL;
		    end++)
			;
	}
	/*
	 * Unfold and drop white space: a msg-id has none, and software
	 * that folds long ids (or a milter seeing the folded form) must
	 * not change the id.
	 */
	for (; p < end; p++)
		if (*p != ' ' && *p != '\t' && *p != '\r' && *p != '\n')
			sb_putc(&sb, *p);
	s = sb_steal(&sb);
	if (*s == '\0') {
		free(s);
		return NULL;
	}
	if ((at = strrchr(s, '@')) != NULL)
		str_lower(at + 1);
	return s;
}

/* alert_id - the stable id; see alert.h */
void
alert_id(const struct config *cfg, const struct extract *x,
    char id_r[ALERT_ID_MAX])
{
	char		 hex[DIGEST_SHA256_HEX];
	char		*norm;
	const char	*prefix;
	struct digest	*d;

	/* SHA-256 of "mid:" + norm or "content:" + hash, fed in two
	 * pieces rather than joined first */
	norm = alert_normalise_message_id(x->message_id);
	d = digest_new(DIGEST_SHA256);
	if (norm != NULL) {
		digest_update(d, "mid:", 4);
		digest_update(d, norm, strlen(norm));
	} else {
		digest_update(d, "content:", 8);
		digest_update(d, x->content_sha256,
		    strlen(x->content_sha256));
	}
	digest_final_hex(d, hex);
	free(norm);
	prefix = cfg != NULL && cfg->id_prefix != NULL ? cfg->id_prefix : "";
	/* The prefix is cut if absurdly long; the 32 hex digits never. */
	snprintf(id_r, ALERT_ID_MAX, "%.*s%.32s", ALERT_ID_MAX - 33, prefix,
	    hex);
}

/* ------------------------------------------------------------ event */

/* State while the one event object is written. */
struct ev {
	struct jw	*w;
	size_t		 used;		/* escaped JSON bytes so far */
	bool		 value_cut;	/* a value hit TEXT_MAX / LIST_MAX */
	bool		 budget_hit;	/* indexed keys dropped (budget) */
};

/* ev_str - key = s (capped at max), even when s is empty or NULL */
static void
ev_str(struct ev *e, const char *key, const char *s, size_t max)
{
	size_t	cost;

	jw_clean(e->w, key, s, max, &e->value_cut, &cost);
	e->used += strlen(key) + 4 + cost;
}

/* ev_opt - key = s only when s has a value */
static void
ev_opt(struct ev *e, const char *key, const char *s, size_t max)
{
	if (!empty(s))
		ev_str(e, key, s, max);
}

/* ev_own - ev_opt, then free s */
static void
ev_own(struct ev *e, const char *key, char *s, size_t max)
{
	ev_opt(e, key, s, max);
	free(s);
}

/* ev_int_k - key[0..klen) = v (an integer) */
static void
ev_int_k(struct ev *e, const char *key, size_t klen, int64_t v)
{
	jw_key(e->w, key, klen);
	jw_int(e->w, v);
	e->used += klen + 4 + 21;
}

/* ev_int - key = v for a literal key */
static void
ev_int(struct ev *e, const char *key, int64_t v)
{
	ev_int_k(e, key, strlen(key), v);
}

/* ev_budget - room for one more indexed value of that cost under a key
 * of klen bytes? */
static bool
ev_budget(struct ev *e, size_t klen, size_t cost)
{
	if (e->budget_hit || e->used + klen + 4 + cost > EVENT_BUDGET) {
		e->budget_hit = true;
		return false;
	}
	return true;
}

/* An indexed key: url_N, file_name_N, ...: at most 12 + 20 bytes. */
struct ikey {
	char	s[48];
	size_t	len;
};

/* ikey - prefix followed by n in decimal into k */
static void
ikey(struct ikey *k, const char *prefix, size_t n)
{
	char	digits[24];
	size_t	nd = 0, plen = strlen(prefix);

	do {
		digits[nd++] = (char)('0' + n % 10);
		n /= 10;
	} while (n > 0);
	ASSERT(plen + nd < sizeof(k->s));
	memcpy(k->s, prefix, plen);
	while (nd > 0)
		k->s[plen++] = digits[--nd];
	k->s[plen] = '\0';
	k->len = plen;
}

/* ev_indexed - k = s as a budgeted indexed value (file_*_N) */
static void
ev_indexed(struct ev *e, const struct ikey *k, const char *s, size_t max)
{
	struct clean	c;
	size_t		cost;

	if (empty(s))
		return;
	cost = clean_cost(&c, s, max, &e->value_cut);
	if (ev_budget(e, k->len, cost)) {
		jw_key(e->w, k->s, k->len);
		jw_str(e->w, c.s, c.len, cost);
		e->used += k->len + 4 + cost;
	}
	clean_free(&c);
}

/*
 * A URL as it goes into the alert (found_url and url_N): cleaned and
 * costed once, on first use, for both.
 */
struct uclean {
	struct clean	 c;
	size_t		 cost;		/* json_cost() of c */
	size_t		 commas;	/* ',' in c: "%2C" in found_url */
	bool		 cut;		/* c was cut to TEXT_MAX */
	bool		 done;
};

/* url_clean - URL i of x cleaned as joined_add() / ev_indexed() do */
static const struct uclean *
url_clean(struct uclean *uc, const struct extract *x, size_t i)
{
	const char	*p;

	if (!uc[i].done) {
		uc[i].cost = clean_cost(&uc[i].c, x->urls.v[i], TEXT_MAX,
		    &uc[i].cut);
		uc[i].commas = 0;
		if (memchr(uc[i].c.s, ',', uc[i].c.len) != NULL)
			for (p = uc[i].c.s; p < uc[i].c.s + uc[i].c.len; p++)
				uc[i].commas += *p == ',';
		uc[i].done = true;
	}
	return &uc[i];
}

/* put_commas - s with each ',' written as "%2C" */
static void
put_commas(struct strbuf *sb, const char *s, size_t len)
{
	const char	*end = s + len, *c;

	while ((c = memchr(s, ',', (size_t)(end - s))) != NULL) {
		sb_append(sb, s, (size_t)(c - s));
		sb_puts(sb, "%2C");
		s = c + 1;
	}
	sb_append(sb, s, (size_t)(end - s));
}

/*
 * found_urls - event["found_url"]: the URLs comma-joined up to LIST_MAX
 * at an item boundary, as a joined list would be (an item is cleaned
 * before the bound is checked).  A comma inside a URL is written as
 * "%2C" there, so that the list splits on ',' into the URLs (url_N
 * keeps the URL as found).  When no URL needs escaping, the list
 * is written straight into the output, else joined first and escaped
 * as one string.  Its cost is the sum of the items' (plus the commas):
 * json_cost() of the joined list.
 */
static void
found_urls(struct ev *e, const struct extract *x, struct uclean *uc)
{
	struct strbuf		 sb = { NULL, 0, 0 };
	struct jw		*w = e->w;
	const struct uclean	*u;
	size_t			 i, end, n = 0, len = 0, cost = 2;
	bool			 plain = true;
	char			*p = NULL;

	/* Which items go in (those before end), and are they all plain? */
	for (end = 0; end < x->urls.n; end++) {
		if (empty(x->urls.v[end]))
			continue;
		u = url_clean(uc, x, end);
		if (u->cut)
			e->value_cut = true;
		if (len + 1 + u->c.len + 2 * u->commas > LIST_MAX) {
			e->value_cut = true;
			break;
		}
		if (n++ > 0) {
			len++;
			cost++;
		}
		len += u->c.len + 2 * u->commas;
		cost += u->cost - 2 + 2 * u->commas;
		if (u->cost != u->c.len + 2 || u->commas > 0)
			plain = false;
	}
	jw_lkey(w, "found_url");
	if (plain) {
		p = jw_room(w, len + 2);
		*p++ = '"';
	}
	for (i = 0, n = 0; i < end; i++) {
		if (empty(x->urls.v[i]))
			continue;
		u = &uc[i];
		if (plain) {
			if (n++ > 0)
				*p++ = ',';
			memcpy(p, u->c.s, u->c.len);
			p += u->c.len;
		} else {
			if (n++ > 0)
				sb_putc(&sb, ',');
			if (u->commas == 0)
				sb_append(&sb, u->c.s, u->c.len);
			else
				put_commas(&sb, u->c.s, u->c.len);
		}
	}
	if (plain) {
		*p++ = '"';
		w->b.len = (size_t)(p - w->b.s);
	} else
		jw_escaped(w, sb.s != NULL ? sb.s : "", sb.len);
	sb_free(&sb);
	e->used += sizeof("found_url") - 1 + 4 + cost;
}

/*
 * url_host - the host of URL u as the scanner reports URLs ("scheme://"
 * or "www." forms): after any userinfo, without the port, lowercased
 * into buf (IPv6 literals keep their brackets).  False if none.
 */
static bool
url_host(const char *u, struct strbuf *buf)
{
	const char	*a, *p, *at = NULL, *colon = NULL;
	size_t		 i;
	bool		 upper = false;

	if ((u[0] | 0x20) == 'w' && strncasecmp(u, "www.", 4) == 0)
		a = u;
	else {
		for (p = u; *p != '\0' && *p != ':' && p - u < 16; p++)
			;
		if (p[0] != ':' || p[1] != '/' || p[2] != '/')
			return false;
		a = p + 3;
	}
	/* one pass to the end of the authority */
	for (p = a; *p != '\0' && *p != '/' && *p != '?' && *p != '#' &&
	    *p != '\\'; p++) {
		if (*p == '@') {
			at = p;
			colon = NULL;
			upper = false;
		} else if (*p == ':')
			colon = p;
		else if (*p >= 'A' && *p <= 'Z')
			upper = true;
	}
	if (at != NULL)
		a = at + 1;
	if (*a == '[') {			/* IPv6 literal */
		for (colon = a; colon < p && *colon != ']'; colon++)
			;
		if (colon == p)
			return false;
		colon++;
	}
	if (colon == NULL)
		colon = p;
	if (colon == a)
		return false;
	sb_reset(buf);
	sb_append(buf, a, (size_t)(colon - a));
	if (upper)
		for (i = 0; i < buf->len; i++)
			if (buf->s[i] >= 'A' && buf->s[i] <= 'Z')
				buf->s[i] |= 0x20;
	return true;
}

/*
 * url_domains - the URLs' hosts, de-duplicated, comma-joined up to
 * LIST_MAX.  The URLs are clean already (valid UTF-8, no controls:
 * urlscan.h) and url_host() lowercases, so nothing is cleaned or case
 * folded here (the value is escaped as any other when written), and
 * the de-duplication index is of offsets into the list itself: no
 * allocation per host.
 */
static char *
url_domains(const struct extract *x, bool *cut_r)
{
	struct strbuf	 out = { NULL, 0, 0 }, h = { NULL, 0, 0 };
	uint32_t	*off, *len;		/* slot: offset + 1, length */
	size_t		 i, j, cap, last = 0, last_len = 0;
	uint64_t	 hv;

	for (cap = 16; cap < 2 * x->urls.n; cap *= 2)
		;
	off = xcalloc(cap, sizeof(*off));
	len = xmalloc(cap * sizeof(*len));
	for (i = 0; i < x->urls.n; i++) {
		if (empty(x->urls.v[i]) || !url_host(x->urls.v[i], &h))
			continue;
		/* runs of URLs often share a host: no lookup */
		if (out.len > 0 && h.len == last_len &&
		    memcmp(out.s + last, h.s, h.len) == 0)
			continue;
		hv = 14695981039346656037ULL;		/* FNV-1a */
		for (j = 0; j < h.len; j++)
			hv = (hv ^ (unsigned char)h.s[j]) * 1099511628211ULL;
		for (j = hv & (cap - 1); off[j] != 0; j = (j + 1) & (cap - 1))
			if (len[j] == h.len &&
			    memcmp(out.s + off[j] - 1, h.s, h.len) == 0)
				break;
		if (off[j] != 0)
			continue;		/* seen */
		if (out.len + 1 + h.len > LIST_MAX) {
			*cut_r = true;
			break;
		}
		if (out.len > 0)
			sb_putc(&out, ',');
		last = out.len;
		last_len = h.len;
		off[j] = (uint32_t)last + 1;	/* < LIST_MAX */
		len[j] = (uint32_t)h.len;
		sb_append(&out, h.s, h.len);
	}
	free(off);
	free(len);
	sb_free(&h);
	return sb_steal(&out);
}

/* addr_list - comma-joined addr-specs of l (no dedup), NULL if none */
static char *
addr_list(const struct addrlist *l, bool *cut_r)
{
	struct joined	 j = { 0 };
	char		*s;

	joined_addrs(&j, l);
	if (j.cut || j.item_cut)
		*cut_r = true;
	s = joined_steal(&j);
	if (*s == '\0') {
		free(s);
		return NULL;
	}
	return s;
}

/*
 * put_phrase - a display name as RFC 5322 writes it: as it is unless
 * it holds one of the specials that could change how the list reads
 * (',' '<' '>' '@' ':' ';' '(' ')' '[' ']' '"' '\'; '.' is left alone,
 * as mailers do), else quoted with '"' and '\' escaped, so that
 * "Smith, John" or a name holding "<x@y>" cannot be read as two
 * mailboxes or as the address.  UTF-8 stays as it is (RFC 6532).
 */
static void
put_phrase(struct strbuf *sb, const char *name)
{
	const char	*p;

	if (strpbrk(name, "()<>[]:;@\\,\"") == NULL) {
		sb_puts(sb, name);
		return;
	}
	sb_putc(sb, '"');
	for (p = name; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\')
			sb_putc(sb, '\\');
		sb_putc(sb, *p);
	}
	sb_putc(sb, '"');
}

/* display_from - "Name <addr>" for each From mailbox, comma-joined */
static char *
display_from(const struct addrlist *l)
{
	struct strbuf		 sb = { 0 };
	const struct address	*a;
	size_t			 i;

	for (i = 0; i < l->n && sb.len < LIST_MAX; i++) {
		a = &l->v[i];
		if (empty(a->name) && empty(a->addr))
			continue;
		if (sb.len > 0)
			sb_puts(&sb, ", ");
		if (!empty(a->name) && !empty(a->addr)) {
			put_phrase(&sb, a->name);
			sb_printf(&sb, " <%s>", a->addr);
		} else if (!empty(a->addr))
			sb_puts(&sb, a->addr);
		else
			put_phrase(&sb, a->name);
	}
	return sb_steal(&sb);
}

/* flags_names - extract_flags_str() of flags, plus extra names */
static char *
flags_names(unsigned flags, const char *const *extra, size_t n_extra)
{
	struct strbuf	 sb = { 0 };
	char		*s;
	size_t		 i;

	if (flags != 0) {
		s = extract_flags_str(flags);
		if (s != NULL)
			sb_puts(&sb, s);
		free(s);
	}
	for (i = 0; i < n_extra; i++) {
		if (extra[i] == NULL)
			continue;
		if (sb.len > 0)
			sb_putc(&sb, ',');
		sb_puts(&sb, extra[i]);
	}
	return sb_steal(&sb);
}

/*
 * first_addr - addr-spec of the first mailbox that has one, and its
 * name; with no address at all ("MAILER DAEMON <>"), the first name
 */
static const char *
first_addr(const struct addrlist *l, const char **name_r)
{
	size_t	i;

	for (i = 0; i < l->n; i++)
		if (!empty(l->v[i].addr)) {
			if (name_r != NULL)
				*name_r = l->v[i].name;
			return l->v[i].addr;
		}
	if (name_r != NULL && l->n > 0)
		*name_r = l->v[0].name;
	return NULL;
}

/*
 * eml_state - attach_eml for this alert: 0 not wanted, 1 attach env->raw,
 * -1 wanted but the message is not there whole (the collector dropped
 * bytes, or it is larger than attach_eml_max_bytes): not attached, and
 * "truncated" says eml_attachment.
 */
static int
eml_state(const struct config *cfg, const struct envelope *env)
{
	if (cfg == NULL || !cfg->attach_eml)
		return 0;
	if (env == NULL || env->raw == NULL || env->truncated ||
	    (int64_t)env->raw_len > cfg->attach_eml_max_bytes)
		return -1;
	return 1;
}

/*
 * build_event - the one flat event, written into w.  Key order is fixed:
 * the always-present keys, then the optional ones, then url_N /
 * file_*_N, then the truncated / anomalies summary.
 * docs/ALERT-FORMAT.md lists them.
 */
static void
build_event(struct jw *w, const struct config *cfg, const struct extract *x,
    const struct envelope *env, const char *id, const char *name,
    int64_t t, bool from_date, const char *dest, bool dest_cut)
{
	static const struct envelope	noenv;
	struct ev	 e = { w, 0, false, false };
	struct uclean	*uc;
	const struct uclean *u;
	struct ikey	 k;
	const char	*from, *from_name = NULL, *extra[4];
	size_t		 i;
	bool		 cut = false;

	if (env == NULL)
		env = &noenv;
	jw_open(w, '{');
	from = first_addr(&x->from, &from_name);

	ev_int(&e, "StartTime", t);
	ev_int(&e, "EndTime", t);
	ev_str(&e, "event_name", name, TEXT_MAX);
	ev_str(&e, "device_product", cfg != NULL && cfg->device_product ?
	    cfg->device_product : DEFAULT_PRODUCT, TEXT_MAX);
	ev_str(&e, "device_vendor", cfg != NULL && cfg->device_vendor ?
	    cfg->device_vendor : DEFAULT_VENDOR, TEXT_MAX);
	ev_str(&e, "Subject", x->subject, TEXT_MAX);
	ev_str(&e, "EmailSubject", x->subject, TEXT_MAX);
	ev_str(&e, "SourceUserName", from != NULL ? from : env->mail_from,
	    TEXT_MAX);
	ev_str(&e, "DestinationUserName", dest, LIST_MAX);
	if (dest_cut)
		e.value_cut = true;
	uc = xcalloc(x->urls.n > 0 ? x->urls.n : 1, sizeof(*uc));
	found_urls(&e, x, uc);
	ev_int(&e, "url_count", (int64_t)x->urls.n);
	ev_int(&e, "attachment_count", (int64_t)x->n_att);
	if (x->urls.n > 0)
		ev_own(&e, "url_domains", url_domains(x, &cut), LIST_MAX);
	if (x->link_shown.n > 0)
		ev_int(&e, "link_mismatch_count", (int64_t)x->link_shown.n);
	ev_str(&e, "time_source", from_date ? "date_header" :
	    "processing_time", TEXT_MAX);

	ev_opt(&e, "alert_id", id, TEXT_MAX);
	ev_opt(&e, "mode", env->mode, TEXT_MAX);
	ev_opt(&e, "message_id", x->message_id, TEXT_MAX);
	ev_own(&e, "header_from", display_from(&x->from), TEXT_MAX);
	ev_opt(&e, "from_name", from_name, TEXT_MAX);
	ev_opt(&e, "from_address", from, TEXT_MAX);
	ev_opt(&e, "sender", x->sender, TEXT_MAX);
	ev_own(&e, "to", addr_list(&x->to, &cut), LIST_MAX);
	ev_own(&e, "cc", addr_list(&x->cc, &cut), LIST_MAX);
	ev_own(&e, "reply_to", addr_list(&x->reply_to, &cut), LIST_MAX);
	ev_opt(&e, "return_path", !empty(x->return_path) ? x->return_path :
	    env->mail_from, TEXT_MAX);
	ev_opt(&e, "envelope_from", env->mail_from, TEXT_MAX);
	{
		struct joined	j = { 0 };

		for (i = 0; i < env->rcpts.n; i++)
			joined_add(&j, env->rcpts.v[i]);
		cut = cut || j.cut || j.item_cut;
		ev_own(&e, "envelope_rcpt", joined_steal(&j), LIST_MAX);
	}
	ev_opt(&e, "date", x->date, TEXT_MAX);
	ev_opt(&e, "in_reply_to", x->in_reply_to, TEXT_MAX);
	ev_opt(&e, "x_mailer", x->x_mailer, TEXT_MAX);
	ev_opt(&e, "auth_results", x->auth_results, TEXT_MAX);
	{
		struct authres	ar;

		if (authres_parse(x->auth_results, &ar) && (ar.spf[0] != '\0' ||
		    ar.dkim[0] != '\0' || ar.dmarc[0] != '\0' ||
		    ar.arc[0] != '\0')) {
			ev_opt(&e, "auth_serv_id", ar.serv_id, TEXT_MAX);
			ev_opt(&e, "auth_spf", ar.spf, TEXT_MAX);
			ev_opt(&e, "auth_dkim", ar.dkim, TEXT_MAX);
			ev_opt(&e, "auth_dmarc", ar.dmarc, TEXT_MAX);
			ev_opt(&e, "auth_arc", ar.arc, TEXT_MAX);
		}
	}
	ev_opt(&e, "x_originating_ip", x->x_originating_ip, TEXT_MAX);
	if (x->received_hops > 0) {
		struct joined	j = { 0 };

		ev_int(&e, "received_hops", (int64_t)x->received_hops);
		for (i = 0; i < x->received_ips.n; i++)
			joined_add(&j, x->received_ips.v[i]);
		cut = cut || j.cut || j.item_cut;
		ev_own(&e, "received_ips", joined_steal(&j), LIST_MAX);
	}
	ev_opt(&e, "SourceAddress", env->client_ip, TEXT_MAX);
	ev_opt(&e, "client_hostname", env->client_host, TEXT_MAX);
	ev_opt(&e, "helo", env->helo, TEXT_MAX);
	ev_opt(&e, "queue_id", env->queue_id, TEXT_MAX);
	ev_opt(&e, "auth_user", env->auth_user, TEXT_MAX);
	ev_opt(&e, "auth_method", env->auth_method, TEXT_MAX);
	ev_opt(&e, "tls_version", env->tls_version, TEXT_MAX);
	ev_opt(&e, "tls_cipher", env->tls_cipher, TEXT_MAX);
	ev_opt(&e, "mta_daemon", env->daemon, TEXT_MAX);
	ev_opt(&e, "mailbox", env->mailbox, TEXT_MAX);
	ev_opt(&e, "imap_uid", env->imap_uid, TEXT_MAX);
	/* backfill: INTERNALDATE, when the mailbox got the message */
	if (env->imap_uid != NULL && env->received_ms > 0)
		ev_int(&e, "imap_arrival_time", env->received_ms);
	ev_opt(&e, "source_file", env->source, TEXT_MAX);
	if (x->bytes > 0)
		ev_int(&e, "message_size", (int64_t)x->bytes);
	if (x->n_parts > 0)
		ev_int(&e, "mime_parts", (int64_t)x->n_parts);
	if (cut)
		e.value_cut = true;

	for (i = 0; i < x->urls.n && !e.budget_hit; i++) {
		/* as ev_indexed(): a cut counts even if the budget is hit */
		if (empty(x->urls.v[i]))
			continue;
		u = url_clean(uc, x, i);
		if (u->cut)
			e.value_cut = true;
		ikey(&k, "url_", i + 1);
		if (ev_budget(&e, k.len, u->cost)) {
			jw_key(w, k.s, k.len);
			jw_str(w, u->c.s, u->c.len, u->cost);
			e.used += k.len + 4 + u->cost;
		}
	}
	for (i = 0; i < x->urls.n; i++)
		if (uc[i].done)
			clean_free(&uc[i].c);
	free(uc);
	for (i = 0; i < x->n_att && !e.budget_hit; i++) {
		const struct attachment *a = &x->att[i];

		/* All keys of one attachment, or none of them. */
		if (!ev_budget(&e, 0, (empty(a->name) ? 0 :
		    json_cost(a->name, strlen(a->name))) + (empty(a->type) ?
		    0 : json_cost(a->type, strlen(a->type))) + 5 * 20 + 21 +
		    66 + 34))
			break;
		ikey(&k, "file_name_", i + 1);
		ev_indexed(&e, &k, a->name, TEXT_MAX);
		ikey(&k, "file_type_", i + 1);
		ev_indexed(&e, &k, a->type, TEXT_MAX);
		ikey(&k, "file_size_", i + 1);
		ev_int_k(&e, k.s, k.len, (int64_t)a->size);
		ikey(&k, "file_sha256_", i + 1);
		ev_indexed(&e, &k, a->sha256, TEXT_MAX);
		ikey(&k, "file_md5_", i + 1);
		ev_indexed(&e, &k, a->md5, TEXT_MAX);
	}

	/* link mismatches: both keys of a pair, or none */
	for (i = 0; i < x->link_shown.n && i < x->link_target.n &&
	    !e.budget_hit; i++) {
		if (!ev_budget(&e, 0, json_cost(x->link_shown.v[i],
		    strlen(x->link_shown.v[i])) + json_cost(x->link_target.v[i],
		    strlen(x->link_target.v[i])) + 2 * 24))
			break;
		ikey(&k, "link_shown_", i + 1);
		ev_indexed(&e, &k, x->link_shown.v[i], TEXT_MAX);
		ikey(&k, "link_target_", i + 1);
		ev_indexed(&e, &k, x->link_target.v[i], TEXT_MAX);
	}

	extra[0] = env->truncated ? "collector" : NULL;
	extra[1] = e.value_cut ? "value_length" : NULL;
	extra[2] = e.budget_hit ? "alert_size" : NULL;
	extra[3] = eml_state(cfg, env) < 0 ? "eml_attachment" : NULL;
	ev_own(&e, "truncated", flags_names(x->flags & EXF_LIMIT_MASK, extra,
	    ARRAY_LEN(extra)), TEXT_MAX);
	extra[0] = x->link_shown.n > 0 ? "link_text_mismatch" : NULL;
	ev_own(&e, "anomalies", flags_names(x->flags & ~EXF_LIMIT_MASK, extra,
	    1), TEXT_MAX);
	jw_close(w, '}');
}

/* ------------------------------------------------------------ alert */

/*
 * eml_attachment - the original message as an Attachment object
 * (SOAR-API.md 1.2): name = the subject (as the SOAR mail connectors
 * name it; "message" when there is none), type ".eml", base64_blob,
 * orig_size = its bytes, size = the base64 length.  The blob is written
 * straight into the output (base64 needs no JSON escaping).
 */
static void
eml_attachment(struct jw *w, const struct extract *x,
    const struct envelope *env)
{
	static const char *const nulls[] = { "identifier", "creation_time",
	    "modification_time", "additional_properties", "case_identifier",
	    "alert_identifier" };
	size_t	 i, b64 = DIGEST_BASE64_LEN(env->raw_len);
	char	*p;
	bool	 cut = false;

	jw_open(w, '{');
	for (i = 0; i < ARRAY_LEN(nulls); i++) {
		jw_key(w, nulls[i], strlen(nulls[i]));
		jw_lit(w, "null");
	}
	jw_lkey(w, "base64_blob");
	p = jw_room(w, b64 + 2);
	*p++ = '"';
	digest_base64(env->raw, env->raw_len, p);
	p[b64] = '"';
	w->b.len += b64 + 2;
	jw_clean(w, "type", ".eml", TEXT_MAX, &cut, NULL);
	jw_clean(w, "name", !empty(x->subject) ? x->subject : "message",
	    NAME_MAX_EML, &cut, NULL);
	jw_clean(w, "description", "the original message", TEXT_MAX, &cut,
	    NULL);
	jw_lkey(w, "is_favorite");
	jw_lit(w, "false");
	jw_lkey(w, "orig_size");
	jw_int(w, (int64_t)env->raw_len);
	jw_lkey(w, "size");
	jw_int(w, (int64_t)b64);
	jw_close(w, '}');
}

/* describe - "Email from A to N recipients: S", bounded */
static char *
describe(const char *from, size_t n_rcpt, bool rcpt_cut,
    const char *subject)
{
	struct clean	 f, s;
	char		*d;
	bool		 fcut = false, scut = false;

	clean(&f, !empty(from) ? from : "unknown sender", DESC_PART_MAX,
	    &fcut);
	clean(&s, !empty(subject) ? subject : "(no subject)", DESC_PART_MAX,
	    &scut);
	d = xasprintf("Email from %.*s%s to %zu%s recipient%s: %.*s%s",
	    (int)f.len, f.s, fcut ? "..." : "", n_rcpt, rcpt_cut ? "+" : "",
	    n_rcpt == 1 && !rcpt_cut ? "" : "s", (int)s.len, s.s,
	    scut ? "..." : "");
	clean_free(&f);
	clean_free(&s);
	return d;
}

/* alert_json - see alert.h */
char *
alert_json(const struct config *cfg, const struct extract *x,
    const struct envelope *env, int64_t now_ms, bool pretty)
{
	char		 id[ALERT_ID_MAX];
	struct joined	 dest = { .dedup = true };
	struct jw	 w = { .pretty = pretty, .first = true };
	const char	*name, *from, *mode, *fname = NULL;
	char		*s, *desc;
	bool		 from_date, cut = false;
	int64_t		 t;
	size_t		 i;

	(void)sb_room(&w.b, JW_CAP0 - 1);	/* one buffer for most alerts */
	alert_id(cfg, x, id);
	name = cfg != NULL && !empty(cfg->alert_name) ? cfg->alert_name :
	    DEFAULT_NAME;
	from_date = x->date_ms >= 0;
	t = from_date ? x->date_ms : now_ms;
	mode = env != NULL && !empty(env->mode) ? env->mode : NULL;

	/* Recipients: the envelope's when the MTA told us, else To + Cc. */
	if (env != NULL && env->rcpts.n > 0)
		for (i = 0; i < env->rcpts.n; i++)
			joined_add(&dest, env->rcpts.v[i]);
	else {
		joined_addrs(&dest, &x->to);
		joined_addrs(&dest, &x->cc);
	}
	from = first_addr(&x->from, &fname);
	if (from == NULL && env != NULL && !empty(env->mail_from))
		from = env->mail_from;
	if (from == NULL)
		from = fname;		/* "MAILER DAEMON <>": the name */
	desc = describe(from, dest.n, dest.cut, x->subject);

	/* w.first: the root object opens at depth 0 with nothing before */
	jw_open(&w, '{');
	jw_clean(&w, "environment", cfg != NULL &&
	    !empty(cfg->environment) ? cfg->environment : DEFAULT_ENVIRONMENT,
	    TEXT_MAX, &cut, NULL);
	jw_clean(&w, "ticket_id", id, TEXT_MAX, &cut, NULL);
	jw_clean(&w, "display_id", id, TEXT_MAX, &cut, NULL);
	jw_clean(&w, "identifier", !empty(x->message_id) ? x->message_id :
	    id, TEXT_MAX, &cut, NULL);
	jw_clean(&w, "name", name, TEXT_MAX, &cut, NULL);
	jw_clean(&w, "description", desc, TEXT_MAX, &cut, NULL);
	{
		struct strbuf	reason = { NULL, 0, 0 };

		sb_puts(&reason, "soar-milter");
		if (mode != NULL) {
			sb_putc(&reason, ' ');
			sb_puts(&reason, mode);
		}
		jw_clean(&w, "reason", reason.s, TEXT_MAX, &cut, NULL);
		sb_free(&reason);
	}
	jw_clean(&w, "rule_generator", cfg != NULL &&
	    !empty(cfg->rule_generator) ? cfg->rule_generator : DEFAULT_RULE,
	    TEXT_MAX, &cut, NULL);
	jw_lkey(&w, "source_grouping_identifier");
	jw_lit(&w, "null");
	jw_clean(&w, "device_vendor", cfg != NULL &&
	    !empty(cfg->device_vendor) ? cfg->device_vendor : DEFAULT_VENDOR,
	    TEXT_MAX, &cut, NULL);
	jw_clean(&w, "device_product", cfg != NULL &&
	    !empty(cfg->device_product) ? cfg->device_product :
	    DEFAULT_PRODUCT, TEXT_MAX, &cut, NULL);
	jw_lkey(&w, "start_time");
	jw_int(&w, t);
	jw_lkey(&w, "end_time");
	jw_int(&w, t);
	jw_lkey(&w, "priority");
	jw_int(&w, cfg != NULL ? cfg->priority : 60);
	jw_lkey(&w, "is_test_case");
	jw_lit(&w, "false");
	jw_lkey(&w, "source_system_url");
	jw_lit(&w, "null");
	jw_lkey(&w, "source_rule_identifier");
	jw_lit(&w, "null");
	jw_lkey(&w, "siem_alert_id");
	jw_lit(&w, "null");
	jw_lkey(&w, "extensions");
	jw_open(&w, '{');
	jw_close(&w, '}');

	jw_lkey(&w, "events");
	jw_open(&w, '[');
	jw_sep(&w);
	s = joined_steal(&dest);
	build_event(&w, cfg, x, env, id, name, t, from_date, s,
	    dest.cut || dest.item_cut);
	free(s);
	jw_close(&w, ']');
	jw_lkey(&w, "attachments");
	jw_open(&w, '[');
	if (eml_state(cfg, env) > 0) {
		jw_sep(&w);
		eml_attachment(&w, x, env);
	}
	jw_close(&w, ']');
	jw_lkey(&w, "updated_fields");
	jw_open(&w, '{');
	jw_close(&w, '}');
	jw_lkey(&w, "alert_update_supported");
	jw_lit(&w, "false");
	jw_lkey(&w, "alert_metadata");
	jw_open(&w, '{');
	jw_close(&w, '}');
	jw_lkey(&w, "data_access_scope");
	jw_lit(&w, "null");
	jw_close(&w, '}');
	free(desc);
	return jw_done(&w);
}
