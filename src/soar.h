/*
 * soar - POST one alert to the SOAR API.  The only module that uses
 * libcurl's HTTP side.  One struct soar per sender thread; the curl
 * handle is reused across alerts (connection reuse).
 *
 *   soar_api = sdk:        POST {soar_url}/api/external/v1/sdk/CreateCase?format=snake
 *                          header AppKey: <key from soar_key_file>
 *   soar_api = chronicle:  POST {soar_url}/v1alpha/projects/P/locations/L/
 *                          instances/I/legacySdk:legacyCreateCase?format=snake
 *                          header Authorization: Bearer <soar_token_file>,
 *                          re-read when the file changes
 * Secrets are never logged.
 *
 * Secret files (soar_key_file, soar_token_file): regular files, not
 * readable or writable by group or other (soar_new refuses them); the
 * first line is the secret.  Both are re-read when the file's inode,
 * size or mtime changes, and once more on a 401 (then the request is
 * sent once more if the secret changed).  The TLS client key
 * (tls_key_file) must be a regular file with no group or other access
 * too; soar_new checks it once (curl reads it).
 *
 * Classification (soar_classify): 2xx delivered; 401 and 403 retry
 * (credentials are configuration, not a property of the alert: a token
 * that expired or a key being rotated must not dead-letter alerts);
 * 408, 429, 5xx, other non-4xx statuses and transport errors retry;
 * every other 4xx (400, 404, 413, 422, ...) is refused.
 */
#ifndef SOAR_SOAR_H
#define SOAR_SOAR_H

#include <stddef.h>
#include <time.h>

#include "util.h"

struct config;
struct soar;

enum soar_result {
	SOAR_DELIVERED,		/* 2xx */
	SOAR_RETRY,		/* network error, 5xx, 408, 429, 401, 403 */
	SOAR_REFUSED		/* other 4xx: dead letter */
};

struct soar_reply {
	long	 status;		/* HTTP status, 0 if none */
	long	 retry_after;		/* seconds from Retry-After, -1 if none */
	char	*body;			/* response body (bounded), may be NULL */
	char	 error[256];		/* curl error text, if any */
	long	 connects;		/* new connections it took (reuse: 0) */
};

/* Checks key/token file permissions; refuses world-readable secrets. */
struct soar	*soar_new(const struct config *, struct errbuf *);
void		 soar_free(struct soar **);

enum soar_result soar_post(struct soar *, const char *body, size_t len,
	    struct soar_reply *reply);
void	soar_reply_free(struct soar_reply *);

/* The URL that soar_post uses, with any user:password@ of soar_url
 * hidden (str_redact_url): for logs and tests. */
const char	*soar_endpoint(const struct soar *);

/* Map an HTTP status (0: no answer) to a result. */
enum soar_result soar_classify(long status);
/* Retry-After value (delay-seconds or HTTP-date) -> seconds from now,
 * 0 for a date in the past, -1 if unparseable. */
long	soar_parse_retry_after(const char *value, time_t now);

#endif
