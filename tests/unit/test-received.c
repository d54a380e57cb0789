/* test-received - client IPs of Received fields, public address test */
#include "autoconfig.h"

#include <string.h>

#include "received.h"
#include "t.h"

static const char *
ip_of(const char *s)
{
	static char	ip[RECEIVED_IP_MAX];

	if (!received_from_ip(s, ip))
		return "(none)";
	return ip;
}

int
main(void)
{
	T_BEGIN("what real MTAs write");
	/* Postfix; HELO given as an address literal comes first */
	T_STREQ(ip_of("from mail.sender.example (mail.sender.example "
	    "[198.51.100.7]) by mx.rcpt.example (Postfix) with ESMTPS id "
	    "4VxYz1234 for <a@rcpt.example>; Fri, 31 May 2024 16:08:37 +0000"),
	    "198.51.100.7");
	T_STREQ(ip_of("from [203.0.113.9] (unknown [198.51.100.7]) by mx"),
	    "198.51.100.7");
	/* Sendmail, "may be forged" */
	T_STREQ(ip_of("from helo.example (host.example [192.0.2.44] (may be "
	    "forged)) by mx.example (8.17.1.9/8.17.1.9) with ESMTP id 6AS3"),
	    "192.0.2.44");
	/* Gmail, rDNS with a trailing dot */
	T_STREQ(ip_of("from mail-sor-f41.google.com (mail-sor-f41.google.com. "
	    "[209.85.220.41]) by mx.google.com with SMTPS id x7sor; Tue"),
	    "209.85.220.41");
	/* Exim, both forms */
	T_STREQ(ip_of("from host.example ([192.0.2.5] helo=h.example) by "
	    "mx.example with esmtp (Exim 4.96)"), "192.0.2.5");
	T_STREQ(ip_of("from [192.0.2.6] (helo=h.example)\r\n\tby mx.example "
	    "with esmtpa (Exim 4.96)"), "192.0.2.6");
	/* qmail */
	T_STREQ(ip_of("from unknown (HELO x.example) (192.0.2.7)\n  by "
	    "mx.example with SMTP; 1 Jun 2024"), "192.0.2.7");
	/* Exchange Online, bare IPv6 in parentheses */
	T_STREQ(ip_of("from AM6PR04MB5"
	    "(2603:10a6:20b:b6::22) by AM0PR04MB6 (2603:10a6:208:16f::11) "
	    "with Microsoft SMTP Server"), "2603:10a6:20b:b6::22");
	/* IPv6 literal, canonicalised */
	T_STREQ(ip_of("from h (h [IPv6:2001:DB8:0:0::1]) by mx"),
	    "2001:db8::1");
	T_END();

	T_BEGIN("no client address");
	T_STREQ(ip_of("by 2002:a05:6a10:abcd with SMTP id x; Tue, 1 Jun"),
	    "(none)");
	T_STREQ(ip_of("from localhost by mx.example (Postfix) with ESMTP"),
	    "(none)");
	T_STREQ(ip_of("from h (h [999.1.2.3]) by mx"), "(none)");
	T_STREQ(ip_of("from h (h [1.2.3]) by mx"), "(none)");
	T_STREQ(ip_of("fromage (h [192.0.2.1]) by mx"), "(none)");
	T_STREQ(ip_of(""), "(none)");
	T_STREQ(ip_of(NULL), "(none)");
	/* an address after "by" is the receiver's, not the client's */
	T_STREQ(ip_of("from h.example by mx.example ([192.0.2.9])"),
	    "(none)");
	T_END();

	T_BEGIN("hostile: unclosed brackets, long tokens, deep parentheses");
	T_STREQ(ip_of("from [192.0.2.1"), "(none)");
	T_STREQ(ip_of("from ((((((((((((((((((((([192.0.2.1"), "(none)");
	T_STREQ(ip_of("from a)))))) ([192.0.2.3])"), "192.0.2.3");
	T_STREQ(ip_of("from ]] x] ([192.0.2.4]) ]"), "192.0.2.4");
	T_STREQ(ip_of("from ]"), "(none)");
	T_STREQ(ip_of("from [1111111111111111111111111111111111111111111111111"
	    "1111111111111111111111111111111] (h [192.0.2.2])"), "192.0.2.2");
	T_END();

	T_BEGIN("public addresses");
	T_ASSERT(received_ip_public("209.85.220.41"));
	T_ASSERT(received_ip_public("2603:10a6:20b:b6::22"));
	T_ASSERT(received_ip_public("::ffff:209.85.220.41"));
	T_ASSERT(!received_ip_public("10.1.2.3"));
	T_ASSERT(!received_ip_public("172.16.0.1"));
	T_ASSERT(!received_ip_public("172.31.255.255"));
	T_ASSERT(received_ip_public("172.32.0.1"));
	T_ASSERT(!received_ip_public("192.168.1.1"));
	T_ASSERT(!received_ip_public("127.0.0.1"));
	T_ASSERT(!received_ip_public("100.64.0.1"));
	T_ASSERT(!received_ip_public("169.254.1.1"));
	T_ASSERT(!received_ip_public("192.0.2.1"));
	T_ASSERT(!received_ip_public("198.51.100.1"));
	T_ASSERT(!received_ip_public("203.0.113.1"));
	T_ASSERT(!received_ip_public("198.18.0.1"));
	T_ASSERT(!received_ip_public("224.0.0.1"));
	T_ASSERT(!received_ip_public("255.255.255.255"));
	T_ASSERT(!received_ip_public("0.1.2.3"));
	T_ASSERT(!received_ip_public("::1"));
	T_ASSERT(!received_ip_public("fe80::1"));
	T_ASSERT(!received_ip_public("fd00::1"));
	T_ASSERT(!received_ip_public("2001:db8::1"));
	T_ASSERT(!received_ip_public("::ffff:10.0.0.1"));
	T_ASSERT(!received_ip_public("ff02::1"));
	T_ASSERT(!received_ip_public("not an ip"));
	T_END();

	return t_done();
}
