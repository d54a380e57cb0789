/*
 * null-soar - the do-nothing SOAR of bench/postfix.  A single-process,
 * poll()-based HTTP/1.1 server on 127.0.0.1 that implements just the
 * route soar-milter's sender uses with soar_api = sdk:
 *
 *   POST /api/external/v1/sdk/CreateCase?format=snake
 *   AppKey: <key>            401 if missing or wrong
 *   Content-Length: <n>      body: first non-space byte '{' and last
 *                            non-space byte '}', else 400
 *   -> 200, body {}          keep-alive
 *
 * It is a load-generator peer, not a test fixture: it looks at as little
 * as it can (no JSON parse, no record of what it got) so that its CPU
 * per request stays small next to soar-milter's.  Tests use
 * tests/lib/soar_receiver.py.  It counts the POSTs it answered 200 and
 * writes that number (one line) to the count file at start, every
 * 200 ms when it changed, and at exit (SIGTERM, SIGINT, --max-seconds).
 * A summary of all statuses goes to stderr at exit.
 *
 *   cc -O2 -Wall -Wextra -o null-soar bench/null-soar.c
 *   null-soar --port-file FILE --key-file FILE --count-file FILE
 *             [--max-seconds S] [--max-conns N] [--max-body BYTES]
 *
 * The port (chosen by the kernel) is written to the port file, by a
 * rename so a reader never sees half of it, once the server accepts.
 * The key file's first line is the AppKey.  Memory is bounded: at most
 * --max-conns connections with one fixed buffer each; bodies are
 * streamed, never stored.
 */
#define _GNU_SOURCE
#include <sys/socket.h>
#include <sys/types.h>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#define ROUTE		"/api/external/v1/sdk/CreateCase?format=snake"
#define BUF_SIZE	65536	/* per connection: headers + read chunk */
#define HDR_MAX		16384	/* request line + headers */
#define OUT_SIZE	512	/* one response */
#define KEY_MAX		4096
#define IDLE_MS		120000	/* idle keep-alive connections are closed */
#define COUNT_MS	200	/* count file refresh */

enum state { ST_HEAD, ST_BODY, ST_CLOSING };

struct conn {
	int		 fd;
	enum state	 st;
	char		 buf[BUF_SIZE];
	size_t		 len;		/* bytes in buf */
	char		 out[OUT_SIZE];
	size_t		 olen, ooff;	/* pending response */
	int64_t		 last;		/* mono ms of last activity */
	/* current request */
	uint64_t	 left;		/* body bytes still to read */
	int		 status;	/* answer decided from the head */
	bool		 close;		/* Connection: close / HTTP/1.0 */
	bool		 seen;		/* a non-space body byte */
	char		 first, lastc;	/* first / last non-space body byte */
};

struct stats {
	uint64_t	 ok, unauth, bad, notfound, other;
};

static volatile sig_atomic_t	 stop_sig;
static struct stats		 st;
static char			 key[KEY_MAX];
static size_t			 keylen;
static uint64_t			 max_body = 64ULL << 20;

/* on_signal - ask the loop to stop */
static void
on_signal(int sig)
{
	stop_sig = sig;
}

/* mono_ms - CLOCK_MONOTONIC in ms */
static int64_t
mono_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* die - message to stderr, exit 1 */
static void
die(const char *what)
{
	fprintf(stderr, "null-soar: %s: %s\n", what, strerror(errno));
	exit(1);
}

/* write_file - write text to path through path.tmp + rename */
static int
write_file(const char *path, const char *text)
{
	char	tmp[PATH_MAX];
	FILE	*f;
	int	 ok;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= sizeof(tmp))
		return -1;
	if ((f = fopen(tmp, "w")) == NULL)
		return -1;
	ok = fputs(text, f) >= 0;
	if (fclose(f) != 0)
		ok = 0;
	if (!ok || rename(tmp, path) == -1) {
		unlink(tmp);
		return -1;
	}
	return 0;
}

/* write_count - the accepted count as one line */
static void
write_count(const char *path)
{
	char	line[32];

	snprintf(line, sizeof(line), "%llu\n", (unsigned long long)st.ok);
	if (write_file(path, line) == -1)
		fprintf(stderr, "null-soar: %s: %s\n", path, strerror(errno));
}

/* read_key - the first line of the key file, trimmed */
static void
read_key(const char *path)
{
	FILE	*f;
	char	*s, *e;

	if ((f = fopen(path, "r")) == NULL)
		die(path);
	if (fgets(key, sizeof(key), f) == NULL) {
		fprintf(stderr, "null-soar: %s: empty\n", path);
		exit(1);
	}
	fclose(f);
	for (s = key; *s == ' ' || *s == '\t'; s++)
		;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		e--;
	*e = '\0';
	memmove(key, s, (size_t)(e - s) + 1);
	keylen = strlen(key);
	if (keylen == 0) {
		fprintf(stderr, "null-soar: %s: empty key\n", path);
		exit(1);
	}
}

/* key_ok - constant-time compare of the AppKey value */
static bool
key_ok(const char *v, size_t n)
{
	unsigned char	d = 0;
	size_t		i;

	if (n != keylen)
		return false;
	for (i = 0; i < n; i++)
		d |= (unsigned char)v[i] ^ (unsigned char)key[i];
	return d == 0;
}

/* respond - queue the answer of the current request */
static void
respond(struct conn *c)
{
	const char	*reason, *body;
	int		 n;

	switch (c->status) {
	case 200:
		reason = "OK";
		body = "{}";
		st.ok++;
		break;
	case 400:
		reason = "Bad Request";
		body = "{\"error\":\"body is not a JSON object\"}";
		st.bad++;
		break;
	case 401:
		reason = "Unauthorized";
		body = "{\"error\":\"missing or wrong AppKey\"}";
		st.unauth++;
		break;
	case 404:
		reason = "Not Found";
		body = "{\"error\":\"no such route\"}";
		st.notfound++;
		break;
	case 405:
		reason = "Method Not Allowed";
		body = "{\"error\":\"POST only\"}";
		st.other++;
		break;
	case 413:
		reason = "Content Too Large";
		body = "{\"error\":\"body too large\"}";
		st.other++;
		break;
	case 431:
		reason = "Request Header Fields Too Large";
		body = "{\"error\":\"header section too large\"}";
		st.other++;
		break;
	default:
		c->status = 400;
		reason = "Bad Request";
		body = "{\"error\":\"malformed request\"}";
		st.other++;
		break;
	}
	n = snprintf(c->out, sizeof(c->out), "HTTP/1.1 %d %s\r\n"
	    "Content-Type: application/json\r\nContent-Length: %zu\r\n"
	    "%s\r\n%s", c->status, reason, strlen(body),
	    c->close ? "Connection: close\r\n" : "", body);
	c->olen = (size_t)n;
	c->ooff = 0;
}

/* hdr_is - is line the header name?  Then *v, *vn: its trimmed value */
static bool
hdr_is(const char *line, size_t n, const char *name, const char **v,
    size_t *vn)
{
	size_t	nl = strlen(name);

	if (n <= nl || line[nl] != ':' || strncasecmp(line, name, nl) != 0)
		return false;
	line += nl + 1;
	n -= nl + 1;
	while (n > 0 && (*line == ' ' || *line == '\t'))
		line++, n--;
	while (n > 0 && (line[n - 1] == ' ' || line[n - 1] == '\t'))
		n--;
	*v = line;
	*vn = n;
	return true;
}

/*
 * parse_head - the head is head[0..hlen) (ending in CRLFCRLF).  Sets the
 * status the request will get, the body length and the close flag.
 * Returns false if the connection cannot be kept in step (no usable
 * Content-Length): answer and close.
 */
static bool
parse_head(struct conn *c, const char *head, size_t hlen)
{
	const char	*p = head, *end = head + hlen, *eol, *v;
	const char	*sp1, *sp2;
	size_t		 n, vn;
	bool		 have_cl = false, post, route, have_key = false;
	bool		 good_key = false, chunked = false;
	uint64_t	 cl = 0;

	c->close = false;
	c->seen = false;
	c->first = c->lastc = 0;
	eol = memmem(p, (size_t)(end - p), "\r\n", 2);
	sp1 = memchr(p, ' ', (size_t)(eol - p));
	sp2 = sp1 != NULL ? memchr(sp1 + 1, ' ', (size_t)(eol - sp1 - 1)) :
	    NULL;
	if (sp1 == NULL || sp2 == NULL || eol - sp2 - 1 != 8 ||
	    strncmp(sp2 + 1, "HTTP/1.", 7) != 0) {
		c->status = 0;
		c->close = true;
		return false;
	}
	if (sp2[8] == '0')
		c->close = true;
	post = sp1 - p == 4 && memcmp(p, "POST", 4) == 0;
	route = (size_t)(sp2 - sp1 - 1) == strlen(ROUTE) &&
	    memcmp(sp1 + 1, ROUTE, strlen(ROUTE)) == 0;
	for (p = eol + 2; p < end - 2; p = eol + 2) {
		eol = memmem(p, (size_t)(end - p), "\r\n", 2);
		n = (size_t)(eol - p);
		if (hdr_is(p, n, "Content-Length", &v, &vn)) {
			size_t	i;

			if (have_cl || vn == 0 || vn > 19)
				goto broken;
			for (cl = 0, i = 0; i < vn; i++) {
				if (!isdigit((unsigned char)v[i]))
					goto broken;
				cl = cl * 10 + (uint64_t)(v[i] - '0');
			}
			have_cl = true;
		} else if (hdr_is(p, n, "Transfer-Encoding", &v, &vn))
			chunked = true;
		else if (hdr_is(p, n, "Connection", &v, &vn)) {
			if (vn == 5 && strncasecmp(v, "close", 5) == 0)
				c->close = true;
			else if (vn == 10 &&
			    strncasecmp(v, "keep-alive", 10) == 0)
				c->close = false;
		} else if (hdr_is(p, n, "AppKey", &v, &vn)) {
			have_key = true;
			good_key = key_ok(v, vn);
		}
	}
	if (chunked)
		goto broken;	/* curl sends Content-Length; so do we */
	c->left = have_cl ? cl : 0;
	if (!post && route)
		c->status = 405;
	else if (!route)
		c->status = 404;
	else if (!have_key || !good_key)
		c->status = 401;
	else if (cl > max_body) {
		c->status = 413;
		c->close = true;
		return false;
	} else
		c->status = 200;	/* 400 later if the body is no object */
	return true;
broken:
	c->status = 0;
	c->close = true;
	return false;
}

/* body_bytes - look at body bytes: remember first and last non-space */
static void
body_bytes(struct conn *c, const char *p, size_t n)
{
	size_t	i;

	for (i = 0; i < n && !c->seen; i++)
		if (!isspace((unsigned char)p[i])) {
			c->first = p[i];
			c->seen = true;
		}
	for (i = n; i > 0; i--)
		if (!isspace((unsigned char)p[i - 1])) {
			c->lastc = p[i - 1];
			break;
		}
}

/* body_done - the whole body is in: decide 200 / 400 and answer */
static void
body_done(struct conn *c)
{
	if (c->status == 200 && (c->first != '{' || c->lastc != '}'))
		c->status = 400;
	respond(c);
	c->st = c->close ? ST_CLOSING : ST_HEAD;
}

/*
 * consume - work through buf: heads and bodies, as far as the bytes go.
 * Stops when a response is pending (it must go out before the next
 * request is answered).
 */
static void
consume(struct conn *c)
{
	size_t	off = 0, take;
	char	*h;

	while (off < c->len && c->olen == 0 && c->st != ST_CLOSING) {
		if (c->st == ST_BODY) {
			take = c->len - off;
			if (take > c->left)
				take = (size_t)c->left;
			body_bytes(c, c->buf + off, take);
			off += take;
			c->left -= take;
			if (c->left == 0)
				body_done(c);
			continue;
		}
		h = memmem(c->buf + off, c->len - off, "\r\n\r\n", 4);
		if (h == NULL) {
			if (c->len - off >= HDR_MAX) {
				c->status = 431;
				c->close = true;
				respond(c);
				c->st = ST_CLOSING;
			}
			break;
		}
		if (c->buf + off == h) {	/* stray CRLF between requests */
			off += 2;
			continue;
		}
		take = (size_t)(h - (c->buf + off)) + 4;
		if (!parse_head(c, c->buf + off, take)) {
			respond(c);
			c->st = ST_CLOSING;
			break;
		}
		off += take;
		c->st = ST_BODY;
		if (c->left == 0)
			body_done(c);
	}
	if (off > 0) {
		memmove(c->buf, c->buf + off, c->len - off);
		c->len -= off;
	}
}

/* conn_flush - send the pending response; false if the peer is gone */
static bool
conn_flush(struct conn *c)
{
	ssize_t	n;

	while (c->ooff < c->olen) {
		n = send(c->fd, c->out + c->ooff, c->olen - c->ooff,
		    MSG_NOSIGNAL);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return true;
		if (n <= 0)
			return false;
		c->ooff += (size_t)n;
	}
	c->olen = c->ooff = 0;
	return c->st != ST_CLOSING;
}

/*
 * conn_work - answer what buf holds, flushing between requests; false:
 * close the connection.
 */
static bool
conn_work(struct conn *c)
{
	for (;;) {
		consume(c);
		if (c->olen == 0)
			return c->st != ST_CLOSING;
		if (!conn_flush(c))
			return false;
		if (c->olen > 0)
			return true;	/* the rest when POLLOUT says so */
	}
}

/* conn_read - read what is there and work on it; false: close it */
static bool
conn_read(struct conn *c)
{
	ssize_t	n;

	if (c->len == sizeof(c->buf))
		return true;	/* full: a pending response drains first */
	n = read(c->fd, c->buf + c->len, sizeof(c->buf) - c->len);
	if (n == -1 && (errno == EINTR || errno == EAGAIN ||
	    errno == EWOULDBLOCK))
		return true;
	if (n <= 0)
		return false;
	c->len += (size_t)n;
	return conn_work(c);
}

/* usage - print the usage line and exit 64 */
static void
usage(void)
{
	fprintf(stderr, "usage: null-soar --port-file FILE --key-file FILE "
	    "--count-file FILE [--max-seconds S] [--max-conns N] "
	    "[--max-body BYTES]\n");
	exit(64);
}

int
main(int argc, char **argv)
{
	struct sockaddr_in	 sa;
	struct sigaction	 act;
	struct pollfd		*pfd;
	struct conn		**conns;
	const char		*port_file = NULL, *key_file = NULL;
	const char		*count_file = NULL;
	sigset_t		 block, empty;
	socklen_t		 sl;
	uint64_t		 written = UINT64_MAX;
	int64_t			 deadline, next_count, now;
	long			 max_seconds = 3600, max_conns = 64;
	char			 line[32];
	int			 lfd, i, j, n, base, one = 1;
	size_t			 nconn = 0, k;

	for (i = 1; i < argc; i++) {
		if (i + 1 >= argc)
			usage();
		if (strcmp(argv[i], "--port-file") == 0)
			port_file = argv[++i];
		else if (strcmp(argv[i], "--key-file") == 0)
			key_file = argv[++i];
		else if (strcmp(argv[i], "--count-file") == 0)
			count_file = argv[++i];
		else if (strcmp(argv[i], "--max-seconds") == 0)
			max_seconds = strtol(argv[++i], NULL, 10);
		else if (strcmp(argv[i], "--max-conns") == 0)
			max_conns = strtol(argv[++i], NULL, 10);
		else if (strcmp(argv[i], "--max-body") == 0)
			max_body = strtoull(argv[++i], NULL, 10);
		else
			usage();
	}
	if (port_file == NULL || key_file == NULL || count_file == NULL ||
	    max_seconds <= 0 || max_seconds > 86400 || max_conns <= 0 ||
	    max_conns > 1024 || max_body == 0)
		usage();
	read_key(key_file);

	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGHUP);
	sigprocmask(SIG_BLOCK, &block, NULL);
	sigemptyset(&empty);
	memset(&act, 0, sizeof(act));
	act.sa_handler = on_signal;
	sigaction(SIGTERM, &act, NULL);
	sigaction(SIGINT, &act, NULL);
	sigaction(SIGHUP, &act, NULL);
	signal(SIGPIPE, SIG_IGN);

	if ((lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0)) == -1)
		die("socket");
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sa.sin_port = 0;
	if (bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) == -1)
		die("bind 127.0.0.1");
	if (listen(lfd, 128) == -1)
		die("listen");
	sl = sizeof(sa);
	if (getsockname(lfd, (struct sockaddr *)&sa, &sl) == -1)
		die("getsockname");

	pfd = calloc((size_t)max_conns + 1, sizeof(*pfd));
	conns = calloc((size_t)max_conns, sizeof(*conns));
	if (pfd == NULL || conns == NULL)
		die("calloc");
	write_count(count_file);
	written = 0;
	snprintf(line, sizeof(line), "%u\n", (unsigned)ntohs(sa.sin_port));
	if (write_file(port_file, line) == -1)
		die(port_file);

	now = mono_ms();
	deadline = now + max_seconds * 1000;
	next_count = now + COUNT_MS;
	while (stop_sig == 0 && now < deadline) {
		struct timespec	 to;
		int64_t		 wait = next_count - now;

		if (deadline - now < wait)
			wait = deadline - now;
		n = 0;
		if (nconn < (size_t)max_conns) {
			pfd[0].fd = lfd;
			pfd[0].events = POLLIN;
			pfd[0].revents = 0;
			n = 1;
		}
		base = n;
		for (k = 0; k < nconn; k++, n++) {
			pfd[n].fd = conns[k]->fd;
			pfd[n].events = conns[k]->olen > 0 ? POLLOUT : POLLIN;
			pfd[n].revents = 0;
		}
		to.tv_sec = wait / 1000;
		to.tv_nsec = (wait % 1000) * 1000000;
		j = ppoll(pfd, (nfds_t)n, &to, &empty);
		if (j == -1 && errno != EINTR)
			die("ppoll");
		now = mono_ms();
		/* connections first: pfd[base + k] is conns[k] */
		for (k = 0; k < nconn; k++) {
			struct conn	*c = conns[k];
			short		 re = j > 0 ?
			    pfd[base + (int)k].revents : 0;
			bool		 keep = true;

			if (re == 0) {
				if (now - c->last > IDLE_MS)
					keep = false;
			} else if (c->olen > 0) {
				if (re & (POLLERR | POLLHUP | POLLNVAL))
					keep = false;
				else if ((re & POLLOUT) &&
				    (keep = conn_flush(c)) &&
				    c->olen == 0)
					keep = conn_work(c);
			} else
				keep = conn_read(c);
			if (re != 0)
				c->last = now;
			if (!keep) {
				close(c->fd);
				free(c);
				conns[k] = NULL;
			}
		}
		for (k = 0, i = 0; k < nconn; k++)
			if (conns[k] != NULL)
				conns[i++] = conns[k];
		nconn = (size_t)i;
		if (base == 1 && j > 0 && (pfd[0].revents & POLLIN)) {
			while (nconn < (size_t)max_conns) {
				int		 fd;
				struct conn	*c;

				fd = accept4(lfd, NULL, NULL,
				    SOCK_NONBLOCK | SOCK_CLOEXEC);
				if (fd == -1)
					break;
				setsockopt(fd, IPPROTO_TCP,
				    TCP_NODELAY, &one, sizeof(one));
				if ((c = calloc(1, sizeof(*c))) ==
				    NULL) {
					close(fd);
					break;
				}
				c->fd = fd;
				c->st = ST_HEAD;
				c->last = now;
				conns[nconn++] = c;
			}
		}
		if (now >= next_count) {
			if (st.ok != written) {
				write_count(count_file);
				written = st.ok;
			}
			next_count = now + COUNT_MS;
		}
	}
	write_count(count_file);
	for (k = 0; k < nconn; k++) {
		close(conns[k]->fd);
		free(conns[k]);
	}
	free(conns);
	free(pfd);
	close(lfd);
	fprintf(stderr, "null-soar: %s; answered 200: %llu, 401: %llu, "
	    "400: %llu, 404: %llu, other: %llu\n", stop_sig != 0 ?
	    "signal" : "--max-seconds", (unsigned long long)st.ok,
	    (unsigned long long)st.unauth, (unsigned long long)st.bad,
	    (unsigned long long)st.notfound, (unsigned long long)st.other);
	return 0;
}
