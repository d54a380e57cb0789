/*
 * test-links - HTML links whose text shows another site than they lead
 * to (urlscan_html: url_set shown / target).
 */
#include "autoconfig.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "urlscan.h"
#include "util.h"

#include "t.h"

static struct url_set	 set;

/* scan - urlscan_html of html into a fresh set; number of mismatches */
static size_t
scan(const char *html)
{
	url_set_free(&set);
	url_set_init(&set, 500, 2048);
	urlscan_html(&set, html, strlen(html));
	return set.shown.n;
}

int
main(void)
{
	struct config	 cfg;
	struct errbuf	 err;
	struct strbuf	 big = { NULL, 0, 0 };
	int		 i;

	config_defaults(&cfg);
	T_BEGIN("init");
	T_ASSERT(urlscan_init(&cfg, &err) == 0);
	url_set_init(&set, 500, 2048);
	T_END();

	T_BEGIN("text shows one site, href leads to another");
	T_ASSERT(scan("<a href=\"http://evil.example/login\">"
	    "https://www.paypal.com/signin</a>") == 1);
	T_STREQ(set.shown.v[0], "https://www.paypal.com/signin");
	T_STREQ(set.target.v[0], "http://evil.example/login");
	/* a bare host name as the whole text, entities decoded */
	T_ASSERT(scan("<a href='http://phish.example/'> Bank.Example.co.uk"
	    "&nbsp;</a>") == 1);
	T_STREQ(set.shown.v[0], "Bank.Example.co.uk");
	/* text split by inline markup */
	T_ASSERT(scan("<a href=http://t.example/r><b>Visit</b> "
	    "<span>https://</span>bank.example/login</a>") == 1);
	T_STREQ(set.shown.v[0], "https://bank.example/login");
	/* an unclosed link ends at the next one and at the end */
	T_ASSERT(scan("<a href=http://a.example/>www.b.example<a "
	    "href=http://c.example/>www.d.example") == 2);
	T_STREQ(set.shown.v[1], "www.d.example");
	T_STREQ(set.target.v[1], "http://c.example/");
	T_END();

	T_BEGIN("the shown URL ends where a URL in text ends");
	/* the URL as the text scanner reads it: no trailing ')', quote in
	 * a host, decoration, fullwidth bar; glued https; emoji host;
	 * an http:host target */
	T_ASSERT(scan("<a href=\"https://e1.example/\">(https://www.bank."
	    "example/)</a><a href=\"https://e2.example/\">www.paypal.com's"
	    "</a><a href=\"https://e3.example/\">...www.bank3.example...</a>"
	    "<a href=\"https://e4.example/\">\xef\xbd\x9chttps://bank4."
	    "example\xef\xbd\x9c</a><a href=\"https://e5.example/\">Click "
	    "herehttps://www.bank5.example/</a><a href=\"https://e6.example/"
	    "\">http://\xe2\x9c\xaa" "df.ws/</a><a href=\"http:e7.example/"
	    "x\">https://www.paypal.com/</a>") == 7);
	T_STREQ(set.shown.v[0], "https://www.bank.example/");
	T_STREQ(set.shown.v[1], "www.paypal.com");
	T_STREQ(set.shown.v[2], "www.bank3.example");
	T_STREQ(set.shown.v[3], "https://bank4.example");
	T_STREQ(set.shown.v[4], "https://www.bank5.example/");
	T_STREQ(set.shown.v[5], "http://\xe2\x9c\xaa" "df.ws/");
	T_STREQ(set.shown.v[6], "https://www.paypal.com/");
	T_STREQ(set.target.v[6], "http://e7.example/x");
	/* the same site shown with trailing punctuation: no mismatch */
	T_ASSERT(scan("<a href=\"https://www.bank.example/\">"
	    "https://www.bank.example/.</a>") == 0);
	T_END();

	T_BEGIN("the target's host as a browser reads it");
	/* '_' and '%' do not end a host: these go to evil.example */
	T_ASSERT(scan("<a href=\"https://www.paypal.com_x.evil.example/\">"
	    "https://www.paypal.com/</a>") == 1);
	T_STREQ(set.target.v[0], "https://www.paypal.com_x.evil.example/");
	T_ASSERT(scan("<a href=\"https://www.paypal.com%2eevil.example/\">"
	    "https://www.paypal.com/</a>") == 1);
	/* an IPv6 literal target is a host too */
	T_ASSERT(scan("<a href=\"http://[::ffff:c000:280]/\">"
	    "https://www.paypal.com/</a>") == 1);
	T_END();

	T_BEGIN("a wrapped link repeated: each compared with what it wraps");
	T_ASSERT(scan("<a href=\"https://nam01.safelinks.protection.outlook."
	    "com/?url=https%3A%2F%2Fwww.contoso.com%2F&amp;data=x\">"
	    "https://www.contoso.com/</a><p><a href=\"https://nam01.safelinks."
	    "protection.outlook.com/?url=https%3A%2F%2Fwww.contoso.com%2F&amp;"
	    "data=x\">https://www.contoso.com/</a>") == 0);
	T_END();

	T_BEGIN("a hidden element ends: void, unclosed, or written <x/>");
	/* <wbr> is void: it cannot hide what follows */
	T_ASSERT(scan("<p>a<wbr style=\"display:none\">b</p><a "
	    "href=\"https://evil.example/\">https://www.paypal.com/</a>") ==
	    1);
	/* a hidden <span> closed by </p> hides nothing after it */
	T_ASSERT(scan("<p><span style=\"display:none\">x</p><a "
	    "href=\"https://evil.example/\">https://www.paypal.com/</a>") ==
	    1);
	/* "/>" does not close a <span>: its text stays hidden */
	(void)scan("<p>http://pay<span style=\"display:none\"/>zz</span>"
	    "pal.example/x</p>");
	T_ASSERT(set.list.n >= 1);
	T_STREQ(set.list.v[0], "http://paypal.example/x");
	T_END();

	T_BEGIN("same site: no mismatch");
	T_ASSERT(scan("<a href=\"https://login.paypal.com/x\">paypal.com</a>"
	    "<a href=\"https://www.paypal.com/\">www.paypal.com</a>"
	    "<a href=\"http://192.0.2.1/x\">http://192.0.2.1/</a>"
	    "<a href=\"https://shop.example.co.uk/\">EXAMPLE.CO.UK</a>") ==
	    0);
	/* a Safe Links wrapper leads to the URL it wraps */
	T_ASSERT(scan("<a href=\"https://nam01.safelinks.protection.outlook."
	    "com/?url=https%3A%2F%2Fwww.contoso.com%2F&amp;data=x\">"
	    "https://www.contoso.com/</a>") == 0);
	T_END();

	T_BEGIN("text that shows no site");
	T_ASSERT(scan("<a href=http://x.example/>Click here</a>"
	    "<a href=http://x.example/>Visit example.com today</a>"
	    "<a href=http://x.example/>v1.2</a>"
	    "<a href=http://x.example/>file.exe</a>"
	    "<a href=\"mailto:a@b.example\">support@paypal.com</a>"
	    "<a>www.nohref.example</a>") == 0);
	T_END();

	T_BEGIN("bounded: pairs per message, shown text length");
	for (i = 0; i < 60; i++)
		sb_printf(&big, "<a href=http://t%d.example/>www.s%d.example"
		    "</a>", i, i);
	T_ASSERT(scan(big.s) == URLSCAN_MISMATCH_MAX);
	sb_reset(&big);
	sb_puts(&big, "<a href=http://t.example/>https://s.example/");
	for (i = 0; i < 1000; i++)
		sb_puts(&big, "\xc3\xa9");
	sb_puts(&big, "</a>");
	T_ASSERT(scan(big.s) == 1);
	T_ASSERT(strlen(set.shown.v[0]) <= 512);
	T_ASSERT(strlen(set.shown.v[0]) % 2 == 0);	/* "https://s.example/"
							   is 18, then whole é */
	/* link text with references is cut at 1 KiB too: the first
	 * candidate past it is not seen */
	sb_reset(&big);
	sb_puts(&big, "<a href=http://t.example/>&amp; ");
	for (i = 0; i < 2000; i++)
		sb_puts(&big, "http:///");
	sb_puts(&big, " https://s.example/</a>");
	T_ASSERT(scan(big.s) == 0);
	sb_free(&big);
	T_END();

	url_set_free(&set);
	urlscan_shutdown();
	config_free(&cfg);
	return t_done();
}
