/*
 * received - the client IP of each Received trace header field (RFC
 * 5321 section 4.4), for the path a message took.  Pure string work,
 * no library, thread-safe.
 */
#ifndef SOAR_RECEIVED_H
#define SOAR_RECEIVED_H

#include <stdbool.h>
#include <stddef.h>

#define RECEIVED_IP_MAX		46	/* INET6_ADDRSTRLEN */

/*
 * received_from_ip - the address the hop received the message from, in
 * the "from" clause of the unfolded value s: "[192.0.2.1]",
 * "[IPv6:2001:db8::1]", "(host [192.0.2.1])", "(192.0.2.1)" or a bare
 * address, as Postfix, Sendmail, Exim, Exchange, Gmail and qmail write
 * them.  Written to ip (canonical text form, from inet_ntop); false when
 * the clause has no valid address.
 */
bool	received_from_ip(const char *s, char ip[RECEIVED_IP_MAX]);

/* received_ip_public - ip is a global unicast address (not private,
 * loopback, link-local, CGNAT, documentation, multicast, ...) */
bool	received_ip_public(const char *ip);

#endif
