/*
 * imap - "soar-milter backfill": unread mail in IMAP folders -> the
 * same alerts as milter mode, resumable, never twice.  Uses libcurl's
 * IMAP support (own module: the only user of curl's IMAP side).
 *
 * Runs in the calling thread, which reads IMAP and commits the alerts
 * in order, plus backfill_workers threads that extract (started and
 * joined within the call); not for use by several threads at once (it
 * installs SIGINT/SIGTERM handlers for its duration).  State:
 * state_dir/imap/<account-hash>/<folder-hash> checkpoints and a lock
 * file per account; with --output, the same below DIR/.checkpoints.
 * See docs/backfill.md.
 */
#ifndef SOAR_IMAP_H
#define SOAR_IMAP_H

#include <stdbool.h>

struct config;

struct backfill_opts {
	bool		 dry_run;	/* print alerts, spool nothing */
	const char	*output_dir;	/* write alert JSON files here only */
	int		 progress_mode;	/* -1 auto (isatty), 0 off, 1 on */
};

/*
 * Exit codes of imap_backfill() (and of "soar-milter backfill"); the
 * table in docs/backfill.md says what to do about each.  main.c adds
 * 64 (EX_USAGE) for a bad command line and 78 (EX_CONFIG) for a bad
 * configuration file.
 */
#define BACKFILL_EXIT_OK		0	/* every message handled */
#define BACKFILL_EXIT_SOFTWARE		1	/* internal error */
#define BACKFILL_EXIT_CONNECT		10	/* no TCP connection */
#define BACKFILL_EXIT_TLS		11	/* TLS or certificate failure */
#define BACKFILL_EXIT_AUTH		12	/* login refused */
#define BACKFILL_EXIT_FOLDER		13	/* a folder cannot be opened */
#define BACKFILL_EXIT_TIMEOUT		14	/* server did not answer */
#define BACKFILL_EXIT_PROTOCOL		15	/* unexpected server response */
#define BACKFILL_EXIT_STATE		16	/* spool/output/checkpoint write */
#define BACKFILL_EXIT_BUSY		17	/* another run holds the lock */
#define BACKFILL_EXIT_INTERRUPTED	18	/* SIGINT/SIGTERM: resumable */
#define BACKFILL_EXIT_PARTIAL		19	/* done, but some messages failed */
#define BACKFILL_EXIT_CONFIG		78	/* EX_CONFIG: missing/unsafe setting */

/* First line of a checkpoint file (format: docs/backfill.md). */
#define BACKFILL_CKPT_MAGIC	"soar-milter imap checkpoint 1"

/* Run one backfill pass over cfg->imap_folders; returns an exit code. */
int	imap_backfill(const struct config *, const struct backfill_opts *);

#endif
