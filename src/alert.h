/*
 * alert - struct extract (+ what the MTA told us) -> one SOAR alert
 * package, in the snake_case CaseInfo shape of SOAR-API.md 1.2-1.3, as
 * JSON bytes.  Pure: no I/O.  The only module that uses json-c.
 *
 * The stable alert id (display_id = ticket_id) is defined here:
 *   id = id_prefix + first 32 hex digits of
 *        SHA-256("mid:" + normalised Message-ID)        when present,
 *        SHA-256("content:" + extract.content_sha256)   otherwise.
 * See docs/ALERT-ID.md.  The same message gives the same id in scan,
 * milter and backfill modes.
 *
 * Thread-safe.
 */
#ifndef SOAR_ALERT_H
#define SOAR_ALERT_H

#include <stdbool.h>
#include <stdint.h>

#include "extract.h"
#include "util.h"

struct config;

/* Context that the mode knows and the message does not: all optional. */
struct envelope {
	const char	*mode;		/* "milter", "imap" or "scan" */
	const char	*client_ip;
	const char	*client_host;
	const char	*helo;
	const char	*mail_from;	/* envelope sender, without <> */
	struct strlist	 rcpts;		/* envelope recipients, without <> */
	const char	*queue_id;
	const char	*auth_user;	/* SMTP AUTH (SASL) login */
	const char	*auth_method;
	const char	*tls_version;
	const char	*tls_cipher;
	const char	*daemon;	/* MTA daemon name ({daemon_name}) */
	const char	*mailbox;	/* IMAP folder (backfill) */
	const char	*imap_uid;
	const char	*source;	/* file name (scan) */
	bool		 truncated;	/* the collector dropped bytes */
	const char	*raw;		/* the whole message as received, */
	size_t		 raw_len;	/*   for attach_eml (NULL: none) */
	int64_t		 received_ms;	/* when the MTA/mailbox got it, or 0 */
};

#define ALERT_ID_MAX	128

/* Normalise a Message-ID for the id: angle-bracket content, trimmed,
 * domain part lowercased.  New string, or NULL if nothing usable. */
char	*alert_normalise_message_id(const char *raw);

/* Write the stable id of x into id_r (ALERT_ID_MAX bytes). */
void	alert_id(const struct config *, const struct extract *x,
	    char id_r[ALERT_ID_MAX]);

/*
 * Build the alert JSON.  now_ms is the processing time (used when the
 * Date header is missing or unparseable; the event then says so).
 * pretty: indented output.  Returns a new NUL-terminated string.
 */
char	*alert_json(const struct config *, const struct extract *x,
	    const struct envelope *env, int64_t now_ms, bool pretty);

#endif
