/*
 * imap - "soar-milter backfill": unread mail in IMAP folders -> alerts.
 * See imap.h and docs/backfill.md.
 *
 * libcurl does the connection: TCP, implicit TLS or mandatory STARTTLS,
 * certificate verification, and the login (SASL PLAIN/LOGIN or the
 * LOGIN command, or XOAUTH2 with a bearer token).  With
 * CURLOPT_CONNECT_ONLY it stops there and hands over the authenticated
 * session; this module then speaks IMAP itself over curl_easy_send()
 * and curl_easy_recv() (TLS stays curl's).  It does so because
 * libcurl's own IMAP commands cannot do what backfill needs: a custom
 * UID FETCH hands over only the first response line, not the message
 * literal (curl/curl#536, #1150; so in Debian 12's 7.88.1), long lines
 * such as a big SEARCH result are clipped, and a URL fetch is one round
 * trip per message, with BODY[] (which sets \Seen).
 *
 * The response reader below is written for a hostile server: every
 * line and literal has a bound, numbers are range-checked, and no
 * response can make it read or keep more than those bounds.
 *
 * Flow per folder: EXAMINE (SELECT when messages are to be flagged or
 * moved) -> UIDVALIDITY vs checkpoint -> one UID SEARCH -> UID FETCH in
 * batches (BODY.PEEK[], so \Seen is not set) -> per message: extract,
 * id, skip if already pending/sent, else spool (or --output/--dry-run)
 * -> after the batch: STORE \Seen or MOVE, then the checkpoint.
 *
 * Threads: this (the calling) thread reads the responses and commits;
 * the per-message work (extract, id, duplicate check, JSON) runs in
 * backfill_workers worker threads (see "workers" below).  Commits are
 * in arrival order, so everything but the wall clock is as with one
 * thread.  With imap_after = none the next batch's UID FETCH is sent
 * before the current batch is finished (at most PIPE_MAX outstanding).
 */
#include "autoconfig.h"

#include <sys/file.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "alert.h"
#include "config.h"
#include "digest.h"
#include "extract.h"
#include "imap.h"
#include "log.h"
#include "sender.h"
#include "spool.h"
#include "util.h"

#define LINE_MAX_TEXT	(1024 * 1024)		/* one ordinary response */
#define LINE_MAX_SEARCH	(64 * 1024 * 1024)	/* a SEARCH result */
#define LIT_MAX_OTHER	(1024 * 1024)		/* literals we do not use */
#define RESP_MAX_LITS	16			/* literals per response */
#define SET_MAX_CHARS	7900			/* UID set in one command */
#define SECRET_MAX	(64 * 1024)
#define CKPT_MAX	4096
#define FLUSH_SECONDS	30			/* sender pass at the end */
#define PROGRESS_EVERY	1000			/* log line every N (no tty) */
#define PROGRESS_MS	100			/* bar redraw interval */
#define OUTQ_MAX	256			/* --output files per sync */
#define WORKERS_MAX	64			/* backfill_workers */
#define INFLIGHT_MAX	256			/* messages read, not committed */
#define INFLIGHT_BYTES	(64 * 1024 * 1024)	/* and their bytes */
#define PIPE_MAX	2			/* UID FETCHes outstanding */
#define SPARE_MAX	16			/* message buffers kept */
#define SPARE_BYTES	(1024 * 1024)		/* largest one kept */

#define CAP_MOVE	0x01
#define CAP_UIDPLUS	0x02

/* ------------------------------------------------------------ state */

static volatile sig_atomic_t	bf_stop;	/* SIGINT/SIGTERM seen */

struct lit {
	struct strbuf	 sb;			/* kept bytes */
};

/* One server response: text with literals cut out (their "{N}" marker
 * stays in the text, in order), and the literals. */
struct resp {
	struct strbuf	 text;
	struct lit	 lit[RESP_MAX_LITS];
	size_t		 nlit;
};

/* The IMAP session: a curl handle in CONNECT_ONLY mode. */
struct imapc {
	CURL		*curl;
	curl_socket_t	 fd;
	char		*where;			/* "host:port" for messages */
	int		 timeout_ms;		/* no progress for this long */
	bool		 interruptible;		/* a signal stops a read */
	bool		 broken;		/* unusable: stop using it */
	char		*buf;			/* input buffer */
	size_t		 start, end, cap;
	unsigned	 tagno;			/* of the last command sent */
	unsigned	 caps;
	char		 status[256];		/* text of the last tagged NO/BAD */
	char		 bye[256];		/* text of an untagged BYE */
	int		 code;			/* BACKFILL_EXIT_* when -1 */
	struct errbuf	 err;
	struct resp	 r;
	struct strbuf	 spare[SPARE_MAX];	/* message buffers to reuse */
	size_t		 nspare;
	char		 curl_err[CURL_ERROR_SIZE];
};

struct counts {
	uint64_t	seen, alerted, dup, errors, gone;
};

struct progress {
	bool		 tty;
	bool		 drawn;
	int64_t		 t0, last_draw;
	uint64_t	 done, total;
	const char	*folder;
	uint64_t	 next_log;
};

/* --output files written but not yet synced and named (see outq_flush) */
struct outq {
	int		 fd[OUTQ_MAX];
	char		*tmp[OUTQ_MAX];		/* NULL: an O_TMPFILE */
	char		*name[OUTQ_MAX];
	size_t		 n;
	uint64_t	 seq;
	long		 pid;			/* in temporary names */
	bool		 tmpfile;		/* O_TMPFILE works here */
};

struct bf {
	const struct config		*cfg;
	const struct backfill_opts	*opts;
	struct spool	*sp;
	struct imapc	 ic;
	char		*acct;			/* "user@host" */
	char		*ckpt_dir;		/* checkpoints of this account */
	int		 lock_fd;
	int		 out_dfd;		/* --output directory */
	struct outq	 outq;
	struct pool	*pool;			/* workers */
	size_t		 fetch_limit;		/* bytes fetched per message */
	uint64_t	 budget;		/* imap_max_messages left */
	bool		 write_state;		/* not dry-run */
	struct counts	 total;
	struct progress	 prog;
	int		 rc;			/* first fatal exit code */
	int64_t		 t0;
};

/* One folder's pass. */
struct folder {
	const char	*name;			/* as configured */
	char		*wire;			/* quoted, modified UTF-7 */
	char		*ckpt_path;
	uint32_t	 uidvalidity;
	uint32_t	 uidnext;
	uint32_t	 last;			/* checkpoint: last completed UID */
	bool		 stuck;			/* a UID failed: last stays */
	bool		 have_ckpt;
	uint32_t	 ckpt_validity;
	/* the search the checkpoint's last_uid is for: IMAP_SEARCH_*, or
	 * -1 unknown; imap_since, "" none, "?" unknown */
	int		 ckpt_search;
	char		 ckpt_since[12];
	bool		 ckpt_old;		/* no search/since lines */
	struct counts	 c;
};

/*
 * A batch being fetched: one UID FETCH.  B_NOBODY: the answer named
 * the UID (its size or date, or "BODY[] NIL") but gave no message, an
 * error for that UID once the FETCH is complete (unless a later
 * response of the same FETCH brings the body); B_PENDING at the end: it
 * was not in the answer at all (expunged meanwhile), B_GONE.
 */
enum { B_PENDING, B_INFLIGHT, B_DONE, B_GONE, B_FAILED, B_NOBODY };
struct batch {
	const uint32_t	*uid;			/* ascending */
	size_t		 n;
	unsigned char	*st;			/* B_* per uid */
	uint32_t	*after;			/* UIDs for STORE/MOVE */
	size_t		 nafter;
	struct folder	*f;
	unsigned	 tag;			/* of its UID FETCH */
	int		 rc;			/* IC_*, or -2 not answered yet */
	size_t		 jobs;			/* its messages not committed */
	bool		 discard;		/* drop them, do not commit */
	char		 status[256];		/* text of a NO/BAD */
};

/*
 * A fetched message on its way through the workers (extraction, id,
 * duplicate check, JSON), then committed by the reader thread in the
 * order the server sent it.
 */
struct job {
	struct job	*next;			/* in flight, commit order */
	struct job	*qnext;			/* waiting for a worker */
	struct batch	*b;
	size_t		 idx;			/* in b->uid */
	uint32_t	 uid;
	uint64_t	 size;			/* RFC822.SIZE */
	int64_t		 idate_ms;
	const char	*mailbox;
	struct strbuf	 body;
	size_t		 charge;		/* bytes counted in flight */
	/* results (worker) */
	char		 id[ALERT_ID_MAX];
	char		*json;			/* NULL: duplicate */
	char		*warn;			/* extraction problem */
	bool		 done;			/* under pool.mu */
};

/* The workers.  With none, jobs run in the reader thread. */
struct pool {
	pthread_mutex_t	 mu;
	pthread_cond_t	 more;			/* workers: a job, or quit */
	pthread_cond_t	 ready;			/* reader: a job is done */
	pthread_t	 tid[WORKERS_MAX];
	int		 nthr;
	bool		 quit;
	bool		 failed;		/* a commit failed: drop the rest */
	struct job	*todo, **todo_tail;
	/* reader thread only */
	struct job	*head, **tail;		/* in flight, commit order */
	size_t		 n, bytes;
	struct bf	*bf;
};

/* ------------------------------------------------------------ utils */

/* bf_signal - SIGINT/SIGTERM: stop after the current message; a second
 * signal ends the process at once (nothing is half-written: the spool
 * and the checkpoint are only ever replaced by rename). */
static void
bf_signal(int sig)
{
	static const char msg[] = "soar-milter: backfill: second signal, "
	    "exiting now\n";

	(void)sig;
	if (bf_stop) {
		(void)write(STDERR_FILENO, msg, sizeof(msg) - 1);
		_exit(BACKFILL_EXIT_INTERRUPTED);
	}
	bf_stop = 1;
}

/* hash_name - first n hex digits of SHA-256(s) */
static void
hash_name(const char *s, size_t n, char *out, size_t outsz)
{
	char	hex[DIGEST_SHA256_HEX];

	digest_sha256_hex(s, strlen(s), hex);
	snprintf(out, outsz, "%.*s", (int)n, hex);
}

/* parse_u32 - decimal digits [p, p+n) -> *v; false if not a uint32 */
static bool
parse_u32(const char *p, size_t n, uint32_t *v)
{
	uint64_t	x = 0;
	size_t		i;

	if (n == 0 || n > 10)
		return false;
	for (i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return false;
		x = x * 10 + (uint64_t)(p[i] - '0');
	}
	if (x > UINT32_MAX)
		return false;
	*v = (uint32_t)x;
	return true;
}

/* days_from_civil - days since 1970-01-01 of a proleptic Gregorian date */
static int64_t
days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t		era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static const char *const month_names[] = {
	"Jan", "Feb", "Mar", "Apr", "May", "Jun",
	"Jul", "Aug", "Sep", "Oct", "Nov", "Dec"
};

/* parse_internaldate - "17-Jul-1996 02:44:25 -0700" -> unix ms, or 0 */
static int64_t
parse_internaldate(const char *s, size_t n)
{
	char		 buf[40], mon[4], sign;
	int		 d, y, hh, mm, ss, zone, used = 0;
	unsigned	 m;

	if (n >= sizeof(buf))
		return 0;
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (sscanf(buf, " %2d-%3[A-Za-z]-%4d %2d:%2d:%2d %c%4d%n", &d, mon,
	    &y, &hh, &mm, &ss, &sign, &zone, &used) != 8 || used == 0)
		return 0;
	for (m = 0; m < 12; m++)
		if (strcasecmp(mon, month_names[m]) == 0)
			break;
	if (m == 12 || d < 1 || d > 31 || y < 1970 || y > 9999 || hh > 23 ||
	    mm > 59 || ss > 60 || (sign != '+' && sign != '-') ||
	    zone > 1459 || zone % 100 > 59)
		return 0;
	return ((days_from_civil(y, m + 1, (unsigned)d) * 86400 +
	    hh * 3600 + mm * 60 + ss) - (sign == '-' ? -1 : 1) *
	    ((zone / 100) * 3600 + (zone % 100) * 60)) * 1000;
}

/* imap_since_arg - "YYYY-MM-DD" (exactly, a real date) -> "D-Mon-YYYY"
 * for SEARCH SINCE (config_validate checks the same) */
static bool
imap_since_arg(const char *s, char *out, size_t outsz)
{
	static const int	mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31,
				    30, 31, 30, 31 };
	int			y, m, d, i;

	for (i = 0; i < 10; i++)
		if (i == 4 || i == 7 ? s[i] != '-' : !isdigit((unsigned char)
		    s[i]))
			return false;
	if (s[10] != '\0')
		return false;
	y = atoi(s);
	m = atoi(s + 5);
	d = atoi(s + 8);
	if (y < 1970 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1] +
	    (m == 2 && y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)))
		return false;
	snprintf(out, outsz, "%d-%s-%04d", d, month_names[m - 1], y);
	return true;
}

/*
 * mailbox_wire - a folder name (UTF-8, as configured) as an IMAP quoted
 * string in modified UTF-7 (RFC 3501 5.1.3): non-ASCII runs in base64,
 * and "&" as "&-" also in a pure ASCII name ("R&D" is "R&-D" on the
 * wire).  NULL for a name that cannot be sent.
 */
static char *
mailbox_wire(const char *name, struct errbuf *err)
{
	static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnop"
	    "qrstuvwxyz0123456789+,";
	const unsigned char	*p = (const unsigned char *)name;
	struct strbuf		 sb = { 0 };
	size_t			 i;

	if (name[0] == '\0') {
		errbuf_set(err, "empty folder name");
		return NULL;
	}
	for (i = 0; p[i] != '\0'; i++) {
		if (p[i] < 0x20 || p[i] == 0x7f) {
			errbuf_set(err, "folder name \"%s\" has a control "
			    "character", name);
			return NULL;
		}
	}
	sb_putc(&sb, '"');
	while (*p != '\0') {
		if (*p >= 0x20 && *p < 0x7f) {
			if (*p == '"' || *p == '\\')
				sb_putc(&sb, '\\');
			sb_putc(&sb, (char)*p);
			if (*p == '&')
				sb_putc(&sb, '-');
			p++;
			continue;
		}
		/* a run of non-printable-ASCII characters: UTF-16, base64 */
		{
			uint32_t	bits = 0;
			int		nbits = 0;

			sb_putc(&sb, '&');
			while (*p != '\0' && (*p < 0x20 || *p >= 0x7f)) {
				uint32_t	cp, u[2];
				int		len, k, nu;

				if ((*p & 0xe0) == 0xc0)
					len = 2;
				else if ((*p & 0xf0) == 0xe0)
					len = 3;
				else if ((*p & 0xf8) == 0xf0)
					len = 4;
				else
					goto bad;
				cp = len == 2 ? (*p & 0x1fu) : len == 3 ?
				    (*p & 0x0fu) : (*p & 0x07u);
				for (k = 1; k < len; k++) {
					if ((p[k] & 0xc0) != 0x80)
						goto bad;
					cp = (cp << 6) | (p[k] & 0x3fu);
				}
				if ((len == 2 && cp < 0x80) ||
				    (len == 3 && cp < 0x800) ||
				    (len == 4 && cp < 0x10000) ||
				    cp > 0x10ffff ||
				    (cp >= 0xd800 && cp <= 0xdfff))
					goto bad;
				p += len;
				if (cp >= 0x10000) {
					cp -= 0x10000;
					u[0] = 0xd800 | (cp >> 10);
					u[1] = 0xdc00 | (cp & 0x3ff);
					nu = 2;
				} else {
					u[0] = cp;
					nu = 1;
				}
				for (k = 0; k < nu; k++) {
					bits = (bits << 16) | u[k];
					nbits += 16;
					while (nbits >= 6) {
						nbits -= 6;
						sb_putc(&sb, b64[(bits >> nbits) &
						    0x3f]);
					}
				}
			}
			if (nbits > 0)
				sb_putc(&sb, b64[(bits << (6 - nbits)) & 0x3f]);
			sb_putc(&sb, '-');
		}
	}
	sb_putc(&sb, '"');
	return sb_steal(&sb);
bad:
	sb_free(&sb);
	errbuf_set(err, "folder name \"%s\" is not valid UTF-8", name);
	return NULL;
}

/* uid_set - "a:b,c,..." for uid[0..n) (ascending), at most SET_MAX_CHARS;
 * returns how many UIDs the set covers */
static size_t
uid_set(const uint32_t *uid, size_t n, struct strbuf *sb)
{
	size_t	i = 0, j;
	char	item[32];
	int	len;

	sb_reset(sb);
	while (i < n) {
		for (j = i; j + 1 < n && uid[j + 1] == uid[j] + 1; j++)
			;
		if (j > i)
			len = snprintf(item, sizeof(item), "%s%" PRIu32 ":%"
			    PRIu32, sb->len ? "," : "", uid[i], uid[j]);
		else
			len = snprintf(item, sizeof(item), "%s%" PRIu32,
			    sb->len ? "," : "", uid[i]);
		if (sb->len + (size_t)len > SET_MAX_CHARS)
			break;
		sb_append(sb, item, (size_t)len);
		i = j + 1;
	}
	return i;
}

/* read_secret - first line of a file only its owner may read */
static char *
read_secret(const char *path, const char *key, struct errbuf *err)
{
	struct stat	 st;
	char		*buf = NULL, *nl;
	size_t		 len;
	int		 fd;

	if (path == NULL) {
		errbuf_set(err, "%s is not set", key);
		return NULL;
	}
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) == -1) {
		errbuf_set(err, "%s %s: %s", key, path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		errbuf_set(err, "%s %s: not a regular file", key, path);
		close(fd);
		return NULL;
	}
	if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
		errbuf_set(err, "%s %s: mode %04o: refusing a secret file "
		    "that group or others may access (chmod 600)", key, path,
		    (unsigned)(st.st_mode & 07777));
		close(fd);
		return NULL;
	}
	close(fd);
	if (file_read_all(path, SECRET_MAX, &buf, &len, err) == -1)
		return NULL;
	if ((nl = memchr(buf, '\n', len)) != NULL)
		len = (size_t)(nl - buf);
	if (len > 0 && buf[len - 1] == '\r')
		len--;
	buf[len] = '\0';
	if (len == 0 || memchr(buf, '\0', len) != NULL) {
		errbuf_set(err, "%s %s: the first line is empty", key, path);
		free(buf);
		return NULL;
	}
	return buf;
}

/* secret_free - wipe and free */
static void
secret_free(char *s)
{
	if (s != NULL) {
		explicit_bzero(s, strlen(s));
		free(s);
	}
}

/* fsync_dir - make a rename in dir durable */
static int
fsync_dirfd(int dfd)
{
	return fsync(dfd) == -1 && errno != EINVAL ? -1 : 0;
}

/* write_durable - dfd/name := data, via a temporary file, fsync and
 * rename (the caller fsyncs the directory) */
static int
write_durable(int dfd, const char *name, const char *data, size_t len,
    struct errbuf *err)
{
	char	 tmp[PATH_MAX];
	int	 fd, saved;

	snprintf(tmp, sizeof(tmp), ".%s.tmp.%ld", name, (long)getpid());
	fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC |
	    O_NOFOLLOW, 0600);
	if (fd == -1) {
		errbuf_set(err, "%s: %s", tmp, strerror(errno));
		return -1;
	}
	if (fd_write_all(fd, data, len) == -1 || fsync(fd) == -1)
		goto fail;
	if (close(fd) == -1) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (renameat(dfd, tmp, dfd, name) == -1)
		goto fail;
	return 0;
fail:
	saved = errno;
	errbuf_set(err, "%s: %s", name, strerror(saved));
	if (fd != -1)
		close(fd);
	(void)unlinkat(dfd, tmp, 0);
	errno = saved;
	return -1;
}

/* ---------------------------------------------------------- progress */

/* prog_clear - erase the progress bar before a log line */
static void
prog_clear(struct progress *pg)
{
	if (pg->tty && pg->drawn) {
		fputs("\r\033[K", stderr);
		pg->drawn = false;
	}
}

#define BF_LOG(bf, lvl, ...) do { \
	prog_clear(&(bf)->prog); \
	log_msg((lvl), __VA_ARGS__); \
} while (0)

/* prog_start - a folder begins: total messages to fetch */
static void
prog_start(struct progress *pg, const char *folder, uint64_t total)
{
	pg->folder = folder;
	pg->total = total;
	pg->done = 0;
	pg->t0 = util_mono_ms();
	pg->last_draw = 0;
	pg->next_log = PROGRESS_EVERY;
}

/* prog_step - one message done: redraw (tty) or log every N */
static void
prog_step(struct bf *bf, bool force)
{
	struct progress	*pg = &bf->prog;
	int64_t		 now = util_mono_ms(), el;
	double		 rate;
	uint64_t	 left;

	el = now - pg->t0;
	rate = el > 0 ? (double)pg->done * 1000.0 / (double)el : 0.0;
	if (pg->tty) {
		char	eta[32] = "-";
		int	pct;

		if (!force && now - pg->last_draw < PROGRESS_MS)
			return;
		pg->last_draw = now;
		left = pg->total > pg->done ? pg->total - pg->done : 0;
		if (rate > 0.0) {
			uint64_t s = (uint64_t)((double)left / rate);

			snprintf(eta, sizeof(eta), "%" PRIu64 ":%02u:%02u",
			    s / 3600, (unsigned)(s / 60 % 60),
			    (unsigned)(s % 60));
		}
		pct = pg->total ? (int)(pg->done * 100 / pg->total) : 100;
		fprintf(stderr, "\r\033[K%s: %" PRIu64 "/%" PRIu64 " (%d%%) "
		    "%.0f msg/s ETA %s", pg->folder, pg->done, pg->total, pct,
		    rate, eta);
		fflush(stderr);
		pg->drawn = true;
		return;
	}
	if (pg->done >= pg->next_log && pg->done < pg->total) {
		pg->next_log = pg->done + PROGRESS_EVERY;
		log_info("-: imap: %s: %" PRIu64 "/%" PRIu64 " messages, "
		    "%.0f msg/s", pg->folder, pg->done, pg->total, rate);
	}
}

/* ----------------------------------------------------------- session */

/* ic_fail - the session failed: remember code and message */
static int
ic_fail(struct imapc *ic, int code, const char *fmt, ...)
{
	va_list	ap;
	char	msg[sizeof(ic->err.msg)];

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	errbuf_set(&ic->err, "%s", msg);
	ic->code = code;
	ic->broken = true;
	return -1;
}

/* ic_wait - poll the socket for ev; -1 on timeout, signal or error */
static int
ic_wait(struct imapc *ic, short ev, int64_t deadline)
{
	struct pollfd	pfd;
	int64_t		left;
	int		r;

	for (;;) {
		if (ic->interruptible && bf_stop)
			return ic_fail(ic, BACKFILL_EXIT_INTERRUPTED,
			    "interrupted");
		left = deadline - util_mono_ms();
		if (left <= 0)
			return ic_fail(ic, BACKFILL_EXIT_TIMEOUT, "%s: no "
			    "answer for %d seconds (imap_timeout)", ic->where,
			    ic->timeout_ms / 1000);
		pfd.fd = ic->fd;
		pfd.events = ev;
		pfd.revents = 0;
		r = poll(&pfd, 1, left > 1000 ? 1000 : (int)left);
		if (r > 0)
			return 0;
		if (r == -1 && errno != EINTR)
			return ic_fail(ic, BACKFILL_EXIT_PROTOCOL, "%s: poll: "
			    "%s", ic->where, strerror(errno));
	}
}

/* ic_send - send all of s */
static int
ic_send(struct imapc *ic, const char *s, size_t len)
{
	int64_t		deadline = util_mono_ms() + ic->timeout_ms;
	size_t		off = 0, n;
	CURLcode	rc;

	while (off < len) {
		n = 0;
		rc = curl_easy_send(ic->curl, s + off, len - off, &n);
		if (rc == CURLE_AGAIN) {
			if (ic_wait(ic, POLLOUT, deadline) == -1)
				return -1;
			continue;
		}
		if (rc != CURLE_OK)
			return ic_fail(ic, BACKFILL_EXIT_PROTOCOL, "%s: send: "
			    "%s", ic->where, curl_easy_strerror(rc));
		off += n;
		deadline = util_mono_ms() + ic->timeout_ms;
	}
	return 0;
}

/* ic_recv - read at least one byte (at most len) into p; *got says how
 * many */
static int
ic_recv(struct imapc *ic, char *p, size_t len, size_t *got)
{
	int64_t		deadline = util_mono_ms() + ic->timeout_ms;
	size_t		n;
	CURLcode	rc;

	for (;;) {
		n = 0;
		rc = curl_easy_recv(ic->curl, p, len, &n);
		if (rc == CURLE_AGAIN) {
			if (ic_wait(ic, POLLIN, deadline) == -1)
				return -1;
			continue;
		}
		if (rc != CURLE_OK)
			return ic_fail(ic, BACKFILL_EXIT_PROTOCOL, "%s: "
			    "receive: %s", ic->where, curl_easy_strerror(rc));
		if (n == 0)
			return ic_fail(ic, BACKFILL_EXIT_PROTOCOL, "%s: the "
			    "server closed the connection%s%s", ic->where,
			    ic->bye[0] ? ": " : "", ic->bye);
		*got = n;
		return 0;
	}
}

/* ic_fill - read more input (at least one byte) */
static int
ic_fill(struct imapc *ic)
{
	size_t	n;

	if (ic->start > 0 && (ic->start == ic->end ||
	    ic->start > ic->cap / 2)) {
		memmove(ic->buf, ic->buf + ic->start, ic->end - ic->start);
		ic->end -= ic->start;
		ic->start = 0;
	}
	if (ic->cap - ic->end < 16384) {
		ic->cap = ic->cap ? ic->cap * 2 : 65536;
		ic->buf = xrealloc(ic->buf, ic->cap);
	}
	if (ic_recv(ic, ic->buf + ic->end, ic->cap - ic->end, &n) == -1)
		return -1;
	ic->end += n;
	return 0;
}

/* ic_line - next line (without CRLF) appended to sb, at most max bytes */
static int
ic_line(struct imapc *ic, struct strbuf *sb, size_t max)
{
	char	*nl;
	size_t	 scanned = 0, len;

	for (;;) {
		nl = ic->end > ic->start + scanned ? memchr(ic->buf +
		    ic->start + scanned, '\n', ic->end - ic->start -
		    scanned) : NULL;
		if (nl != NULL)
			break;
		scanned = ic->end - ic->start;
		if (scanned > max + 1)
			return ic_fail(ic, BACKFILL_EXIT_PROTOCOL, "%s: "
			    "response line longer than %zu bytes", ic->where,
			    max);
		/* keep the partial line at the start of the buffer */
		if (ic->start > 0) {
			memmove(ic->buf, ic->buf + ic->start,
			    ic->end - ic->start);
			ic->end -= ic->start;
			ic->start = 0;
		}
		if (ic_fill(ic) == -1)
			return -1;
	}
	len = (size_t)(nl - (ic->buf + ic->start));
	if (len > max)
		return ic_fail(ic, BACKFILL_EXIT_PROTOCOL, "%s: response "
		    "line longer than %zu bytes", ic->where, max);
	sb_append(sb, ic->buf + ic->start, len > 0 &&
	    nl[-1] == '\r' ? len - 1 : len);
	ic->start += len + 1;
	return 0;
}

/* ic_literal - read n literal bytes into sb: what is buffered, then the
 * rest straight from the connection into sb (never past the literal) */
static int
ic_literal(struct imapc *ic, struct strbuf *sb, size_t n)
{
	size_t	have;

	if (sb->cap < sb->len + n + 1) {
		sb->s = xrealloc(sb->s, sb->len + n + 1);
		sb->cap = sb->len + n + 1;
	}
	while (n > 0) {
		have = ic->end - ic->start;
		if (have == 0) {
			if (ic_recv(ic, sb->s + sb->len, n, &have) == -1)
				return -1;
		} else {
			if (have > n)
				have = n;
			memcpy(sb->s + sb->len, ic->buf + ic->start, have);
			ic->start += have;
		}
		sb->len += have;
		n -= have;
	}
	sb->s[sb->len] = '\0';
	return 0;
}

/*
 * ic_read_resp - one whole response into ic->r.  A line that ends in a
 * literal marker {N} continues after the N bytes; the literal goes to
 * r.lit[] (at most lit_max bytes each, RESP_MAX_LITS of them) and the
 * text keeps "{N}" as a place holder.
 */
static int
ic_read_resp(struct imapc *ic, size_t text_max, size_t lit_max)
{
	struct resp	*r = &ic->r;
	const char	*t, *open;
	uint32_t	 n;
	size_t		 i, lit_total = 0;

	sb_reset(&r->text);
	for (i = 0; i < r->nlit; i++)
		sb_reset(&r->lit[i].sb);
	r->nlit = 0;
	for (;;) {
		if (ic_line(ic, &r->text, text_max - (r->text.len <
		    text_max ? r->text.len : text_max)) == -1)
			return -1;
		t = r->text.s != NULL ? r->text.s : "";
		if (r->text.len < 3 || t[r->text.len - 1] != '}')
			return 0;
		open = memrchr(t, '{', r->text.len);
		if (open == NULL)
			return 0;
		i = (size_t)(t + r->text.len - 1 - (open + 1));
		if (i > 0 && open[i] == '+')	/* LITERAL+ form */
			i--;
		if (!parse_u32(open + 1, i, &n))
			return 0;		/* not a literal marker */
		if (n > lit_max || lit_total + n > lit_max + LIT_MAX_OTHER)
			return ic_fail(ic, BACKFILL_EXIT_PROTOCOL, "%s: server "
			    "sent a literal of %" PRIu32 " bytes (limit %zu)",
			    ic->where, n, lit_max);
		if (r->nlit == RESP_MAX_LITS)
			return ic_fail(ic, BACKFILL_EXIT_PROTOCOL, "%s: more "
			    "than %d literals in one response", ic->where,
			    RESP_MAX_LITS);
		/* a message's buffer is handed over to a worker, and
		 * comes back after its commit */
		if (r->lit[r->nlit].sb.s == NULL && ic->nspare > 0)
			r->lit[r->nlit].sb = ic->spare[--ic->nspare];
		sb_reset(&r->lit[r->nlit].sb);
		if (ic_literal(ic, &r->lit[r->nlit].sb, n) == -1)
			return -1;
		/* even a zero-length literal is a string, not NIL */
		sb_append(&r->lit[r->nlit].sb, "", 0);
		r->nlit++;
		lit_total += n;
	}
}

/* resp_code_text - "OK [CODE] text": copy a printable, bounded version */
static void
save_text(char *dst, size_t dstsz, const char *s)
{
	size_t	i;

	for (i = 0; s[i] != '\0' && i + 1 < dstsz; i++)
		dst[i] = (s[i] >= 0x20 && s[i] < 0x7f) ? s[i] : '?';
	dst[i] = '\0';
}

typedef int	(*untagged_fn)(struct imapc *, const char *text, size_t len,
		    void *arg);

enum { IC_OK = 0, IC_NO = 1, IC_BAD = 2 };

/* word_is - does text at p start with word w followed by SP or end */
static bool
word_is(const char *p, const char *end, const char *w)
{
	size_t	n = strlen(w);

	return (size_t)(end - p) >= n && strncasecmp(p, w, n) == 0 &&
	    (p + n == end || p[n] == ' ' || p[n] == '(' || p[n] == '[');
}

/* parse_caps - remember the capabilities we use */
static void
parse_caps(struct imapc *ic, const char *p, const char *end)
{
	ic->caps = 0;
	while (p < end) {
		while (p < end && *p == ' ')
			p++;
		if (word_is(p, end, "MOVE"))
			ic->caps |= CAP_MOVE;
		else if (word_is(p, end, "UIDPLUS"))
			ic->caps |= CAP_UIDPLUS;
		while (p < end && *p != ' ' && *p != ']')
			p++;
		if (p < end && *p == ']')
			break;
	}
}

/* ic_vstart - send "TAG command"; the tag's number, or 0 on failure */
static unsigned
ic_vstart(struct imapc *ic, const char *fmt, va_list ap)
{
	struct strbuf	 cmd = { 0 };
	char		*s;
	int		 rc;

	if (ic->broken)
		return 0;
	ic->tagno++;
	if (ic->tagno == 0)
		ic->tagno = 1;
	sb_printf(&cmd, "b%u ", ic->tagno);
	if (vasprintf(&s, fmt, ap) == -1)
		s = NULL;
	ASSERT(s != NULL);
	sb_puts(&cmd, s);
	free(s);
	log_debug("-: imap: C: %s", cmd.s);
	sb_puts(&cmd, "\r\n");
	rc = ic_send(ic, cmd.s, cmd.len);
	sb_free(&cmd);
	return rc == -1 ? 0 : ic->tagno;
}

/* ic_start - send a command without waiting for its answer (see ic_next) */
static unsigned
ic_start(struct imapc *ic, const char *fmt, ...)
{
	va_list		ap;
	unsigned	tag;

	va_start(ap, fmt);
	tag = ic_vstart(ic, fmt, ap);
	va_end(ap);
	return tag;
}

/*
 * ic_next - read one response.  An untagged one goes to fn (when not
 * NULL) after the common ones (BYE, CAPABILITY) are noted: 0.  A tagged
 * one: 1, with its tag number in *tag and IC_OK, IC_NO or IC_BAD in *st
 * (text of NO/BAD in ic->status).  -1 when the session failed.
 */
static int
ic_next(struct imapc *ic, untagged_fn fn, void *arg, size_t text_max,
    size_t lit_max, unsigned *tag, int *st)
{
	const char	*t, *end, *p, *q;
	uint32_t	 v;

	if (ic->broken)
		return -1;
	if (ic_read_resp(ic, text_max, lit_max) == -1)
		return -1;
	t = ic->r.text.s != NULL ? ic->r.text.s : "";
	end = t + ic->r.text.len;
	if (ic->r.text.len >= 2 && t[0] == '*' && t[1] == ' ') {
		p = t + 2;
		if (word_is(p, end, "BYE"))
			save_text(ic->bye, sizeof(ic->bye), p + 3 < end ?
			    p + 4 : "");
		else if (word_is(p, end, "CAPABILITY"))
			parse_caps(ic, p + 10, end);
		else if (word_is(p, end, "OK") && end - p > 16 &&
		    strncasecmp(p + 3, "[CAPABILITY ", 12) == 0)
			parse_caps(ic, p + 15, end);
		if (fn != NULL && fn(ic, p, (size_t)(end - p), arg) == -1)
			return -1;
		return 0;
	}
	if (t[0] == '+')
		return ic_fail(ic, BACKFILL_EXIT_PROTOCOL, "%s: unexpected "
		    "continuation request", ic->where);
	/* our tags are "b<number>" */
	for (q = t + 1; q < end && *q >= '0' && *q <= '9'; q++)
		;
	if (t[0] == 'b' && q < end && *q == ' ' &&
	    parse_u32(t + 1, (size_t)(q - (t + 1)), &v) && v != 0) {
		p = q + 1;
		*tag = v;
		if (word_is(p, end, "OK")) {
			*st = IC_OK;
			return 1;
		}
		if (word_is(p, end, "NO")) {
			save_text(ic->status, sizeof(ic->status), p + 2 < end ?
			    p + 3 : "");
			*st = IC_NO;
			return 1;
		}
		if (word_is(p, end, "BAD")) {
			save_text(ic->status, sizeof(ic->status), p + 3 < end ?
			    p + 4 : "");
			*st = IC_BAD;
			return 1;
		}
	}
	{
		char	shown[80];

		save_text(shown, sizeof(shown), t);
		return ic_fail(ic, BACKFILL_EXIT_PROTOCOL, "%s: unexpected "
		    "response \"%s\"", ic->where, shown);
	}
}

/* ic_unexpected - a tagged response for no command we are waiting for */
static int
ic_unexpected(struct imapc *ic)
{
	char	shown[80];

	save_text(shown, sizeof(shown), ic->r.text.s != NULL ? ic->r.text.s :
	    "");
	return ic_fail(ic, BACKFILL_EXIT_PROTOCOL, "%s: unexpected response "
	    "\"%s\"", ic->where, shown);
}

/*
 * ic_cmd - send "TAG command" and read responses up to the tagged one
 * (untagged ones go to fn, see ic_next).  Returns IC_OK, IC_NO or IC_BAD
 * (text in ic->status), or -1 when the session failed.
 */
static int
ic_cmd(struct imapc *ic, untagged_fn fn, void *arg, size_t text_max,
    size_t lit_max, const char *fmt, ...)
{
	va_list		 ap;
	unsigned	 tag, got = 0;
	int		 rc, st = IC_BAD;

	va_start(ap, fmt);
	tag = ic_vstart(ic, fmt, ap);
	va_end(ap);
	if (tag == 0)
		return -1;
	ic->status[0] = '\0';
	for (;;) {
		rc = ic_next(ic, fn, arg, text_max, lit_max, &got, &st);
		if (rc == -1)
			return -1;
		if (rc == 0)
			continue;
		if (got != tag)
			return ic_unexpected(ic);
		return st;
	}
}

/* xferinfo - abort curl's connect/login on SIGINT/SIGTERM */
static int
xferinfo(void *p, curl_off_t a, curl_off_t b, curl_off_t c, curl_off_t d)
{
	(void)p;
	(void)a;
	(void)b;
	(void)c;
	(void)d;
	return bf_stop ? 1 : 0;
}

/* curl_code - exit code and words for a curl connect/login failure */
static int
curl_code(CURLcode rc, const char **what)
{
	switch (rc) {
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
	case CURLE_COULDNT_CONNECT:
		*what = "cannot connect";
		return BACKFILL_EXIT_CONNECT;
	case CURLE_OPERATION_TIMEDOUT:
		*what = "timed out";
		return BACKFILL_EXIT_TIMEOUT;
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_CRL_BADFILE:
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
	case CURLE_SSL_INVALIDCERTSTATUS:
	case CURLE_SSL_ENGINE_NOTFOUND:
	case CURLE_SSL_ENGINE_SETFAILED:
	case CURLE_SSL_ENGINE_INITFAILED:
	case CURLE_USE_SSL_FAILED:
		*what = "TLS failed";
		return BACKFILL_EXIT_TLS;
	case CURLE_LOGIN_DENIED:
		*what = "login failed";
		return BACKFILL_EXIT_AUTH;
	case CURLE_ABORTED_BY_CALLBACK:
		*what = "interrupted";
		return BACKFILL_EXIT_INTERRUPTED;
	case CURLE_OUT_OF_MEMORY:
	case CURLE_UNSUPPORTED_PROTOCOL:
	case CURLE_FAILED_INIT:
	case CURLE_NOT_BUILT_IN:
		*what = "libcurl cannot do it";
		return BACKFILL_EXIT_SOFTWARE;
	default:
		*what = "connection failed";
		return BACKFILL_EXIT_PROTOCOL;
	}
}

/* ic_open - connect, TLS, login (all libcurl), then CAPABILITY */
static int
ic_open(struct imapc *ic, const struct config *cfg)
{
	const char	*what, *scheme, *detail;
	struct errbuf	 e;
	char		*url, *secret = NULL, *host;
	long		 port;
	CURLcode	 rc;
	int		 code;

	memset(ic, 0, sizeof(*ic));
	ic->fd = CURL_SOCKET_BAD;
	ic->timeout_ms = (int)cfg->imap_timeout * 1000;
	ic->interruptible = true;
	port = (long)cfg->imap_port;
	if (port == 0)
		port = cfg->imap_tls == IMAP_TLS_IMPLICIT ? 993 : 143;
	scheme = cfg->imap_tls == IMAP_TLS_IMPLICIT ? "imaps" : "imap";
	host = strchr(cfg->imap_host, ':') != NULL && cfg->imap_host[0] !=
	    '[' ? xasprintf("[%s]", cfg->imap_host) : xstrdup(cfg->imap_host);
	ic->where = xasprintf("%s:%ld", host, port);
	if (strpbrk(cfg->imap_host, "/@?#% \t\r\n") != NULL) {
		free(host);
		return ic_fail(ic, BACKFILL_EXIT_CONFIG, "imap_host \"%s\" is "
		    "not a host name", cfg->imap_host);
	}
	if (cfg->imap_user == NULL) {
		free(host);
		return ic_fail(ic, BACKFILL_EXIT_CONFIG, "imap_user is not "
		    "set");
	}
	if (cfg->imap_auth == IMAP_AUTH_XOAUTH2)
		secret = read_secret(cfg->imap_token_file, "imap_token_file",
		    &e);
	else
		secret = read_secret(cfg->imap_password_file,
		    "imap_password_file", &e);
	if (secret == NULL) {
		free(host);
		return ic_fail(ic, BACKFILL_EXIT_CONFIG, "%s", e.msg);
	}
	url = xasprintf("%s://%s:%ld/", scheme, host, port);
	free(host);

	if ((ic->curl = curl_easy_init()) == NULL) {
		free(url);
		secret_free(secret);
		return ic_fail(ic, BACKFILL_EXIT_SOFTWARE, "curl_easy_init "
		    "failed");
	}
	curl_easy_setopt(ic->curl, CURLOPT_URL, url);
#if LIBCURL_VERSION_NUM >= 0x075500
	curl_easy_setopt(ic->curl, CURLOPT_PROTOCOLS_STR, "imap,imaps");
#else
	curl_easy_setopt(ic->curl, CURLOPT_PROTOCOLS,
	    (long)(CURLPROTO_IMAP | CURLPROTO_IMAPS));
#endif
	curl_easy_setopt(ic->curl, CURLOPT_CONNECT_ONLY, 1L);
	curl_easy_setopt(ic->curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(ic->curl, CURLOPT_ERRORBUFFER, ic->curl_err);
	curl_easy_setopt(ic->curl, CURLOPT_USE_SSL, (long)CURLUSESSL_ALL);
	curl_easy_setopt(ic->curl, CURLOPT_SSLVERSION,
	    (long)CURL_SSLVERSION_TLSv1_2);
	curl_easy_setopt(ic->curl, CURLOPT_SSL_VERIFYPEER,
	    cfg->imap_tls_verify ? 1L : 0L);
	curl_easy_setopt(ic->curl, CURLOPT_SSL_VERIFYHOST,
	    cfg->imap_tls_verify ? 2L : 0L);
	if (cfg->imap_ca_file != NULL)
		curl_easy_setopt(ic->curl, CURLOPT_CAINFO, cfg->imap_ca_file);
	if (cfg->imap_ca_dir != NULL)
		curl_easy_setopt(ic->curl, CURLOPT_CAPATH, cfg->imap_ca_dir);
	curl_easy_setopt(ic->curl, CURLOPT_USERNAME, cfg->imap_user);
	if (cfg->imap_auth == IMAP_AUTH_XOAUTH2) {
		curl_easy_setopt(ic->curl, CURLOPT_XOAUTH2_BEARER, secret);
		curl_easy_setopt(ic->curl, CURLOPT_LOGIN_OPTIONS,
		    "AUTH=XOAUTH2");
	} else
		curl_easy_setopt(ic->curl, CURLOPT_PASSWORD, secret);
	curl_easy_setopt(ic->curl, CURLOPT_SASL_IR, 1L);
	curl_easy_setopt(ic->curl, CURLOPT_CONNECTTIMEOUT,
	    (long)cfg->imap_connect_timeout);
	curl_easy_setopt(ic->curl, CURLOPT_SERVER_RESPONSE_TIMEOUT,
	    (long)cfg->imap_timeout);
	curl_easy_setopt(ic->curl, CURLOPT_TIMEOUT,
	    (long)(cfg->imap_connect_timeout + 3 * cfg->imap_timeout));
	curl_easy_setopt(ic->curl, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(ic->curl, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(ic->curl, CURLOPT_XFERINFOFUNCTION, xferinfo);

	rc = curl_easy_perform(ic->curl);
	/* the secret is no longer needed: wipe curl's and our copies */
	curl_easy_setopt(ic->curl, CURLOPT_PASSWORD, "");
	curl_easy_setopt(ic->curl, CURLOPT_XOAUTH2_BEARER, "");
	secret_free(secret);
	free(url);
	if (rc != CURLE_OK) {
		code = curl_code(rc, &what);
		detail = ic->curl_err[0] ? ic->curl_err :
		    curl_easy_strerror(rc);
		if (code == BACKFILL_EXIT_AUTH)
			return ic_fail(ic, code, "%s: login failed for user "
			    "%s (%s): %s", ic->where, cfg->imap_user,
			    cfg->imap_auth == IMAP_AUTH_XOAUTH2 ? "XOAUTH2" :
			    "password", detail);
		/* the classic mix-up: each side waits for the other to
		 * speak first (STARTTLS on 993) or TLS meets plain text */
		if ((code == BACKFILL_EXIT_TIMEOUT ||
		    code == BACKFILL_EXIT_TLS) &&
		    ((port == 993 && cfg->imap_tls == IMAP_TLS_STARTTLS) ||
		    (port == 143 && cfg->imap_tls == IMAP_TLS_IMPLICIT)))
			return ic_fail(ic, code, "%s://%s: %s: %s (port %ld "
			    "is usually %s: check imap_tls and imap_port)",
			    scheme, ic->where, what, detail, port,
			    port == 993 ? "implicit TLS" : "STARTTLS");
		return ic_fail(ic, code, "%s://%s: %s: %s", scheme, ic->where,
		    what, detail);
	}
	if (curl_easy_getinfo(ic->curl, CURLINFO_ACTIVESOCKET, &ic->fd) !=
	    CURLE_OK || ic->fd == CURL_SOCKET_BAD)
		return ic_fail(ic, BACKFILL_EXIT_SOFTWARE, "%s: no socket "
		    "after login", ic->where);
	code = ic_cmd(ic, NULL, NULL, LINE_MAX_TEXT, LIT_MAX_OTHER,
	    "CAPABILITY");
	if (code == -1)
		return -1;
	if (code != IC_OK)
		return ic_fail(ic, BACKFILL_EXIT_PROTOCOL, "%s: CAPABILITY: "
		    "%s", ic->where, ic->status);
	return 0;
}

/* ic_close - LOGOUT (best effort) and free */
static void
ic_close(struct imapc *ic)
{
	size_t	i;

	if (ic->curl != NULL && !ic->broken) {
		ic->interruptible = false;
		ic->timeout_ms = ic->timeout_ms > 5000 ? 5000 : ic->timeout_ms;
		(void)ic_cmd(ic, NULL, NULL, LINE_MAX_TEXT, LIT_MAX_OTHER,
		    "LOGOUT");
	}
	if (ic->curl != NULL)
		curl_easy_cleanup(ic->curl);
	ic->curl = NULL;
	free(ic->buf);
	free(ic->where);
	sb_free(&ic->r.text);
	for (i = 0; i < RESP_MAX_LITS; i++)
		sb_free(&ic->r.lit[i].sb);
	for (i = 0; i < ic->nspare; i++)
		sb_free(&ic->spare[i]);
	memset(ic, 0, sizeof(*ic));
}

/* -------------------------------------------------- IMAP data parsing */

/* A cursor over response text with literal place holders. */
struct cur {
	const char	*p, *end;
	struct resp	*r;
	size_t		 nextlit;
};

/* cur_string - quoted string, literal or NIL at the cursor.  s and n point
 * into the response (quoted strings keep their escapes: see
 * fetch_resp for a body).  NIL gives *s = NULL. */
static bool
cur_string(struct cur *c, const char **s, size_t *n)
{
	const char	*q;
	uint32_t	 len;

	if (c->p >= c->end)
		return false;
	if (*c->p == '"') {
		for (q = c->p + 1; q < c->end && *q != '"'; q++)
			if (*q == '\\' && q + 1 < c->end)
				q++;
		if (q >= c->end)
			return false;
		*s = c->p + 1;
		*n = (size_t)(q - (c->p + 1));
		c->p = q + 1;
		return true;
	}
	if (*c->p == '{') {
		for (q = c->p + 1; q < c->end && *q != '}'; q++)
			;
		if (q >= c->end)
			return false;
		if (!parse_u32(c->p + 1, (size_t)(q - c->p - 1) -
		    (q[-1] == '+' ? 1 : 0), &len) ||
		    c->nextlit >= c->r->nlit ||
		    c->r->lit[c->nextlit].sb.len != len)
			return false;
		*s = c->r->lit[c->nextlit].sb.s;
		*n = len;
		c->nextlit++;
		c->p = q + 1;
		return true;
	}
	if (c->end - c->p >= 3 && strncasecmp(c->p, "NIL", 3) == 0) {
		*s = NULL;
		*n = 0;
		c->p += 3;
		return true;
	}
	return false;
}

/* cur_skip_value - skip one value: atom, number, string or (list) */
static bool
cur_skip_value(struct cur *c, int depth)
{
	const char	*s;
	size_t		 n;

	if (c->p >= c->end || depth > 32)
		return false;
	if (*c->p == '"' || *c->p == '{')
		return cur_string(c, &s, &n);
	if (*c->p == '(') {
		c->p++;
		for (;;) {
			while (c->p < c->end && *c->p == ' ')
				c->p++;
			if (c->p >= c->end)
				return false;
			if (*c->p == ')') {
				c->p++;
				return true;
			}
			if (!cur_skip_value(c, depth + 1))
				return false;
		}
	}
	/* atom (may contain [..] sections) */
	s = c->p;
	while (c->p < c->end && *c->p != ' ' && *c->p != ')' &&
	    *c->p != '(') {
		if (*c->p == '[') {
			while (c->p < c->end && *c->p != ']')
				c->p++;
			if (c->p == c->end)
				return false;
		}
		c->p++;
	}
	return c->p > s;
}

/* A message as found in one FETCH response. */
struct fetched {
	uint32_t	 uid;
	bool		 have_uid, have_body;
	bool		 body_item;		/* BODY[] given, maybe NIL */
	bool		 body_quoted;		/* as a quoted string */
	bool		 have_meta;		/* RFC822.SIZE or INTERNALDATE */
	uint64_t	 size;
	int64_t		 idate_ms;
	const char	*body;
	size_t		 len;
};

/*
 * parse_fetch - "N FETCH (UID u RFC822.SIZE s INTERNALDATE "d" BODY[]<0>
 * {n}...)" (any order, other items skipped).  False if malformed.
 */
static bool
parse_fetch(struct resp *r, const char *p, const char *end,
    struct fetched *m)
{
	struct cur	 c = { .p = p, .end = end, .r = r };
	const char	*name, *s;
	size_t		 nlen, n;
	uint32_t	 v;

	memset(m, 0, sizeof(*m));
	/* p is after "* ": skip the sequence number and "FETCH (" */
	while (c.p < c.end && isdigit((unsigned char)*c.p))
		c.p++;
	if (c.p == p || c.end - c.p < 8 || strncasecmp(c.p, " FETCH (", 8) != 0)
		return false;
	c.p += 8;
	for (;;) {
		while (c.p < c.end && *c.p == ' ')
			c.p++;
		if (c.p >= c.end)
			return false;
		if (*c.p == ')')
			return true;
		name = c.p;
		while (c.p < c.end && *c.p != ' ' && *c.p != '(' &&
		    *c.p != ')') {
			if (*c.p == '[') {
				while (c.p < c.end && *c.p != ']')
					c.p++;
				if (c.p == c.end)
					return false;
			}
			c.p++;
		}
		nlen = (size_t)(c.p - name);
		if (nlen == 0 || c.p >= c.end || *c.p != ' ')
			return false;
		c.p++;
		if (nlen == 3 && strncasecmp(name, "UID", 3) == 0) {
			s = c.p;
			while (c.p < c.end && isdigit((unsigned char)*c.p))
				c.p++;
			if (!parse_u32(s, (size_t)(c.p - s), &v) || v == 0)
				return false;
			m->uid = v;
			m->have_uid = true;
		} else if (nlen == 11 &&
		    strncasecmp(name, "RFC822.SIZE", 11) == 0) {
			s = c.p;
			while (c.p < c.end && isdigit((unsigned char)*c.p))
				c.p++;
			if (!parse_u32(s, (size_t)(c.p - s), &v))
				return false;
			m->size = v;
			m->have_meta = true;
		} else if (nlen == 12 &&
		    strncasecmp(name, "INTERNALDATE", 12) == 0) {
			if (!cur_string(&c, &s, &n))
				return false;
			m->idate_ms = s != NULL ? parse_internaldate(s, n) : 0;
			m->have_meta = true;
		} else if (nlen >= 6 && strncasecmp(name, "BODY[]", 6) == 0) {
			m->body_quoted = c.p < c.end && *c.p == '"';
			if (!cur_string(&c, &s, &n))
				return false;
			m->body = s;
			m->len = n;
			m->have_body = s != NULL;
			m->body_item = true;
		} else if (!cur_skip_value(&c, 0))
			return false;
	}
}

/* --------------------------------------------------------- checkpoint */

/*
 * ckpt_read - load a folder's checkpoint; 0 none, 1 loaded, -1 corrupt.
 * A checkpoint written before the search/since lines existed is taken
 * as made with this run's search (cfg): its search is not known, and
 * sweeping every folder again on the first run after an upgrade would
 * alert again what sent_retention has forgotten.  The next write
 * records the lines (ckpt_old).
 */
static int
ckpt_read(const struct config *cfg, struct folder *f, struct errbuf *err)
{
	char		*buf = NULL, *line, *save = NULL;
	size_t		 len;
	bool		 v_ok = false, l_ok = false, magic = false;
	bool		 s_ok = false, d_ok = false;
	struct errbuf	 e;

	f->ckpt_search = (int)cfg->imap_search;
	snprintf(f->ckpt_since, sizeof(f->ckpt_since), "%s",
	    cfg->imap_since != NULL ? cfg->imap_since : "");
	if (access(f->ckpt_path, F_OK) == -1 && errno == ENOENT)
		return 0;
	if (file_read_all(f->ckpt_path, CKPT_MAX, &buf, &len, &e) == -1) {
		errbuf_set(err, "checkpoint %s", e.msg);
		return -1;
	}
	for (line = strtok_r(buf, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		if (!magic) {
			magic = strcmp(line, BACKFILL_CKPT_MAGIC) == 0;
			if (!magic)
				break;
		} else if (strncmp(line, "uidvalidity ", 12) == 0)
			v_ok = parse_u32(line + 12, strlen(line + 12),
			    &f->ckpt_validity);
		else if (strncmp(line, "last_uid ", 9) == 0)
			l_ok = parse_u32(line + 9, strlen(line + 9), &f->last);
		else if (strncmp(line, "search ", 7) == 0) {
			s_ok = true;
			f->ckpt_search = strcmp(line + 7, "unseen") == 0 ?
			    IMAP_SEARCH_UNSEEN : strcmp(line + 7, "all") == 0 ?
			    IMAP_SEARCH_ALL : -1;
		} else if (strncmp(line, "since ", 6) == 0) {
			char	arg[32];

			d_ok = true;
			if (strcmp(line + 6, "-") == 0)
				f->ckpt_since[0] = '\0';
			else if (imap_since_arg(line + 6, arg, sizeof(arg)))
				memcpy(f->ckpt_since, line + 6, 11);
			else
				strcpy(f->ckpt_since, "?");
		}
	}
	free(buf);
	if (!magic || !v_ok || !l_ok) {
		errbuf_set(err, "checkpoint %s is not valid (remove it to "
		    "scan folder %s from the start)", f->ckpt_path, f->name);
		f->last = 0;
		return -1;
	}
	f->have_ckpt = true;
	f->ckpt_old = !s_ok || !d_ok;
	return 1;
}

/* ckpt_write - durably replace the folder's checkpoint */
static int
ckpt_write(struct bf *bf, struct folder *f, struct errbuf *err)
{
	struct strbuf	 sb = { 0 };
	const char	*base;
	char		 ts[32];
	time_t		 now = time(NULL);
	struct tm	 tm;
	int		 dfd, rc;

	gmtime_r(&now, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
	sb_printf(&sb, "%s\naccount %s\nfolder %s\nuidvalidity %" PRIu32
	    "\nlast_uid %" PRIu32 "\nsearch %s\nsince %s\nupdated %s\n",
	    BACKFILL_CKPT_MAGIC, bf->acct, f->name, f->uidvalidity, f->last,
	    bf->cfg->imap_search == IMAP_SEARCH_ALL ? "all" : "unseen",
	    bf->cfg->imap_since != NULL ? bf->cfg->imap_since : "-", ts);
	if ((dfd = open(bf->ckpt_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) ==
	    -1) {
		errbuf_set(err, "%s: %s", bf->ckpt_dir, strerror(errno));
		sb_free(&sb);
		return -1;
	}
	base = strrchr(f->ckpt_path, '/') + 1;
	rc = write_durable(dfd, base, sb.s, sb.len, err);
	if (rc == 0 && fsync_dirfd(dfd) == -1) {
		errbuf_set(err, "fsync %s: %s", bf->ckpt_dir, strerror(errno));
		rc = -1;
	}
	close(dfd);
	sb_free(&sb);
	f->have_ckpt = rc == 0 || f->have_ckpt;
	f->ckpt_validity = f->uidvalidity;
	if (rc == 0) {
		f->ckpt_old = false;
		f->ckpt_search = (int)bf->cfg->imap_search;
		snprintf(f->ckpt_since, sizeof(f->ckpt_since), "%s",
		    bf->cfg->imap_since != NULL ? bf->cfg->imap_since : "");
	}
	return rc;
}

/*
 * search_wider - can this run's search (imap_search, imap_since) find a
 * message that the one the checkpoint was made with could not?  Then
 * messages up to last_uid may never have been looked at.  ALL is wider
 * than UNSEEN, no since or an earlier one wider than a later one.
 */
static bool
search_wider(const struct config *cfg, const struct folder *f)
{
	const char	*since = cfg->imap_since != NULL ? cfg->imap_since : "";

	if (f->ckpt_search == -1 || strcmp(f->ckpt_since, "?") == 0)
		return true;
	if (cfg->imap_search == IMAP_SEARCH_ALL &&
	    f->ckpt_search != IMAP_SEARCH_ALL)
		return true;
	/* YYYY-MM-DD compare as strings; "" (none) is the earliest */
	return f->ckpt_since[0] != '\0' && strcmp(since, f->ckpt_since) < 0;
}

/* ------------------------------------------------------------ folders */

/* select_resp - untagged data of SELECT/EXAMINE */
static int
select_resp(struct imapc *ic, const char *t, size_t len, void *arg)
{
	struct folder	*f = arg;
	const char	*end = t + len, *p;
	uint32_t	 v;

	(void)ic;
	if (len > 4 && strncasecmp(t, "OK [", 4) == 0) {
		p = t + 4;
		if (end - p > 12 && strncasecmp(p, "UIDVALIDITY ", 12) == 0) {
			p += 12;
			t = p;
			while (p < end && isdigit((unsigned char)*p))
				p++;
			if (parse_u32(t, (size_t)(p - t), &v))
				f->uidvalidity = v;
		} else if (end - p > 8 && strncasecmp(p, "UIDNEXT ", 8) == 0) {
			p += 8;
			t = p;
			while (p < end && isdigit((unsigned char)*p))
				p++;
			if (parse_u32(t, (size_t)(p - t), &v))
				f->uidnext = v;
		}
	}
	return 0;
}

/* A UID SEARCH result. */
struct uids {
	uint32_t	*v;
	size_t		 n, cap;
	uint32_t	 above;			/* keep only UIDs > above */
};

/* search_resp - "SEARCH 1 2 3" (any order; MODSEQ ignored) */
static int
search_resp(struct imapc *ic, const char *t, size_t len, void *arg)
{
	struct uids	*u = arg;
	const char	*end = t + len, *p, *s;
	uint32_t	 v;

	(void)ic;
	if (!word_is(t, end, "SEARCH"))
		return 0;
	for (p = t + 6; p < end; ) {
		while (p < end && *p == ' ')
			p++;
		s = p;
		while (p < end && isdigit((unsigned char)*p))
			p++;
		if (p == s) {		/* "(MODSEQ n)" or junk: skip a word */
			while (p < end && *p != ' ')
				p++;
			continue;
		}
		if (parse_u32(s, (size_t)(p - s), &v) && v > u->above) {
			if (u->n == u->cap) {
				u->cap = u->cap ? u->cap * 2 : 1024;
				u->v = xrealloc(u->v, u->cap * sizeof(*u->v));
			}
			u->v[u->n++] = v;
		}
	}
	return 0;
}

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t	x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* ------------------------------------------------------------ alerts */

/*
 * outq_flush - make the queued --output files durable and give them
 * their names: one syncfs() for all of them on Linux (an fsync per file
 * costs a journal commit each: 10x slower), else fsync each; then link
 * each to <id>.json (an existing name means a duplicate: another message
 * with the same id) and fsync the directory.
 */
static int
outq_flush(struct bf *bf, struct folder *f, struct errbuf *err)
{
	struct outq	*q = &bf->outq;
	size_t		 i;
	int		 rc = 0;

#ifdef __linux__
	if (q->n > 0 && syncfs(q->fd[0]) == -1) {
		errbuf_set(err, "%s: syncfs: %s", bf->opts->output_dir,
		    strerror(errno));
		rc = -1;
	}
#else
	for (i = 0; i < q->n; i++) {
		if (rc == 0 && fsync(q->fd[i]) == -1) {
			errbuf_set(err, "%s/%s: fsync: %s",
			    bf->opts->output_dir, q->name[i], strerror(errno));
			rc = -1;
		}
	}
#endif
	for (i = 0; i < q->n; i++) {
		char	proc[64];
		int	lrc = 0;

		if (rc == 0 && q->tmp[i] == NULL) {
			/* an unnamed O_TMPFILE gets its name */
			snprintf(proc, sizeof(proc), "/proc/self/fd/%d",
			    q->fd[i]);
			lrc = linkat(AT_FDCWD, proc, bf->out_dfd, q->name[i],
			    AT_SYMLINK_FOLLOW);
		} else if (rc == 0)
			lrc = linkat(bf->out_dfd, q->tmp[i], bf->out_dfd,
			    q->name[i], 0);
		if (rc == 0 && lrc == -1) {
			if (errno == EEXIST) {
				f->c.alerted--;
				f->c.dup++;
			} else {
				errbuf_set(err, "%s/%s: %s",
				    bf->opts->output_dir, q->name[i],
				    strerror(errno));
				rc = -1;
			}
		}
		if (q->tmp[i] != NULL)
			(void)unlinkat(bf->out_dfd, q->tmp[i], 0);
		close(q->fd[i]);
		free(q->tmp[i]);
		free(q->name[i]);
	}
	q->n = 0;
	if (rc == 0 && fsync_dirfd(bf->out_dfd) == -1) {
		errbuf_set(err, "%s: fsync: %s", bf->opts->output_dir,
		    strerror(errno));
		rc = -1;
	}
	return rc;
}

/* outq_add - write an --output alert to a temporary file, unnamed
 * (O_TMPFILE) where the system can, else a dot file; it is made durable
 * and named with the batch, or when OUTQ_MAX are waiting */
static int
outq_add(struct bf *bf, struct folder *f, const char *id, const char *json,
    struct errbuf *err)
{
	struct outq	*q = &bf->outq;
	size_t		 len = strlen(json);
	char		*tmp;
	int		 fd;

	if (q->n == OUTQ_MAX && outq_flush(bf, f, err) == -1)
		return -1;
	tmp = NULL;
	fd = -1;
#if defined(__linux__) && defined(O_TMPFILE)
	/* no name until it is durable: nothing to clean up after a crash */
	if (q->tmpfile) {
		fd = openat(bf->out_dfd, ".", O_TMPFILE | O_WRONLY |
		    O_CLOEXEC, 0600);
		if (fd == -1)
			q->tmpfile = false;	/* not on this file system */
	}
#endif
	if (fd == -1) {
		if (q->pid == 0)
			q->pid = (long)getpid();
		tmp = xasprintf(".%s.json.tmp.%ld.%" PRIu64, id, q->pid,
		    q->seq++);
		fd = openat(bf->out_dfd, tmp, O_WRONLY | O_CREAT | O_EXCL |
		    O_CLOEXEC | O_NOFOLLOW, 0600);
		if (fd == -1) {
			errbuf_set(err, "%s/%s: %s", bf->opts->output_dir,
			    tmp, strerror(errno));
			free(tmp);
			return -1;
		}
	}
	/* the JSON, then its newline */
	if (fd_write_all(fd, json, len) == -1 ||
	    fd_write_all(fd, "\n", 1) == -1) {
		errbuf_set(err, "%s/%s.json: write: %s", bf->opts->output_dir,
		    id, strerror(errno));
		close(fd);
		if (tmp != NULL)
			(void)unlinkat(bf->out_dfd, tmp, 0);
		free(tmp);
		return -1;
	}
	q->fd[q->n] = fd;
	q->tmp[q->n] = tmp;
	q->name[q->n] = xasprintf("%s.json", id);
	q->n++;
	return 0;
}

/* out_clean_stale - remove temporary files of runs that died */
static void
out_clean_stale(int dfd)
{
	struct dirent	*de;
	const char	*p;
	DIR		*d;
	long		 pid;
	int		 fd;

	if ((fd = dup(dfd)) == -1 || (d = fdopendir(fd)) == NULL) {
		if (fd != -1)
			close(fd);
		return;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] != '.' ||
		    (p = strstr(de->d_name, ".json.tmp.")) == NULL)
			continue;
		pid = strtol(p + 10, NULL, 10);
		if (pid > 0 && kill((pid_t)pid, 0) == -1 && errno == ESRCH)
			(void)unlinkat(dfd, de->d_name, 0);
	}
	closedir(d);
}

/* deliver - one alert to its destination.  1 alerted, 0 duplicate,
 * -1 failed (err; *code the exit code). */
static int
deliver(struct bf *bf, struct folder *f, const char *id, const char *json,
    int *code, struct errbuf *err)
{
	if (bf->opts->dry_run) {
		fputs(json, stdout);
		fputc('\n', stdout);
		if (ferror(stdout)) {
			errbuf_set(err, "stdout: write error");
			*code = BACKFILL_EXIT_STATE;
			return -1;
		}
		return 1;
	}
	if (bf->opts->output_dir != NULL) {
		if (outq_add(bf, f, id, json, err) == -1) {
			*code = BACKFILL_EXIT_STATE;
			return -1;
		}
		return 1;
	}
	switch (spool_put(bf->sp, id, json, strlen(json), err)) {
	case SPOOL_OK:
		return 1;
	case SPOOL_DUP:
		return 0;
	case SPOOL_FULL:
		errbuf_set(err, "the spool is full (spool_max_files/"
		    "spool_max_bytes): alert %s not spooled", id);
		*code = BACKFILL_EXIT_STATE;
		return -1;
	default:
		*code = BACKFILL_EXIT_STATE;
		return -1;
	}
}

/* is_dup - already pending or sent (spool), or already in --output */
static bool
is_dup(struct bf *bf, const char *id)
{
	char	name[ALERT_ID_MAX + 8];

	if (bf->sp != NULL && (spool_was_sent(bf->sp, id) ||
	    spool_is_pending(bf->sp, id)))
		return true;
	if (bf->opts->output_dir != NULL && !bf->opts->dry_run) {
		snprintf(name, sizeof(name), "%s.json", id);
		if (faccessat(bf->out_dfd, name, F_OK, 0) == 0)
			return true;
	}
	return false;
}

/* ------------------------------------------------------------ workers */

/*
 * job_run - the per-message work, in a worker (or the reader thread
 * with one worker): extract, alert id, duplicate check, alert JSON.
 * Uses only what is read-only during the run (cfg, spool, output
 * directory) and thread-safe modules (extract, alert, spool, digest).
 */
static void
job_run(struct bf *bf, struct job *j)
{
	struct extract	 x;
	struct envelope	 env;
	struct errbuf	 e;
	char		 uidbuf[16];

	memset(&x, 0, sizeof(x));
	memset(&env, 0, sizeof(env));
	if (extract_message(bf->cfg, j->body.s != NULL ? j->body.s : "",
	    j->body.len, &x, &e) == -1)
		j->warn = xstrdup(e.msg);
	/* a message longer than we fetched: its real size, and (as the
	 * milter does for what it did not collect) it was truncated */
	if (j->size > j->body.len && j->body.len >= bf->fetch_limit) {
		x.bytes = j->size;
		x.flags |= EXF_TRUNC_BYTES;
	}
	alert_id(bf->cfg, &x, j->id);
	if (!is_dup(bf, j->id)) {
		snprintf(uidbuf, sizeof(uidbuf), "%" PRIu32, j->uid);
		env.mode = "imap";
		env.mailbox = j->mailbox;
		env.imap_uid = uidbuf;
		env.received_ms = j->idate_ms;
		/* fetched whole: BODY[]<0.fetch_limit> sent less than
		 * asked (RFC822.SIZE may be an estimate, or 0) */
		if (j->body.len < bf->fetch_limit) {
			env.raw = j->body.s != NULL ? j->body.s : "";
			env.raw_len = j->body.len;
		}
		j->json = alert_json(bf->cfg, &x, &env, util_now_ms(), false);
	}
	extract_free(&x);
}

/* worker - take jobs until told to quit */
static void *
worker(void *arg)
{
	struct pool	*p = arg;
	struct job	*j;

	pthread_mutex_lock(&p->mu);
	for (;;) {
		while (p->todo == NULL && !p->quit)
			pthread_cond_wait(&p->more, &p->mu);
		if ((j = p->todo) == NULL)
			break;
		if ((p->todo = j->qnext) == NULL)
			p->todo_tail = &p->todo;
		pthread_mutex_unlock(&p->mu);
		job_run(p->bf, j);
		pthread_mutex_lock(&p->mu);
		j->done = true;
		pthread_cond_signal(&p->ready);
	}
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

/* backfill_workers: 0 is one per online CPU */
static int
workers_wanted(const struct config *cfg)
{
	long	n = cfg->backfill_workers;

	if (n <= 0)
		n = sysconf(_SC_NPROCESSORS_ONLN);
	if (n < 1)
		n = 1;
	return n > WORKERS_MAX ? WORKERS_MAX : (int)n;
}

/*
 * pool_start - the worker threads (none for backfill_workers = 1: the
 * reader thread then does each job when it arrives).  They block
 * SIGINT/SIGTERM so that a signal reaches the reader thread's poll().
 */
static struct pool *
pool_start(struct bf *bf)
{
	struct pool	*p = xcalloc(1, sizeof(*p));
	sigset_t	 set, old;
	int		 want = workers_wanted(bf->cfg), i, err;

	p->bf = bf;
	p->todo_tail = &p->todo;
	p->tail = &p->head;
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->more, NULL);
	pthread_cond_init(&p->ready, NULL);
	if (want < 2)
		return p;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, &old);
	for (i = 0; i < want; i++) {
		if ((err = pthread_create(&p->tid[i], NULL, worker, p)) != 0) {
			log_warn("-: imap: cannot start worker thread %d: %s "
			    "(going on with %d)", i + 1, strerror(err),
			    p->nthr);
			break;
		}
		p->nthr++;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	log_debug("-: imap: %d worker threads", p->nthr);
	return p;
}

/* job_free - a job and what it holds */
static void
job_free(struct job *j)
{
	sb_free(&j->body);
	free(j->json);
	free(j->warn);
	free(j);
}

/* pool_wait_head - wait until the oldest job in flight is done */
static void
pool_wait_head(struct pool *p)
{
	if (p->nthr == 0)
		return;			/* done when submitted */
	pthread_mutex_lock(&p->mu);
	while (!p->head->done)
		pthread_cond_wait(&p->ready, &p->mu);
	pthread_mutex_unlock(&p->mu);
}

/* pool_head_done - is the oldest job in flight done (without waiting) */
static bool
pool_head_done(struct pool *p)
{
	bool	done;

	if (p->head == NULL)
		return false;
	if (p->nthr == 0)
		return true;
	pthread_mutex_lock(&p->mu);
	done = p->head->done;
	pthread_mutex_unlock(&p->mu);
	return done;
}

/*
 * commit_job - a finished message, in order: count it, deliver its
 * alert (spool, --output or stdout), mark it done for the checkpoint and
 * the after-action.  -1 when delivery failed (the session is stopped
 * with the error, as for any other fatal error).
 */
static int
commit_job(struct bf *bf, struct job *j)
{
	struct batch	*b = j->b;
	struct folder	*f = b->f;
	struct errbuf	 err;
	int		 rc, code = BACKFILL_EXIT_SOFTWARE;

	if (j->warn != NULL)
		BF_LOG(bf, LOG_LVL_WARN, "%s:%" PRIu32 ": imap: extraction "
		    "problem: %s (alerting on what was read)", f->name,
		    j->uid, j->warn);
	f->c.seen++;
	if (j->json == NULL) {
		f->c.dup++;
		log_debug("%s:%" PRIu32 ": imap: alert %s: duplicate "
		    "(already pending or sent)", f->name, j->uid, j->id);
	} else {
		rc = deliver(bf, f, j->id, j->json, &code, &err);
		if (rc == -1) {
			b->st[j->idx] = B_FAILED;
			if (!bf->ic.broken)
				return ic_fail(&bf->ic, code, "%s:%" PRIu32
				    ": %s", f->name, j->uid, err.msg);
			/* the session already stopped: say it here */
			BF_LOG(bf, LOG_LVL_ERR, "-: imap: %s:%" PRIu32 ": %s",
			    f->name, j->uid, err.msg);
			bf->rc = code;
			return -1;
		}
		if (rc == 1) {
			f->c.alerted++;
			log_debug("%s:%" PRIu32 ": imap: alert %s written",
			    f->name, j->uid, j->id);
		} else
			f->c.dup++;
	}
	b->st[j->idx] = B_DONE;
	b->after[b->nafter++] = j->uid;
	bf->prog.done++;
	prog_step(bf, false);
	return 0;
}

/*
 * pool_commit - commit the jobs at the head of the line that are done
 * (with wait, at least the head one, waiting for it).  After a failed
 * commit (the session is then broken) or for a discarded batch, jobs
 * are dropped instead.  -1 when a commit failed.
 */
static int
pool_commit(struct bf *bf, bool wait)
{
	struct pool	*p = bf->pool;
	struct job	*j;
	int		 rc = 0;

	while (p->head != NULL) {
		if (wait) {
			pool_wait_head(p);
			wait = false;
		} else if (!pool_head_done(p))
			break;
		j = p->head;
		if ((p->head = j->next) == NULL)
			p->tail = &p->head;
		p->n--;
		p->bytes -= j->charge;
		j->b->jobs--;
		if (!j->b->discard && !p->failed && commit_job(bf, j) == -1) {
			p->failed = true;
			rc = -1;
		}
		/* the reader thread reuses the message buffer */
		if (j->body.s != NULL && j->body.cap <= SPARE_BYTES &&
		    bf->ic.nspare < SPARE_MAX) {
			bf->ic.spare[bf->ic.nspare++] = j->body;
			memset(&j->body, 0, sizeof(j->body));
		}
		job_free(j);
	}
	return rc;
}

/* pool_drain - wait for every job in flight and commit it (unless a
 * commit failed or its batch is discarded) */
static void
pool_drain(struct bf *bf)
{
	while (bf->pool->head != NULL)
		(void)pool_commit(bf, true);
}

/*
 * pool_submit - hand a fetched message to the workers.  At most
 * INFLIGHT_MAX messages and INFLIGHT_BYTES bytes (but always one) are
 * in flight: beyond, the reader commits (waiting) before it reads on.
 * -1 when a commit failed.
 */
static int
pool_submit(struct bf *bf, struct job *j)
{
	struct pool	*p = bf->pool;

	while (p->head != NULL && (p->n >= INFLIGHT_MAX ||
	    p->bytes + j->body.len > INFLIGHT_BYTES))
		if (pool_commit(bf, true) == -1) {
			job_free(j);
			return -1;
		}
	j->next = NULL;
	*p->tail = j;
	p->tail = &j->next;
	p->n++;
	j->charge = j->body.len;
	p->bytes += j->charge;
	j->b->jobs++;
	if (p->nthr == 0) {
		job_run(bf, j);
		j->done = true;
		return 0;
	}
	pthread_mutex_lock(&p->mu);
	j->qnext = NULL;
	*p->todo_tail = j;
	p->todo_tail = &j->qnext;
	pthread_cond_signal(&p->more);
	pthread_mutex_unlock(&p->mu);
	return 0;
}

/* pool_stop - end the workers (no job is in flight any more) */
static void
pool_stop(struct pool *p)
{
	int	i;

	if (p == NULL)
		return;
	ASSERT(p->head == NULL);
	pthread_mutex_lock(&p->mu);
	p->quit = true;
	pthread_cond_broadcast(&p->more);
	pthread_mutex_unlock(&p->mu);
	for (i = 0; i < p->nthr; i++)
		pthread_join(p->tid[i], NULL);
	pthread_mutex_destroy(&p->mu);
	pthread_cond_destroy(&p->more);
	pthread_cond_destroy(&p->ready);
	free(p);
}

/* ----------------------------------------------------------- fetching */

/* The UID FETCHes of a folder in flight: at most PIPE_MAX, oldest first. */
struct fetchq {
	struct batch	 b[PIPE_MAX];
	size_t		 first, count;
	struct bf	*bf;
	struct folder	*f;
};

#define FQ_AT(q, i)	(&(q)->b[((q)->first + (i)) % PIPE_MAX])

/* batch_index - position of uid in the batch, or -1 */
static ssize_t
batch_index(const struct batch *b, uint32_t uid)
{
	size_t	lo = 0, hi = b->n, mid;

	while (lo < hi) {
		mid = (lo + hi) / 2;
		if (b->uid[mid] == uid)
			return (ssize_t)mid;
		if (b->uid[mid] < uid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

/* fetch_resp - one untagged response during the UID FETCHes */
static int
fetch_resp(struct imapc *ic, const char *t, size_t len, void *arg)
{
	struct fetchq	*q = arg;
	struct bf	*bf = q->bf;
	struct batch	*b = NULL;
	struct fetched	 m;
	struct job	*j;
	const char	*end = t + len;
	ssize_t		 i = -1;
	size_t		 k;

	if (len == 0 || !isdigit((unsigned char)t[0]))
		return 0;
	if (!parse_fetch(&ic->r, t, end, &m)) {
		const char *p = t;

		while (p < end && isdigit((unsigned char)*p))
			p++;
		if (end - p >= 6 && strncasecmp(p, " FETCH", 6) == 0)
			return ic_fail(ic, BACKFILL_EXIT_PROTOCOL, "%s: "
			    "malformed FETCH response", ic->where);
		return 0;		/* EXISTS, EXPUNGE, RECENT... */
	}
	/* only flags (a change the server reports unasked): not ours */
	if (!m.have_body && !m.body_item && !m.have_meta)
		return 0;
	for (k = 0; m.have_uid && k < q->count; k++) {
		b = FQ_AT(q, k);
		if (b->rc == -2 && (i = batch_index(b, m.uid)) >= 0)
			break;
	}
	if (!m.have_uid || i < 0) {
		if (m.have_body)
			BF_LOG(bf, LOG_LVL_WARN, "%s: imap: ignoring a FETCH "
			    "response for a UID that was not asked for",
			    q->f->name);
		return 0;
	}
	if (!m.have_body) {
		/* "BODY[] NIL" (Exchange, for an item it cannot convert),
		 * or the other items without the body: an error for this
		 * UID unless a later response of the FETCH brings it */
		if (b->st[i] == B_PENDING)
			b->st[i] = B_NOBODY;
		return 0;
	}
	if (b->st[i] != B_PENDING && b->st[i] != B_NOBODY)
		return 0;		/* repeated */
	b->st[i] = B_INFLIGHT;
	j = xcalloc(1, sizeof(*j));
	j->b = b;
	j->idx = (size_t)i;
	j->uid = m.uid;
	j->size = m.size;
	j->idate_ms = m.idate_ms;
	j->mailbox = q->f->name;
	/* take the literal's buffer over instead of copying it */
	for (k = 0; k < ic->r.nlit; k++)
		if (ic->r.lit[k].sb.s == m.body) {
			j->body = ic->r.lit[k].sb;
			memset(&ic->r.lit[k].sb, 0, sizeof(ic->r.lit[k].sb));
			break;
		}
	if (k == ic->r.nlit && !m.body_quoted)
		sb_append(&j->body, m.body, m.len);
	else if (k == ic->r.nlit) {
		/* a quoted string: \\ and \" stand for \ and " */
		(void)sb_room(&j->body, m.len);
		for (k = 0; k < m.len; k++) {
			if (m.body[k] == '\\' && k + 1 < m.len)
				k++;
			sb_putc(&j->body, m.body[k]);
		}
	}
	if (pool_submit(bf, j) == -1)
		return -1;
	if (bf_stop)
		return ic_fail(ic, BACKFILL_EXIT_INTERRUPTED, "interrupted");
	return 0;
}

/* after_actions - STORE \Seen or MOVE the UIDs of a batch; -1 failed */
static int
after_actions(struct bf *bf, struct folder *f, const uint32_t *uids,
    size_t n)
{
	const struct config	*cfg = bf->cfg;
	struct imapc		*ic = &bf->ic;
	struct strbuf		 set = { 0 };
	char			*target = NULL;
	struct errbuf		 e;
	size_t			 done = 0, k;
	int			 rc = 0;

	if (cfg->imap_after == IMAP_AFTER_NONE || !bf->write_state || n == 0)
		return 0;
	if (cfg->imap_after == IMAP_AFTER_MOVE &&
	    (target = mailbox_wire(cfg->imap_move_folder, &e)) == NULL) {
		BF_LOG(bf, LOG_LVL_ERR, "-: imap: imap_move_folder: %s",
		    e.msg);
		return -1;
	}
	ic->interruptible = false;	/* finish what the server started */
	while (done < n && rc == 0) {
		k = uid_set(uids + done, n - done, &set);
		if (cfg->imap_after == IMAP_AFTER_SEEN)
			rc = ic_cmd(ic, NULL, NULL, LINE_MAX_TEXT,
			    LIT_MAX_OTHER, "UID STORE %s +FLAGS.SILENT (\\Seen)",
			    set.s);
		else if (ic->caps & CAP_MOVE)
			rc = ic_cmd(ic, NULL, NULL, LINE_MAX_TEXT,
			    LIT_MAX_OTHER, "UID MOVE %s %s", set.s, target);
		else {
			rc = ic_cmd(ic, NULL, NULL, LINE_MAX_TEXT,
			    LIT_MAX_OTHER, "UID COPY %s %s", set.s, target);
			if (rc == IC_OK)
				rc = ic_cmd(ic, NULL, NULL, LINE_MAX_TEXT,
				    LIT_MAX_OTHER, "UID STORE %s +FLAGS.SILENT "
				    "(\\Deleted)", set.s);
			if (rc == IC_OK && (ic->caps & CAP_UIDPLUS))
				rc = ic_cmd(ic, NULL, NULL, LINE_MAX_TEXT,
				    LIT_MAX_OTHER, "UID EXPUNGE %s", set.s);
		}
		if (rc == IC_NO || rc == IC_BAD) {
			BF_LOG(bf, LOG_LVL_ERR, "-: imap: %s: %s %s: %s "
			    "(%zu messages stay as they are; the next run "
			    "retries)", f->name, cfg->imap_after ==
			    IMAP_AFTER_SEEN ? "marking \\Seen" : "moving to",
			    cfg->imap_after == IMAP_AFTER_SEEN ? "failed" :
			    cfg->imap_move_folder, ic->status, n - done);
			f->c.errors += n - done;
			rc = -1;
		}
		done += k;
	}
	if (rc == 0 && cfg->imap_after == IMAP_AFTER_MOVE &&
	    !(ic->caps & (CAP_MOVE | CAP_UIDPLUS))) {
		static bool	warned;

		if (!warned)
			BF_LOG(bf, LOG_LVL_WARN, "-: imap: the server has "
			    "neither MOVE nor UIDPLUS: moved messages are "
			    "copied and marked \\Deleted, not expunged");
		warned = true;
	}
	ic->interruptible = true;
	free(target);
	sb_free(&set);
	return rc == 0 ? 0 : -1;
}

/* batch_prefix - highest UID u with every batch UID <= u finished */
static uint32_t
batch_prefix(const struct batch *b, uint32_t last)
{
	size_t	i;

	for (i = 0; i < b->n; i++) {
		if (b->st[i] != B_DONE && b->st[i] != B_GONE)
			break;
		last = b->uid[i];
	}
	return last;
}

/* checkpoint - write f->last (when it moved and state is kept) */
static int
checkpoint(struct bf *bf, struct folder *f, uint32_t last, bool force)
{
	struct errbuf	e;

	if (!bf->write_state || (last == f->last && !force))
		return 0;
	/* the alerts the checkpoint vouches for must be durable first */
	if (bf->out_dfd != -1 && fsync_dirfd(bf->out_dfd) == -1) {
		BF_LOG(bf, LOG_LVL_ERR, "-: imap: fsync %s: %s",
		    bf->opts->output_dir, strerror(errno));
		if (bf->rc == 0)
			bf->rc = BACKFILL_EXIT_STATE;
		return -1;
	}
	f->last = last;
	if (ckpt_write(bf, f, &e) == -1) {
		BF_LOG(bf, LOG_LVL_ERR, "-: imap: %s: cannot write the "
		    "checkpoint: %s", f->name, e.msg);
		if (bf->rc == 0)
			bf->rc = BACKFILL_EXIT_STATE;
		return -1;
	}
	return 0;
}

/* session_lost - the session failed, or a signal or a local error
 * stopped it in mid-command: say why (once) and keep the exit code */
static int
session_lost(struct bf *bf)
{
	struct imapc	*ic = &bf->ic;

	if (ic->code != BACKFILL_EXIT_INTERRUPTED)
		BF_LOG(bf, LOG_LVL_ERR, "-: imap: %s", ic->err.msg);
	bf->rc = ic->code;
	return -1;
}

/* folder_failed - a folder-level error: log, count, go on with the next */
static int
folder_failed(struct bf *bf, struct folder *f, int code, const char *what)
{
	BF_LOG(bf, LOG_LVL_ERR, "-: imap: %s: folder \"%s\": %s: %s",
	    bf->ic.where, f->name, what, bf->ic.status);
	f->c.errors++;
	if (bf->rc == 0 || bf->rc == BACKFILL_EXIT_PARTIAL)
		bf->rc = code;
	return 0;
}

/* search - the folder's UIDs to do, ascending, unique, within budget;
 * 0 done, 1 the folder failed, -1 the run must stop */
static int
search(struct bf *bf, struct folder *f, struct uids *u)
{
	const struct config	*cfg = bf->cfg;
	char			 since[32] = "";
	size_t			 i, n;
	int			 rc;

	if (cfg->imap_since != NULL) {
		memcpy(since, " SINCE ", 7);
		if (!imap_since_arg(cfg->imap_since, since + 7,
		    sizeof(since) - 7)) {
			BF_LOG(bf, LOG_LVL_ERR, "-: imap: imap_since \"%s\" is "
			    "not YYYY-MM-DD", cfg->imap_since);
			bf->rc = BACKFILL_EXIT_CONFIG;
			return -1;
		}
	}
	u->above = f->last;
	rc = ic_cmd(&bf->ic, search_resp, u, LINE_MAX_SEARCH, LIT_MAX_OTHER,
	    "UID SEARCH UID %" PRIu32 ":* %s%s", f->last + 1,
	    cfg->imap_search == IMAP_SEARCH_ALL ? "ALL" : "UNSEEN", since);
	if (rc == -1)
		return session_lost(bf);
	if (rc != IC_OK) {
		(void)folder_failed(bf, f, BACKFILL_EXIT_PROTOCOL, "SEARCH");
		return 1;
	}
	if (u->n > 1)
		qsort(u->v, u->n, sizeof(*u->v), cmp_u32);
	for (i = n = 0; i < u->n; i++)
		if (n == 0 || u->v[i] != u->v[n - 1])
			u->v[n++] = u->v[i];
	u->n = n;
	if (u->n > bf->budget) {
		BF_LOG(bf, LOG_LVL_INFO, "-: imap: %s: %zu messages found, %"
		    PRIu64 " taken this run (imap_max_messages)", f->name,
		    u->n, bf->budget);
		u->n = (size_t)bf->budget;
	}
	bf->budget -= u->n;
	BF_LOG(bf, LOG_LVL_INFO, "-: imap: %s: %zu %smessage%s after UID %"
	    PRIu32 " (UIDVALIDITY %" PRIu32 ")", f->name, u->n,
	    cfg->imap_search == IMAP_SEARCH_ALL ? "" : "unseen ",
	    u->n == 1 ? "" : "s", f->last, f->uidvalidity);
	return 0;
}

/* fetch_send - UID FETCH the next batch of u from *pos; -1 if the
 * session failed */
static int
fetch_send(struct bf *bf, struct fetchq *q, const struct uids *u,
    size_t *pos, struct strbuf *set)
{
	struct batch	*b = FQ_AT(q, q->count);
	size_t		 n = u->n - *pos;

	if (n > (size_t)bf->cfg->imap_batch)
		n = (size_t)bf->cfg->imap_batch;
	sb_reset(set);
	b->n = uid_set(u->v + *pos, n, set);
	b->uid = u->v + *pos;
	b->nafter = 0;
	b->jobs = 0;
	b->discard = false;
	b->rc = -2;
	b->status[0] = '\0';
	memset(b->st, B_PENDING, b->n);
	b->tag = ic_start(&bf->ic, "UID FETCH %s (UID RFC822.SIZE INTERNALDATE "
	    "BODY.PEEK[]<0.%zu>)", set->s, bf->fetch_limit);
	if (b->tag == 0)
		return -1;
	*pos += b->n;
	q->count++;
	return 0;
}

/*
 * fetch_finish - the oldest batch is answered and all its messages are
 * committed: make --output durable, do the after-action, write the
 * checkpoint.  0 go on, 1 stop this folder (bf->rc says why), -1 stop
 * the run.
 */
static int
fetch_finish(struct bf *bf, struct fetchq *q, struct batch *b)
{
	struct folder	*f = q->f;
	struct errbuf	 e;
	uint32_t	 last;
	size_t		 i;

	if (b->discard)
		return 0;
	for (i = 0; i < b->n; i++) {
		if (b->st[i] == B_NOBODY) {
			b->st[i] = B_FAILED;
			f->c.errors++;
			BF_LOG(bf, LOG_LVL_ERR, "-: imap: %s:%" PRIu32 ": the "
			    "FETCH answer gave no message body (BODY[] NIL or "
			    "missing: the server cannot deliver this message): "
			    "not alerted, counted as an error; the checkpoint "
			    "stays before it and the next run tries again",
			    f->name, b->uid[i]);
			continue;
		}
		if (b->st[i] != B_PENDING)
			continue;
		if (b->rc == IC_OK) {
			b->st[i] = B_GONE;	/* expunged meanwhile */
			f->c.gone++;
		} else
			f->c.errors++;
	}
	if (b->rc != IC_OK)
		BF_LOG(bf, LOG_LVL_ERR, "-: imap: %s: FETCH: %s (the messages "
		    "not fetched are retried next run)", f->name, b->status);
	/* what --output wrote is durable before anything else */
	if (bf->outq.n > 0 && outq_flush(bf, f, &e) == -1) {
		BF_LOG(bf, LOG_LVL_ERR, "-: imap: %s", e.msg);
		bf->rc = BACKFILL_EXIT_STATE;
		return -1;
	}
	if (b->nafter > 1)	/* arrival order: sort for ranges */
		qsort(b->after, b->nafter, sizeof(*b->after), cmp_u32);
	if (after_actions(bf, f, b->after, b->nafter) == -1) {
		if (bf->ic.broken)
			return session_lost(bf);
		if (bf->rc == 0 || bf->rc == BACKFILL_EXIT_PARTIAL)
			bf->rc = BACKFILL_EXIT_PARTIAL;
		return 1;
	}
	/* after a failed UID the checkpoint stays before it (this batch's
	 * prefix up to it still counts) */
	last = f->stuck ? f->last : batch_prefix(b, f->last);
	for (i = 0; i < b->n; i++)
		if (b->st[i] == B_FAILED)
			f->stuck = true;
	if (checkpoint(bf, f, last, false) == -1)
		return -1;
	if (b->rc != IC_OK) {
		if (bf->rc == 0)
			bf->rc = BACKFILL_EXIT_PARTIAL;
		return 1;
	}
	return 0;
}

/*
 * fetch_batches - UID FETCH u in batches; -1 when the run must stop.
 *
 * The reader (this thread) reads the FETCH responses and hands each
 * message to the workers; finished messages are committed here, in the
 * order they arrived, so the alerts, counts and checkpoints are those of
 * a single thread.  With imap_after = none (nothing to send between two
 * batches) the next batch's UID FETCH goes out while the current one is
 * still being worked on: the round trip is hidden.
 */
static int
fetch_batches(struct bf *bf, struct folder *f, const struct uids *u)
{
	const struct config	*cfg = bf->cfg;
	struct imapc		*ic = &bf->ic;
	struct strbuf		 set = { 0 };
	struct fetchq		 q;
	struct batch		*b;
	struct errbuf		 e;
	size_t			 pos = 0, depth, i, k;
	unsigned		 tag;
	uint32_t		 last;
	bool			 stop = false;
	int			 rc, st, ret = 0;

	memset(&q, 0, sizeof(q));
	q.bf = bf;
	q.f = f;
	depth = cfg->imap_after == IMAP_AFTER_NONE || !bf->write_state ?
	    PIPE_MAX : 1;
	for (i = 0; i < PIPE_MAX; i++) {
		q.b[i].f = f;
		q.b[i].st = xmalloc((size_t)cfg->imap_batch);
		q.b[i].after = xmalloc((size_t)cfg->imap_batch *
		    sizeof(*q.b[i].after));
	}
	prog_start(&bf->prog, f->name, u->n);
	for (;;) {
		while (!stop && q.count < depth && pos < u->n)
			if (fetch_send(bf, &q, u, &pos, &set) == -1)
				goto broken;
		if (q.count == 0)
			break;
		if (pool_commit(bf, false) == -1)
			goto broken;
		b = FQ_AT(&q, 0);
		if (b->rc != -2 && b->jobs == 0) {
			/* the oldest batch is complete */
			rc = fetch_finish(bf, &q, b);
			q.first = (q.first + 1) % PIPE_MAX;
			q.count--;
			if (rc == -1) {
				ret = -1;
				goto drop;
			}
			if (rc == 1) {
				/* stop the folder: answers still to come
				 * for later batches are read and dropped */
				stop = true;
				for (k = 0; k < q.count; k++)
					FQ_AT(&q, k)->discard = true;
			}
			continue;
		}
		for (k = 0; k < q.count && FQ_AT(&q, k)->rc != -2; k++)
			;
		if (k == q.count) {
			/* all answered: wait for the workers */
			if (pool_commit(bf, true) == -1)
				goto broken;
			continue;
		}
		rc = ic_next(ic, fetch_resp, &q, LINE_MAX_TEXT,
		    bf->fetch_limit, &tag, &st);
		if (rc == -1)
			goto broken;
		if (rc == 1) {
			for (k = 0; k < q.count; k++) {
				b = FQ_AT(&q, k);
				if (b->rc == -2 && b->tag == tag)
					break;
			}
			if (k == q.count) {
				(void)ic_unexpected(ic);
				goto broken;
			}
			b->rc = st;
			if (st != IC_OK)
				memcpy(b->status, ic->status,
				    sizeof(b->status));
		}
		if (bf_stop) {
			(void)ic_fail(ic, BACKFILL_EXIT_INTERRUPTED,
			    "interrupted");
			goto broken;
		}
	}
	goto out;

broken:
	/*
	 * Stopped mid-batch (signal, session or local failure).  What was
	 * read is finished and committed (unless a commit failed), made
	 * durable, and without after-actions the finished prefix is kept.
	 * Otherwise the next run does the batch again: its alerts are then
	 * duplicates and only the after-action is redone.
	 */
	ret = session_lost(bf);
	pool_drain(bf);
	if (bf->outq.n > 0 && outq_flush(bf, f, &e) == -1) {
		BF_LOG(bf, LOG_LVL_ERR, "-: imap: %s", e.msg);
		bf->rc = BACKFILL_EXIT_STATE;
	} else if (cfg->imap_after == IMAP_AFTER_NONE) {
		last = f->last;
		for (k = 0; k < q.count && !f->stuck; k++) {
			b = FQ_AT(&q, k);
			if (b->discard)
				break;
			last = batch_prefix(b, last);
			if (b->n == 0 || last != b->uid[b->n - 1])
				break;
		}
		(void)checkpoint(bf, f, last, false);
	}
	goto out;
drop:
	/* a fatal local error: what is in flight is dropped */
	for (k = 0; k < q.count; k++)
		FQ_AT(&q, k)->discard = true;
	pool_drain(bf);
out:
	if (bf->prog.tty)
		prog_step(bf, true);
	prog_clear(&bf->prog);
	for (i = 0; i < PIPE_MAX; i++) {
		free(q.b[i].st);
		free(q.b[i].after);
	}
	sb_free(&set);
	return ret;
}

/*
 * run_folder - one folder: select, search, fetch in batches.  Returns 0
 * (go on with the next folder), or -1 when the run must stop (bf->rc).
 */
static int
run_folder(struct bf *bf, struct folder *f)
{
	struct imapc	*ic = &bf->ic;
	struct uids	 u = { 0 };
	bool		 rw;
	int		 rc;

	/* read-only unless messages are to be flagged or moved */
	rw = bf->write_state && bf->cfg->imap_after != IMAP_AFTER_NONE;
	rc = ic_cmd(ic, select_resp, f, LINE_MAX_TEXT, LIT_MAX_OTHER, "%s %s",
	    rw ? "SELECT" : "EXAMINE", f->wire);
	if (rc == -1)
		return session_lost(bf);
	if (rc != IC_OK)
		return folder_failed(bf, f, BACKFILL_EXIT_FOLDER,
		    "cannot be opened");
	if (f->uidvalidity == 0) {
		snprintf(ic->status, sizeof(ic->status), "no UIDVALIDITY");
		return folder_failed(bf, f, BACKFILL_EXIT_PROTOCOL, "SELECT");
	}
	if (f->have_ckpt && f->ckpt_validity != f->uidvalidity) {
		BF_LOG(bf, LOG_LVL_WARN, "-: imap: %s: UIDVALIDITY changed "
		    "from %" PRIu32 " to %" PRIu32 " (folder recreated?): "
		    "scanning it again from the start; alerts already "
		    "spooled or sent are not repeated", f->name,
		    f->ckpt_validity, f->uidvalidity);
		f->last = 0;
		if (checkpoint(bf, f, 0, true) == -1)
			return -1;
	}
	if (f->have_ckpt && f->last > 0 && search_wider(bf->cfg, f)) {
		BF_LOG(bf, LOG_LVL_INFO, "-: imap: %s: the checkpoint (last "
		    "UID %" PRIu32 ") is for imap_search = %s, imap_since = %s; "
		    "this run searches for more (imap_search = %s, imap_since "
		    "= %s): scanning the folder again from UID 1; alerts "
		    "already spooled or sent are not repeated", f->name,
		    f->last, f->ckpt_search == IMAP_SEARCH_ALL ? "all" :
		    f->ckpt_search == IMAP_SEARCH_UNSEEN ? "unseen" : "?",
		    f->ckpt_since[0] != '\0' ? f->ckpt_since : "(none)",
		    bf->cfg->imap_search == IMAP_SEARCH_ALL ? "all" : "unseen",
		    bf->cfg->imap_since != NULL ? bf->cfg->imap_since :
		    "(none)");
		f->last = 0;
		if (checkpoint(bf, f, 0, true) == -1)
			return -1;
	}
	/* remember UIDVALIDITY from the first run on, and this run's
	 * search in a checkpoint from before it was recorded */
	if ((!f->have_ckpt || f->ckpt_old) &&
	    checkpoint(bf, f, f->last, true) == -1)
		return -1;
	if (f->last == UINT32_MAX)
		return 0;
	if ((rc = search(bf, f, &u)) != 0 || u.n == 0) {
		free(u.v);
		return rc == -1 ? -1 : 0;
	}
	rc = fetch_batches(bf, f, &u);
	free(u.v);
	return rc;
}

/* ------------------------------------------------------------- driver */

/* summary - one line per folder and a total */
static void
summary_line(struct bf *bf, const char *what, const struct counts *c)
{
	char	gone[64] = "";

	if (c->gone)
		snprintf(gone, sizeof(gone), ", gone before FETCH %" PRIu64,
		    c->gone);
	/* --dry-run alerts nothing: its alerts are only printed */
	BF_LOG(bf, LOG_LVL_INFO, "-: imap: summary %s: seen %" PRIu64 ", "
	    "%s %" PRIu64 ", duplicate %" PRIu64 ", errors %" PRIu64
	    "%s", what, c->seen, bf->opts->dry_run ? "printed (dry run)" :
	    "alerted", c->alerted, c->dup, c->errors, gone);
}

static void
counts_add(struct counts *t, const struct counts *c)
{
	t->seen += c->seen;
	t->alerted += c->alerted;
	t->dup += c->dup;
	t->errors += c->errors;
	t->gone += c->gone;
}

/* spool_exists - are the spool's directories (spool.h) all there? */
static bool
spool_exists(const struct config *cfg)
{
	static const char *const sub[] = { "spool/tmp", "spool/new",
	    "spool/dead", "spool/bad", "sent" };
	struct stat	 st;
	char		*path;
	size_t		 i;
	bool		 ok = true;

	for (i = 0; ok && i < ARRAY_LEN(sub); i++) {
		path = config_state_path(cfg, sub[i]);
		ok = stat(path, &st) == 0 && S_ISDIR(st.st_mode);
		free(path);
	}
	return ok;
}

/* setup_state - spool, output dir, checkpoint dir and lock */
static int
setup_state(struct bf *bf)
{
	const struct config	*cfg = bf->cfg;
	struct errbuf		 e;
	char			 ah[33], *base, *lock;

	/* the mailbox is the same whichever port or TLS mode reaches it */
	bf->acct = xasprintf("%s@%s", cfg->imap_user, cfg->imap_host);
	str_lower(strrchr(bf->acct, '@') + 1);
	hash_name(bf->acct, 32, ah, sizeof(ah));

	if (bf->opts->output_dir != NULL && !bf->opts->dry_run) {
		if (mkdir_p(bf->opts->output_dir, 0755, &e) == -1) {
			log_err("-: imap: --output: %s", e.msg);
			return BACKFILL_EXIT_STATE;
		}
		bf->out_dfd = open(bf->opts->output_dir, O_RDONLY |
		    O_DIRECTORY | O_CLOEXEC);
		if (bf->out_dfd == -1) {
			log_err("-: imap: --output %s: %s", bf->opts->output_dir,
			    strerror(errno));
			return BACKFILL_EXIT_STATE;
		}
		out_clean_stale(bf->out_dfd);
		/* O_TMPFILE files are named through /proc/self/fd */
		bf->outq.tmpfile = access("/proc/self/fd", X_OK) == 0;
		base = xasprintf("%s/.checkpoints", bf->opts->output_dir);
	} else
		base = config_state_path(cfg, "imap");

	/* the spool: destination, and record of what was alerted.  Only
	 * the real run makes it: --dry-run and --output use one that is
	 * there and create nothing below state_dir */
	if (cfg->state_dir != NULL && (bf->opts->output_dir != NULL ||
	    bf->opts->dry_run) && !spool_exists(cfg)) {
		log_info("-: imap: no spool at %s/spool: no check for alerts "
		    "already spooled or sent (by the milter or a backfill "
		    "run)", cfg->state_dir);
	} else if (cfg->state_dir != NULL) {
		bf->sp = spool_open(cfg, &e);
		if (bf->sp == NULL && bf->opts->output_dir == NULL &&
		    !bf->opts->dry_run) {
			log_err("-: imap: spool: %s", e.msg);
			free(base);
			return BACKFILL_EXIT_STATE;
		}
		if (bf->sp == NULL)
			log_warn("-: imap: spool: %s (alerts already sent "
			    "are not recognised)", e.msg);
	} else if (bf->opts->output_dir == NULL && !bf->opts->dry_run) {
		log_err("-: imap: state_dir is not set");
		free(base);
		return BACKFILL_EXIT_CONFIG;
	}

	bf->ckpt_dir = xasprintf("%s/%s", base, ah);
	free(base);
	if (!bf->write_state)
		return 0;
	if (mkdir_p(bf->ckpt_dir, 0700, &e) == -1) {
		log_err("-: imap: checkpoints: %s", e.msg);
		return BACKFILL_EXIT_STATE;
	}
	lock = xasprintf("%s/lock", bf->ckpt_dir);
	bf->lock_fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (bf->lock_fd == -1) {
		log_err("-: imap: %s: %s", lock, strerror(errno));
		free(lock);
		return BACKFILL_EXIT_STATE;
	}
	if (flock(bf->lock_fd, LOCK_EX | LOCK_NB) == -1) {
		log_err("-: imap: another backfill is running for %s (lock "
		    "%s)", bf->acct, lock);
		free(lock);
		return BACKFILL_EXIT_BUSY;
	}
	free(lock);
	return 0;
}

/* flush_spool - deliver what was spooled, bounded */
static void
flush_spool(struct bf *bf)
{
	struct errbuf	e;
	int		left;

	left = sender_run_once(bf->cfg, bf->sp, FLUSH_SECONDS, &e);
	if (left == -1)
		log_warn("-: imap: delivery: %s (alerts stay in the spool: "
		    "a running soar-milter daemon or \"soar-milter flush\" "
		    "delivers them)", e.msg);
	else if (left > 0)
		log_info("-: imap: %d alerts still in the spool: a running "
		    "soar-milter daemon or \"soar-milter flush\" delivers "
		    "them", left);
}

/* imap_backfill - see imap.h */
int
imap_backfill(const struct config *cfg, const struct backfill_opts *opts)
{
	struct sigaction	 sa, old_int, old_term;
	struct bf		 bf;
	struct folder		*fv;
	struct errbuf		 e;
	char			 fh[33];
	size_t			 i, nf;
	bool			 connected;
	int			 rc;

	memset(&bf, 0, sizeof(bf));
	bf.cfg = cfg;
	bf.opts = opts;
	bf.lock_fd = -1;
	bf.out_dfd = -1;
	bf.write_state = !opts->dry_run;
	bf.budget = cfg->imap_max_messages > 0 ?
	    (uint64_t)cfg->imap_max_messages : UINT64_MAX;
	/*
	 * What scan reads of a file: max_message_bytes bounds the bytes
	 * examined after CRLF -> LF, which IMAP always sends, so a message
	 * is fetched up to twice that plus one (enough to see that it goes
	 * on).  Fewer would examine less than scan does: another content
	 * hash, fewer URLs and no "message_bytes" in truncated.
	 */
	bf.fetch_limit = 2 * (size_t)cfg->max_message_bytes + 2;
	bf.prog.tty = opts->progress_mode == -1 ? isatty(STDERR_FILENO) :
	    opts->progress_mode == 1;
	bf.t0 = util_mono_ms();
	bf_stop = 0;

	if (cfg->imap_host == NULL || cfg->imap_user == NULL) {
		log_err("-: imap: %s is not set", cfg->imap_host == NULL ?
		    "imap_host" : "imap_user");
		return BACKFILL_EXIT_CONFIG;
	}
	nf = cfg->imap_folders.n;
	if (nf == 0) {
		log_err("-: imap: imap_folders is empty");
		return BACKFILL_EXIT_CONFIG;
	}
	fv = xcalloc(nf, sizeof(*fv));
	rc = 0;
	for (i = 0; i < nf; i++) {
		fv[i].name = cfg->imap_folders.v[i];
		if ((fv[i].wire = mailbox_wire(fv[i].name, &e)) == NULL) {
			log_err("-: imap: imap_folders: %s", e.msg);
			rc = BACKFILL_EXIT_CONFIG;
		}
	}
	if (rc == 0 && cfg->imap_after == IMAP_AFTER_MOVE) {
		char	*t = cfg->imap_move_folder == NULL ? NULL :
		    mailbox_wire(cfg->imap_move_folder, &e);

		if (t == NULL) {
			log_err("-: imap: imap_move_folder: %s",
			    cfg->imap_move_folder == NULL ? "not set" : e.msg);
			rc = BACKFILL_EXIT_CONFIG;
		}
		free(t);
	}
	if (rc == 0)
		rc = setup_state(&bf);
	for (i = 0; rc == 0 && i < nf; i++) {
		hash_name(fv[i].name, 32, fh, sizeof(fh));
		fv[i].ckpt_path = xasprintf("%s/%s", bf.ckpt_dir, fh);
		if (ckpt_read(cfg, &fv[i], &e) == -1) {
			log_err("-: imap: %s", e.msg);
			rc = BACKFILL_EXIT_STATE;
		}
	}
	if (rc != 0)
		goto out;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = bf_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	curl_global_init(CURL_GLOBAL_DEFAULT);

	if (ic_open(&bf.ic, cfg) == -1) {
		log_err("-: imap: %s", bf.ic.err.msg);
		rc = bf.ic.code;
		goto close;
	}
	log_info("-: imap: connected to %s as %s (%s%s)", bf.ic.where,
	    cfg->imap_user, cfg->imap_tls == IMAP_TLS_IMPLICIT ?
	    "implicit TLS" : "STARTTLS", opts->dry_run ? ", dry run" :
	    opts->output_dir != NULL ? ", --output" : "");

	/* a move target that does not exist fails before anything moves */
	if (bf.write_state && cfg->imap_after == IMAP_AFTER_MOVE) {
		char	*t = mailbox_wire(cfg->imap_move_folder, &e);

		rc = ic_cmd(&bf.ic, NULL, NULL, LINE_MAX_TEXT, LIT_MAX_OTHER,
		    "STATUS %s (MESSAGES)", t);
		free(t);
		if (rc == -1) {
			log_err("-: imap: %s", bf.ic.err.msg);
			rc = bf.ic.code;
			goto close;
		}
		if (rc != IC_OK) {
			log_err("-: imap: %s: imap_move_folder \"%s\" cannot "
			    "be used: %s", bf.ic.where, cfg->imap_move_folder,
			    bf.ic.status);
			rc = BACKFILL_EXIT_FOLDER;
			goto close;
		}
		rc = 0;
	}

	bf.pool = pool_start(&bf);
	for (i = 0; i < nf && !bf_stop; i++) {
		if (bf.budget == 0)
			break;
		if (run_folder(&bf, &fv[i]) == -1) {
			if (bf.rc == 0)
				bf.rc = BACKFILL_EXIT_SOFTWARE;
			break;
		}
	}
	pool_stop(bf.pool);
	bf.pool = NULL;
	if (bf_stop && bf.rc == 0)
		bf.rc = BACKFILL_EXIT_INTERRUPTED;
	rc = bf.rc;
close:
	connected = bf.ic.fd != CURL_SOCKET_BAD && bf.ic.curl != NULL;
	ic_close(&bf.ic);
	for (i = 0; connected && i < nf; i++) {
		if (nf > 1 && (fv[i].c.seen || fv[i].c.errors))
			summary_line(&bf, fv[i].name, &fv[i].c);
		counts_add(&bf.total, &fv[i].c);
	}
	if (connected) {
		int64_t	el = util_mono_ms() - bf.t0;

		summary_line(&bf, "total", &bf.total);
		log_info("-: imap: %" PRIu64 " messages in %.1f s (%.0f "
		    "msg/s)%s", bf.total.seen, (double)el / 1000.0, el > 0 ?
		    (double)bf.total.seen * 1000.0 / (double)el : 0.0,
		    rc == BACKFILL_EXIT_INTERRUPTED ? ", interrupted: the "
		    "next run resumes" : "");
	}
	if (rc == 0 && bf.total.errors > 0)
		rc = BACKFILL_EXIT_PARTIAL;
	/* deliver what this run spooled (and any backlog): not when the
	 * user asked to stop, nor when the run never got to the mailbox */
	if (connected && bf.sp != NULL && opts->output_dir == NULL &&
	    !opts->dry_run && rc != BACKFILL_EXIT_INTERRUPTED && !bf_stop)
		flush_spool(&bf);
	curl_global_cleanup();
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
out:
	if (opts->dry_run)
		fflush(stdout);
	/* never normally left: files not made durable are not named */
	for (i = 0; i < bf.outq.n; i++) {
		close(bf.outq.fd[i]);
		if (bf.outq.tmp[i] != NULL)
			(void)unlinkat(bf.out_dfd, bf.outq.tmp[i], 0);
		free(bf.outq.tmp[i]);
		free(bf.outq.name[i]);
	}
	for (i = 0; i < nf; i++) {
		free(fv[i].wire);
		free(fv[i].ckpt_path);
	}
	free(fv);
	if (bf.sp != NULL)
		spool_close(&bf.sp);
	if (bf.out_dfd != -1) {
		if (fsync_dirfd(bf.out_dfd) == -1 && rc == 0)
			rc = BACKFILL_EXIT_STATE;
		close(bf.out_dfd);
	}
	if (bf.lock_fd != -1)
		close(bf.lock_fd);
	free(bf.ckpt_dir);
	free(bf.acct);
	return rc;
}
