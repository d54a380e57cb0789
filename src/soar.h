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
 */
#ifndef SOAR_SOAR_H
#define SOAR_SOAR_H

#include <stddef.h>

#include "util.h"

struct config;
struct soar;

enum soar_result {
	SOAR_DELIVERED,		/* 2xx */
	SOAR_RETRY,		/* network error, 5xx, 408, 429, 401 once */
	SOAR_REFUSED		/* other 4xx: dead letter */
};

struct soar_reply {
	long	 status;		/* HTTP status, 0 if none */
	long	 retry_after;		/* seconds from Retry-After, -1 if none */
	char	*body;			/* response body (bounded), may be NULL */
	char	 error[256];		/* curl error text, if any */
};

/* Checks key/token file permissions; refuses world-readable secrets. */
struct soar	*soar_new(const struct config *, struct errbuf *);
void		 soar_free(struct soar **);

enum soar_result soar_post(struct soar *, const char *body, size_t len,
	    struct soar_reply *reply);
void	soar_reply_free(struct soar_reply *);

/* The URL that soar_post uses (for logs and tests). */
const char	*soar_endpoint(const struct soar *);

#endif
