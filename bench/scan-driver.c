/*
 * scan-driver - `soar-milter scan` as bench/scan measures it: the same
 * per-message work as scan_one() in src/main.c, over messages that are
 * already in memory, timed.
 *
 * Usage: scan-driver [--passes N] [--out FILE] [--now MS] [-f LIST]
 *            [FILE|DIR]...
 *
 * Built-in configuration defaults (as `soar-milter scan` without a
 * config file).  All files are read first; then, timed, for each
 * message: extract_message(), alert_json() (which derives the stable id)
 * and the JSON line written with stdio to FILE (default /dev/null), then
 * freed: building and writing the JSON is part of the job, only the
 * pipe to a consumer is left out.  With --out and --now the output is
 * byte-identical to `soar-milter scan --now MS FILE...` (bench/scan
 * checks this), so the figure is that of scan's own code path.
 * Prints one RESULT line (see bench.h); urls is the total of URLs found.
 */
#include "autoconfig.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "alert.h"
#include "config.h"
#include "extract.h"
#include "log.h"
#include "urlscan.h"
#include "util.h"

#include "bench.h"

/* scan_one - what scan does per message, output to out */
static size_t
scan_one(const struct config *cfg, FILE *out, const char *name,
    const char *raw, size_t len, int64_t now_ms)
{
	struct extract	 x;
	struct envelope	 env;
	struct errbuf	 err;
	char		*json;
	size_t		 nurls;

	memset(&x, 0, sizeof(x));
	memset(&env, 0, sizeof(env));
	if (extract_message(cfg, raw, len, &x, &err) == -1)
		fprintf(stderr, "scan-driver: %s: %s\n", name, err.msg);
	if ((uint64_t)len > x.bytes)
		x.bytes = len;		/* as scan: the real size */
	env.mode = "scan";
	env.source = name;
	json = alert_json(cfg, &x, &env, now_ms, false);
	fputs(json, out);
	fputc('\n', out);
	free(json);
	nurls = x.urls.n;
	extract_free(&x);
	return nurls;
}

int
main(int argc, char **argv)
{
	struct bench_set set;
	struct config	 cfg;
	struct errbuf	 err;
	FILE		*out;
	struct bench_time t0, t1;
	uint64_t	 urls = 0;
	int64_t		 now_ms;
	size_t		 i;
	long		 p;

	bench_args("scan-driver", argc, argv, &set, 1);
	config_defaults(&cfg);
	if (config_validate(&cfg, &err) == -1)
		bench_die("scan-driver", "config: %s", err.msg);
	log_open("scan-driver", false, LOG_MAIL, LOG_LVL_INFO);
	if (urlscan_init(&cfg, &err) == -1 || extract_init(&cfg, &err) == -1)
		bench_die("scan-driver", "%s", err.msg);
	if ((out = fopen(set.out, "w")) == NULL)
		bench_die("scan-driver", "%s: cannot open for writing",
		    set.out);
	now_ms = set.now_ms >= 0 ? set.now_ms : util_now_ms();

	t0 = bench_clock();
	for (p = 0; p < set.passes; p++) {
		for (i = 0; i < set.n; i++)
			urls += scan_one(&cfg, out, set.v[i].path,
			    set.v[i].data, set.v[i].len, now_ms);
		fflush(out);
	}
	t1 = bench_clock();

	if (fclose(out) != 0)
		bench_die("scan-driver", "%s: write error", set.out);
	bench_result("scan", &set, t0, t1, "urls", urls);
	extract_shutdown();
	urlscan_shutdown();
	log_close();
	config_free(&cfg);
	bench_free(&set);
	return 0;
}
