/*
 * extract - raw RFC 5322 bytes -> struct extract: the facts an alert is
 * made of.  Implemented in mime.c (the only module that uses GMime and
 * GLib); URL finding is delegated to urlscan.
 *
 * Input is hostile.  Every bound comes from struct config and, when hit,
 * sets a flag in struct extract (never an error): a hostile message
 * costs bounded time and memory and still yields what was found.
 *
 * Accepts CRLF or LF line endings (a lone CR counts as LF), an optional
 * leading mbox "From " line, UTF-8 BOM and blank lines before the
 * header; none of them changes any extracted value, nor the content
 * hash.  The max_message_bytes bound applies to the normalised bytes.
 *
 * Thread-safe after extract_init() (call once, before threads start).
 * Everything in struct extract is owned by it; extract_free() releases it.
 */
#ifndef SOAR_EXTRACT_H
#define SOAR_EXTRACT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "digest.h"
#include "util.h"

struct config;

/* Bits of struct extract.flags: which bound was hit or what was wrong. */
#define EXF_TRUNC_BYTES		0x0001	/* max_message_bytes: rest unread */
#define EXF_TRUNC_HEADER	0x0002	/* a header longer than max_header_bytes */
#define EXF_TRUNC_DEPTH		0x0004	/* MIME nesting deeper than max_mime_depth */
#define EXF_TRUNC_PARTS		0x0008	/* more than max_mime_parts parts */
#define EXF_TRUNC_URLS		0x0010	/* more than max_urls URLs */
#define EXF_TRUNC_URL_LEN	0x0020	/* a URL longer than max_url_length */
#define EXF_REGEX_LIMIT		0x0040	/* PCRE2 match limit hit in a part */
#define EXF_TRUNC_ATTACH	0x0080	/* more than max_attachments */
#define EXF_NO_HEADERS		0x0100	/* no header field at all: not mail */
#define EXF_BAD_DATE		0x0200	/* Date missing, unparseable, < 1970 */
#define EXF_NO_MESSAGE_ID	0x0400	/* no usable Message-ID: id from content */
#define EXF_CHARSET		0x0800	/* unknown charset, fell back */
#define EXF_PARSE_DEFECT	0x1000	/* parser reported structural defects */
#define EXF_BIDI		0x2000	/* bidi control in subject, name, file name */
#define EXF_DUP_HEADER		0x4000	/* From, To, Subject... more than once */

struct address {
	char	*name;			/* decoded display name, UTF-8, or NULL */
	char	*addr;			/* addr-spec "local@domain", or NULL */
};

struct addrlist {
	struct address	*v;
	size_t		 n;
	size_t		 cap;
};

struct attachment {
	char	*name;			/* decoded file name (RFC 2231/2047) or NULL */
	char	*type;			/* "type/subtype", lowercase */
	uint64_t size;			/* decoded bytes */
	char	 sha256[DIGEST_SHA256_HEX];
	char	 md5[DIGEST_MD5_HEX];
};

struct extract {
	char		*message_id;	/* as in the header, trimmed; or NULL */
	char		*subject;	/* RFC 2047 decoded UTF-8, or NULL */
	char		*date;		/* raw Date header, or NULL */
	int64_t		 date_ms;	/* unix ms, -1 if missing/unparseable */
	struct addrlist	 from;
	struct addrlist	 to;
	struct addrlist	 cc;
	struct addrlist	 reply_to;
	char		*return_path;	/* addr-spec without <>, or NULL */
	char		*sender;	/* Sender: addr-spec, or NULL */
	char		*in_reply_to;
	char		*x_mailer;	/* X-Mailer or User-Agent */
	char		*auth_results;	/* first Authentication-Results, raw */
	char		*x_originating_ip;
	size_t		 received_hops;	/* top-level Received fields */
	/* the public client IPs of those fields, path order (the first hop
	 * first), de-duplicated; from the RECEIVED_MAX topmost fields */
	struct strlist	 received_ips;
	struct strlist	 urls;		/* de-duplicated, first-seen order */
	/* HTML links whose text shows another site than they lead to:
	 * link_shown[i] (the URL or host in the text) and link_target[i]
	 * (the href), at most URLSCAN_MISMATCH_MAX pairs */
	struct strlist	 link_shown;
	struct strlist	 link_target;
	struct attachment *att;
	size_t		 n_att;
	size_t		 n_parts;	/* MIME parts seen */
	size_t		 n_headers;
	uint64_t	 bytes;		/* size of the input */
	unsigned	 flags;		/* EXF_* */
	/*
	 * SHA-256 (hex) over canonical content, the basis of the id when
	 * there is no usable Message-ID (the rule: content_hash() in
	 * mime.c).  Computed only when it may be needed: unless message_id
	 * has text other than white space between its first '<' and the
	 * next '>' (docs/ALERT-ID.md); "" then.
	 */
	char		 content_sha256[DIGEST_SHA256_HEX];
};

/*
 * Once per process, before threads: GMime setup.  urlscan_init() (PCRE2)
 * is separate and must be called too.
 */
int	extract_init(const struct config *, struct errbuf *);
void	extract_shutdown(void);

/*
 * When GMime's structural warnings are collected: EXTRACT_CHECKS_AUTO
 * (default) parses without GMime's per-header checks unless the
 * message may draw a warning; EXTRACT_CHECKS_ALWAYS always has them on
 * (for tests: both must give the same result).  Call before threads.
 */
#define EXTRACT_CHECKS_AUTO	0
#define EXTRACT_CHECKS_ALWAYS	1
void	extract_set_checks(int);

/*
 * Parse raw[0..len) (len may exceed max_message_bytes: only that many
 * bytes are examined and EXF_TRUNC_BYTES is set) and fill out.  Never
 * fails on bad input; -1 only on a broken invariant (err says why),
 * and out is still valid to read and free.
 */
int	extract_message(const struct config *, const char *raw, size_t len,
	    struct extract *out, struct errbuf *err);

void	extract_free(struct extract *);

/* Human-readable names of set flags, comma-joined (new string). */
char	*extract_flags_str(unsigned flags);

/* Address list helpers (used by milter/imap for envelope recipients). */
void	addrlist_add(struct addrlist *, const char *name, const char *addr);
void	addrlist_free(struct addrlist *);

#endif
