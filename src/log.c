/*
 * log - syslog or stderr.  See log.h.
 */
#include "autoconfig.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>
#include <time.h>

#include "log.h"

static bool		use_syslog;
static bool		stamp;
static enum log_level	cur_level = LOG_LVL_INFO;
static const char	*log_ident = "soar-milter";
static pthread_mutex_t	log_lock = PTHREAD_MUTEX_INITIALIZER;

void
log_open(const char *ident, bool to_syslog, int facility,
    enum log_level level)
{
	log_ident = ident;
	use_syslog = to_syslog;
	cur_level = level;
	if (use_syslog)
		openlog(ident, LOG_PID | LOG_NDELAY, facility);
}

void
log_close(void)
{
	if (use_syslog)
		closelog();
	use_syslog = false;
}

void
log_set_stamp(bool on)
{
	stamp = on;
}

void
log_set_level(enum log_level level)
{
	cur_level = level;
}

bool
log_enabled(enum log_level level)
{
	return level <= cur_level;
}

void
log_msg(enum log_level level, const char *fmt, ...)
{
	static const int	 prio[] = { LOG_ERR, LOG_WARNING, LOG_INFO,
				    LOG_DEBUG };
	static const char	*name[] = { "error", "warning", "info",
				    "debug" };
	char			 line[2048], when[32];
	va_list			 ap;
	struct tm		 tm;
	time_t			 t;

	if (!log_enabled(level))
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (use_syslog) {
		syslog(prio[level], "%s", line);
		return;
	}
	when[0] = '\0';
	if (stamp && (t = time(NULL)) != (time_t)-1 &&
	    localtime_r(&t, &tm) != NULL)
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S ", &tm);
	pthread_mutex_lock(&log_lock);
	fprintf(stderr, "%s%s: %s: %s\n", when, log_ident, name[level], line);
	fflush(stderr);
	pthread_mutex_unlock(&log_lock);
}

int
log_facility_from_name(const char *s)
{
	static const struct {
		const char	*name;
		int		 fac;
	} tab[] = {
		{ "mail", LOG_MAIL }, { "daemon", LOG_DAEMON },
		{ "user", LOG_USER }, { "local0", LOG_LOCAL0 },
		{ "local1", LOG_LOCAL1 }, { "local2", LOG_LOCAL2 },
		{ "local3", LOG_LOCAL3 }, { "local4", LOG_LOCAL4 },
		{ "local5", LOG_LOCAL5 }, { "local6", LOG_LOCAL6 },
		{ "local7", LOG_LOCAL7 },
	};
	size_t	i;

	for (i = 0; i < sizeof(tab) / sizeof(tab[0]); i++)
		if (strcasecmp(s, tab[i].name) == 0)
			return tab[i].fac;
	return -1;
}
