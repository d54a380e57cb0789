/*
 * test-spool - spool put/read/ack/dup/full/dead/bad/stale/ids/expiry,
 * concurrent puts from many threads and the pending counters, the pool
 * of pre-created files (recycling, crash, a concurrent flush process)
 * and the sent/ markers.
 */
#include "autoconfig.h"

#include <sys/stat.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "log.h"
#include "spool.h"
#include "t.h"

static char	tdir[256];

static int	drain_some(struct spool *, int);

static void
cfg_init(struct config *cfg, const char *sub)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->state_dir = xasprintf("%s/%s", tdir, sub);
	cfg->spool_max_files = 1000;
	cfg->spool_max_bytes = 100 * 1024 * 1024;
	cfg->sent_retention = 3600;
	cfg->sent_max_entries = 1000;
}

static bool
exists(const char *state, const char *rel)
{
	struct stat	 st;
	char		*p = xasprintf("%s/%s", state, rel);
	bool		 r = lstat(p, &st) == 0;

	free(p);
	return r;
}

static int
count_dir(const char *state, const char *rel)
{
	char		*p = xasprintf("%s/%s", state, rel);
	DIR		*d = opendir(p);
	struct dirent	*de;
	int		 n = 0;

	free(p);
	if (d == NULL)
		return -1;
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

static void
write_raw(const char *state, const char *rel, const char *data)
{
	char	*p = xasprintf("%s/%s", state, rel);
	FILE	*f = fopen(p, "w");

	fputs(data, f);
	fclose(f);
	free(p);
}

static void
set_age(const char *state, const char *rel, int seconds)
{
	struct timespec	 ts[2];
	char		*p = xasprintf("%s/%s", state, rel);

	ts[0].tv_sec = ts[1].tv_sec = time(NULL) - seconds;
	ts[0].tv_nsec = ts[1].tv_nsec = 0;
	utimensat(AT_FDCWD, p, ts, 0);
	free(p);
}

static void
test_basic(void)
{
	struct config	 cfg;
	struct spool	*sp;
	struct errbuf	 err;
	struct strlist	 ids = { 0 };
	struct spool_stats st;
	char		*body = NULL;
	size_t		 len = 0;
	const char	*b = "{\"display_id\":\"a1\"}";

	T_BEGIN("put/list/read/ack/dup");
	cfg_init(&cfg, "basic");
	sp = spool_open(&cfg, &err);
	T_ASSERT(sp != NULL);
	T_ASSERT(exists(cfg.state_dir, "spool/tmp"));
	T_ASSERT(exists(cfg.state_dir, "spool/bad"));
	T_ASSERT(exists(cfg.state_dir, "sent"));
	T_ASSERT(spool_put(sp, "a1", b, strlen(b), &err) == SPOOL_OK);
	T_ASSERT(spool_put(sp, "a2", "x", 1, &err) == SPOOL_OK);
	T_ASSERT(spool_put(sp, "a1", b, strlen(b), &err) == SPOOL_DUP);
	T_ASSERT(spool_is_pending(sp, "a1"));
	T_ASSERT(count_dir(cfg.state_dir, "spool/tmp") == 0);
	T_ASSERT(spool_list(sp, &ids, &err) == 0);
	T_ASSERT(ids.n == 2);
	T_ASSERT(strlist_contains(&ids, "a1") && strlist_contains(&ids, "a2"));
	T_ASSERT(spool_read(sp, "a1", &body, &len, &err) == SPOOL_READ_OK);
	T_ASSERT(len == strlen(b));
	T_STREQ(body, b);
	free(body);
	spool_get_stats(sp, &st);
	T_ASSERT(st.put == 2 && st.dup == 1 && st.files == 2);
	T_ASSERT(spool_ack(sp, "a1", &err) == 0);
	T_ASSERT(!spool_is_pending(sp, "a1"));
	T_ASSERT(spool_was_sent(sp, "a1"));
	T_ASSERT(!spool_was_sent(sp, "a2"));
	/* Sent once: spooling it again is a duplicate. */
	T_ASSERT(spool_put(sp, "a1", b, strlen(b), &err) == SPOOL_DUP);
	T_ASSERT(spool_read(sp, "a1", &body, &len, &err) == SPOOL_READ_GONE);
	spool_get_stats(sp, &st);
	T_ASSERT(st.files == 1 && st.acked == 1);
	spool_close(&sp);
	T_ASSERT(sp == NULL);
	/* Reopen: the pending count comes from the directory. */
	sp = spool_open(&cfg, &err);
	spool_get_stats(sp, &st);
	T_ASSERT(st.files == 1 && st.bytes > 1);
	/* Binary body with NUL and newlines survives. */
	T_ASSERT(spool_put(sp, "bin", "a\0b\nEND\n", 8, &err) == SPOOL_OK);
	T_ASSERT(spool_read(sp, "bin", &body, &len, &err) == SPOOL_READ_OK);
	T_ASSERT(len == 8 && memcmp(body, "a\0b\nEND\n", 8) == 0);
	free(body);
	spool_close(&sp);
	strlist_free(&ids);
	free(cfg.state_dir);
	T_END();
}

static void
test_order(void)
{
	struct config	 cfg;
	struct spool	*sp;
	struct errbuf	 err;
	struct strlist	 ids = { 0 };

	T_BEGIN("list oldest first");
	cfg_init(&cfg, "order");
	sp = spool_open(&cfg, &err);
	spool_put(sp, "zz", "1", 1, &err);
	spool_put(sp, "aa", "2", 1, &err);
	spool_put(sp, "mm", "3", 1, &err);
	set_age(cfg.state_dir, "spool/new/zz", 30);
	set_age(cfg.state_dir, "spool/new/aa", 20);
	set_age(cfg.state_dir, "spool/new/mm", 10);
	T_ASSERT(spool_list(sp, &ids, &err) == 0 && ids.n == 3);
	T_STREQ(ids.v[0], "zz");
	T_STREQ(ids.v[1], "aa");
	T_STREQ(ids.v[2], "mm");
	strlist_free(&ids);
	spool_close(&sp);
	free(cfg.state_dir);
	T_END();
}

static void
test_full(void)
{
	struct config	 cfg;
	struct spool	*sp;
	struct errbuf	 err;
	struct spool_stats st;
	char		 big[2000];

	T_BEGIN("spool_max_files / spool_max_bytes");
	cfg_init(&cfg, "full");
	cfg.spool_max_files = 2;
	sp = spool_open(&cfg, &err);
	T_ASSERT(spool_put(sp, "f1", "x", 1, &err) == SPOOL_OK);
	T_ASSERT(spool_put(sp, "f2", "x", 1, &err) == SPOOL_OK);
	T_ASSERT(spool_put(sp, "f3", "x", 1, &err) == SPOOL_FULL);
	T_ASSERT(strstr(err.msg, "spool full") != NULL);
	T_ASSERT(!spool_is_pending(sp, "f3"));
	T_ASSERT(count_dir(cfg.state_dir, "spool/tmp") == 0);
	/* Room again after an ack. */
	T_ASSERT(spool_ack(sp, "f1", &err) == 0);
	T_ASSERT(spool_put(sp, "f3", "x", 1, &err) == SPOOL_OK);
	spool_get_stats(sp, &st);
	T_ASSERT(st.full == 1 && st.files == 2);
	spool_close(&sp);
	free(cfg.state_dir);

	cfg_init(&cfg, "fullbytes");
	cfg.spool_max_bytes = 3000;
	memset(big, 'b', sizeof(big));
	sp = spool_open(&cfg, &err);
	T_ASSERT(spool_put(sp, "b1", big, sizeof(big), &err) == SPOOL_OK);
	T_ASSERT(spool_put(sp, "b2", big, sizeof(big), &err) == SPOOL_FULL);
	T_ASSERT(spool_put(sp, "b3", "small", 5, &err) == SPOOL_OK);
	spool_close(&sp);
	free(cfg.state_dir);
	T_END();
}

static void
test_dead(void)
{
	struct config	 cfg;
	struct spool	*sp;
	struct errbuf	 err;
	struct strlist	 ids = { 0 };
	char		*why, *out = NULL;
	size_t		 outlen = 0;
	FILE		*f;

	T_BEGIN("dead letters: dead/list/reason/print/show/retry/purge");
	cfg_init(&cfg, "dead");
	sp = spool_open(&cfg, &err);
	spool_put(sp, "d1", "{\"a\":1}", 7, &err);
	spool_put(sp, "d2", "{\"a\":2}", 7, &err);
	T_ASSERT(spool_dead(sp, "d1", 400, "{\"error\":{\"code\":400,"
	    "\"message\":\"bad\"}}", &err) == 0);
	T_ASSERT(spool_dead(sp, "d2", 422, NULL, &err) == 0);
	T_ASSERT(spool_dead(sp, "nope", 400, "x", &err) == -1);
	T_ASSERT(!spool_is_pending(sp, "d1"));
	T_ASSERT(spool_dead_list(sp, &ids, &err) == 0 && ids.n == 2);
	T_ASSERT(strlist_contains(&ids, "d1"));
	strlist_free(&ids);
	why = spool_dead_reason(sp, "d1");
	T_ASSERT(why != NULL && strstr(why, "status: 400\n") != NULL);
	T_ASSERT(why != NULL && strstr(why, "\"message\":\"bad\"") != NULL);
	free(why);
	T_ASSERT(spool_dead_reason(sp, "nope") == NULL);

	f = open_memstream(&out, &outlen);
	T_ASSERT(spool_dead_print(sp, f, &err) == 2);
	fclose(f);
	T_ASSERT(strstr(out, "d1\t") != NULL && strstr(out, "\t400\t") !=
	    NULL);
	free(out);
	out = NULL;
	f = open_memstream(&out, &outlen);
	T_ASSERT(spool_dead_show(sp, "d1", f, &err) == 0);
	fclose(f);
	T_ASSERT(strstr(out, "status: 400") != NULL &&
	    strstr(out, "{\"a\":1}") != NULL);
	free(out);
	T_ASSERT(spool_dead_show(sp, "nope", stdout, &err) == -1);

	T_ASSERT(spool_dead_retry(sp, "d1", &err) == 1);
	T_ASSERT(spool_is_pending(sp, "d1"));
	T_ASSERT(!exists(cfg.state_dir, "spool/dead/d1"));
	T_ASSERT(!exists(cfg.state_dir, "spool/dead/d1.why"));
	T_ASSERT(spool_dead_retry(sp, "d1", &err) == -1);
	T_ASSERT(strstr(err.msg, "no such dead letter") != NULL);
	T_ASSERT(spool_dead(sp, "d1", 400, "again", &err) == 0);
	T_ASSERT(spool_dead_retry(sp, NULL, &err) == 2);
	T_ASSERT(spool_is_pending(sp, "d1") && spool_is_pending(sp, "d2"));
	T_ASSERT(count_dir(cfg.state_dir, "spool/dead") == 0);
	spool_dead(sp, "d1", 400, "x", &err);
	spool_dead(sp, "d2", 400, "x", &err);
	T_ASSERT(spool_dead_purge(sp, "d1", &err) == 1);
	T_ASSERT(spool_dead_purge(sp, "d1", &err) == -1);
	T_ASSERT(spool_dead_purge(sp, NULL, &err) == 1);
	T_ASSERT(count_dir(cfg.state_dir, "spool/dead") == 0);
	T_ASSERT(spool_dead_purge(sp, "../new/x", &err) == -1);
	T_ASSERT(strstr(err.msg, "unsafe") != NULL);
	spool_close(&sp);
	free(cfg.state_dir);
	T_END();
}

static void
test_bad(void)
{
	struct config	 cfg;
	struct spool	*sp;
	struct errbuf	 err;
	struct strlist	 ids = { 0 };
	char		*body;
	size_t		 len;

	T_BEGIN("bad files go to bad/ (crash: no END)");
	cfg_init(&cfg, "bad");
	sp = spool_open(&cfg, &err);
	/* A half-written file (cannot come from spool_put, but a copy
	 * by hand or a broken disk can produce it). */
	write_raw(cfg.state_dir, "spool/new/noend",
	    "SOARSPOOL 1\nid noend\nlength 5\ncreated 1\n\nhello");
	write_raw(cfg.state_dir, "spool/new/garbage", "hello world\n");
	write_raw(cfg.state_dir, "spool/new/wrongid",
	    "SOARSPOOL 1\nid other\nlength 1\ncreated 1\n\nx\nEND\n");
	write_raw(cfg.state_dir, "spool/new/badlen",
	    "SOARSPOOL 1\nid badlen\nlength 9\ncreated 1\n\nx\nEND\n");
	write_raw(cfg.state_dir, "spool/new/v2",
	    "SOARSPOOL 2\nid v2\nlength 1\ncreated 1\n\nx\nEND\n");
	write_raw(cfg.state_dir, "spool/new/good",
	    "SOARSPOOL 1\nid good\nlength 1\ncreated 1\n\nx\nEND\n");
	write_raw(cfg.state_dir, "spool/new/.junk", "x");
	T_ASSERT(spool_read(sp, "noend", &body, &len, &err) ==
	    SPOOL_READ_BAD);
	T_ASSERT(strstr(err.msg, "invalid spool file") != NULL);
	T_ASSERT(spool_read(sp, "garbage", &body, &len, &err) ==
	    SPOOL_READ_BAD);
	T_ASSERT(spool_read(sp, "wrongid", &body, &len, &err) ==
	    SPOOL_READ_BAD);
	T_ASSERT(spool_read(sp, "badlen", &body, &len, &err) ==
	    SPOOL_READ_BAD);
	T_ASSERT(spool_read(sp, "v2", &body, &len, &err) == SPOOL_READ_BAD);
	T_ASSERT(strstr(err.msg, "version") != NULL);
	T_ASSERT(spool_read(sp, "good", &body, &len, &err) == SPOOL_READ_OK);
	T_STREQ(body, "x");
	free(body);
	T_ASSERT(count_dir(cfg.state_dir, "spool/bad") == 5);
	/* A junk name in new/ is moved aside by the listing. */
	T_ASSERT(spool_list(sp, &ids, &err) == 0 && ids.n == 1);
	T_ASSERT(!exists(cfg.state_dir, "spool/new/.junk"));
	strlist_free(&ids);
	spool_close(&sp);
	free(cfg.state_dir);
	T_END();
}

static void
test_stale_tmp(void)
{
	struct config	 cfg;
	struct spool	*sp;
	struct errbuf	 err;

	T_BEGIN("stale tmp files removed at open (crash simulation)");
	cfg_init(&cfg, "stale");
	sp = spool_open(&cfg, &err);
	spool_close(&sp);
	write_raw(cfg.state_dir, "spool/tmp/x.123.1", "SOARSPOOL 1\nid x\n");
	write_raw(cfg.state_dir, "spool/tmp/y.123.2", "SOARSPOOL 1\nid y\n");
	set_age(cfg.state_dir, "spool/tmp/x.123.1", 120);
	sp = spool_open(&cfg, &err);
	T_ASSERT(sp != NULL);
	T_ASSERT(!exists(cfg.state_dir, "spool/tmp/x.123.1"));
	T_ASSERT(exists(cfg.state_dir, "spool/tmp/y.123.2"));
	T_ASSERT(!spool_is_pending(sp, "x"));
	spool_close(&sp);
	free(cfg.state_dir);
	T_END();
}

static void
test_unsafe_ids(void)
{
	static const char *bad[] = { "", ".", "..", "../x", "a/b", ".x",
	    "-x", "a b", "a\nb", "x.why", "\xc3\xa9", "a:b" };
	struct config	 cfg;
	struct spool	*sp;
	struct errbuf	 err;
	char		 longid[SPOOL_ID_MAX + 2], *body;
	size_t		 i, len;

	T_BEGIN("unsafe ids refused before any file system access");
	cfg_init(&cfg, "ids");
	sp = spool_open(&cfg, &err);
	for (i = 0; i < ARRAY_LEN(bad); i++) {
		T_ASSERT(!spool_id_ok(bad[i]));
		T_ASSERT(spool_put(sp, bad[i], "x", 1, &err) == SPOOL_ERR);
		T_ASSERT(strstr(err.msg, "unsafe alert id") != NULL);
		T_ASSERT(spool_read(sp, bad[i], &body, &len, &err) ==
		    SPOOL_READ_ERR);
		T_ASSERT(spool_ack(sp, bad[i], &err) == -1);
		T_ASSERT(!spool_was_sent(sp, bad[i]));
	}
	T_ASSERT(spool_put(sp, NULL, "x", 1, &err) == SPOOL_ERR);
	memset(longid, 'a', sizeof(longid));
	longid[SPOOL_ID_MAX] = '\0';
	T_ASSERT(spool_id_ok(longid));
	longid[SPOOL_ID_MAX] = 'a';
	longid[SPOOL_ID_MAX + 1] = '\0';
	T_ASSERT(!spool_id_ok(longid));
	T_ASSERT(spool_put(sp, longid, "x", 1, &err) == SPOOL_ERR);
	T_ASSERT(spool_id_ok("mlt-0123abcdef.x_Y"));
	T_ASSERT(count_dir(cfg.state_dir, "spool/new") == 0);
	T_ASSERT(count_dir(cfg.state_dir, "spool/tmp") == 0);
	T_ASSERT(count_dir(cfg.state_dir, "sent") == 0);
	spool_close(&sp);
	free(cfg.state_dir);
	T_END();
}

static void
test_sent_expire(void)
{
	struct config	 cfg;
	struct spool	*sp;
	struct errbuf	 err;
	char		 id[16], rel[32];
	int		 i;

	T_BEGIN("sent record expiry: retention and count cap");
	cfg_init(&cfg, "sent");
	cfg.sent_retention = 3600;
	cfg.sent_max_entries = 3;
	sp = spool_open(&cfg, &err);
	for (i = 0; i < 6; i++) {
		snprintf(id, sizeof(id), "s%d", i);
		spool_put(sp, id, "x", 1, &err);
		T_ASSERT(spool_ack(sp, id, &err) == 0);
		snprintf(rel, sizeof(rel), "sent/%s", id);
		/* s0 is 2 h old, s1..s5 are 60..10 s old */
		set_age(cfg.state_dir, rel, i == 0 ? 7200 : 70 - 10 * i);
	}
	T_ASSERT(count_dir(cfg.state_dir, "sent") == 6);
	/* s0 by age, then s1 and s2 by count (oldest first). */
	T_ASSERT(spool_sent_expire(sp, &err) == 3);
	T_ASSERT(!spool_was_sent(sp, "s0") && !spool_was_sent(sp, "s1") &&
	    !spool_was_sent(sp, "s2"));
	T_ASSERT(spool_was_sent(sp, "s3") && spool_was_sent(sp, "s5"));
	T_ASSERT(spool_sent_expire(sp, &err) == 0);
	spool_close(&sp);
	free(cfg.state_dir);
	T_END();
}

static void
test_claim(void)
{
	struct config	 cfg;
	struct spool	*sp;
	struct errbuf	 err;
	int		 fd1, fd2;

	T_BEGIN("claim: one sender at a time per alert");
	cfg_init(&cfg, "claim");
	sp = spool_open(&cfg, &err);
	spool_put(sp, "c1", "x", 1, &err);
	T_ASSERT(spool_claim(sp, "c1", &fd1, &err) == 1);
	T_ASSERT(spool_claim(sp, "c1", &fd2, &err) == 0 && fd2 == -1);
	spool_release(fd1);
	T_ASSERT(spool_claim(sp, "c1", &fd1, &err) == 1);
	T_ASSERT(spool_ack(sp, "c1", &err) == 0);
	spool_release(fd1);
	T_ASSERT(spool_claim(sp, "c1", &fd1, &err) == 0);
	spool_close(&sp);
	free(cfg.state_dir);
	T_END();
}

struct race {
	struct spool	*sp;
	int		 ok, dup, other;
};

static void *
race_main(void *arg)
{
	struct race	*r = arg;
	struct errbuf	 err;
	char		 id[16];
	int		 i;

	for (i = 0; i < 50; i++) {
		snprintf(id, sizeof(id), "r%d", i);
		switch (spool_put(r->sp, id, id, strlen(id), &err)) {
		case SPOOL_OK:
			r->ok++;
			break;
		case SPOOL_DUP:
			r->dup++;
			break;
		default:
			r->other++;
		}
	}
	return NULL;
}

static void
test_race(void)
{
	struct config	 cfg;
	struct spool	*sp;
	struct errbuf	 err;
	struct race	 r[4];
	pthread_t	 t[4];
	struct spool_stats st;
	int		 i, ok = 0, dup = 0, other = 0;

	T_BEGIN("same ids from 4 threads: each spooled once");
	cfg_init(&cfg, "race");
	sp = spool_open(&cfg, &err);
	for (i = 0; i < 4; i++) {
		memset(&r[i], 0, sizeof(r[i]));
		r[i].sp = sp;
		pthread_create(&t[i], NULL, race_main, &r[i]);
	}
	for (i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		ok += r[i].ok;
		dup += r[i].dup;
		other += r[i].other;
	}
	T_ASSERT(ok == 50 && dup == 150 && other == 0);
	T_ASSERT(count_dir(cfg.state_dir, "spool/new") == 50);
	T_ASSERT(count_dir(cfg.state_dir, "spool/tmp") == 0);
	spool_get_stats(sp, &st);
	T_ASSERT(st.files == 50);
	spool_close(&sp);
	free(cfg.state_dir);
	T_END();
}

/*
 * Many puts at once, as from the end-of-message callbacks of a busy MTA,
 * through two spool handles (two processes sharing the spool: milter
 * daemon and backfill).  Each id is put once by each handle: exactly
 * one wins.  Bodies differ in size and content, so a file mixed up
 * with another or cut short does not validate.
 */
#define MANY_THREADS	12	/* per handle */
#define MANY_IDS	40	/* per thread */

struct many {
	struct spool	*sp;
	int		 t;
	int		 ok, dup, other;
};

/* many_body - the body for id number n: n-dependent size and bytes */
static char *
many_body(int n, size_t *len_r)
{
	size_t	len = 1 + (size_t)(n * 7919) % 20000, i;
	char	*b = xmalloc(len + 1);

	for (i = 0; i < len; i++)
		b[i] = (char)('a' + (n + i) % 26);
	b[len] = '\0';
	*len_r = len;
	return b;
}

static void *
many_main(void *arg)
{
	struct many	*m = arg;
	struct errbuf	 err;
	char		 id[32], *b;
	size_t		 len;
	int		 i, n;

	for (i = 0; i < MANY_IDS; i++) {
		n = m->t * MANY_IDS + i;
		snprintf(id, sizeof(id), "m-%04d", n);
		b = many_body(n, &len);
		switch (spool_put(m->sp, id, b, len, &err)) {
		case SPOOL_OK:
			m->ok++;
			break;
		case SPOOL_DUP:
			m->dup++;
			break;
		default:
			fprintf(stderr, "put %s: %s\n", id, err.msg);
			m->other++;
		}
		free(b);
	}
	return NULL;
}

static void
test_many_threads(void)
{
	struct config	 cfg;
	struct spool	*sp[2];
	struct errbuf	 err;
	struct many	 m[2 * MANY_THREADS];
	pthread_t	 t[2 * MANY_THREADS];
	struct strlist	 ids = { 0 };
	struct spool_stats st0, st1;
	char		 id[32], *body, *want;
	size_t		 len, wlen;
	int		 i, n, ok = 0, dup = 0, other = 0, valid = 0;

	T_BEGIN("puts from 24 threads on two handles: every file valid");
	cfg_init(&cfg, "many");
	cfg.spool_max_files = 100000;
	sp[0] = spool_open(&cfg, &err);
	sp[1] = spool_open(&cfg, &err);
	T_ASSERT(sp[0] != NULL && sp[1] != NULL);
	for (i = 0; i < 2 * MANY_THREADS; i++) {
		memset(&m[i], 0, sizeof(m[i]));
		m[i].sp = sp[i % 2];
		m[i].t = i / 2;		/* both handles put the same ids */
		T_ASSERT(pthread_create(&t[i], NULL, many_main, &m[i]) == 0);
	}
	for (i = 0; i < 2 * MANY_THREADS; i++) {
		pthread_join(t[i], NULL);
		ok += m[i].ok;
		dup += m[i].dup;
		other += m[i].other;
	}
	n = MANY_THREADS * MANY_IDS;
	T_ASSERT(ok == n && dup == n && other == 0);
	T_ASSERT(count_dir(cfg.state_dir, "spool/new") == n);
	T_ASSERT(count_dir(cfg.state_dir, "spool/tmp") == 0);
	for (i = 0; i < n; i++) {
		snprintf(id, sizeof(id), "m-%04d", i);
		want = many_body(i, &wlen);
		body = NULL;
		if (spool_read(sp[i % 2], id, &body, &len, &err) ==
		    SPOOL_READ_OK && len == wlen && memcmp(body, want, len) == 0)
			valid++;
		else
			fprintf(stderr, "%s: %s\n", id, err.msg);
		free(body);
		free(want);
	}
	T_ASSERT(valid == n);
	T_ASSERT(count_dir(cfg.state_dir, "spool/bad") == 0);
	spool_get_stats(sp[0], &st0);
	spool_get_stats(sp[1], &st1);
	T_ASSERT(st0.put + st1.put == (uint64_t)n);
	T_ASSERT(st0.err == 0 && st1.err == 0);
	/* Each handle counted what it added; a listing recounts all. */
	T_ASSERT(st0.files == st0.put && st1.files == st1.put);
	T_ASSERT(spool_list(sp[0], &ids, &err) == 0 && ids.n == (size_t)n);
	spool_get_stats(sp[0], &st0);
	T_ASSERT(st0.files == (uint64_t)n);
	strlist_free(&ids);
	spool_close(&sp[0]);
	spool_close(&sp[1]);
	free(cfg.state_dir);
	T_END();
}

/*
 * The pending counters across processes: each handle counts what it
 * adds and removes; the sender's listing recounts what others did.
 */
static void
test_counters(void)
{
	struct config	 cfg;
	struct spool	*a, *b;
	struct errbuf	 err;
	struct strlist	 ids = { 0 };
	struct spool_stats st;
	char		 id[16];
	int		 i;

	T_BEGIN("pending counters across two handles");
	cfg_init(&cfg, "counters");
	cfg.spool_max_files = 4;
	a = spool_open(&cfg, &err);
	b = spool_open(&cfg, &err);
	T_ASSERT(a != NULL && b != NULL);
	for (i = 0; i < 4; i++) {
		snprintf(id, sizeof(id), "c%d", i);
		T_ASSERT(spool_put(a, id, "x", 1, &err) == SPOOL_OK);
	}
	T_ASSERT(spool_put(a, "c4", "x", 1, &err) == SPOOL_FULL);
	/* b opened before a's puts: its counters say empty. */
	spool_get_stats(b, &st);
	T_ASSERT(st.files == 0);
	/* b's sender delivers two; a listing (a sender pass) recounts. */
	T_ASSERT(spool_ack(b, "c0", &err) == 0);
	T_ASSERT(spool_ack(b, "c1", &err) == 0);
	T_ASSERT(spool_list(a, &ids, &err) == 0 && ids.n == 2);
	strlist_free(&ids);
	spool_get_stats(a, &st);
	T_ASSERT(st.files == 2);
	T_ASSERT(spool_put(a, "c4", "x", 1, &err) == SPOOL_OK);
	T_ASSERT(spool_put(a, "c5", "x", 1, &err) == SPOOL_OK);
	T_ASSERT(spool_put(a, "c6", "x", 1, &err) == SPOOL_FULL);
	spool_get_stats(a, &st);
	T_ASSERT(st.files == 4 && st.full == 2);
	spool_close(&a);
	spool_close(&b);
	free(cfg.state_dir);
	T_END();
}

/* count_prefix - entries of state/rel whose name starts with prefix */
static int
count_prefix(const char *state, const char *rel, const char *prefix)
{
	char		*p = xasprintf("%s/%s", state, rel);
	DIR		*d = opendir(p);
	struct dirent	*de;
	int		 n = 0;

	free(p);
	if (d == NULL)
		return -1;
	while ((de = readdir(d)) != NULL)
		if (strncmp(de->d_name, prefix, strlen(prefix)) == 0)
			n++;
	closedir(d);
	return n;
}

/* age_prefix - set_age on every entry of state/rel starting with prefix */
static void
age_prefix(const char *state, const char *rel, const char *prefix,
    int seconds)
{
	char		*p = xasprintf("%s/%s", state, rel), *q;
	DIR		*d = opendir(p);
	struct dirent	*de;

	while (d != NULL && (de = readdir(d)) != NULL)
		if (strncmp(de->d_name, prefix, strlen(prefix)) == 0) {
			q = xasprintf("%s/%s", rel, de->d_name);
			set_age(state, q, seconds);
			free(q);
		}
	if (d != NULL)
		closedir(d);
	free(p);
}

/* stat_rel - lstat of state/rel */
static int
stat_rel(const char *state, const char *rel, struct stat *st)
{
	char	*p = xasprintf("%s/%s", state, rel);
	int	 r = lstat(p, st);

	free(p);
	return r;
}

static void
test_pool(void)
{
	struct config	 cfg;
	struct spool	*sp, *sp2;
	struct errbuf	 err;
	struct spool_stats st;
	struct stat	 s1, s2;
	char		 big[5000], *body = NULL;
	size_t		 len;
	int		 fd;

	T_BEGIN("pool: pre-created files, recycled on ack, kept from "
	    "other handles' cleanup");
	cfg_init(&cfg, "pool");
	sp = spool_open(&cfg, &err);
	T_ASSERT(sp != NULL);
	/* No pool until the handle puts: flush/sender keep none. */
	T_ASSERT(spool_pool_fill(sp, &err) == 0);
	T_ASSERT(count_dir(cfg.state_dir, "spool/tmp") == 0);
	T_ASSERT(spool_put(sp, "p0", "x", 1, &err) == SPOOL_OK);
	T_ASSERT(spool_pool_fill(sp, &err) == SPOOL_POOL_MAX);
	T_ASSERT(count_prefix(cfg.state_dir, "spool/tmp", ",pool.") ==
	    SPOOL_POOL_MAX);
	T_ASSERT(spool_pool_fill(sp, &err) == 0);	/* full: nothing */
	memset(big, 'b', sizeof(big));
	T_ASSERT(spool_put(sp, "p1", big, sizeof(big), &err) == SPOOL_OK);
	spool_get_stats(sp, &st);
	T_ASSERT(st.pool_used == 1 && st.pool == SPOOL_POOL_MAX - 1);
	/* Two names until settled: tmp/ (durable) and new/p1. */
	T_ASSERT(count_dir(cfg.state_dir, "spool/tmp") == SPOOL_POOL_MAX);
	T_ASSERT(stat_rel(cfg.state_dir, "spool/new/p1", &s1) == 0 &&
	    s1.st_nlink == 2);
	T_ASSERT(spool_settle(sp, &err) == 1);
	T_ASSERT(spool_settle(sp, &err) == 0);
	T_ASSERT(count_dir(cfg.state_dir, "spool/tmp") == SPOOL_POOL_MAX - 1);
	T_ASSERT(stat_rel(cfg.state_dir, "spool/new/p1", &s1) == 0 &&
	    s1.st_nlink == 1);
	T_ASSERT(spool_read(sp, "p1", &body, &len, &err) == SPOOL_READ_OK);
	T_ASSERT(len == sizeof(big) && memcmp(body, big, len) == 0);
	free(body);

	/* Delivered: the file goes back to the pool, the record is a
	 * hard link to the marker. */
	T_ASSERT(spool_claim(sp, "p1", &fd, &err) == 1);
	T_ASSERT(spool_ack_claimed(sp, "p1", fd, &err) == 0);
	spool_get_stats(sp, &st);
	/* Recycled, in the pool once tmp/ is synced (settle). */
	T_ASSERT(st.pool_recycled == 1 && st.pool == SPOOL_POOL_MAX - 1);
	T_ASSERT(spool_settle(sp, &err) == 0);
	spool_get_stats(sp, &st);
	T_ASSERT(st.pool_recycled == 1 && st.pool == SPOOL_POOL_MAX);
	T_ASSERT(st.acked == 1 && st.files == 1);
	T_ASSERT(!spool_is_pending(sp, "p1") && spool_was_sent(sp, "p1"));
	T_ASSERT(count_dir(cfg.state_dir, "spool/tmp") == SPOOL_POOL_MAX);
	/* The recycled file is the next one used: no trace of p1 in it. */
	T_ASSERT(spool_put(sp, "p2", "short", 5, &err) == SPOOL_OK);
	T_ASSERT(spool_settle(sp, &err) == 1);
	T_ASSERT(spool_read(sp, "p2", &body, &len, &err) == SPOOL_READ_OK);
	T_ASSERT(len == 5 && memcmp(body, "short", 5) == 0);
	free(body);

	/* Another handle (another process) opening the spool leaves the
	 * pool alone however old its files look: they are locked. */
	age_prefix(cfg.state_dir, "spool/tmp", ",pool.", 600);
	sp2 = spool_open(&cfg, &err);
	T_ASSERT(sp2 != NULL);
	T_ASSERT(count_dir(cfg.state_dir, "spool/tmp") == SPOOL_POOL_MAX - 1);
	/* ... and its ack of an alert the first handle spooled does not
	 * recycle (it keeps no pool): the file is simply removed. */
	T_ASSERT(spool_claim(sp2, "p2", &fd, &err) == 1);
	T_ASSERT(spool_ack_claimed(sp2, "p2", fd, &err) == 0);
	spool_get_stats(sp2, &st);
	T_ASSERT(st.pool_recycled == 0 && st.pool == 0);
	T_ASSERT(!spool_is_pending(sp, "p2") && spool_was_sent(sp, "p2"));
	T_ASSERT(count_dir(cfg.state_dir, "spool/tmp") == SPOOL_POOL_MAX - 1);
	spool_close(&sp2);
	/* Both records link to markers: no inode of their own. */
	T_ASSERT(stat_rel(cfg.state_dir, "sent/p1", &s1) == 0);
	T_ASSERT(stat_rel(cfg.state_dir, "sent/p2", &s2) == 0);
	T_ASSERT(s1.st_nlink >= 2 && s2.st_nlink >= 2);
	T_ASSERT(s1.st_size == 0 && s2.st_size == 0);
	T_ASSERT(s1.st_mtime >= time(NULL));	/* end of the window */
	spool_close(&sp);
	/* A clean close removes the pool. */
	T_ASSERT(count_dir(cfg.state_dir, "spool/tmp") == 0);
	T_ASSERT(spool_is_pending(sp2 = spool_open(&cfg, &err), "p0"));
	spool_close(&sp2);
	free(cfg.state_dir);
	T_END();
}

static void
test_pool_crash(void)
{
	struct config	 cfg;
	struct spool	*sp;
	struct errbuf	 err;
	struct strlist	 ids = { 0 };
	pid_t		 pid;
	int		 status, fd;

	T_BEGIN("pool: files left by a crash are removed at the next open, "
	    "alerts kept");
	cfg_init(&cfg, "poolcrash");
	if ((pid = fork()) == 0) {
		sp = spool_open(&cfg, &err);
		if (sp == NULL || spool_put(sp, "k0", "x", 1, &err) !=
		    SPOOL_OK || spool_pool_fill(sp, &err) != SPOOL_POOL_MAX ||
		    spool_put(sp, "k1", "y", 1, &err) != SPOOL_OK ||
		    spool_put(sp, "k2", "z", 1, &err) != SPOOL_OK ||
		    spool_settle(sp, &err) != 2 ||
		    spool_claim(sp, "k2", &fd, &err) != 1 ||
		    spool_ack_claimed(sp, "k2", fd, &err) != 0)
			_exit(1);
		_exit(0);		/* no spool_close: a crash */
	}
	T_ASSERT(pid > 0 && waitpid(pid, &status, 0) == pid);
	T_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	T_ASSERT(count_prefix(cfg.state_dir, "spool/tmp", ",pool.") ==
	    SPOOL_POOL_MAX - 1);
	/* Young files might still be in use by a starting process: kept;
	 * old ones without a lock are removed. */
	sp = spool_open(&cfg, &err);
	T_ASSERT(count_dir(cfg.state_dir, "spool/tmp") == SPOOL_POOL_MAX - 1);
	spool_close(&sp);
	age_prefix(cfg.state_dir, "spool/tmp", ",pool.", 120);
	sp = spool_open(&cfg, &err);
	T_ASSERT(sp != NULL);
	T_ASSERT(count_dir(cfg.state_dir, "spool/tmp") == 0);
	T_ASSERT(spool_list(sp, &ids, &err) == 0 && ids.n == 2);
	T_ASSERT(strlist_contains(&ids, "k0") && strlist_contains(&ids, "k1"));
	T_ASSERT(spool_was_sent(sp, "k2") && !spool_is_pending(sp, "k2"));
	strlist_free(&ids);
	spool_close(&sp);
	free(cfg.state_dir);
	T_END();
}


/*
 * test_link_crash - the states a crash can leave between a pooled put's
 * return (data, inode and the tmp/ name durable) and spool_settle (new/
 * synced): the new/ name there or lost; every acknowledged alert is
 * delivered exactly once, nothing else is.
 */
static void
test_link_crash(void)
{
	struct config	 cfg;
	struct spool	*sp;
	struct errbuf	 err;
	struct strlist	 ids = { 0 };
	struct stat	 st;
	char		*body = NULL, *p;
	size_t		 len;
	pid_t		 pid;
	int		 status;

	T_BEGIN("pool: crash after link, before settle: recovered, "
	    "delivered once");
	cfg_init(&cfg, "linkcrash");
	if ((pid = fork()) == 0) {
		sp = spool_open(&cfg, &err);
		if (sp == NULL || spool_put(sp, "c0", "x", 1, &err) !=
		    SPOOL_OK || spool_pool_fill(sp, &err) != SPOOL_POOL_MAX ||
		    spool_put(sp, "c1", "one", 3, &err) != SPOOL_OK ||
		    spool_put(sp, "c2", "two", 3, &err) != SPOOL_OK ||
		    spool_put(sp, "c3", "three", 5, &err) != SPOOL_OK)
			_exit(1);
		_exit(0);		/* a crash: nothing settled */
	}
	T_ASSERT(pid > 0 && waitpid(pid, &status, 0) == pid);
	T_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	/* The pool (61 left) and the three tmp/ names of c1..c3. */
	T_ASSERT(count_prefix(cfg.state_dir, "spool/tmp", ",pool.") ==
	    SPOOL_POOL_MAX);
	T_ASSERT(stat_rel(cfg.state_dir, "spool/new/c1", &st) == 0 &&
	    st.st_nlink == 2);
	/* c2: its new/ name did not reach the disk. */
	p = xasprintf("%s/spool/new/c2", cfg.state_dir);
	T_ASSERT(unlink(p) == 0);
	free(p);
	/* c3: delivered by another process before the crash (its sent/
	 * record, then its new/ name dropped; the tmp/ name stays). */
	write_raw(cfg.state_dir, "sent/c3", "");
	p = xasprintf("%s/spool/new/c3", cfg.state_dir);
	T_ASSERT(unlink(p) == 0);
	free(p);
	/* Young files: recovery does not wait for them to age. */
	sp = spool_open(&cfg, &err);
	T_ASSERT(sp != NULL);
	T_ASSERT(count_prefix(cfg.state_dir, "spool/tmp", ",pool.") ==
	    SPOOL_POOL_MAX - 3);
	T_ASSERT(stat_rel(cfg.state_dir, "spool/new/c1", &st) == 0 &&
	    st.st_nlink == 1);
	T_ASSERT(stat_rel(cfg.state_dir, "spool/new/c2", &st) == 0 &&
	    st.st_nlink == 1);
	T_ASSERT(spool_read(sp, "c2", &body, &len, &err) == SPOOL_READ_OK);
	T_ASSERT(len == 3 && memcmp(body, "two", 3) == 0);
	free(body);
	T_ASSERT(!spool_is_pending(sp, "c3"));
	T_ASSERT(spool_list(sp, &ids, &err) == 0 && ids.n == 3);
	T_ASSERT(strlist_contains(&ids, "c0") && strlist_contains(&ids, "c1")
	    && strlist_contains(&ids, "c2"));
	strlist_free(&ids);
	T_ASSERT(drain_some(sp, 1000) == 3);
	spool_close(&sp);
	/* Exactly once: nothing comes back at the next open. */
	age_prefix(cfg.state_dir, "spool/tmp", ",pool.", 120);
	sp = spool_open(&cfg, &err);
	T_ASSERT(sp != NULL);
	T_ASSERT(count_dir(cfg.state_dir, "spool/tmp") == 0);
	T_ASSERT(count_dir(cfg.state_dir, "spool/new") == 0);
	T_ASSERT(drain_some(sp, 1000) == 0);
	T_ASSERT(spool_was_sent(sp, "c1") && spool_was_sent(sp, "c2"));
	spool_close(&sp);
	free(cfg.state_dir);
	T_END();
}

/* test_tmp_recovery - complete and incomplete files in tmp/ at open */
static void
test_tmp_recovery(void)
{
	struct config	 cfg;
	struct spool	*sp;
	struct errbuf	 err;
	struct stat	 st;
	char		*body = NULL;
	size_t		 len;

	T_BEGIN("tmp/ at open: complete file recovered into new/, "
	    "incomplete ones removed, nothing else delivered");
	cfg_init(&cfg, "tmprec");
	sp = spool_open(&cfg, &err);
	T_ASSERT(sp != NULL);
	T_ASSERT(spool_put(sp, "pend", "p", 1, &err) == SPOOL_OK);
	T_ASSERT(spool_put(sp, "gone", "g", 1, &err) == SPOOL_OK);
	T_ASSERT(spool_ack(sp, "gone", &err) == 0);
	spool_close(&sp);
	/* Complete, no new/ name: recovered, whatever its age. */
	write_raw(cfg.state_dir, "spool/tmp/,pool.99999.1", "SOARSPOOL 1\n"
	    "id r1\nlength 5\ncreated 1\n\nhello\nEND\n");
	/* Complete, but the id is pending (another copy) or sent. */
	write_raw(cfg.state_dir, "spool/tmp/,pool.99999.2", "SOARSPOOL 1\n"
	    "id pend\nlength 3\ncreated 1\n\nold\nEND\n");
	write_raw(cfg.state_dir, "spool/tmp/,pool.99999.3", "SOARSPOOL 1\n"
	    "id gone\nlength 1\ncreated 1\n\ng\nEND\n");
	/* Incomplete (a put that did not return): old removed, young
	 * kept (may be in use), never delivered. */
	write_raw(cfg.state_dir, "spool/tmp/,pool.99999.4", "SOARSPOOL 1\n"
	    "id i1\nlength 50\ncreated 1\n\nhalf");
	write_raw(cfg.state_dir, "spool/tmp/,pool.99999.5", "SOARSPOOL 1\n"
	    "id i2\nlength 5\ncreated 1\n\nhello\nEN");
	write_raw(cfg.state_dir, "spool/tmp/,pool.99999.6", "");
	set_age(cfg.state_dir, "spool/tmp/,pool.99999.4", 120);
	set_age(cfg.state_dir, "spool/tmp/,pool.99999.6", 120);
	sp = spool_open(&cfg, &err);
	T_ASSERT(sp != NULL);
	T_ASSERT(spool_is_pending(sp, "r1"));
	T_ASSERT(spool_read(sp, "r1", &body, &len, &err) == SPOOL_READ_OK);
	T_ASSERT(len == 5 && memcmp(body, "hello", 5) == 0);
	free(body);
	T_ASSERT(stat_rel(cfg.state_dir, "spool/new/r1", &st) == 0 &&
	    st.st_nlink == 1);
	T_ASSERT(spool_read(sp, "pend", &body, &len, &err) == SPOOL_READ_OK);
	T_ASSERT(len == 1 && memcmp(body, "p", 1) == 0);
	free(body);
	T_ASSERT(!spool_is_pending(sp, "gone") && !spool_is_pending(sp, "i1")
	    && !spool_is_pending(sp, "i2"));
	T_ASSERT(!exists(cfg.state_dir, "spool/tmp/,pool.99999.1"));
	T_ASSERT(!exists(cfg.state_dir, "spool/tmp/,pool.99999.2"));
	T_ASSERT(!exists(cfg.state_dir, "spool/tmp/,pool.99999.3"));
	T_ASSERT(!exists(cfg.state_dir, "spool/tmp/,pool.99999.4"));
	T_ASSERT(exists(cfg.state_dir, "spool/tmp/,pool.99999.5"));
	T_ASSERT(!exists(cfg.state_dir, "spool/tmp/,pool.99999.6"));
	T_ASSERT(count_dir(cfg.state_dir, "spool/new") == 2);
	T_ASSERT(count_dir(cfg.state_dir, "spool/bad") == 0);
	spool_close(&sp);
	free(cfg.state_dir);
	T_END();
}

/* test_pool_dup - a pooled put of a pending or sent id */
static void
test_pool_dup(void)
{
	struct config	 cfg;
	struct spool	*sp;
	struct errbuf	 err;
	struct spool_stats st;
	struct stat	 s1;
	char		*body = NULL;
	size_t		 len;

	T_BEGIN("pool: duplicate id: SPOOL_DUP, first copy intact, pool "
	    "file back in the pool");
	cfg_init(&cfg, "pooldup");
	sp = spool_open(&cfg, &err);
	T_ASSERT(sp != NULL);
	T_ASSERT(spool_put(sp, "d0", "x", 1, &err) == SPOOL_OK);
	T_ASSERT(spool_pool_fill(sp, &err) == SPOOL_POOL_MAX);
	T_ASSERT(spool_put(sp, "d1", "first", 5, &err) == SPOOL_OK);
	T_ASSERT(spool_put(sp, "d1", "second", 6, &err) == SPOOL_DUP);
	spool_get_stats(sp, &st);
	T_ASSERT(st.dup == 1 && st.pool == SPOOL_POOL_MAX - 1);
	T_ASSERT(st.files == 2);
	/* Not settled: new/d1 still has its tmp/ twin, intact. */
	T_ASSERT(spool_read(sp, "d1", &body, &len, &err) == SPOOL_READ_OK);
	T_ASSERT(len == 5 && memcmp(body, "first", 5) == 0);
	free(body);
	T_ASSERT(spool_settle(sp, &err) == 1);
	T_ASSERT(count_dir(cfg.state_dir, "spool/tmp") == SPOOL_POOL_MAX - 1);
	T_ASSERT(spool_ack(sp, "d1", &err) == 0);
	T_ASSERT(spool_put(sp, "d1", "third", 5, &err) == SPOOL_DUP);
	spool_get_stats(sp, &st);
	T_ASSERT(st.dup == 2 && st.pool == SPOOL_POOL_MAX - 1);
	T_ASSERT(stat_rel(cfg.state_dir, "spool/new/d0", &s1) == 0);
	spool_close(&sp);
	T_ASSERT(count_dir(cfg.state_dir, "spool/tmp") == 0);
	free(cfg.state_dir);
	T_END();
}

static void
test_sent_marker(void)
{
	struct config	 cfg;
	struct spool	*sp;
	struct errbuf	 err;
	struct stat	 a, b;

	T_BEGIN("sent records: links to a marker; re-delivery; expiry "
	    "removes unused markers");
	cfg_init(&cfg, "marker");
	cfg.sent_retention = 3600;
	sp = spool_open(&cfg, &err);
	spool_put(sp, "m1", "x", 1, &err);
	spool_put(sp, "m2", "y", 1, &err);
	T_ASSERT(spool_ack(sp, "m1", &err) == 0);
	T_ASSERT(spool_ack(sp, "m2", &err) == 0);
	T_ASSERT(count_prefix(cfg.state_dir, "sent", ".sent.") == 1);
	T_ASSERT(count_dir(cfg.state_dir, "sent") == 2);
	T_ASSERT(stat_rel(cfg.state_dir, "sent/m1", &a) == 0 &&
	    stat_rel(cfg.state_dir, "sent/m2", &b) == 0);
	T_ASSERT(a.st_ino == b.st_ino && a.st_nlink == 3);
	/* Kept at least sent_retention after delivery. */
	T_ASSERT(a.st_mtime >= time(NULL) + 60);
	/* Acked again (a re-delivery): still recorded, once. */
	T_ASSERT(spool_ack(sp, "m1", &err) == 0);
	T_ASSERT(spool_was_sent(sp, "m1") && count_dir(cfg.state_dir, "sent")
	    == 2);
	/* An old-style record (a file of its own) still counts. */
	write_raw(cfg.state_dir, "sent/old1", "");
	T_ASSERT(spool_was_sent(sp, "old1"));
	T_ASSERT(spool_put(sp, "old1", "z", 1, &err) == SPOOL_DUP);
	/* Expiry: the shared time of m1 and m2 is past the retention. */
	set_age(cfg.state_dir, "sent/m2", 7200);
	T_ASSERT(spool_sent_expire(sp, &err) == 2);
	T_ASSERT(!spool_was_sent(sp, "m1") && !spool_was_sent(sp, "m2"));
	T_ASSERT(spool_was_sent(sp, "old1"));
	/* The handle's current marker stays; another handle drops it once
	 * nothing links to it and its window is over. */
	T_ASSERT(count_prefix(cfg.state_dir, "sent", ".sent.") == 1);
	spool_close(&sp);
	sp = spool_open(&cfg, &err);
	T_ASSERT(spool_sent_expire(sp, &err) == 0);
	T_ASSERT(count_prefix(cfg.state_dir, "sent", ".sent.") == 0);
	/* A missing marker is replaced. */
	spool_put(sp, "m3", "x", 1, &err);
	T_ASSERT(spool_ack(sp, "m3", &err) == 0);
	T_ASSERT(spool_was_sent(sp, "m3"));
	spool_close(&sp);
	free(cfg.state_dir);
	T_END();
}

#define FLUSH_N	200

/* drain_some - claim and ack up to max pending alerts; how many */
static int
drain_some(struct spool *sp, int max)
{
	struct strlist	ids = { 0 };
	struct errbuf	err;
	size_t		i;
	int		fd, n = 0;

	if (spool_list(sp, &ids, &err) == -1)
		return -1;
	for (i = 0; i < ids.n && n < max; i++) {
		if (spool_claim(sp, ids.v[i], &fd, &err) != 1)
			continue;
		if (spool_was_sent(sp, ids.v[i])) {
			(void)spool_ack(sp, ids.v[i], &err);
			spool_release(fd);
			continue;
		}
		if (spool_ack_claimed(sp, ids.v[i], fd, &err) == 0)
			n++;
	}
	strlist_free(&ids);
	return n;
}

static void
test_flush_concurrent(void)
{
	struct config	 cfg;
	struct spool	*sp;
	struct errbuf	 err;
	struct spool_stats st;
	char		 id[16], buf[32], *done;
	int		 p[2], i, mine = 0, theirs = -1, status, ok = 0;
	ssize_t		 r;
	pid_t		 pid;

	T_BEGIN("pool: a concurrent flush process drains while the daemon "
	    "puts and acks");
	cfg_init(&cfg, "flush");
	sp = spool_open(&cfg, &err);
	spool_put(sp, "f-first", "x", 1, &err);
	spool_pool_fill(sp, &err);
	done = xasprintf("%s/flush/done", tdir);
	T_ASSERT(pipe(p) == 0);
	if ((pid = fork()) == 0) {
		struct spool	*c;
		int64_t		 end = util_mono_ms() + 30000;
		int		 n = 0, k;

		close(p[0]);
		/* The flush process: its own handle, no pool. */
		if ((c = spool_open(&cfg, &err)) == NULL)
			_exit(1);
		while (util_mono_ms() < end) {
			if ((k = drain_some(c, 1000)) > 0)
				n += k;
			if (access(done, F_OK) == 0 && k == 0)
				break;
			usleep(1000);
		}
		spool_close(&c);
		snprintf(buf, sizeof(buf), "%d\n", n);
		if (write(p[1], buf, strlen(buf)) < 0)
			_exit(1);
		_exit(0);
	}
	close(p[1]);
	for (i = 0; i < FLUSH_N; i++) {
		snprintf(id, sizeof(id), "f%d", i);
		if (spool_put(sp, id, id, strlen(id), &err) == SPOOL_OK)
			ok++;
		if (i % 3 == 0)
			mine += drain_some(sp, 1);
		if (i % 10 == 0)
			spool_pool_fill(sp, &err);
	}
	write_raw(tdir, "flush/done", "");
	/* Whatever the flush process left. */
	for (i = 0; i < 100 && (r = drain_some(sp, 1000)) >= 0; i++) {
		mine += (int)r;
		if (r == 0 && count_dir(cfg.state_dir, "spool/new") == 0)
			break;
		usleep(10000);
	}
	r = read(p[0], buf, sizeof(buf) - 1);
	close(p[0]);
	if (r > 0) {
		buf[r] = '\0';
		theirs = atoi(buf);
	}
	T_ASSERT(waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
	    WEXITSTATUS(status) == 0);
	mine += drain_some(sp, 1000);
	T_ASSERT(ok == FLUSH_N);
	/* Every alert delivered exactly once, by one or the other. */
	T_ASSERT(theirs >= 0 && mine + theirs == FLUSH_N + 1);
	T_ASSERT(count_dir(cfg.state_dir, "spool/new") == 0);
	for (i = 0; i < FLUSH_N; i++) {
		snprintf(id, sizeof(id), "f%d", i);
		if (!spool_was_sent(sp, id))
			break;
	}
	T_ASSERT(i == FLUSH_N);
	/* tmp/ holds our pool and nothing else. */
	spool_get_stats(sp, &st);
	T_ASSERT(count_dir(cfg.state_dir, "spool/tmp") == (int)st.pool);
	T_ASSERT(st.pool_used > 0);
	spool_close(&sp);
	T_ASSERT(count_dir(cfg.state_dir, "spool/tmp") == 0);
	free(done);
	free(cfg.state_dir);
	T_END();
}

static void
test_open_error(void)
{
	struct config	 cfg;
	struct errbuf	 err;

	T_BEGIN("open: unusable state_dir is a clear error");
	cfg_init(&cfg, "file");
	write_raw(tdir, "file", "not a dir");
	T_ASSERT(spool_open(&cfg, &err) == NULL);
	T_ASSERT(strstr(err.msg, "file") != NULL);
	free(cfg.state_dir);
	cfg.state_dir = NULL;
	T_ASSERT(spool_open(&cfg, &err) == NULL);
	T_ASSERT(strstr(err.msg, "state_dir") != NULL);
	T_END();
}

int
main(void)
{
	char	*cmd;
	int	 rc;

	log_open("test-spool", false, 0, LOG_LVL_ERR);
	snprintf(tdir, sizeof(tdir), "/tmp/test-spool.XXXXXX");
	if (mkdtemp(tdir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	test_basic();
	test_order();
	test_full();
	test_dead();
	test_bad();
	test_stale_tmp();
	test_unsafe_ids();
	test_sent_expire();
	test_claim();
	test_race();
	test_many_threads();
	test_counters();
	test_pool();
	test_pool_crash();
	test_link_crash();
	test_tmp_recovery();
	test_pool_dup();
	test_sent_marker();
	test_flush_concurrent();
	test_open_error();
	rc = t_done();
	cmd = xasprintf("rm -rf '%s'", tdir);
	if (rc == 0 && system(cmd) != 0)
		fprintf(stderr, "cleanup of %s failed\n", tdir);
	free(cmd);
	return rc;
}
