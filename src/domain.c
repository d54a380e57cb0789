/*
 * domain - registrable domains from the Public Suffix List (libpsl).
 * See domain.h.
 */
#include "autoconfig.h"

#include <string.h>

#include <libpsl.h>

#include "domain.h"

#define HOST_MAX	255		/* longest DNS name, RFC 1035 */

static const psl_ctx_t	*psl;

/* domain_init - the newer of the system list and the built-in one */
int
domain_init(struct errbuf *err)
{
	if (psl == NULL)
		psl = psl_latest(NULL);
	if (psl == NULL) {
		errbuf_set(err, "cannot load the Public Suffix List (libpsl)");
		return -1;
	}
	return 0;
}

void
domain_shutdown(void)
{
	/* psl_latest() may return the built-in list, never freed */
	if (psl != NULL && psl != psl_builtin())
		psl_free((psl_ctx_t *)psl);
	psl = NULL;
}

/*
 * site - the registrable domain of host (lowercased into buf), or the
 * whole host when it has none or is an IP address; NULL if the host is
 * empty or too long.
 */
static const char *
site(const char *h, size_t n, char buf[HOST_MAX + 1])
{
	const char	*r;
	size_t		 i;
	bool		 ip = true;

	while (n > 0 && h[n - 1] == '.')
		n--;
	if (n == 0 || n > HOST_MAX)
		return NULL;
	for (i = 0; i < n; i++) {
		buf[i] = h[i] >= 'A' && h[i] <= 'Z' ? (char)(h[i] | 0x20) :
		    h[i];
		if (!(h[i] >= '0' && h[i] <= '9') && h[i] != '.')
			ip = false;
	}
	buf[n] = '\0';
	if (ip || buf[0] == '[' || memchr(buf, ':', n) != NULL)
		return buf;		/* IPv4 or IPv6 literal */
	ASSERT(psl != NULL);
	r = psl_registrable_domain(psl, buf);
	return r != NULL ? r : buf;
}

bool
domain_known_tld(const char *h, size_t n)
{
	char	 buf[HOST_MAX + 1];
	size_t	 i, s;

	while (n > 0 && h[n - 1] == '.')
		n--;
	for (s = n; s > 0 && h[s - 1] != '.'; s--)
		;
	if (s == n || n - s > HOST_MAX)
		return false;
	for (i = s; i < n; i++)
		buf[i - s] = h[i] >= 'A' && h[i] <= 'Z' ? (char)(h[i] | 0x20) :
		    h[i];
	buf[n - s] = '\0';
	ASSERT(psl != NULL);
	return psl_is_public_suffix2(psl, buf, PSL_TYPE_ANY |
	    PSL_TYPE_NO_STAR_RULE) != 0;
}

bool
domain_same_site(const char *a, size_t alen, const char *b, size_t blen)
{
	char		 ba[HOST_MAX + 1], bb[HOST_MAX + 1];
	const char	*sa, *sb;

	if ((sa = site(a, alen, ba)) == NULL ||
	    (sb = site(b, blen, bb)) == NULL)
		return false;
	return strcmp(sa, sb) == 0;
}
