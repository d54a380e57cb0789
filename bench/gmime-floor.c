/*
 * gmime-floor - the floor of bench/scan: the least work any GMime-based
 * extractor must do per message, nothing else.
 *
 * Usage: gmime-floor [--passes N] [-f LIST] [FILE|DIR]...
 *
 * All files are read into memory first; then, timed, for each message:
 * a GMimeStreamMem over the bytes (no copy) and a GMimeParser building
 * the message, set up as src/mime.c parse() does (message format,
 * persistent stream, the same loose parser options), a walk over every
 * part (multiparts and
 * message/rfc822 included), and for each text/plain and text/html part
 * the content written to a memory stream with transfer decoding and,
 * unless the part is already UTF-8 or US-ASCII, a charset filter to
 * UTF-8.  No headers are decoded, no URL is looked for, no hash, no
 * JSON.  Prints one RESULT line (see bench.h); text_bytes is the total
 * of decoded UTF-8 text, a check that the work was done.
 */
#include "autoconfig.h"

#include <string.h>

#include <gmime/gmime.h>

#include "bench.h"

#define FLOOR_MAX_DEPTH	64

/* is_utf8_compatible - no charset conversion needed for this label */
static int
is_utf8_compatible(const char *cs)
{
	return cs == NULL || g_ascii_strcasecmp(cs, "utf-8") == 0 ||
	    g_ascii_strcasecmp(cs, "utf8") == 0 ||
	    g_ascii_strcasecmp(cs, "us-ascii") == 0;
}

/*
 * One memory stream for the whole run, emptied before each part: the
 * decoded text lands in memory that is already there, as a tuned
 * extractor would arrange.
 */
static GMimeStream	*text_mem;

/* decode_text - transfer-decode and convert one text part to UTF-8 */
static guint64
decode_text(GMimePart *part)
{
	GMimeDataWrapper	*content;
	GMimeContentType	*ct;
	GMimeStream		*mem, *filtered;
	GMimeFilter		*conv;
	const char		*cs;
	GByteArray		*ba;
	guint64			 n;

	if ((content = g_mime_part_get_content(part)) == NULL)
		return 0;
	ct = g_mime_object_get_content_type(GMIME_OBJECT(part));
	cs = g_mime_content_type_get_parameter(ct, "charset");
	mem = text_mem;
	ba = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem));
	g_byte_array_set_size(ba, 0);
	g_mime_stream_reset(mem);
	filtered = g_mime_stream_filter_new(mem);
	if (!is_utf8_compatible(cs) &&
	    (conv = g_mime_filter_charset_new(cs, "UTF-8")) != NULL) {
		g_mime_stream_filter_add(GMIME_STREAM_FILTER(filtered), conv);
		g_object_unref(conv);
	}
	g_mime_data_wrapper_write_to_stream(content, filtered);
	g_mime_stream_flush(filtered);
	ba = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem));
	n = ba->len;
	g_object_unref(filtered);
	return n;
}

/* walk - every part below obj; text parts decoded */
static guint64
walk(GMimeObject *obj, int depth)
{
	GMimeMessage	*inner;
	GMimeContentType *ct;
	guint64		 n = 0;
	int		 i, count;

	if (obj == NULL || depth > FLOOR_MAX_DEPTH)
		return 0;
	if (GMIME_IS_MULTIPART(obj)) {
		count = g_mime_multipart_get_count(GMIME_MULTIPART(obj));
		for (i = 0; i < count; i++)
			n += walk(g_mime_multipart_get_part(
			    GMIME_MULTIPART(obj), i), depth + 1);
	} else if (GMIME_IS_MESSAGE_PART(obj)) {
		inner = g_mime_message_part_get_message(
		    GMIME_MESSAGE_PART(obj));
		if (inner != NULL)
			n += walk(g_mime_message_get_mime_part(inner),
			    depth + 1);
	} else if (GMIME_IS_PART(obj)) {
		ct = g_mime_object_get_content_type(obj);
		if (g_mime_content_type_is_type(ct, "text", "plain") ||
		    g_mime_content_type_is_type(ct, "text", "html"))
			n += decode_text(GMIME_PART(obj));
	}
	return n;
}

static GMimeParserOptions *floor_opts;

/* floor_init - GMime and parser options as extract_init() sets them */
static void
floor_init(void)
{
	g_mime_init();
	floor_opts = g_mime_parser_options_new();
	g_mime_parser_options_set_rfc2047_compliance_mode(floor_opts,
	    GMIME_RFC_COMPLIANCE_LOOSE);
	g_mime_parser_options_set_address_compliance_mode(floor_opts,
	    GMIME_RFC_COMPLIANCE_LOOSE);
	g_mime_parser_options_set_parameter_compliance_mode(floor_opts,
	    GMIME_RFC_COMPLIANCE_LOOSE);
	g_mime_parser_options_set_allow_addresses_without_domain(floor_opts,
	    TRUE);
	text_mem = g_mime_stream_mem_new();
}

/* floor_one - parse one message and decode its text parts */
static guint64
floor_one(GByteArray *ba)
{
	GMimeStream	*stream;
	GMimeParser	*parser;
	GMimeMessage	*msg;
	guint64		 n = 0;

	stream = g_mime_stream_mem_new_with_byte_array(ba);
	g_mime_stream_mem_set_owner(GMIME_STREAM_MEM(stream), FALSE);
	parser = g_mime_parser_new_with_stream(stream);
	g_mime_parser_set_format(parser, GMIME_FORMAT_MESSAGE);
	g_mime_parser_set_persist_stream(parser, TRUE);
	msg = g_mime_parser_construct_message(parser, floor_opts);
	g_object_unref(parser);
	g_object_unref(stream);
	if (msg != NULL) {
		n = walk(g_mime_message_get_mime_part(msg), 0);
		g_object_unref(msg);
	}
	return n;
}

int
main(int argc, char **argv)
{
	struct bench_set set;
	GByteArray	**bav;
	struct bench_time t0, t1;
	guint64		 text = 0;
	size_t		 i;
	long		 p;

	bench_args("gmime-floor", argc, argv, &set, 0);
	floor_init();
	/* GByteArrays over the loaded bytes, made before the clock starts */
	bav = g_new(GByteArray *, set.n);
	for (i = 0; i < set.n; i++) {
		bav[i] = g_byte_array_new_take((guint8 *)set.v[i].data,
		    set.v[i].len);
		set.v[i].data = NULL;
	}

	t0 = bench_clock();
	for (p = 0; p < set.passes; p++)
		for (i = 0; i < set.n; i++)
			text += floor_one(bav[i]);
	t1 = bench_clock();

	bench_result("gmime-floor", &set, t0, t1, "text_bytes", text);
	for (i = 0; i < set.n; i++)
		g_byte_array_unref(bav[i]);
	g_free(bav);
	g_object_unref(text_mem);
	g_mime_parser_options_free(floor_opts);
	g_mime_shutdown();
	bench_free(&set);
	return 0;
}
