/*
 * config - the one configuration file of every mode.
 *
 * Format: "key = value" lines, '#' or ';' starts a comment line, blank
 * lines ignored; parsed with inih (Debian libinih).  Sections are not
 * used.  Every key is declared once in a table in config.c with its
 * type, default, range and help text; etc/soar-milter.conf documents
 * the same keys.  Unknown keys, bad values and out-of-range numbers make
 * config_load() fail with "file:line: key: what is wrong".
 *
 * A struct config is immutable after config_load(); it is shared by
 * every thread read-only.
 */
#ifndef SOAR_CONFIG_H
#define SOAR_CONFIG_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "util.h"

#define CONFIG_DEFAULT_PATH	SYSCONFDIR "/soar-milter/soar-milter.conf"
#define CONFIG_MAX_KEYS		128

enum on_error { ON_ERROR_CONTINUE, ON_ERROR_TEMPFAIL };
enum alert_on { ALERT_ON_ALL, ALERT_ON_RECIPIENTS };
enum soar_api { SOAR_API_NONE, SOAR_API_SDK, SOAR_API_CHRONICLE };
enum imap_tls { IMAP_TLS_IMPLICIT, IMAP_TLS_STARTTLS };
enum imap_auth { IMAP_AUTH_LOGIN, IMAP_AUTH_XOAUTH2 };
enum imap_after { IMAP_AFTER_NONE, IMAP_AFTER_SEEN, IMAP_AFTER_MOVE };
enum imap_search { IMAP_SEARCH_UNSEEN, IMAP_SEARCH_ALL };

struct config {
	/* --- extraction bounds (hostile input) --- */
	int64_t	 max_message_bytes;	/* bytes examined per message */
	int64_t	 max_header_bytes;	/* one header field, unfolded */
	int64_t	 max_mime_depth;
	int64_t	 max_mime_parts;
	int64_t	 max_urls;
	int64_t	 max_url_length;
	int64_t	 max_attachments;
	int64_t	 regex_match_limit;	/* PCRE2 match limit */

	/* --- alert content --- */
	char	*environment;
	char	*device_vendor;
	char	*device_product;
	char	*alert_name;
	char	*rule_generator;
	int64_t	 priority;		/* -1, 40, 60, 80, 100 */
	char	*id_prefix;

	/* --- milter daemon --- */
	char	*socket;		/* inet:PORT@HOST, inet6:, unix:/path */
	int64_t	 socket_mode;		/* unix socket permission bits */
	char	*socket_owner;		/* user[:group] of the unix socket */
	char	*user;			/* drop privileges to, after bind */
	char	*group;
	char	*pid_file;
	bool	 log_syslog;		/* false: stderr */
	char	*log_facility;
	char	*log_level;		/* err|warn|info|debug */
	enum on_error on_error;
	bool	 add_header;		/* X-SOAR-Alert-Id */
	bool	 attach_eml;		/* original message in "attachments" */
	int64_t	 attach_eml_max_bytes;
	enum alert_on alert_on;
	struct strlist alert_recipients;	/* addresses, case-insensitive */
	char	*alert_recipient_regex;	/* PCRE2 pattern or NULL */
	int64_t	 milter_timeout;	/* seconds, libmilter I/O timeout */
	int64_t	 stats_interval;	/* seconds between stats lines, 0 off */
	char	*metrics_file;		/* Prometheus text file, "" off */
	int64_t	 metrics_interval;	/* seconds between rewrites */

	/* --- state, spool, delivery --- */
	char	*state_dir;		/* spool/, sent/, imap/ below it */
	char	*outbox_dir;		/* soar_api = none: alerts go here */
	int64_t	 spool_max_files;
	int64_t	 spool_max_bytes;
	int64_t	 sent_retention;	/* seconds */
	int64_t	 sent_max_entries;
	enum soar_api soar_api;
	char	*soar_url;		/* sdk: https://host[:port]; chronicle: endpoint */
	char	*chronicle_project;
	char	*chronicle_location;
	char	*chronicle_instance;
	char	*soar_key_file;		/* AppKey (sdk) */
	char	*soar_token_file;	/* Bearer token (chronicle) */
	bool	 tls_verify;
	char	*tls_ca_file;
	char	*tls_ca_dir;
	char	*tls_cert_file;
	char	*tls_key_file;
	char	*http_proxy;
	int64_t	 connect_timeout;	/* seconds */
	int64_t	 request_timeout;	/* seconds */
	int64_t	 retry_initial;		/* seconds */
	int64_t	 retry_max;		/* seconds */
	int64_t	 max_response_bytes;

	/* --- IMAP backfill --- */
	char	*imap_host;
	int64_t	 imap_port;		/* 0: 993 implicit, 143 starttls */
	enum imap_tls imap_tls;
	enum imap_auth imap_auth;
	char	*imap_user;
	char	*imap_password_file;
	char	*imap_token_file;
	struct strlist imap_folders;
	enum imap_search imap_search;
	char	*imap_since;		/* YYYY-MM-DD or NULL */
	int64_t	 imap_max_messages;	/* 0: no limit */
	int64_t	 imap_batch;
	enum imap_after imap_after;
	char	*imap_move_folder;
	bool	 imap_tls_verify;
	char	*imap_ca_file;
	char	*imap_ca_dir;
	int64_t	 imap_connect_timeout;
	int64_t	 imap_timeout;
	int64_t	 backfill_workers;	/* 0: one per online CPU */

	/* where the values came from, for messages and check-config */
	char	*path;
	int	 key_line[CONFIG_MAX_KEYS];	/* line of each key, 0 = unset */
};

/* Fill cfg with built-in defaults (no file).  Never fails. */
void	config_defaults(struct config *cfg);

/* Load path over the defaults (values only; call config_validate after
 * any command-line overrides).  On error: -1 and err holds
 * "path:line: key: reason". */
int	config_load(struct config *cfg, const char *path, struct errbuf *err);

/* Apply one "key=value" from the command line (-o key=value). */
int	config_set(struct config *cfg, const char *key, const char *value,
	    struct errbuf *err);

/* Apply "key=value" from the command line (-o); marks the key as set. */
int	config_set_cli(struct config *cfg, const char *assignment,
	    struct errbuf *err);

/* Was key given in the file or on the command line? */
bool	config_is_set(const struct config *cfg, const char *key);

/* Cross-key checks after all values are in (e.g. move needs a folder). */
int	config_validate(const struct config *cfg, struct errbuf *err);

/* Print the effective configuration as "key = value" lines. */
void	config_print(const struct config *cfg, FILE *out);

/* Print every key with type, default, range and help: as a markdown
 * table (docs/CONFIGURATION.md) or as commented conf lines
 * (etc/soar-milter.conf). */
void	config_print_reference(FILE *out, bool conf_format);

void	config_free(struct config *cfg);

/* Give dst the value src has for key (a reload keeps the running value
 * of a key read only at start): 1 if they differed, 0 if not, -1 for an
 * unknown key. */
int	config_keep(struct config *dst, const struct config *src,
	    const char *key);

/* Path helpers below state_dir: new string, caller frees. */
char	*config_state_path(const struct config *cfg, const char *sub);

#endif
