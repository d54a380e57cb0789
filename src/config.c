/*
 * config - table-driven configuration.  See config.h.
 *
 * Every key is one row of config_keys[]: name, type, where it lives in
 * struct config, default (as text, parsed by the same code as the file),
 * range or allowed words, and a one-line help.  The file is read with
 * inih; this module only maps (key, value, line) to fields and reports
 * "file:line: key: reason".
 */
#include "autoconfig.h"

#include <errno.h>
#include <stdarg.h>
#include <ini.h>
#include <inttypes.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config.h"
#include "log.h"
#include "util.h"

#ifndef LOCALSTATEDIR
#define LOCALSTATEDIR "/var"
#endif

enum key_type {
	KT_STR,		/* char *; "" means unset (NULL) */
	KT_INT,		/* int64_t, plain number */
	KT_SIZE,	/* int64_t bytes, suffix k/m/g (1024-based) */
	KT_TIME,	/* int64_t seconds, suffix s/m/h/d */
	KT_OCTAL,	/* int64_t, octal file mode */
	KT_BOOL,	/* bool: yes/no/true/false/on/off/1/0 */
	KT_ENUM,	/* int: index into words */
	KT_LIST,	/* struct strlist, comma separated */
	KT_SECTION	/* not a key: a heading for the reference */
};

struct key_def {
	const char	*name;
	enum key_type	 type;
	size_t		 off;
	const char	*def;
	int64_t		 min, max;
	const char	*words;		/* KT_ENUM: "a|b|c", index = value */
	const char	*help;
};

#define F(field)	offsetof(struct config, field)
#define SECTION(title)	{ title, KT_SECTION, 0, "", 0, 0, NULL, "" }
#define KMAX		INT64_C(0x7fffffffffffffff)

static const struct key_def config_keys[] = {
	SECTION("Extraction bounds (hostile input)"),
	{ "max_message_bytes", KT_SIZE, F(max_message_bytes), "10m",
	  65536, INT64_C(1) << 30, NULL,
	  "bytes of a message examined (collected by the milter); the rest is skipped and the alert says so" },
	{ "max_header_bytes", KT_SIZE, F(max_header_bytes), "64k",
	  1024, 16 << 20, NULL,
	  "longest header field kept (unfolded); longer fields are cut and flagged" },
	{ "max_mime_depth", KT_INT, F(max_mime_depth), "32", 1, 1000, NULL,
	  "deepest MIME nesting examined (multipart and message/rfc822)" },
	{ "max_mime_parts", KT_INT, F(max_mime_parts), "1000", 1, 100000, NULL,
	  "most MIME parts examined per message" },
	{ "max_urls", KT_INT, F(max_urls), "500", 1, 100000, NULL,
	  "most URLs kept per message" },
	{ "max_url_length", KT_INT, F(max_url_length), "2048", 64, 65536, NULL,
	  "longest URL kept; longer URLs are cut and flagged" },
	{ "max_attachments", KT_INT, F(max_attachments), "100", 0, 10000, NULL,
	  "most attachments described per message" },
	{ "regex_match_limit", KT_INT, F(regex_match_limit), "1000000",
	  1000, 100000000, NULL,
	  "PCRE2 match limit per regex call; a part that hits it is skipped and flagged" },

	SECTION("Alert content"),
	{ "environment", KT_STR, F(environment), "Default Environment", 0, 0,
	  NULL, "SOAR environment of every alert" },
	{ "device_vendor", KT_STR, F(device_vendor), "soar-milter", 0, 0,
	  NULL, "device_vendor of alert and event" },
	{ "device_product", KT_STR, F(device_product), "Mail", 0, 0, NULL,
	  "device_product of alert and event (ontology mapping key)" },
	{ "alert_name", KT_STR, F(alert_name), "Suspicious email", 0, 0,
	  NULL, "alert name and event_name" },
	{ "rule_generator", KT_STR, F(rule_generator), "soar-milter", 0, 0,
	  NULL, "rule_generator of every alert" },
	{ "priority", KT_INT, F(priority), "60", -1, 100, NULL,
	  "alert priority: -1 informative, 40 low, 60 medium, 80 high, 100 critical" },
	{ "id_prefix", KT_STR, F(id_prefix), "mlt-", 0, 0, NULL,
	  "prefix of the stable alert id (letters, digits, '-', '_', '.')" },
	{ "attach_eml", KT_BOOL, F(attach_eml), "no", 0, 0, NULL,
	  "attach the original message to the alert (\"attachments\": <subject>.eml, base64), as the SOAR mail connectors' \"Attach Original EML\"" },
	{ "attach_eml_max_bytes", KT_SIZE, F(attach_eml_max_bytes), "2m",
	  1024, 2700 << 10, NULL,
	  "largest message attached by attach_eml (larger or truncated: not attached, truncated says eml_attachment); at most 2700k: an alert stays under SOAR's 8 MB" },

	SECTION("Milter daemon"),
	{ "socket", KT_STR, F(socket), "inet:8894@127.0.0.1", 0, 0, NULL,
	  "milter socket: inet:PORT@HOST, inet6:PORT@HOST or unix:/path" },
	{ "socket_mode", KT_OCTAL, F(socket_mode), "0660", 0, 0777, NULL,
	  "permissions of a unix socket" },
	{ "socket_owner", KT_STR, F(socket_owner), "", 0, 0, NULL,
	  "user[:group] owning a unix socket (empty: unchanged)" },
	{ "user", KT_STR, F(user), "", 0, 0, NULL,
	  "user to run as after binding the socket (empty: do not change)" },
	{ "group", KT_STR, F(group), "", 0, 0, NULL,
	  "group to run as (empty: the user's primary group)" },
	{ "pid_file", KT_STR, F(pid_file), "", 0, 0, NULL,
	  "file to write the daemon's pid to (empty: none)" },
	{ "log_syslog", KT_BOOL, F(log_syslog), "yes", 0, 0, NULL,
	  "log to syslog (no: stderr); -f without this key logs to stderr" },
	{ "log_facility", KT_STR, F(log_facility), "mail", 0, 0, NULL,
	  "syslog facility: mail, daemon, user, local0..local7" },
	{ "log_level", KT_STR, F(log_level), "info", 0, 0, NULL,
	  "least important messages logged: err, warn, info or debug" },
	{ "on_error", KT_ENUM, F(on_error), "continue", 0, 0,
	  "continue|tempfail",
	  "what the milter answers on an internal error; mail always flows with continue" },
	{ "add_header", KT_BOOL, F(add_header), "no", 0, 0, NULL,
	  "add X-SOAR-Alert-Id to messages that raised an alert" },
	{ "alert_on", KT_ENUM, F(alert_on), "all", 0, 0, "all|recipients",
	  "which mail becomes an alert: all, or only mail to alert_recipients / alert_recipient_regex" },
	{ "alert_recipients", KT_LIST, F(alert_recipients), "", 0, 0, NULL,
	  "envelope recipient addresses that trigger an alert (alert_on = recipients)" },
	{ "alert_recipient_regex", KT_STR, F(alert_recipient_regex), "", 0, 0,
	  NULL, "PCRE2 pattern over envelope recipients (case-insensitive)" },
	{ "milter_timeout", KT_TIME, F(milter_timeout), "300", 1, 3600,
	  NULL, "libmilter I/O timeout towards the MTA" },
	{ "stats_interval", KT_TIME, F(stats_interval), "3600", 0, 604800,
	  NULL, "how often the daemon logs its counters (0: only at reload "
	  "and stop)" },
	{ "metrics_file", KT_STR, F(metrics_file), "", 0, 0, NULL,
	  "file the daemon rewrites (atomically) with its counters in the "
	  "Prometheus text format, for node_exporter's textfile collector "
	  "(e.g. /var/lib/prometheus/node-exporter/soar-milter.prom); "
	  "empty: none" },
	{ "metrics_interval", KT_TIME, F(metrics_interval), "15", 1, 3600,
	  NULL, "how often metrics_file is rewritten" },

	SECTION("State, spool and delivery to the SOAR"),
	{ "state_dir", KT_STR, F(state_dir), LOCALSTATEDIR "/lib/soar-milter",
	  0, 0, NULL, "directory for spool/, sent/, imap/ and outbox/ (the "
	  "default follows configure's --localstatedir; contrib/quickstart.sh "
	  "builds with /var: /var/lib/soar-milter)" },
	{ "outbox_dir", KT_STR, F(outbox_dir), "", 0, 0, NULL,
	  "with soar_api = none, alert JSON files go here (empty: state_dir/outbox)" },
	{ "spool_max_files", KT_INT, F(spool_max_files), "100000", 1,
	  100000000, NULL, "most alerts waiting in the spool; new ones are dropped (and counted) when full" },
	{ "spool_max_bytes", KT_SIZE, F(spool_max_bytes), "1g", 1 << 20,
	  KMAX, NULL, "most bytes waiting in the spool" },
	{ "sent_retention", KT_TIME, F(sent_retention), "30d", 3600,
	  INT64_C(3650) * 86400, NULL,
	  "how long delivered alert ids are remembered (duplicate check of milter and backfill)" },
	{ "sent_max_entries", KT_INT, F(sent_max_entries), "1000000", 1000,
	  100000000, NULL, "most delivered alert ids remembered" },
	{ "soar_api", KT_ENUM, F(soar_api), "none", 0, 0,
	  "none|sdk|chronicle",
	  "none: write alerts to outbox_dir; sdk: CreateCase with AppKey; chronicle: legacySdk:legacyCreateCase with a Bearer token" },
	{ "soar_url", KT_STR, F(soar_url), "", 0, 0, NULL,
	  "sdk: https://soar.example.com[:port]; chronicle: regional endpoint, e.g. https://chronicle.us.rep.googleapis.com; needs soar_api = sdk or chronicle" },
	{ "chronicle_project", KT_STR, F(chronicle_project), "", 0, 0, NULL,
	  "Google Cloud project (chronicle)" },
	{ "chronicle_location", KT_STR, F(chronicle_location), "", 0, 0, NULL,
	  "location, e.g. us (chronicle)" },
	{ "chronicle_instance", KT_STR, F(chronicle_instance), "", 0, 0, NULL,
	  "SecOps instance id (chronicle)" },
	{ "soar_key_file", KT_STR, F(soar_key_file), "", 0, 0, NULL,
	  "file holding the SOAR API key (sdk); must not be group/world readable" },
	{ "soar_token_file", KT_STR, F(soar_token_file), "", 0, 0, NULL,
	  "file holding an OAuth2 access token (chronicle); re-read when it changes" },
	{ "tls_verify", KT_BOOL, F(tls_verify), "yes", 0, 0, NULL,
	  "verify the SOAR server certificate" },
	{ "tls_ca_file", KT_STR, F(tls_ca_file), "", 0, 0, NULL,
	  "CA bundle for the SOAR (empty: system default)" },
	{ "tls_ca_dir", KT_STR, F(tls_ca_dir), "", 0, 0, NULL,
	  "CA directory for the SOAR" },
	{ "tls_cert_file", KT_STR, F(tls_cert_file), "", 0, 0, NULL,
	  "client certificate (PEM) for the SOAR" },
	{ "tls_key_file", KT_STR, F(tls_key_file), "", 0, 0, NULL,
	  "client key (PEM) for the SOAR; others must have no access and its group no write (0600, or 0640 for a key group such as ssl-cert)" },
	{ "http_proxy", KT_STR, F(http_proxy), "", 0, 0, NULL,
	  "proxy URL for the SOAR (empty: none; the environment is ignored)" },
	{ "connect_timeout", KT_TIME, F(connect_timeout), "10", 1, 600, NULL,
	  "SOAR connect timeout" },
	{ "request_timeout", KT_TIME, F(request_timeout), "30", 1, 3600, NULL,
	  "SOAR total request timeout" },
	{ "retry_initial", KT_TIME, F(retry_initial), "1", 1, 3600, NULL,
	  "first retry delay after a failed delivery (doubles, with jitter)" },
	{ "retry_max", KT_TIME, F(retry_max), "300", 1, 86400, NULL,
	  "longest retry delay" },
	{ "max_response_bytes", KT_SIZE, F(max_response_bytes), "64k", 1024,
	  16 << 20, NULL, "most bytes of a SOAR response kept" },

	SECTION("IMAP backfill"),
	{ "imap_host", KT_STR, F(imap_host), "", 0, 0, NULL,
	  "IMAP server host name" },
	{ "imap_port", KT_INT, F(imap_port), "0", 0, 65535, NULL,
	  "IMAP port (0: 993 for implicit TLS, 143 for STARTTLS)" },
	{ "imap_tls", KT_ENUM, F(imap_tls), "implicit", 0, 0,
	  "implicit|starttls", "implicit TLS (imaps) or mandatory STARTTLS" },
	{ "imap_auth", KT_ENUM, F(imap_auth), "login", 0, 0, "login|xoauth2",
	  "login: user + password file; xoauth2: user + bearer token file" },
	{ "imap_user", KT_STR, F(imap_user), "", 0, 0, NULL, "IMAP user" },
	{ "imap_password_file", KT_STR, F(imap_password_file), "", 0, 0, NULL,
	  "file holding the IMAP password (first line)" },
	{ "imap_token_file", KT_STR, F(imap_token_file), "", 0, 0, NULL,
	  "file holding the OAuth2 access token for XOAUTH2" },
	{ "imap_folders", KT_LIST, F(imap_folders), "INBOX", 0, 0, NULL,
	  "folders to read, comma separated" },
	{ "imap_search", KT_ENUM, F(imap_search), "unseen", 0, 0, "unseen|all",
	  "which messages: unseen only, or all" },
	{ "imap_since", KT_STR, F(imap_since), "", 0, 0, NULL,
	  "only messages since this date, YYYY-MM-DD (empty: no limit)" },
	{ "imap_max_messages", KT_INT, F(imap_max_messages), "0", 0,
	  100000000, NULL, "most messages per run (0: no limit)" },
	{ "imap_batch", KT_INT, F(imap_batch), "100", 1, 10000, NULL,
	  "messages per UID FETCH" },
	{ "imap_after", KT_ENUM, F(imap_after), "none", 0, 0, "none|seen|move",
	  "after the alert is spooled: leave the message, mark it \\Seen, or move it" },
	{ "imap_move_folder", KT_STR, F(imap_move_folder), "", 0, 0, NULL,
	  "target folder for imap_after = move" },
	{ "imap_tls_verify", KT_BOOL, F(imap_tls_verify), "yes", 0, 0, NULL,
	  "verify the IMAP server certificate" },
	{ "imap_ca_file", KT_STR, F(imap_ca_file), "", 0, 0, NULL,
	  "CA bundle for the IMAP server" },
	{ "imap_ca_dir", KT_STR, F(imap_ca_dir), "", 0, 0, NULL,
	  "CA directory for the IMAP server" },
	{ "imap_connect_timeout", KT_TIME, F(imap_connect_timeout), "30", 1,
	  600, NULL, "IMAP connect timeout" },
	{ "imap_timeout", KT_TIME, F(imap_timeout), "120", 1, 3600, NULL,
	  "IMAP command timeout (no progress for this long)" },
	{ "backfill_workers", KT_INT, F(backfill_workers), "0", 0, 64, NULL,
	  "threads extracting messages during backfill (0: one per online CPU; 1: none, the reader does it)" },
};

static const struct key_def *
key_find(const char *name)
{
	size_t	i;

	for (i = 0; i < ARRAY_LEN(config_keys); i++)
		if (config_keys[i].type != KT_SECTION &&
		    strcmp(config_keys[i].name, name) == 0)
			return &config_keys[i];
	return NULL;
}

/* parse_number - integer with an optional unit suffix */
static int
parse_number(const struct key_def *k, const char *s, int64_t *v_r,
    struct errbuf *err)
{
	char		*end;
	long long	 v;
	int64_t		 mult = 1;
	int		 base = k->type == KT_OCTAL ? 8 : 10;

	errno = 0;
	v = strtoll(s, &end, base);
	if (end == s || errno == ERANGE) {
		errbuf_set(err, "'%s' is not a %s", s,
		    k->type == KT_OCTAL ? "octal number" : "number");
		return -1;
	}
	if (*end != '\0') {
		if (end[1] != '\0')
			goto badunit;
		switch (k->type) {
		case KT_SIZE:
			switch (*end) {
			case 'k': case 'K': mult = 1024; break;
			case 'm': case 'M': mult = 1024 * 1024; break;
			case 'g': case 'G': mult = 1024 * 1024 * 1024; break;
			default: goto badunit;
			}
			break;
		case KT_TIME:
			switch (*end) {
			case 's': mult = 1; break;
			case 'm': mult = 60; break;
			case 'h': mult = 3600; break;
			case 'd': mult = 86400; break;
			case 'w': mult = 7 * 86400; break;
			default: goto badunit;
			}
			break;
		default:
			goto badunit;
		}
	}
	if (v != 0 && (v > KMAX / mult || v < -KMAX / mult)) {
		errbuf_set(err, "'%s' is too large", s);
		return -1;
	}
	v *= mult;
	if (v < k->min || v > k->max) {
		if (k->type == KT_OCTAL)
			errbuf_set(err, "%s is out of range (%#llo..%#llo)", s,
			    (long long)k->min, (long long)k->max);
		else
			errbuf_set(err, "%s is out of range (%lld..%lld)", s,
			    (long long)k->min, (long long)k->max);
		return -1;
	}
	*v_r = v;
	return 0;
badunit:
	errbuf_set(err, "'%s' has an unknown unit (%s)", s,
	    k->type == KT_SIZE ? "use k, m or g" :
	    k->type == KT_TIME ? "use s, m, h, d or w" : "no unit allowed");
	return -1;
}

static int
parse_bool(const char *s, bool *v_r, struct errbuf *err)
{
	static const char *yes[] = { "yes", "true", "on", "1" };
	static const char *no[] = { "no", "false", "off", "0" };
	size_t	i;

	for (i = 0; i < ARRAY_LEN(yes); i++) {
		if (strcasecmp(s, yes[i]) == 0) {
			*v_r = true;
			return 0;
		}
		if (strcasecmp(s, no[i]) == 0) {
			*v_r = false;
			return 0;
		}
	}
	errbuf_set(err, "'%s' is not yes or no", s);
	return -1;
}

static int
parse_enum(const char *words, const char *s, int *v_r, struct errbuf *err)
{
	const char	*p, *end;
	int		 i;

	for (p = words, i = 0; *p != '\0'; p = *end ? end + 1 : end, i++) {
		end = p + strcspn(p, "|");
		if ((size_t)(end - p) == strlen(s) &&
		    strncasecmp(p, s, (size_t)(end - p)) == 0) {
			*v_r = i;
			return 0;
		}
	}
	errbuf_set(err, "'%s' is not one of: %s", s, words);
	return -1;
}

/* key_set - parse value into the field of key k */
static int
key_set(struct config *cfg, const struct key_def *k, const char *value,
    struct errbuf *err)
{
	char		*field = (char *)cfg + k->off;
	char		*copy;
	int64_t		 n;
	bool		 b;
	int		 e;

	copy = str_trim(xstrdup(value));
	switch (k->type) {
	case KT_STR:
		if (strlen(copy) > 4096) {
			errbuf_set(err, "value too long");
			goto fail;
		}
		free(*(char **)field);
		*(char **)field = *copy != '\0' ? xstrdup(copy) : NULL;
		break;
	case KT_INT:
	case KT_SIZE:
	case KT_TIME:
	case KT_OCTAL:
		if (parse_number(k, copy, &n, err) == -1)
			goto fail;
		*(int64_t *)field = n;
		break;
	case KT_BOOL:
		if (parse_bool(copy, &b, err) == -1)
			goto fail;
		*(bool *)field = b;
		break;
	case KT_ENUM:
		if (parse_enum(k->words, copy, &e, err) == -1)
			goto fail;
		*(int *)field = e;
		break;
	case KT_LIST:
		strlist_free((struct strlist *)field);
		/* commas (or continuation lines) only: folder names such
		 * as "Junk Email" contain blanks */
		strlist_split((struct strlist *)field, copy, ",\n");
		break;
	case KT_SECTION:
		break;
	}
	free(copy);
	return 0;
fail:
	free(copy);
	return -1;
}

void
config_defaults(struct config *cfg)
{
	struct errbuf	err;
	size_t		i;

	_Static_assert(ARRAY_LEN(config_keys) <= CONFIG_MAX_KEYS,
	    "raise CONFIG_MAX_KEYS");
	memset(cfg, 0, sizeof(*cfg));
	for (i = 0; i < ARRAY_LEN(config_keys); i++)
		if (config_keys[i].type != KT_SECTION &&
		    key_set(cfg, &config_keys[i], config_keys[i].def,
		    &err) == -1)
			util_panic(__FILE__, __LINE__, config_keys[i].name);
}

int
config_set(struct config *cfg, const char *key, const char *value,
    struct errbuf *err)
{
	const struct key_def	*k;
	struct errbuf		 e;

	if ((k = key_find(key)) == NULL) {
		errbuf_set(err, "%s: unknown key", key);
		return -1;
	}
	if (key_set(cfg, k, value, &e) == -1) {
		errbuf_set(err, "%s: %s", key, e.msg);
		return -1;
	}
	return 0;
}

bool
config_is_set(const struct config *cfg, const char *key)
{
	const struct key_def	*k = key_find(key);

	return k != NULL && cfg->key_line[k - config_keys] != 0;
}

int
config_set_cli(struct config *cfg, const char *assignment,
    struct errbuf *err)
{
	const struct key_def	*k;
	const char		*eq;
	char			*key;
	int			 rc;

	if ((eq = strchr(assignment, '=')) == NULL) {
		errbuf_set(err, "-o %s: expected key=value", assignment);
		return -1;
	}
	key = str_trim(xstrndup(assignment, (size_t)(eq - assignment)));
	if ((rc = config_set(cfg, key, eq + 1, err)) == 0 &&
	    (k = key_find(key)) != NULL)
		cfg->key_line[k - config_keys] = -1;
	else if (rc == -1) {
		struct errbuf	e = *err;

		errbuf_set(err, "-o %s", e.msg);
	}
	free(key);
	return rc;
}

struct load_ctx {
	struct config	*cfg;
	struct errbuf	 err;		/* first error, without position */
	bool		 failed;
	bool		*cont;		/* per handler call: continuation? */
	size_t		 ncont, capcont, call;
};

/* config_continue - an indented line continues the value of name */
static int
config_continue(struct load_ctx *lc, const char *name, const char *value)
{
	const struct key_def	*k = key_find(name);
	char			*field, *joined, *v;

	if (k == NULL)
		return 0;		/* reported on the key's own line */
	field = (char *)lc->cfg + k->off;
	v = str_trim(xstrdup(value));
	if (k->type == KT_LIST)
		strlist_split((struct strlist *)field, v, ",\n");
	else if (k->type == KT_STR) {
		joined = xasprintf("%s%s", *(char **)field ?
		    *(char **)field : "", v);
		free(*(char **)field);
		*(char **)field = joined;
	} else {
		errbuf_set(&lc->err, "%s: a continuation line only extends "
		    "a string or a list", name);
		lc->failed = true;
		free(v);
		return 0;
	}
	free(v);
	return 1;
}

/* ini_cb - inih handler: one key = value, in file order */
static int
ini_cb(void *user, const char *section, const char *name, const char *value)
{
	struct load_ctx	*lc = user;
	struct errbuf	 e;

	if (lc->failed)
		return 0;
	if (section != NULL && *section != '\0') {
		errbuf_set(&lc->err, "[%s]: sections are not used; write "
		    "key = value lines", section);
		lc->failed = true;
		return 0;
	}
	if (value == NULL) {
		errbuf_set(&lc->err, "%s: missing '= value'", name);
		lc->failed = true;
		return 0;
	}
	/* inih calls again with the same name for each indented line that
	 * continues a value: lists get more items, strings are joined */
	if (lc->call < lc->ncont && lc->cont[lc->call++])
		return config_continue(lc, name, value);
	if (config_set(lc->cfg, name, value, &e) == -1) {
		lc->err = e;
		lc->failed = true;
		return 0;
	}
	return 1;
}

/* check_lines - inih reads lines of at most 200 bytes: refuse longer
 * ones up front with a clear message instead of a confusing one. */
static int
check_lines(struct config *cfg, struct load_ctx *lc, const char *path,
    FILE *fp, struct errbuf *err)
{
	const struct key_def	*k;
	char			 line[4096], *p, *eq;
	int			 lineno = 0;
	size_t			 len;
	bool			 have_key = false, call, cont;

	while (fgets(line, sizeof(line), fp) != NULL) {
		lineno++;
		len = strlen(line);
		if (len > 0 && line[len - 1] == '\n')
			len--;
		if (len > 0 && line[len - 1] == '\r')
			len--;
		if (len >= 199 || (len == sizeof(line) - 1)) {
			errbuf_set(err, "%s:%d: line too long (at most 198 "
			    "characters; continue a long value on indented "
			    "lines)", path, lineno);
			return -1;
		}
		/* remember where each key was set, for later messages */
		line[len] = '\0';
		for (p = line; *p == ' ' || *p == '\t'; p++)
			;
		/* mirror inih: which lines make a handler call, and which
		 * of those continue the previous value (indented) */
		call = cont = false;
		if (*p == '\0' || *p == '#' || *p == ';')
			;
		else if (have_key && p > line)
			call = cont = true;
		else if (*p != '[')
			call = have_key = true;
		if (call) {
			if (lc->ncont == lc->capcont) {
				lc->capcont = lc->capcont ? lc->capcont * 2 : 64;
				lc->cont = xrealloc(lc->cont, lc->capcont *
				    sizeof(*lc->cont));
			}
			lc->cont[lc->ncont++] = cont;
		}
		if (p == line && *p == '[') {
			errbuf_set(err, "%s:%d: %s: sections are not used; "
			    "write key = value lines", path, lineno, p);
			return -1;
		}
		if (p == line && (eq = strchr(p, '=')) != NULL) {
			*eq = '\0';
			str_trim(p);
			if ((k = key_find(p)) != NULL)
				cfg->key_line[k - config_keys] = lineno;
		}
	}
	rewind(fp);
	return 0;
}

int
config_load(struct config *cfg, const char *path, struct errbuf *err)
{
	struct load_ctx	 lc = { .cfg = cfg };
	FILE		*fp;
	int		 line;

	if ((fp = fopen(path, "r")) == NULL) {
		errbuf_set(err, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (check_lines(cfg, &lc, path, fp, err) == -1) {
		fclose(fp);
		free(lc.cont);
		return -1;
	}
	line = ini_parse_file(fp, ini_cb, &lc);
	fclose(fp);
	free(lc.cont);
	if (line != 0) {
		if (!lc.failed)
			errbuf_set(&lc.err, "syntax error (expected key = "
			    "value)");
		errbuf_set(err, "%s:%d: %s", path, line, lc.err.msg);
		return -1;
	}
	free(cfg->path);
	cfg->path = xstrdup(path);
	return 0;
}

static bool
id_prefix_ok(const char *s)
{
	for (; *s != '\0'; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		    (*s >= '0' && *s <= '9') || *s == '-' || *s == '_' ||
		    *s == '.'))
			return false;
	return true;
}

/* verr - "file:line: key: reason" for a value set at file:line */
static int __attribute__((format(printf, 4, 5)))
verr(const struct config *cfg, struct errbuf *err, const char *key,
    const char *fmt, ...)
{
	const struct key_def	*k = key_find(key);
	char			 msg[400];
	va_list			 ap;
	int			 line = 0;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (k != NULL)
		line = cfg->key_line[k - config_keys];
	if (cfg->path != NULL && line > 0)
		errbuf_set(err, "%s:%d: %s: %s", cfg->path, line, key, msg);
	else if (cfg->path != NULL)
		errbuf_set(err, "%s: %s: %s", cfg->path, key, msg);
	else
		errbuf_set(err, "%s: %s", key, msg);
	return -1;
}

int
config_validate(const struct config *cfg, struct errbuf *err)
{
	int		 p = (int)cfg->priority;

	if (p != -1 && p != 40 && p != 60 && p != 80 && p != 100) {
		return verr(cfg, err, "priority", "%d is not one of -1, 40, 60, "
		    "80, 100", p);
	}
	if (cfg->id_prefix != NULL && (strlen(cfg->id_prefix) > 32 ||
	    !id_prefix_ok(cfg->id_prefix))) {
		return verr(cfg, err, "id_prefix", "only letters, digits, '-', "
		    "'_', '.' (at most 32)");
	}
	if (cfg->socket == NULL || (strncmp(cfg->socket, "inet:", 5) != 0 &&
	    strncmp(cfg->socket, "inet6:", 6) != 0 &&
	    strncmp(cfg->socket, "unix:", 5) != 0 &&
	    strncmp(cfg->socket, "local:", 6) != 0)) {
		return verr(cfg, err, "socket", "'%s' is not inet:PORT@HOST, "
		    "inet6:PORT@HOST or unix:/path",
		    cfg->socket ? cfg->socket : "");
	}
	if (cfg->state_dir == NULL || cfg->state_dir[0] != '/') {
		return verr(cfg, err, "state_dir", "must be an absolute path");
	}
	/* the daemon's working directory is / once it detached */
	if (cfg->pid_file != NULL && cfg->pid_file[0] != '\0' &&
	    cfg->pid_file[0] != '/')
		return verr(cfg, err, "pid_file", "must be an absolute path");
	if (cfg->metrics_file != NULL && cfg->metrics_file[0] != '\0' &&
	    cfg->metrics_file[0] != '/')
		return verr(cfg, err, "metrics_file", "must be an absolute "
		    "path");
	if (cfg->log_level == NULL || (strcmp(cfg->log_level, "err") != 0 &&
	    strcmp(cfg->log_level, "warn") != 0 &&
	    strcmp(cfg->log_level, "info") != 0 &&
	    strcmp(cfg->log_level, "debug") != 0)) {
		return verr(cfg, err, "log_level", "'%s' is not err, warn, info "
		    "or debug", cfg->log_level ? cfg->log_level : "");
	}
	if (cfg->log_facility == NULL ||
	    log_facility_from_name(cfg->log_facility) == -1) {
		return verr(cfg, err, "log_facility", "'%s' is not mail, daemon, "
		    "user or local0..local7",
		    cfg->log_facility ? cfg->log_facility : "");
	}
	if (cfg->retry_max < cfg->retry_initial) {
		return verr(cfg, err, "retry_max", "must not be below "
		    "retry_initial");
	}
	if (cfg->alert_on == ALERT_ON_RECIPIENTS &&
	    cfg->alert_recipients.n == 0 &&
	    cfg->alert_recipient_regex == NULL) {
		return verr(cfg, err, "alert_on", "'recipients' needs "
		    "alert_recipients or alert_recipient_regex");
	}
	if (cfg->soar_api != SOAR_API_NONE && cfg->soar_url == NULL)
		return verr(cfg, err, "soar_api", "%s needs soar_url",
		    cfg->soar_api == SOAR_API_SDK ? "sdk" : "chronicle");
	/* alerts would go to the outbox while the admin expects the SOAR */
	if (cfg->soar_api == SOAR_API_NONE && cfg->soar_url != NULL)
		return verr(cfg, err, "soar_url", "set, but soar_api = none "
		    "(set soar_api = sdk or chronicle)");
	if (cfg->soar_url != NULL && strncmp(cfg->soar_url, "https://", 8)
	    != 0 && strncmp(cfg->soar_url, "http://", 7) != 0) {
		return verr(cfg, err, "soar_url", "must start with https:// "
		    "(or http:// for tests)");
	}
	if (cfg->soar_api == SOAR_API_SDK && cfg->soar_key_file == NULL)
		return verr(cfg, err, "soar_api", "sdk needs soar_key_file");
	if (cfg->soar_api == SOAR_API_CHRONICLE &&
	    (cfg->soar_token_file == NULL || cfg->chronicle_project == NULL ||
	    cfg->chronicle_location == NULL ||
	    cfg->chronicle_instance == NULL)) {
		return verr(cfg, err, "soar_api", "chronicle needs "
		    "soar_token_file, chronicle_project, chronicle_location "
		    "and chronicle_instance");
	}
	if (cfg->imap_after == IMAP_AFTER_MOVE &&
	    cfg->imap_move_folder == NULL)
		return verr(cfg, err, "imap_after", "move needs "
		    "imap_move_folder");
	if (cfg->imap_since != NULL) {
		/* exactly YYYY-MM-DD, digits, a real date (leap years) */
		static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31,
		    30, 31, 30, 31 };
		const char	*s = cfg->imap_since;
		int		 y, m, d, i;

		for (i = 0; i < 10; i++)
			if (i == 4 || i == 7 ? s[i] != '-' :
			    s[i] < '0' || s[i] > '9')
				break;
		if (i < 10 || s[10] != '\0')
			return verr(cfg, err, "imap_since", "'%s' is not a date "
			    "YYYY-MM-DD", s);
		y = atoi(s);
		m = atoi(s + 5);
		d = atoi(s + 8);
		if (y < 1970 || m < 1 || m > 12 || d < 1)
			return verr(cfg, err, "imap_since", "'%s' is not a date "
			    "YYYY-MM-DD", s);
		i = mdays[m - 1] + (m == 2 && y % 4 == 0 && (y % 100 != 0 ||
		    y % 400 == 0));
		if (d > i)
			return verr(cfg, err, "imap_since", "'%s' is not a date "
			    "YYYY-MM-DD: %04d-%02d has %d days", s, y, m, i);
	}
	return 0;
}

/* print_value - the effective value of key k, as it would be written */
static void
print_value(const struct config *cfg, const struct key_def *k, FILE *out)
{
	const char	*field = (const char *)cfg + k->off;
	const char	*w, *end;
	int		 i, v;
	char		*s;

	switch (k->type) {
	case KT_STR:
		s = *(char *const *)field;
		fputs(s != NULL ? s : "", out);
		break;
	case KT_INT:
	case KT_SIZE:
	case KT_TIME:
		fprintf(out, "%" PRId64, *(const int64_t *)field);
		break;
	case KT_OCTAL:
		fprintf(out, "0%" PRIo64, *(const int64_t *)field);
		break;
	case KT_BOOL:
		fputs(*(const bool *)field ? "yes" : "no", out);
		break;
	case KT_ENUM:
		v = *(const int *)field;
		for (w = k->words, i = 0; *w != '\0'; w = *end ? end + 1 : end,
		    i++) {
			end = w + strcspn(w, "|");
			if (i == v)
				fprintf(out, "%.*s", (int)(end - w), w);
		}
		break;
	case KT_LIST:
		s = strlist_join((const struct strlist *)field, ", ");
		fputs(s, out);
		free(s);
		break;
	case KT_SECTION:
		break;
	}
}

/* URL-valued keys: they may carry user:password@, which check-config
 * must not print (str_redact_url). */
static const char *const url_keys[] = { "soar_url", "http_proxy" };

void
config_print(const struct config *cfg, FILE *out)
{
	const struct key_def	*k;
	size_t			 i, j;
	char			*s;

	fprintf(out, "# effective configuration (%s)\n",
	    cfg->path != NULL ? cfg->path : "built-in defaults");
	for (i = 0; i < ARRAY_LEN(config_keys); i++) {
		k = &config_keys[i];
		if (k->type == KT_SECTION)
			continue;
		fprintf(out, "%s = ", k->name);
		for (j = 0; j < ARRAY_LEN(url_keys); j++)
			if (strcmp(k->name, url_keys[j]) == 0)
				break;
		if (j < ARRAY_LEN(url_keys) && k->type == KT_STR) {
			s = str_redact_url(*(char *const *)((const char *)cfg +
			    k->off));
			fputs(s != NULL ? s : "", out);
			free(s);
		} else
			print_value(cfg, k, out);
		fputc('\n', out);
	}
}

/* range_text - the range or the allowed words of k, for the reference */
static void
range_text(const struct key_def *k, char *buf, size_t size)
{
	switch (k->type) {
	case KT_INT:
	case KT_SIZE:
	case KT_TIME:
		snprintf(buf, size, "%lld..%lld%s", (long long)k->min,
		    (long long)k->max, k->type == KT_SIZE ? " bytes" :
		    k->type == KT_TIME ? " seconds" : "");
		break;
	case KT_OCTAL:
		snprintf(buf, size, "0..0%llo", (long long)k->max);
		break;
	case KT_ENUM:
		snprintf(buf, size, "%s", k->words);
		break;
	case KT_BOOL:
		snprintf(buf, size, "yes|no");
		break;
	default:
		buf[0] = '\0';
		break;
	}
}

void
config_print_reference(FILE *out, bool conf_format)
{
	static const char *tname[] = { "string", "integer",
	    "size (k, m, g suffix)", "duration (s, m, h, d, w suffix)",
	    "octal mode", "yes/no", "word", "list (comma separated)", "" };
	const struct key_def	*k;
	char			 range[128];
	size_t			 i;

	for (i = 0; i < ARRAY_LEN(config_keys); i++) {
		k = &config_keys[i];
		range_text(k, range, sizeof(range));
		if (k->type == KT_SECTION) {
			if (conf_format)
				fprintf(out, "\n# %s\n# %.*s\n", k->name,
				    (int)strlen(k->name),
				    "=================================="
				    "==================================");
			else
				fprintf(out, "\n## %s\n\n| key | type | "
				    "default | range | meaning |\n"
				    "|---|---|---|---|---|\n", k->name);
			continue;
		}
		if (conf_format) {
			fprintf(out, "\n# %s\n#   type: %s; default: %s%s%s\n"
			    "#%s = %s\n", k->help, tname[k->type],
			    *k->def != '\0' ? k->def : "(empty)",
			    *range != '\0' ? "; range: " : "", range,
			    k->name, k->def);
		} else
			fprintf(out, "| `%s` | %s | `%s` | %s | %s |\n",
			    k->name, tname[k->type], k->def, range, k->help);
	}
}

void
config_free(struct config *cfg)
{
	size_t	i;
	char	*field;

	for (i = 0; i < ARRAY_LEN(config_keys); i++) {
		if (config_keys[i].type == KT_SECTION)
			continue;
		field = (char *)cfg + config_keys[i].off;
		if (config_keys[i].type == KT_STR) {
			free(*(char **)field);
			*(char **)field = NULL;
		} else if (config_keys[i].type == KT_LIST)
			strlist_free((struct strlist *)field);
	}
	free(cfg->path);
	cfg->path = NULL;
}

/* value_text - k's value in cfg as config_print() shows it */
static char *
value_text(const struct config *cfg, const struct key_def *k)
{
	char	*s = NULL;
	size_t	 n = 0;
	FILE	*f;

	if ((f = open_memstream(&s, &n)) == NULL)
		return xstrdup("");
	print_value(cfg, k, f);
	fclose(f);
	return s;
}

int
config_keep(struct config *dst, const struct config *src, const char *key)
{
	const struct key_def	*k = NULL;
	const char		*from;
	char			*to, *a, *b;
	size_t			 i;
	int			 differ;

	for (i = 0; i < ARRAY_LEN(config_keys) && k == NULL; i++)
		if (config_keys[i].type != KT_SECTION &&
		    strcmp(config_keys[i].name, key) == 0)
			k = &config_keys[i];
	if (k == NULL)
		return -1;
	a = value_text(dst, k);
	b = value_text(src, k);
	differ = strcmp(a, b) != 0;
	free(a);
	free(b);
	if (!differ)
		return 0;
	from = (const char *)src + k->off;
	to = (char *)dst + k->off;
	switch (k->type) {
	case KT_STR:
		free(*(char **)to);
		*(char **)to = *(char *const *)from != NULL ?
		    xstrdup(*(char *const *)from) : NULL;
		break;
	case KT_INT:
	case KT_SIZE:
	case KT_TIME:
	case KT_OCTAL:
		*(int64_t *)to = *(const int64_t *)from;
		break;
	case KT_BOOL:
		*(bool *)to = *(const bool *)from;
		break;
	case KT_ENUM:
		*(int *)to = *(const int *)from;
		break;
	case KT_LIST:
		strlist_free((struct strlist *)to);
		for (i = 0; i < ((const struct strlist *)from)->n; i++)
			strlist_add((struct strlist *)to,
			    ((const struct strlist *)from)->v[i]);
		break;
	case KT_SECTION:
		break;
	}
	return 1;
}

char *
config_state_path(const struct config *cfg, const char *sub)
{
	return xasprintf("%s/%s", cfg->state_dir, sub);
}
