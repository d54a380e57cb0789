/*
 * digest - SHA-256 / MD5 through OpenSSL's EVP interface.  See digest.h.
 *
 * With OpenSSL 3, EVP_sha256() and EVP_md5() are legacy handles: every
 * EVP_DigestInit_ex() with one of them fetches the provider's
 * implementation again (name lookup, property query, locks), some
 * thousands of instructions per context.  So both are fetched once,
 * under pthread_once(), and the fetched EVP_MD objects (immutable,
 * shareable between threads) are used for every context.
 */
#include "autoconfig.h"

#include <openssl/evp.h>
#include <openssl/opensslv.h>

#include "digest.h"
#include <pthread.h>
#include <stdlib.h>

#include "util.h"

struct digest {
	EVP_MD_CTX	*ctx;
};

static pthread_once_t	 md_once = PTHREAD_ONCE_INIT;
static const EVP_MD	*md_sha256;
static const EVP_MD	*md_md5;

/* md_init - fetch the two algorithms once (legacy handles as fallback) */
static void
md_init(void)
{
#if OPENSSL_VERSION_NUMBER >= 0x30000000L
	md_sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
	md_md5 = EVP_MD_fetch(NULL, "MD5", NULL);
#endif
	if (md_sha256 == NULL)
		md_sha256 = EVP_sha256();
	if (md_md5 == NULL)
		md_md5 = EVP_md5();
}

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

	if (pthread_once(&md_once, md_init) != 0)
		ASSERT(!"pthread_once");
	d = xmalloc(sizeof(*d));
	if ((d->ctx = EVP_MD_CTX_new()) == NULL)
		ASSERT(!"EVP_MD_CTX_new");
	if (EVP_DigestInit_ex(d->ctx,
	    alg == DIGEST_MD5 ? md_md5 : md_sha256, NULL) != 1)
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

/* digest_base64 - p[0..n) as base64, in chunks EVP_EncodeBlock takes */
void
digest_base64(const void *p, size_t n, char *out)
{
	const unsigned char	*in = p;
	size_t			 k;
	/* a multiple of 3 so that only the last chunk is padded */
	const size_t		 chunk = 3 * 1024 * 1024;

	while (n > 0) {
		k = n < chunk ? n : chunk;
		out += EVP_EncodeBlock((unsigned char *)out, in, (int)k);
		in += k;
		n -= k;
	}
	*out = '\0';
}
