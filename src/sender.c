/*
 * sender - drain the spool into the SOAR (or the outbox).  See sender.h
 * for the retry policy.
 *
 * One struct sender does the work for both the thread (sender_start)
 * and the foreground pass (sender_run_once).  Only the thread that runs
 * the passes touches the backoff state, the deferral table and the
 * soar handle; the mutex guards the wake-up flags and the counters.
 */
#include "autoconfig.h"

#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "log.h"
#include "sender.h"
#include "soar.h"
#include "spool.h"

#define DEFER_BUCKETS		509
#define DEFER_MAX		10000		/* alerts tracked one by one */
#define IDLE_POLL_MS		1000		/* backfill from other processes */
#define EXPIRE_EVERY_MS		(3600 * 1000)	/* spool_sent_expire */
#define RETRY_AFTER_CLAMP_S	3600
#define MIN_429_S		30
#define BATCH_MAX		64		/* acks synced together */
#define BATCH_MS		1000		/* the longest an ack waits */
#define LINGER_MS		100		/* after a kick, wait this... */
#define LINGER_KICKS		16		/* ...for this many alerts */

/* An alert copied to the outbox (soar_api = none), waiting for its ack:
 * the claim, and the outbox file, written and in place but not yet
 * synced.  (A POSTed alert is acked at once: after a crash only the one
 * in flight may be sent twice.  The outbox copies of a batch are merely
 * written again, same name and bytes.) */
struct done {
	char		*id;
	int		 claim_fd;
	int		 out_fd;
};

struct defer {
	struct defer	*next;
	uint64_t	 gen;		/* last pass that listed the id */
	int		 fails;
	int64_t		 not_before;	/* monotonic ms */
	char		 id[];
};

struct sender {
	const struct config *cfg;
	struct spool	*sp;
	struct soar	*soar;		/* NULL with soar_api = none */
	char		*outbox;
	int		 outbox_fd;

	pthread_t	 thr;
	bool		 thread_running;
	pthread_mutex_t	 mu;
	pthread_cond_t	 cv;		/* CLOCK_MONOTONIC */
	bool		 kicked, stopping;
	unsigned	 nkicks;		/* since the last pass */
	struct sender_stats st;

	/* pass state: sender thread (or run_once caller) only */
	int		 in_a_row;	/* retryable failures in a row */
	int64_t		 gate;		/* no attempt before (mono ms) */
	int64_t		 next_expire;
	uint64_t	 rng;
	struct defer	*defer[DEFER_BUCKETS];
	size_t		 ndefer;
	uint64_t	 gen;
	bool		 pool_failing;	/* spool_pool_fill failed last */
	struct done	 batch[BATCH_MAX];
	size_t		 nbatch;
	int64_t		 batch_since;	/* mono ms of the oldest */
};

/* rnd - xorshift64*: jitter only, not security */
static uint64_t
rnd(struct sender *s)
{
	s->rng ^= s->rng >> 12;
	s->rng ^= s->rng << 25;
	s->rng ^= s->rng >> 27;
	return s->rng * UINT64_C(2685821657736338717);
}

/* backoff_ms - delay after n failures: uniform in [initial, cap_n] */
static int64_t
backoff_ms(struct sender *s, int n)
{
	int64_t	lo, hi, max;
	int	shift;

	lo = (s->cfg->retry_initial > 0 ? s->cfg->retry_initial : 1) * 1000;
	max = (s->cfg->retry_max > 0 ? s->cfg->retry_max : 300) * 1000;
	if (max < lo)
		max = lo;
	shift = n - 1 < 0 ? 0 : n - 1 > 30 ? 30 : n - 1;
	hi = lo << shift;
	if (hi > max || hi < lo)
		hi = max;
	return lo + (int64_t)(rnd(s) % (uint64_t)(hi - lo + 1));
}

static unsigned
hash_id(const char *id)
{
	uint32_t	h = 2166136261u;

	for (; *id != '\0'; id++)
		h = (h ^ (unsigned char)*id) * 16777619u;
	return h % DEFER_BUCKETS;
}

static struct defer *
defer_find(struct sender *s, const char *id)
{
	struct defer	*d;

	for (d = s->defer[hash_id(id)]; d != NULL; d = d->next)
		if (strcmp(d->id, id) == 0)
			return d;
	return NULL;
}

/* defer_add - note one more failure of id; NULL if the table is full */
static struct defer *
defer_add(struct sender *s, const char *id)
{
	struct defer	*d;
	unsigned	 h;
	size_t		 n;

	if ((d = defer_find(s, id)) != NULL)
		return d;
	if (s->ndefer >= DEFER_MAX)
		return NULL;
	n = strlen(id);
	d = xcalloc(1, sizeof(*d) + n + 1);
	memcpy(d->id, id, n + 1);
	h = hash_id(id);
	d->next = s->defer[h];
	s->defer[h] = d;
	s->ndefer++;
	return d;
}

static void
defer_del(struct sender *s, const char *id)
{
	struct defer	**dp, *d;

	for (dp = &s->defer[hash_id(id)]; (d = *dp) != NULL; dp = &d->next)
		if (strcmp(d->id, id) == 0) {
			*dp = d->next;
			free(d);
			s->ndefer--;
			return;
		}
}

/* defer_prune - forget ids that are no longer pending */
static void
defer_prune(struct sender *s, const struct strlist *ids)
{
	struct defer	**dp, *d;
	size_t		  i;

	if (s->ndefer == 0)
		return;
	s->gen++;
	for (i = 0; i < ids->n; i++)
		if ((d = defer_find(s, ids->v[i])) != NULL)
			d->gen = s->gen;
	for (i = 0; i < DEFER_BUCKETS; i++)
		for (dp = &s->defer[i]; (d = *dp) != NULL; )
			if (d->gen != s->gen) {
				*dp = d->next;
				free(d);
				s->ndefer--;
			} else
				dp = &d->next;
}

static void
defer_clear(struct sender *s)
{
	struct defer	*d, *n;
	size_t		 i;

	for (i = 0; i < DEFER_BUCKETS; i++) {
		for (d = s->defer[i]; d != NULL; d = n) {
			n = d->next;
			free(d);
		}
		s->defer[i] = NULL;
	}
	s->ndefer = 0;
}

/* count - bump a counter under the lock */
static void
count(struct sender *s, uint64_t *ctr)
{
	pthread_mutex_lock(&s->mu);
	(*ctr)++;
	pthread_mutex_unlock(&s->mu);
}

static bool
stopping(struct sender *s)
{
	bool	r;

	pthread_mutex_lock(&s->mu);
	r = s->stopping;
	pthread_mutex_unlock(&s->mu);
	return r;
}

/*
 * outbox_stage - soar_api = none: write outbox/<id>.json (a dot file
 * renamed into place, so a reader never sees half a file) and return
 * its fd, not yet synced: batch_flush syncs the files and the directory
 * of a whole batch before any of them is recorded as sent.  A power
 * loss before that can leave a short outbox file, but its alert is
 * still pending then and is written again after the restart.
 */
static int
outbox_stage(struct sender *s, const char *id, const char *body, size_t len,
    struct errbuf *err)
{
	char	*name, *tmp;
	int	 fd;

	name = xasprintf("%s.json", id);
	tmp = xasprintf(".%s.tmp.%ld", id, (long)getpid());
	fd = openat(s->outbox_fd, tmp, O_WRONLY | O_CREAT | O_TRUNC |
	    O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd == -1) {
		errbuf_set(err, "%s/%s: %s", s->outbox, tmp, strerror(errno));
		goto out;
	}
	if (fd_write_all(fd, body, len) == -1) {
		errbuf_set(err, "%s/%s: %s", s->outbox, tmp, strerror(errno));
		goto fail;
	}
	if (renameat(s->outbox_fd, tmp, s->outbox_fd, name) == -1) {
		errbuf_set(err, "%s/%s: rename: %s", s->outbox, name,
		    strerror(errno));
		goto fail;
	}
	goto out;
fail:
	close(fd);
	fd = -1;
	(void)unlinkat(s->outbox_fd, tmp, 0);
out:
	free(name);
	free(tmp);
	return fd;
}

/* sender_new - the shared state of a thread or a foreground pass */
static struct sender *
sender_new(const struct config *cfg, struct spool *sp, struct errbuf *err)
{
	pthread_condattr_t	 ca;
	struct sender		*s;

	s = xcalloc(1, sizeof(*s));
	s->cfg = cfg;
	s->sp = sp;
	s->outbox_fd = -1;
	s->rng = (uint64_t)util_now_ms() ^ ((uint64_t)getpid() << 32) ^
	    (uint64_t)(uintptr_t)s;
	if (s->rng == 0)
		s->rng = 1;
	pthread_mutex_init(&s->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&s->cv, &ca);
	pthread_condattr_destroy(&ca);
	if (cfg->soar_api == SOAR_API_NONE) {
		s->outbox = cfg->outbox_dir != NULL ? xstrdup(cfg->outbox_dir) :
		    xasprintf("%s/outbox", cfg->state_dir);
		if (mkdir_p(s->outbox, 0700, err) == -1)
			goto fail;
		s->outbox_fd = open(s->outbox, O_RDONLY | O_DIRECTORY |
		    O_CLOEXEC);
		if (s->outbox_fd == -1) {
			errbuf_set(err, "%s: %s", s->outbox, strerror(errno));
			goto fail;
		}
	} else if ((s->soar = soar_new(cfg, err)) == NULL)
		goto fail;
	return s;
fail:
	free(s->outbox);
	pthread_mutex_destroy(&s->mu);
	pthread_cond_destroy(&s->cv);
	free(s);
	return NULL;
}

static void
sender_free(struct sender *s)
{
	defer_clear(s);
	soar_free(&s->soar);
	if (s->outbox_fd != -1)
		close(s->outbox_fd);
	free(s->outbox);
	pthread_mutex_destroy(&s->mu);
	pthread_cond_destroy(&s->cv);
	free(s);
}

/* describe - one phrase for a failed attempt (never a secret) */
static void
describe(const struct sender *s, const struct soar_reply *rep, char *buf,
    size_t n)
{
	if (rep->status == 0)
		snprintf(buf, n, "no answer (%s)", rep->error);
	else if (rep->status == 401 || rep->status == 403)
		snprintf(buf, n, "HTTP %ld: credentials refused, check %s",
		    rep->status, s->cfg->soar_api == SOAR_API_SDK ?
		    "soar_key_file" : "soar_token_file");
	else if (rep->retry_after >= 0)
		snprintf(buf, n, "HTTP %ld, Retry-After %ld s", rep->status,
		    rep->retry_after);
	else
		snprintf(buf, n, "HTTP %ld", rep->status);
}

/*
 * failed - a retryable failure of id: defer it, and everything if the
 * SOAR looks unwell.  Returns the delay for the log.
 */
static int64_t
failed(struct sender *s, const char *id, const struct soar_reply *rep)
{
	struct defer	*d;
	int64_t		 now, delay, ra, min_ms;

	/* The clock counts whole ms, rounded down: one more so that a wait
	 * counted from now never ends early (Retry-After is a minimum). */
	now = util_mono_ms() + 1;
	s->in_a_row++;
	count(s, &s->st.retried);
	d = defer_add(s, id);
	if (d != NULL) {
		d->fails++;
		delay = backoff_ms(s, d->fails);
	} else
		delay = backoff_ms(s, s->in_a_row);
	min_ms = 0;
	if (rep->retry_after >= 0) {
		ra = rep->retry_after;
		if (ra > RETRY_AFTER_CLAMP_S && ra > s->cfg->retry_max)
			ra = RETRY_AFTER_CLAMP_S > s->cfg->retry_max ?
			    RETRY_AFTER_CLAMP_S : s->cfg->retry_max;
		min_ms = ra * 1000;
	} else if (rep->status == 429)
		min_ms = (s->cfg->retry_max < MIN_429_S ?
		    s->cfg->retry_max : MIN_429_S) * 1000;
	if (s->in_a_row >= 2 || rep->retry_after >= 0 || rep->status == 429) {
		int64_t g = backoff_ms(s, s->in_a_row - 1);

		if (g < min_ms)
			g = min_ms;
		s->gate = now + g;
		if (g > delay)
			delay = g;
	}
	if (delay < min_ms)
		delay = min_ms;
	if (d != NULL)
		d->not_before = now + delay;
	return delay;
}

/* defer_local - a local problem with one alert (cannot open or read
 * it): back off on that alert only, so the log is not flooded */
static int64_t
defer_local(struct sender *s, const char *id)
{
	struct defer	*d;
	int64_t		 delay;

	if ((d = defer_add(s, id)) == NULL)
		return 0;
	d->fails++;
	delay = backoff_ms(s, d->fails);
	d->not_before = util_mono_ms() + delay;
	return delay;
}

/* delivered - reset the backoff after a success */
static void
delivered(struct sender *s, const char *id)
{
	if (s->in_a_row >= 2)
		defer_clear(s);		/* the outage is over */
	else
		defer_del(s, id);
	s->in_a_row = 0;
	s->gate = 0;
	count(s, &s->st.delivered);
}

enum one_result { ONE_DONE, ONE_SKIP, ONE_RETRY };

/* outbox_failed - the outbox copy of id failed: retry it later */
static void
outbox_failed(struct sender *s, const char *id, const char *why)
{
	struct soar_reply	rep;
	int64_t			delay;

	log_err("-: sender: %s: outbox: %s", id, why);
	memset(&rep, 0, sizeof(rep));
	rep.retry_after = -1;
	delay = failed(s, id, &rep);
	log_warn("-: sender: %s: retry in %" PRId64 " s", id,
	    (delay + 999) / 1000);
}

/*
 * batch_flush - ack every delivered alert of the batch at once: first
 * the outbox files and directory are synced (an alert whose copy fails
 * stays pending and is retried), then the sent records, with one sync
 * of sent/ for all (spool_ack_batch).  Fewer syncs on the disk the
 * MTA's reply path also syncs on.
 */
static void
batch_flush(struct sender *s)
{
	char		*ids[BATCH_MAX];
	int		 fds[BATCH_MAX];
	bool		 ok[BATCH_MAX], outbox[BATCH_MAX];
	struct errbuf	 err;
	size_t		 i, n = 0;
	bool		 dir = false, dir_ok = true;

	if (s->nbatch == 0)
		return;
	for (i = 0; i < s->nbatch; i++) {
		struct done *d = &s->batch[i];

		if (d->out_fd == -1)
			continue;
		if (fsync(d->out_fd) == -1) {
			outbox_failed(s, d->id, strerror(errno));
			spool_release(d->claim_fd);
			d->claim_fd = -2;	/* dropped from the batch */
		}
		close(d->out_fd);
		dir = true;
	}
	if (dir && fsync(s->outbox_fd) == -1) {
		snprintf(err.msg, sizeof(err.msg), "%s: fsync: %s", s->outbox,
		    strerror(errno));
		dir_ok = false;
	}
	for (i = 0; i < s->nbatch; i++) {
		struct done *d = &s->batch[i];

		if (d->claim_fd == -2)
			continue;
		if (d->out_fd != -1 && !dir_ok) {
			outbox_failed(s, d->id, err.msg);
			spool_release(d->claim_fd);
			continue;
		}
		ids[n] = d->id;
		fds[n] = d->claim_fd;
		outbox[n] = d->out_fd != -1;
		n++;
	}
	if (n > 0 && spool_ack_batch(s->sp, ids, fds, n, ok, &err) == -1)
		log_err("-: sender: %zu delivered alert(s) not recorded as "
		    "sent (they will be sent again): %s", n, err.msg);
	for (i = 0; i < n; i++) {
		if (!outbox[i])
			continue;
		if (!ok[i]) {
			log_err("-: sender: %s: written to the outbox, but "
			    "not recorded as sent", ids[i]);
			continue;
		}
		delivered(s, ids[i]);
		log_info("-: sender: %s: written to %s", ids[i], s->outbox);
	}
	for (i = 0; i < s->nbatch; i++)
		free(s->batch[i].id);
	s->nbatch = 0;
}

/* batch_add - a delivered alert waits for its ack (claim kept) */
static void
batch_add(struct sender *s, const char *id, int claim_fd, int out_fd)
{
	struct done	*d;

	if (s->nbatch == 0)
		s->batch_since = util_mono_ms();
	d = &s->batch[s->nbatch++];
	d->id = xstrdup(id);
	d->claim_fd = claim_fd;
	d->out_fd = out_fd;
	if (s->nbatch == BATCH_MAX)
		batch_flush(s);
}

/* send_one - claim, check, read, post, then ack or dead-letter */
static enum one_result
send_one(struct sender *s, const char *id)
{
	struct soar_reply	 rep;
	struct errbuf		 err;
	enum soar_result	 res;
	enum one_result		 out = ONE_DONE;
	char			*body = NULL, what[300];
	size_t			 len;
	int64_t			 delay;
	int			 fd, r;

	if ((r = spool_claim(s->sp, id, &fd, &err)) != 1) {
		if (r == -1)
			log_err("-: sender: %s; next try in %" PRId64 " s",
			    err.msg, (defer_local(s, id) + 999) / 1000);
		return ONE_SKIP;	/* another sender has it, or gone */
	}
	if (spool_was_sent(s->sp, id)) {
		log_info("-: sender: %s: already delivered, dropping the "
		    "pending copy", id);
		if (spool_ack(s->sp, id, &err) == -1)
			log_err("-: sender: %s", err.msg);
		count(s, &s->st.skipped);
		spool_release(fd);
		return ONE_SKIP;
	}
	switch (spool_read(s->sp, id, &body, &len, &err)) {
	case SPOOL_READ_OK:
		break;
	case SPOOL_READ_BAD:
		log_err("-: sender: %s (moved to bad/)", err.msg);
		count(s, &s->st.bad);
		spool_release(fd);
		return ONE_SKIP;
	case SPOOL_READ_GONE:
		spool_release(fd);
		return ONE_SKIP;
	default:
		log_err("-: sender: %s; next try in %" PRId64 " s", err.msg,
		    (defer_local(s, id) + 999) / 1000);
		spool_release(fd);
		return ONE_SKIP;
	}

	if (s->soar == NULL) {
		int ofd = outbox_stage(s, id, body, len, &err);

		free(body);
		if (ofd == -1) {
			outbox_failed(s, id, err.msg);
			spool_release(fd);
			return ONE_RETRY;
		}
		batch_add(s, id, fd, ofd);
		return ONE_DONE;
	}

	res = soar_post(s->soar, body, len, &rep);
	free(body);
	switch (res) {
	case SOAR_DELIVERED:
		/* Acked at once, not in a batch: after a crash only the
		 * alert in flight may be posted twice. */
		if (spool_ack_claimed(s->sp, id, fd, &err) == -1)
			log_err("-: sender: %s: delivered, but: %s", id,
			    err.msg);
		fd = -1;		/* released by spool_ack_claimed */
		delivered(s, id);
		log_info("-: sender: %s: delivered (HTTP %ld)", id,
		    rep.status);
		break;
	case SOAR_REFUSED:
		if (spool_dead(s->sp, id, rep.status, rep.body, &err) == -1)
			log_err("-: sender: %s: refused (HTTP %ld), and cannot "
			    "dead-letter it: %s", id, rep.status, err.msg);
		else {
			count(s, &s->st.dead);
			log_err("-: sender: %s: refused (HTTP %ld): moved to "
			    "dead letters (soar-milter dead show %s)", id,
			    rep.status, id);
		}
		/* The SOAR answered: it is up. */
		s->in_a_row = 0;
		defer_del(s, id);
		break;
	case SOAR_RETRY:
		describe(s, &rep, what, sizeof(what));
		delay = failed(s, id, &rep);
		log_warn("-: sender: %s: %s; retry in %" PRId64 " s%s", id,
		    what, (delay + 999) / 1000, s->gate > util_mono_ms() ?
		    " (all alerts wait)" : "");
		out = ONE_RETRY;
		break;
	}
	soar_reply_free(&rep);
	spool_release(fd);
	return out;
}

/*
 * pass - one walk over the pending alerts, oldest first.  stop_first:
 * end at the first retryable failure.  Returns alerts delivered or
 * dead-lettered, -1 if the spool cannot be listed.
 */
static int
pass(struct sender *s, bool stop_first, struct errbuf *err)
{
	struct strlist	 ids = { 0 };
	struct defer	*d;
	size_t		 i;
	int		 done = 0;

	if (spool_list(s->sp, &ids, err) == -1)
		return -1;
	defer_prune(s, &ids);
	for (i = 0; i < ids.n; i++) {
		if (stopping(s) || util_mono_ms() < s->gate)
			break;
		if ((d = defer_find(s, ids.v[i])) != NULL &&
		    util_mono_ms() < d->not_before)
			continue;
		switch (send_one(s, ids.v[i])) {
		case ONE_DONE:
			done++;
			break;
		case ONE_SKIP:
			break;
		case ONE_RETRY:
			if (stop_first)
				i = ids.n;
			break;
		}
		/* Do not keep outbox acks waiting for long. */
		if (s->nbatch > 0 &&
		    util_mono_ms() - s->batch_since >= BATCH_MS)
			batch_flush(s);
	}
	batch_flush(s);
	strlist_free(&ids);
	/*
	 * No spool_settle here: the next pass's spool_list settles first
	 * (puts made meanwhile, the files recycled by this pass), so one
	 * sync of new/ and one of tmp/ per pass instead of two of each.
	 * Recycled files count toward the pool's fill level meanwhile, and
	 * every put kicks a pass; spool_close settles what is left.
	 */
	return done;
}

/* maybe_expire - drop old sent records now and then */
static void
maybe_expire(struct sender *s)
{
	struct errbuf	err;
	int		n;

	if (util_mono_ms() < s->next_expire)
		return;
	s->next_expire = util_mono_ms() + EXPIRE_EVERY_MS;
	if ((n = spool_sent_expire(s->sp, &err)) == -1)
		log_warn("-: sender: sent record expiry: %s", err.msg);
	else if (n > 0)
		log_info("-: sender: %d sent record(s) expired", n);
}

/* next_wake - when a deferred alert or the gate opens (mono ms) */
static int64_t
next_wake(struct sender *s, int64_t limit)
{
	struct defer	*d;
	int64_t		 t = limit, now = util_mono_ms();
	size_t		 i;

	if (s->gate > now)
		return s->gate < limit ? s->gate : limit;
	for (i = 0; i < DEFER_BUCKETS; i++)
		for (d = s->defer[i]; d != NULL; d = d->next)
			if (d->not_before > now && d->not_before < t)
				t = d->not_before;
	return t;
}

/* wait_until - sleep to deadline (mono ms); kicks end it unless gated.
 * True if a kick ended it. */
static bool
wait_until(struct sender *s, int64_t deadline, bool kickable)
{
	struct timespec	ts;
	bool		kicked;

	pthread_mutex_lock(&s->mu);
	while (!s->stopping && !(kickable && s->kicked) &&
	    util_mono_ms() < deadline) {
		ts.tv_sec = deadline / 1000;
		ts.tv_nsec = (long)(deadline % 1000) * 1000000;
		pthread_cond_timedwait(&s->cv, &s->mu, &ts);
	}
	kicked = kickable && s->kicked;
	s->kicked = false;
	pthread_mutex_unlock(&s->mu);
	return kicked;
}

/*
 * linger - after a kick, wait up to LINGER_MS for LINGER_KICKS alerts in
 * all, so that one pass delivers them and one batch acks them: a few
 * syncs per batch instead of per alert, on the disk the MTA's reply
 * path syncs on too.  Delivery waits at most LINGER_MS longer.
 */
static void
linger(struct sender *s)
{
	struct timespec	ts;
	int64_t		deadline = util_mono_ms() + LINGER_MS;

	pthread_mutex_lock(&s->mu);
	while (!s->stopping && s->nkicks < LINGER_KICKS &&
	    util_mono_ms() < deadline) {
		ts.tv_sec = deadline / 1000;
		ts.tv_nsec = (long)(deadline % 1000) * 1000000;
		pthread_cond_timedwait(&s->cv, &s->mu, &ts);
	}
	s->nkicks = 0;
	s->kicked = false;
	pthread_mutex_unlock(&s->mu);
}

/*
 * pool_fill - keep the spool's pool of pre-created files topped up, off
 * the MTA's reply path (the puts of this process take from it).  One
 * log line per run of failures.
 */
static void
pool_fill(struct sender *s)
{
	struct errbuf	err;

	if (spool_pool_fill(s->sp, &err) == -1) {
		if (!s->pool_failing)
			log_warn("-: sender: spool pool: %s (alerts are still "
			    "spooled, each in a new file)", err.msg);
		s->pool_failing = true;
	} else
		s->pool_failing = false;
}

/* sender_main - the thread: pass, then wait for a kick or a second */
static void *
sender_main(void *arg)
{
	struct sender	*s = arg;
	struct errbuf	 err;
	int64_t		 now;

	if (s->soar != NULL)
		log_info("-: sender: delivering to %s", soar_endpoint(s->soar));
	else
		log_info("-: sender: soar_api = none: alerts go to %s",
		    s->outbox);
	while (!stopping(s)) {
		maybe_expire(s);
		pool_fill(s);
		now = util_mono_ms();
		if (s->gate > now) {
			/* SOAR unwell: only a stop ends the wait. */
			wait_until(s, s->gate, false);
			continue;
		}
		if (pass(s, false, &err) == -1)
			log_err("-: sender: %s", err.msg);
		now = util_mono_ms();
		if (wait_until(s, next_wake(s, now + IDLE_POLL_MS), true))
			linger(s);
	}
	return NULL;
}

/* sender_start - set up and start the thread */
struct sender *
sender_start(const struct config *cfg, struct spool *sp, struct errbuf *err)
{
	struct sender	*s;
	int		 e;

	if ((s = sender_new(cfg, sp, err)) == NULL)
		return NULL;
	if ((e = pthread_create(&s->thr, NULL, sender_main, s)) != 0) {
		errbuf_set(err, "pthread_create: %s", strerror(e));
		sender_free(s);
		return NULL;
	}
	s->thread_running = true;
	return s;
}

int
sender_check(const struct config *cfg, struct spool *sp, struct errbuf *err)
{
	struct sender	*s;

	if ((s = sender_new(cfg, sp, err)) == NULL)
		return -1;
	sender_free(s);
	return 0;
}

void
sender_kick(struct sender *s)
{
	if (s == NULL)
		return;
	pthread_mutex_lock(&s->mu);
	/* Wake the thread for the first kick and when enough have come
	 * to end its linger; the others only count. */
	s->nkicks++;
	if (!s->kicked || s->nkicks == LINGER_KICKS)
		pthread_cond_signal(&s->cv);
	s->kicked = true;
	pthread_mutex_unlock(&s->mu);
}

void
sender_get_stats(struct sender *s, struct sender_stats *st)
{
	pthread_mutex_lock(&s->mu);
	*st = s->st;
	pthread_mutex_unlock(&s->mu);
}

/* sender_stop - interrupt any wait, let an in-flight POST end, join */
void
sender_stop(struct sender **sp)
{
	struct sender	*s = *sp;

	if (s == NULL)
		return;
	pthread_mutex_lock(&s->mu);
	s->stopping = true;
	pthread_cond_broadcast(&s->cv);
	pthread_mutex_unlock(&s->mu);
	if (s->thread_running)
		pthread_join(s->thr, NULL);
	log_info("-: sender: stopped (delivered %" PRIu64 ", retried %"
	    PRIu64 ", dead %" PRIu64 ", bad %" PRIu64 ")", s->st.delivered,
	    s->st.retried, s->st.dead, s->st.bad);
	sender_free(s);
	*sp = NULL;
}

/* pending - how many alerts wait in new/ */
static int
pending(struct sender *s, struct errbuf *err)
{
	struct strlist	ids = { 0 };
	int		n;

	if (spool_list(s->sp, &ids, err) == -1)
		return -1;
	n = (int)ids.n;
	strlist_free(&ids);
	return n;
}

/* sender_run_once - foreground: one pass, or passes until the deadline */
int
sender_run_once(const struct config *cfg, struct spool *sp,
    int deadline_seconds, struct errbuf *err)
{
	struct sender	*s;
	int64_t		 end, now;
	int		 left, done;

	if ((s = sender_new(cfg, sp, err)) == NULL)
		return -1;
	s->next_expire = 0;
	maybe_expire(s);
	end = util_mono_ms() + (int64_t)deadline_seconds * 1000;
	for (;;) {
		if ((done = pass(s, deadline_seconds <= 0, err)) == -1) {
			left = -1;
			break;
		}
		if ((left = pending(s, err)) <= 0 || deadline_seconds <= 0)
			break;
		now = util_mono_ms();
		if (now >= end)
			break;
		if (done > 0)
			continue;	/* progress: look again at once */
		/* Deferred alerts, a closed gate, or another sender holds
		 * the rest: sleep until something can move. */
		now = next_wake(s, now + IDLE_POLL_MS);
		wait_until(s, now < end ? now : end, false);
	}
	log_info("-: sender: pass done (delivered %" PRIu64 ", retried %"
	    PRIu64 ", dead %" PRIu64 ", bad %" PRIu64 "), %d pending",
	    s->st.delivered, s->st.retried, s->st.dead, s->st.bad, left);
	sender_free(s);
	return left;
}
