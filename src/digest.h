/*
 * digest - SHA-256 and MD5 over byte strings, as lowercase hex.
 * The only module that uses libcrypto.  Thread-safe.
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

#endif
