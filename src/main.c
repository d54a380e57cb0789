/*
 * main - soar-milter: argument parsing and modes.
 *
 *   soar-milter [-c FILE] [-o KEY=VALUE]... [-f] [MODE [options]]
 *
 * Modes: (none) the milter daemon; check-config (-n); scan; backfill;
 * flush; sender; dead; config-reference; version.  Everything else is in
 * libsoar.a so that the tests link the same code.
 */
#include "autoconfig.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <getopt.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sysexits.h>
#include <unistd.h>

#include "alert.h"
#include "config.h"
#include "extract.h"
#include "imap.h"
#include "log.h"
#include "milter.h"
#include "sender.h"
#include "soar.h"
#include "spool.h"
#include "urlscan.h"
#include "util.h"

static const char usage_text[] =
"usage: soar-milter [-c FILE] [-o KEY=VALUE]... [-f] [MODE [OPTIONS]]\n"
"\n"
"Modes:\n"
"  (none)            run the milter daemon (-f: stay in the foreground)\n"
"  check-config, -n  validate the configuration and print it\n"
"  scan [--pretty] [--mbox] [--now MS] FILE...|-\n"
"                    print the alert JSON of each message, one per line\n"
"  backfill [--dry-run] [--output DIR] [--progress|--no-progress]\n"
"                    turn unread mail in IMAP folders into alerts\n"
"  flush [--wait SECONDS]\n"
"                    deliver what is in the spool now, then exit\n"
"  sender            deliver spooled alerts until SIGTERM (no milter)\n"
"  dead list|show ID|retry ID|all|purge ID|all\n"
"                    alerts the SOAR refused\n"
"  config-reference [--conf]\n"
"                    print every configuration key (markdown, or conf file)\n"
"  version           print the version\n"
"\n"
"Options:\n"
"  -c FILE           configuration file (default " CONFIG_DEFAULT_PATH ";\n"
"                    built-in defaults when the default file is absent)\n"
"  -o KEY=VALUE      override one configuration key (repeatable)\n"
"  -f                milter: foreground, log to stderr unless log_syslog is set\n"
"  -h                this help\n";

static void
usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "soar-milter: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n(soar-milter -h for help)\n");
	exit(EX_USAGE);
}

struct cli {
	const char	*config_path;
	bool		 config_explicit;
	struct strlist	 overrides;
	bool		 foreground;
	bool		 check_only;
};

/* parse_global - options valid before and after the mode word */
static int
parse_global(int argc, char **argv, struct cli *cli, bool stop_at_nonopt)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int	ch;

	optind = 1;
	while ((ch = getopt_long(argc, argv, stop_at_nonopt ? "+c:o:fnh" :
	    "c:o:fnh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			cli->config_path = optarg;
			cli->config_explicit = true;
			break;
		case 'o':
			strlist_add(&cli->overrides, optarg);
			break;
		case 'f':
			cli->foreground = true;
			break;
		case 'n':
			cli->check_only = true;
			break;
		case 'h':
			fputs(usage_text, stdout);
			exit(0);
		default:
			fprintf(stderr, "(soar-milter -h for help)\n");
			exit(EX_USAGE);
		}
	}
	return optind;
}

/*
 * config_from_cli - defaults, file, -o overrides, cross checks: 0, or
 * the exit code for the failure (err says what is wrong).
 */
static int
config_from_cli(struct cli *cli, struct config *cfg, struct errbuf *err)
{
	struct stat	st;
	size_t		i;

	config_defaults(cfg);
	if (cli->config_path == NULL)
		cli->config_path = CONFIG_DEFAULT_PATH;
	if (cli->config_explicit || stat(cli->config_path, &st) == 0) {
		if (config_load(cfg, cli->config_path, err) == -1)
			return EX_CONFIG;
	}
	for (i = 0; i < cli->overrides.n; i++) {
		if (config_set_cli(cfg, cli->overrides.v[i], err) == -1)
			return EX_USAGE;
	}
	if (config_validate(cfg, err) == -1)
		return EX_CONFIG;
	return 0;
}

/* load_config - config_from_cli, or exit with its error */
static void
load_config(struct cli *cli, struct config *cfg)
{
	struct errbuf	err;
	int		rc;

	if ((rc = config_from_cli(cli, cfg, &err)) != 0) {
		fprintf(stderr, "soar-milter: %s\n", err.msg);
		exit(rc);
	}
}

/* reload_config - the milter's SIGUSR1: the same file and overrides */
static int
reload_config(struct config *cfg, struct errbuf *err, void *arg)
{
	return config_from_cli(arg, cfg, err) == 0 ? 0 : -1;
}

static enum log_level
level_from_name(const char *s)
{
	if (strcmp(s, "err") == 0)
		return LOG_LVL_ERR;
	if (strcmp(s, "warn") == 0)
		return LOG_LVL_WARN;
	if (strcmp(s, "debug") == 0)
		return LOG_LVL_DEBUG;
	return LOG_LVL_INFO;
}

/* open_log - syslog for the daemon; stderr for tools and -f */
static void
open_log(const struct config *cfg, bool daemon_mode, bool foreground)
{
	bool	to_syslog = cfg->log_syslog;

	if (!daemon_mode && !config_is_set(cfg, "log_syslog"))
		to_syslog = false;
	if (daemon_mode && foreground && !config_is_set(cfg, "log_syslog"))
		to_syslog = false;
	log_open("soar-milter", to_syslog,
	    log_facility_from_name(cfg->log_facility),
	    level_from_name(cfg->log_level));
	/* the daemon on stderr: a time on each line, unless systemd's
	 * journal (which stamps them itself) is the reader */
	log_set_stamp(daemon_mode && !to_syslog &&
	    getenv("JOURNAL_STREAM") == NULL);
}

static void
engine_init(const struct config *cfg)
{
	struct errbuf	err;

	if (urlscan_init(cfg, &err) == -1 || extract_init(cfg, &err) == -1) {
		fprintf(stderr, "soar-milter: %s\n", err.msg);
		exit(EX_SOFTWARE);
	}
}

static void
engine_shutdown(void)
{
	extract_shutdown();
	urlscan_shutdown();
}

/*
 * The service user: the user the daemon runs as, and so the owner of
 * what it keeps under state_dir.  `user` (and `group`) when set, else
 * the owner of state_dir when that is not root (a daemon started as
 * that user, as the systemd unit does; a daemon left running as root
 * leaves state_dir root's, and nothing changes).  A state_dir that is a
 * symbolic link names nobody: its owner is not taken on trust.  1 and
 * the identity, 0 none (or root), -1 and err.
 */
struct svc_user {
	char	 name[64];
	uid_t	 uid;
	gid_t	 gid;
	bool	 from_owner;	/* found as state_dir's owner */
};

static int
service_user(const struct config *cfg, struct svc_user *su,
    struct errbuf *err)
{
	struct passwd	*pw;
	struct group	*gr;
	struct stat	 st;

	memset(su, 0, sizeof(*su));
	if (cfg->user != NULL && *cfg->user != '\0') {
		if ((pw = getpwnam(cfg->user)) == NULL) {
			errbuf_set(err, "user: no such user: %s", cfg->user);
			return -1;
		}
	} else if (lstat(cfg->state_dir, &st) == 0 && S_ISDIR(st.st_mode) &&
	    st.st_uid != 0) {
		if ((pw = getpwuid(st.st_uid)) == NULL) {
			errbuf_set(err, "state_dir: %s belongs to uid %lu, "
			    "which has no user name: set user = or chown it",
			    cfg->state_dir, (unsigned long)st.st_uid);
			return -1;
		}
		su->from_owner = true;
	} else
		return 0;
	if (pw->pw_uid == 0)
		return 0;
	snprintf(su->name, sizeof(su->name), "%s", pw->pw_name);
	su->uid = pw->pw_uid;
	su->gid = pw->pw_gid;
	if (cfg->group != NULL && *cfg->group != '\0') {
		if ((gr = getgrnam(cfg->group)) == NULL) {
			errbuf_set(err, "group: no such group: %s", cfg->group);
			return -1;
		}
		su->gid = gr->gr_gid;
	}
	return 1;
}

/*
 * as_service_user - flush, sender, dead and backfill started by root:
 * go on as the service user, so that what they create under state_dir
 * (spool files, sent records, dead letters, checkpoints) is the
 * daemon's and not root's, which the daemon could not read or replace.
 * Their secret files are then read as that user too, as the daemon
 * reads them.
 */
static void
as_service_user(const struct config *cfg, const char *mode)
{
	struct svc_user	 su;
	struct errbuf	 err;
	int		 rc;

	if (geteuid() != 0)
		return;
	if ((rc = service_user(cfg, &su, &err)) == -1) {
		fprintf(stderr, "soar-milter: %s: %s\n", mode, err.msg);
		exit(EX_CONFIG);
	}
	if (rc == 0)
		return;
	if (priv_become(su.name, su.uid, su.gid, &err) == -1) {
		fprintf(stderr, "soar-milter: %s: %s\n", mode, err.msg);
		exit(EX_OSERR);
	}
	if (su.from_owner)
		log_info("-: %s: running as user %s, the owner of %s", mode,
		    su.name, cfg->state_dir);
	else
		log_debug("-: %s: running as user %s (user =)", mode, su.name);
}

/*
 * check_as_service_user - check-config run by root: can the service
 * user read what the daemon reads after dropping privileges (secret and
 * CA files) and write state_dir?  Tried for real, in a child that
 * becomes that user.  0 or EX_CONFIG (the reasons on stderr).
 */
static int
check_as_service_user(const struct config *cfg, const char *file)
{
	const struct { const char *key, *path; } f[] = {
		{ "soar_key_file", cfg->soar_api == SOAR_API_SDK ?
		    cfg->soar_key_file : NULL },
		{ "soar_token_file", cfg->soar_api == SOAR_API_CHRONICLE ?
		    cfg->soar_token_file : NULL },
		{ "tls_ca_file", cfg->tls_ca_file },
		{ "tls_cert_file", cfg->tls_cert_file },
		{ "tls_key_file", cfg->tls_key_file },
		{ "imap_password_file", cfg->imap_password_file },
		{ "imap_token_file", cfg->imap_token_file },
		{ "imap_ca_file", cfg->imap_ca_file },
	};
	static const char *const sub[] = { "", "/spool", "/spool/new",
		"/spool/tmp", "/spool/dead", "/spool/bad", "/sent", "/outbox",
		"/imap" };
	struct svc_user	 su;
	struct errbuf	 err;
	struct stat	 st;
	pid_t		 pid;
	size_t		 i;
	int		 fd, bad = 0, status = -1, rc;
	char		*d;

	if (geteuid() != 0)
		return 0;
	if ((rc = service_user(cfg, &su, &err)) == -1) {
		fprintf(stderr, "soar-milter: %s: %s\n", file, err.msg);
		return EX_CONFIG;
	}
	if (rc == 0)
		return 0;
	fflush(NULL);
	if ((pid = fork()) == -1) {
		fprintf(stderr, "soar-milter: fork: %s\n", strerror(errno));
		return EX_OSERR;
	}
	if (pid == 0) {
		if (priv_become(su.name, su.uid, su.gid, &err) == -1) {
			fprintf(stderr, "soar-milter: %s\n", err.msg);
			_exit(EX_CONFIG);
		}
		for (i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
			if (f[i].path == NULL || *f[i].path == '\0')
				continue;
			if ((fd = open(f[i].path, O_RDONLY | O_CLOEXEC |
			    O_NOCTTY)) != -1) {
				close(fd);
				continue;
			}
			fprintf(stderr, "soar-milter: %s: %s: %s: the "
			    "service user %s cannot read it (%s): chown %s "
			    "%s\n", file, f[i].key, f[i].path, su.name,
			    strerror(errno), su.name, f[i].path);
			bad = 1;
		}
		/* state_dir and what the daemon keeps below it (a root run of
		 * an older version may have left them root's) */
		for (i = 0; i < sizeof(sub) / sizeof(sub[0]); i++) {
			d = xasprintf("%s%s", cfg->state_dir, sub[i]);
			if (stat(d, &st) == 0 &&
			    access(d, W_OK | X_OK) == -1) {
				fprintf(stderr, "soar-milter: %s: state_dir: "
				    "%s: the service user %s cannot write it "
				    "(%s): chown -R %s %s\n", file, d,
				    su.name, strerror(errno), su.name,
				    cfg->state_dir);
				bad = 1;
			}
			free(d);
			if (bad)
				break;
		}
		fflush(NULL);
		_exit(bad ? EX_CONFIG : 0);
	}
	while (waitpid(pid, &status, 0) == -1)
		if (errno != EINTR) {
			fprintf(stderr, "soar-milter: waitpid: %s\n",
			    strerror(errno));
			return EX_OSERR;
		}
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : EX_CONFIG;
}

/*
 * check_config - -n: the file is valid; also compile patterns, and what
 * the daemon checks at start without privilege or network: the socket
 * spec, users and groups (milter_check), the SOAR settings and secret
 * files (soar_new).  Errors as "file: key: what is wrong".
 */
static int
mode_check_config(const struct config *cfg)
{
	struct urlscan_re	*re;
	struct soar		*so;
	struct errbuf		 err;
	const char		*file = cfg->path ? cfg->path : "-o";
	size_t			 k;
	int			 rc;

	if (cfg->alert_recipient_regex != NULL) {
		engine_init(cfg);
		re = urlscan_re_compile(cfg->alert_recipient_regex, true, &err);
		if (re == NULL) {
			fprintf(stderr, "soar-milter: %s: "
			    "alert_recipient_regex: %s\n", file, err.msg);
			return EX_CONFIG;
		}
		urlscan_re_free(re);
		engine_shutdown();
	}
	if (milter_check(cfg, &err) == -1) {
		fprintf(stderr, "soar-milter: %s: %s\n", file, err.msg);
		return EX_CONFIG;
	}
	if (cfg->soar_api != SOAR_API_NONE) {
		if ((so = soar_new(cfg, &err)) == NULL) {
			/* "key /path: what" -> "key: /path: what" */
			k = strspn(err.msg, "abcdefghijklmnopqrstuvwxyz_");
			if (k > 0 && err.msg[k] == ' ' && err.msg[k + 1] == '/')
				fprintf(stderr, "soar-milter: %s: %.*s: %s\n",
				    file, (int)k, err.msg, err.msg + k + 1);
			else
				fprintf(stderr, "soar-milter: %s: %s\n", file,
				    err.msg);
			return EX_CONFIG;
		}
		soar_free(&so);
	}
	if ((rc = check_as_service_user(cfg, file)) != 0)
		return rc;
	config_print(cfg, stdout);
	return 0;
}

/* scan_one - extract + alert for one message, printed to stdout */
static void
scan_one(const struct config *cfg, const char *name, const char *raw,
    size_t len, uint64_t total, int64_t now_ms, bool pretty)
{
	struct extract	 x;
	struct envelope	 env;
	struct errbuf	 err;
	char		*json;

	memset(&x, 0, sizeof(x));
	memset(&env, 0, sizeof(env));
	if (extract_message(cfg, raw, len, &x, &err) == -1)
		fprintf(stderr, "soar-milter: %s: %s\n", name, err.msg);
	if (total > x.bytes)
		x.bytes = total;	/* the real size, not what was examined */
	env.mode = "scan";
	env.source = name;
	if (total <= len) {		/* read whole: attach_eml can */
		env.raw = raw;
		env.raw_len = len;
	}
	json = alert_json(cfg, &x, &env, now_ms, pretty);
	fputs(json, stdout);
	fputc('\n', stdout);
	free(json);
	extract_free(&x);
}

/* quoted_from - the line at p (end e) is ">From ", ">>From ", ... */
static bool
quoted_from(const char *p, const char *e)
{
	while (p < e && *p == '>')
		p++;
	return (size_t)(e - p) >= 5 && memcmp(p, "From ", 5) == 0;
}

/*
 * mbox_unquote - the message m[0..n) of an mbox with one '>' taken off
 * each body line that starts with '>'s then "From " (the mboxrd rule,
 * which also undoes mboxo's quoting of "From " lines), so that it is
 * the message the MTA delivered and gets the same content hash and id.
 * Returns m itself when no line is quoted, else out's bytes.
 */
static const char *
mbox_unquote(const char *m, size_t n, struct strbuf *out, size_t *len_r)
{
	const char	*p = m, *e = m + n, *nl, *copied = m;

	*len_r = n;
	sb_reset(out);
	while ((nl = memchr(p, '\n', (size_t)(e - p))) != NULL) {
		p = nl + 1;
		if (p < e && *p == '>' && quoted_from(p, e)) {
			sb_append(out, copied, (size_t)(p - copied));
			copied = p + 1;		/* drop one '>' */
		}
	}
	if (copied == m)
		return m;
	sb_append(out, copied, (size_t)(e - copied));
	*len_r = out->len;
	return out->s;
}

/* mbox_next - start of the next message of an mbox: the next line that
 * begins with "From " (mboxo/mboxrd quote such body lines as ">From ").
 * The message at start keeps its own From_ line; extract skips it. */
static size_t
mbox_next(const char *buf, size_t len, size_t start)
{
	const char	*p, *end = buf + len;

	p = buf + start;
	while ((p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		p++;
		if ((size_t)(end - p) >= 5 && memcmp(p, "From ", 5) == 0)
			return (size_t)(p - buf);
	}
	return len;
}

static int
mode_scan(const struct config *cfg, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "pretty", no_argument, NULL, 'p' },
		{ "mbox", no_argument, NULL, 'm' },
		{ "now", required_argument, NULL, 'N' },
		{ NULL, 0, NULL, 0 }
	};
	struct errbuf	 err;
	bool		 pretty = false, mbox = false;
	int64_t		 now_ms = -1;
	int		 ch, i, rc = 0;
	struct strbuf	 uq = { NULL, 0, 0 };
	const char	*msg;
	char		*buf, *end;
	size_t		 len, pos, next, cap, mlen;
	uint64_t	 total;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "+", longopts, NULL)) != -1) {
		switch (ch) {
		case 'p':
			pretty = true;
			break;
		case 'm':
			mbox = true;
			break;
		case 'N':
			now_ms = strtoll(optarg, &end, 10);
			if (*end != '\0' || now_ms < 0)
				usage_error("scan: --now %s: not a number of "
				    "milliseconds", optarg);
			break;
		default:
			exit(EX_USAGE);
		}
	}
	if (optind >= argc)
		usage_error("scan: %s", "no FILE given (use - for stdin)");
	engine_init(cfg);
	/* max_message_bytes bounds the bytes examined after CRLF -> LF:
	 * read up to twice that (a CRLF file of empty lines halves), plus
	 * one so that truncation shows; the rest is only counted, for the
	 * real message_size */
	cap = mbox ? (size_t)1 << 30 : 2 * (size_t)cfg->max_message_bytes + 2;
	for (i = optind; i < argc; i++) {
		if (file_read_capped(argv[i], cap, &buf, &len,
		    mbox ? NULL : &total, &err) == -1) {
			fprintf(stderr, "soar-milter: scan: %s\n", err.msg);
			rc = EX_NOINPUT;
			continue;
		}
		if (now_ms < 0)
			now_ms = util_now_ms();
		if (!mbox)
			scan_one(cfg, argv[i], buf, len, total, now_ms,
			    pretty);
		else
			for (pos = 0; pos < len; pos = next) {
				next = mbox_next(buf, len, pos);
				msg = mbox_unquote(buf + pos, next - pos, &uq,
				    &mlen);
				scan_one(cfg, argv[i], msg, mlen, mlen, now_ms,
				    pretty);
			}
		free(buf);
		fflush(stdout);
	}
	sb_free(&uq);
	engine_shutdown();
	if (fflush(stdout) == EOF || ferror(stdout)) {
		fprintf(stderr, "soar-milter: scan: write error: %s\n",
		    strerror(errno));
		rc = EX_IOERR;
	}
	return rc;
}

static struct spool *
open_spool(const struct config *cfg)
{
	struct spool	*sp;
	struct errbuf	 err;

	if ((sp = spool_open(cfg, &err)) == NULL) {
		fprintf(stderr, "soar-milter: %s\n", err.msg);
		exit(EX_CANTCREAT);
	}
	return sp;
}

static int
mode_flush(const struct config *cfg, int argc, char **argv)
{
	struct spool	*sp;
	struct errbuf	 err;
	long		 wait = 0;
	char		*end;
	int		 left;

	if (argc >= 3 && strcmp(argv[1], "--wait") == 0) {
		wait = strtol(argv[2], &end, 10);
		if (*end != '\0' || wait < 0)
			usage_error("flush: --wait %s: not a number of "
			    "seconds", argv[2]);
	} else if (argc > 1)
		usage_error("flush: unexpected argument %s", argv[1]);
	sp = open_spool(cfg);
	left = sender_run_once(cfg, sp, (int)wait, &err);
	spool_close(&sp);
	if (left < 0) {
		fprintf(stderr, "soar-milter: flush: %s\n", err.msg);
		return EX_TEMPFAIL;
	}
	printf("%d alert(s) still pending\n", left);
	return left == 0 ? 0 : EX_TEMPFAIL;
}

static int
mode_sender(const struct config *cfg)
{
	struct spool	*sp;
	struct sender	*snd;
	struct errbuf	 err;
	sigset_t	 set;
	int		 sig;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	sp = open_spool(cfg);
	if ((snd = sender_start(cfg, sp, &err)) == NULL) {
		fprintf(stderr, "soar-milter: sender: %s\n", err.msg);
		spool_close(&sp);
		return EX_SOFTWARE;
	}
	log_info("-: sender: running (spool %s)", cfg->state_dir);
	do {
		sig = 0;
		sigwait(&set, &sig);
	} while (sig == SIGHUP);
	log_info("-: sender: stopping on signal %d", sig);
	sender_stop(&snd);
	spool_close(&sp);
	return 0;
}

static int
mode_dead(const struct config *cfg, int argc, char **argv)
{
	struct spool	*sp;
	struct errbuf	 err;
	const char	*id;
	int		 n, rc = 0;

	if (argc != 2 && argc != 3)
		usage_error("dead: %s", "list, show ID, retry ID|all or "
		    "purge ID|all");
	sp = open_spool(cfg);
	id = argc == 3 && strcmp(argv[2], "all") != 0 ? argv[2] : NULL;
	if (strcmp(argv[1], "list") == 0 && argc == 2) {
		if ((n = spool_dead_print(sp, stdout, &err)) == 0)
			fprintf(stderr, "soar-milter: no dead letters in "
			    "%s/spool/dead\n", cfg->state_dir);
	}
	else if (strcmp(argv[1], "show") == 0 && id != NULL)
		n = spool_dead_show(sp, id, stdout, &err);
	else if (strcmp(argv[1], "retry") == 0 && argc == 3) {
		if ((n = spool_dead_retry(sp, id, &err)) >= 0)
			printf("%d dead letter(s) requeued\n", n);
	} else if (strcmp(argv[1], "purge") == 0 && argc == 3) {
		if ((n = spool_dead_purge(sp, id, &err)) >= 0)
			printf("%d dead letter(s) purged\n", n);
	} else {
		spool_close(&sp);
		usage_error("dead: %s", "list, show ID, retry ID|all or "
		    "purge ID|all");
		return EX_USAGE;
	}
	if (n < 0) {
		fprintf(stderr, "soar-milter: dead %s: %s\n", argv[1], err.msg);
		rc = EX_DATAERR;
	}
	spool_close(&sp);
	return rc;
}

static int
mode_backfill(const struct config *cfg, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "dry-run", no_argument, NULL, 'd' },
		{ "output", required_argument, NULL, 'O' },
		{ "progress", no_argument, NULL, 'p' },
		{ "no-progress", no_argument, NULL, 'P' },
		{ NULL, 0, NULL, 0 }
	};
	struct backfill_opts	opts = { .progress_mode = -1 };
	int			ch;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "+", longopts, NULL)) != -1) {
		switch (ch) {
		case 'd':
			opts.dry_run = true;
			break;
		case 'O':
			opts.output_dir = optarg;
			break;
		case 'p':
			opts.progress_mode = 1;
			break;
		case 'P':
			opts.progress_mode = 0;
			break;
		default:
			exit(EX_USAGE);
		}
	}
	if (optind < argc)
		usage_error("backfill: unexpected argument %s", argv[optind]);
	if (cfg->imap_host == NULL) {
		fprintf(stderr, "soar-milter: backfill: imap_host is not "
		    "set (in %s or with -o imap_host=HOST)\n",
		    cfg->path ? cfg->path : CONFIG_DEFAULT_PATH);
		return EX_CONFIG;
	}
	engine_init(cfg);
	ch = imap_backfill(cfg, &opts);
	engine_shutdown();
	return ch;
}

int
main(int argc, char **argv)
{
	struct cli	 cli = { 0 };
	struct config	 cfg;
	const char	*mode;
	int		 i, rc;

	signal(SIGPIPE, SIG_IGN);
	i = parse_global(argc, argv, &cli, true);
	mode = i < argc ? argv[i] : NULL;
	if (mode != NULL && strcmp(mode, "version") == 0) {
		printf("soar-milter %s\n", PACKAGE_VERSION);
		return 0;
	}
	if (mode != NULL && strcmp(mode, "config-reference") == 0) {
		config_print_reference(stdout, i + 1 < argc &&
		    strcmp(argv[i + 1], "--conf") == 0);
		return 0;
	}
	if (mode != NULL && strcmp(mode, "help") == 0) {
		fputs(usage_text, stdout);
		return 0;
	}
	argc -= i;
	argv += i;
	/* global options may also follow the mode word */
	if (mode != NULL) {
		int	j, k = 1;

		for (j = 1; j < argc; j++) {
			if ((strcmp(argv[j], "-c") == 0 ||
			    strcmp(argv[j], "-o") == 0) && j + 1 < argc) {
				if (argv[j][1] == 'c') {
					cli.config_path = argv[j + 1];
					cli.config_explicit = true;
				} else
					strlist_add(&cli.overrides, argv[j + 1]);
				j++;
			} else if (strcmp(argv[j], "--") == 0) {
				for (; j < argc; j++)
					argv[k++] = argv[j];
			} else
				argv[k++] = argv[j];
		}
		argc = k;
		argv[argc] = NULL;
	}
	if (mode != NULL && argc > 1 && (strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0)) {
		fputs(usage_text, stdout);	/* "MODE --help" */
		return 0;
	}
	load_config(&cli, &cfg);
	if (cli.check_only || (mode != NULL &&
	    strcmp(mode, "check-config") == 0))
		rc = mode_check_config(&cfg);
	else if (mode == NULL) {
		open_log(&cfg, true, cli.foreground);
		engine_init(&cfg);
		rc = milter_run(&cfg, cli.foreground, reload_config, &cli);
		engine_shutdown();
		log_close();
	} else {
		open_log(&cfg, false, false);
		if (strcmp(mode, "flush") == 0 || strcmp(mode, "sender") == 0 ||
		    strcmp(mode, "dead") == 0 || strcmp(mode, "backfill") == 0)
			as_service_user(&cfg, mode);
		if (strcmp(mode, "scan") == 0)
			rc = mode_scan(&cfg, argc, argv);
		else if (strcmp(mode, "flush") == 0)
			rc = mode_flush(&cfg, argc, argv);
		else if (strcmp(mode, "sender") == 0)
			rc = mode_sender(&cfg);
		else if (strcmp(mode, "dead") == 0)
			rc = mode_dead(&cfg, argc, argv);
		else if (strcmp(mode, "backfill") == 0)
			rc = mode_backfill(&cfg, argc, argv);
		else {
			usage_error("unknown mode '%s'", mode);
			rc = EX_USAGE;
		}
	}
	config_free(&cfg);
	strlist_free(&cli.overrides);
	return rc;
}
