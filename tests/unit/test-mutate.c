/*
 * test-mutate - hostile input: every message under tests/data, mutated
 * in ways that break MIME (flipped and NUL bytes, truncation, cut and
 * repeated chunks, stray boundaries and encodings, deep nesting, giant
 * lines, two messages spliced), goes through extract_message() and
 * alert_json() with the default bounds and with small ones.  Each must
 * give one alert that json-c parses, whose event is an object, and never
 * crash (the ASan/UBSan build of the suite runs this too).
 *
 * Deterministic: a fixed seed (SOAR_MUTATE_SEED to change it) and
 * SOAR_MUTATE_ROUNDS mutations per file (default 6).  A failing case
 * is written to mutate-fail-N.eml in the current directory.
 */
#include "autoconfig.h"

#include <ftw.h>
#include <json.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "alert.h"
#include "config.h"
#include "extract.h"
#include "urlscan.h"
#include "util.h"
#include "t.h"

#define FILE_MAX	(2u << 20)	/* larger inputs are left out */

static struct strlist	 files;
static uint64_t		 rng;

/* rnd - xorshift64* */
static uint64_t
rnd(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545f4914f6cdd1dULL;
}

static size_t
rnd_below(size_t n)
{
	return n == 0 ? 0 : (size_t)(rnd() % n);
}

static int
collect(const char *path, const struct stat *st, int type, struct FTW *f)
{
	(void)f;
	if (type == FTW_F && st->st_size > 0 && (size_t)st->st_size <= FILE_MAX)
		strlist_add(&files, path);
	return 0;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* put - replace buf[at..at+del) with s[0..n) */
static void
put(struct strbuf *b, size_t at, size_t del, const char *s, size_t n)
{
	struct strbuf	 o = { 0 };

	if (at > b->len)
		at = b->len;
	if (del > b->len - at)
		del = b->len - at;
	sb_append(&o, b->s, at);
	sb_append(&o, s, n);
	sb_append(&o, b->s + at + del, b->len - at - del);
	sb_free(b);
	*b = o;
}

/* line_start - a random position at the start of a line (or 0) */
static size_t
line_start(const struct strbuf *b)
{
	size_t	at = rnd_below(b->len + 1);

	while (at > 0 && b->s[at - 1] != '\n')
		at--;
	return at;
}

static const char *const tokens[] = {
	"--", "--\n", "\n--b\n", "\n--b--\n",
	"Content-Type: multipart/mixed; boundary=b\n\n--b\n",
	"Content-Type: multipart/alternative; boundary=\"\"\n",
	"Content-Type: message/rfc822\n\n",
	"Content-Transfer-Encoding: base64\n",
	"Content-Transfer-Encoding: quoted-printable\n\n=\n=4=ZZ",
	"Content-Type: text/html; charset=x-unknown\n\n<a href=\"",
	"Content-Type: text/plain; charset=\"utf-16\"\n\n\xff\xfe\x00",
	"Subject: =?utf-8?b?", "=?gb2312?Q?=A1", "=?iso-2022-jp?B?GyRC?=",
	"Content-Disposition: attachment; filename*0*=utf-8''%E4; "
	    "filename*2=x\n",
	"<a href=\"https://", "&#x", "&#1114112;", "&amp;&amp", "<style>url(",
	"http://", "www.", "hxxps[:]//", "https://[::1", "\r", "\r\r\n",
	"\0", "\n\n", ":", " \t\n ", "\xc3", "\xef\xbb\xbf",
};

/* mutate - one random change of b */
static void
mutate(struct strbuf *b, const struct strbuf *other)
{
	char		 tmp[64];
	size_t		 at, n, i;
	struct strbuf	 s = { 0 };

	switch (rnd_below(9)) {
	case 0:				/* flip bytes */
		for (i = 1 + rnd_below(16); i > 0 && b->len > 0; i--)
			b->s[rnd_below(b->len)] ^= (char)(1 + rnd_below(255));
		break;
	case 1:				/* truncate */
		b->len = rnd_below(b->len + 1);
		break;
	case 2:				/* repeat a chunk */
		if (b->len == 0)
			break;
		at = rnd_below(b->len);
		n = 1 + rnd_below(4096);
		if (n > b->len - at)
			n = b->len - at;
		sb_append(&s, b->s + at, n);
		for (i = 1 + rnd_below(4); i > 0; i--)
			put(b, rnd_below(b->len + 1), 0, s.s, s.len);
		break;
	case 3:				/* cut a chunk */
		at = rnd_below(b->len + 1);
		put(b, at, 1 + rnd_below(4096), "", 0);
		break;
	case 4:				/* a hostile token at a line start */
	case 5:
		i = rnd_below(sizeof(tokens) / sizeof(tokens[0]));
		n = tokens[i][0] == '\0' ? 1 : strlen(tokens[i]);
		put(b, rnd_below(2) ? line_start(b) : rnd_below(b->len + 1), 0,
		    tokens[i], n);
		break;
	case 6:				/* deep nesting */
		for (i = 0; i < 200; i++) {
			n = (size_t)snprintf(tmp, sizeof(tmp), "Content-Type: "
			    "multipart/mixed; boundary=n%zu\n\n--n%zu\n", i, i);
			sb_append(&s, tmp, n);
		}
		put(b, line_start(b), 0, s.s, s.len);
		break;
	case 7:				/* a giant line */
		n = 1 + rnd_below(200000);
		for (i = 0; i < n; i++)
			sb_putc(&s, "A=<&h/ "[rnd_below(7)]);
		put(b, line_start(b), 0, s.s, s.len);
		break;
	default:			/* splice: our head, other's tail */
		at = rnd_below(b->len + 1);
		n = rnd_below(other->len + 1);
		b->len = at;
		sb_append(b, other->s + n, other->len - n);
		break;
	}
	sb_free(&s);
}

/* check_one - extract, build the alert, parse it back; 0 when fine */
static int
check_one(const struct config *cfg, const struct strbuf *b, char **why)
{
	struct extract		 x;
	struct envelope		 env;
	struct errbuf		 err;
	char			 id[ALERT_ID_MAX], *json;
	json_object		*o, *ev;
	int			 rc = 0;

	memset(&x, 0, sizeof(x));
	memset(&env, 0, sizeof(env));
	env.mode = "scan";
	env.source = "mutated.eml";
	err.msg[0] = '\0';
	if (extract_message(cfg, b->len > 0 ? b->s : "", b->len, &x, &err)
	    == -1) {
		*why = xasprintf("extract_message failed: %s", err.msg);
		extract_free(&x);
		return -1;
	}
	alert_id(cfg, &x, id);
	json = alert_json(cfg, &x, &env, 1700000000000, false);
	if (json == NULL)
		*why = xstrdup("alert_json returned NULL");
	else if ((o = json_tokener_parse(json)) == NULL)
		*why = xstrdup("the alert is not JSON");
	else {
		if (!json_object_object_get_ex(o, "events", &ev) ||
		    json_object_array_length(ev) != 1 ||
		    !json_object_is_type(json_object_array_get_idx(ev, 0),
		    json_type_object))
			*why = xstrdup("the alert has not one event");
		json_object_put(o);
	}
	if (*why != NULL)
		rc = -1;
	free(json);
	extract_free(&x);
	return rc;
}

int
main(void)
{
	struct config	 cfg[2];
	struct errbuf	 err;
	struct strbuf	 b = { 0 }, other = { 0 };
	const char	*top = getenv("top_srcdir"), *s;
	char		*dir, *buf, *obuf, *why;
	size_t		 len, olen, f, r, c, rounds = 6, runs = 0, bad = 0;
	int		 k;

	rng = (s = getenv("SOAR_MUTATE_SEED")) != NULL ?
	    strtoull(s, NULL, 0) : 0x5eed5eedULL;
	if (rng == 0)
		rng = 1;
	if ((s = getenv("SOAR_MUTATE_ROUNDS")) != NULL)
		rounds = strtoul(s, NULL, 10);
	dir = xasprintf("%s/tests/data", top != NULL ? top : ".");
	if (nftw(dir, collect, 16, FTW_PHYS) != 0 || files.n == 0) {
		fprintf(stderr, "test-mutate: no messages under %s (set "
		    "top_srcdir to the source tree)\n", dir);
		return 1;
	}
	qsort(files.v, files.n, sizeof(*files.v), cmp_str);

	for (k = 0; k < 2; k++)
		config_defaults(&cfg[k]);
	/* small bounds, so that mutations hit each cut */
	k = config_set(&cfg[1], "max_message_bytes", "65536", &err) |
	    config_set(&cfg[1], "max_mime_depth", "4", &err) |
	    config_set(&cfg[1], "max_mime_parts", "8", &err) |
	    config_set(&cfg[1], "max_urls", "5", &err) |
	    config_set(&cfg[1], "max_url_length", "64", &err) |
	    config_set(&cfg[1], "max_header_bytes", "1024", &err) |
	    config_set(&cfg[1], "max_attachments", "2", &err);

	T_BEGIN("setup: test files and configurations");
	T_ASSERT(files.n >= 400);
	T_ASSERT(k == 0);
	T_ASSERT(urlscan_init(&cfg[0], &err) == 0);
	T_ASSERT(extract_init(&cfg[0], &err) == 0);
	T_END();

	T_BEGIN("mutated messages give one valid alert each");
	for (f = 0; f < files.n; f++) {
		if (file_read_all(files.v[f], 0, &buf, &len, &err) == -1)
			continue;
		sb_reset(&other);
		if (file_read_all(files.v[(f * 7 + 3) % files.n], 0, &obuf,
		    &olen, &err) == 0) {
			sb_append(&other, obuf, olen);
			free(obuf);
		}
		for (r = 0; r < rounds; r++) {
			sb_reset(&b);
			sb_append(&b, buf, len);
			for (c = 1 + rnd_below(3); c > 0; c--)
				mutate(&b, &other);
			why = NULL;
			runs++;
			if (check_one(&cfg[r % 2], &b, &why) == -1) {
				char	*path = xasprintf("mutate-fail-%zu.eml",
				    bad);
				FILE	*fp = fopen(path, "wb");

				if (fp != NULL) {
					fwrite(b.s, 1, b.len, fp);
					fclose(fp);
				}
				fprintf(stderr, "%s round %zu: %s (input "
				    "kept in %s)\n", files.v[f], r, why, path);
				free(path);
				free(why);
				bad++;
			}
		}
		free(buf);
	}
	printf("%zu mutated messages from %zu files, %zu bad\n", runs,
	    files.n, bad);
	T_ASSERT(runs >= files.n * rounds / 2);
	T_ASSERT(bad == 0);
	T_END();

	sb_free(&b);
	sb_free(&other);
	strlist_free(&files);
	free(dir);
	extract_shutdown();
	urlscan_shutdown();
	config_free(&cfg[0]);
	config_free(&cfg[1]);
	return t_done();
}
