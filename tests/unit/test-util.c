/* test-util - strings, lists, file reading */
#include "autoconfig.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "digest.h"
#include "t.h"
#include "util.h"

int
main(void)
{
	struct strbuf	 sb = { 0 };
	struct strlist	 l = { 0 };
	struct errbuf	 err;
	char		 hex[DIGEST_SHA256_HEX], md5[DIGEST_MD5_HEX];
	char		*s, *buf;
	size_t		 len;
	FILE		*fp;
	char		 path[] = "/tmp/test-util-XXXXXX";
	int		 fd;

	T_BEGIN("strbuf");
	sb_puts(&sb, "abc");
	sb_putc(&sb, '-');
	sb_printf(&sb, "%d/%s", 42, "x");
	sb_append(&sb, "\0z", 2);
	T_ASSERT(sb.len == 10);
	T_ASSERT(memcmp(sb.s, "abc-42/x\0z", 10) == 0);
	sb_reset(&sb);
	T_ASSERT(sb.len == 0 && sb.s[0] == '\0');
	s = sb_steal(&sb);
	T_STREQ(s, "");
	free(s);
	T_ASSERT(sb.s == NULL);
	s = sb_steal(&sb);		/* never appended: "" */
	T_STREQ(s, "");
	free(s);
	T_END();

	T_BEGIN("strlist split/join/contains");
	strlist_split(&l, " a@x, B@Y ,,\tc ", ", \t");
	T_ASSERT(l.n == 3);
	T_STREQ(l.v[0], "a@x");
	T_STREQ(l.v[1], "B@Y");
	T_ASSERT(strlist_contains(&l, "c"));
	T_ASSERT(!strlist_contains(&l, "b@y"));
	T_ASSERT(strlist_contains_ci(&l, "b@y"));
	s = strlist_join(&l, ",");
	T_STREQ(s, "a@x,B@Y,c");
	free(s);
	strlist_free(&l);
	s = strlist_join(&l, ",");
	T_STREQ(s, "");
	free(s);
	T_END();

	T_BEGIN("trim, lower, prefix");
	s = xstrdup(" \t x y \r\n");
	T_STREQ(str_trim(s), "x y");
	free(s);
	s = xstrdup("MiXeD");
	str_lower(s);
	T_STREQ(s, "mixed");
	free(s);
	T_ASSERT(str_has_prefix_ci("HTTP://x", "http://"));
	T_ASSERT(!str_has_prefix_ci("htt", "http://"));
	s = xstrndup("abcdef", 3);
	T_STREQ(s, "abc");
	free(s);
	T_END();

	T_BEGIN("file_read_all with cap and errors");
	fd = mkstemp(path);
	T_ASSERT(write(fd, "0123456789", 10) == 10);
	close(fd);
	T_ASSERT(file_read_all(path, 0, &buf, &len, &err) == 0);
	T_ASSERT(len == 10 && memcmp(buf, "0123456789", 10) == 0);
	free(buf);
	T_ASSERT(file_read_all(path, 4, &buf, &len, &err) == 0);
	T_ASSERT(len == 4 && memcmp(buf, "0123", 4) == 0);
	free(buf);
	unlink(path);
	T_ASSERT(file_read_all(path, 0, &buf, &len, &err) == -1);
	T_ASSERT(strstr(err.msg, path) != NULL);
	T_ASSERT(strstr(err.msg, "No such file") != NULL);
	T_END();

	T_BEGIN("digests");
	digest_sha256_hex("abc", 3, hex);
	T_STREQ(hex, "ba7816bf8f01cfea414140de5dae2223"
	    "b00361a396177a9cb410ff61f20015ad");
	digest_md5_hex("", 0, md5);
	T_STREQ(md5, "d41d8cd98f00b204e9800998ecf8427e");
	T_END();

	T_BEGIN("errbuf bounded");
	s = xmalloc(2000);
	memset(s, 'x', 1999);
	s[1999] = '\0';
	errbuf_set(&err, "%s", s);
	T_ASSERT(strlen(err.msg) == sizeof(err.msg) - 1);
	free(s);
	fp = NULL;
	(void)fp;
	T_END();

	T_BEGIN("fd_write_all: all bytes through a pipe, errors reported");
	{
		int	 pfd[2];
		char	 big[200000], back[200000];
		size_t	 got = 0;
		ssize_t	 r;
		int	 st;
		FILE	*tf = tmpfile();

		memset(big, 'a', sizeof(big));
		big[sizeof(big) - 1] = 'z';
		T_ASSERT(tf != NULL);
		T_ASSERT(fd_write_all(fileno(tf), big, sizeof(big)) == 0);
		rewind(tf);
		T_ASSERT(fread(back, 1, sizeof(back), tf) == sizeof(back));
		T_ASSERT(memcmp(big, back, sizeof(big)) == 0);
		fclose(tf);
		/* a pipe takes 64 KiB at a time: short writes are resumed */
		T_ASSERT(pipe(pfd) == 0);
		if (fork() == 0) {
			close(pfd[0]);
			_exit(fd_write_all(pfd[1], big, sizeof(big)) == 0 ?
			    0 : 1);
		}
		close(pfd[1]);
		while ((r = read(pfd[0], back + got, sizeof(back) - got)) > 0)
			got += (size_t)r;
		close(pfd[0]);
		T_ASSERT(wait(&st) > 0 && WIFEXITED(st) &&
		    WEXITSTATUS(st) == 0);
		T_ASSERT(got == sizeof(big));
		T_ASSERT(memcmp(big, back, sizeof(big)) == 0);
		T_ASSERT(fd_write_all(-1, "x", 1) == -1 && errno == EBADF);
		T_ASSERT(fd_write_all(-1, "", 0) == 0);
	}
	T_END();

	T_BEGIN("str_skip_cfws, str_is_tchar");
	{
		static const char	c1[] = " \t(a (nested) \\) c)\r\n x";
		static const char	c2[] = "(unclosed ( x";

		T_STREQ(str_skip_cfws(c1, c1 + strlen(c1)), "x");
		T_ASSERT(str_skip_cfws(c2, c2 + strlen(c2)) == c2 + strlen(c2));
		/* the end bound is honoured */
		T_ASSERT(str_skip_cfws(c1, c1 + 1) == c1 + 1);
		T_ASSERT(str_is_tchar('a') && str_is_tchar('-') &&
		    str_is_tchar('.'));
		T_ASSERT(!str_is_tchar(' ') && !str_is_tchar('/') &&
		    !str_is_tchar('"') && !str_is_tchar('=') &&
		    !str_is_tchar(0x7f) && !str_is_tchar(0x80));
	}
	T_END();

	T_BEGIN("str_redact_url: userinfo hidden, the rest kept");
	{
		static const char *const cases[][2] = {
			{ "https://u:secretpw@host/api?x=1#f",
			  "https://***@host/api?x=1#f" },
			{ "https://u:secretpw@soar.example:8443/base",
			  "https://***@soar.example:8443/base" },
			{ "http://user@[::1]:8080/", "http://***@[::1]:8080/" },
			{ "HTTPS://U:SECRETPW@H", "HTTPS://***@H" },
			{ "socks5h://u:secretpw@proxy:1080",
			  "socks5h://***@proxy:1080" },
			/* curl takes a proxy without a scheme */
			{ "u:secretpw@proxy.example:3128",
			  "***@proxy.example:3128" },
			/* '@' and ':' in the password: the last '@' ends it */
			{ "https://u:se@cr:etpw@host/x", "https://***@host/x" },
			/* not encoded '/', '?' or '#' in the password: the
			 * host:port before it is not valid, so hide up to
			 * the last '@' rather than leak a part */
			{ "https://u:sec/retpw@host/x", "https://***@host/x" },
			{ "http://u:sec#retpw@host", "http://***@host" },
			{ "u:sec?retpw@proxy:3128", "***@proxy:3128" },
			/* ... even when what is before it reads as host:port
			 * ("svc:123"): an '@' before the query after a ':' is
			 * taken for the end of a password */
			{ "https://svc:123/abc@soar.example/",
			  "https://***@soar.example/" },
			{ "http://svc:8080#pw@soar.example",
			  "http://***@soar.example" },
			{ "https://host:8443/a@b", "https://***@b" },
			/* no userinfo: unchanged, '@' in path or query too */
			{ "https://soar.example.com", "https://soar.example.com" },
			{ "https://host/a@b", "https://host/a@b" },
			{ "https://host/?to=a@b", "https://host/?to=a@b" },
			{ "https://host:8443/?to=a@b",
			  "https://host:8443/?to=a@b" },
			{ "proxy.example:3128", "proxy.example:3128" },
			{ "", "" },
		};
		size_t	i;

		for (i = 0; i < ARRAY_LEN(cases); i++) {
			s = str_redact_url(cases[i][0]);
			if (strcmp(s, cases[i][1]) != 0)
				fprintf(stderr, "str_redact_url(%s) = %s\n",
				    cases[i][0], s);
			T_STREQ(s, cases[i][1]);
			T_ASSERT(strstr(s, "secretpw") == NULL &&
			    strstr(s, "retpw") == NULL &&
			    strstr(s, "SECRETPW") == NULL);
			free(s);
		}
		T_ASSERT(str_redact_url(NULL) == NULL);
	}
	T_END();

	return t_done();
}
