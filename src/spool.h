/*
 * spool - the durable queue between the producers (milter, backfill)
 * and the sender, plus the record of sent alert ids.  The spool
 * directory is the only interface between the two sides.
 *
 * Layout below config state_dir:
 *   spool/tmp/   files being written (never read by the sender)
 *   spool/new/   complete alerts, one file per alert id, ready to send
 *   spool/dead/  alerts the SOAR refused (4xx other than 408/429),
 *                with a .why file holding status and response body
 *   spool/bad/   files that failed validation
 *   sent/        one empty file per delivered alert id (mtime = when)
 *
 * spool_put: tmp/<id>.<pid>.<n> O_EXCL 0600 -> write -> fsync -> rename
 * to new/<id> -> fsync(new/).  Only after it returns 0 is the alert
 * durable.  An id already pending in new/ or recorded in sent/ is a
 * duplicate (SPOOL_DUP), not an error.  Each file carries a header with
 * a format version, the id and the body length, and an END trailer;
 * files that do not validate are moved to bad/.
 *
 * Safe for several processes (milter daemon, backfill runs) at once.
 */
#ifndef SOAR_SPOOL_H
#define SOAR_SPOOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util.h"

struct config;
struct spool;

enum spool_put_result {
	SPOOL_OK = 0,
	SPOOL_DUP = 1,		/* already pending or already sent */
	SPOOL_FULL = 2,		/* spool_max_files/bytes reached: dropped */
	SPOOL_ERR = -1
};

/* Create directories as needed. */
struct spool	*spool_open(const struct config *, struct errbuf *);
void		 spool_close(struct spool **);

enum spool_put_result spool_put(struct spool *, const char *id,
	    const char *body, size_t len, struct errbuf *);

/* Pending ids, oldest first (by mtime). */
int	spool_list(struct spool *, struct strlist *ids_r, struct errbuf *);
/* Read and validate new/<id>; invalid files are moved to bad/. */
int	spool_read(struct spool *, const char *id, char **body_r,
	    size_t *len_r, struct errbuf *);
/* Delivered: record in sent/, then unlink new/<id>. */
int	spool_ack(struct spool *, const char *id, struct errbuf *);
/* Refused for good: move to dead/ with the reason. */
int	spool_dead(struct spool *, const char *id, long status,
	    const char *response, struct errbuf *);
/* Dead letters. */
int	spool_dead_list(struct spool *, struct strlist *ids_r, struct errbuf *);
int	spool_dead_retry(struct spool *, const char *id, struct errbuf *);
int	spool_dead_purge(struct spool *, const char *id, struct errbuf *);
char	*spool_dead_reason(struct spool *, const char *id);

/* Sent record. */
bool	spool_was_sent(struct spool *, const char *id);
bool	spool_is_pending(struct spool *, const char *id);
/* Drop sent records older than retention or above the count cap. */
int	spool_sent_expire(struct spool *, struct errbuf *);

/* Counters since open. */
struct spool_stats {
	uint64_t	put, dup, full, err;
	uint64_t	files, bytes;	/* current pending */
};
void	spool_get_stats(struct spool *, struct spool_stats *);

#endif
