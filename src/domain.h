/*
 * domain - which site a host name belongs to: its registrable domain
 * ("eTLD+1", e.g. login.paypal.co.uk -> paypal.co.uk) from the Public
 * Suffix List.  The only module that uses libpsl.  Thread-safe after
 * domain_init() (the list is read once and never changed).
 */
#ifndef SOAR_DOMAIN_H
#define SOAR_DOMAIN_H

#include <stdbool.h>
#include <stddef.h>

#include "util.h"

/* Load the list: the newer of the system's file and libpsl's copy. */
int	domain_init(struct errbuf *);
void	domain_shutdown(void);

/*
 * Whether hosts a[0..alen) and b[0..blen) (any case, no port, ASCII,
 * punycode or UTF-8) are the same site: the same registrable domain,
 * or, where one has none (an IP address, a single label, a public
 * suffix itself), the same host.  A trailing dot does not count.
 */
bool	domain_same_site(const char *a, size_t alen, const char *b,
	    size_t blen);

/* Whether the last label of host h[0..n) is a top-level domain of the
 * list (so "invoice.pdf" or "setup.exe" is not taken for a host). */
bool	domain_known_tld(const char *h, size_t n);

#endif
