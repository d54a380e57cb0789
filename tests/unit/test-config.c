/* test-config - defaults, file parsing, errors with file:line: key */
#include "autoconfig.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>

#include "config.h"
#include "t.h"

static char tmpl[] = "/tmp/test-config-XXXXXX";

/* load_text - write text to a temp file and load it over defaults */
static int
load_text(struct config *cfg, const char *text, struct errbuf *err)
{
	FILE	*fp;
	int	 rc;

	fp = fopen(tmpl, "w");
	fputs(text, fp);
	fclose(fp);
	config_defaults(cfg);
	rc = config_load(cfg, tmpl, err);
	if (rc == 0)
		rc = config_validate(cfg, err);
	return rc;
}

static void
expect_error(const char *text, const char *want)
{
	struct config	cfg;
	struct errbuf	err = { "" };
	char		full[600];

	T_ASSERT(load_text(&cfg, text, &err) == -1);
	snprintf(full, sizeof(full), "%s:%s", tmpl, want);
	if (strcmp(err.msg, full) != 0)
		fprintf(stderr, "got: %s\nwant: %s\n", err.msg, full);
	T_STREQ(err.msg, full);
	config_free(&cfg);
}

int
main(void)
{
	struct config	 cfg;
	struct errbuf	 err;
	char		*p;
	FILE		*mem;
	size_t		 memlen;
	int		 fd;

	fd = mkstemp(tmpl);
	close(fd);

	T_BEGIN("defaults");
	config_defaults(&cfg);
	T_ASSERT(config_validate(&cfg, &err) == 0);
	T_ASSERT(cfg.max_message_bytes == 10 * 1024 * 1024);
	T_ASSERT(cfg.priority == 60);
	T_STREQ(cfg.device_product, "Mail");
	T_STREQ(cfg.alert_name, "Suspicious email");
	T_STREQ(cfg.socket, "inet:8894@127.0.0.1");
	T_ASSERT(cfg.soar_api == SOAR_API_NONE);
	T_ASSERT(cfg.on_error == ON_ERROR_CONTINUE);
	T_ASSERT(cfg.imap_folders.n == 1);
	T_STREQ(cfg.imap_folders.v[0], "INBOX");
	T_ASSERT(cfg.tls_verify);
	T_ASSERT(cfg.sent_retention == 30 * 86400);
	T_ASSERT(cfg.socket_mode == 0660);
	T_ASSERT(!config_is_set(&cfg, "priority"));
	config_free(&cfg);
	T_END();

	T_BEGIN("file values, units, lists, comments");
	T_ASSERT(load_text(&cfg,
	    "# a comment\n"
	    "; another\n"
	    "\n"
	    "max_message_bytes = 2m\n"
	    "max_header_bytes=8k\n"
	    "priority = 80\n"
	    "sent_retention = 2d\n"
	    "on_error = tempfail\n"
	    "imap_folders = INBOX, Junk ,\n"
	    "   [Gmail]/All Mail, Reports\n"
	    "environment = SOC Env\n"
	    "tls_verify = off\n"
	    "socket_mode = 0600\n"
	    "alert_recipient_regex = ^(phish|report)\n"
	    "\t@corp\\.example$\n", &err) == 0);
	T_STREQ(cfg.alert_recipient_regex, "^(phish|report)@corp\\.example$");
	T_ASSERT(cfg.max_message_bytes == 2 * 1024 * 1024);
	T_ASSERT(cfg.max_header_bytes == 8192);
	T_ASSERT(cfg.priority == 80);
	T_ASSERT(cfg.sent_retention == 2 * 86400);
	T_ASSERT(cfg.on_error == ON_ERROR_TEMPFAIL);
	T_ASSERT(cfg.imap_folders.n == 4);
	T_STREQ(cfg.imap_folders.v[1], "Junk");
	T_STREQ(cfg.imap_folders.v[2], "[Gmail]/All Mail");
	T_STREQ(cfg.imap_folders.v[3], "Reports");
	T_STREQ(cfg.environment, "SOC Env");
	T_ASSERT(!cfg.tls_verify);
	T_ASSERT(cfg.socket_mode == 0600);
	T_ASSERT(config_is_set(&cfg, "priority"));
	config_free(&cfg);
	T_END();

	T_BEGIN("errors name file, line and key");
	expect_error("priority = 60\nbogus_key = 1\n",
	    "2: bogus_key: unknown key");
	expect_error("\n\nmax_urls = 0\n",
	    "3: max_urls: 0 is out of range (1..100000)");
	expect_error("max_urls = lots\n",
	    "1: max_urls: 'lots' is not a number");
	expect_error("max_message_bytes = 5x\n",
	    "1: max_message_bytes: '5x' has an unknown unit (use k, m or g)");
	expect_error("tls_verify = maybe\n",
	    "1: tls_verify: 'maybe' is not yes or no");
	expect_error("soar_api = rest\n",
	    "1: soar_api: 'rest' is not one of: none|sdk|chronicle");
	expect_error("[milter]\nsocket = inet:1@h\n",
	    "1: [milter]: sections are not used; write key = value lines");
	expect_error("max_urls = 5\n  6\n",
	    "2: max_urls: a continuation line only extends a string or a "
	    "list");
	expect_error("just words\n",
	    "1: syntax error (expected key = value)");
	expect_error("# x\npriority = 50\n",
	    "2: priority: 50 is not one of -1, 40, 60, 80, 100");
	expect_error("socket = tcp:25\n",
	    "1: socket: 'tcp:25' is not inet:PORT@HOST, inet6:PORT@HOST or "
	    "unix:/path");
	expect_error("\nsoar_api = sdk\nsoar_url = https://x\n",
	    "2: soar_api: sdk needs soar_key_file");
	expect_error("imap_after = move\n",
	    "1: imap_after: move needs imap_move_folder");
	expect_error("imap_since = 2024-13-01\n",
	    "1: imap_since: '2024-13-01' is not a date YYYY-MM-DD");
	expect_error("soar_api = chronicle\n",
	    "1: soar_api: chronicle needs soar_url");
	/* a SOAR URL with soar_api = none (the default) would send the
	 * alerts to the outbox while the admin thinks they go out */
	expect_error("\nsoar_url = https://soar.example\n",
	    "2: soar_url: set, but soar_api = none (set soar_api = sdk or "
	    "chronicle)");
	expect_error("soar_api = none\nsoar_url = https://soar.example\n",
	    "2: soar_url: set, but soar_api = none (set soar_api = sdk or "
	    "chronicle)");
	expect_error("state_dir = relative/dir\n",
	    "1: state_dir: must be an absolute path");
	/* the daemon's working directory is / once it detached */
	expect_error("pid_file = run/x.pid\n",
	    "1: pid_file: must be an absolute path");
	expect_error("metrics_file = m.prom\n",
	    "1: metrics_file: must be an absolute path");
	expect_error("environment = "
	    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n",
	    "1: line too long (at most 198 characters; continue a long value "
	    "on indented lines)");
	T_END();

	T_BEGIN("missing file");
	config_defaults(&cfg);
	T_ASSERT(config_load(&cfg, "/nonexistent/soar.conf", &err) == -1);
	T_STREQ(err.msg, "/nonexistent/soar.conf: No such file or directory");
	config_free(&cfg);
	T_END();

	T_BEGIN("command-line overrides");
	config_defaults(&cfg);
	T_ASSERT(config_set_cli(&cfg, "priority=100", &err) == 0);
	T_ASSERT(cfg.priority == 100);
	T_ASSERT(config_is_set(&cfg, "priority"));
	T_ASSERT(config_set_cli(&cfg, "max_urls", &err) == -1);
	T_STREQ(err.msg, "-o max_urls: expected key=value");
	T_ASSERT(config_set_cli(&cfg, "nokey=1", &err) == -1);
	T_STREQ(err.msg, "-o nokey: unknown key");
	T_ASSERT(config_set_cli(&cfg, "soar_url=https://soar.example",
	    &err) == 0);
	T_ASSERT(config_validate(&cfg, &err) == -1);
	T_STREQ(err.msg, "soar_url: set, but soar_api = none (set soar_api = "
	    "sdk or chronicle)");
	T_ASSERT(config_set_cli(&cfg, "soar_url=", &err) == 0);
	T_ASSERT(config_validate(&cfg, &err) == 0);
	T_ASSERT(config_set_cli(&cfg, "alert_recipients=a@x.example, b@y",
	    &err) == 0);
	T_ASSERT(cfg.alert_recipients.n == 2);
	T_ASSERT(config_set_cli(&cfg,
	    "imap_folders=INBOX, Junk Email,[Gmail]/All Mail", &err) == 0);
	T_ASSERT(cfg.imap_folders.n == 3);
	T_STREQ(cfg.imap_folders.v[1], "Junk Email");
	T_STREQ(cfg.imap_folders.v[2], "[Gmail]/All Mail");
	config_free(&cfg);
	T_END();

	T_BEGIN("print round trip");
	config_defaults(&cfg);
	mem = open_memstream(&p, &memlen);
	config_print(&cfg, mem);
	fclose(mem);
	T_ASSERT(strstr(p, "\nmax_urls = 500\n") != NULL);
	T_ASSERT(strstr(p, "\nsocket_mode = 0660\n") != NULL);
	T_ASSERT(strstr(p, "\nimap_folders = INBOX\n") != NULL);
	T_ASSERT(strstr(p, "\nsoar_api = none\n") != NULL);
	/* the printed configuration loads back to the same values */
	fd = open(tmpl, O_WRONLY | O_TRUNC);
	T_ASSERT(write(fd, p, memlen) == (ssize_t)memlen);
	close(fd);
	config_free(&cfg);
	config_defaults(&cfg);
	T_ASSERT(config_load(&cfg, tmpl, &err) == 0);
	T_ASSERT(config_validate(&cfg, &err) == 0);
	T_ASSERT(cfg.max_urls == 500 && cfg.socket_mode == 0660);
	free(p);
	config_free(&cfg);
	T_END();

	T_BEGIN("print hides the password of URL-valued keys");
	config_defaults(&cfg);
	T_ASSERT(config_set(&cfg, "soar_api", "sdk", &err) == 0);
	T_ASSERT(config_set(&cfg, "soar_url",
	    "https://svc:soar-pw-3x@soar.example:8443/base", &err) == 0);
	T_ASSERT(config_set(&cfg, "http_proxy",
	    "http://pu:proxy-pw-9k@proxy.example:3128", &err) == 0);
	mem = open_memstream(&p, &memlen);
	config_print(&cfg, mem);
	fclose(mem);
	T_ASSERT(strstr(p, "soar-pw-3x") == NULL);
	T_ASSERT(strstr(p, "proxy-pw-9k") == NULL);
	T_ASSERT(strstr(p, "\nsoar_url = https://***@soar.example:8443/base\n")
	    != NULL);
	T_ASSERT(strstr(p, "\nhttp_proxy = http://***@proxy.example:3128\n")
	    != NULL);
	/* the values themselves are untouched: curl needs them */
	T_STREQ(cfg.soar_url, "https://svc:soar-pw-3x@soar.example:8443/base");
	free(p);
	config_free(&cfg);
	T_END();

	T_BEGIN("config_keep: a reload keeps start-only values");
	{
		struct config	 run, next;

		config_defaults(&run);
		config_defaults(&next);
		T_ASSERT(config_set(&run, "socket", "inet:9999@127.0.0.1",
		    &err) == 0);
		T_ASSERT(config_set(&next, "socket", "unix:/x.sock", &err) == 0);
		T_ASSERT(config_set(&next, "max_message_bytes", "1m", &err) ==
		    0);
		T_ASSERT(config_set(&next, "add_header", "yes", &err) == 0);
		T_ASSERT(config_set(&next, "imap_folders", "A, B", &err) == 0);
		T_ASSERT(config_keep(&next, &run, "socket") == 1);
		T_STREQ(next.socket, "inet:9999@127.0.0.1");
		T_ASSERT(config_keep(&next, &run, "max_message_bytes") == 1);
		T_ASSERT(next.max_message_bytes == run.max_message_bytes);
		T_ASSERT(config_keep(&next, &run, "add_header") == 1);
		T_ASSERT(!next.add_header);
		T_ASSERT(config_keep(&next, &run, "imap_folders") == 1);
		T_ASSERT(next.imap_folders.n == 1);
		T_STREQ(next.imap_folders.v[0], "INBOX");
		T_ASSERT(config_keep(&next, &run, "priority") == 0);
		T_ASSERT(config_keep(&next, &run, "soar_api") == 0);
		T_ASSERT(config_keep(&next, &run, "no_such_key") == -1);
		T_ASSERT(config_validate(&next, &err) == 0);
		config_free(&run);
		config_free(&next);
	}
	T_END();

	unlink(tmpl);
	return t_done();
}
