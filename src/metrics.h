/*
 * metrics - the daemon's counters in the Prometheus text exposition
 * format (version 0.0.4), written to a file that node_exporter's
 * textfile collector (or any scraper of .prom files) reads.  The file
 * is replaced atomically (a temporary file in the same directory, then
 * rename), so a reader never sees half of it.  No third-party library.
 *
 * Build a page with metrics_add() calls (samples of one metric name
 * together; HELP and TYPE are written before the first sample of each
 * name), then metrics_write() it, then metrics_free().
 */
#ifndef SOAR_METRICS_H
#define SOAR_METRICS_H

#include <stdint.h>

#include "util.h"

struct metrics {
	struct strbuf	 sb;
	const char	*last;		/* name of the last sample */
};

enum metric_type { METRIC_COUNTER, METRIC_GAUGE };

/*
 * One sample: name (a valid Prometheus metric name), its type and help
 * (used on the first sample of the name), an optional label (label NULL:
 * none; the value is escaped as the format requires) and the value.
 */
void	metrics_add(struct metrics *, const char *name, enum metric_type,
	    const char *help, const char *label, const char *label_value,
	    uint64_t value);
/* Replace path with the page: 0, or -1 and err says why. */
int	metrics_write(const struct metrics *, const char *path,
	    struct errbuf *);
void	metrics_free(struct metrics *);

#endif
