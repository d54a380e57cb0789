/*
 * spool - the durable queue between the producers (milter, backfill)
 * and the sender, plus the record of sent alert ids.  The spool
 * directory is the only interface between the two sides.
 *
 * Layout below config state_dir:
 *   spool/tmp/   files being written (never read by the sender), and
 *                the pool: ,pool.<pid>.<n> (empty, locked by its owner)
 *   spool/new/   complete alerts, one file per alert id, ready to send
 *   spool/dead/  alerts the SOAR refused (4xx other than 408/429),
 *                with a .why file holding status and response body
 *   spool/bad/   files that failed validation
 *   sent/        one name per delivered alert id, a hard link to an
 *                empty marker .sent.<pid>.<n> (mtime = end of the time
 *                window of its records); older records are files of
 *                their own (mtime = when) and count the same
 *
 * spool_put: with a file from the handle's pool of empty files whose
 * tmp/ names are already durable (tmp/,pool.<pid>.<n>, see
 * spool_pool_fill): write -> link as new/<id> -> fsync the file (one
 * device flush); the tmp/ name goes at spool_settle.  Without one: a
 * new tmp/<id>.<pid>.<n> O_EXCL 0600 -> write -> fsync -> rename to
 * new/<id> -> fsync(new/).  Either way, once it returned SPOOL_OK the
 * alert survives a crash and is delivered after restart (spool_open
 * recovers a complete tmp/ file whose new/ name was lost; spool.c
 * says why every crash state is covered).  An id already pending in
 * new/ or recorded in sent/ is a duplicate (SPOOL_DUP), not an error.
 * Each file carries a header with a format version, the id and the
 * body length, and an END trailer; files in new/ that do not validate
 * are moved to bad/.  tmp/ names are unique per process (<n> counts
 * across handles).
 *
 * sent/<id> is a hard link to a marker, sent/.sent.<pid>.<n>: an empty
 * file whose mtime is the end of the window in which records link to
 * it (sent_retention / 16, between 1 min and 1 h), so a record is kept
 * from retention to retention + window after its delivery.  spool_ack:
 * link, fsync(sent/), then drop new/<id>; spool_ack_claimed recycles
 * the delivered file into the pool instead of deleting it.  In steady
 * state no inode is created or freed per alert: on ext4 without a
 * journal every file creation scans past the inodes freed in the last
 * minutes (docs/PERFORMANCE.md), so a file created and deleted per
 * alert made every later creation slower, Postfix's included.
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

/*
 * The pool of pre-created files used by spool_put, so that the MTA's
 * reply path neither creates an inode nor syncs tmp/.  Each pool file
 * is empty, fsync'd (its tmp/ entry is on disk) and held open with an
 * flock by this handle: a stale-tmp cleanup in another process leaves
 * it alone, and one left by a crash (no lock) is removed at the next
 * spool_open.  The pool is used only once this handle has put an alert
 * (a "flush" or "sender" process keeps none); spool_pool_fill tops it
 * up to SPOOL_POOL_MAX when it is at half or below.  Call it off the
 * reply path (the daemon's sender thread does).  Returns the number of
 * files created, or -1 (err says why; puts then create files
 * themselves, as without a pool).  spool_close removes the pool.
 */
#define SPOOL_POOL_MAX	64
int	spool_pool_fill(struct spool *, struct errbuf *);

/*
 * A put that took a pool file leaves it with two names, tmp/<pool name>
 * (durable) and new/<id> (not yet): spool_settle syncs new/ once for
 * all such puts of this handle and then drops their tmp/ names, and
 * syncs tmp/ once for the files recycled since (spool_ack_claimed),
 * which only then join the pool.  spool_list calls it first (so the
 * daemon's sender settles once per pass, at its start), and
 * spool_close does.
 * Returns how many puts it settled, or -1 (err says why; they are
 * kept for the next call, and a crash meanwhile loses nothing: see
 * spool_put).
 */
int	spool_settle(struct spool *, struct errbuf *);

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
 * Claim new/<id> for sending, across processes (flock, non-blocking; a
 * file that new/<id> no longer names once the lock is held counts as
 * gone):
 * 1 claimed (*fd_r holds the lock until spool_release), 0 busy (another
 * sender has it) or gone, -1 error.  A sender claims, then checks
 * spool_was_sent, then reads, posts and acks.
 */
int	spool_claim(struct spool *, const char *id, int *fd_r,
	    struct errbuf *);
void	spool_release(int fd);
/* Delivered: record in sent/ (durable), then unlink new/<id>. */
int	spool_ack(struct spool *, const char *id, struct errbuf *);
/* The same for an alert claimed with spool_claim, and releases the
 * claim (fd is consumed, success or not): the file goes into this
 * handle's pool when it uses one (see spool_pool_fill). */
int	spool_ack_claimed(struct spool *, const char *id, int fd,
	    struct errbuf *);
/* spool_ack_claimed for n alerts with one sync of sent/ for all: every
 * fds[i] is consumed; ok[i] says whether ids[i] is recorded as sent.
 * Returns how many are, or -1 when the sync failed (none is; err says
 * why; each failure of a single alert is logged). */
int	spool_ack_batch(struct spool *, char *const *ids, const int *fds,
	    size_t n, bool *ok, struct errbuf *);
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
	uint64_t	pool_used;	/* puts that took a pool file */
	uint64_t	pool_recycled;	/* delivered files put in the pool */
	uint64_t	pool;		/* pool files ready now */
};
void	spool_get_stats(struct spool *, struct spool_stats *);

#endif
