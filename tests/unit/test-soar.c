/*
 * test-soar - soar_post against tests/lib/soar_receiver.py: both
 * routes, auth, secret re-read, 400/401/429/503/drop, bounds, secrets
 * never logged, refused secret files.
 */
#include "autoconfig.h"

#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "config.h"
#include "log.h"
#include "sender.h"
#include "soar.h"
#include "spool.h"
#include "t.h"

#define KEY	"sdk-key-Ab3xZ9-secret"
#define TOKEN1	"ya29.token-one-7f3a"
#define TOKEN2	"ya29.token-two-91c2"
#define TOKEN3	"ya29.token-six-0b1e"	/* same length as TOKEN1 */

static char	tdir[256];

struct receiver {
	pid_t	pid;
	int	port;
	char	*rec;
	char	 base[64];
};

static const char *CASE =
    "{\"name\":\"Suspicious email\",\"ticket_id\":\"%s\",\"display_id\":"
    "\"%s\",\"rule_generator\":\"r\",\"device_vendor\":\"v\","
    "\"device_product\":\"Mail\",\"environment\":\"Default Environment\","
    "\"start_time\":1717171717000,\"end_time\":1717171717000,"
    "\"priority\":60,\"events\":[{\"Subject\":\"hi\",\"n\":1}]}";

static char *
case_json(const char *id)
{
	return xasprintf(CASE, id, id);
}

static void
write_file(const char *path, const char *data, mode_t mode)
{
	int	fd;

	unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
	if (fd == -1 || write(fd, data, strlen(data)) != (ssize_t)strlen(data))
		perror(path);
	fchmod(fd, mode);
	close(fd);
}

/* receiver_start - run soar_receiver.py with extra args; wait for port */
static int
receiver_start(struct receiver *r, const char *name, const char *const *xa)
{
	const char	*py = getenv("PYTHON3"), *src = getenv("top_srcdir");
	char		*script, *pf, *argv[40];
	int		 i, n = 0;
	FILE		*f;

	if (py == NULL || *py == '\0')
		py = "python3";
	if (src == NULL)
		src = ".";
	script = xasprintf("%s/tests/lib/soar_receiver.py", src);
	pf = xasprintf("%s/%s.port", tdir, name);
	r->rec = xasprintf("%s/%s.rec", tdir, name);
	argv[n++] = (char *)py;
	argv[n++] = script;
	argv[n++] = "--port-file";
	argv[n++] = pf;
	argv[n++] = "--record";
	argv[n++] = r->rec;
	argv[n++] = "--max-seconds";
	argv[n++] = "120";
	for (i = 0; xa[i] != NULL; i++)
		argv[n++] = (char *)xa[i];
	argv[n] = NULL;
	if ((r->pid = fork()) == 0) {
		execvp(py, argv);
		_exit(127);
	}
	r->port = 0;
	for (i = 0; i < 200 && r->port == 0; i++) {
		if ((f = fopen(pf, "r")) != NULL) {
			if (fscanf(f, "%d", &r->port) != 1)
				r->port = 0;
			fclose(f);
		}
		if (r->port == 0)
			usleep(50000);
	}
	snprintf(r->base, sizeof(r->base), "http://127.0.0.1:%d", r->port);
	free(script);
	free(pf);
	if (r->port == 0) {
		fprintf(stderr, "soar_receiver.py did not start\n");
		return -1;
	}
	return 0;
}

static void
receiver_stop(struct receiver *r)
{
	if (r->pid > 0) {
		kill(r->pid, SIGTERM);
		waitpid(r->pid, NULL, 0);
	}
	r->pid = 0;
	free(r->rec);
	r->rec = NULL;
}

static size_t
sink(char *p, size_t s, size_t n, void *arg)
{
	sb_append(arg, p, s * n);
	return s * n;
}

/* http - a plain request to the receiver's test routes */
static char *
http(struct receiver *r, const char *path, const char *post)
{
	struct strbuf	 sb = { 0 };
	char		*url = xasprintf("%s%s", r->base, path);
	CURL		*c = curl_easy_init();

	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_PROXY, "");
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, sink);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &sb);
	if (post != NULL)
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, post);
	curl_easy_perform(c);
	curl_easy_cleanup(c);
	free(url);
	return sb_steal(&sb);
}

static void
control(struct receiver *r, const char *json)
{
	free(http(r, "/_control", json));
}

static bool
recorded(struct receiver *r, const char *id, const char *expect)
{
	char	*p = xasprintf("%s/%s.json", r->rec, id), *buf = NULL;
	size_t	 len;
	struct errbuf err;
	bool	 ok;

	ok = file_read_all(p, 0, &buf, &len, &err) == 0 &&
	    (expect == NULL || strcmp(buf, expect) == 0);
	free(buf);
	free(p);
	return ok;
}

static void
cfg_init(struct config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->tls_verify = true;
	cfg->connect_timeout = 5;
	cfg->request_timeout = 10;
	cfg->max_response_bytes = 65536;
}

static void
test_classify(void)
{
	static const long delivered[] = { 200, 201, 202, 204 };
	static const long retry[] = { 0, 100, 301, 302, 401, 403, 408, 429,
	    500, 502, 503, 504 };
	static const long refused[] = { 400, 404, 405, 409, 410, 413, 415,
	    422 };
	size_t	i;

	T_BEGIN("classify statuses");
	for (i = 0; i < ARRAY_LEN(delivered); i++)
		T_ASSERT(soar_classify(delivered[i]) == SOAR_DELIVERED);
	for (i = 0; i < ARRAY_LEN(retry); i++)
		T_ASSERT(soar_classify(retry[i]) == SOAR_RETRY);
	for (i = 0; i < ARRAY_LEN(refused); i++)
		T_ASSERT(soar_classify(refused[i]) == SOAR_REFUSED);
	T_END();
}

static void
test_retry_after(void)
{
	/* Wed, 21 Oct 2015 07:28:00 GMT = 1445412480 */
	const time_t	t0 = 1445412480;

	T_BEGIN("parse Retry-After");
	T_ASSERT(soar_parse_retry_after("120", t0) == 120);
	T_ASSERT(soar_parse_retry_after(" 5\r\n", t0) == 5);
	T_ASSERT(soar_parse_retry_after("0", t0) == 0);
	T_ASSERT(soar_parse_retry_after("99999999999999999999", t0) == 86400);
	T_ASSERT(soar_parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT",
	    t0 - 60) == 60);
	T_ASSERT(soar_parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT",
	    t0 + 60) == 0);
	T_ASSERT(soar_parse_retry_after("-5", t0) == -1);
	T_ASSERT(soar_parse_retry_after("12abc", t0) == -1);
	T_ASSERT(soar_parse_retry_after("soon", t0) == -1);
	T_ASSERT(soar_parse_retry_after("", t0) == -1);
	T_ASSERT(soar_parse_retry_after(NULL, t0) == -1);
	T_END();
}

static void
test_refuse_config(void)
{
	struct config	 cfg;
	struct errbuf	 err;
	char		*kf = xasprintf("%s/key-bad", tdir);
	char		*dir = xasprintf("%s/keydir", tdir);
	char		*cf = xasprintf("%s/client.crt", tdir);
	char		*ck = xasprintf("%s/client.key", tdir);
	struct soar	*so;

	T_BEGIN("soar_new refuses unsafe or unusable settings");
	cfg_init(&cfg);
	cfg.soar_api = SOAR_API_NONE;
	T_ASSERT(soar_new(&cfg, &err) == NULL);
	cfg.soar_api = SOAR_API_SDK;
	cfg.soar_url = "ftp://example.com";
	cfg.soar_key_file = kf;
	write_file(kf, KEY "\n", 0600);
	T_ASSERT(soar_new(&cfg, &err) == NULL);
	T_ASSERT(strstr(err.msg, "soar_url") != NULL);
	cfg.soar_url = "https://soar.example";
	write_file(kf, KEY "\n", 0644);
	T_ASSERT(soar_new(&cfg, &err) == NULL);
	T_ASSERT(strstr(err.msg, "0644") != NULL &&
	    strstr(err.msg, "chmod 600") != NULL);
	T_ASSERT(strstr(err.msg, KEY) == NULL);
	write_file(kf, KEY "\n", 0640);
	T_ASSERT(soar_new(&cfg, &err) == NULL);
	write_file(kf, "\n\n", 0600);
	T_ASSERT(soar_new(&cfg, &err) == NULL);
	T_ASSERT(strstr(err.msg, "empty") != NULL);
	mkdir(dir, 0700);
	cfg.soar_key_file = dir;
	T_ASSERT(soar_new(&cfg, &err) == NULL);
	T_ASSERT(strstr(err.msg, "not a regular file") != NULL);
	cfg.soar_key_file = "/nonexistent/key";
	T_ASSERT(soar_new(&cfg, &err) == NULL);
	T_ASSERT(strstr(err.msg, "/nonexistent/key") != NULL);
	cfg.soar_key_file = NULL;
	T_ASSERT(soar_new(&cfg, &err) == NULL);
	T_ASSERT(strstr(err.msg, "soar_key_file") != NULL);
	cfg.soar_api = SOAR_API_CHRONICLE;
	cfg.soar_token_file = kf;
	write_file(kf, TOKEN1 "\n", 0600);
	T_ASSERT(soar_new(&cfg, &err) == NULL);		/* no project */
	T_ASSERT(strstr(err.msg, "chronicle_project") != NULL);
	cfg.chronicle_project = "p";
	cfg.chronicle_location = "../x";
	cfg.chronicle_instance = "i";
	T_ASSERT(soar_new(&cfg, &err) == NULL);
	cfg.chronicle_location = "us";
	cfg.tls_ca_file = "/nonexistent/ca.pem";
	T_ASSERT(soar_new(&cfg, &err) == NULL);
	T_ASSERT(strstr(err.msg, "tls_ca_file") != NULL);
	cfg.tls_ca_file = NULL;
	/* the client private key: no other access, no group write */
	write_file(cf, "certificate\n", 0644);
	cfg.tls_cert_file = cf;
	cfg.tls_key_file = ck;
	write_file(ck, "private key\n", 0644);
	T_ASSERT(soar_new(&cfg, &err) == NULL);
	T_ASSERT(strstr(err.msg, "tls_key_file") != NULL &&
	    strstr(err.msg, ck) != NULL && strstr(err.msg, "0644") != NULL &&
	    strstr(err.msg, "chmod 600") != NULL);
	write_file(ck, "private key\n", 0660);
	T_ASSERT(soar_new(&cfg, &err) == NULL);
	T_ASSERT(strstr(err.msg, "tls_key_file") != NULL &&
	    strstr(err.msg, "0660") != NULL);
	write_file(ck, "private key\n", 0604);
	T_ASSERT(soar_new(&cfg, &err) == NULL);
	/* 0640 root:ssl-cert, Debian's layout for services' keys */
	write_file(ck, "private key\n", 0640);
	so = soar_new(&cfg, &err);
	T_ASSERT(so != NULL);
	soar_free(&so);
	write_file(ck, "private key\n", 0600);
	so = soar_new(&cfg, &err);
	T_ASSERT(so != NULL);
	soar_free(&so);
	write_file(ck, "private key\n", 0400);
	so = soar_new(&cfg, &err);
	T_ASSERT(so != NULL);
	soar_free(&so);
	cfg.tls_key_file = dir;
	T_ASSERT(soar_new(&cfg, &err) == NULL);
	T_ASSERT(strstr(err.msg, "tls_key_file") != NULL &&
	    strstr(err.msg, "not a regular file") != NULL);
	cfg.tls_key_file = "/nonexistent/client.key";
	T_ASSERT(soar_new(&cfg, &err) == NULL);
	T_ASSERT(strstr(err.msg, "tls_key_file /nonexistent/client.key") !=
	    NULL);
	free(kf);
	free(dir);
	free(cf);
	free(ck);
	T_END();
}

static void
test_sdk(void)
{
	static const char *const xa[] = { "--app-key", KEY, NULL };
	struct receiver	 r;
	struct config	 cfg;
	struct errbuf	 err;
	struct soar	*so;
	struct soar_reply rep;
	char		*kf = xasprintf("%s/key-sdk", tdir), *b, *url, *s;
	enum soar_result res;

	T_BEGIN("sdk route: AppKey, 400/401/429/503/drop, reuse, bounds");
	if (receiver_start(&r, "sdk", xa) == -1) {
		T_ASSERT(!"receiver");
		T_END();
		return;
	}
	cfg_init(&cfg);
	cfg.soar_api = SOAR_API_SDK;
	url = xasprintf("%s/", r.base);
	cfg.soar_url = url;
	cfg.soar_key_file = kf;
	write_file(kf, " " KEY " \nsecond line ignored\n", 0600);
	so = soar_new(&cfg, &err);
	T_ASSERT(so != NULL);
	if (so == NULL) {
		fprintf(stderr, "soar_new: %s\n", err.msg);
		receiver_stop(&r);
		T_END();
		return;
	}
	s = xasprintf("%s/api/external/v1/sdk/CreateCase?format=snake",
	    r.base);
	T_STREQ(soar_endpoint(so), s);
	free(s);

	b = case_json("sdk-1");
	res = soar_post(so, b, strlen(b), &rep);
	T_ASSERT(res == SOAR_DELIVERED && rep.status == 200);
	T_ASSERT(rep.connects == 1);
	soar_reply_free(&rep);
	T_ASSERT(recorded(&r, "sdk-1", b));
	free(b);

	/* Keep-alive: the next alert takes no new connection. */
	b = case_json("sdk-2");
	T_ASSERT(soar_post(so, b, strlen(b), &rep) == SOAR_DELIVERED);
	T_ASSERT(rep.connects == 0);
	soar_reply_free(&rep);
	free(b);

	/* Invalid CaseInfo: 400, refused, Google error body kept. */
	b = xstrdup("{\"name\":\"x\"}");
	res = soar_post(so, b, strlen(b), &rep);
	T_ASSERT(res == SOAR_REFUSED && rep.status == 400);
	T_ASSERT(rep.body != NULL && strstr(rep.body, "INVALID_ARGUMENT"));
	soar_reply_free(&rep);
	free(b);

	b = case_json("sdk-3");
	control(&r, "{\"fail_first\":1}");
	res = soar_post(so, b, strlen(b), &rep);
	T_ASSERT(res == SOAR_RETRY && rep.status == 503);
	soar_reply_free(&rep);
	control(&r, "{\"fail_first\":1,\"fail_status\":408}");
	res = soar_post(so, b, strlen(b), &rep);
	T_ASSERT(res == SOAR_RETRY && rep.status == 408);
	soar_reply_free(&rep);
	control(&r, "{\"status_429\":1,\"retry_after\":\"7\"}");
	res = soar_post(so, b, strlen(b), &rep);
	T_ASSERT(res == SOAR_RETRY && rep.status == 429 &&
	    rep.retry_after == 7);
	soar_reply_free(&rep);
	control(&r, "{\"status_429\":1,\"retry_after\":\"date:40\"}");
	res = soar_post(so, b, strlen(b), &rep);
	T_ASSERT(res == SOAR_RETRY && rep.retry_after >= 30 &&
	    rep.retry_after <= 41);
	soar_reply_free(&rep);
	/*
	 * Dropped connection: answer lost, retry.  libcurl itself sends
	 * once more on a fresh connection when a reused one dies without
	 * an answer, so it takes two drops to see the failure.
	 */
	control(&r, "{\"drop_first\":2}");
	res = soar_post(so, b, strlen(b), &rep);
	T_ASSERT(res == SOAR_RETRY && rep.status == 0);
	T_ASSERT(rep.error[0] != '\0');
	soar_reply_free(&rep);
	res = soar_post(so, b, strlen(b), &rep);
	T_ASSERT(res == SOAR_DELIVERED && rep.retry_after == -1);
	soar_reply_free(&rep);
	T_ASSERT(recorded(&r, "sdk-3", b));

	/* Wrong key: 401 is a retry (credentials), not a dead letter. */
	write_file(kf, "wrong-key\n", 0600);
	res = soar_post(so, b, strlen(b), &rep);
	T_ASSERT(res == SOAR_RETRY && rep.status == 401);
	T_ASSERT(rep.body != NULL && strstr(rep.body, "UNAUTHENTICATED"));
	soar_reply_free(&rep);
	/* Fixed key file: picked up without a restart. */
	write_file(kf, KEY "\n", 0600);
	res = soar_post(so, b, strlen(b), &rep);
	T_ASSERT(res == SOAR_DELIVERED);
	soar_reply_free(&rep);
	/* A key file made world-readable later: keep the old key. */
	chmod(kf, 0644);
	write_file(kf, "other\n", 0644);
	res = soar_post(so, b, strlen(b), &rep);
	T_ASSERT(res == SOAR_DELIVERED);
	soar_reply_free(&rep);
	free(b);
	soar_free(&so);
	T_ASSERT(so == NULL);

	/* Response body bounded by max_response_bytes. */
	write_file(kf, KEY "\n", 0600);
	cfg.max_response_bytes = 10;
	so = soar_new(&cfg, &err);
	b = xstrdup("{}");
	res = soar_post(so, b, strlen(b), &rep);
	T_ASSERT(res == SOAR_REFUSED && rep.body != NULL &&
	    strlen(rep.body) == 10);
	soar_reply_free(&rep);
	free(b);
	soar_free(&so);

	/* Server gone: a transport error, retry. */
	receiver_stop(&r);
	so = soar_new(&cfg, &err);
	b = case_json("sdk-4");
	res = soar_post(so, b, strlen(b), &rep);
	T_ASSERT(res == SOAR_RETRY && rep.status == 0 && rep.error[0]);
	soar_reply_free(&rep);
	free(b);
	soar_free(&so);
	free(url);
	free(kf);
	T_END();
}

static int
count_in_log(struct receiver *r, const char *needle)
{
	char	*p = xasprintf("%s/_log.jsonl", r->rec), *buf = NULL, *s;
	size_t	 len;
	struct errbuf err;
	int	 n = 0;

	if (file_read_all(p, 0, &buf, &len, &err) == 0)
		for (s = buf; (s = strstr(s, needle)) != NULL; s++)
			n++;
	free(buf);
	free(p);
	return n;
}

static void
test_chronicle(void)
{
	struct receiver	 r;
	struct config	 cfg;
	struct errbuf	 err;
	struct soar	*so;
	struct soar_reply rep;
	struct stat	 st;
	struct timespec	 ts[2];
	char		*tf = xasprintf("%s/token", tdir);
	char		*bf = xasprintf("%s/bearer", tdir), *b, *s, *tmp;
	const char	*xa[] = { "--bearer-file", bf, "--project", "proj-1",
	    "--location", "us", "--instance", "inst_9", NULL };

	T_BEGIN("chronicle route: Bearer, token rotation, 401 re-read");
	write_file(bf, TOKEN1 "\n", 0600);
	write_file(tf, TOKEN1 "\n", 0600);
	if (receiver_start(&r, "chron", xa) == -1) {
		T_ASSERT(!"receiver");
		T_END();
		return;
	}
	cfg_init(&cfg);
	cfg.soar_api = SOAR_API_CHRONICLE;
	cfg.soar_url = r.base;
	cfg.soar_token_file = tf;
	cfg.chronicle_project = "proj-1";
	cfg.chronicle_location = "us";
	cfg.chronicle_instance = "inst_9";
	so = soar_new(&cfg, &err);
	T_ASSERT(so != NULL);
	if (so == NULL) {
		receiver_stop(&r);
		T_END();
		return;
	}
	s = xasprintf("%s/v1alpha/projects/proj-1/locations/us/instances/"
	    "inst_9/legacySdk:legacyCreateCase?format=snake", r.base);
	T_STREQ(soar_endpoint(so), s);
	free(s);
	b = case_json("ch-1");
	T_ASSERT(soar_post(so, b, strlen(b), &rep) == SOAR_DELIVERED);
	soar_reply_free(&rep);
	T_ASSERT(recorded(&r, "ch-1", b));
	free(b);

	/* Rotation as token refreshers do it: new file, rename over. */
	write_file(bf, TOKEN2 "\n", 0600);
	tmp = xasprintf("%s.new", tf);
	write_file(tmp, TOKEN2 "\n", 0600);
	rename(tmp, tf);
	free(tmp);
	b = case_json("ch-2");
	T_ASSERT(soar_post(so, b, strlen(b), &rep) == SOAR_DELIVERED);
	soar_reply_free(&rep);
	free(b);
	T_ASSERT(count_in_log(&r, "\"status\": 401") == 0);
	T_ASSERT(count_in_log(&r, "Bearer " TOKEN2) == 1);

	/* Rewritten in place, same size, same mtime: the stat check cannot
	 * see it; the 401 makes soar re-read the file and send once more. */
	stat(tf, &st);
	write_file(bf, TOKEN3 "\n", 0600);
	{
		int fd = open(tf, O_WRONLY);

		T_ASSERT(pwrite(fd, TOKEN3 "\n", strlen(TOKEN3) + 1, 0) ==
		    (ssize_t)strlen(TOKEN3) + 1);
		ts[0] = st.st_atim;
		ts[1] = st.st_mtim;
		futimens(fd, ts);
		close(fd);
	}
	b = case_json("ch-3");
	T_ASSERT(soar_post(so, b, strlen(b), &rep) == SOAR_DELIVERED);
	T_ASSERT(rep.status == 200);
	soar_reply_free(&rep);
	free(b);
	T_ASSERT(count_in_log(&r, "\"status\": 401") == 1);
	T_ASSERT(recorded(&r, "ch-3", NULL));

	/* Server wants another token: 401 twice is a retry. */
	write_file(bf, "ya29.not-ours\n", 0600);
	b = case_json("ch-4");
	T_ASSERT(soar_post(so, b, strlen(b), &rep) == SOAR_RETRY);
	T_ASSERT(rep.status == 401);
	soar_reply_free(&rep);
	free(b);
	soar_free(&so);

	/* Wrong project: the receiver has no such route, 404, refused. */
	cfg.chronicle_project = "proj-2";
	so = soar_new(&cfg, &err);
	b = case_json("ch-5");
	T_ASSERT(soar_post(so, b, strlen(b), &rep) == SOAR_REFUSED);
	T_ASSERT(rep.status == 404);
	soar_reply_free(&rep);
	free(b);
	soar_free(&so);
	receiver_stop(&r);
	free(tf);
	free(bf);
	T_END();
}


/* --- sender: spool -> receiver ------------------------------------ */

static bool
file_is(const char *path, const char *expect)
{
	char	*buf = NULL;
	size_t	 len;
	struct errbuf err;
	bool	 ok;

	ok = file_read_all(path, 0, &buf, &len, &err) == 0 &&
	    (expect == NULL || strcmp(buf, expect) == 0);
	free(buf);
	return ok;
}

static int
received_count(struct receiver *r, const char *id)
{
	char	*buf = http(r, "/_received", NULL), *s, *q;
	int	 n = 0;

	q = xasprintf("\"%s\"", id);
	for (s = buf; (s = strstr(s, q)) != NULL; s++)
		n++;
	free(q);
	free(buf);
	return n;
}

static void
put_case(struct spool *sp, const char *id)
{
	struct errbuf	err;
	char		*b = case_json(id);

	if (spool_put(sp, id, b, strlen(b), &err) != SPOOL_OK)
		fprintf(stderr, "spool_put %s: %s\n", id, err.msg);
	free(b);
}

static void
sender_cfg(struct config *cfg, const char *state, struct receiver *r,
    const char *kf)
{
	cfg_init(cfg);
	cfg->state_dir = (char *)state;
	cfg->spool_max_files = 10000;
	cfg->spool_max_bytes = 1 << 30;
	cfg->sent_retention = 86400;
	cfg->sent_max_entries = 100000;
	cfg->soar_api = SOAR_API_SDK;
	cfg->soar_url = r != NULL ? r->base : NULL;
	cfg->soar_key_file = (char *)kf;
	cfg->retry_initial = 1;
	cfg->retry_max = 2;
}

static void
test_sender(void)
{
	static const char *const xa[] = { "--app-key", KEY, NULL };
	struct receiver	 r;
	struct config	 cfg;
	struct errbuf	 err;
	struct spool	*sp;
	struct sender	*snd;
	struct sender_stats sst;
	char		*kf = xasprintf("%s/key-snd", tdir);
	char		*state = xasprintf("%s/state-snd", tdir), *why, *p;
	int		 i, fd;

	T_BEGIN("sender: deliver, dead-letter, retry, skip sent, claims");
	write_file(kf, KEY "\n", 0600);
	if (receiver_start(&r, "snd", xa) == -1) {
		T_ASSERT(!"receiver");
		T_END();
		return;
	}
	sender_cfg(&cfg, state, &r, kf);
	sp = spool_open(&cfg, &err);
	T_ASSERT(sp != NULL);
	put_case(sp, "s-1");
	put_case(sp, "s-2");
	T_ASSERT(spool_put(sp, "s-bad", "{\"name\":\"x\"}", 12, &err) ==
	    SPOOL_OK);
	put_case(sp, "s-3");
	T_ASSERT(sender_run_once(&cfg, sp, 0, &err) == 0);
	T_ASSERT(received_count(&r, "s-1") == 1 &&
	    received_count(&r, "s-3") == 1);
	T_ASSERT(spool_was_sent(sp, "s-1") && spool_was_sent(sp, "s-3"));
	T_ASSERT(!spool_was_sent(sp, "s-bad"));
	why = spool_dead_reason(sp, "s-bad");
	T_ASSERT(why != NULL && strstr(why, "status: 400") &&
	    strstr(why, "INVALID_ARGUMENT"));
	free(why);

	/* 503 twice: one pass stops at the first failure... */
	put_case(sp, "s-4");
	put_case(sp, "s-5");
	control(&r, "{\"fail_first\":2}");
	T_ASSERT(sender_run_once(&cfg, sp, 0, &err) == 2);
	T_ASSERT(received_count(&r, "s-4") == 0);
	/* ...and with a deadline the backoff gets them through. */
	T_ASSERT(sender_run_once(&cfg, sp, 60, &err) == 0);
	T_ASSERT(received_count(&r, "s-4") == 1 &&
	    received_count(&r, "s-5") == 1);

	/* Dropped answers, then 429 with Retry-After: still once each. */
	put_case(sp, "s-6");
	control(&r, "{\"drop_first\":2,\"status_429\":1,"
	    "\"retry_after\":\"1\"}");
	T_ASSERT(sender_run_once(&cfg, sp, 60, &err) == 0);
	T_ASSERT(received_count(&r, "s-6") == 1);

	/* Delivered meanwhile by another sender: dropped, not posted. */
	put_case(sp, "s-7");
	p = xasprintf("%s/sent/s-7", state);
	write_file(p, "", 0600);
	free(p);
	T_ASSERT(sender_run_once(&cfg, sp, 0, &err) == 0);
	T_ASSERT(received_count(&r, "s-7") == 0);
	T_ASSERT(!spool_is_pending(sp, "s-7"));

	/* Claimed by another sender: left alone. */
	put_case(sp, "s-8");
	put_case(sp, "s-9");
	T_ASSERT(spool_claim(sp, "s-8", &fd, &err) == 1);
	T_ASSERT(sender_run_once(&cfg, sp, 0, &err) == 1);
	T_ASSERT(received_count(&r, "s-8") == 0 &&
	    received_count(&r, "s-9") == 1);
	spool_release(fd);
	T_ASSERT(sender_run_once(&cfg, sp, 0, &err) == 0);
	T_ASSERT(received_count(&r, "s-8") == 1);

	/* Wrong key: 401 retries, nothing becomes a dead letter. */
	write_file(kf, "wrong\n", 0600);
	put_case(sp, "s-10");
	T_ASSERT(sender_run_once(&cfg, sp, 0, &err) == 1);
	T_ASSERT(spool_is_pending(sp, "s-10"));
	write_file(kf, KEY "\n", 0600);
	T_ASSERT(sender_run_once(&cfg, sp, 0, &err) == 0);
	T_ASSERT(received_count(&r, "s-10") == 1);

	/* The thread: kicked, it delivers; stopped during a long backoff,
	 * it stops at once and keeps the alert. */
	snd = sender_start(&cfg, sp, &err);
	T_ASSERT(snd != NULL);
	put_case(sp, "t-1");
	sender_kick(snd);
	for (i = 0; i < 300 && received_count(&r, "t-1") == 0; i++)
		usleep(100000);
	T_ASSERT(received_count(&r, "t-1") == 1);
	/* Spooled by another process, no kick: picked up by the poll. */
	put_case(sp, "t-2");
	for (i = 0; i < 300 && received_count(&r, "t-2") == 0; i++)
		usleep(100000);
	T_ASSERT(received_count(&r, "t-2") == 1);
	/* the receiver has it before the sender has counted it */
	for (i = 0; i < 300; i++) {
		sender_get_stats(snd, &sst);
		if (sst.delivered >= 2)
			break;
		usleep(100000);
	}
	T_ASSERT(sst.delivered == 2 && sst.dead == 0);
	sender_stop(&snd);
	T_ASSERT(snd == NULL);

	cfg.retry_initial = 3600;
	cfg.retry_max = 3600;
	control(&r, "{\"down\":true}");
	snd = sender_start(&cfg, sp, &err);
	put_case(sp, "t-3");
	put_case(sp, "t-4");
	sender_kick(snd);
	for (i = 0; i < 300; i++) {
		sender_get_stats(snd, &sst);
		if (sst.retried >= 2)
			break;
		usleep(100000);
	}
	T_ASSERT(sst.retried == 2);	/* then the gate closed */
	sender_stop(&snd);
	T_ASSERT(spool_is_pending(sp, "t-3") && spool_is_pending(sp, "t-4"));
	control(&r, "{\"down\":false}");

	spool_close(&sp);
	receiver_stop(&r);
	free(kf);
	free(state);
	T_END();
}

static void
test_outbox(void)
{
	struct config	 cfg;
	struct errbuf	 err;
	struct spool	*sp;
	char		*state = xasprintf("%s/state-outbox", tdir), *p, *b;

	T_BEGIN("soar_api = none: durable copy to the outbox, then ack");
	sender_cfg(&cfg, state, NULL, NULL);
	cfg.soar_api = SOAR_API_NONE;
	sp = spool_open(&cfg, &err);
	put_case(sp, "o-1");
	put_case(sp, "o-2");
	T_ASSERT(sender_run_once(&cfg, sp, 0, &err) == 0);
	b = case_json("o-1");
	p = xasprintf("%s/outbox/o-1.json", state);
	T_ASSERT(file_is(p, b));
	free(p);
	free(b);
	T_ASSERT(spool_was_sent(sp, "o-2"));
	spool_close(&sp);
	p = xasprintf("%s/elsewhere/out", tdir);
	cfg.outbox_dir = p;
	sp = spool_open(&cfg, &err);
	put_case(sp, "o-3");
	T_ASSERT(sender_run_once(&cfg, sp, 0, &err) == 0);
	free(p);
	p = xasprintf("%s/elsewhere/out/o-3.json", tdir);
	T_ASSERT(file_is(p, NULL));
	free(p);
	spool_close(&sp);
	free(state);
	T_END();
}

/* test_url_userinfo - a password in soar_url stays out of the log */
static void
test_url_userinfo(void)
{
	struct config	 cfg;
	struct errbuf	 err;
	struct spool	*sp;
	struct sender	*snd;
	struct soar	*so;
	char		*kf = xasprintf("%s/key-url", tdir);
	char		*state = xasprintf("%s/state-url", tdir);

	T_BEGIN("soar_url user:password@ is hidden in soar_endpoint and logs");
	write_file(kf, KEY "\n", 0600);
	sender_cfg(&cfg, state, NULL, kf);
	cfg.soar_url = "http://svc:url-pw-7q@127.0.0.1:1/";
	so = soar_new(&cfg, &err);
	T_ASSERT(so != NULL);
	if (so != NULL)
		T_STREQ(soar_endpoint(so), "http://***@127.0.0.1:1"
		    "/api/external/v1/sdk/CreateCase?format=snake");
	soar_free(&so);
	/* the sender thread names its endpoint when it starts */
	sp = spool_open(&cfg, &err);
	T_ASSERT(sp != NULL);
	if (sp != NULL) {
		snd = sender_start(&cfg, sp, &err);
		T_ASSERT(snd != NULL);
		sender_stop(&snd);
		spool_close(&sp);
	}
	free(kf);
	free(state);
	T_END();
}

int
main(void)
{
	char	*cmd, *logf, *buf = NULL;
	size_t	 len;
	struct errbuf err;
	int	 rc;

	snprintf(tdir, sizeof(tdir), "/tmp/test-soar.XXXXXX");
	if (mkdtemp(tdir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	/* Everything soar logs, at debug level, goes to a file we check. */
	logf = xasprintf("%s/log", tdir);
	fflush(stderr);
	if (freopen(logf, "w", stderr) == NULL)
		return 1;
	log_open("test-soar", false, 0, LOG_LVL_DEBUG);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	test_classify();
	test_retry_after();
	test_refuse_config();
	test_sdk();
	test_chronicle();
	test_sender();
	test_outbox();
	test_url_userinfo();

	fflush(stderr);
	T_BEGIN("no secret in any log line");
	T_ASSERT(file_read_all(logf, 0, &buf, &len, &err) == 0);
	T_ASSERT(buf != NULL && strstr(buf, "changed, using the new secret"));
	T_ASSERT(buf != NULL && strstr(buf, KEY) == NULL &&
	    strstr(buf, "ya29") == NULL && strstr(buf, "wrong-key") == NULL);
	T_ASSERT(buf != NULL && strstr(buf, "url-pw-7q") == NULL &&
	    strstr(buf, "delivering to http://***@127.0.0.1:1/api/") != NULL);
	T_END();
	/* Show the log for the test-suite.log, then the summary. */
	if (buf != NULL)
		printf("--- log ---\n%s--- end of log ---\n", buf);
	free(buf);
	rc = t_done();
	cmd = xasprintf("rm -rf '%s'", tdir);
	if (rc == 0 && system(cmd) != 0)
		printf("cleanup of %s failed\n", tdir);
	free(cmd);
	free(logf);
	curl_global_cleanup();
	return rc;
}
