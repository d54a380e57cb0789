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
 * The daemon's start-up checks that need no privilege and no bind: the
 * socket spec (syntax, port range, absolute unix path), and that user,
 * group and socket_owner (unix sockets) name existing users and groups.
 * 0, or -1 and err as "key: what is wrong" (for check-config, which
 * puts the file in front).
 */
int	milter_check(const struct config *, struct errbuf *);

/*
 * Runs until SIGTERM/SIGINT/SIGHUP; returns the process exit code.
 * SIGUSR1 reloads the configuration through reload (if not NULL): see
 * docs/MILTER.md for what a reload applies.
 */
int	milter_run(const struct config *, bool foreground,
	    milter_reload_fn reload, void *reload_arg);

#endif
