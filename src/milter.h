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

/* Runs until SIGTERM/SIGINT; returns the process exit code. */
int	milter_run(const struct config *, bool foreground);

#endif
