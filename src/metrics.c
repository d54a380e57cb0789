/*
 * metrics - Prometheus text exposition of the daemon's counters.  See
 * metrics.h.  Written by hand: the format is a few lines of text and
 * Debian packages no C client library for it (only C++ and other
 * languages); the escaping rules below are the format's.
 */
#include "autoconfig.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "metrics.h"

/* put_escaped - s with '\\' and newline escaped (and '"' if quoted) */
static void
put_escaped(struct strbuf *sb, const char *s, bool quoted)
{
	for (; *s != '\0'; s++) {
		if (*s == '\\')
			sb_puts(sb, "\\\\");
		else if (*s == '\n')
			sb_puts(sb, "\\n");
		else if (*s == '"' && quoted)
			sb_puts(sb, "\\\"");
		else
			sb_putc(sb, *s);
	}
}

/* metrics_add - one sample, after HELP and TYPE for a new name */
void
metrics_add(struct metrics *m, const char *name, enum metric_type type,
    const char *help, const char *label, const char *label_value,
    uint64_t value)
{
	if (m->last == NULL || strcmp(m->last, name) != 0) {
		sb_printf(&m->sb, "# HELP %s ", name);
		put_escaped(&m->sb, help, false);
		sb_printf(&m->sb, "\n# TYPE %s %s\n", name,
		    type == METRIC_COUNTER ? "counter" : "gauge");
		m->last = name;
	}
	sb_puts(&m->sb, name);
	if (label != NULL) {
		sb_printf(&m->sb, "{%s=\"", label);
		put_escaped(&m->sb, label_value, true);
		sb_puts(&m->sb, "\"}");
	}
	sb_printf(&m->sb, " %" PRIu64 "\n", value);
}

/* metrics_write - the page into path.tmp.<pid>, then renamed to path */
int
metrics_write(const struct metrics *m, const char *path, struct errbuf *err)
{
	char	*tmp;
	size_t	 off = 0;
	ssize_t	 n;
	int	 fd;

	tmp = xasprintf("%s.tmp.%ld", path, (long)getpid());
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC |
	    O_NOFOLLOW, 0644)) == -1) {
		errbuf_set(err, "%s: %s", tmp, strerror(errno));
		free(tmp);
		return -1;
	}
	while (off < m->sb.len) {
		n = write(fd, m->sb.s + off, m->sb.len - off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0) {
			errbuf_set(err, "%s: %s", tmp, n == 0 ? "short write" :
			    strerror(errno));
			goto fail;
		}
		off += (size_t)n;
	}
	if (close(fd) == -1) {
		fd = -1;
		errbuf_set(err, "%s: %s", tmp, strerror(errno));
		goto fail;
	}
	fd = -1;
	if (rename(tmp, path) == -1) {
		errbuf_set(err, "%s: %s", path, strerror(errno));
		goto fail;
	}
	free(tmp);
	return 0;
fail:
	if (fd != -1)
		close(fd);
	(void)unlink(tmp);
	free(tmp);
	return -1;
}

/* metrics_free - the page's memory; the struct can be used again */
void
metrics_free(struct metrics *m)
{
	sb_free(&m->sb);
	m->last = NULL;
}
