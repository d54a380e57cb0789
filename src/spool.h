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
 * durable (data and directory entry).  An id already pending in new/
 * or recorded in sent/ is a duplicate (SPOOL_DUP), not an error.  Each
 * file carries a header with a format version, the id and the body
 * length, and an END trailer; files that do not validate are moved to
 * bad/.  tmp/ names are unique per process (<n> counts across handles).
 *
 * File format (version 1):
 *   "SOARSPOOL 1\n" "id <id>\n" "length <n>\n" "created <unix ms>\n" "\n"
 *   <n body bytes> "\nEND\n"
 *
 * Alert ids are file names: 1..SPOOL_ID_MAX characters of
 * [A-Za-z0-9._-], not starting with '.' or '-', not ending in ".why".
 * Every function checks the id before it touches the file system.
 *
 * Safe for several processes (milter daemon, backfill runs) at once and
 * for several threads of one process.  The pending counters (files,
 * bytes) are kept in memory, set by a directory scan at open and again
 * at every spool_list (each sender pass); a put adjusts them and scans
 * new/ only when they say the spool is full and the last scan is older
 * than a few seconds, so the MTA's reply path does not scan the spool.
 * Approximate across processes, never unbounded.
 */
#ifndef SOAR_SPOOL_H
#define SOAR_SPOOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "util.h"

struct config;
struct spool;

#define SPOOL_ID_MAX	127		/* characters, without the NUL */
#define SPOOL_MAX_BODY	(64 * 1024 * 1024)	/* hard cap per alert */

/* True if id is a safe spool file name (see above). */
bool	spool_id_ok(const char *id);

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
/* Read and validate new/<id>; invalid files are moved to bad/.
 * Returns one of enum spool_read_result; body_r is NUL-terminated. */
enum spool_read_result {
	SPOOL_READ_OK = 0,
	SPOOL_READ_ERR = -1,	/* I/O error: try again later */
	SPOOL_READ_BAD = -2,	/* did not validate: moved to bad/ */
	SPOOL_READ_GONE = -3	/* not pending any more (another sender) */
};
int	spool_read(struct spool *, const char *id, char **body_r,
	    size_t *len_r, struct errbuf *);
/*
 * Claim new/<id> for sending, across processes (flock, non-blocking):
 * 1 claimed (*fd_r holds the lock until spool_release), 0 busy (another
 * sender has it) or gone, -1 error.  A sender claims, then checks
 * spool_was_sent, then reads, posts and acks.
 */
int	spool_claim(struct spool *, const char *id, int *fd_r,
	    struct errbuf *);
void	spool_release(int fd);
/* Delivered: record in sent/, then unlink new/<id>. */
int	spool_ack(struct spool *, const char *id, struct errbuf *);
/* Refused for good: move to dead/ with the reason. */
int	spool_dead(struct spool *, const char *id, long status,
	    const char *response, struct errbuf *);
/*
 * Dead letters: dead/<id> (the spool file, unchanged) and dead/<id>.why
 * ("status: N", "time: ISO-8601", "response:" then the bounded body).
 * spool_dead_list: oldest first.  retry moves dead/<id> back to new/
 * (a pending twin wins and the dead copy is dropped); purge deletes it.
 * retry and purge take id NULL for "all" and return how many letters
 * they handled (0 or more), or -1 (err says why; an unknown id is an
 * error).  spool_dead_reason: the .why text (new string) or NULL.
 */
int	spool_dead_list(struct spool *, struct strlist *ids_r, struct errbuf *);
int	spool_dead_retry(struct spool *, const char *id, struct errbuf *);
int	spool_dead_purge(struct spool *, const char *id, struct errbuf *);
char	*spool_dead_reason(struct spool *, const char *id);
/* For "dead list": one line per letter, "id<TAB>time<TAB>status<TAB>
 * first line of the response"; returns the count or -1. */
int	spool_dead_print(struct spool *, FILE *, struct errbuf *);
/* For "dead show ID": the .why text, a blank line, the alert body. */
int	spool_dead_show(struct spool *, const char *id, FILE *,
	    struct errbuf *);

/* Sent record. */
bool	spool_was_sent(struct spool *, const char *id);
bool	spool_is_pending(struct spool *, const char *id);
/* Drop sent records older than retention or above the count cap. */
int	spool_sent_expire(struct spool *, struct errbuf *);

/* Counters since open. */
struct spool_stats {
	uint64_t	put, dup, full, err;
	uint64_t	acked, dead, bad;
	uint64_t	files, bytes;	/* current pending */
};
void	spool_get_stats(struct spool *, struct spool_stats *);

#endif
