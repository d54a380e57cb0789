/*
 * test-metrics - the Prometheus text page and its atomic rewrite.
 */
#include "autoconfig.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "metrics.h"
#include "util.h"

#include "t.h"

/* slurp - the whole file (new string), or NULL */
static char *
slurp(const char *path)
{
	FILE	*f;
	char	*s;
	long	 n;

	if ((f = fopen(path, "r")) == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	s = xmalloc((size_t)n + 1);
	s[fread(s, 1, (size_t)n, f)] = '\0';
	fclose(f);
	return s;
}

int
main(void)
{
	struct metrics	 m = { { NULL, 0, 0 }, NULL };
	struct errbuf	 err;
	struct stat	 st;
	char		 dir[] = "/tmp/test-metrics.XXXXXX", *path, *got, *tmp;

	T_BEGIN("page: HELP and TYPE once per name, labels, escapes");
	metrics_add(&m, "x_total", METRIC_COUNTER, "Things.\nSecond \\ line",
	    NULL, NULL, 0);
	metrics_add(&m, "x_by_total", METRIC_COUNTER, "By result.", "result",
	    "ok", 18446744073709551615ULL);
	metrics_add(&m, "x_by_total", METRIC_COUNTER, "", "result",
	    "a\"b\\c\nd", 2);
	metrics_add(&m, "x_pending", METRIC_GAUGE, "Now.", NULL, NULL, 7);
	T_STREQ(m.sb.s,
	    "# HELP x_total Things.\\nSecond \\\\ line\n"
	    "# TYPE x_total counter\n"
	    "x_total 0\n"
	    "# HELP x_by_total By result.\n"
	    "# TYPE x_by_total counter\n"
	    "x_by_total{result=\"ok\"} 18446744073709551615\n"
	    "x_by_total{result=\"a\\\"b\\\\c\\nd\"} 2\n"
	    "# HELP x_pending Now.\n"
	    "# TYPE x_pending gauge\n"
	    "x_pending 7\n");
	T_END();

	T_BEGIN("write: replaces the file, leaves no temporary file");
	T_ASSERT(mkdtemp(dir) != NULL);
	path = xasprintf("%s/soar-milter.prom", dir);
	err.msg[0] = '\0';
	T_ASSERT(metrics_write(&m, path, &err) == 0);
	got = slurp(path);
	T_STREQ(got, m.sb.s);
	free(got);
	T_ASSERT(stat(path, &st) == 0 && (st.st_mode & 0777) == 0644);
	metrics_free(&m);
	metrics_add(&m, "y", METRIC_GAUGE, "Y.", NULL, NULL, 1);
	T_ASSERT(metrics_write(&m, path, &err) == 0);
	got = slurp(path);
	T_STREQ(got, "# HELP y Y.\n# TYPE y gauge\ny 1\n");
	free(got);
	tmp = xasprintf("%s.tmp.%ld", path, (long)getpid());
	T_ASSERT(access(tmp, F_OK) == -1);
	free(tmp);
	T_END();

	T_BEGIN("write: a missing directory is an error naming the file");
	free(path);
	path = xasprintf("%s/no/such/dir/m.prom", dir);
	T_ASSERT(metrics_write(&m, path, &err) == -1);
	T_ASSERT(strstr(err.msg, "/no/such/dir/m.prom.tmp.") != NULL);
	T_ASSERT(strstr(err.msg, "No such file") != NULL);
	free(path);
	metrics_free(&m);

	path = xasprintf("%s/soar-milter.prom", dir);
	(void)unlink(path);
	free(path);
	(void)rmdir(dir);
	T_END();
	return t_done();
}
