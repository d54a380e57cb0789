/*
 * alert - struct extract + struct envelope -> SOAR CaseInfo JSON.
 * See alert.h, docs/ALERT-ID.md and docs/ALERT-FORMAT.md.
 *
 * The only module that uses json-c.  Every string handed to json-c
 * first goes through clean(): invalid UTF-8 becomes U+FFFD and every
 * value is capped, so that one alert stays far below SOAR's 8 MB
 * per-alert limit whatever the configured extraction bounds are.  json-c
 * does not check UTF-8 itself: clean() is the only guard.
 *
 * Output: compact (JSON_C_TO_STRING_PLAIN: no spaces) or, with pretty,
 * indented by two spaces; '/' is never escaped (NOSLASHESCAPE); bytes
 * >= 0x80 go out as they are (UTF-8, no \u escapes); '"', '\\' and the
 * control characters are escaped (\b \f \n \r \t, else \u00xx).
 * Objects keep insertion order, so the key order below is the output's.
 *
 * Cost: most values are valid UTF-8 under their cap, so clean() checks
 * them eight ASCII bytes at a time and hands back a view, not a copy.
 * json-c was chosen over jansson for its serialiser: on a typical 10 KB
 * alert it spends about a fifth of jansson's instructions per byte
 * (docs/PERFORMANCE.md).
 */
#include "autoconfig.h"

#include <ctype.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json.h>

#include "alert.h"
#include "config.h"
#include "digest.h"
#include "extract.h"
#include "util.h"

/* Caps (bytes of UTF-8) on what goes into one alert. */
#define TEXT_MAX	8192		/* one free-text value */
#define LIST_MAX	65536		/* one comma-joined list */
#define DESC_PART_MAX	200		/* subject / sender inside description */
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

/* State while one event object is built. */
struct ev {
	json_object	*obj;
	size_t		 used;		/* escaped JSON bytes so far */
	bool		 value_cut;	/* a value hit TEXT_MAX / LIST_MAX */
	bool		 budget_hit;	/* indexed keys dropped (budget) */
	char		 key[48];	/* url_N, file_*_N: see ev_key() */
};

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

/* empty - NULL or "" */
static bool
empty(const char *s)
{
	return s == NULL || *s == '\0';
}

/*
 * The json_object constructors below abort on OOM, like the
 * x-allocators.  json-c's NULL value is JSON null (jadd() only).
 */

/*
 * plain_to_json - json-c serializer of a string with nothing to escape
 * (no '"', '\\' or control character: json_cost() said so), set with
 * json_object_set_serializer(): the quotes around the bytes as they
 * are, which is exactly what json-c's own string serializer writes for
 * such a string, without its escaper's byte-by-byte loop (about 16
 * instructions per byte, most of an alert's serialisation cost).
 */
static int
plain_to_json(json_object *jso, struct printbuf *pb, int level, int flags)
{
	const char	*s = json_object_get_string(jso);
	int		 n = json_object_get_string_len(jso);

	(void)level;
	(void)flags;
	/* json-c's own append, as its string serializer uses it */
	printbuf_memappend_fast(pb, "\"", 1);
	printbuf_memappend_fast(pb, s, n);
	printbuf_memappend_fast(pb, "\"", 1);
	return 0;
}

/*
 * jstr - a json-c string from clean UTF-8 (at most LIST_MAX bytes);
 * cost is json_cost(s, len): when it shows nothing to escape, the
 * string gets plain_to_json() as its serializer.
 */
static json_object *
jstr(const char *s, size_t len, size_t cost)
{
	json_object	*j;

	ASSERT(len <= LIST_MAX);
	j = json_object_new_string_len(s, (int)len);
	ASSERT(j != NULL);
	if (cost == len + 2)
		json_object_set_serializer(j, plain_to_json, NULL, NULL);
	return j;
}

/* jint - a json-c integer */
static json_object *
jint(int64_t v)
{
	json_object	*j;

	j = json_object_new_int64(v);
	ASSERT(j != NULL);
	return j;
}

/* jobj - an empty object */
static json_object *
jobj(void)
{
	json_object	*j;

	j = json_object_new_object();
	ASSERT(j != NULL);
	return j;
}

/* jarr - an empty array (room for one element) */
static json_object *
jarr(void)
{
	json_object	*j;

	j = json_object_new_array_ext(1);
	ASSERT(j != NULL);
	return j;
}

/* jfalse - false */
static json_object *
jfalse(void)
{
	json_object	*j;

	j = json_object_new_boolean(0);
	ASSERT(j != NULL);
	return j;
}

/*
 * jadd - obj[key] = v (NULL: null), taking v.  Every key is new (the key
 * sets below have no duplicates), so json-c need not look it up; a
 * string literal is kept without a copy (copy_key false), any other key
 * is copied.
 */
static void
jadd(json_object *obj, const char *key, json_object *v, bool copy_key)
{
	if (json_object_object_add_ex(obj, key, v,
	    JSON_C_OBJECT_ADD_KEY_IS_NEW |
	    (copy_key ? 0 : JSON_C_OBJECT_ADD_CONSTANT_KEY)) != 0)
		ASSERT(!"json_object_object_add_ex");
}

/* jset - obj[key] = v for a literal key and a non-NULL v */
static void
jset(json_object *obj, const char *key, json_object *v)
{
	ASSERT(v != NULL);
	jadd(obj, key, v, false);
}

/* jset_str - obj[key] = clean(s) capped at max; "" for NULL */
static void
jset_str(json_object *obj, const char *key, const char *s, size_t max,
    bool *cut_r)
{
	struct clean	c;

	clean(&c, s != NULL ? s : "", max, cut_r);
	jset(obj, key, jstr(c.s, c.len, json_cost(c.s, c.len)));
	clean_free(&c);
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
	char	 hex[DIGEST_SHA256_HEX];
	char	*norm, *in;
	const char *prefix;

	norm = alert_normalise_message_id(x->message_id);
	if (norm != NULL)
		in = xasprintf("mid:%s", norm);
	else
		in = xasprintf("content:%s", x->content_sha256);
	digest_sha256_hex(in, strlen(in), hex);
	free(in);
	free(norm);
	prefix = cfg != NULL && cfg->id_prefix != NULL ? cfg->id_prefix : "";
	/* The prefix is cut if absurdly long; the 32 hex digits never. */
	snprintf(id_r, ALERT_ID_MAX, "%.*s%.32s", ALERT_ID_MAX - 33, prefix,
	    hex);
}

/* ------------------------------------------------------------ event */

/* ev_put - event[key] = v, counting cost against the budget; key is a
 * literal or e->key (copied) */
static void
ev_put(struct ev *e, const char *key, json_object *v, size_t cost)
{
	ASSERT(v != NULL);
	jadd(e->obj, key, v, key == e->key);
	e->used += strlen(key) + 4 + cost;
}

/* ev_str - key = s (capped at max), even when s is empty or NULL */
static void
ev_str(struct ev *e, const char *key, const char *s, size_t max)
{
	struct clean	c;
	size_t		cost;

	clean(&c, s != NULL ? s : "", max, &e->value_cut);
	cost = json_cost(c.s, c.len);
	ev_put(e, key, jstr(c.s, c.len, cost), cost);
	clean_free(&c);
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

/* ev_int - event[key] = v (an integer) */
static void
ev_int(struct ev *e, const char *key, int64_t v)
{
	ev_put(e, key, jint(v), 21);
}

/* ev_budget - room for one more indexed value of that cost? */
static bool
ev_budget(struct ev *e, const char *key, size_t cost)
{
	if (e->budget_hit || e->used + strlen(key) + 4 + cost > EVENT_BUDGET) {
		e->budget_hit = true;
		return false;
	}
	return true;
}

/* ev_indexed - key = s as a budgeted indexed value (url_N, file_*_N) */
static void
ev_indexed(struct ev *e, const char *key, const char *s, size_t max)
{
	struct clean	c;
	size_t		cost;

	if (empty(s))
		return;
	clean(&c, s, max, &e->value_cut);
	cost = json_cost(c.s, c.len);
	if (ev_budget(e, key, cost))
		ev_put(e, key, jstr(c.s, c.len, cost), cost);
	clean_free(&c);
}

/*
 * Indexed keys: the names "url_1".."url_KEYS_URL" and "file_*_1".."file_*_
 * KEYS_FILE", built once for the life of the process, so that json-c
 * takes them as constant keys instead of copying (and later freeing)
 * each one.  Indexes past the table are formatted into e->key.
 */
#define KEYS_URL	1000
#define KEYS_FILE	100

enum { K_URL, K_FILE_NAME, K_FILE_TYPE, K_FILE_SIZE, K_FILE_SHA256,
	K_FILE_MD5, K_N };

static const char *const key_prefix[K_N] = { "url_", "file_name_",
	"file_type_", "file_size_", "file_sha256_", "file_md5_" };
static pthread_once_t	 keys_once = PTHREAD_ONCE_INIT;
static const char	**keys[K_N];	/* keys[k][n - 1] */

/* key_format - prefix followed by n in decimal into buf (cap bytes) */
static const char *
key_format(char *buf, size_t cap, const char *prefix, size_t n)
{
	char	digits[24];
	size_t	nd = 0, plen = strlen(prefix);

	do {
		digits[nd++] = (char)('0' + n % 10);
		n /= 10;
	} while (n > 0);
	ASSERT(plen + nd < cap);
	memcpy(buf, prefix, plen);
	while (nd > 0)
		buf[plen++] = digits[--nd];
	buf[plen] = '\0';
	return buf;
}

/* keys_init - the table of indexed keys (pthread_once) */
static void
keys_init(void)
{
	char	buf[48];
	size_t	k, n, max;

	for (k = 0; k < K_N; k++) {
		max = k == K_URL ? KEYS_URL : KEYS_FILE;
		keys[k] = xcalloc(max, sizeof(*keys[k]));
		for (n = 1; n <= max; n++)
			keys[k][n - 1] = xstrdup(key_format(buf, sizeof(buf),
			    key_prefix[k], n));
	}
}

/* ev_key - key k with index n: from the table, else in e->key (which
 * ev_put() copies) */
static const char *
ev_key(struct ev *e, int k, size_t n)
{
	if (pthread_once(&keys_once, keys_init) != 0)
		ASSERT(!"pthread_once");
	if (n >= 1 && n <= (k == K_URL ? KEYS_URL : KEYS_FILE))
		return keys[k][n - 1];
	return key_format(e->key, sizeof(e->key), key_prefix[k], n);
}

/*
 * A URL as it goes into the alert (found_url and url_N): cleaned and
 * costed once, on first use, for both.
 */
struct uclean {
	struct clean	 c;
	size_t		 cost;		/* json_cost() of c */
	bool		 cut;		/* c was cut to TEXT_MAX */
	bool		 done;
};

/* url_clean - URL i of x cleaned as joined_add() / ev_indexed() do */
static const struct uclean *
url_clean(struct uclean *uc, const struct extract *x, size_t i)
{
	if (!uc[i].done) {
		clean(&uc[i].c, x->urls.v[i], TEXT_MAX, &uc[i].cut);
		uc[i].cost = json_cost(uc[i].c.s, uc[i].c.len);
		uc[i].done = true;
	}
	return &uc[i];
}

/*
 * found_urls - event["found_url"]: the URLs comma-joined up to LIST_MAX
 * at an item boundary, as a joined list would be (an item is cleaned
 * before the bound is checked), without cleaning the result again: it
 * is valid UTF-8 under LIST_MAX by construction, its cost the sum.
 */
static void
found_urls(struct ev *e, const struct extract *x, struct uclean *uc)
{
	struct strbuf		 sb = { NULL, 0, 0 };
	const struct uclean	*u;
	size_t			 i, n = 0, cost = 2;

	for (i = 0; i < x->urls.n; i++) {
		if (empty(x->urls.v[i]))
			continue;
		u = url_clean(uc, x, i);
		if (u->cut)
			e->value_cut = true;
		if (sb.len + 1 + u->c.len > LIST_MAX) {
			e->value_cut = true;
			break;
		}
		if (n++ > 0) {
			sb_putc(&sb, ',');
			cost++;
		}
		sb_append(&sb, u->c.s, u->c.len);
		cost += u->cost - 2;
	}
	ev_put(e, "found_url", jstr(sb.s != NULL ? sb.s : "", sb.len, cost),
	    cost);
	sb_free(&sb);
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
		if (!empty(a->name) && !empty(a->addr))
			sb_printf(&sb, "%s <%s>", a->name, a->addr);
		else
			sb_puts(&sb, !empty(a->addr) ? a->addr : a->name);
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

/* first_addr - addr-spec of the first mailbox that has one */
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
	return NULL;
}

/*
 * build_event - the one flat event.  Key order is fixed: the always-
 * present keys, then the optional ones, then url_N / file_*_N, then
 * the truncated / anomalies summary.  docs/ALERT-FORMAT.md lists them.
 */
static json_object *
build_event(const struct config *cfg, const struct extract *x,
    const struct envelope *env, const char *id, const char *name,
    int64_t t, bool from_date, const char *dest, bool dest_cut)
{
	static const struct envelope	noenv;
	struct ev	 e = { 0 };
	struct uclean	*uc;
	const struct uclean *u;
	const char	*from, *from_name = NULL, *extra[3], *key;
	size_t		 i;
	bool		 cut = false;

	if (env == NULL)
		env = &noenv;
	e.obj = jobj();
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
	ev_opt(&e, "x_originating_ip", x->x_originating_ip, TEXT_MAX);
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
	ev_opt(&e, "source_file", env->source, TEXT_MAX);
	if (x->bytes > 0)
		ev_int(&e, "message_size", (int64_t)x->bytes);
	if (x->n_parts > 0)
		ev_int(&e, "mime_parts", (int64_t)x->n_parts);
	if (cut)
		e.value_cut = true;

	for (i = 0; i < x->urls.n && !e.budget_hit; i++) {
		/* as ev_indexed(): a cut counts even if the budget is hit */
		key = ev_key(&e, K_URL, i + 1);
		if (empty(x->urls.v[i]))
			continue;
		u = url_clean(uc, x, i);
		if (u->cut)
			e.value_cut = true;
		if (ev_budget(&e, key, u->cost))
			ev_put(&e, key, jstr(u->c.s, u->c.len, u->cost),
			    u->cost);
	}
	for (i = 0; i < x->urls.n; i++)
		if (uc[i].done)
			clean_free(&uc[i].c);
	free(uc);
	for (i = 0; i < x->n_att && !e.budget_hit; i++) {
		const struct attachment *a = &x->att[i];

		/* All keys of one attachment, or none of them. */
		if (!ev_budget(&e, "", (empty(a->name) ? 0 :
		    json_cost(a->name, strlen(a->name))) + (empty(a->type) ?
		    0 : json_cost(a->type, strlen(a->type))) + 5 * 20 + 21 +
		    66 + 34))
			break;
		ev_indexed(&e, ev_key(&e, K_FILE_NAME, i + 1), a->name,
		    TEXT_MAX);
		ev_indexed(&e, ev_key(&e, K_FILE_TYPE, i + 1), a->type,
		    TEXT_MAX);
		ev_int(&e, ev_key(&e, K_FILE_SIZE, i + 1), (int64_t)a->size);
		ev_indexed(&e, ev_key(&e, K_FILE_SHA256, i + 1),
		    a->sha256, TEXT_MAX);
		ev_indexed(&e, ev_key(&e, K_FILE_MD5, i + 1),
		    a->md5, TEXT_MAX);
	}

	extra[0] = env->truncated ? "collector" : NULL;
	extra[1] = e.value_cut ? "value_length" : NULL;
	extra[2] = e.budget_hit ? "alert_size" : NULL;
	ev_own(&e, "truncated", flags_names(x->flags & EXF_LIMIT_MASK, extra,
	    ARRAY_LEN(extra)), TEXT_MAX);
	ev_own(&e, "anomalies", flags_names(x->flags & ~EXF_LIMIT_MASK, NULL,
	    0), TEXT_MAX);
	return e.obj;
}

/* ------------------------------------------------------------ alert */

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
	const char	*name, *from, *mode;
	json_object	*root, *events;
	const char	*out;
	char		*s, *desc;
	bool		 from_date, cut = false;
	int64_t		 t;
	size_t		 i, len;

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
	from = first_addr(&x->from, NULL);
	if (from == NULL && env != NULL)
		from = env->mail_from;
	desc = describe(from, dest.n, dest.cut, x->subject);

	root = jobj();
	jset_str(root, "environment", cfg != NULL &&
	    !empty(cfg->environment) ? cfg->environment : DEFAULT_ENVIRONMENT,
	    TEXT_MAX, &cut);
	jset_str(root, "ticket_id", id, TEXT_MAX, &cut);
	jset_str(root, "display_id", id, TEXT_MAX, &cut);
	jset_str(root, "identifier", !empty(x->message_id) ? x->message_id :
	    id, TEXT_MAX, &cut);
	jset_str(root, "name", name, TEXT_MAX, &cut);
	jset_str(root, "description", desc, TEXT_MAX, &cut);
	s = xasprintf("soar-milter%s%s", mode != NULL ? " " : "",
	    mode != NULL ? mode : "");
	jset_str(root, "reason", s, TEXT_MAX, &cut);
	free(s);
	jset_str(root, "rule_generator", cfg != NULL &&
	    !empty(cfg->rule_generator) ? cfg->rule_generator : DEFAULT_RULE,
	    TEXT_MAX, &cut);
	jadd(root, "source_grouping_identifier", NULL, false);
	jset_str(root, "device_vendor", cfg != NULL &&
	    !empty(cfg->device_vendor) ? cfg->device_vendor : DEFAULT_VENDOR,
	    TEXT_MAX, &cut);
	jset_str(root, "device_product", cfg != NULL &&
	    !empty(cfg->device_product) ? cfg->device_product :
	    DEFAULT_PRODUCT, TEXT_MAX, &cut);
	jset(root, "start_time", jint(t));
	jset(root, "end_time", jint(t));
	jset(root, "priority", jint(cfg != NULL ? cfg->priority : 60));
	jset(root, "is_test_case", jfalse());
	jadd(root, "source_system_url", NULL, false);
	jadd(root, "source_rule_identifier", NULL, false);
	jadd(root, "siem_alert_id", NULL, false);
	jset(root, "extensions", jobj());

	events = jarr();
	s = joined_steal(&dest);
	if (json_object_array_add(events, build_event(cfg, x, env, id, name,
	    t, from_date, s, dest.cut || dest.item_cut)) != 0)
		ASSERT(!"json_object_array_add");
	free(s);
	jset(root, "events", events);
	jset(root, "attachments", jarr());
	jset(root, "updated_fields", jobj());
	jset(root, "alert_update_supported", jfalse());
	jset(root, "alert_metadata", jobj());
	jadd(root, "data_access_scope", NULL, false);

	/*
	 * json-c writes into a buffer of root's own, freed with it: the
	 * caller gets a copy.  Pretty: two-space indent, "key": value.
	 */
	out = json_object_to_json_string_length(root,
	    JSON_C_TO_STRING_NOSLASHESCAPE | (pretty ?
	    JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED :
	    JSON_C_TO_STRING_PLAIN), &len);
	ASSERT(out != NULL);
	s = xmalloc(len + 1);
	memcpy(s, out, len + 1);
	json_object_put(root);
	free(desc);
	return s;
}
