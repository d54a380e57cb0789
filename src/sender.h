/*
 * sender - drains the spool: POSTs each pending alert (soar), with
 * exponential backoff and jitter on retryable failures (honouring
 * Retry-After), dead-letters refused alerts, records delivered ids.
 * With soar_api = none, "delivery" is a durable copy into outbox_dir.
 *
 * Runs as a thread inside the milter daemon (sender_start/sender_stop),
 * or in the foreground for one pass (sender_run_once, used by backfill
 * and by "soar-milter flush").
 */
#ifndef SOAR_SENDER_H
#define SOAR_SENDER_H

#include <stdbool.h>

#include "util.h"

struct config;
struct spool;
struct sender;

struct sender	*sender_start(const struct config *, struct spool *,
		    struct errbuf *);
/* Wake the sender (a new alert was spooled). Async-signal-unsafe. */
void		 sender_kick(struct sender *);
/* Stop and join; pending alerts stay in the spool. */
void		 sender_stop(struct sender **);

/* One pass over the spool in the calling thread; stops at the first
 * retryable failure unless wait is true (then retries with backoff
 * until the deadline, in seconds, passes).  Returns the number of
 * alerts still pending, or -1 on error. */
int	sender_run_once(const struct config *, struct spool *,
	    int deadline_seconds, struct errbuf *);

#endif
