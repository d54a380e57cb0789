/*
 * received - client IPs of Received trace fields.  See received.h.
 *
 * Written by hand: there is no C library in Debian that reads Received
 * fields (their "from" clause is free-form in practice); the work is a
 * tokeniser and inet_pton(3).  Which address is the client's follows
 * what MTAs write:
 *   Postfix, Sendmail, Gmail   from HELO (RDNS [IP])
 *   Exim                       from RDNS ([IP] helo=HELO), from [IP] (helo=X)
 *   qmail                      from unknown (HELO x) (IP)
 *   Exchange                   from HOST (IP) by ...
 * so: the last bracketed address inside parentheses, else the first
 * bracketed one outside them (a HELO written as an address literal comes
 * before the parenthesised client address), else the last bare address
 * inside parentheses, else the first one outside.
 */
#include "autoconfig.h"

#include "received.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <netinet/in.h>
#include <string.h>
#include <strings.h>

#define TOKEN_MAX	64

/* ip_parse - t (n bytes) is an IPv4 or IPv6 address ("IPv6:" prefix
 * and a trailing '.' allowed): its canonical form into ip */
static bool
ip_parse(const char *t, size_t n, char ip[RECEIVED_IP_MAX])
{
	char			 buf[TOKEN_MAX];
	struct in6_addr		 a6;
	struct in_addr		 a4;

	if (n >= 5 && strncasecmp(t, "ipv6:", 5) == 0) {
		t += 5;
		n -= 5;
	}
	while (n > 0 && t[n - 1] == '.')
		n--;
	if (n == 0 || n >= sizeof(buf))
		return false;
	memcpy(buf, t, n);
	buf[n] = '\0';
	if (strchr(buf, ':') != NULL) {
		if (inet_pton(AF_INET6, buf, &a6) != 1)
			return false;
		return inet_ntop(AF_INET6, &a6, ip, RECEIVED_IP_MAX) != NULL;
	}
	/* inet_pton takes only dotted quads: no "1.2.3", no octal */
	if (inet_pton(AF_INET, buf, &a4) != 1)
		return false;
	return inet_ntop(AF_INET, &a4, ip, RECEIVED_IP_MAX) != NULL;
}

/* is_delim - ends a word of the from clause: white space and
 * ( ) [ ] ; , = (these last start or end something else) */
static inline bool
is_delim(unsigned char c)
{
	static const unsigned char	d[256] = {
		[' '] = 1, ['\t'] = 1, ['\r'] = 1, ['\n'] = 1, ['('] = 1,
		[')'] = 1, ['['] = 1, [']'] = 1, [';'] = 1, [','] = 1, ['='] = 1
	};

	return d[c] != 0;
}

/* keyword - the word at p (n bytes) is kw, case-insensitively */
static bool
keyword(const char *p, size_t n, const char *kw)
{
	return n == strlen(kw) && strncasecmp(p, kw, n) == 0;
}

bool
received_from_ip(const char *s, char ip[RECEIVED_IP_MAX])
{
	/* candidates by rank: 0 bracketed in (), 1 bracketed outside,
	 * 2 bare in (), 3 bare outside */
	char		 cand[4][RECEIVED_IP_MAX], tmp[RECEIVED_IP_MAX];
	bool		 have[4] = { false, false, false, false };
	const char	*p, *w;
	int		 depth = 0, r;
	size_t		 n;

	ip[0] = '\0';
	if (s == NULL)
		return false;
	p = s + strspn(s, " \t\r\n");
	if (strncasecmp(p, "from", 4) != 0 || (p[4] != ' ' && p[4] != '\t' &&
	    p[4] != '\r' && p[4] != '\n'))
		return false;
	for (p += 4; *p != '\0' && *p != ';'; ) {
		if (*p == '(') {
			depth++;
			p++;
		} else if (*p == ')') {
			if (depth > 0)
				depth--;
			p++;
		} else if (*p == '[') {
			w = ++p;
			while (*p != '\0' && *p != ']' && *p != '[' && *p != ';')
				p++;
			r = depth > 0 ? 0 : 1;
			if (*p == ']' && ip_parse(w, (size_t)(p - w), tmp) &&
			    (r == 0 || !have[r])) {
				memcpy(cand[r], tmp, sizeof(tmp));
				have[r] = true;
			}
			if (*p == ']')
				p++;
		} else if (is_delim((unsigned char)*p)) {
			p++;
		} else {
			/* a word: *p is neither NUL nor a delimiter, so the
			 * loop always advances */
			w = p;
			while (*p != '\0' && !is_delim((unsigned char)*p))
				p++;
			n = (size_t)(p - w);
			/* the "from" clause ends where the "by" clause starts */
			if (depth == 0 && (keyword(w, n, "by") ||
			    keyword(w, n, "via") || keyword(w, n, "with") ||
			    keyword(w, n, "id") || keyword(w, n, "for")))
				break;
			r = depth > 0 ? 2 : 3;
			/* an address starts with a (hex) digit, ':' or "IPv6:" */
			if (!isxdigit((unsigned char)*w) && *w != ':' &&
			    *w != 'I' && *w != 'i')
				continue;
			if (ip_parse(w, n, tmp) && (r == 2 || !have[r])) {
				memcpy(cand[r], tmp, sizeof(tmp));
				have[r] = true;
			}
		}
	}
	for (r = 0; r < 4; r++)
		if (have[r]) {
			memcpy(ip, cand[r], RECEIVED_IP_MAX);
			return true;
		}
	return false;
}

/* in4 - a (host order) lies in net/bits */
static bool
in4(uint32_t a, uint32_t net, int bits)
{
	return (a >> (32 - bits)) == (net >> (32 - bits));
}

static bool
v4_public(uint32_t a)
{
	return !(in4(a, 0x00000000, 8) || in4(a, 0x0a000000, 8) ||
	    in4(a, 0x64400000, 10) || in4(a, 0x7f000000, 8) ||
	    in4(a, 0xa9fe0000, 16) || in4(a, 0xac100000, 12) ||
	    in4(a, 0xc0000000, 24) || in4(a, 0xc0000200, 24) ||
	    in4(a, 0xc0a80000, 16) || in4(a, 0xc6120000, 15) ||
	    in4(a, 0xc6336400, 24) || in4(a, 0xcb007100, 24) ||
	    in4(a, 0xe0000000, 4) || in4(a, 0xf0000000, 4));
}

bool
received_ip_public(const char *ip)
{
	struct in_addr		 a4;
	struct in6_addr		 a6;
	const unsigned char	*b = a6.s6_addr;
	static const unsigned char mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0,
		0, 0xff, 0xff };

	if (inet_pton(AF_INET, ip, &a4) == 1)
		return v4_public(ntohl(a4.s_addr));
	if (inet_pton(AF_INET6, ip, &a6) != 1)
		return false;
	if (memcmp(b, mapped, 12) == 0)
		return v4_public((uint32_t)b[12] << 24 | (uint32_t)b[13] << 16 |
		    (uint32_t)b[14] << 8 | b[15]);
	if ((b[0] & 0xe0) != 0x20)	/* global unicast is 2000::/3 */
		return false;
	/* 2001:db8::/32 documentation, 2001::/32 Teredo, 2002::/16 6to4 */
	if (b[0] == 0x20 && b[1] == 0x01 && ((b[2] == 0x0d && b[3] == 0xb8) ||
	    (b[2] == 0 && b[3] == 0)))
		return false;
	return !(b[0] == 0x20 && b[1] == 0x02);
}
