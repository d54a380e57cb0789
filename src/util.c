/*
 * util - allocation, error buffers, strings.  See util.h.
 */
#include "autoconfig.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

/* util_panic - report a broken invariant and dump core */
void
util_panic(const char *file, int line, const char *what)
{
	fprintf(stderr, "soar-milter: panic: %s:%d: assertion failed: %s\n",
	    file, line, what);
	abort();
}

static void __attribute__((noreturn))
oom(size_t n)
{
	fprintf(stderr, "soar-milter: out of memory (%zu bytes)\n", n);
	abort();
}

void *
xmalloc(size_t n)
{
	void	*p;

	if ((p = malloc(n == 0 ? 1 : n)) == NULL)
		oom(n);
	return p;
}

void *
xcalloc(size_t n, size_t size)
{
	void	*p;

	if ((p = calloc(n == 0 ? 1 : n, size == 0 ? 1 : size)) == NULL)
		oom(n * size);
	return p;
}

void *
xrealloc(void *old, size_t n)
{
	void	*p;

	if ((p = realloc(old, n == 0 ? 1 : n)) == NULL)
		oom(n);
	return p;
}

char *
xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *
xstrndup(const char *s, size_t n)
{
	char	*p;
	size_t	 len;

	for (len = 0; len < n && s[len] != '\0'; len++)
		;
	p = xmalloc(len + 1);
	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

char *
xasprintf(const char *fmt, ...)
{
	va_list	 ap;
	char	*p;
	int	 n;

	va_start(ap, fmt);
	n = vasprintf(&p, fmt, ap);
	va_end(ap);
	if (n < 0)
		oom(0);
	return p;
}

void
errbuf_set(struct errbuf *err, const char *fmt, ...)
{
	va_list	ap;

	if (err == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
}

/* sb_grow - make room for n more bytes plus a NUL */
static void
sb_grow(struct strbuf *sb, size_t n)
{
	size_t	need;

	if (n > SIZE_MAX - sb->len - 1)
		oom(SIZE_MAX);
	need = sb->len + n + 1;
	if (need <= sb->cap)
		return;
	if (sb->cap == 0)
		sb->cap = 64;
	while (sb->cap < need)
		sb->cap = sb->cap > SIZE_MAX / 2 ? need : sb->cap * 2;
	sb->s = xrealloc(sb->s, sb->cap);
}

char *
sb_room(struct strbuf *sb, size_t n)
{
	sb_grow(sb, n);
	return sb->s + sb->len;
}

void
sb_append(struct strbuf *sb, const void *p, size_t n)
{
	sb_grow(sb, n);
	if (n > 0)
		memcpy(sb->s + sb->len, p, n);
	sb->len += n;
	sb->s[sb->len] = '\0';
}

void
sb_puts(struct strbuf *sb, const char *s)
{
	sb_append(sb, s, strlen(s));
}

void
sb_putc(struct strbuf *sb, char c)
{
	sb_append(sb, &c, 1);
}

void
sb_printf(struct strbuf *sb, const char *fmt, ...)
{
	va_list	ap;
	int	n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	sb_grow(sb, (size_t)n);
	va_start(ap, fmt);
	vsnprintf(sb->s + sb->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	sb->len += (size_t)n;
}

char *
sb_steal(struct strbuf *sb)
{
	char	*s;

	s = sb->s != NULL ? sb->s : xstrdup("");
	sb->s = NULL;
	sb->len = sb->cap = 0;
	return s;
}

void
sb_reset(struct strbuf *sb)
{
	sb->len = 0;
	if (sb->s != NULL)
		sb->s[0] = '\0';
}

void
sb_free(struct strbuf *sb)
{
	free(sb->s);
	sb->s = NULL;
	sb->len = sb->cap = 0;
}

void
strlist_add_owned(struct strlist *l, char *s)
{
	if (l->n == l->cap) {
		l->cap = l->cap == 0 ? 8 : l->cap * 2;
		l->v = xrealloc(l->v, l->cap * sizeof(*l->v));
	}
	l->v[l->n++] = s;
}

void
strlist_add(struct strlist *l, const char *s)
{
	strlist_add_owned(l, xstrdup(s));
}

bool
strlist_contains(const struct strlist *l, const char *s)
{
	size_t	i;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->v[i], s) == 0)
			return true;
	return false;
}

bool
strlist_contains_ci(const struct strlist *l, const char *s)
{
	size_t	i;

	for (i = 0; i < l->n; i++)
		if (strcasecmp(l->v[i], s) == 0)
			return true;
	return false;
}

char *
strlist_join(const struct strlist *l, const char *sep)
{
	struct strbuf	sb = { 0 };
	size_t		i;

	for (i = 0; i < l->n; i++) {
		if (i > 0)
			sb_puts(&sb, sep);
		sb_puts(&sb, l->v[i]);
	}
	return sb_steal(&sb);
}

void
strlist_split(struct strlist *l, const char *s, const char *seps)
{
	const char	*p, *end;
	char		*item;

	for (p = s; *p != '\0'; p = *end != '\0' ? end + 1 : end) {
		end = p + strcspn(p, seps);
		item = xstrndup(p, (size_t)(end - p));
		str_trim(item);
		if (*item == '\0')
			free(item);
		else
			strlist_add_owned(l, item);
	}
}

void
strlist_free(struct strlist *l)
{
	size_t	i;

	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = l->cap = 0;
}

const char *
str_skip_cfws(const char *p, const char *e)
{
	int	 depth;

	for (;;) {
		while (p < e && (*p == ' ' || *p == '\t' || *p == '\r' ||
		    *p == '\n'))
			p++;
		if (p >= e || *p != '(')
			return p;
		for (depth = 0; p < e; p++) {
			if (*p == '\\' && p + 1 < e)
				p++;
			else if (*p == '(')
				depth++;
			else if (*p == ')' && --depth == 0) {
				p++;
				break;
			}
		}
	}
}

bool
str_is_tchar(int c)
{
	return c > 0x20 && c < 0x7f && strchr("()<>@,;:\\\"/[]?=", c) == NULL;
}

char *
str_trim(char *s)
{
	char	*p, *end;

	for (p = s; *p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'; p++)
		;
	end = p + strlen(p);
	while (end > p && (end[-1] == ' ' || end[-1] == '\t' ||
	    end[-1] == '\r' || end[-1] == '\n'))
		end--;
	memmove(s, p, (size_t)(end - p));
	s[end - p] = '\0';
	return s;
}

bool
str_has_prefix_ci(const char *s, const char *prefix)
{
	return strncasecmp(s, prefix, strlen(prefix)) == 0;
}

int
fd_write_all(int fd, const void *buf, size_t n)
{
	const char	*p = buf;
	ssize_t		 w;

	while (n > 0) {
		if ((w = write(fd, p, n)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (w == 0) {
			errno = EIO;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

void
str_lower(char *s)
{
	for (; *s != '\0'; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s - 'A' + 'a');
}

/* hostport_ok - [a, e) is host, host:port or [v6]:port (port digits) */
static bool
hostport_ok(const char *a, const char *e)
{
	const char	*p = a;

	if (p < e && *p == '[') {
		while (p < e && *p != ']')
			p++;
		if (p == e)
			return false;
		p++;
		if (p < e && *p != ':')
			return false;
	} else
		while (p < e && *p != ':')
			p++;
	if (p == e)
		return true;
	for (p++; p < e; p++)
		if (*p < '0' || *p > '9')
			return false;
	return true;
}

/*
 * str_redact_url - hide the userinfo of a URL.  The authority runs from
 * after "scheme://" (or from the start: curl takes "u:p@proxy:3128") to
 * the first '/', '?' or '#'; its last '@' ends the userinfo (RFC 3986).
 * A password with an unencoded '/', '?' or '#' ends the authority early
 * and leaves a host:port that is not valid: then everything up to the
 * last '@' is hidden rather than leak part of the password.
 */
char *
str_redact_url(const char *url)
{
	static const char scheme_chars[] = "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+.-";
	const char	*a = url, *e, *p, *q, *at = NULL;

	if (url == NULL)
		return NULL;
	if ((p = strstr(url, "://")) != NULL && p > url &&
	    ((*url >= 'a' && *url <= 'z') || (*url >= 'A' && *url <= 'Z')) &&
	    strspn(url, scheme_chars) == (size_t)(p - url))
		a = p + 3;
	e = a + strcspn(a, "/?#");
	for (p = a; p < e; p++)
		if (*p == '@')
			at = p;
	if (at == NULL && strchr(e, '@') != NULL && !hostport_ok(a, e))
		at = strrchr(e, '@');
	/*
	 * An '@' after a valid-looking host:port and before the query:
	 * "https://svc:123/abc@host/" also reads as host "svc", port
	 * 123, but is a "user:pass" whose '/' ended the authority early.
	 * Hide up to the last such '@': hiding a part of an odd URL in a
	 * log costs nothing, leaking a password does.
	 */
	if (at == NULL && memchr(a, ':', (size_t)(e - a)) != NULL &&
	    (q = strpbrk(e, "@?")) != NULL && *q == '@')
		for (at = q; (q = strpbrk(q + 1, "@?")) != NULL && *q == '@';
		    at = q)
			;
	if (at == NULL)
		return xstrdup(url);
	return xasprintf("%.*s***%s", (int)(a - url), url, at);
}

int
file_read_all(const char *path, size_t max, char **buf_r, size_t *len_r,
    struct errbuf *err)
{
	return file_read_capped(path, max, buf_r, len_r, NULL, err);
}

int
file_read_capped(const char *path, size_t max, char **buf_r, size_t *len_r,
    uint64_t *total_r, struct errbuf *err)
{
	struct strbuf	sb = { 0 };
	char		chunk[65536];
	uint64_t	total = 0;
	ssize_t		n;
	size_t		room;
	int		fd;

	if (strcmp(path, "-") == 0)
		fd = STDIN_FILENO;
	else if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		errbuf_set(err, "%s: %s", path, strerror(errno));
		return -1;
	}
	for (;;) {
		n = read(fd, chunk, sizeof(chunk));
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			errbuf_set(err, "%s: read: %s", path, strerror(errno));
			if (fd != STDIN_FILENO)
				close(fd);
			sb_free(&sb);
			return -1;
		}
		if (n == 0)
			break;
		total += (uint64_t)n;
		room = max == 0 ? (size_t)n : max - sb.len;
		if (room > (size_t)n)
			room = (size_t)n;
		sb_append(&sb, chunk, room);
		/* past the cap: only count the rest (when asked to) */
		if (max > 0 && sb.len == max && total_r == NULL)
			break;
	}
	if (fd != STDIN_FILENO)
		close(fd);
	*len_r = sb.len;
	*buf_r = sb_steal(&sb);
	if (total_r != NULL)
		*total_r = total;
	return 0;
}

/* mkdir_p - create path and its parents; existing ones are fine */
int
mkdir_p(const char *path, unsigned mode, struct errbuf *err)
{
	char	*p, *s, c;

	p = xstrdup(path);
	for (s = p + 1; ; s++) {
		if (*s != '/' && *s != '\0')
			continue;
		c = *s;
		*s = '\0';
		if (mkdir(p, (mode_t)mode) == -1 && errno != EEXIST) {
			errbuf_set(err, "mkdir %s: %s", p, strerror(errno));
			free(p);
			return -1;
		}
		*s = c;
		if (c == '\0')
			break;
	}
	free(p);
	return 0;
}

int64_t
util_now_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t
util_mono_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * priv_become - initgroups + setgid + setuid, then check that setuid(0)
 * fails: a process that could become root again has dropped nothing.
 */
int
priv_become(const char *name, uid_t uid, gid_t gid, struct errbuf *err)
{
	if (initgroups(name, gid) == -1 || setgid(gid) == -1 ||
	    setuid(uid) == -1) {
		errbuf_set(err, "cannot drop privileges to %s: %s", name,
		    strerror(errno));
		return -1;
	}
	if (uid != 0 && (setuid(0) != -1 || geteuid() == 0)) {
		errbuf_set(err, "privileges of root could be regained after "
		    "switching to %s: refusing to run", name);
		return -1;
	}
	return 0;
}
