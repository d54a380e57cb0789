/*
 * soar - POST one alert to the SOAR API with libcurl.  See soar.h.
 *
 * One easy handle per struct soar, reused for every alert so that
 * libcurl keeps the connection alive.  The request headers (one of them
 * carries the secret) are rebuilt only when the secret changes and are
 * wiped before they are freed.  Nothing here logs a header, a secret or
 * the proxy URL (it may carry proxy credentials); soar_endpoint() hides
 * the user:password@ a soar_url may carry.
 */
#include "autoconfig.h"

#include <sys/stat.h>
#include <sys/types.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "config.h"
#include "log.h"
#include "soar.h"

#define SECRET_FILE_MAX		16384	/* bytes read from a secret file */
#define RETRY_AFTER_MAX		86400L	/* clamp absurd Retry-After values */
#define DEFAULT_TIMEOUT		30L

struct secret {
	const char	*key;		/* config key name, for messages */
	char		*path;
	char		*value;
	dev_t		 dev;
	ino_t		 ino;
	off_t		 size;
	struct timespec	 mtime;
	bool		 warned;	/* a failed re-read was logged */
};

struct soar {
	enum soar_api	 api;
	char		*url;
	char		*url_log;	/* url without user:password@ */
	CURL		*curl;
	struct curl_slist *headers;
	struct secret	 sec;
	size_t		 max_response;
	char		 curl_err[CURL_ERROR_SIZE];

	/* per request */
	struct strbuf	 resp;
	bool		 resp_truncated;
	long		 retry_after;
};

static pthread_once_t	curl_once = PTHREAD_ONCE_INIT;
static CURLcode		curl_init_rc;

/* curl_init - curl_global_init once per process */
static void
curl_init(void)
{
	curl_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

/* soar_classify - HTTP status -> delivered / retry / refused */
enum soar_result
soar_classify(long status)
{
	if (status >= 200 && status <= 299)
		return SOAR_DELIVERED;
	if (status == 401 || status == 403 || status == 408 || status == 429)
		return SOAR_RETRY;
	if (status >= 400 && status <= 499)
		return SOAR_REFUSED;
	return SOAR_RETRY;	/* 0 (no answer), 1xx, 3xx, 5xx */
}

/* soar_parse_retry_after - delay-seconds or HTTP-date (RFC 9110 10.2.3) */
long
soar_parse_retry_after(const char *v, time_t now)
{
	char	buf[128], *s, *e;
	long	n;
	time_t	t;

	if (v == NULL)
		return -1;
	snprintf(buf, sizeof(buf), "%s", v);
	s = str_trim(buf);
	if (*s == '\0')
		return -1;
	if (isdigit((unsigned char)*s)) {
		errno = 0;
		n = strtol(s, &e, 10);
		if (*e != '\0')
			return -1;
		if (errno == ERANGE || n > RETRY_AFTER_MAX)
			return RETRY_AFTER_MAX;
		return n;
	}
	if ((t = curl_getdate(s, NULL)) == -1)
		return -1;
	if (t <= now)
		return 0;
	return t - now > RETRY_AFTER_MAX ? RETRY_AFTER_MAX : (long)(t - now);
}

/* wipe_free - zero a secret string, then free it */
static void
wipe_free(char *s)
{
	if (s == NULL)
		return;
	explicit_bzero(s, strlen(s));
	free(s);
}

/* free_headers - wipe the header list (it holds the secret) and free */
static void
free_headers(struct soar *so)
{
	struct curl_slist	*l;

	for (l = so->headers; l != NULL; l = l->next)
		explicit_bzero(l->data, strlen(l->data));
	curl_slist_free_all(so->headers);
	so->headers = NULL;
}

/*
 * secret_load - (re)read a secret file.  force: read even if the file
 * looks unchanged.  Returns 1 if the value changed, 0 if not, -1 on
 * error (the old value, if any, is kept).
 */
static int
secret_load(struct secret *sec, bool force, struct errbuf *err)
{
	struct stat	 st;
	char		 buf[SECRET_FILE_MAX + 1], *line, *nl, *p;
	ssize_t		 n;
	size_t		 got = 0;
	int		 fd, changed;

	if (!force && sec->value != NULL) {
		if (stat(sec->path, &st) == 0 && st.st_dev == sec->dev &&
		    st.st_ino == sec->ino && st.st_size == sec->size &&
		    st.st_mtim.tv_sec == sec->mtime.tv_sec &&
		    st.st_mtim.tv_nsec == sec->mtime.tv_nsec)
			return 0;
	}
	if ((fd = open(sec->path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) == -1) {
		errbuf_set(err, "%s %s: %s", sec->key, sec->path,
		    strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == -1) {
		errbuf_set(err, "%s %s: %s", sec->key, sec->path,
		    strerror(errno));
		close(fd);
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		errbuf_set(err, "%s %s: not a regular file", sec->key,
		    sec->path);
		close(fd);
		return -1;
	}
	if ((st.st_mode & 077) != 0) {
		errbuf_set(err, "%s %s: mode %04o gives group or other access "
		    "to a secret; make it readable by the service user only "
		    "(chown it to that user, chmod 600)", sec->key, sec->path,
		    (unsigned)(st.st_mode & 07777));
		close(fd);
		return -1;
	}
	while (got < SECRET_FILE_MAX) {
		n = read(fd, buf + got, SECRET_FILE_MAX - got);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			errbuf_set(err, "%s %s: read: %s", sec->key,
			    sec->path, strerror(errno));
			explicit_bzero(buf, sizeof(buf));
			close(fd);
			return -1;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	buf[got] = '\0';
	line = buf;
	if ((nl = strchr(line, '\n')) != NULL)
		*nl = '\0';
	else if (got == SECRET_FILE_MAX) {
		errbuf_set(err, "%s %s: first line longer than %d bytes",
		    sec->key, sec->path, SECRET_FILE_MAX);
		explicit_bzero(buf, sizeof(buf));
		return -1;
	}
	line = str_trim(line);
	for (p = line; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			break;
	if (*line == '\0' || *p != '\0') {
		errbuf_set(err, "%s %s: %s", sec->key, sec->path,
		    *line == '\0' ? "empty (the secret is the first line)" :
		    "control characters in the secret");
		explicit_bzero(buf, sizeof(buf));
		return -1;
	}
	changed = sec->value == NULL || strcmp(sec->value, line) != 0;
	if (changed) {
		wipe_free(sec->value);
		sec->value = xstrdup(line);
	}
	explicit_bzero(buf, sizeof(buf));
	sec->dev = st.st_dev;
	sec->ino = st.st_ino;
	sec->size = st.st_size;
	sec->mtime = st.st_mtim;
	sec->warned = false;
	return changed;
}

/* build_headers - the request headers for the current secret */
static void
build_headers(struct soar *so)
{
	char	*h;

	free_headers(so);
	so->headers = curl_slist_append(NULL, "Content-Type: application/json");
	so->headers = curl_slist_append(so->headers, "Accept: application/json");
	so->headers = curl_slist_append(so->headers, "Expect:");
	if (so->api == SOAR_API_SDK)
		h = xasprintf("AppKey: %s", so->sec.value);
	else
		h = xasprintf("Authorization: Bearer %s", so->sec.value);
	so->headers = curl_slist_append(so->headers, h);
	wipe_free(h);
	if (so->headers == NULL)
		util_panic(__FILE__, __LINE__, "curl_slist_append");
	curl_easy_setopt(so->curl, CURLOPT_HTTPHEADER, so->headers);
}

/* on_body - collect the response body, at most max_response bytes */
static size_t
on_body(char *p, size_t size, size_t n, void *arg)
{
	struct soar	*so = arg;
	size_t		 len = size * n, room;

	room = so->max_response > so->resp.len ?
	    so->max_response - so->resp.len : 0;
	if (len > room) {
		so->resp_truncated = true;
		sb_append(&so->resp, p, room);
	} else
		sb_append(&so->resp, p, len);
	return len;	/* keep reading: the connection stays reusable */
}

/* on_header - pick up Retry-After; a new status line resets it */
static size_t
on_header(char *p, size_t size, size_t n, void *arg)
{
	struct soar	*so = arg;
	size_t		 len = size * n;
	char		 v[128];

	if (len >= 5 && strncmp(p, "HTTP/", 5) == 0)
		so->retry_after = -1;
	else if (len > 12 && strncasecmp(p, "Retry-After:", 12) == 0) {
		size_t vl = len - 12 < sizeof(v) - 1 ? len - 12 :
		    sizeof(v) - 1;

		memcpy(v, p + 12, vl);
		v[vl] = '\0';
		so->retry_after = soar_parse_retry_after(v, time(NULL));
	}
	return len;
}

/* name_ok - chronicle path segments: [A-Za-z0-9._-]+ */
static bool
name_ok(const char *s)
{
	if (s == NULL || *s == '\0')
		return false;
	for (; *s != '\0'; s++)
		if (!isalnum((unsigned char)*s) && *s != '-' && *s != '_' &&
		    *s != '.')
			return false;
	return true;
}

/* is_loopback_url - http://127.x, localhost or [::1] */
static bool
is_loopback_url(const char *url)
{
	const char	*h = strstr(url, "://");

	if (h == NULL)
		return false;
	h += 3;
	return strncmp(h, "127.", 4) == 0 ||
	    strncasecmp(h, "localhost", 9) == 0 || strncmp(h, "[::1]", 5) == 0;
}

/* file_readable - for the TLS files: a clear error now, not at send */
static int
file_readable(const char *key, const char *path, struct errbuf *err)
{
	if (path != NULL && access(path, R_OK) == -1) {
		errbuf_set(err, "%s %s: %s", key, path, strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * private_file_ok - the client key: a regular file that others cannot
 * access and its group cannot write.  Group read is allowed: Debian
 * keeps private keys 0640 root:ssl-cert for the services in that group
 * (OpenDKIM's RequireSafeKeys draws the same line).
 */
static int
private_file_ok(const char *key, const char *path, struct errbuf *err)
{
	struct stat	st;

	if (path == NULL)
		return 0;
	if (stat(path, &st) == -1) {
		errbuf_set(err, "%s %s: %s", key, path, strerror(errno));
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		errbuf_set(err, "%s %s: not a regular file", key, path);
		return -1;
	}
	if ((st.st_mode & 027) != 0) {
		errbuf_set(err, "%s %s: mode %04o gives other access, or "
		    "group write, to a private key; make it readable by the "
		    "service user (or its group) only (chmod 600 or 640)", key,
		    path, (unsigned)(st.st_mode & 07777));
		return -1;
	}
	return 0;
}

/* soar_new - check the configuration and secrets, set up the handle */
struct soar *
soar_new(const struct config *cfg, struct errbuf *err)
{
	struct soar	*so;
	char		*base;
	size_t		 n;
	long		 t;

	if (cfg->soar_api != SOAR_API_SDK && cfg->soar_api != SOAR_API_CHRONICLE) {
		errbuf_set(err, "soar_api is none: there is no SOAR endpoint");
		return NULL;
	}
	if (cfg->soar_url == NULL || (strncasecmp(cfg->soar_url, "https://",
	    8) != 0 && strncasecmp(cfg->soar_url, "http://", 7) != 0)) {
		errbuf_set(err, "soar_url must be an https:// (or http://) "
		    "URL");
		return NULL;
	}
	if (cfg->soar_api == SOAR_API_CHRONICLE &&
	    (!name_ok(cfg->chronicle_project) ||
	    !name_ok(cfg->chronicle_location) ||
	    !name_ok(cfg->chronicle_instance))) {
		errbuf_set(err, "soar_api = chronicle needs chronicle_project, "
		    "chronicle_location and chronicle_instance (letters, "
		    "digits, '.', '_', '-')");
		return NULL;
	}
	if (file_readable("tls_ca_file", cfg->tls_ca_file, err) == -1 ||
	    file_readable("tls_ca_dir", cfg->tls_ca_dir, err) == -1 ||
	    file_readable("tls_cert_file", cfg->tls_cert_file, err) == -1 ||
	    file_readable("tls_key_file", cfg->tls_key_file, err) == -1 ||
	    private_file_ok("tls_key_file", cfg->tls_key_file, err) == -1)
		return NULL;
	if ((cfg->tls_cert_file == NULL) != (cfg->tls_key_file == NULL)) {
		errbuf_set(err, "tls_cert_file and tls_key_file go together");
		return NULL;
	}

	so = xcalloc(1, sizeof(*so));
	so->api = cfg->soar_api;
	so->retry_after = -1;
	so->max_response = cfg->max_response_bytes > 0 ?
	    (size_t)cfg->max_response_bytes : 65536;
	if (so->api == SOAR_API_SDK) {
		so->sec.key = "soar_key_file";
		so->sec.path = cfg->soar_key_file != NULL ?
		    xstrdup(cfg->soar_key_file) : NULL;
	} else {
		so->sec.key = "soar_token_file";
		so->sec.path = cfg->soar_token_file != NULL ?
		    xstrdup(cfg->soar_token_file) : NULL;
	}
	if (so->sec.path == NULL) {
		errbuf_set(err, "soar_api = %s needs %s", so->api ==
		    SOAR_API_SDK ? "sdk" : "chronicle", so->sec.key);
		goto fail;
	}
	if (secret_load(&so->sec, true, err) == -1)
		goto fail;

	base = xstrdup(cfg->soar_url);
	n = strlen(base);
	while (n > 0 && base[n - 1] == '/')
		base[--n] = '\0';
	if (so->api == SOAR_API_SDK)
		so->url = xasprintf("%s/api/external/v1/sdk/CreateCase"
		    "?format=snake", base);
	else
		so->url = xasprintf("%s/v1alpha/projects/%s/locations/%s/"
		    "instances/%s/legacySdk:legacyCreateCase?format=snake",
		    base, cfg->chronicle_project, cfg->chronicle_location,
		    cfg->chronicle_instance);
	free(base);
	so->url_log = str_redact_url(so->url);
	if (strncasecmp(so->url, "http://", 7) == 0 &&
	    !is_loopback_url(so->url))
		log_warn("-: soar: soar_url is plain http: alerts and the %s "
		    "secret cross the network unencrypted",
		    so->api == SOAR_API_SDK ? "AppKey" : "Bearer");

	pthread_once(&curl_once, curl_init);
	if (curl_init_rc != CURLE_OK) {
		errbuf_set(err, "curl_global_init: %s",
		    curl_easy_strerror(curl_init_rc));
		goto fail;
	}
	if ((so->curl = curl_easy_init()) == NULL) {
		errbuf_set(err, "curl_easy_init failed");
		goto fail;
	}
	curl_easy_setopt(so->curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(so->curl, CURLOPT_URL, so->url);
	curl_easy_setopt(so->curl, CURLOPT_POST, 1L);
	curl_easy_setopt(so->curl, CURLOPT_ERRORBUFFER, so->curl_err);
	curl_easy_setopt(so->curl, CURLOPT_USERAGENT,
	    PACKAGE_NAME "/" PACKAGE_VERSION);
#if LIBCURL_VERSION_NUM >= 0x075500
	curl_easy_setopt(so->curl, CURLOPT_PROTOCOLS_STR, "http,https");
#else
	curl_easy_setopt(so->curl, CURLOPT_PROTOCOLS,
	    (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
	curl_easy_setopt(so->curl, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(so->curl, CURLOPT_TCP_KEEPALIVE, 1L);
	t = cfg->connect_timeout > 0 ? (long)cfg->connect_timeout :
	    DEFAULT_TIMEOUT;
	curl_easy_setopt(so->curl, CURLOPT_CONNECTTIMEOUT, t);
	t = cfg->request_timeout > 0 ? (long)cfg->request_timeout :
	    DEFAULT_TIMEOUT;
	curl_easy_setopt(so->curl, CURLOPT_TIMEOUT, t);
	/* Only the configured proxy: ignore *_proxy in the environment. */
	curl_easy_setopt(so->curl, CURLOPT_PROXY,
	    cfg->http_proxy != NULL ? cfg->http_proxy : "");
	curl_easy_setopt(so->curl, CURLOPT_SSLVERSION,
	    (long)CURL_SSLVERSION_TLSv1_2);
	if (cfg->tls_verify) {
		curl_easy_setopt(so->curl, CURLOPT_SSL_VERIFYPEER, 1L);
		curl_easy_setopt(so->curl, CURLOPT_SSL_VERIFYHOST, 2L);
	} else {
		log_warn("-: soar: tls_verify = no: the SOAR server certificate "
		    "is not checked");
		curl_easy_setopt(so->curl, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(so->curl, CURLOPT_SSL_VERIFYHOST, 0L);
	}
	if (cfg->tls_ca_file != NULL)
		curl_easy_setopt(so->curl, CURLOPT_CAINFO, cfg->tls_ca_file);
	if (cfg->tls_ca_dir != NULL)
		curl_easy_setopt(so->curl, CURLOPT_CAPATH, cfg->tls_ca_dir);
	if (cfg->tls_cert_file != NULL) {
		curl_easy_setopt(so->curl, CURLOPT_SSLCERT, cfg->tls_cert_file);
		curl_easy_setopt(so->curl, CURLOPT_SSLKEY, cfg->tls_key_file);
	}
	curl_easy_setopt(so->curl, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(so->curl, CURLOPT_WRITEDATA, so);
	curl_easy_setopt(so->curl, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(so->curl, CURLOPT_HEADERDATA, so);
	build_headers(so);
	return so;
fail:
	soar_free(&so);
	return NULL;
}

/* soar_free - release the handle and wipe the secret */
void
soar_free(struct soar **sop)
{
	struct soar	*so = *sop;

	if (so == NULL)
		return;
	if (so->curl != NULL)
		curl_easy_cleanup(so->curl);
	free_headers(so);
	wipe_free(so->sec.value);
	free(so->sec.path);
	free(so->url);
	free(so->url_log);
	sb_free(&so->resp);
	free(so);
	*sop = NULL;
}

/* refresh_secret - re-read the secret file if it changed */
static void
refresh_secret(struct soar *so, bool force)
{
	struct errbuf	err;
	int		r;

	r = secret_load(&so->sec, force, &err);
	if (r == -1) {
		if (!so->sec.warned)
			log_warn("-: soar: cannot re-read secret, keeping the "
			    "previous one: %s", err.msg);
		so->sec.warned = true;
	} else if (r == 1) {
		log_info("-: soar: %s %s changed, using the new secret",
		    so->sec.key, so->sec.path);
		build_headers(so);
	}
}

/* perform - one HTTP exchange; fills status/error/connects */
static long
perform(struct soar *so, const char *body, size_t len,
    struct soar_reply *reply)
{
	CURLcode	rc;
	long		status = 0, conns = 0;

	sb_reset(&so->resp);
	so->resp_truncated = false;
	so->retry_after = -1;
	so->curl_err[0] = '\0';
	curl_easy_setopt(so->curl, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(so->curl, CURLOPT_POSTFIELDSIZE_LARGE,
	    (curl_off_t)len);
	rc = curl_easy_perform(so->curl);
	curl_easy_getinfo(so->curl, CURLINFO_NUM_CONNECTS, &conns);
	reply->connects += conns;
	if (rc != CURLE_OK) {
		snprintf(reply->error, sizeof(reply->error), "%s",
		    so->curl_err[0] != '\0' ? so->curl_err :
		    curl_easy_strerror(rc));
		return 0;
	}
	curl_easy_getinfo(so->curl, CURLINFO_RESPONSE_CODE, &status);
	reply->error[0] = '\0';
	return status;
}

/* soar_post - POST one alert; classify the outcome */
enum soar_result
soar_post(struct soar *so, const char *body, size_t len,
    struct soar_reply *reply)
{
	long	status;

	memset(reply, 0, sizeof(*reply));
	reply->retry_after = -1;
	refresh_secret(so, false);
	status = perform(so, body, len, reply);
	if (status == 401) {
		/* Maybe rotated in place within one mtime tick: look again. */
		char *old = xstrdup(so->sec.value);

		refresh_secret(so, true);
		if (strcmp(old, so->sec.value) != 0)
			status = perform(so, body, len, reply);
		wipe_free(old);
	}
	reply->status = status;
	reply->retry_after = status != 0 ? so->retry_after : -1;
	if (status != 0 && so->resp.len > 0) {
		reply->body = xstrndup(so->resp.s, so->resp.len);
	}
	if (status != 0 && so->resp_truncated)
		log_debug("-: soar: response body cut at %zu bytes",
		    so->max_response);
	return soar_classify(status);
}

void
soar_reply_free(struct soar_reply *reply)
{
	free(reply->body);
	reply->body = NULL;
}

const char *
soar_endpoint(const struct soar *so)
{
	return so->url_log;
}
