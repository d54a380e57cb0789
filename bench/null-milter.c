/*
 * null-milter - the do-nothing milter of bench/postfix.  It asks the MTA
 * for the same protocol steps and no-reply flags as soar-milter (so the
 * MTA sends the same envelope, headers and body over the same socket),
 * looks at nothing and answers "continue".  The difference between its
 * throughput and soar-milter's is the cost of the work soar-milter does.
 *
 *   cc -O2 -o null-milter bench/null-milter.c -lmilter -lpthread
 *   null-milter inet:PORT@127.0.0.1
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libmilter/mfapi.h>

#define STEPS	(SMFIP_NODATA | SMFIP_NOUNKNOWN | SMFIP_SKIP | \
		 SMFIP_HDR_LEADSPC | SMFIP_NR_CONN | SMFIP_NR_HELO | \
		 SMFIP_NR_MAIL | SMFIP_NR_RCPT | SMFIP_NR_HDR | SMFIP_NR_EOH)

static sfsistat
nm_negotiate(SMFICTX *ctx, unsigned long f0, unsigned long f1,
    unsigned long f2, unsigned long f3, unsigned long *pf0,
    unsigned long *pf1, unsigned long *pf2, unsigned long *pf3)
{
	*pf0 = 0;
	*pf1 = (STEPS & f1) | SMFIP_NODATA | SMFIP_NOUNKNOWN;
	*pf2 = *pf3 = 0;
	smfi_setpriv(ctx, NULL);
	return SMFIS_CONTINUE;
}

static sfsistat
nm_noreply(SMFICTX *ctx)
{
	return SMFIS_NOREPLY;
}

static sfsistat
nm_connect(SMFICTX *ctx, char *host, _SOCK_ADDR *sa)
{
	return SMFIS_NOREPLY;
}

static sfsistat
nm_helo(SMFICTX *ctx, char *helo)
{
	return SMFIS_NOREPLY;
}

static sfsistat
nm_env(SMFICTX *ctx, char **argv)
{
	return SMFIS_NOREPLY;
}

static sfsistat
nm_header(SMFICTX *ctx, char *name, char *value)
{
	return SMFIS_NOREPLY;
}

static sfsistat
nm_body(SMFICTX *ctx, unsigned char *chunk, size_t len)
{
	return SMFIS_CONTINUE;
}

static sfsistat
nm_continue(SMFICTX *ctx)
{
	return SMFIS_CONTINUE;
}

int
main(int argc, char **argv)
{
	struct smfiDesc	d;

	if (argc != 2) {
		fprintf(stderr, "usage: null-milter inet:PORT@HOST\n");
		return 64;
	}
	memset(&d, 0, sizeof(d));
	d.xxfi_name = "null-milter";
	d.xxfi_version = SMFI_VERSION;
	d.xxfi_flags = 0;
	d.xxfi_connect = nm_connect;
	d.xxfi_helo = nm_helo;
	d.xxfi_envfrom = nm_env;
	d.xxfi_envrcpt = nm_env;
	d.xxfi_header = nm_header;
	d.xxfi_eoh = nm_noreply;
	d.xxfi_body = nm_body;
	d.xxfi_eom = nm_continue;
	d.xxfi_abort = nm_continue;
	d.xxfi_close = nm_continue;
	d.xxfi_negotiate = nm_negotiate;
	if (smfi_setconn(argv[1]) != MI_SUCCESS ||
	    smfi_register(d) != MI_SUCCESS) {
		fprintf(stderr, "null-milter: bad socket %s\n", argv[1]);
		return 1;
	}
	return smfi_main() == MI_SUCCESS ? 0 : 1;
}
