/*
 * authres - Authentication-Results verdicts.  See authres.h.
 *
 * Written by hand: Debian has no C library that parses RFC 8601 (the
 * parsers of OpenDKIM and OpenDMARC are internal to those programs), and
 * what is needed is small: skip comments and quoted strings, read
 * "method[/version]=result" after each ";" at the top level.
 */
#include "autoconfig.h"

#include "authres.h"

#include <stddef.h>
#include <string.h>

#include "util.h"

/* read_value - a token or quoted string at p into out (cut to max - 1
 * bytes); returns the end, or p when there is no value */
static const char *
read_value(const char *p, char *out, size_t max)
{
	size_t	n = 0;

	if (*p == '"') {
		for (p++; *p != '\0' && *p != '"'; p++) {
			if (*p == '\\' && p[1] != '\0')
				p++;
			if (n + 1 < max)
				out[n++] = *p;
		}
		if (*p == '"')
			p++;
	} else
		for (; str_is_tchar((unsigned char)*p) || *p == '/'; p++)
			if (n + 1 < max)
				out[n++] = *p;
	out[n] = '\0';
	return p;
}

/* next_semi - the next ';' outside comments and quoted strings, or the
 * NUL at e */
static const char *
next_semi(const char *p, const char *e)
{
	while (*p != '\0' && *p != ';') {
		if (*p == '(')
			p = str_skip_cfws(p, e);
		else if (*p == '"') {
			for (p++; *p != '\0' && *p != '"'; p++)
				if (*p == '\\' && p[1] != '\0')
					p++;
			if (*p == '"')
				p++;
		} else
			p++;
	}
	return p;
}

/* read_word - letters, digits, '-' and '_' at p, lowercased into out;
 * false (out empty) when the word is empty or does not fit */
static bool
read_word(const char **pp, char *out, size_t max)
{
	const char	*p = *pp;
	size_t		 n = 0;

	while ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
	    (*p >= '0' && *p <= '9') || *p == '-' || *p == '_') {
		if (n + 1 >= max) {
			out[0] = '\0';
			*pp = p;
			return false;
		}
		out[n++] = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
		p++;
	}
	out[n] = '\0';
	*pp = p;
	return n > 0;
}

bool
authres_parse(const char *s, struct authres *ar)
{
	const char	*p, *e;
	char		 method[32], result[AUTHRES_RESULT_MAX], *slot;
	bool		 any = false;

	memset(ar, 0, sizeof(*ar));
	if (s == NULL)
		return false;
	e = s + strlen(s);
	p = read_value(str_skip_cfws(s, e), ar->serv_id, sizeof(ar->serv_id));
	if (ar->serv_id[0] == '\0')
		return false;
	/* an optional version, or (old servers) text: up to the first ';' */
	for (p = next_semi(p, e); *p == ';'; p = next_semi(p, e)) {
		p = str_skip_cfws(p + 1, e);
		if (!read_word(&p, method, sizeof(method)))
			continue;
		p = str_skip_cfws(p, e);
		if (*p == '/') {		/* method version */
			p = str_skip_cfws(p + 1, e);
			while (*p >= '0' && *p <= '9')
				p++;
			p = str_skip_cfws(p, e);
		}
		if (*p != '=')
			continue;
		p = str_skip_cfws(p + 1, e);
		if (!read_word(&p, result, sizeof(result)))
			continue;
		if (strcmp(method, "spf") == 0)
			slot = ar->spf;
		else if (strcmp(method, "dkim") == 0)
			slot = ar->dkim;
		else if (strcmp(method, "dmarc") == 0)
			slot = ar->dmarc;
		else if (strcmp(method, "arc") == 0)
			slot = ar->arc;
		else {
			any = true;		/* another method: still a result */
			continue;
		}
		any = true;
		/* the first result counts; for DKIM any passing signature */
		if (slot[0] == '\0' || (slot == ar->dkim &&
		    strcmp(result, "pass") == 0))
			memcpy(slot, result, strlen(result) + 1);
	}
	if (!any)
		memset(ar, 0, sizeof(*ar));
	return any;
}
