/*
 * milter - the libmilter daemon (default mode).  The only module that
 * uses libmilter.  Callbacks collect envelope, headers and body within
 * bounds, and at end of message extract, build the alert and spool it
 * durably before returning.  No network I/O in any callback; every
 * internal error fails open unless on_error = tempfail.
 */
#ifndef SOAR_MILTER_H
#define SOAR_MILTER_H

#include <stdbool.h>

struct config;

struct errbuf;

/*
 * Reload: load the configuration again (the same file and -o overrides
 * as at start) into a zeroed struct config: 0, or -1 and err.
 */
typedef int	(*milter_reload_fn)(struct config *, struct errbuf *, void *);

/*
 * Runs until SIGTERM/SIGINT/SIGHUP; returns the process exit code.
 * SIGUSR1 reloads the configuration through reload (if not NULL): see
 * docs/MILTER.md for what a reload applies.
 */
int	milter_run(const struct config *, bool foreground,
	    milter_reload_fn reload, void *reload_arg);

#endif
