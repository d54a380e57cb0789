/*
 * t.h - a tiny unit-test harness (Dovecot lib-test in spirit).
 *
 *   T_BEGIN("name");  T_ASSERT(expr);  T_STREQ(a, b);  T_END();
 *   return t_done();   prints "N passed, N failed" and returns the
 *                      exit status for automake (0 ok, 1 failure).
 */
#ifndef SOAR_T_H
#define SOAR_T_H

#include <stdio.h>
#include <string.h>

static int	t_pass, t_fail, t_cur_failed;
static const char *t_name = "?";

#define T_BEGIN(n)	do { t_name = (n); t_cur_failed = 0; } while (0)
#define T_END()		do { if (t_cur_failed) t_fail++; else t_pass++; \
			    printf("%s: %s\n", t_cur_failed ? "FAIL" : "ok", \
			    t_name); } while (0)
#define T_ASSERT(e)	do { if (!(e)) { t_cur_failed = 1; \
			    fprintf(stderr, "%s:%d: %s: assertion failed: %s\n", \
			    __FILE__, __LINE__, t_name, #e); } } while (0)
#define T_STREQ(a, b)	do { const char *t_a_ = (a), *t_b_ = (b); \
			    if (t_a_ == NULL || t_b_ == NULL || \
			    strcmp(t_a_, t_b_) != 0) { t_cur_failed = 1; \
			    fprintf(stderr, "%s:%d: %s: \"%s\" != \"%s\"\n", \
			    __FILE__, __LINE__, t_name, t_a_ ? t_a_ : "(null)", \
			    t_b_ ? t_b_ : "(null)"); } } while (0)

static inline int
t_done(void)
{
	printf("%d passed, %d failed\n", t_pass, t_fail);
	return t_fail == 0 && t_pass > 0 ? 0 : 1;
}

#endif
