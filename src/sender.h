/*
 * sender - drains the spool: POSTs each pending alert (soar), with
 * exponential backoff and jitter on retryable failures (honouring
 * Retry-After), dead-letters refused alerts, records delivered ids.
 * With soar_api = none, "delivery" is a durable copy into outbox_dir.
 *
 * Runs as a thread inside the milter daemon (sender_start/sender_stop),
 * or in the foreground for one pass (sender_run_once, used by backfill
 * and by "soar-milter flush").
 *
 * Retry policy.  A retryable failure (soar.h: transport error, 401,
 * 403, 408, 429, 5xx) defers that alert alone: its next try is after
 * retry_initial * 2^(failures-1), capped at retry_max, with full jitter
 * above a floor of retry_initial (uniform in [retry_initial, cap]).
 * The other alerts go on, so one alert the server keeps failing on does
 * not hold up the queue.  Two failures in a row (no delivery between),
 * a 429 or a Retry-After mean the SOAR itself is unwell: then every
 * alert waits (the same backoff, on failures in a row minus one),
 * at least Retry-After seconds (clamped to max(retry_max, 1 h)), and at
 * least min(30 s, retry_max) after a 429 without Retry-After.  A
 * delivery after two or more failures in a row clears every per-alert
 * deferral.  Deferrals live in memory: a restart tries everything at
 * once.  Refused alerts (other 4xx) go to dead/ at once.
 *
 * Several senders (the daemon's thread, "flush", backfill) may run at
 * once: each alert is claimed (spool_claim) and checked against the
 * sent record before it is posted.
 *
 * Disk syncs.  The thread tops up the spool's pool of pre-created files
 * (spool_pool_fill) so that the MTA's reply path creates none, and
 * after a kick waits up to 100 ms for 16 alerts in all, so that a pass
 * handles several.  A POSTed alert is acked at once (spool_ack_claimed:
 * after a crash only the alert in flight may be posted twice); outbox
 * copies are acked in batches of up to 64: each file, then the outbox
 * directory once, then sent/ once are synced before any alert of the
 * batch leaves the spool.
 */
#ifndef SOAR_SENDER_H
#define SOAR_SENDER_H

#include <stdbool.h>
#include <stdint.h>

#include "util.h"

struct config;
struct spool;
struct sender;

struct sender_stats {
	uint64_t	delivered;	/* 2xx (or written to the outbox) */
	uint64_t	retried;	/* retryable failures */
	uint64_t	dead;		/* refused: moved to dead/ */
	uint64_t	bad;		/* invalid spool files moved to bad/ */
	uint64_t	skipped;	/* already sent: dropped from new/ */
};

struct sender	*sender_start(const struct config *, struct spool *,
		    struct errbuf *);
void		 sender_get_stats(struct sender *, struct sender_stats *);
/* Wake the sender (a new alert was spooled). Async-signal-unsafe. */
void		 sender_kick(struct sender *);

/* What sender_start() would need (outbox directory, key or token file,
 * TLS files), checked without starting anything: 0 or -1 and err. */
int		 sender_check(const struct config *, struct spool *,
		    struct errbuf *);
/* Stop and join; pending alerts stay in the spool. */
void		 sender_stop(struct sender **);

/* In the calling thread.  deadline_seconds 0: one pass over the spool
 * that ends at the first retryable failure.  deadline_seconds > 0:
 * passes with the backoff above until nothing is pending or the
 * deadline passes.  Also expires old sent records.  Returns the number
 * of alerts still pending, or -1 on error. */
int	sender_run_once(const struct config *, struct spool *,
	    int deadline_seconds, struct errbuf *);

#endif
