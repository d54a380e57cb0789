/*
 * milter - the libmilter daemon.  See milter.h.
 *
 * Life of a connection (one libmilter thread each):
 *   negotiate  ask only for the steps we use, no replies where allowed,
 *              SMFIS_SKIP and the header leading space, and the macros
 *   connect    client address and name; helo: the HELO argument
 *   envfrom    drop any earlier message, start a new one (sender, SASL
 *              and TLS macros)
 *   envrcpt    every recipient, bounded in count and bytes
 *   header     "Name:value\n" lines, exactly as received but CRLF -> LF
 *   eoh        the blank line;  body: chunks, CRLF -> LF
 *   eom        policy -> extract -> alert -> spool_put (durable) -> kick
 *              the sender -> optional X-SOAR-Alert-Id -> continue
 *   abort      drop the message;  close: drop everything
 *
 * Everything collected for a message (headers and body) stays within
 * max_message_bytes; past it the rest is ignored, the MTA is told to
 * skip the body when it can, and the alert says it was truncated.
 *
 * Nothing here ever rejects mail.  An internal error at end of message
 * continues, unless on_error = tempfail.  No callback does network I/O:
 * the sender thread delivers what the spool holds.
 *
 * Shared state (config, spool, sender, recipient regex) is set up before
 * smfi_main().  Callbacks that use it hold a read lock on shared_lock;
 * shutdown takes it for writing so that it never frees what a late
 * callback still uses, and a reload (SIGUSR1, in a thread of its own)
 * takes it for writing to swap the configuration, the regex and the
 * sender at once.
 */
#include "autoconfig.h"

#include <sys/types.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <inttypes.h>
#include <netdb.h>
#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <libmilter/mfapi.h>

#include "alert.h"
#include "config.h"
#include "extract.h"
#include "log.h"
#include "metrics.h"
#include "milter.h"
#include "sender.h"
#include "spool.h"
#include "urlscan.h"
#include "util.h"

/* Bounds on what the MTA tells us outside the message itself. */
#define MILTER_MAX_RCPTS	10000		/* recipients kept */
#define MILTER_MAX_RCPT_BYTES	(1024 * 1024)	/* their total size */
#define MILTER_MAX_STR		1024		/* HELO, host name, a macro */
#define MILTER_BUF_MIN		(16 * 1024)	/* first allocation */
#define MILTER_DRAIN_SECONDS	30		/* wait for callbacks at exit */
#define SUN_PATH_MAX	sizeof(((struct sockaddr_un *)0)->sun_path)

/* The protocol steps we want: no DATA/unknown, no replies before eom
 * (but body: SMFIS_SKIP is a reply), SKIP, the header's leading space. */
#define MILTER_STEPS	(SMFIP_NODATA | SMFIP_NOUNKNOWN | SMFIP_SKIP | \
			 SMFIP_HDR_LEADSPC | SMFIP_NR_CONN | SMFIP_NR_HELO | \
			 SMFIP_NR_MAIL | SMFIP_NR_RCPT | SMFIP_NR_HDR | \
			 SMFIP_NR_EOH)

struct msg {
	char		*mail_from;	/* without <>; "" for the null sender */
	struct strlist	 rcpts;		/* without <> */
	size_t		 rcpt_bytes;
	char		*queue_id;
	char		*auth_user;
	char		*auth_method;
	char		*tls_version;
	char		*tls_cipher;
	char		*buf;		/* headers, blank line, body (LF) */
	size_t		 len;
	size_t		 cap;
	bool		 truncated;	/* something was left out */
	bool		 hdr_full;	/* stop collecting header fields */
	bool		 eoh;		/* blank line written */
	bool		 cr;		/* last body chunk ended in CR */
	bool		 skipped;	/* SMFIS_SKIP sent */
	int		 policy;	/* -1 undecided, 0 no alert, 1 alert */
	size_t		 own_hdrs;	/* incoming X-SOAR-Alert-Id fields */
};

struct conn {
	unsigned long	 pflags;	/* negotiated SMFIP_* (0: unknown) */
	unsigned long	 actions;	/* granted SMFIF_* */
	char		*client_ip;
	char		*client_host;
	char		*helo;
	char		*daemon;
	struct msg	*msg;
};

/* Set up by milter_run(); mcfg, msender and mrcpt_re change only in a
 * reload, under the write lock. */
static const struct config	*mcfg;
static const struct config	*mcfg_start;	/* the caller's: not ours */
static struct spool		*mspool;
static struct sender		*msender;
static struct urlscan_re	*mrcpt_re;
static size_t			 max_bytes;
static unsigned long		 want_actions;	/* SMFIF_* */
static pthread_rwlock_t		 shared_lock;
static bool			 shared_closed;	/* under shared_lock */

/* Counters for the stats line (the spool counts the rest). */
static uint64_t		 st_messages;	/* reached end of message */
static uint64_t		 st_unwanted;	/* no alert recipient */
static uint64_t		 st_truncated;	/* over max_message_bytes */
static uint64_t		 st_failed;	/* internal error: no alert */
static time_t			 mstart_unix;	/* for the metrics */
/* Retries counted by the senders a reload stopped (the metrics stay
 * monotonic): the reload thread's, then milter_run's after the join. */
static uint64_t			 retried_base;

/* The unix socket we bound (its path and identity), removed at exit if
 * it is still that socket. */
static char		*msock_path;
static dev_t		 msock_dev;
static ino_t		 msock_ino;

#define ALERT_HDR	"X-SOAR-Alert-Id"
/* More incoming copies than this: a hostile message; none is deleted
 * and ours is not added (bounded work per message). */
#define OWN_HDRS_MAX	64

#define COUNT(c)	__atomic_add_fetch(&(c), 1, __ATOMIC_RELAXED)
#define COUNTED(c)	__atomic_load_n(&(c), __ATOMIC_RELAXED)

/* shared_enter - hold the shared state; false once it is gone */
static bool
shared_enter(void)
{
	if (pthread_rwlock_rdlock(&shared_lock) != 0)
		return false;
	if (shared_closed) {
		pthread_rwlock_unlock(&shared_lock);
		return false;
	}
	return true;
}

/* shared_leave - let go of the shared state */
static void
shared_leave(void)
{
	pthread_rwlock_unlock(&shared_lock);
}

/* on_error_action - what an internal error at end of message returns */
static sfsistat
on_error_action(void)
{
	return mcfg->on_error == ON_ERROR_TEMPFAIL ? SMFIS_TEMPFAIL :
	    SMFIS_CONTINUE;
}

/* ---------------------------------------------------------------- state */

/* bounded_dup - copy an MTA-supplied string, at most MILTER_MAX_STR */
static char *
bounded_dup(const char *s)
{
	return s == NULL ? NULL : xstrndup(s, MILTER_MAX_STR);
}

/* macro_dup - the value of a macro, or NULL when the MTA sent none */
static char *
macro_dup(SMFICTX *ctx, const char *name)
{
	const char	*v;

	if ((v = smfi_getsymval(ctx, (char *)name)) == NULL || *v == '\0')
		return NULL;
	return bounded_dup(v);
}

/* host_known - a client host name the MTA verified (not "[addr]" or
 * "unknown") */
static bool
host_known(const char *h)
{
	return h != NULL && *h != '\0' && *h != '[' &&
	    strcmp(h, "unknown") != 0;
}

/* macro_update - replace *dst with the macro's value when there is one */
static void
macro_update(SMFICTX *ctx, const char *name, char **dst)
{
	char	*v;

	if ((v = macro_dup(ctx, name)) != NULL) {
		free(*dst);
		*dst = v;
	}
}

/* strip_angles - "<a@b>" -> "a@b" (new string, bounded) */
static char *
strip_angles(const char *s)
{
	size_t	n;

	if (s == NULL)
		return xstrdup("");
	while (*s == ' ' || *s == '\t')
		s++;
	if (*s == '<')
		s++;
	n = strnlen(s, MILTER_MAX_STR);
	if (n > 0 && s[n - 1] == '>')
		n--;
	return xstrndup(s, n);
}

/* msg_free - release one message (idempotent) */
static void
msg_free(struct msg **mp)
{
	struct msg	*m = *mp;

	if (m == NULL)
		return;
	free(m->mail_from);
	strlist_free(&m->rcpts);
	free(m->queue_id);
	free(m->auth_user);
	free(m->auth_method);
	free(m->tls_version);
	free(m->tls_cipher);
	free(m->buf);
	free(m);
	*mp = NULL;
}

/* conn_get - this connection's state, created on first use */
static struct conn *
conn_get(SMFICTX *ctx)
{
	struct conn	*cc;

	if ((cc = smfi_getpriv(ctx)) == NULL) {
		cc = xcalloc(1, sizeof(*cc));
		cc->actions = want_actions;	/* until negotiated */
		smfi_setpriv(ctx, cc);
	}
	return cc;
}

/* conn_free - release a connection and its message */
static void
conn_free(struct conn *cc)
{
	msg_free(&cc->msg);
	free(cc->client_ip);
	free(cc->client_host);
	free(cc->helo);
	free(cc->daemon);
	free(cc);
}

/* reply - CONTINUE, or NOREPLY where we negotiated not to answer */
static sfsistat
reply(const struct conn *cc, unsigned long nr_bit)
{
	return cc != NULL && (cc->pflags & nr_bit) != 0 ? SMFIS_NOREPLY :
	    SMFIS_CONTINUE;
}

/* msg_reserve - make room for n more bytes (n fits under max_bytes) */
static void
msg_reserve(struct msg *m, size_t n)
{
	size_t	cap;

	if (m->len + n <= m->cap)
		return;
	cap = m->cap > 0 ? m->cap : MILTER_BUF_MIN;
	while (cap < m->len + n)
		cap *= 2;
	if (cap > max_bytes)
		cap = max_bytes;
	m->buf = xrealloc(m->buf, cap);
	m->cap = cap;
}

/* msg_raw - append bytes as they are; false when the bound cut them */
static bool
msg_raw(struct msg *m, const char *s, size_t n)
{
	size_t	room = m->len < max_bytes ? max_bytes - m->len : 0;
	bool	fits = n <= room;

	if (!fits) {
		n = room;
		m->truncated = true;
	}
	if (n > 0) {
		msg_reserve(m, n);
		memcpy(m->buf + m->len, s, n);
		m->len += n;
	}
	return fits;
}

/*
 * msg_text - append s[0..n) with CRLF turned into LF; a CR at the very
 * end is held in m->cr until the next call (or msg_flush_cr) shows what
 * follows it.  False when the bound cut the text.
 */
static bool
msg_text(struct msg *m, const char *s, size_t n)
{
	const char	*end = s + n, *cr;

	if (m->cr && n > 0) {
		m->cr = false;
		if (*s != '\n' && !msg_raw(m, "\r", 1))
			return false;
	}
	while (s < end) {
		if ((cr = memchr(s, '\r', end - s)) == NULL)
			return msg_raw(m, s, end - s);
		if (!msg_raw(m, s, cr - s))
			return false;
		s = cr + 1;
		if (s == end)
			m->cr = true;
		else if (*s != '\n' && !msg_raw(m, "\r", 1))
			return false;
	}
	return true;
}

/* msg_flush_cr - write a held CR that turned out to end the message */
static void
msg_flush_cr(struct msg *m)
{
	if (m->cr) {
		m->cr = false;
		(void)msg_raw(m, "\r", 1);
	}
}

/* msg_end_headers - write the blank line that ends the header block */
static void
msg_end_headers(struct msg *m)
{
	if (!m->eoh) {
		m->eoh = true;
		(void)msg_raw(m, "\n", 1);
	}
}

/*
 * policy_decide - does this message become an alert?  Decided once, when
 * every recipient is known (first header, or later).  Caller holds the
 * shared state.
 */
static bool
policy_decide(struct msg *m)
{
	size_t	i;

	if (m->policy != -1)
		return m->policy == 1;
	m->policy = 0;
	if (mcfg->alert_on == ALERT_ON_ALL)
		m->policy = 1;
	for (i = 0; m->policy == 0 && i < m->rcpts.n; i++) {
		const char	*r = m->rcpts.v[i];

		if (strlist_contains_ci(&mcfg->alert_recipients, r) ||
		    (mrcpt_re != NULL &&
		    urlscan_re_match(mrcpt_re, r, strlen(r)) == 1))
			m->policy = 1;
	}
	return m->policy == 1;
}

/* msg_wanted - decide the policy if needed; false: collect nothing */
static bool
msg_wanted(struct msg *m)
{
	bool	want;

	if (m->policy != -1)
		return m->policy == 1;
	if (!shared_enter())
		return false;
	want = policy_decide(m);
	shared_leave();
	return want;
}

/* ------------------------------------------------------------ callbacks */

/* mlfi_negotiate - pick protocol steps, no-reply flags and macros */
static sfsistat
mlfi_negotiate(SMFICTX *ctx, unsigned long f0, unsigned long f1,
    unsigned long f2, unsigned long f3, unsigned long *pf0,
    unsigned long *pf1, unsigned long *pf2, unsigned long *pf3)
{
	static const struct {
		int		 stage;
		const char	*list;
	} syms[] = {
		{ SMFIM_CONNECT, "{client_addr} {client_name} {daemon_name}" },
		{ SMFIM_ENVFROM, "{auth_authen} {auth_type} {tls_version} "
		    "{cipher} {i}" },
		{ SMFIM_ENVRCPT, "{rcpt_addr} {i}" },
		{ SMFIM_EOH, "{i}" },
		{ SMFIM_EOM, "{i}" },
	};
	struct conn	*cc = conn_get(ctx);
	size_t		 i;

	*pf0 = want_actions & f0;
	/* NODATA and NOUNKNOWN are dropped by libmilter if not offered. */
	*pf1 = (MILTER_STEPS & f1) | SMFIP_NODATA | SMFIP_NOUNKNOWN;
	*pf2 = 0;
	*pf3 = 0;
	cc->pflags = *pf1;
	if ((f0 & SMFIF_SETSYMLIST) != 0) {
		for (i = 0; i < ARRAY_LEN(syms); i++)
			if (smfi_setsymlist(ctx, syms[i].stage,
			    (char *)syms[i].list) != MI_SUCCESS)
				log_debug("-: milter: smfi_setsymlist(%d) "
				    "failed", syms[i].stage);
	} else
		*pf0 &= ~SMFIF_SETSYMLIST;
	cc->actions = *pf0;
	log_debug("-: milter: negotiated: MTA offers actions 0x%lx, steps "
	    "0x%lx; we take 0x%lx, 0x%lx", f0, f1, *pf0, *pf1);
	return SMFIS_CONTINUE;
}

/* mlfi_connect - remember the client address and name */
static sfsistat
mlfi_connect(SMFICTX *ctx, char *hostname, _SOCK_ADDR *sa)
{
	struct conn	*cc = conn_get(ctx);
	char		 ip[INET6_ADDRSTRLEN];
	const void	*addr = NULL;

	free(cc->client_ip);
	free(cc->client_host);
	free(cc->daemon);
	cc->client_ip = cc->client_host = cc->daemon = NULL;
	if (sa != NULL && sa->sa_family == AF_INET)
		addr = &((struct sockaddr_in *)(void *)sa)->sin_addr;
	else if (sa != NULL && sa->sa_family == AF_INET6)
		addr = &((struct sockaddr_in6 *)(void *)sa)->sin6_addr;
	if (addr != NULL &&
	    inet_ntop(sa->sa_family, addr, ip, sizeof(ip)) != NULL)
		cc->client_ip = xstrdup(ip);
	else
		cc->client_ip = macro_dup(ctx, "{client_addr}");
	/* No verified name: Sendmail passes "[addr]", Postfix "unknown",
	 * in the argument and in {client_name} alike. */
	if (host_known(hostname))
		cc->client_host = bounded_dup(hostname);
	else if (host_known(smfi_getsymval(ctx, "{client_name}")))
		cc->client_host = macro_dup(ctx, "{client_name}");
	cc->daemon = macro_dup(ctx, "{daemon_name}");
	return reply(cc, SMFIP_NR_CONN);
}

/* mlfi_helo - remember the HELO/EHLO argument (the last one wins) */
static sfsistat
mlfi_helo(SMFICTX *ctx, char *helo)
{
	struct conn	*cc = conn_get(ctx);

	free(cc->helo);
	cc->helo = helo != NULL && *helo != '\0' ? bounded_dup(helo) : NULL;
	return reply(cc, SMFIP_NR_HELO);
}

/* mlfi_envfrom - a new message: drop any earlier one, take the sender */
static sfsistat
mlfi_envfrom(SMFICTX *ctx, char **argv)
{
	struct conn	*cc = conn_get(ctx);
	struct msg	*m;

	msg_free(&cc->msg);
	m = cc->msg = xcalloc(1, sizeof(*m));
	m->policy = -1;
	m->mail_from = strip_angles(argv != NULL ? argv[0] : NULL);
	m->queue_id = macro_dup(ctx, "{i}");
	m->auth_user = macro_dup(ctx, "{auth_authen}");
	m->auth_method = macro_dup(ctx, "{auth_type}");
	m->tls_version = macro_dup(ctx, "{tls_version}");
	m->tls_cipher = macro_dup(ctx, "{cipher}");
	return reply(cc, SMFIP_NR_MAIL);
}

/* mlfi_envrcpt - one recipient; past the bounds it is only counted */
static sfsistat
mlfi_envrcpt(SMFICTX *ctx, char **argv)
{
	struct conn	*cc = conn_get(ctx);
	struct msg	*m = cc->msg;
	char		*r;
	size_t		 n;

	if (m == NULL)
		return reply(cc, SMFIP_NR_RCPT);
	macro_update(ctx, "{i}", &m->queue_id);
	if (argv != NULL && argv[0] != NULL)
		r = strip_angles(argv[0]);
	else if ((r = macro_dup(ctx, "{rcpt_addr}")) == NULL)
		return reply(cc, SMFIP_NR_RCPT);
	n = strlen(r) + 1;
	if (m->rcpts.n >= MILTER_MAX_RCPTS ||
	    m->rcpt_bytes + n > MILTER_MAX_RCPT_BYTES) {
		if (!m->truncated)
			log_warn("%s: milter: more than %d recipients or %d "
			    "bytes of them: the rest is left out of the alert",
			    m->queue_id != NULL ? m->queue_id : "-",
			    MILTER_MAX_RCPTS, MILTER_MAX_RCPT_BYTES);
		m->truncated = true;
		free(r);
	} else {
		m->rcpt_bytes += n;
		strlist_add_owned(&m->rcpts, r);
	}
	return reply(cc, SMFIP_NR_RCPT);
}

/*
 * mlfi_header - append "Name:value\n" (the value as received, with its
 * leading space when the MTA passes it).  A field that does not fit
 * whole ends header collection: the alert is built from a prefix of
 * complete fields and says it was truncated.
 */
static sfsistat
mlfi_header(SMFICTX *ctx, char *name, char *value)
{
	struct conn	*cc = conn_get(ctx);
	struct msg	*m = cc->msg;
	bool		 leadspc = (cc->pflags & SMFIP_HDR_LEADSPC) != 0;
	size_t		 nlen, vlen, room;

	if (m == NULL)
		return reply(cc, SMFIP_NR_HDR);
	/* Ours only: copies that came with the message go at end of
	 * message, whatever the policy and the bound. */
	if ((cc->actions & SMFIF_CHGHDRS) != 0 &&
	    strcasecmp(name, ALERT_HDR) == 0)
		m->own_hdrs++;
	if (m->hdr_full || !msg_wanted(m))
		return reply(cc, SMFIP_NR_HDR);
	nlen = strlen(name);
	vlen = strlen(value);
	/* The field's own line end is ours to write: a stray one would end
	 * the header block early. */
	while (vlen > 0 && (value[vlen - 1] == '\n' || value[vlen - 1] == '\r'))
		vlen--;
	room = m->len < max_bytes ? max_bytes - m->len : 0;
	/* name ':' [' '] value '\n', and keep room for the blank line */
	if (nlen + vlen + 4 > room) {
		m->hdr_full = true;
		m->truncated = true;
		return reply(cc, SMFIP_NR_HDR);
	}
	(void)msg_raw(m, name, nlen);
	(void)msg_raw(m, leadspc ? ":" : ": ", leadspc ? 1 : 2);
	(void)msg_text(m, value, vlen);
	m->cr = false;			/* a CR ending a value is dropped */
	(void)msg_raw(m, "\n", 1);
	return reply(cc, SMFIP_NR_HDR);
}

/* mlfi_eoh - the blank line between header and body */
static sfsistat
mlfi_eoh(SMFICTX *ctx)
{
	struct conn	*cc = conn_get(ctx);

	if (cc->msg != NULL) {
		macro_update(ctx, "{i}", &cc->msg->queue_id);
		if (msg_wanted(cc->msg))
			msg_end_headers(cc->msg);
	}
	return reply(cc, SMFIP_NR_EOH);
}

/*
 * mlfi_body - collect a body chunk within the bound.  Once the bound is
 * reached (or the message is not wanted), ask the MTA to skip the rest
 * of the body if it can.  Body chunks always get a reply: SKIP is one.
 * A SKIP because of the bound flags the alert truncated even when the
 * chunk filled the bound exactly: what follows it is never seen, so
 * nobody can tell that nothing did.
 */
static sfsistat
mlfi_body(SMFICTX *ctx, unsigned char *chunk, size_t len)
{
	struct conn	*cc = conn_get(ctx);
	struct msg	*m = cc->msg;
	bool		 more;

	if (m == NULL || m->skipped)
		return SMFIS_CONTINUE;
	if (!msg_wanted(m))
		more = false;
	else {
		msg_end_headers(m);
		more = msg_text(m, (const char *)chunk, len) &&
		    m->len < max_bytes;
	}
	if (!more && (cc->pflags & SMFIP_SKIP) != 0) {
		if (m->policy == 1)
			m->truncated = true;
		m->skipped = true;
		return SMFIS_SKIP;
	}
	return SMFIS_CONTINUE;
}

/* flags_note - ", flags a,b" for the log line, or "" (new string) */
static char *
flags_note(unsigned flags)
{
	char	*s, *note;

	if (flags == 0)
		return xstrdup("");
	s = extract_flags_str(flags);
	note = xasprintf(", flags %s", s);
	free(s);
	return note;
}

/*
 * dup_log - the alert id is already pending or sent: this message gets
 * no alert of its own.  Normal for the same message seen twice; for a
 * different message it is the documented limit of docs/ALERT-ID.md,
 * so say it where an admin looks (the default level).
 */
static void
dup_log(const char *qid, const char *id, const struct extract *x)
{
	char	*norm = alert_normalise_message_id(x->message_id);

	log_info("%s: milter: alert %s not sent again: same %s as an "
	    "alert already pending or sent (see docs/ALERT-ID.md)", qid, id,
	    norm != NULL ? "Message-ID" : "content (no Message-ID)");
	free(norm);
}

/*
 * eom_alert - build and spool the alert of a finished message.  Caller
 * holds the shared state.  Returns the milter reply.
 */
static sfsistat
eom_alert(SMFICTX *ctx, struct conn *cc, struct msg *m)
{
	const char		*qid = m->queue_id != NULL ? m->queue_id : "-";
	struct extract		 x;
	struct envelope		 env;
	struct errbuf		 err;
	enum spool_put_result	 r;
	char			 id[ALERT_ID_MAX], *json, *note;
	sfsistat		 rc = SMFIS_CONTINUE;

	COUNT(st_messages);
	if (m->truncated)
		COUNT(st_truncated);
	if (!policy_decide(m)) {
		COUNT(st_unwanted);
		log_info("%s: milter: no alert (alert_on = recipients: no "
		    "recipient matched)", qid);
		return SMFIS_CONTINUE;
	}
	msg_flush_cr(m);
	memset(&x, 0, sizeof(x));
	err.msg[0] = '\0';
	if (extract_message(mcfg, m->buf != NULL ? m->buf : "", m->len, &x,
	    &err) == -1) {
		log_err("%s: milter: cannot extract the message: %s", qid,
		    err.msg);
		extract_free(&x);
		COUNT(st_failed);
		return on_error_action();
	}
	if (m->truncated)
		x.flags |= EXF_TRUNC_BYTES;
	alert_id(mcfg, &x, id);

	memset(&env, 0, sizeof(env));
	env.mode = "milter";
	env.client_ip = cc->client_ip;
	env.client_host = cc->client_host;
	env.helo = cc->helo;
	env.mail_from = m->mail_from;
	env.rcpts = m->rcpts;		/* borrowed: alert_json only reads */
	env.queue_id = m->queue_id;
	env.auth_user = m->auth_user;
	env.auth_method = m->auth_method;
	env.tls_version = m->tls_version;
	env.tls_cipher = m->tls_cipher;
	env.daemon = cc->daemon;
	env.truncated = m->truncated;
	env.raw = m->buf;
	env.raw_len = m->len;
	env.received_ms = util_now_ms();

	if ((json = alert_json(mcfg, &x, &env, env.received_ms, false))
	    == NULL) {
		log_err("%s: milter: alert %s: no JSON built", qid, id);
		extract_free(&x);
		COUNT(st_failed);
		return on_error_action();
	}
	r = spool_put(mspool, id, json, strlen(json), &err);
	note = flags_note(x.flags);
	switch (r) {
	case SPOOL_OK:
		sender_kick(msender);
		log_info("%s: milter: alert %s spooled (%zu urls, %zu "
		    "attachments%s)", qid, id, x.urls.n, x.n_att, note);
		break;
	case SPOOL_DUP:
		dup_log(qid, id, &x);
		break;
	case SPOOL_FULL:
		log_warn("%s: milter: alert %s: spool full, alert dropped",
		    qid, id);
		break;
	case SPOOL_ERR:
	default:
		log_err("%s: milter: alert %s not spooled: %s", qid, id,
		    err.msg);
		COUNT(st_failed);
		rc = on_error_action();
		break;
	}
	/* Only an id that is pending or sent: a dropped alert has none;
	 * none either beside forged copies that could not all go. */
	if ((want_actions & SMFIF_ADDHDRS) != 0 &&
	    (r == SPOOL_OK || r == SPOOL_DUP) &&
	    m->own_hdrs <= OWN_HDRS_MAX &&
	    smfi_addheader(ctx, ALERT_HDR, id) != MI_SUCCESS)
		log_warn("%s: milter: cannot add " ALERT_HDR " (the MTA "
		    "did not allow header changes)", qid);
	free(note);
	free(json);
	extract_free(&x);
	return rc;
}

/*
 * own_hdrs_delete - with add_header, X-SOAR-Alert-Id is ours: delete
 * the copies the message came with (last first, so that the indexes
 * of the others stay), before ours is added.  Past OWN_HDRS_MAX copies
 * none is deleted and eom_alert adds none.
 */
static void
own_hdrs_delete(SMFICTX *ctx, struct msg *m)
{
	size_t	i;

	if (m->own_hdrs > OWN_HDRS_MAX) {
		log_warn("%s: milter: %zu incoming " ALERT_HDR " fields (more "
		    "than %d): none deleted, none added", m->queue_id !=
		    NULL ? m->queue_id : "-", m->own_hdrs, OWN_HDRS_MAX);
		return;
	}
	for (i = m->own_hdrs; i > 0; i--)
		if (smfi_chgheader(ctx, ALERT_HDR, (int)i, NULL) !=
		    MI_SUCCESS) {
			log_warn("%s: milter: cannot delete an incoming "
			    ALERT_HDR " (the MTA did not allow header "
			    "changes)", m->queue_id != NULL ? m->queue_id :
			    "-");
			return;
		}
	if (m->own_hdrs > 0)
		log_info("%s: milter: %zu incoming " ALERT_HDR " field(s) "
		    "deleted", m->queue_id != NULL ? m->queue_id : "-",
		    m->own_hdrs);
}

/* mlfi_eom - end of message: make the alert durable, then answer */
static sfsistat
mlfi_eom(SMFICTX *ctx)
{
	struct conn	*cc = smfi_getpriv(ctx);
	struct msg	*m;
	sfsistat	 rc;

	if (cc == NULL || (m = cc->msg) == NULL)
		return SMFIS_CONTINUE;
	macro_update(ctx, "{i}", &m->queue_id);
	own_hdrs_delete(ctx, m);
	if (!shared_enter()) {
		log_warn("%s: milter: shutting down: no alert for this "
		    "message", m->queue_id != NULL ? m->queue_id : "-");
		rc = SMFIS_CONTINUE;
	} else {
		rc = eom_alert(ctx, cc, m);
		shared_leave();
	}
	msg_free(&cc->msg);
	return rc;
}

/* mlfi_abort - the MTA dropped the message: forget it */
static sfsistat
mlfi_abort(SMFICTX *ctx)
{
	struct conn	*cc = smfi_getpriv(ctx);

	if (cc != NULL)
		msg_free(&cc->msg);
	return SMFIS_CONTINUE;
}

/* mlfi_close - end of connection (priv may be NULL) */
static sfsistat
mlfi_close(SMFICTX *ctx)
{
	struct conn	*cc = smfi_getpriv(ctx);

	if (cc != NULL) {
		smfi_setpriv(ctx, NULL);
		conn_free(cc);
	}
	return SMFIS_CONTINUE;
}

/* ------------------------------------------------------------- startup */

/* sock_unix_path - the path of a unix:/local: spec, or NULL for inet */
static const char *
sock_unix_path(const char *spec)
{
	if (str_has_prefix_ci(spec, "unix:"))
		return spec + 5;
	if (str_has_prefix_ci(spec, "local:"))
		return spec + 6;
	if (*spec == '/')
		return spec;
	return NULL;
}

/* sock_check_spec - validate the socket spec before libmilter sees it */
static int
sock_check_spec(const char *spec, struct errbuf *err)
{
	const char	*p, *path;
	char		*end;
	long		 port;

	if (spec == NULL || *spec == '\0') {
		errbuf_set(err, "socket: not set");
		return -1;
	}
	if ((path = sock_unix_path(spec)) != NULL) {
		if (*path != '/') {
			errbuf_set(err, "socket: %s: the path must be "
			    "absolute", spec);
			return -1;
		}
		if (strlen(path) >= SUN_PATH_MAX) {
			errbuf_set(err, "socket: %s: path too long (at most "
			    "%zu bytes)", spec, SUN_PATH_MAX - 1);
			return -1;
		}
		return 0;
	}
	if (str_has_prefix_ci(spec, "inet:"))
		p = spec + 5;
	else if (str_has_prefix_ci(spec, "inet6:"))
		p = spec + 6;
	else {
		errbuf_set(err, "socket: %s: expected inet:PORT@HOST, "
		    "inet6:PORT@HOST or unix:/path", spec);
		return -1;
	}
	errno = 0;
	port = strtol(p, &end, 10);
	if (end == p || errno != 0 || port < 1 || port > 65535 ||
	    (*end != '\0' && *end != '@')) {
		errbuf_set(err, "socket: %s: bad port (1-65535)", spec);
		return -1;
	}
	return 0;
}

/* sock_dir_check - the directory of a unix socket must exist */
static int
sock_dir_check(const char *spec, const char *path, struct errbuf *err)
{
	struct stat	 st;
	char		*dir, *slash;
	int		 rc = 0;

	dir = xstrdup(path);
	slash = strrchr(dir, '/');	/* the path is absolute */
	if (slash == dir)
		slash[1] = '\0';
	else
		*slash = '\0';
	if (stat(dir, &st) == -1) {
		errbuf_set(err, "socket: %s: directory %s: %s", spec, dir,
		    strerror(errno));
		rc = -1;
	} else if (!S_ISDIR(st.st_mode)) {
		errbuf_set(err, "socket: %s: %s is not a directory", spec,
		    dir);
		rc = -1;
	}
	free(dir);
	return rc;
}

/*
 * sock_remove_stale - remove a unix socket left by a dead process: only
 * if it is a socket and nobody answers on it.  0 if the path is free.
 */
static int
sock_remove_stale(const char *path, struct errbuf *err)
{
	struct sockaddr_un	 sun;
	struct stat		 st;
	int			 fd, rc;

	if (lstat(path, &st) == -1) {
		if (errno == ENOENT)
			return 0;
		errbuf_set(err, "socket: %s: %s", path, strerror(errno));
		return -1;
	}
	if (!S_ISSOCK(st.st_mode)) {
		errbuf_set(err, "socket: %s: exists and is not a socket: not "
		    "removing it", path);
		return -1;
	}
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, path, strlen(path) + 1);
	if ((fd = socket(AF_UNIX, SOCK_STREAM, 0)) == -1) {
		errbuf_set(err, "socket(): %s", strerror(errno));
		return -1;
	}
	rc = connect(fd, (struct sockaddr *)&sun, sizeof(sun));
	close(fd);
	if (rc == 0) {
		errbuf_set(err, "socket: %s: in use by another process "
		    "(is soar-milter already running?)", path);
		return -1;
	}
	if (errno != ECONNREFUSED) {
		errbuf_set(err, "socket: %s: connect: %s", path,
		    strerror(errno));
		return -1;
	}
	if (unlink(path) == -1 && errno != ENOENT) {
		errbuf_set(err, "socket: %s: cannot remove the stale socket: "
		    "%s", path, strerror(errno));
		return -1;
	}
	log_info("-: milter: removed stale socket %s", path);
	return 0;
}

/*
 * sock_why - libmilter could not listen and does not say why: bind the
 * same address ourselves and report that errno.
 */
static void
sock_why(const char *spec, const char *path, struct errbuf *err)
{
	struct sockaddr_un	 sun;
	struct addrinfo		 hints, *ai = NULL;
	const char		*p, *at;
	char			 port[16], *host = NULL;
	int			 fd = -1, e = 0, gai, one = 1;
	bool			 v6 = str_has_prefix_ci(spec, "inet6:");

	if (path != NULL) {
		memset(&sun, 0, sizeof(sun));
		sun.sun_family = AF_UNIX;
		memcpy(sun.sun_path, path, strlen(path) + 1);
		if ((fd = socket(AF_UNIX, SOCK_STREAM, 0)) == -1 ||
		    bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1)
			e = errno;
		else
			(void)unlink(path);	/* ours, made just now */
	} else {
		p = spec + (v6 ? 6 : 5);
		at = strchr(p, '@');
		snprintf(port, sizeof(port), "%.*s", at != NULL ?
		    (int)(at - p) : (int)strlen(p), p);
		if (at != NULL && at[1] != '\0') {
			host = xstrdup(at + 1);
			if (*host == '[' && host[strlen(host) - 1] == ']') {
				host[strlen(host) - 1] = '\0';
				memmove(host, host + 1, strlen(host));
			}
		}
		memset(&hints, 0, sizeof(hints));
		hints.ai_family = v6 ? AF_INET6 : AF_INET;
		hints.ai_socktype = SOCK_STREAM;
		hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
		if ((gai = getaddrinfo(host, port, &hints, &ai)) != 0) {
			errbuf_set(err, "socket: %s: cannot listen: host %s: "
			    "%s", spec, host != NULL ? host : "(any)",
			    gai_strerror(gai));
			goto out;
		}
		if ((fd = socket(ai->ai_family, SOCK_STREAM, 0)) == -1)
			e = errno;
		else {
			(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one,
			    sizeof(one));
			if (bind(fd, ai->ai_addr, ai->ai_addrlen) == -1 ||
			    listen(fd, 1) == -1)
				e = errno;
		}
	}
	if (e != 0)
		errbuf_set(err, "socket: %s: cannot listen: %s", spec,
		    strerror(e));
	else
		errbuf_set(err, "socket: %s: cannot listen (libmilter "
		    "failed; a bind of the same address works now)", spec);
out:
	if (fd != -1)
		close(fd);
	if (ai != NULL)
		freeaddrinfo(ai);
	free(host);
}

/* lookup_owner - "user[:group]" -> ids; -1 in an id means "keep" */
static int
lookup_owner(const char *spec, uid_t *uid_r, gid_t *gid_r,
    struct errbuf *err)
{
	struct passwd	*pw;
	struct group	*gr;
	char		*user, *group;
	int		 rc = -1;

	user = xstrdup(spec);
	if ((group = strchr(user, ':')) != NULL)
		*group++ = '\0';
	*uid_r = (uid_t)-1;
	*gid_r = (gid_t)-1;
	if (*user != '\0') {
		if ((pw = getpwnam(user)) == NULL) {
			errbuf_set(err, "socket_owner: no such user: %s", user);
			goto out;
		}
		*uid_r = pw->pw_uid;
	}
	if (group != NULL && *group != '\0') {
		if ((gr = getgrnam(group)) == NULL) {
			errbuf_set(err, "socket_owner: no such group: %s",
			    group);
			goto out;
		}
		*gid_r = gr->gr_gid;
	}
	rc = 0;
out:
	free(user);
	return rc;
}

/* milter_check - start-up checks without privilege or bind */
int
milter_check(const struct config *cfg, struct errbuf *err)
{
	const char	*path;
	uid_t		 uid;
	gid_t		 gid;

	if (sock_check_spec(cfg->socket, err) == -1)
		return -1;
	/* what the daemon refuses, check-config refuses too */
	if ((path = sock_unix_path(cfg->socket)) != NULL &&
	    sock_dir_check(cfg->socket, path, err) == -1)
		return -1;
	if (cfg->user != NULL && *cfg->user != '\0' &&
	    getpwnam(cfg->user) == NULL) {
		errbuf_set(err, "user: no such user: %s", cfg->user);
		return -1;
	}
	if (cfg->group != NULL && *cfg->group != '\0' &&
	    getgrnam(cfg->group) == NULL) {
		errbuf_set(err, "group: no such group: %s", cfg->group);
		return -1;
	}
	if (path != NULL && cfg->socket_owner != NULL &&
	    *cfg->socket_owner != '\0' &&
	    lookup_owner(cfg->socket_owner, &uid, &gid, err) == -1)
		return -1;
	return 0;
}

/*
 * sock_own - the unix socket just bound: make sure the path is still
 * the socket we made (a socket of ours, not a symbolic link or anything
 * else: its directory may be the service user's), remember its identity
 * for the removal at exit, and give it socket_owner.  The mode came
 * with the bind (umask).  Everything is done on the inode opened here,
 * never through the name again, so a swap of the name changes nothing.
 */
static int
sock_own(const struct config *cfg, const char *path, struct errbuf *err)
{
	struct stat	 st;
	char		 proc[64];
	uid_t		 uid;
	gid_t		 gid;
	int		 fd, rc = -1;

	if ((fd = open(path, O_PATH | O_NOFOLLOW | O_CLOEXEC)) == -1) {
		errbuf_set(err, "socket: %s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == -1) {
		errbuf_set(err, "socket: %s: %s", path, strerror(errno));
		goto out;
	}
	if (!S_ISSOCK(st.st_mode) || st.st_uid != geteuid()) {
		errbuf_set(err, "socket: %s: no longer the socket just bound "
		    "(now %s): not changing its mode or owner", path,
		    S_ISLNK(st.st_mode) ? "a symbolic link" :
		    S_ISSOCK(st.st_mode) ? "another user's socket" :
		    "not a socket");
		goto out;
	}
	msock_path = xstrdup(path);
	msock_dev = st.st_dev;
	msock_ino = st.st_ino;
	if (cfg->socket_mode > 0 &&
	    (st.st_mode & 07777) != (mode_t)cfg->socket_mode) {
		/* Not expected (the umask said it): through the inode. */
		snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
		if (chmod(proc, (mode_t)cfg->socket_mode) == -1) {
			errbuf_set(err, "socket: %s: chmod %04o: %s", path,
			    (unsigned)cfg->socket_mode, strerror(errno));
			goto out;
		}
	}
	if (cfg->socket_owner != NULL && *cfg->socket_owner != '\0') {
		if (lookup_owner(cfg->socket_owner, &uid, &gid, err) == -1)
			goto out;
		if (fchownat(fd, "", uid, gid, AT_EMPTY_PATH) == -1) {
			errbuf_set(err, "socket: %s: chown %s: %s", path,
			    cfg->socket_owner, strerror(errno));
			goto out;
		}
	}
	rc = 0;
out:
	close(fd);
	return rc;
}

/*
 * sock_open - bind the listening socket.  A unix socket gets its mode
 * at the bind (umask), so it is never open wider, then its owner.
 */
static int
sock_open(const struct config *cfg, struct errbuf *err)
{
	const char	*path = sock_unix_path(cfg->socket);
	mode_t		 omask = 0;
	bool		 masked = path != NULL && cfg->socket_mode > 0;
	int		 rc;

	if (path != NULL && (sock_dir_check(cfg->socket, path, err) == -1 ||
	    sock_remove_stale(path, err) == -1))
		return -1;
	if (smfi_setconn(cfg->socket) != MI_SUCCESS) {
		errbuf_set(err, "socket: %s: rejected by libmilter",
		    cfg->socket);
		return -1;
	}
	if (masked)
		omask = umask(~(mode_t)cfg->socket_mode & 0777);
	rc = smfi_opensocket(false);
	if (masked)
		(void)umask(omask);
	if (rc != MI_SUCCESS) {
		sock_why(cfg->socket, path, err);
		return -1;
	}
	if (path == NULL)
		return 0;
	return sock_own(cfg, path, err);
}

/*
 * sock_remove - at exit, remove our unix socket if the path still is
 * that socket (as OpenDKIM does).  After the privilege drop the
 * directory may not allow it: then it stays, and the next start
 * removes it as stale.
 */
static void
sock_remove(void)
{
	struct stat	st;

	if (msock_path == NULL)
		return;
	if (lstat(msock_path, &st) == 0 && S_ISSOCK(st.st_mode) &&
	    st.st_dev == msock_dev && st.st_ino == msock_ino &&
	    unlink(msock_path) == -1)
		log_info("-: milter: socket %s left in place: %s (the next "
		    "start removes it)", msock_path, strerror(errno));
	free(msock_path);
	msock_path = NULL;
}

/*
 * drop_privileges - become cfg->user (and cfg->group, else the user's
 * primary group) for good.  A group without a user: only the group
 * changes (setgroups, setgid), the user stays.  Without either: nothing
 * to do, with a warning when that means running as root.
 */
static int
drop_privileges(const struct config *cfg, struct errbuf *err)
{
	struct passwd	*pw = NULL;
	struct group	*gr;
	gid_t		 gid = (gid_t)-1;
	bool		 has_user = cfg->user != NULL && *cfg->user != '\0';
	bool		 has_group = cfg->group != NULL && *cfg->group != '\0';

	if (has_user && (pw = getpwnam(cfg->user)) == NULL) {
		errbuf_set(err, "user: no such user: %s", cfg->user);
		return -1;
	}
	if (pw != NULL)
		gid = pw->pw_gid;
	if (has_group) {
		if ((gr = getgrnam(cfg->group)) == NULL) {
			errbuf_set(err, "group: no such group: %s",
			    cfg->group);
			return -1;
		}
		gid = gr->gr_gid;
	}
	if (geteuid() != 0) {
		/* Already unprivileged (e.g. systemd User=): must match. */
		if (pw != NULL && geteuid() != pw->pw_uid) {
			errbuf_set(err, "user %s: cannot switch to it: not "
			    "running as root", cfg->user);
			return -1;
		}
		if (has_group && getegid() != gid) {
			errbuf_set(err, "group %s: cannot switch to it: not "
			    "running as root", cfg->group);
			return -1;
		}
		return 0;
	}
	if (!has_user) {
		if (has_group) {
			if (setgroups(1, &gid) == -1 || setgid(gid) == -1) {
				errbuf_set(err, "cannot switch to group %s: %s",
				    cfg->group, strerror(errno));
				return -1;
			}
			log_info("-: milter: running as group %s",
			    cfg->group);
		}
		log_warn("-: milter: running as root (set user = to drop "
		    "privileges after binding)");
		return 0;
	}
	if (priv_become(cfg->user, pw->pw_uid, gid, err) == -1)
		return -1;
	log_info("-: milter: running as user %s", cfg->user);
	return 0;
}

/*
 * pid_lock - open the pid file (as root, before the privilege drop) and
 * hold an exclusive lock on it for the daemon's life: a second daemon
 * with the same pid_file stops here instead of taking the file over.
 * Only a regular file with one link is used (its directory may be the
 * service user's).
 */
static int
pid_lock(const char *path, struct errbuf *err)
{
	struct stat	 st;
	char		 buf[32];
	ssize_t		 n;
	long		 pid;
	int		 fd;

	if ((fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC,
	    0644)) == -1) {
		errbuf_set(err, "pid_file %s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) ||
	    st.st_nlink != 1) {
		errbuf_set(err, "pid_file %s: not a regular file with one "
		    "link: not using it", path);
		close(fd);
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) == -1) {
		if (errno != EWOULDBLOCK)
			errbuf_set(err, "pid_file %s: lock: %s", path,
			    strerror(errno));
		else if ((n = pread(fd, buf, sizeof(buf) - 1, 0)) > 0 &&
		    (buf[n] = '\0', pid = strtol(buf, NULL, 10)) > 0)
			errbuf_set(err, "pid file %s is locked by pid %ld: "
			    "already running", path, pid);
		else
			errbuf_set(err, "pid file %s is locked by another "
			    "process: already running", path);
		close(fd);
		return -1;
	}
	/* ours now: a dead daemon's pid must not stay readable */
	if (ftruncate(fd, 0) == -1) {
		errbuf_set(err, "pid_file %s: truncate: %s", path,
		    strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

/* pid_write - our pid into the locked pid file (the fd stays open) */
static void
pid_write(int fd, const char *path)
{
	char	buf[32];
	int	n;

	n = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) == -1 || pwrite(fd, buf, n, 0) != n)
		log_warn("-: milter: pid_file %s: write: %s", path,
		    strerror(errno));
}

/*
 * pid_remove - at exit: remove the pid file, then let go of the lock.
 * After the privilege drop a root-owned directory does not allow the
 * unlink: the file is then emptied through the fd held since start.
 */
static void
pid_remove(int fd, const char *path)
{
	if (unlink(path) == -1 && (errno == EACCES || errno == EPERM) &&
	    ftruncate(fd, 0) == -1)
		log_warn("-: milter: pid_file %s: cannot remove or empty it: "
		    "%s", path, strerror(errno));
	close(fd);
}

/* daemonize - detach from the terminal; the parent exits 0 */
static int
daemonize(struct errbuf *err)
{
	pid_t	pid;
	int	fd;

	if ((pid = fork()) == -1) {
		errbuf_set(err, "fork: %s", strerror(errno));
		return -1;
	}
	if (pid > 0)
		_exit(0);
	if (setsid() == -1) {
		errbuf_set(err, "setsid: %s", strerror(errno));
		return -1;
	}
	if ((pid = fork()) == -1) {
		errbuf_set(err, "fork: %s", strerror(errno));
		return -1;
	}
	if (pid > 0)
		_exit(0);
	if (chdir("/") == -1) {
		errbuf_set(err, "chdir /: %s", strerror(errno));
		return -1;
	}
	if ((fd = open("/dev/null", O_RDWR)) != -1) {
		(void)dup2(fd, STDIN_FILENO);
		(void)dup2(fd, STDOUT_FILENO);
		(void)dup2(fd, STDERR_FILENO);
		if (fd > STDERR_FILENO)
			close(fd);
	}
	return 0;
}

/*
 * shared_close - wait (bounded) for callbacks that use the shared
 * state, then mark it gone.  False if some callback did not finish.
 */
static bool
shared_close(void)
{
	struct timespec	deadline;

	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += MILTER_DRAIN_SECONDS;
	if (pthread_rwlock_timedwrlock(&shared_lock, &deadline) != 0)
		return false;
	shared_closed = true;
	pthread_rwlock_unlock(&shared_lock);
	return true;
}

/*
 * Keys read only at start (sockets, privileges, logging, the spool, the
 * sizes the callbacks bound messages with, the engine's regex limit): a
 * reload keeps their running values and says so.
 */
static const char *const restart_keys[] = {
	"socket", "socket_mode", "socket_owner", "user", "group", "pid_file",
	"log_syslog", "log_facility", "log_level", "milter_timeout",
	"add_header", "max_message_bytes", "regex_match_limit", "state_dir",
	"spool_max_files", "spool_max_bytes", "sent_retention",
	"sent_max_entries",
};

static milter_reload_fn	 mreload;
static void		*mreload_arg;
static pthread_t	 reload_thr;
static bool		 reload_running;
static volatile bool	 reload_stop;

/* rcpt_re_for - compile cfg's recipient regex, if it uses one */
static int
rcpt_re_for(const struct config *cfg, struct urlscan_re **re_r,
    struct errbuf *err)
{
	*re_r = NULL;
	if (cfg->alert_on != ALERT_ON_RECIPIENTS ||
	    cfg->alert_recipient_regex == NULL ||
	    *cfg->alert_recipient_regex == '\0')
		return 0;
	if ((*re_r = urlscan_re_compile(cfg->alert_recipient_regex, true,
	    err)) == NULL)
		return -1;
	return 0;
}

/* config_release - free a configuration a reload made */
static void
config_release(const struct config *cfg)
{
	if (cfg != NULL && cfg != mcfg_start) {
		config_free((struct config *)(uintptr_t)cfg);
		free((void *)(uintptr_t)cfg);
	}
}

/* sender_retire - stop a sender, keeping its retry count for metrics */
static void
sender_retire(struct sender **sp)
{
	struct sender_stats	 ds;

	if (*sp == NULL)
		return;
	memset(&ds, 0, sizeof(ds));
	sender_get_stats(*sp, &ds);
	retried_base += ds.retried;
	sender_stop(sp);
}

/*
 * reload - SIGUSR1: read the configuration again.  Nothing changes unless
 * it is valid, its recipient regex compiles and its delivery settings
 * work (outbox directory, key or token file).  Then, under the write
 * lock, new messages see the new policy and alert settings at once; the
 * sender is restarted with the new delivery settings (what is spooled
 * meanwhile waits in the spool).  Keys read only at start keep their
 * running values, with a warning.
 */
static void
reload(void)
{
	struct config		*nc;
	const struct config	*oc;
	struct urlscan_re	*re = NULL, *ore;
	struct sender		*os, *ns;
	struct errbuf		 err;
	size_t			 i;

	err.msg[0] = '\0';
	nc = xcalloc(1, sizeof(*nc));
	if (mreload(nc, &err, mreload_arg) == -1) {
		log_err("-: milter: reload: %s; the running configuration "
		    "stays", err.msg);
		goto fail;
	}
	for (i = 0; i < ARRAY_LEN(restart_keys); i++)
		if (config_keep(nc, mcfg, restart_keys[i]) == 1)
			log_warn("-: milter: reload: %s changed: it takes "
			    "effect at the next start only", restart_keys[i]);
	if (rcpt_re_for(nc, &re, &err) == -1) {
		log_err("-: milter: reload: %s: alert_recipient_regex: %s; "
		    "the running configuration stays",
		    nc->path != NULL ? nc->path : "-o", err.msg);
		goto fail;
	}
	if (sender_check(nc, mspool, &err) == -1) {
		log_err("-: milter: reload: delivery: %s; the running "
		    "configuration stays", err.msg);
		goto fail;
	}
	if (pthread_rwlock_wrlock(&shared_lock) != 0)
		goto fail;
	if (shared_closed) {
		pthread_rwlock_unlock(&shared_lock);
		goto fail;
	}
	oc = mcfg;
	ore = mrcpt_re;
	os = msender;
	mcfg = nc;
	mrcpt_re = re;
	msender = NULL;		/* kicks meanwhile: the new one looks anyway */
	pthread_rwlock_unlock(&shared_lock);

	sender_retire(&os);	/* lets a POST in flight end */
	if ((ns = sender_start(nc, mspool, &err)) == NULL)
		log_err("-: milter: reload: sender: %s: alerts stay in the "
		    "spool until the next reload or start", err.msg);
	pthread_rwlock_wrlock(&shared_lock);
	msender = ns;
	pthread_rwlock_unlock(&shared_lock);
	if (ore != NULL)
		urlscan_re_free(ore);
	config_release(oc);
	log_info("-: milter: reload: configuration from %s applied "
	    "(alert_on %s, on_error %s)", nc->path != NULL ? nc->path :
	    "built-in defaults", nc->alert_on == ALERT_ON_ALL ? "all" :
	    "recipients", nc->on_error == ON_ERROR_TEMPFAIL ? "tempfail" :
	    "continue");
	return;
fail:
	if (re != NULL)
		urlscan_re_free(re);
	config_free(nc);
	free(nc);
}

/*
 * stats_log - one line with the counters since start: messages at end
 * of message (no alert wanted, over max_message_bytes, failed open), and
 * the spool's: alerts spooled, duplicates, dropped as the spool was
 * full, delivered, dead letters, invalid files, pending now.
 */
static void
stats_log(const char *when)
{
	struct spool_stats	 ss;

	memset(&ss, 0, sizeof(ss));
	if (mspool != NULL)
		spool_get_stats(mspool, &ss);
	log_info("-: milter: stats (%s): messages %" PRIu64 " (no alert "
	    "wanted %" PRIu64 ", truncated %" PRIu64 ", failed %" PRIu64
	    "); alerts spooled %" PRIu64 ", duplicate %" PRIu64 ", dropped "
	    "(spool full) %" PRIu64 ", not spooled %" PRIu64 "; delivered %"
	    PRIu64 ", dead %" PRIu64 ", bad %" PRIu64 "; pending %" PRIu64
	    " (%" PRIu64 " bytes)", when, COUNTED(st_messages),
	    COUNTED(st_unwanted), COUNTED(st_truncated), COUNTED(st_failed),
	    ss.put, ss.dup, ss.full, ss.err, ss.acked, ss.dead, ss.bad,
	    ss.files, ss.bytes);
}

/* metrics_on - whether a metrics_file is configured */
static bool
metrics_on(void)
{
	return mcfg->metrics_file != NULL && mcfg->metrics_file[0] != '\0';
}

/*
 * metrics_dump - rewrite metrics_file (if set) with the counters of
 * stats_log and the senders' retries, in the Prometheus text format.
 * The spool's counters and retried_base survive a reload (it replaces
 * the sender).  A failure is logged once until the next success: last
 * is the caller's (one thread's) memory of the previous one.
 */
static void
metrics_dump(struct errbuf *last)
{
	struct spool_stats	 ss;
	struct sender_stats	 ds;
	struct metrics		 m = { { NULL, 0, 0 }, NULL };
	struct errbuf		 err;

	if (!metrics_on())
		return;
	memset(&ss, 0, sizeof(ss));
	memset(&ds, 0, sizeof(ds));
	if (mspool != NULL)
		spool_get_stats(mspool, &ss);
	if (msender != NULL)
		sender_get_stats(msender, &ds);
#define M(name, type, help, label, value, v) \
	metrics_add(&m, "soar_milter_" name, type, help, label, value, v)
	M("messages_total", METRIC_COUNTER, "Messages that reached end of "
	    "message.", NULL, NULL, COUNTED(st_messages));
	M("messages_unwanted_total", METRIC_COUNTER, "Messages for which "
	    "no alert was wanted (alert_on).", NULL, NULL,
	    COUNTED(st_unwanted));
	M("messages_truncated_total", METRIC_COUNTER, "Messages larger "
	    "than max_message_bytes (examined in part).", NULL, NULL,
	    COUNTED(st_truncated));
	M("messages_failed_total", METRIC_COUNTER, "Messages that got no "
	    "alert because of an internal error (mail still flowed as "
	    "on_error says).", NULL, NULL, COUNTED(st_failed));
	M("alerts_total", METRIC_COUNTER, "Alerts by what the spool did "
	    "with them.", "result", "spooled", ss.put);
	M("alerts_total", METRIC_COUNTER, "", "result", "duplicate", ss.dup);
	M("alerts_total", METRIC_COUNTER, "", "result", "dropped_spool_full",
	    ss.full);
	M("alerts_total", METRIC_COUNTER, "", "result", "error", ss.err);
	M("delivered_total", METRIC_COUNTER, "Alerts delivered to the SOAR "
	    "(or written to the outbox).", NULL, NULL, ss.acked);
	M("delivery_retries_total", METRIC_COUNTER, "Deliveries that "
	    "failed and will be retried (network errors, 5xx, 408, 429).",
	    NULL, NULL, retried_base + ds.retried);
	M("dead_letters_total", METRIC_COUNTER, "Alerts the SOAR refused "
	    "for good, moved to the dead-letter folder.", NULL, NULL,
	    ss.dead);
	M("spool_bad_files_total", METRIC_COUNTER, "Spool files that did "
	    "not validate, moved to spool/bad.", NULL, NULL, ss.bad);
	M("spool_pending_alerts", METRIC_GAUGE, "Alerts waiting in the "
	    "spool.", NULL, NULL, ss.files);
	M("spool_pending_bytes", METRIC_GAUGE, "Bytes of the alerts waiting "
	    "in the spool.", NULL, NULL, ss.bytes);
	M("start_time_seconds", METRIC_GAUGE, "When the daemon started, "
	    "unix time.", NULL, NULL, (uint64_t)mstart_unix);
#undef M
	err.msg[0] = '\0';
	if (metrics_write(&m, mcfg->metrics_file, &err) == -1) {
		if (strcmp(err.msg, last->msg) != 0)
			log_warn("-: milter: metrics_file: %s", err.msg);
		snprintf(last->msg, sizeof(last->msg), "%s", err.msg);
	} else
		last->msg[0] = '\0';
	metrics_free(&m);
}

/* ts_due - whether the monotonic time t has come at now */
static bool
ts_due(const struct timespec *now, const struct timespec *t)
{
	return now->tv_sec > t->tv_sec || (now->tv_sec == t->tv_sec &&
	    now->tv_nsec >= t->tv_nsec);
}

/* ts_in - now + sec */
static struct timespec
ts_in(int64_t sec)
{
	struct timespec	 t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	t.tv_sec += (time_t)sec;
	return t;
}

/*
 * reload_main - the daemon's own signal thread: SIGUSR1 reloads; every
 * stats_interval seconds (if not 0) a stats line, every
 * metrics_interval seconds (with metrics_file) the metrics file; until
 * told to stop.
 */
static void *
reload_main(void *arg)
{
	struct timespec	 now, next_stats, next_metrics, wait;
	const struct timespec *next;
	struct errbuf	 last;		/* the last metrics_file failure */
	sigset_t	 set;
	int64_t		 stats_every, metrics_every;
	int		 sig;

	(void)arg;
	last.msg[0] = '\0';
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	stats_every = mcfg->stats_interval;
	metrics_every = metrics_on() ?
	    mcfg->metrics_interval : 0;
	next_stats = ts_in(stats_every);
	next_metrics = ts_in(metrics_every);
	metrics_dump(&last);
	for (;;) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (stats_every > 0 && ts_due(&now, &next_stats)) {
			stats_log("every stats_interval");
			next_stats = ts_in(stats_every);
			continue;
		}
		if (metrics_every > 0 && ts_due(&now, &next_metrics)) {
			metrics_dump(&last);
			next_metrics = ts_in(metrics_every);
			continue;
		}
		next = NULL;
		if (stats_every > 0)
			next = &next_stats;
		if (metrics_every > 0 && (next == NULL ||
		    ts_due(next, &next_metrics)))
			next = &next_metrics;
		if (next != NULL) {
			wait.tv_sec = next->tv_sec - now.tv_sec;
			wait.tv_nsec = next->tv_nsec - now.tv_nsec;
			if (wait.tv_nsec < 0) {
				wait.tv_sec--;
				wait.tv_nsec += 1000000000L;
			}
			sig = sigtimedwait(&set, NULL, &wait);
			if (sig == -1)
				continue;	/* timeout or EINTR */
		} else if (sigwait(&set, &sig) != 0)
			break;
		if (reload_stop)
			break;
		if (mreload == NULL) {
			log_warn("-: milter: SIGUSR1: no configuration to "
			    "reload from");
			continue;
		}
		log_info("-: milter: SIGUSR1: reloading the configuration");
		reload();
		stats_log("at reload");
		if (mcfg->stats_interval != stats_every) {
			stats_every = mcfg->stats_interval;
			next_stats = ts_in(stats_every);
		}
		metrics_every = metrics_on() ?
		    mcfg->metrics_interval : 0;
		next_metrics = ts_in(metrics_every);
		metrics_dump(&last);
	}
	return NULL;	/* milter_run writes the last metrics */
}

/* milter_run - the daemon: bind, drop privileges, serve until a signal */
int
milter_run(const struct config *cfg, bool foreground,
    milter_reload_fn reload_fn, void *reload_arg)
{
	struct smfiDesc		 desc;
	pthread_rwlockattr_t	 rwa;
	struct errbuf		 err, merr;
	sigset_t		 set;
	int			 pidfd = -1, rc = 1;
	bool			 drained, served = false;

	err.msg[0] = '\0';
	mcfg = mcfg_start = cfg;
	mstart_unix = time(NULL);
	retried_base = 0;
	mreload = reload_fn;
	mreload_arg = reload_arg;
	max_bytes = cfg->max_message_bytes > 0 ?
	    (size_t)cfg->max_message_bytes : 1;
	want_actions = SMFIF_SETSYMLIST | (cfg->add_header ?
	    SMFIF_ADDHDRS | SMFIF_CHGHDRS : 0);
	shared_closed = false;
	pthread_rwlockattr_init(&rwa);
	/* Shutdown must not starve behind a steady stream of readers. */
	pthread_rwlockattr_setkind_np(&rwa,
	    PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
	pthread_rwlock_init(&shared_lock, &rwa);
	pthread_rwlockattr_destroy(&rwa);

	memset(&desc, 0, sizeof(desc));
	desc.xxfi_name = "soar-milter";
	desc.xxfi_version = SMFI_VERSION;
	desc.xxfi_flags = want_actions & ~SMFIF_SETSYMLIST;
	desc.xxfi_connect = mlfi_connect;
	desc.xxfi_helo = mlfi_helo;
	desc.xxfi_envfrom = mlfi_envfrom;
	desc.xxfi_envrcpt = mlfi_envrcpt;
	desc.xxfi_header = mlfi_header;
	desc.xxfi_eoh = mlfi_eoh;
	desc.xxfi_body = mlfi_body;
	desc.xxfi_eom = mlfi_eom;
	desc.xxfi_abort = mlfi_abort;
	desc.xxfi_close = mlfi_close;
	desc.xxfi_negotiate = mlfi_negotiate;

	if (milter_check(cfg, &err) == -1) {
		log_err("-: milter: %s", err.msg);
		return 1;
	}
	if (rcpt_re_for(cfg, &mrcpt_re, &err) == -1) {
		log_err("-: milter: alert_recipient_regex: %s", err.msg);
		return 1;
	}
	if (smfi_register(desc) != MI_SUCCESS) {
		log_err("-: milter: smfi_register failed");
		goto out;
	}
	if (smfi_settimeout((int)cfg->milter_timeout) != MI_SUCCESS) {
		log_err("-: milter: smfi_settimeout(%lld) failed",
		    (long long)cfg->milter_timeout);
		goto out;
	}
	/* The pid file first: its lock says whether we are the only one. */
	if (cfg->pid_file != NULL && *cfg->pid_file != '\0' &&
	    (pidfd = pid_lock(cfg->pid_file, &err)) == -1) {
		log_err("-: milter: %s", err.msg);
		goto out;
	}
	/* in the foreground the pid is known already: write it at once */
	if (pidfd != -1 && foreground)
		pid_write(pidfd, cfg->pid_file);
	if (sock_open(cfg, &err) == -1) {
		log_err("-: milter: %s", err.msg);
		goto out;
	}
	if (drop_privileges(cfg, &err) == -1) {
		log_err("-: milter: %s", err.msg);
		goto out;
	}
	if ((mspool = spool_open(cfg, &err)) == NULL) {
		log_err("-: milter: spool: %s", err.msg);
		goto out;
	}
	if (!foreground && daemonize(&err) == -1) {
		log_err("-: milter: %s", err.msg);
		goto out;
	}
	if (pidfd != -1 && !foreground)
		pid_write(pidfd, cfg->pid_file);

	/*
	 * libmilter turns SIGTERM, SIGINT and SIGHUP into a clean stop in a
	 * thread of its own (sigwait); every other thread must block them,
	 * so block them before the sender thread exists.  SIGUSR1 (reload)
	 * is waited for by our own thread.
	 */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	if ((msender = sender_start(cfg, mspool, &err)) == NULL) {
		log_err("-: milter: sender: %s", err.msg);
		goto out;
	}
	reload_stop = false;
	if (pthread_create(&reload_thr, NULL, reload_main, NULL) == 0)
		reload_running = true;
	else
		log_warn("-: milter: no signal thread: SIGUSR1 and the stats "
		    "line are off");
	log_info("-: milter: listening on %s (max_message_bytes %zu, "
	    "alert_on %s, on_error %s)", cfg->socket, max_bytes,
	    cfg->alert_on == ALERT_ON_ALL ? "all" : "recipients",
	    cfg->on_error == ON_ERROR_TEMPFAIL ? "tempfail" : "continue");
	if (smfi_main() == MI_SUCCESS)
		rc = 0;
	else
		log_err("-: milter: smfi_main failed");
	log_info("-: milter: stopping");

out:
	if (reload_running) {
		reload_stop = true;
		pthread_kill(reload_thr, SIGUSR1);
		pthread_join(reload_thr, NULL);
		reload_running = false;
		served = true;
	}
	drained = shared_close();
	if (!drained)
		log_warn("-: milter: some message callbacks still running "
		    "after %d s; stopping anyway", MILTER_DRAIN_SECONDS);
	sender_retire(&msender);
	if (served) {
		/* deliveries of the last pass too */
		stats_log("at stop");
		merr.msg[0] = '\0';
		metrics_dump(&merr);
	}
	if (drained) {
		if (mspool != NULL)
			spool_close(&mspool);
		if (mrcpt_re != NULL) {
			urlscan_re_free(mrcpt_re);
			mrcpt_re = NULL;
		}
		config_release(mcfg);	/* one a reload made */
		mcfg = mcfg_start;
	}
	sock_remove();
	if (pidfd != -1)
		pid_remove(pidfd, cfg->pid_file);
	return rc;
}
