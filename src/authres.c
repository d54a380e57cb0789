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

/* skip_cfws - past white space and (nested, escaped) comments */
static const char *
skip_cfws(const char *p)
{
	int	depth;

	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
			p++;
		if (*p != '(')
			return p;
		depth = 0;
		while (*p != '\0') {
			if (*p == '\\' && p[1] != '\0')
				p++;
			else if (*p == '(')
				depth++;
			else if (*p == ')' && --depth == 0) {
				p++;
				break;
			}
			p++;
		}
	}
}

/* is_tok - a byte of an RFC 2045 token (no specials, no space) */
static bool
is_tok(unsigned char c)
{
	return c > ' ' && c < 0x7f && strchr("()<>@,;:\\\"/[]?=", c) == NULL;
}

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
		for (; is_tok((unsigned char)*p) || *p == '/'; p++)
			if (n + 1 < max)
				out[n++] = *p;
	out[n] = '\0';
	return p;
}

/* next_semi - the next ';' outside comments and quoted strings, or NUL */
static const char *
next_semi(const char *p)
{
	while (*p != '\0' && *p != ';') {
		if (*p == '(')
			p = skip_cfws(p);
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
	const char	*p;
	char		 method[32], result[AUTHRES_RESULT_MAX], *slot;
	bool		 any = false;

	memset(ar, 0, sizeof(*ar));
	if (s == NULL)
		return false;
	p = read_value(skip_cfws(s), ar->serv_id, sizeof(ar->serv_id));
	if (ar->serv_id[0] == '\0')
		return false;
	/* an optional version, or (old servers) text: up to the first ';' */
	for (p = next_semi(p); *p == ';'; p = next_semi(p)) {
		p = skip_cfws(p + 1);
		if (!read_word(&p, method, sizeof(method)))
			continue;
		p = skip_cfws(p);
		if (*p == '/') {		/* method version */
			p = skip_cfws(p + 1);
			while (*p >= '0' && *p <= '9')
				p++;
			p = skip_cfws(p);
		}
		if (*p != '=')
			continue;
		p = skip_cfws(p + 1);
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
