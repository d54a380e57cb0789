/*
 * authres - the verdicts of an Authentication-Results header field
 * (RFC 8601): who wrote it (authserv-id) and the result of SPF, DKIM,
 * DMARC and ARC, for playbooks that branch on them without parsing
 * the raw header.  Pure string work, no library, thread-safe.
 */
#ifndef SOAR_AUTHRES_H
#define SOAR_AUTHRES_H

#include <stdbool.h>

#define AUTHRES_ID_MAX		128	/* authserv-id, with its NUL */
#define AUTHRES_RESULT_MAX	16	/* a result keyword, with its NUL */

struct authres {
	char	serv_id[AUTHRES_ID_MAX];	/* as written, "" if none */
	char	spf[AUTHRES_RESULT_MAX];	/* lowercase, "" if absent */
	char	dkim[AUTHRES_RESULT_MAX];	/* "pass" if any signature passed */
	char	dmarc[AUTHRES_RESULT_MAX];
	char	arc[AUTHRES_RESULT_MAX];
};

/*
 * authres_parse - read the unfolded value s of one Authentication-Results
 * field into *ar.  Tolerant of what real servers write (comments
 * anywhere, quoted values, text between the authserv-id and the first
 * ";").  False when s has no authserv-id or no method result at all
 * (then *ar is all empty).
 */
bool	authres_parse(const char *s, struct authres *ar);

#endif
