/*
 * digest - SHA-256 / MD5 through OpenSSL's EVP interface.  See digest.h.
 */
#include "autoconfig.h"

#include <openssl/evp.h>

#include "digest.h"
#include <stdlib.h>

#include "util.h"

struct digest {
	EVP_MD_CTX	*ctx;
};

static void
to_hex(const unsigned char *md, unsigned int n, char *out)
{
	static const char	hex[] = "0123456789abcdef";
	unsigned int		i;

	for (i = 0; i < n; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 0xf];
	}
	out[2 * n] = '\0';
}

struct digest *
digest_new(enum digest_alg alg)
{
	struct digest	*d;

	d = xmalloc(sizeof(*d));
	if ((d->ctx = EVP_MD_CTX_new()) == NULL)
		ASSERT(!"EVP_MD_CTX_new");
	if (EVP_DigestInit_ex(d->ctx,
	    alg == DIGEST_MD5 ? EVP_md5() : EVP_sha256(), NULL) != 1)
		ASSERT(!"EVP_DigestInit_ex");
	return d;
}

void
digest_update(struct digest *d, const void *p, size_t n)
{
	if (n > 0)
		EVP_DigestUpdate(d->ctx, p, n);
}

void
digest_final_hex(struct digest *d, char *out)
{
	unsigned char	md[EVP_MAX_MD_SIZE];
	unsigned int	n = 0;

	EVP_DigestFinal_ex(d->ctx, md, &n);
	to_hex(md, n, out);
	EVP_MD_CTX_free(d->ctx);
	free(d);
}

void
digest_sha256_hex(const void *p, size_t n, char out[DIGEST_SHA256_HEX])
{
	struct digest	*d = digest_new(DIGEST_SHA256);

	digest_update(d, p, n);
	digest_final_hex(d, out);
}

void
digest_md5_hex(const void *p, size_t n, char out[DIGEST_MD5_HEX])
{
	struct digest	*d = digest_new(DIGEST_MD5);

	digest_update(d, p, n);
	digest_final_hex(d, out);
}
