/*
 * urlscan - find URLs in decoded UTF-8 text.  The only module that uses
 * PCRE2 (JIT when available, with a match limit from config).  Also
 * offers a compiled-regex wrapper for config-driven patterns.
 *
 * Plain text: http://, https://, ftp:// and www. forms (a www. form
 * only with a top-level domain of the Public Suffix List or a reserved
 * test name such as "example").  HTML: href,
 * src and the other link attribute values (also the lazy-loading
 * data-src, data-href, data-url, data-original, data-lazy-src; entities
 * decoded with the WHATWG table), srcset and imagesrcset candidates, CSS
 * url(), @import and image-set() in style attributes and <style>
 * elements (read as CSS only), script text (<script>, on* handler
 * attributes, javascript: links; "https:\/\/" JSON escapes read as
 * slashes), plus the visible text, joined across inline elements (<b>,
 * <span>, <font>, <a>, ...: "http://a.<b></b>example/" is one URL; the
 * text of one hidden by display:none or font-size:0 is scanned apart)
 * and broken at block ones.  A protocol-relative link ("//host/...")
 * gets the scheme of the document's http(s) <base href>, else "https:",
 * and a relative one after an http(s) <base href> is resolved against
 * it; in links, backslashes count as slashes and the host gets IDNA's
 * ignored characters dropped and full stops mapped, as a browser does;
 * in text, the invisible ones (soft hyphen, zero-width space and
 * joiners, word joiner, BOM) are dropped from a URL's host, as the
 * reader sees it.  Unicode spaces and C1 controls in a link are
 * percent-encoded, other non-ASCII characters kept.  No trailing
 * punctuation, angle brackets, quotes (also fullwidth and CJK ones),
 * arrows or symbols are kept.  Results are appended to a struct url_set
 * (de-duplicated, first-seen order, bounded by max_urls and
 * max_url_length with flags).
 *
 * Also: a "<URL>" wrapped across lines is joined (bounded look-ahead),
 * defanged hxxp://, [:]// and [://] forms, and [.], (.), {.}, [dot] and
 * (dot) in a host, are refanged, and the URL inside a Microsoft Safe
 * Links or Proofpoint URL Defense (v1-v3) wrapper is added right after
 * the wrapper.  Every URL returned is valid UTF-8 without control
 * characters.  Time is linear in the input.
 *
 * HTML links whose visible text shows a URL or host name of another
 * site (registrable domain, module domain) than the link's target are
 * kept in the set's shown / target lists (URLSCAN_MISMATCH_MAX pairs).
 *
 * Thread-safe after urlscan_init(): match data is per call.
 * urlscan_init() must come first (urlscan_text/html assert it).
 */
#ifndef SOAR_URLSCAN_H
#define SOAR_URLSCAN_H

#include <stdbool.h>
#include <stddef.h>

#include "util.h"

struct config;

struct url_set {
	struct strlist	 list;		/* the URLs, first-seen order */
	void		*index;		/* private: de-duplication index */
	size_t		 max_urls;
	size_t		 max_url_length;
	unsigned	 flags;		/* EXF_TRUNC_URLS|EXF_TRUNC_URL_LEN|EXF_REGEX_LIMIT */
	struct strlist	 shown, target;	/* link text / href mismatches */
};

/* Most link text / href mismatches kept per message. */
#define URLSCAN_MISMATCH_MAX	50

/*
 * The characters of a URL in text, as a PCRE2 class: what the prefix
 * pattern takes and the C scanner's run implements (urlscan.c says what
 * ends a URL and why; tests/unit/test-urlscan.c compares the two).
 */
#define URLSCAN_URL_CHAR \
	"[^\\x00-\\x20\\x7f\"<>\\x{80}-\\x{a0}\\x{ab}\\x{bb}\\x{1680}" \
	"\\x{2000}-\\x{200f}\\x{2018}-\\x{201e}" \
	"\\x{2028}-\\x{202f}\\x{2039}\\x{203a}\\x{205f}\\x{2060}" \
	"\\x{2190}-\\x{21ff}\\x{2600}-\\x{27bf}\\x{3000}-\\x{3002}" \
	"\\x{3008}-\\x{3011}\\x{feff}\\x{ff01}\\x{ff02}\\x{ff07}-\\x{ff09}" \
	"\\x{ff0c}\\x{ff1a}-\\x{ff1c}\\x{ff1e}\\x{ff1f}\\x{ff3b}\\x{ff3d}" \
	"\\x{ff5b}-\\x{ff5d}\\x{ff61}-\\x{ff64}\\x{fffd}]"


int	urlscan_init(const struct config *, struct errbuf *);
void	urlscan_shutdown(void);
/* Use PCRE2's interpreter even where its JIT works (tests; call before
 * urlscan_init and urlscan_re_compile). */
void	urlscan_disable_jit(bool);

/* max_urls, max_url_length: 0 means no limit. */
void	url_set_init(struct url_set *, size_t max_urls, size_t max_url_length);
/*
 * Add one URL (already clean): cut to max_url_length at a UTF-8
 * boundary (EXF_TRUNC_URL_LEN), ignored if already present; returns
 * false if full (a new URL past max_urls: EXF_TRUNC_URLS).
 */
bool	url_set_add(struct url_set *, const char *url, size_t len);
/* Move the list out into dst (dst is overwritten), then free the set. */
void	url_set_finish(struct url_set *, struct strlist *dst);
/* Before url_set_finish: move the link mismatches out (overwritten). */
void	url_set_finish_links(struct url_set *, struct strlist *shown,
	    struct strlist *target);
void	url_set_free(struct url_set *);

/*
 * Append the URLs of text[0..len) / html[0..len) to the set (NUL bytes
 * and invalid UTF-8 allowed).  A PCRE2 match error (match limit) stops
 * that scan and sets EXF_REGEX_LIMIT; what was found is kept.
 */
void	urlscan_text(struct url_set *, const char *text, size_t len);
void	urlscan_html(struct url_set *, const char *html, size_t len);

/* A compiled user pattern (e.g. alert_recipient_regex). */
struct urlscan_re;
struct urlscan_re *urlscan_re_compile(const char *pattern, bool caseless,
	    struct errbuf *);
/* 1 match, 0 no match, -1 error (match limit): callers treat as no. */
int	urlscan_re_match(const struct urlscan_re *, const char *s, size_t len);
void	urlscan_re_free(struct urlscan_re *);

#endif
