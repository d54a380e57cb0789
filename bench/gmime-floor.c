/*
 * gmime-floor - the floor of bench/scan: the least work any GMime-based
 * extractor must do per message, nothing else.
 *
 * Usage: gmime-floor [--passes N] [-f LIST] [FILE|DIR]...
 *
 * All files are read into memory first; then, timed, for each message:
 * a GMimeStreamMem over the bytes and a GMimeParser building the
 * message (as src/mime.c does), a walk over every part (multiparts and
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

/* floor_one - parse one message and decode its text parts */
static guint64
floor_one(const char *data, size_t len)
{
	GMimeStream	*stream;
	GMimeParser	*parser;
	GMimeMessage	*msg;
	guint64		 n = 0;

	stream = g_mime_stream_mem_new_with_buffer(data, len);
	parser = g_mime_parser_new_with_stream(stream);
	g_object_unref(stream);
	msg = g_mime_parser_construct_message(parser, NULL);
	g_object_unref(parser);
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
	double		 t0, t1;
	guint64		 text = 0;
	size_t		 i;
	long		 p;

	bench_args("gmime-floor", argc, argv, &set, 0);
	g_mime_init();
	text_mem = g_mime_stream_mem_new();

	t0 = bench_clock();
	for (p = 0; p < set.passes; p++)
		for (i = 0; i < set.n; i++)
			text += floor_one(set.v[i].data, set.v[i].len);
	t1 = bench_clock();

	bench_result("gmime-floor", &set, t1 - t0, "text_bytes", text);
	g_object_unref(text_mem);
	g_mime_shutdown();
	bench_free(&set);
	return 0;
}
