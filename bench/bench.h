/*
 * bench - what the C benchmark programs share: the command line
 * ([--passes N] [-f LIST] [FILE|DIR]...), reading every message into
 * memory before the clock starts, the clock itself and the RESULT line
 * that bench/scan parses.  Header-only (static functions) so that
 * gmime-floor needs nothing from libsoar.a.
 *
 * Timing: around the loop over the in-memory buffers, nothing else
 * inside, both CLOCK_MONOTONIC (wall) and CLOCK_PROCESS_CPUTIME_ID (CPU
 * time of this process, which a busy shared machine disturbs much less);
 * the Python reference does the same with time.perf_counter() and
 * time.process_time().  Rates in the RESULT line are per wall second;
 * cpu_seconds lets bench/scan compute them per CPU second.
 * MB = 10^6 bytes.
 */
#ifndef SOAR_BENCH_H
#define SOAR_BENCH_H

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

struct bench_msg {
	char	*path;
	char	*data;
	size_t	 len;
};

struct bench_set {
	struct bench_msg *v;
	size_t		  n;
	size_t		  cap;
	uint64_t	  bytes;
	long		  passes;
	const char	 *out;		/* --out FILE (scan-driver only) */
	int64_t		  now_ms;	/* --now MS (scan-driver only) */
};

static void __attribute__((noreturn, format(printf, 2, 3)))
bench_die(const char *prog, const char *fmt, ...)
{
	va_list	 ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static void *
bench_xrealloc(const char *prog, void *p, size_t n)
{
	if ((p = realloc(p, n == 0 ? 1 : n)) == NULL)
		bench_die(prog, "out of memory");
	return p;
}

/* bench_read - read one whole file into a new buffer (NUL-terminated) */
static void
bench_read(const char *prog, struct bench_set *set, const char *path)
{
	struct bench_msg *m;
	FILE		*fp;
	size_t		 cap = 65536, len = 0, got;
	char		*buf;

	if ((fp = fopen(path, "rb")) == NULL)
		bench_die(prog, "%s: %s", path, strerror(errno));
	buf = bench_xrealloc(prog, NULL, cap);
	for (;;) {
		if (len + 1 >= cap) {
			cap *= 2;
			buf = bench_xrealloc(prog, buf, cap);
		}
		got = fread(buf + len, 1, cap - len - 1, fp);
		len += got;
		if (got == 0)
			break;
	}
	if (ferror(fp))
		bench_die(prog, "%s: read error", path);
	fclose(fp);
	buf[len] = '\0';
	if (set->n == set->cap) {
		set->cap = set->cap ? set->cap * 2 : 256;
		set->v = bench_xrealloc(prog, set->v,
		    set->cap * sizeof(*set->v));
	}
	m = &set->v[set->n++];
	m->path = strdup(path);
	if (m->path == NULL)
		bench_die(prog, "out of memory");
	m->data = buf;
	m->len = len;
	set->bytes += len;
}

static int
bench_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* bench_read_dir - every *.eml below dir (one level), sorted by name */
static void
bench_read_dir(const char *prog, struct bench_set *set, const char *dir)
{
	DIR		*d;
	struct dirent	*de;
	char		**names = NULL, *p;
	size_t		 n = 0, cap = 0, i, l;

	if ((d = opendir(dir)) == NULL)
		bench_die(prog, "%s: %s", dir, strerror(errno));
	while ((de = readdir(d)) != NULL) {
		l = strlen(de->d_name);
		if (l < 5 || strcmp(de->d_name + l - 4, ".eml") != 0)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 256;
			names = bench_xrealloc(prog, names,
			    cap * sizeof(*names));
		}
		p = bench_xrealloc(prog, NULL, strlen(dir) + l + 2);
		sprintf(p, "%s/%s", dir, de->d_name);
		names[n++] = p;
	}
	closedir(d);
	qsort(names, n, sizeof(*names), bench_cmp);
	for (i = 0; i < n; i++) {
		bench_read(prog, set, names[i]);
		free(names[i]);
	}
	free(names);
}

/* bench_args - parse the common command line and load every message */
static void
bench_args(const char *prog, int argc, char **argv, struct bench_set *set,
    int with_out)
{
	struct stat	 st;
	FILE		*fp;
	char		 line[4096];
	size_t		 l;
	int		 i;

	memset(set, 0, sizeof(*set));
	set->passes = 1;
	set->out = "/dev/null";
	set->now_ms = -1;
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--passes") == 0 && i + 1 < argc) {
			set->passes = strtol(argv[++i], NULL, 10);
			if (set->passes < 1)
				bench_die(prog, "--passes: want >= 1");
		} else if (with_out && strcmp(argv[i], "--out") == 0 &&
		    i + 1 < argc) {
			set->out = argv[++i];
		} else if (with_out && strcmp(argv[i], "--now") == 0 &&
		    i + 1 < argc) {
			set->now_ms = strtoll(argv[++i], NULL, 10);
		} else if (strcmp(argv[i], "-f") == 0 && i + 1 < argc) {
			if ((fp = fopen(argv[++i], "r")) == NULL)
				bench_die(prog, "%s: %s", argv[i],
				    strerror(errno));
			while (fgets(line, sizeof(line), fp) != NULL) {
				l = strlen(line);
				while (l > 0 && (line[l - 1] == '\n' ||
				    line[l - 1] == '\r'))
					line[--l] = '\0';
				if (l > 0)
					bench_read(prog, set, line);
			}
			fclose(fp);
		} else if (argv[i][0] == '-' && argv[i][1] != '\0') {
			bench_die(prog, "usage: %s [--passes N]%s [-f LIST] "
			    "[FILE|DIR]...", prog,
			    with_out ? " [--out FILE] [--now MS]" : "");
		} else if (stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode)) {
			bench_read_dir(prog, set, argv[i]);
		} else {
			bench_read(prog, set, argv[i]);
		}
	}
	if (set->n == 0)
		bench_die(prog, "no message files given");
}

struct bench_time {
	double	wall;
	double	cpu;
};

static double
bench_ts(clockid_t id)
{
	struct timespec	 ts;

	clock_gettime(id, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* bench_clock - wall (monotonic) and process CPU seconds, now */
static struct bench_time
bench_clock(void)
{
	struct bench_time t;

	t.wall = bench_ts(CLOCK_MONOTONIC);
	t.cpu = bench_ts(CLOCK_PROCESS_CPUTIME_ID);
	return t;
}

/* bench_result - the one line bench/scan reads */
static void
bench_result(const char *impl, const struct bench_set *set,
    struct bench_time t0, struct bench_time t1, const char *extra_key,
    uint64_t extra)
{
	double	 n = (double)set->n * (double)set->passes;
	double	 b = (double)set->bytes * (double)set->passes;
	double	 secs = t1.wall - t0.wall;

	printf("RESULT impl=%s messages=%.0f bytes=%.0f seconds=%.6f "
	    "cpu_seconds=%.6f msgs_per_s=%.1f mb_per_s=%.3f %s=%llu\n",
	    impl, n, b, secs, t1.cpu - t0.cpu, n / secs, b / 1e6 / secs,
	    extra_key, (unsigned long long)extra);
	fflush(stdout);
}

static void
bench_free(struct bench_set *set)
{
	size_t	 i;

	for (i = 0; i < set->n; i++) {
		free(set->v[i].path);
		free(set->v[i].data);
	}
	free(set->v);
}

#endif
