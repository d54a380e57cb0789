/*
 * digest - SHA-256 and MD5 over byte strings, as lowercase hex, and
 * base64.  The only module that uses libcrypto.  Thread-safe.
 */
#ifndef SOAR_DIGEST_H
#define SOAR_DIGEST_H

#include <stddef.h>

#define DIGEST_SHA256_HEX	65	/* 64 hex digits + NUL */
#define DIGEST_MD5_HEX		33

enum digest_alg { DIGEST_SHA256, DIGEST_MD5 };

struct digest;				/* opaque streaming context */

struct digest	*digest_new(enum digest_alg);
void		 digest_update(struct digest *, const void *, size_t);
/* Writes hex into out (DIGEST_*_HEX bytes) and frees the context. */
void		 digest_final_hex(struct digest *, char *out);

void	digest_sha256_hex(const void *, size_t, char out[DIGEST_SHA256_HEX]);
void	digest_md5_hex(const void *, size_t, char out[DIGEST_MD5_HEX]);

/* Length of the base64 text of n bytes (RFC 4648, padded, no line
 * breaks), without the NUL. */
#define DIGEST_BASE64_LEN(n)	((((n) + 2) / 3) * 4)
/* Writes the base64 text of p[0..n) into out (DIGEST_BASE64_LEN(n) + 1
 * bytes, NUL-terminated). */
void	digest_base64(const void *p, size_t n, char *out);

#endif
