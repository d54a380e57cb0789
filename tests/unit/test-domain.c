/*
 * test-domain - same-site comparison of host names (Public Suffix List).
 */
#include "autoconfig.h"

#include <string.h>

#include "domain.h"
#include "util.h"

#include "t.h"

static bool
same(const char *a, const char *b)
{
	return domain_same_site(a, strlen(a), b, strlen(b));
}

int
main(void)
{
	struct errbuf	err;

	T_BEGIN("init");
	T_ASSERT(domain_init(&err) == 0);
	T_END();

	T_BEGIN("same registrable domain");
	T_ASSERT(same("www.paypal.com", "paypal.com"));
	T_ASSERT(same("login.PayPal.com", "www.paypal.com."));
	T_ASSERT(same("a.b.example.co.uk", "example.co.uk"));
	T_ASSERT(same("xn--80ak6aa92e.com", "www.xn--80ak6aa92e.com"));
	T_END();

	T_BEGIN("different sites");
	T_ASSERT(!same("paypal.com", "paypal.com.evil.example"));
	T_ASSERT(!same("paypal.com", "xn--pypal-4ve.com"));
	T_ASSERT(!same("foo.co.uk", "bar.co.uk"));
	/* private suffixes: each user's site is its own */
	T_ASSERT(!same("alice.github.io", "mallory.github.io"));
	T_END();

	T_BEGIN("IP addresses, single labels, empty");
	T_ASSERT(same("192.0.2.1", "192.0.2.1"));
	T_ASSERT(!same("192.0.2.1", "198.51.100.1"));
	T_ASSERT(!same("10.1.1.1", "192.168.1.1"));	/* not "1.1" */
	T_ASSERT(same("[2001:db8::1]", "[2001:DB8::1]"));
	T_ASSERT(same("localhost", "LOCALHOST"));
	T_ASSERT(!same("", ""));
	T_ASSERT(!same("paypal.com", ""));
	T_END();

	T_BEGIN("known top-level domains");
	T_ASSERT(domain_known_tld("paypal.COM", 10));
	T_ASSERT(domain_known_tld("a.co.uk.", 8));
	T_ASSERT(domain_known_tld("x.xn--p1ai", 10));
	T_ASSERT(!domain_known_tld("invoice.pdf", 11));
	T_ASSERT(!domain_known_tld("setup.exe", 9));
	T_ASSERT(!domain_known_tld("nodot", 5));
	T_END();

	domain_shutdown();
	return t_done();
}
