/*
 * log - one logging front end for every mode.  Writes to syslog (with a
 * configurable facility) or to stderr.  Line form:
 *   "<qid>: <module>: <text>"  (qid optional, "-" when none).
 * Thread-safe.  Never log a secret: callers pass only ids and metadata.
 */
#ifndef SOAR_LOG_H
#define SOAR_LOG_H

#include <stdbool.h>

enum log_level {
	LOG_LVL_ERR = 0,
	LOG_LVL_WARN,
	LOG_LVL_INFO,
	LOG_LVL_DEBUG
};

/* to_syslog false: stderr.  facility is a syslog LOG_* facility value. */
void	log_open(const char *ident, bool to_syslog, int facility,
	    enum log_level level);
void	log_close(void);
/* stderr lines begin with the local time ("2026-11-28 08:30:01 ") */
void	log_set_stamp(bool);
void	log_set_level(enum log_level);
bool	log_enabled(enum log_level);

void	log_msg(enum log_level, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

#define log_err(...)	log_msg(LOG_LVL_ERR, __VA_ARGS__)
#define log_warn(...)	log_msg(LOG_LVL_WARN, __VA_ARGS__)
#define log_info(...)	log_msg(LOG_LVL_INFO, __VA_ARGS__)
#define log_debug(...)	do { if (log_enabled(LOG_LVL_DEBUG)) \
			    log_msg(LOG_LVL_DEBUG, __VA_ARGS__); } while (0)

/* Map "mail", "daemon", "local0".."local7", "user" to a facility; -1 bad. */
int	log_facility_from_name(const char *);

#endif
