/*
 * util - allocation that never fails, bounded error buffers, growable
 * strings and string lists.  No third-party library.  Thread-safe (no
 * shared state).
 *
 * The x* allocators log to stderr and abort() on OOM: callers never
 * check for NULL.  Ownership: every char * returned here is the
 * caller's to free().
 */
#ifndef SOAR_UTIL_H
#define SOAR_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

#define ASSERT(e) \
	((e) ? (void)0 : util_panic(__FILE__, __LINE__, #e))

void	util_panic(const char *file, int line, const char *what)
	    __attribute__((noreturn));

void	*xmalloc(size_t);
void	*xcalloc(size_t, size_t);
void	*xrealloc(void *, size_t);
char	*xstrdup(const char *);
char	*xstrndup(const char *, size_t);
char	*xasprintf(const char *, ...) __attribute__((format(printf, 1, 2)));

/* A caller-owned error message; set with errbuf_set (bounded). */
struct errbuf {
	char	msg[512];
};
void	errbuf_set(struct errbuf *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));

/* Growable NUL-terminated byte string. s is NULL until first append. */
struct strbuf {
	char	*s;
	size_t	 len;
	size_t	 cap;
};
void	sb_append(struct strbuf *, const void *, size_t);
void	sb_puts(struct strbuf *, const char *);
void	sb_putc(struct strbuf *, char);
void	sb_printf(struct strbuf *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
/* Hand the string to the caller ("" if empty) and reset the buffer. */
char	*sb_steal(struct strbuf *);
void	sb_reset(struct strbuf *);		/* len = 0, keeps memory */
/* Room for n more bytes and a NUL: where they go (the caller writes
 * them and adds n to len). */
char	*sb_room(struct strbuf *, size_t n);
void	sb_free(struct strbuf *);

/* List of owned strings. */
struct strlist {
	char	**v;
	size_t	  n;
	size_t	  cap;
};
void	strlist_add(struct strlist *, const char *);	/* copies */
void	strlist_add_owned(struct strlist *, char *);	/* takes */
bool	strlist_contains(const struct strlist *, const char *);
bool	strlist_contains_ci(const struct strlist *, const char *);
/* Join with sep into a new string ("" for an empty list). */
char	*strlist_join(const struct strlist *, const char *sep);
/* Split s on any char of seps, trimming blanks, dropping empty items. */
void	strlist_split(struct strlist *, const char *s, const char *seps);
void	strlist_free(struct strlist *);

/*
 * utf8_seq_len - length of the valid UTF-8 sequence at s (n bytes left),
 * or 0 if it is invalid: truncated, overlong, a surrogate or above
 * U+10FFFF.  Inline: it runs per byte of decoded text.
 */
static inline size_t
utf8_seq_len(const unsigned char *s, size_t n)
{
	unsigned char	c = s[0];

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		return n >= 2 && (s[1] & 0xc0) == 0x80 ? 2 : 0;
	if (c >= 0xe0 && c <= 0xef) {
		if (n < 3 || (s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80)
			return 0;
		if (c == 0xe0 && s[1] < 0xa0)
			return 0;		/* overlong */
		if (c == 0xed && s[1] >= 0xa0)
			return 0;		/* surrogate */
		return 3;
	}
	if (c >= 0xf0 && c <= 0xf4) {
		if (n < 4 || (s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80 ||
		    (s[3] & 0xc0) != 0x80)
			return 0;
		if (c == 0xf0 && s[1] < 0x90)
			return 0;		/* overlong */
		if (c == 0xf4 && s[1] >= 0x90)
			return 0;		/* above U+10FFFF */
		return 4;
	}
	return 0;
}

/* str_skip_cfws - past RFC 5322 CFWS in [p, e): white space (SP, HT,
 * CR, LF) and nested comments with backslash escapes.  An unclosed
 * comment runs to e. */
const char *str_skip_cfws(const char *p, const char *e);
/* str_is_tchar - c may appear in an RFC 2045 token (no specials) */
bool	str_is_tchar(int c);

/* str_redact_url - url with its userinfo hidden: "user:pw@host:port"
 * becomes "***@host:port" after the scheme's "://"; scheme, host, port,
 * path and query are kept.  A proxy without a scheme ("u:pw@proxy:3128")
 * too.  For logs and printed configuration.  A new string (NULL for
 * NULL). */
char	*str_redact_url(const char *url);

/* Trim ASCII white space in place; returns s. */
char	*str_trim(char *s);
bool	str_has_prefix_ci(const char *s, const char *prefix);
void	str_lower(char *s);

/* Read a whole file ("-": stdin) into a new NUL-terminated buffer, at
 * most max bytes (0 = no cap). */
int	file_read_all(const char *path, size_t max, char **buf_r,
	    size_t *len_r, struct errbuf *);
/* The same, and total_r gets the full size: the bytes past max are read
 * and counted, not kept. */
int	file_read_capped(const char *path, size_t max, char **buf_r,
	    size_t *len_r, uint64_t *total_r, struct errbuf *);

/* Write all n bytes to fd, retrying short writes and EINTR: 0, or -1
 * with errno set (EIO if the kernel takes nothing). */
int	fd_write_all(int fd, const void *buf, size_t n);

/* Create path and its missing parents (new ones get mode). */
int	mkdir_p(const char *path, unsigned mode, struct errbuf *);

/*
 * As root: become user name (uid, with gid and name's supplementary
 * groups) for good, and make sure root cannot be regained.  0, or -1
 * and err ("cannot drop privileges to NAME: ...").
 */
int	priv_become(const char *name, uid_t uid, gid_t gid, struct errbuf *);

/* Wall clock in unix milliseconds. */
int64_t	util_now_ms(void);
/* Monotonic clock in milliseconds. */
int64_t	util_mono_ms(void);

#endif
