/*
 * imap - "soar-milter backfill": unread mail in IMAP folders -> the
 * same alerts as milter mode, resumable, never twice.  Uses libcurl's
 * IMAP support (own module: the only user of curl's IMAP side).
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

/* Exit codes: see docs/backfill.md; 0 ok. */
int	imap_backfill(const struct config *, const struct backfill_opts *);

#endif
