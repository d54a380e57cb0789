/*
 * test-alert - stable id rules and the exact CaseInfo JSON of alert.c.
 */
#include "autoconfig.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <json.h>

#include "alert.h"
#include "config.h"
#include "digest.h"
#include "extract.h"
#include "util.h"
#include "t.h"

#define MID_ID	"mlt-1a693fa7c91db3cd503fa38cb49a67ac"

static void
test_config(struct config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->environment = "Prod";
	cfg->device_vendor = "ExampleCorp";
	cfg->device_product = "Mail";
	cfg->alert_name = "Suspicious email";
	cfg->rule_generator = "soar-milter";
	cfg->priority = 60;
	cfg->id_prefix = "mlt-";
}

static void
add_att(struct extract *x, const char *name, const char *type,
    const char *data)
{
	struct attachment	*a;

	x->att = xrealloc(x->att, (x->n_att + 1) * sizeof(*x->att));
	a = &x->att[x->n_att++];
	memset(a, 0, sizeof(*a));
	a->name = name != NULL ? xstrdup(name) : NULL;
	a->type = xstrdup(type);
	a->size = strlen(data);
	digest_sha256_hex(data, strlen(data), a->sha256);
	digest_md5_hex(data, strlen(data), a->md5);
}

/* A message as mime.c would hand it over; freed by free_x (not by
 * extract_free, so the test does not depend on mime.c). */
static void
sample(struct extract *x)
{
	memset(x, 0, sizeof(*x));
	x->message_id = xstrdup("<CAF=abc123@Mail.Example.NET>");
	x->subject = xstrdup("Your invoice");
	x->date = xstrdup("Fri, 31 May 2024 16:08:37 +0000");
	x->date_ms = 1717171717000;
	addrlist_add(&x->from, "Bob", "bob@evil.example");
	addrlist_add(&x->to, NULL, "alice@corp.example");
	addrlist_add(&x->cc, "Carol", "carol@corp.example");
	addrlist_add(&x->reply_to, NULL, "reply@evil.example");
	x->return_path = xstrdup("bounce@evil.example");
	strlist_add(&x->urls, "http://evil.example/login");
	strlist_add(&x->urls, "https://x.example/a?b=c");
	add_att(x, "invoice.pdf", "application/pdf", "abc");
	x->n_parts = 3;
	x->bytes = 1234;
	memset(x->content_sha256, '0', 64);
	x->content_sha256[64] = '\0';
}

static void
sample_env(struct envelope *env)
{
	memset(env, 0, sizeof(*env));
	env->mode = "milter";
	env->client_ip = "203.0.113.5";
	env->client_host = "mx.evil.example";
	env->helo = "mx.evil.example";
	env->mail_from = "bounce@evil.example";
	strlist_add(&env->rcpts, "alice@corp.example");
	strlist_add(&env->rcpts, "dave@corp.example");
	env->queue_id = "4VxYz1234";
}


static const char *const expected_json =
"{\"environment\":\"Prod\","
"\"ticket_id\":\"" MID_ID "\","
"\"display_id\":\"" MID_ID "\","
"\"identifier\":\"<CAF=abc123@Mail.Example.NET>\","
"\"name\":\"Suspicious email\","
"\"description\":\"Email from bob@evil.example to 2 recipients: Your invoice\","
"\"reason\":\"soar-milter milter\","
"\"rule_generator\":\"soar-milter\","
"\"source_grouping_identifier\":null,"
"\"device_vendor\":\"ExampleCorp\","
"\"device_product\":\"Mail\","
"\"start_time\":1717171717000,"
"\"end_time\":1717171717000,"
"\"priority\":60,"
"\"is_test_case\":false,"
"\"source_system_url\":null,"
"\"source_rule_identifier\":null,"
"\"siem_alert_id\":null,"
"\"extensions\":{},"
"\"events\":[{"
"\"StartTime\":1717171717000,"
"\"EndTime\":1717171717000,"
"\"event_name\":\"Suspicious email\","
"\"device_product\":\"Mail\","
"\"device_vendor\":\"ExampleCorp\","
"\"Subject\":\"Your invoice\","
"\"EmailSubject\":\"Your invoice\","
"\"SourceUserName\":\"bob@evil.example\","
"\"DestinationUserName\":\"alice@corp.example,dave@corp.example\","
"\"found_url\":\"http://evil.example/login,https://x.example/a?b=c\","
"\"url_count\":2,"
"\"attachment_count\":1,"
"\"url_domains\":\"evil.example,x.example\","
"\"time_source\":\"date_header\","
"\"alert_id\":\"" MID_ID "\","
"\"mode\":\"milter\","
"\"message_id\":\"<CAF=abc123@Mail.Example.NET>\","
"\"header_from\":\"Bob <bob@evil.example>\","
"\"from_name\":\"Bob\","
"\"from_address\":\"bob@evil.example\","
"\"to\":\"alice@corp.example\","
"\"cc\":\"carol@corp.example\","
"\"reply_to\":\"reply@evil.example\","
"\"return_path\":\"bounce@evil.example\","
"\"envelope_from\":\"bounce@evil.example\","
"\"envelope_rcpt\":\"alice@corp.example,dave@corp.example\","
"\"date\":\"Fri, 31 May 2024 16:08:37 +0000\","
"\"SourceAddress\":\"203.0.113.5\","
"\"client_hostname\":\"mx.evil.example\","
"\"helo\":\"mx.evil.example\","
"\"queue_id\":\"4VxYz1234\","
"\"message_size\":1234,"
"\"mime_parts\":3,"
"\"url_1\":\"http://evil.example/login\","
"\"url_2\":\"https://x.example/a?b=c\","
"\"file_name_1\":\"invoice.pdf\","
"\"file_type_1\":\"application/pdf\","
"\"file_size_1\":3,"
"\"file_sha256_1\":"
"\"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\","
"\"file_md5_1\":\"900150983cd24fb0d6963f7d28e17f72\""
"}],"
"\"attachments\":[],"
"\"updated_fields\":{},"
"\"alert_update_supported\":false,"
"\"alert_metadata\":{},"
"\"data_access_scope\":null}";

static char *
norm(const char *raw)
{
	static char	 buf[256];
	char		*s;

	if ((s = alert_normalise_message_id(raw)) == NULL)
		return NULL;
	snprintf(buf, sizeof(buf), "%s", s);
	free(s);
	return buf;
}

static void
test_normalise(void)
{
	T_BEGIN("normalise message-id");
	T_STREQ(norm("<ABC.def@Example.COM>"), "ABC.def@example.com");
	T_STREQ(norm("  <abc@EXAMPLE.com>  "), "abc@example.com");
	T_STREQ(norm("< abc@x.COM >"), "abc@x.com");
	T_STREQ(norm("<abc\r\n\t@X>"), "abc@x");
	T_STREQ(norm("\r\n <long-id-part\r\n -two@Host.Example>"),
	    "long-id-part-two@host.example");
	T_STREQ(norm("abc@X.Org"), "abc@x.org");
	T_STREQ(norm("abc@X.Org (comment)"), "abc@x.org");
	T_STREQ(norm("<a@b@C.D>"), "a@b@c.d");
	T_STREQ(norm("<NoAt.Here>"), "NoAt.Here");
	T_STREQ(norm("<first@A> <second@B>"), "first@a");
	T_STREQ(norm("(c) <x@Y>"), "x@y");
	T_STREQ(norm("<abc@X"), "abc@x");
	T_STREQ(norm("<\"Quoted\"@X>"), "\"Quoted\"@x");
	T_ASSERT(norm("<>") == NULL);
	T_ASSERT(norm("< \t>") == NULL);
	T_ASSERT(norm("") == NULL);
	T_ASSERT(norm("   \r\n ") == NULL);
	T_ASSERT(norm(NULL) == NULL);
	T_END();
}

static void
test_id(void)
{
	struct config	cfg;
	struct extract	x;
	char		id[ALERT_ID_MAX], id2[ALERT_ID_MAX];
	char		longp[300];

	test_config(&cfg);
	sample(&x);

	T_BEGIN("id from message-id");
	alert_id(&cfg, &x, id);
	T_STREQ(id, MID_ID);
	/* Other spellings of the same Message-ID give the same id. */
	free(x.message_id);
	x.message_id = xstrdup(" <CAF=abc123@mail.example.net>\r\n");
	alert_id(&cfg, &x, id2);
	T_STREQ(id2, MID_ID);
	free(x.message_id);
	x.message_id = xstrdup("CAF=abc123@MAIL.EXAMPLE.NET");
	alert_id(&cfg, &x, id2);
	T_STREQ(id2, MID_ID);
	/* The local part is case-sensitive. */
	free(x.message_id);
	x.message_id = xstrdup("<caf=abc123@mail.example.net>");
	alert_id(&cfg, &x, id2);
	T_ASSERT(strcmp(id2, MID_ID) != 0);
	T_END();

	T_BEGIN("id from content hash");
	free(x.message_id);
	x.message_id = NULL;
	alert_id(&cfg, &x, id);
	T_STREQ(id, "mlt-e78dd9d21b2299bacd16390f4ec53ee2");
	/* An unusable Message-ID counts as none. */
	x.message_id = xstrdup("<>");
	alert_id(&cfg, &x, id2);
	T_STREQ(id2, id);
	/* The Message-ID wins over content. */
	free(x.message_id);
	x.message_id = xstrdup("<CAF=abc123@mail.example.net>");
	x.content_sha256[0] = '1';
	alert_id(&cfg, &x, id2);
	T_STREQ(id2, MID_ID);
	T_END();

	T_BEGIN("id prefix");
	cfg.id_prefix = "";
	alert_id(&cfg, &x, id);
	T_STREQ(id, "1a693fa7c91db3cd503fa38cb49a67ac");
	cfg.id_prefix = NULL;
	alert_id(&cfg, &x, id);
	T_STREQ(id, "1a693fa7c91db3cd503fa38cb49a67ac");
	cfg.id_prefix = "corp-mail-";
	alert_id(&cfg, &x, id);
	T_STREQ(id, "corp-mail-1a693fa7c91db3cd503fa38cb49a67ac");
	memset(longp, 'p', sizeof(longp) - 1);
	longp[sizeof(longp) - 1] = '\0';
	cfg.id_prefix = longp;
	alert_id(&cfg, &x, id);
	T_ASSERT(strlen(id) == ALERT_ID_MAX - 1);
	T_ASSERT(strcmp(id + strlen(id) - 32,
	    "1a693fa7c91db3cd503fa38cb49a67ac") == 0);
	T_END();
	extract_free(&x);
}

/* squeeze - s without the white space outside JSON strings (new) */
static char *
squeeze(const char *s)
{
	char	*r = xmalloc(strlen(s) + 1), *q = r;
	bool	 in = false;

	for (; *s != '\0'; s++) {
		if (in && *s == '\\' && s[1] != '\0') {
			*q++ = *s++;
			*q++ = *s;
			continue;
		}
		if (*s == '"')
			in = !in;
		if (in || strchr(" \t\r\n", *s) == NULL)
			*q++ = *s;
	}
	*q = '\0';
	return r;
}

static void
test_exact(void)
{
	struct config	 cfg;
	struct extract	 x;
	struct envelope	 env;
	char		*js, *pretty, *sq;
	json_object	*a, *b;

	test_config(&cfg);
	sample(&x);
	sample_env(&env);

	T_BEGIN("exact json");
	js = alert_json(&cfg, &x, &env, 1700000000000, false);
	T_STREQ(js, expected_json);
	T_END();

	T_BEGIN("pretty json is the same object");
	pretty = alert_json(&cfg, &x, &env, 1700000000000, true);
	T_ASSERT(strchr(pretty, '\n') != NULL);
	T_ASSERT(strncmp(pretty, "{\n  \"environment\": \"Prod\",\n", 27) ==
	    0);
	/* Two spaces per level. */
	T_ASSERT(strstr(pretty, "\n  \"events\": [\n    {\n      "
	    "\"StartTime\": 1717171717000,\n") != NULL);
	T_ASSERT(strchr(pretty, '\t') == NULL);
	a = json_tokener_parse(js);
	b = json_tokener_parse(pretty);
	T_ASSERT(a != NULL && b != NULL && json_object_equal(a, b));
	json_object_put(a);
	json_object_put(b);
	/* The same bytes but for white space: same order, same escapes. */
	sq = squeeze(pretty);
	T_STREQ(sq, js);
	free(sq);
	free(pretty);
	free(js);
	T_END();

	T_BEGIN("deterministic");
	js = alert_json(&cfg, &x, &env, 1700000000000, false);
	pretty = alert_json(&cfg, &x, &env, 1800000000000, false);
	T_STREQ(js, pretty);		/* Date known: now_ms unused */
	free(js);
	free(pretty);
	T_END();

	strlist_free(&env.rcpts);
	extract_free(&x);
}

/* jget - o[key], or NULL if o is not an object, has no key or key is
 * null */
static json_object *
jget(json_object *o, const char *key)
{
	json_object	*v;

	if (!json_object_is_type(o, json_type_object) ||
	    !json_object_object_get_ex(o, key, &v))
		return NULL;
	return v;
}

/* has - has object o the key (whatever its value, null included)? */
static bool
has(json_object *o, const char *key)
{
	return json_object_is_type(o, json_type_object) &&
	    json_object_object_get_ex(o, key, NULL);
}

/* tops, topi - a string / integer at the top level */
static const char *
tops(json_object *root, const char *key)
{
	return json_object_get_string(jget(root, key));
}

static int64_t
topi(json_object *root, const char *key)
{
	return json_object_get_int64(jget(root, key));
}

static json_object *
event0(json_object *root)
{
	json_object	*a = jget(root, "events");

	if (!json_object_is_type(a, json_type_array) ||
	    json_object_array_length(a) < 1)
		return NULL;
	return json_object_array_get_idx(a, 0);
}

static const char *
evs(json_object *root, const char *key)
{
	json_object	*v = jget(event0(root), key);

	return json_object_is_type(v, json_type_string) ?
	    json_object_get_string(v) : NULL;
}

/* flat - is every value of object o a string or an integer? */
static bool
flat(json_object *o)
{
	bool	ok = true;

	json_object_object_foreach(o, k, v) {
		(void)k;
		if (!json_object_is_type(v, json_type_string) &&
		    !json_object_is_type(v, json_type_int))
			ok = false;
	}
	return ok;
}

static json_object *
load(const struct config *cfg, const struct extract *x,
    const struct envelope *env, int64_t now)
{
	char		*js;
	json_object	*j;

	js = alert_json(cfg, x, env, now, false);
	j = json_tokener_parse(js);
	if (j == NULL)
		fprintf(stderr, "unparseable: %.200s\n", js);
	free(js);
	return j;
}

static void
test_shape(void)
{
	static const struct {
		const char	*key;
		json_type	 type;	/* every boolean must be false */
	} top[] = {
		{ "environment", json_type_string },
		{ "ticket_id", json_type_string },
		{ "display_id", json_type_string },
		{ "identifier", json_type_string },
		{ "name", json_type_string },
		{ "description", json_type_string },
		{ "reason", json_type_string },
		{ "rule_generator", json_type_string },
		{ "source_grouping_identifier", json_type_null },
		{ "device_vendor", json_type_string },
		{ "device_product", json_type_string },
		{ "start_time", json_type_int }, { "end_time", json_type_int },
		{ "priority", json_type_int },
		{ "is_test_case", json_type_boolean },
		{ "source_system_url", json_type_null },
		{ "source_rule_identifier", json_type_null },
		{ "siem_alert_id", json_type_null },
		{ "extensions", json_type_object },
		{ "events", json_type_array },
		{ "attachments", json_type_array },
		{ "updated_fields", json_type_object },
		{ "alert_update_supported", json_type_boolean },
		{ "alert_metadata", json_type_object },
		{ "data_access_scope", json_type_null },
	}, always[] = {
		{ "StartTime", json_type_int }, { "EndTime", json_type_int },
		{ "event_name", json_type_string },
		{ "device_product", json_type_string },
		{ "device_vendor", json_type_string },
		{ "Subject", json_type_string },
		{ "EmailSubject", json_type_string },
		{ "SourceUserName", json_type_string },
		{ "DestinationUserName", json_type_string },
		{ "found_url", json_type_string },
		{ "url_count", json_type_int },
		{ "attachment_count", json_type_int },
		{ "time_source", json_type_string },
	};
	struct config	 cfg;
	struct extract	 x;
	json_object	*j, *ev, *v;
	size_t		 i;

	test_config(&cfg);

	T_BEGIN("required keys of an empty message, typed");
	memset(&x, 0, sizeof(x));
	x.date_ms = -1;
	memset(x.content_sha256, 'a', 64);
	j = load(&cfg, &x, NULL, 1700000000000);
	T_ASSERT(j != NULL && json_object_object_length(j) ==
	    (int)ARRAY_LEN(top));
	for (i = 0; j != NULL && i < ARRAY_LEN(top); i++) {
		v = jget(j, top[i].key);
		if (!has(j, top[i].key) || json_object_get_type(v) !=
		    top[i].type || (top[i].type == json_type_boolean &&
		    json_object_get_boolean(v))) {
			fprintf(stderr, "top key %s\n", top[i].key);
			T_ASSERT(!"top-level key missing or mistyped");
		}
	}
	T_ASSERT(json_object_array_length(jget(j, "events")) == 1);
	ev = event0(j);
	for (i = 0; ev != NULL && i < ARRAY_LEN(always); i++) {
		v = jget(ev, always[i].key);
		if (v == NULL || json_object_get_type(v) != always[i].type) {
			fprintf(stderr, "event key %s\n", always[i].key);
			T_ASSERT(!"event key missing or mistyped");
		}
	}
	T_ASSERT(ev != NULL && flat(ev));
	/* No Message-ID: identifier is the id; no Date: processing time. */
	T_STREQ(tops(j, "identifier"),
	    tops(j, "display_id"));
	T_ASSERT(topi(j, "start_time") ==
	    1700000000000);
	T_ASSERT(json_object_get_int64(jget(ev, "StartTime")) ==
	    1700000000000);
	T_STREQ(evs(j, "time_source"), "processing_time");
	T_STREQ(evs(j, "Subject"), "");
	T_STREQ(evs(j, "found_url"), "");
	T_STREQ(tops(j, "description"),
	    "Email from unknown sender to 0 recipients: (no subject)");
	T_STREQ(tops(j, "reason"),
	    "soar-milter");
	/* Optional keys without a value are left out. */
	T_ASSERT(!has(ev, "message_id"));
	T_ASSERT(!has(ev, "truncated"));
	T_ASSERT(!has(ev, "anomalies"));
	T_ASSERT(!has(ev, "url_1"));
	T_ASSERT(!has(ev, "return_path"));
	json_object_put(j);
	T_END();

	T_BEGIN("defaults when config strings are unset");
	memset(&cfg, 0, sizeof(cfg));
	cfg.priority = 80;
	j = load(&cfg, &x, NULL, 1);
	T_STREQ(tops(j, "name"),
	    "Suspicious email");
	T_STREQ(evs(j, "event_name"), "Suspicious email");
	T_STREQ(tops(j, "device_product"),
	    "Mail");
	T_ASSERT(topi(j, "priority") == 80);
	json_object_put(j);
	T_END();
}

static void
test_recipients(void)
{
	struct config	 cfg;
	struct extract	 x;
	struct envelope	 env;
	json_object	*j;

	test_config(&cfg);
	sample(&x);
	memset(&env, 0, sizeof(env));
	env.mode = "scan";
	env.source = "dir/msg.eml";

	T_BEGIN("recipients from To+Cc without envelope, de-duplicated");
	addrlist_add(&x.cc, NULL, "ALICE@corp.example");
	addrlist_add(&x.to, "group", NULL);
	j = load(&cfg, &x, &env, 1);
	T_STREQ(evs(j, "DestinationUserName"),
	    "alice@corp.example,carol@corp.example");
	T_STREQ(evs(j, "to"), "alice@corp.example");
	T_STREQ(evs(j, "cc"), "carol@corp.example,ALICE@corp.example");
	T_STREQ(tops(j, "description"),
	    "Email from bob@evil.example to 2 recipients: Your invoice");
	T_STREQ(tops(j, "reason"),
	    "soar-milter scan");
	T_STREQ(evs(j, "source_file"), "dir/msg.eml");
	T_STREQ(evs(j, "mode"), "scan");
	T_ASSERT(!has(event0(j), "envelope_rcpt"));
	json_object_put(j);
	T_END();

	T_BEGIN("sender falls back to the envelope");
	addrlist_free(&x.from);
	addrlist_add(&x.from, "Only A Name", NULL);
	free(x.return_path);
	x.return_path = NULL;
	env.mail_from = "env@sender.example";
	strlist_add(&env.rcpts, "one@corp.example");
	j = load(&cfg, &x, &env, 1);
	T_STREQ(evs(j, "SourceUserName"), "env@sender.example");
	T_STREQ(evs(j, "return_path"), "env@sender.example");
	T_STREQ(evs(j, "header_from"), "Only A Name");
	T_STREQ(evs(j, "DestinationUserName"), "one@corp.example");
	T_STREQ(tops(j, "description"),
	    "Email from env@sender.example to 1 recipient: Your invoice");
	json_object_put(j);
	T_END();

	strlist_free(&env.rcpts);
	extract_free(&x);
}

static void
test_utf8(void)
{
	struct config	 cfg;
	struct extract	 x;
	json_object	*j;
	char		*js;

	test_config(&cfg);
	sample(&x);

	T_BEGIN("invalid UTF-8 is replaced, never rejected");
	free(x.subject);
	/* stray bytes, truncated 2-byte, overlong, surrogate, > U+10FFFF,
	 * truncated 4-byte at the end; valid multi-byte kept */
	x.subject = xstrdup("\xff" "a\xc3" "b\xc0\xaf" "c\xed\xa0\x80"
	    "d\xf4\x90\x80\x80" "e\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80"
	    "\xf0\x9f\x98");
	addrlist_free(&x.from);
	addrlist_add(&x.from, "Bad \xfe name", "bob@evil.example");
	free(x.att[0].name);
	x.att[0].name = xstrdup("f\x80.pdf");
	j = load(&cfg, &x, NULL, 1);
	T_ASSERT(j != NULL);
	T_STREQ(evs(j, "Subject"),
	    "\xef\xbf\xbd" "a\xef\xbf\xbd" "b\xef\xbf\xbd\xef\xbf\xbd"
	    "c\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"
	    "d\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"
	    "e\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\xef\xbf\xbd");
	T_STREQ(evs(j, "from_name"), "Bad \xef\xbf\xbd name");
	T_STREQ(evs(j, "header_from"),
	    "Bad \xef\xbf\xbd name <bob@evil.example>");
	T_STREQ(evs(j, "file_name_1"), "f\xef\xbf\xbd.pdf");
	json_object_put(j);
	T_END();

	T_BEGIN("control characters escaped");
	free(x.subject);
	x.subject = xstrdup("a\tb\x01\"\\");
	j = load(&cfg, &x, NULL, 1);
	T_STREQ(evs(j, "Subject"), "a\tb\x01\"\\");
	json_object_put(j);
	/* The bytes: short escapes where JSON has them, else \u00xx;
	 * '/' and DEL as they are, UTF-8 as it is (no \u escapes). */
	js = alert_json(&cfg, &x, NULL, 1, false);
	T_ASSERT(strstr(js, "\"Subject\":\"a\\tb\\u0001\\\"\\\\\",") != NULL);
	free(js);
	free(x.subject);
	x.subject = xstrdup("\b\f\n\r\x1f/\x7f\xc3\xa9\xe2\x82\xac"
	    "\xf0\x9f\x98\x80");
	js = alert_json(&cfg, &x, NULL, 1, false);
	T_ASSERT(strstr(js, "\"Subject\":\"\\b\\f\\n\\r\\u001f/\x7f\xc3\xa9"
	    "\xe2\x82\xac\xf0\x9f\x98\x80\",") != NULL);
	T_ASSERT(strstr(js, "\\/") == NULL);
	free(js);
	T_END();

	T_BEGIN("invalid bytes anywhere in long ASCII runs");
	free(x.subject);
	x.subject = xstrdup("abcdefghijklmnop\x80qrstuvwxyz12345\xc3"
	    "0123456\xe2\x82\xac" "89abcdef\xed\xa0\x80" "ABCDEFG\xf4");
	j = load(&cfg, &x, NULL, 1);
	T_STREQ(evs(j, "Subject"), "abcdefghijklmnop\xef\xbf\xbd"
	    "qrstuvwxyz12345\xef\xbf\xbd" "0123456\xe2\x82\xac"
	    "89abcdef\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"
	    "ABCDEFG\xef\xbf\xbd");
	T_ASSERT(evs(j, "truncated") == NULL);
	json_object_put(j);
	T_END();
	extract_free(&x);
}

static bool	both_like_jsonc(const struct config *, const struct extract *,
		    const struct envelope *, int64_t);

static void
test_bounds(void)
{
	struct config	 cfg;
	struct extract	 x;
	struct envelope	 env;
	char		*big, *js, url[2100];
	json_object	*j;
	size_t		 i;

	test_config(&cfg);
	sample(&x);
	memset(&env, 0, sizeof(env));

	T_BEGIN("long values capped at a character boundary");
	big = xmalloc(100001);
	for (i = 0; i < 100000; i += 2)
		memcpy(big + i, "\xc3\xa9", 2);
	big[100000] = '\0';
	free(x.subject);
	x.subject = big;
	env.truncated = true;
	j = load(&cfg, &x, &env, 1);
	T_ASSERT(j != NULL);
	T_ASSERT(strlen(evs(j, "Subject")) == 8192);
	T_STREQ(evs(j, "truncated"), "collector,value_length");
	T_ASSERT(strlen(tops(j, "description")) < 300);
	json_object_put(j);
	T_END();

	T_BEGIN("3-byte characters capped at a character boundary");
	big = xmalloc(9001);
	for (i = 0; i < 9000; i += 3)
		memcpy(big + i, "\xe2\x82\xac", 3);
	big[9000] = '\0';
	free(x.subject);
	x.subject = big;
	env.truncated = false;
	j = load(&cfg, &x, &env, 1);
	T_ASSERT(strlen(evs(j, "Subject")) == 8190);
	T_ASSERT(strncmp(evs(j, "Subject"), big, 8190) == 0);
	T_STREQ(evs(j, "truncated"), "value_length");
	json_object_put(j);
	T_END();

	T_BEGIN("invalid UTF-8 near the cap: replaced, then capped");
	big = xmalloc(8300);
	memset(big, 'a', 8188);
	/* U+FFFD ends at 8191: the next 2-byte character does not fit */
	memcpy(big + 8188, "\xff\xc3\xa9\xc3\xa9", 6);
	free(x.subject);
	x.subject = big;
	j = load(&cfg, &x, &env, 1);
	T_ASSERT(strlen(evs(j, "Subject")) == 8191);
	T_ASSERT(strcmp(evs(j, "Subject") + 8188, "\xef\xbf\xbd") == 0);
	T_STREQ(evs(j, "truncated"), "value_length");
	json_object_put(j);
	/* the U+FFFD itself does not fit */
	memset(big, 'a', 8190);
	memcpy(big + 8190, "\xff" "b", 3);
	j = load(&cfg, &x, &env, 1);
	T_ASSERT(strlen(evs(j, "Subject")) == 8190);
	T_ASSERT(strspn(evs(j, "Subject"), "a") == 8190);
	T_STREQ(evs(j, "truncated"), "value_length");
	json_object_put(j);
	/* exactly at the cap: not cut */
	memset(big, 'a', 8189);
	memcpy(big + 8189, "\x80", 2);
	j = load(&cfg, &x, &env, 1);
	T_ASSERT(strlen(evs(j, "Subject")) == 8192);
	T_ASSERT(evs(j, "truncated") == NULL);
	json_object_put(j);
	T_END();

	T_BEGIN("an over-long URL is capped, not dropped");
	big = xmalloc(10001);
	memset(big, 'u', 10000);
	memcpy(big, "https://long.example/", 21);
	big[10000] = '\0';
	strlist_free(&x.urls);
	strlist_add(&x.urls, "http://a.example/");
	strlist_add_owned(&x.urls, big);
	free(x.subject);
	x.subject = xstrdup("short");
	env.truncated = false;
	j = load(&cfg, &x, &env, 1);
	T_ASSERT(strlen(evs(j, "url_2")) == 8192);
	T_ASSERT(strlen(evs(j, "found_url")) == 18 + 8192);
	T_ASSERT(strncmp(evs(j, "found_url"), "http://a.example/,https://long.",
	    31) == 0);
	T_STREQ(evs(j, "truncated"), "value_length");
	json_object_put(j);
	T_END();

	T_BEGIN("a comma inside a URL is %2C in found_url, as is in url_N");
	strlist_free(&x.urls);
	strlist_add(&x.urls, "https://maps.example/@48.85,2.35,15z");
	strlist_add(&x.urls, "https://b.example/x");
	j = load(&cfg, &x, &env, 1);
	T_STREQ(evs(j, "found_url"),
	    "https://maps.example/@48.85%2C2.35%2C15z,https://b.example/x");
	T_STREQ(evs(j, "url_1"), "https://maps.example/@48.85,2.35,15z");
	json_object_put(j);
	/* the same with an item that needs JSON escaping */
	strlist_add(&x.urls, "https://q.example/a\"b,c");
	T_ASSERT(both_like_jsonc(&cfg, &x, &env, 1));
	j = load(&cfg, &x, &env, 1);
	T_STREQ(evs(j, "found_url"),
	    "https://maps.example/@48.85%2C2.35%2C15z,https://b.example/x,"
	    "https://q.example/a\"b%2Cc");
	T_STREQ(evs(j, "url_3"), "https://q.example/a\"b,c");
	json_object_put(j);
	T_END();

	T_BEGIN("url_domains: each URL's host once, lowercased, no port");
	strlist_free(&x.urls);
	strlist_add(&x.urls, "http://User:pw@Host.Example:8080/a");
	strlist_add(&x.urls, "https://[2001:db8::1]:443/x");
	strlist_add(&x.urls, "www.Foo.example/y");
	strlist_add(&x.urls, "ftp://f.example\\path");
	strlist_add(&x.urls, "http://host.example/b?u=http://other.example/");
	strlist_add(&x.urls, "https://xn--80ak6aa92e.com#frag");
	j = load(&cfg, &x, &env, 1);
	T_STREQ(evs(j, "url_domains"), "host.example,[2001:db8::1],"
	    "www.foo.example,f.example,xn--80ak6aa92e.com");
	json_object_put(j);
	strlist_free(&x.urls);
	j = load(&cfg, &x, &env, 1);
	T_ASSERT(evs(j, "url_domains") == NULL);
	json_object_put(j);
	T_END();

	T_BEGIN("header_from quotes display names that hold specials");
	addrlist_free(&x.from);
	addrlist_add(&x.from, "Smith, John", "j@x.example");
	addrlist_add(&x.from, "support@paypal.com <support@paypal.com>",
	    "evil@x.example");
	addrlist_add(&x.from, "Say \"hi\" \\ x", "q@x.example");
	addrlist_add(&x.from, "J. Smith", "js@x.example");
	addrlist_add(&x.from, "(no address), only a name", NULL);
	j = load(&cfg, &x, &env, 1);
	T_STREQ(evs(j, "header_from"),
	    "\"Smith, John\" <j@x.example>, "
	    "\"support@paypal.com <support@paypal.com>\" <evil@x.example>, "
	    "\"Say \\\"hi\\\" \\\\ x\" <q@x.example>, "
	    "J. Smith <js@x.example>, "
	    "\"(no address), only a name\"");
	/* from_name keeps the name as decoded */
	T_STREQ(evs(j, "from_name"), "Smith, John");
	json_object_put(j);
	T_END();

	T_BEGIN("indexed keys past the built-in table of names");
	strlist_free(&x.urls);
	for (i = 1; i <= 1205; i++) {
		snprintf(url, sizeof(url), "http://k%zu.example/", i);
		strlist_add(&x.urls, url);
	}
	for (i = 0; i < x.n_att; i++) {
		free(x.att[i].name);
		free(x.att[i].type);
	}
	x.n_att = 0;
	for (i = 1; i <= 103; i++) {
		snprintf(url, sizeof(url), "f%zu.txt", i);
		add_att(&x, url, "text/plain", url);
	}
	env.truncated = false;
	j = load(&cfg, &x, &env, 1);
	T_STREQ(evs(j, "url_1"), "http://k1.example/");
	T_STREQ(evs(j, "url_1000"), "http://k1000.example/");
	T_STREQ(evs(j, "url_1001"), "http://k1001.example/");
	T_STREQ(evs(j, "url_1205"), "http://k1205.example/");
	T_ASSERT(!has(event0(j), "url_1206"));
	T_STREQ(evs(j, "file_name_100"), "f100.txt");
	T_STREQ(evs(j, "file_name_103"), "f103.txt");
	T_STREQ(evs(j, "file_type_101"), "text/plain");
	T_ASSERT(json_object_get_int64(jget(event0(j), "file_size_102")) ==
	    8);
	T_ASSERT(strlen(evs(j, "file_sha256_103")) == 64);
	T_ASSERT(strlen(evs(j, "file_md5_101")) == 32);
	T_ASSERT(!has(event0(j), "file_name_104"));
	json_object_put(j);
	/* and the names stay right in a second alert */
	j = load(&cfg, &x, &env, 1);
	T_STREQ(evs(j, "url_999"), "http://k999.example/");
	T_STREQ(evs(j, "file_md5_1"), x.att[0].md5);
	json_object_put(j);
	for (i = 0; i < x.n_att; i++) {
		free(x.att[i].name);
		free(x.att[i].type);
	}
	free(x.att);
	x.att = NULL;
	x.n_att = 0;
	T_END();

	T_BEGIN("recipient list capped between items");
	for (i = 0; i < 5000; i++) {
		snprintf(url, sizeof(url), "user%04zu@a-rather-long-domain.example",
		    i);
		strlist_add(&env.rcpts, url);
	}
	j = load(&cfg, &x, &env, 1);
	T_ASSERT(strlen(evs(j, "DestinationUserName")) <= 65536);
	T_ASSERT(strlen(evs(j, "DestinationUserName")) > 65000);
	T_ASSERT(evs(j, "DestinationUserName")[strlen(evs(j,
	    "DestinationUserName")) - 1] == 'e');	/* ends on an item */
	T_ASSERT(strstr(tops(j, "description"),
	    " to 1724+ recipients: short") != NULL);
	T_STREQ(evs(j, "truncated"), "value_length");
	json_object_put(j);
	strlist_free(&env.rcpts);
	T_END();

	T_BEGIN("alert size bounded");
	memset(url, 'a', sizeof(url) - 1);
	url[sizeof(url) - 1] = '\0';
	memcpy(url, "http://x.example/", 17);
	strlist_free(&x.urls);
	for (i = 0; i < 5000; i++) {
		snprintf(url + 17, 8, "%05zu", i);
		url[22] = 'a';
		strlist_add(&x.urls, url);
	}
	env.truncated = false;
	js = alert_json(&cfg, &x, &env, 1, false);
	T_ASSERT(strlen(js) < 8u * 1000 * 1000);
	j = json_tokener_parse(js);
	T_ASSERT(j != NULL);
	T_ASSERT(json_object_get_int64(jget(event0(j), "url_count")) == 5000);
	T_ASSERT(has(event0(j), "url_1"));
	T_ASSERT(!has(event0(j), "url_5000"));
	T_ASSERT(strlen(evs(j, "found_url")) <= 65536);
	T_STREQ(evs(j, "truncated"), "value_length,alert_size");
	json_object_put(j);
	free(js);
	T_END();

	T_BEGIN("escaped size counts against the event budget");
	/* Each URL escapes to twice its length: about 4 MiB / 4.2 KB of
	 * them fit, not twice as many. */
	memset(url, '"', sizeof(url) - 1);
	url[sizeof(url) - 1] = '\0';
	strlist_free(&x.urls);
	for (i = 0; i < 2000; i++) {
		snprintf(url, 8, "%05zu", i);
		url[5] = '"';
		strlist_add(&x.urls, url);
	}
	js = alert_json(&cfg, &x, &env, 1, false);
	T_ASSERT(strlen(js) < 4500000);
	j = json_tokener_parse(js);
	T_ASSERT(j != NULL);
	T_ASSERT(has(event0(j), "url_900"));
	T_ASSERT(!has(event0(j), "url_1000"));
	T_STREQ(evs(j, "truncated"), "value_length,alert_size");
	json_object_put(j);
	free(js);

	/* A control character escapes to six bytes (\u0001): about
	 * 4 MiB / 12.6 KB of these fit. */
	memset(url, '\x01', sizeof(url) - 1);
	strlist_free(&x.urls);
	for (i = 0; i < 2000; i++) {
		snprintf(url, 8, "%05zu", i);
		url[5] = '\x01';
		strlist_add(&x.urls, url);
	}
	js = alert_json(&cfg, &x, &env, 1, false);
	T_ASSERT(strlen(js) < 4500000);
	j = json_tokener_parse(js);
	T_ASSERT(j != NULL);
	T_ASSERT(has(event0(j), "url_290"));
	T_ASSERT(!has(event0(j), "url_310"));
	T_STREQ(evs(j, "truncated"), "value_length,alert_size");
	json_object_put(j);
	free(js);
	T_END();
	extract_free(&x);
}

/*
 * The writer (alert.c writes the JSON itself, not through a json-c
 * tree): its bytes must be json-c 0.16's for the same object.
 */

/* like_jsonc - is js exactly what json-c writes for its parse, compact
 * or pretty as alert.c's flags?  A key written twice would collapse in
 * the parse and show as a difference. */
static bool
like_jsonc(const char *js, bool pretty)
{
	json_object	*j;
	const char	*out;
	bool		 ok;

	if ((j = json_tokener_parse(js)) == NULL) {
		fprintf(stderr, "unparseable: %.200s\n", js);
		return false;
	}
	out = json_object_to_json_string_ext(j,
	    JSON_C_TO_STRING_NOSLASHESCAPE | (pretty ?
	    JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED :
	    JSON_C_TO_STRING_PLAIN));
	ok = out != NULL && strcmp(out, js) == 0;
	if (!ok)
		fprintf(stderr, "differs from json-c:\n%.300s\n%.300s\n", js,
		    out != NULL ? out : "(null)");
	json_object_put(j);
	return ok;
}

/* both_like_jsonc - like_jsonc() of the compact and the pretty alert */
static bool
both_like_jsonc(const struct config *cfg, const struct extract *x,
    const struct envelope *env, int64_t now)
{
	char	*js, *pretty;
	bool	 ok;

	js = alert_json(cfg, x, env, now, false);
	pretty = alert_json(cfg, x, env, now, true);
	ok = like_jsonc(js, false) && like_jsonc(pretty, true);
	free(js);
	free(pretty);
	return ok;
}

/* event_keys - how many keys the compact js has in its event object
 * (root '{' depth 1, "events" '[' 2, the event '{' 3) */
static size_t
event_keys(const char *js)
{
	size_t	depth = 0, n = 0;
	bool	in = false;
	char	prev = '\0';

	for (; *js != '\0'; js++) {
		if (in) {
			if (*js == '\\' && js[1] != '\0')
				js++;
			else if (*js == '"')
				in = false;
			continue;
		}
		if (*js == '"') {
			if (depth == 3 && (prev == '{' || prev == ','))
				n++;
			in = true;
		} else if (*js == '{' || *js == '[')
			depth++;
		else if (*js == '}' || *js == ']')
			depth--;
		prev = *js;
	}
	return n;
}

static void
test_writer(void)
{
	struct config	 cfg;
	struct extract	 x;
	struct envelope	 env;
	struct strbuf	 in = { 0 }, want = { 0 }, pat = { 0 };
	json_object	*j;
	char		*js, url[4200];
	size_t		 i, n;
	int		 c;

	test_config(&cfg);
	sample(&x);
	sample_env(&env);

	T_BEGIN("writer: json-c's bytes, compact and pretty");
	T_ASSERT(both_like_jsonc(&cfg, &x, &env, 1));
	T_ASSERT(both_like_jsonc(&cfg, &x, NULL, 1));
	T_ASSERT(both_like_jsonc(NULL, &x, NULL, 1));
	js = alert_json(&cfg, &x, &env, 1, true);
	T_ASSERT(js[strlen(js) - 1] == '}');	/* no newline after */
	T_ASSERT(strstr(js, "\n  \"extensions\": {\n  },\n") != NULL);
	T_ASSERT(strstr(js, "\n  \"attachments\": [\n  ],\n") != NULL);
	T_ASSERT(strstr(js, "\n    }\n  ],\n") != NULL);
	free(js);
	T_END();

	T_BEGIN("writer: every byte 0x01-0xff in a value");
	/*
	 * 0x00 cannot reach the writer: every value of struct extract and
	 * struct envelope is a C string.  The rest, each byte once, then
	 * the same bytes as a URL, a display name and a file name.
	 */
	for (c = 1; c < 256; c++)
		sb_putc(&in, (char)c);
	sb_puts(&in, "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80");	/* valid */
	free(x.subject);
	x.subject = xstrdup(in.s);
	strlist_add(&x.urls, in.s);
	strlist_add(&x.urls, "http://plain.example/");
	addrlist_add(&x.from, in.s, "c@evil.example");
	free(x.att[0].name);
	x.att[0].name = xstrdup(in.s);
	T_ASSERT(both_like_jsonc(&cfg, &x, &env, 1));
	/* What the value must look like: json-c's escapes for 0x01-0x1f,
	 * '"' and '\\'; '/' and DEL as they are; each byte >= 0x80 (none
	 * of them valid alone) one U+FFFD; valid UTF-8 as it is. */
	sb_puts(&want, "\"Subject\":\"");
	for (c = 1; c < 256; c++) {
		switch (c) {
		case '\b': sb_puts(&want, "\\b"); break;
		case '\t': sb_puts(&want, "\\t"); break;
		case '\n': sb_puts(&want, "\\n"); break;
		case '\f': sb_puts(&want, "\\f"); break;
		case '\r': sb_puts(&want, "\\r"); break;
		case '"': sb_puts(&want, "\\\""); break;
		case '\\': sb_puts(&want, "\\\\"); break;
		default:
			if (c < 0x20)
				sb_printf(&want, "\\u%04x", c);
			else if (c < 0x80)
				sb_putc(&want, (char)c);
			else
				sb_puts(&want, "\xef\xbf\xbd");
		}
	}
	sb_puts(&want, "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\",");
	js = alert_json(&cfg, &x, &env, 1, false);
	T_ASSERT(strstr(js, want.s) != NULL);
	T_ASSERT(strstr(js, "\\/") == NULL);
	j = json_tokener_parse(js);
	T_ASSERT(j != NULL);
	/* found_url with an item to escape: escaped as one string */
	T_ASSERT(evs(j, "found_url") != NULL &&
	    strncmp(evs(j, "found_url"), "http://evil.example/login,", 26) ==
	    0);
	T_ASSERT(strstr(evs(j, "found_url"), ",http://plain.example/") !=
	    NULL);
	T_STREQ(evs(j, "url_4"), "http://plain.example/");
	T_STREQ(evs(j, "url_3"), evs(j, "Subject"));
	T_STREQ(evs(j, "file_name_1"), evs(j, "Subject"));
	T_ASSERT((size_t)json_object_object_length(event0(j)) ==
	    event_keys(js));
	json_object_put(j);
	free(js);
	T_END();

	T_BEGIN("writer: empty values");
	free(x.subject);
	x.subject = xstrdup("");
	strlist_free(&x.urls);
	strlist_add(&x.urls, "");
	strlist_add(&x.urls, "http://a.example/");
	strlist_add(&x.urls, "");
	addrlist_free(&x.from);
	addrlist_add(&x.from, "", "");
	free(x.att[0].name);
	x.att[0].name = xstrdup("");
	T_ASSERT(both_like_jsonc(&cfg, &x, &env, 1));
	js = alert_json(&cfg, &x, &env, 1, false);
	T_ASSERT(strstr(js, ",\"Subject\":\"\",\"EmailSubject\":\"\",") !=
	    NULL);
	T_ASSERT(strstr(js, ",\"found_url\":\"http://a.example/\",") != NULL);
	T_ASSERT(strstr(js, ",\"url_2\":\"http://a.example/\",") != NULL);
	T_ASSERT(strstr(js, "\"url_1\"") == NULL);
	T_ASSERT(strstr(js, "\"file_name_1\"") == NULL);
	T_ASSERT(strstr(js, ",\"file_type_1\":\"application/pdf\",") != NULL);
	free(js);
	T_END();

	T_BEGIN("writer: integers");
	x.date_ms = -1;
	cfg.priority = -5;
	x.att[0].size = 0;
	T_ASSERT(both_like_jsonc(&cfg, &x, &env, INT64_MIN));
	js = alert_json(&cfg, &x, &env, INT64_MIN, false);
	T_ASSERT(strstr(js, ",\"start_time\":-9223372036854775808,"
	    "\"end_time\":-9223372036854775808,\"priority\":-5,") != NULL);
	T_ASSERT(strstr(js, ",\"file_size_1\":0,") != NULL);
	free(js);
	js = alert_json(&cfg, &x, &env, INT64_MAX, false);
	T_ASSERT(strstr(js, "{\"StartTime\":9223372036854775807,") != NULL);
	T_ASSERT(like_jsonc(js, false));
	free(js);
	x.date_ms = 0;
	js = alert_json(&cfg, &x, &env, 5, false);
	T_ASSERT(strstr(js, "{\"StartTime\":0,\"EndTime\":0,") != NULL);
	free(js);
	cfg.priority = 60;
	T_END();

	T_BEGIN("writer: each key once, past the table of names too");
	strlist_free(&x.urls);
	for (i = 0; i < 1500; i++) {
		snprintf(url, sizeof(url), "http://u%zu.example/%s", i,
		    i % 7 == 0 ? "q\"\x01" : "");
		strlist_add(&x.urls, url);
	}
	T_ASSERT(both_like_jsonc(&cfg, &x, &env, 1));
	js = alert_json(&cfg, &x, &env, 1, false);
	j = json_tokener_parse(js);
	T_ASSERT(j != NULL);
	T_ASSERT((size_t)json_object_object_length(event0(j)) ==
	    event_keys(js));
	for (i = 1; i <= 1500; i += 499) {
		sb_reset(&pat);
		sb_printf(&pat, ",\"url_%zu\":", i);
		T_ASSERT(strstr(js, pat.s) != NULL &&
		    strstr(strstr(js, pat.s) + 1, pat.s) == NULL);
	}
	T_STREQ(evs(j, "url_1001"), "http://u1000.example/");
	T_STREQ(evs(j, "url_1500"), "http://u1499.example/");
	json_object_put(j);
	free(js);
	T_END();

	T_BEGIN("writer: huge values against the budget, json-c's bytes");
	/* Values near the caps, a third of them to escape: found_url hits
	 * LIST_MAX, the url_N keys the event budget. */
	strlist_free(&x.urls);
	for (i = 0; i < 3000; i++) {
		memset(url, i % 3 == 0 ? '\\' : 'a', sizeof(url) - 1);
		url[sizeof(url) - 1] = '\0';
		n = (size_t)snprintf(url, sizeof(url), "http://%zu.example/",
		    i);
		url[n] = 'x';
		strlist_add(&x.urls, url);
	}
	free(x.subject);
	memset(url, '\x1f', sizeof(url) - 1);
	x.subject = xstrndup(url, sizeof(url) - 1);
	T_ASSERT(both_like_jsonc(&cfg, &x, &env, 1));
	js = alert_json(&cfg, &x, &env, 1, false);
	T_ASSERT(strlen(js) < 4500000);
	j = json_tokener_parse(js);
	T_ASSERT(j != NULL);
	T_STREQ(evs(j, "truncated"), "value_length,alert_size");
	T_ASSERT(has(event0(j), "url_1"));
	T_ASSERT(!has(event0(j), "url_3000"));
	T_ASSERT(strlen(evs(j, "found_url")) <= 65536);
	T_ASSERT(strlen(evs(j, "Subject")) == sizeof(url) - 1);
	T_ASSERT((size_t)json_object_object_length(event0(j)) ==
	    event_keys(js));
	json_object_put(j);
	free(js);
	T_END();

	sb_free(&in);
	sb_free(&want);
	sb_free(&pat);
	strlist_free(&env.rcpts);
	extract_free(&x);
}

static void
test_attach_eml(void)
{
	static const char *const vec[][2] = {	/* RFC 4648 section 10 */
		{ "", "" }, { "f", "Zg==" }, { "fo", "Zm8=" },
		{ "foo", "Zm9v" }, { "foob", "Zm9vYg==" },
		{ "fooba", "Zm9vYmE=" }, { "foobar", "Zm9vYmFy" },
	};
	static const char raw[] = "Subject: Your invoice\r\n\r\nPay \xff "
	    "now\r\n";
	struct config	 cfg;
	struct extract	 x;
	struct envelope	 env;
	json_object	*j, *a, *at, *v;
	char		 out[16];
	size_t		 i;

	T_BEGIN("base64 (RFC 4648 vectors)");
	for (i = 0; i < ARRAY_LEN(vec); i++) {
		T_ASSERT(DIGEST_BASE64_LEN(strlen(vec[i][0])) ==
		    strlen(vec[i][1]));
		digest_base64(vec[i][0], strlen(vec[i][0]), out);
		T_STREQ(out, vec[i][1]);
	}
	T_END();

	test_config(&cfg);
	sample(&x);
	memset(&env, 0, sizeof(env));
	env.mode = "milter";
	env.raw = raw;
	env.raw_len = sizeof(raw) - 1;

	T_BEGIN("attach_eml off: no attachment, no flag");
	j = load(&cfg, &x, &env, 1);
	T_ASSERT(json_object_object_get_ex(j, "attachments", &a));
	T_ASSERT(json_object_array_length(a) == 0);
	T_ASSERT(evs(j, "truncated") == NULL);
	json_object_put(j);
	T_END();

	T_BEGIN("attach_eml: the message as an Attachment object");
	cfg.attach_eml = true;
	cfg.attach_eml_max_bytes = 1024;
	T_ASSERT(both_like_jsonc(&cfg, &x, &env, 1));
	j = load(&cfg, &x, &env, 1);
	T_ASSERT(json_object_object_get_ex(j, "attachments", &a));
	T_ASSERT(json_object_array_length(a) == 1);
	at = json_object_array_get_idx(a, 0);
	T_ASSERT(json_object_object_get_ex(at, "base64_blob", &v));
	T_STREQ(json_object_get_string(v), "U3ViamVjdDogWW91ciBpbnZvaWNlDQoNClBh"
	    "eSD/IG5vdw0K");
	T_ASSERT(json_object_object_get_ex(at, "type", &v));
	T_STREQ(json_object_get_string(v), ".eml");
	T_ASSERT(json_object_object_get_ex(at, "name", &v));
	T_STREQ(json_object_get_string(v), x.subject);
	T_ASSERT(json_object_object_get_ex(at, "orig_size", &v));
	T_ASSERT(json_object_get_int64(v) == (int64_t)sizeof(raw) - 1);
	T_ASSERT(json_object_object_get_ex(at, "size", &v));
	T_ASSERT(json_object_get_int64(v) == 48);
	T_ASSERT(json_object_object_get_ex(at, "is_favorite", &v) &&
	    json_object_get_type(v) == json_type_boolean &&
	    !json_object_get_boolean(v));
	T_ASSERT(json_object_object_get_ex(at, "identifier", &v) &&
	    v == NULL);
	T_ASSERT(evs(j, "truncated") == NULL);
	json_object_put(j);
	T_END();

	T_BEGIN("attach_eml: too large, truncated or absent: flagged");
	cfg.attach_eml_max_bytes = sizeof(raw) - 2;
	j = load(&cfg, &x, &env, 1);
	T_ASSERT(json_object_object_get_ex(j, "attachments", &a));
	T_ASSERT(json_object_array_length(a) == 0);
	T_STREQ(evs(j, "truncated"), "eml_attachment");
	json_object_put(j);
	cfg.attach_eml_max_bytes = 1024;
	env.truncated = true;
	j = load(&cfg, &x, &env, 1);
	T_ASSERT(json_object_object_get_ex(j, "attachments", &a));
	T_ASSERT(json_object_array_length(a) == 0);
	T_STREQ(evs(j, "truncated"), "collector,eml_attachment");
	json_object_put(j);
	env.truncated = false;
	env.raw = NULL;
	j = load(&cfg, &x, &env, 1);
	T_ASSERT(json_object_object_get_ex(j, "attachments", &a));
	T_ASSERT(json_object_array_length(a) == 0);
	T_STREQ(evs(j, "truncated"), "eml_attachment");
	json_object_put(j);
	T_END();
	extract_free(&x);
}

int
main(void)
{
	test_normalise();
	test_id();
	test_exact();
	test_shape();
	test_recipients();
	test_utf8();
	test_bounds();
	test_writer();
	test_attach_eml();
	return t_done();
}
