/*
 * test-urlscan - URL finding in text and HTML, the URL set bounds, the
 * user-regex wrapper, and hostile inputs (each asserting what is found,
 * never how long it took).
 */
#include "autoconfig.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "extract.h"
#include "urlscan.h"
#include "util.h"

#include "t.h"

#define MODE_TEXT	0
#define MODE_HTML	1

/*
 * One case: the input, how to scan it, and the exact URL list expected
 * (joined with '\n'; "" for none).
 */
struct tcase {
	const char	*name;
	int		 mode;
	const char	*in;
	const char	*want;
};

static const struct tcase cases[] = {
	/* mikel/mail error_emails/cant_parse_from.eml: an href whose quote
	 * never closes runs to the end of the part */
	{ "html: unclosed href quote ends at the next tag", MODE_HTML,
	  "<br><a href=\"http://insideapple.app\n</body>\n</html>\n",
	  "http://insideapple.app" },
	{ "html: unclosed href quote, '<' right after", MODE_HTML,
	  "<a href='https://x.example/p?q=1</a>",
	  "https://x.example/p?q=1" },
	{ "html: http:@host (empty userinfo) is http://host", MODE_HTML,
	  "<a href=\"http:@evil.example/x\">a</a>"
	  "<a href=\"https:/@evil3.example/\">b</a>",
	  "http://evil.example/x\nhttps://evil3.example/" },
	/* ---- plain text ---- */
	{ "text: http in a sentence", MODE_TEXT,
	  "see http://example.com/a for details",
	  "http://example.com/a" },
	{ "text: https and ftp", MODE_TEXT,
	  "https://a.example/x and ftp://files.example/f.txt",
	  "https://a.example/x\nftp://files.example/f.txt" },
	{ "text: www form kept as found, no scheme added", MODE_TEXT,
	  "go to www.example.com/path.",
	  "www.example.com/path" },
	{ "text: scheme case-insensitive, nothing lowercased", MODE_TEXT,
	  "HTTP://Example.COM/A and WWW.Example.org",
	  "HTTP://Example.COM/A\nWWW.Example.org" },
	{ "text: trailing punctuation dropped", MODE_TEXT,
	  "http://x.com/a, http://y.com/b; http://z.com/c! "
	  "http://q.com/d? http://r.com/e: http://s.com/f...",
	  "http://x.com/a\nhttp://y.com/b\nhttp://z.com/c\nhttp://q.com/d\n"
	  "http://r.com/e\nhttp://s.com/f" },
	{ "text: angle brackets", MODE_TEXT,
	  "Click <http://x.com/a> now",
	  "http://x.com/a" },
	{ "text: parenthesised", MODE_TEXT,
	  "(see http://x.com/a) and [http://y.com/b] {http://z.com/c}",
	  "http://x.com/a\nhttp://y.com/b\nhttp://z.com/c" },
	{ "text: balanced parentheses kept", MODE_TEXT,
	  "http://en.wikipedia.org/wiki/Foo_(bar) "
	  "(http://en.wikipedia.org/wiki/Baz_(qux)).",
	  "http://en.wikipedia.org/wiki/Foo_(bar)\n"
	  "http://en.wikipedia.org/wiki/Baz_(qux)" },
	{ "text: a markdown link whose text is a URL is two URLs", MODE_TEXT,
	  "[https://sq.example/a](https://md.example/b) [Click]("
	  "https://md2.example/c) (https://p1.example/x)(https://p2.example/y)"
	  " http://[::1]/a[1]?b[]=2 hxxp://evil[.]com/x] "
	  "https://a.example/x)(not-a-url)",
	  "https://sq.example/a\nhttps://md.example/b\nhttps://md2.example/c\n"
	  "https://p1.example/x\nhttps://p2.example/y\n"
	  "http://[::1]/a[1]?b[]=2\nhttp://evil.com/x\n"
	  "https://a.example/x)(not-a-url" },
	{ "html: a markdown-style link in HTML text too", MODE_HTML,
	  "<p>[https://t.example/a](https://t.example/b)</p>",
	  "https://t.example/a\nhttps://t.example/b" },
	{ "text: emphasis marks around a URL are not part of it", MODE_TEXT,
	  "*https://bold.example/a* _https://under.example/b_. "
	  "~https://tilde.example/c~ **https://b2.example/x**, "
	  "(*https://p.example/q*) https://y.example/a*b "
	  "https://z.example/a_ https://z.example/b*",
	  "https://bold.example/a\nhttps://under.example/b\n"
	  "https://tilde.example/c\nhttps://b2.example/x\n"
	  "https://p.example/q\nhttps://y.example/a*b\n"
	  "https://z.example/a_\nhttps://z.example/b*" },
	{ "text: quotes", MODE_TEXT,
	  "\"http://x.com/q\" and 'http://y.com/r' and `http://z.com/s`",
	  "http://x.com/q\nhttp://y.com/r\nhttp://z.com/s" },
	{ "text: trailing ellipsis dropped", MODE_TEXT,
	  "https://x.com/very/long/pa\xe2\x80\xa6 and www.y.com...",
	  "https://x.com/very/long/pa\nwww.y.com" },
	{ "text: IPv6 literal and port", MODE_TEXT,
	  "(http://[2001:db8::1]:8080/x) http://[::1]/",
	  "http://[2001:db8::1]:8080/x\nhttp://[::1]/" },
	{ "text: apostrophe inside kept", MODE_TEXT,
	  "http://x.com/it's-here",
	  "http://x.com/it's-here" },
	{ "text: only a scheme is dropped", MODE_TEXT,
	  "http:// and https://. and ftp://, and www. and (http://)",
	  "" },
	{ "text: de-duplicated, first-seen order", MODE_TEXT,
	  "http://b.com http://a.com http://b.com http://a.com http://c.com",
	  "http://b.com\nhttp://a.com\nhttp://c.com" },
	{ "text: case matters for de-duplication", MODE_TEXT,
	  "http://a.com/X http://a.com/x",
	  "http://a.com/X\nhttp://a.com/x" },
	{ "text: stops at white space and controls", MODE_TEXT,
	  "http://a.com/x\ty http://b.com/\x01z http://c.com/\x7fw "
	  "http://d.com/\r\n",
	  "http://a.com/x\nhttp://b.com/\nhttp://c.com/\nhttp://d.com/" },
	{ "text: stops at < > and \"", MODE_TEXT,
	  "http://a.com/x<y http://b.com/x>y http://c.com/x\"y",
	  "http://a.com/x\nhttp://b.com/x\nhttp://c.com/x" },
	{ "text: word boundary before the scheme", MODE_TEXT,
	  "sftp://a.com tftp://b.com xftp://c.com xhxxp://d.com "
	  "awww.d.com foo.www.e.com me@www.f.com path/www.g.com",
	  "" },
	{ "text: http and https glued to a word", MODE_TEXT,
	  "xhttp://a.com 9http://b.com nothttp://c.com Click "
	  "herehttps://d.com/x ushttp[:]//e[.]com",
	  "http://a.com\nhttp://b.com\nhttp://c.com\nhttps://d.com/x\n"
	  "http://e.com" },
	{ "text: a host name holds no '", MODE_TEXT,
	  "http://www.a.com's site, www.b.com's/foo, https://c.com/foo's "
	  "https://www.d.com/#q=test's",
	  "http://www.a.com\nwww.b.com\nhttps://c.com/foo's\n"
	  "https://www.d.com/#q=test's" },
	{ "text: fullwidth and halfwidth brackets, quotes, bar end a URL",
	  MODE_TEXT,
	  "\xef\xbd\x9chttp://a.com\xef\xbd\x9c" "b "
	  "\xef\xbc\xbbhttp://b.com\xef\xbc\xbd "
	  "\xef\xbc\x9chttp://c.com\xef\xbc\x9e "
	  "\xef\xbd\xa2http://d.com/x\xef\xbd\xa3 "
	  "\xef\xbc\x82http://e.com\xef\xbc\x82",
	  "http://a.com\nhttp://b.com\nhttp://c.com\nhttp://d.com/x\n"
	  "http://e.com" },
	{ "text: a final ' that closes one inside the URL stays", MODE_TEXT,
	  "http://a.com/b_'q' 'http://c.com/d'e' http://f.com/g' "
	  "http://h.com/i''' http://j.com/k'l'.",
	  "http://a.com/b_'q'\nhttp://c.com/d'e\nhttp://f.com/g\n"
	  "http://h.com/i''\nhttp://j.com/k'l'" },
	{ "text: a '(' before the URL is closed by its first free ')'",
	  MODE_TEXT,
	  "[x](https://a.com/y)[m](mailto:z@b.com) ((http://c.com/d(e)))f "
	  "(http://g.com/h)i",
	  "https://a.com/y\nhttp://c.com/d(e)\nhttp://g.com/h" },
	{ "text: a symbol or dingbat in a host name", MODE_TEXT,
	  "http://\xe2\x9c\xaa" "df.ws/123 http://i\xe2\x9d\xa4.ws/ "
	  "https://x.com/\xe2\x99\xa5 https://y.com\xe2\x99\xa5 ok "
	  "http://\xe2\x9c\xaa http://z.com\xe2\x99\xa5.",
	  "http://\xe2\x9c\xaa" "df.ws/123\nhttp://i\xe2\x9d\xa4.ws/\n"
	  "https://x.com/\nhttps://y.com\nhttp://z.com" },
	{ "text: www. after decoration dots, dashes or an emphasis mark",
	  MODE_TEXT,
	  ".....www.a.com.... -----www.b.com---- _www.c.com/x_ (www.d.com) "
	  "x.www.e.com a-www.f.com b_www.g.com --www.h.com/p--",
	  "www.a.com\nwww.b.com\nwww.c.com/x\nwww.d.com\nwww.h.com/p--" },
	{ "text: a www. form needs a top-level domain", MODE_TEXT,
	  "www.a.baz www.b.php www.c:80 www.d.example www.e.co.uk/x "
	  "WWW.F.COM www.g.test www.h.com.bar www[.]i[.]exe",
	  "www.d.example\nwww.e.co.uk/x\nWWW.F.COM\nwww.g.test\n"
	  "www.h.com.bar" },
	{ "text: a host alone does not end in '-'", MODE_TEXT,
	  "http://a.com---- http://b.com/c- https://d.com-. "
	  "http://e.com:80-- hxxp://f[.]com--",
	  "http://a.com\nhttp://b.com/c-\nhttps://d.com\nhttp://e.com:80\n"
	  "http://f.com" },
	{ "text: punctuation before the scheme is fine", MODE_TEXT,
	  "URL:http://a.com =www.b.com >http://c.com",
	  "http://a.com\nwww.b.com\nhttp://c.com" },
	{ "text: query and fragment", MODE_TEXT,
	  "http://a.com/p?q=1&r=2#frag",
	  "http://a.com/p?q=1&r=2#frag" },
	{ "text: userinfo and port", MODE_TEXT,
	  "ftp://user:pw@ftp.a.com:2121/pub/",
	  "ftp://user:pw@ftp.a.com:2121/pub/" },
	{ "text: UTF-8 kept, CJK full stop ends", MODE_TEXT,
	  "http://\xe4\xbe\x8b\xe3\x81\x88.jp/\xe3\x83\x91\xe3\x82\xb9"
	  "\xe3\x80\x82\xe6\xac\xa1",
	  "http://\xe4\xbe\x8b\xe3\x81\x88.jp/\xe3\x83\x91\xe3\x82\xb9" },
	{ "text: no-break space ends", MODE_TEXT,
	  "http://a.com/x\xc2\xa0next",
	  "http://a.com/x" },
	{ "text: typographic quotes end", MODE_TEXT,
	  "\xe2\x80\x9chttp://a.com/x\xe2\x80\x9d "
	  "\xc2\xabhttp://b.com/y\xc2\xbb",
	  "http://a.com/x\nhttp://b.com/y" },
	{ "text: invalid UTF-8 ends a URL", MODE_TEXT,
	  "http://a.com/\xff\xfe more http://b.com/\xc3( http://c.com",
	  "http://a.com/\nhttp://b.com/\nhttp://c.com" },
	{ "text: a URL inside a URL is one URL", MODE_TEXT,
	  "http://r.com/?u=http://x.com/",
	  "http://r.com/?u=http://x.com/" },
	{ "text: quoted reply", MODE_TEXT,
	  "> see http://a.com/x\n>> and www.b.com.\n",
	  "http://a.com/x\nwww.b.com" },
	{ "text: wrapped <URL> joined (RFC 3986 appendix C)", MODE_TEXT,
	  "Read <http://example.com/a/very/long\n   /path/continued> now",
	  "http://example.com/a/very/long/path/continued" },
	{ "text: wrapped <URL> in a quoted reply", MODE_TEXT,
	  "> Read <http://example.com/a/b\n> /c/d\n> /e> ok",
	  "http://example.com/a/b/c/d/e" },
	{ "text: <URL:...> form, wrapped", MODE_TEXT,
	  "<URL:http://example.com/x> <URL: http://example.com/y\n z>",
	  "http://example.com/x\nhttp://example.com/yz" },
	{ "text: wrapped <URL> without '>' is not joined", MODE_TEXT,
	  "<http://example.com/a\nnext line words\n",
	  "http://example.com/a" },
	{ "text: wrapped <URL> never joins another URL", MODE_TEXT,
	  "<http://a.com/x\nhttp://b.com/y>",
	  "http://a.com/x\nhttp://b.com/y" },
	{ "text: same-line space does not join", MODE_TEXT,
	  "<http://a.com/x y>",
	  "http://a.com/x" },
	{ "text: defanged forms refanged", MODE_TEXT,
	  "hxxp://evil[.]com/x and hXXps://bad(.)example[.]org/p[.]q",
	  "http://evil.com/x\nhttps://bad.example.org/p[.]q" },
	{ "text: [:] and www[.] refanged", MODE_TEXT,
	  "http[:]//evil.com/a ftp[:]//f.evil.com www[.]evil[.]net",
	  "http://evil.com/a\nftp://f.evil.com\nwww.evil.net" },
	{ "text: defanged in brackets", MODE_TEXT,
	  "[hxxp://evil[.]com]",
	  "http://evil.com" },
	{ "text: Safe Links unwrapped after the wrapper", MODE_TEXT,
	  "https://nam12.safelinks.protection.outlook.com/?url=https%3A%2F%2F"
	  "evil.example%2Fpay%3Fa%3D1&data=05%7C01&sdata=x&reserved=0",
	  "https://nam12.safelinks.protection.outlook.com/?url=https%3A%2F%2F"
	  "evil.example%2Fpay%3Fa%3D1&data=05%7C01&sdata=x&reserved=0\n"
	  "https://evil.example/pay?a=1" },
	{ "text: Proofpoint v2 unwrapped", MODE_TEXT,
	  "https://urldefense.proofpoint.com/v2/url?u=https-3A__evil.example_"
	  "login-3Fid-3D7&d=DwMFaQ&c=abc",
	  "https://urldefense.proofpoint.com/v2/url?u=https-3A__evil.example_"
	  "login-3Fid-3D7&d=DwMFaQ&c=abc\n"
	  "https://evil.example/login?id=7" },
	{ "text: Proofpoint v1 unwrapped", MODE_TEXT,
	  "https://urldefense.proofpoint.com/v1/url?u=http%3A%2F%2Fevil."
	  "example%2Fx&k=abc",
	  "https://urldefense.proofpoint.com/v1/url?u=http%3A%2F%2Fevil."
	  "example%2Fx&k=abc\nhttp://evil.example/x" },
	{ "text: Proofpoint v3 unwrapped (tokens and runs)", MODE_TEXT,
	  "https://urldefense.com/v3/__https://evil.example/a*2Fb?x=1*y__;JSM"
	  "!!ABC!def$ https://urldefense.com/v3/__https:/e.example/p**A__;JSM"
	  "!!x$",
	  "https://urldefense.com/v3/__https://evil.example/a*2Fb?x=1*y__;JSM"
	  "!!ABC!def$\nhttps://evil.example/a%2Fb?x=1#y\n"
	  "https://urldefense.com/v3/__https:/e.example/p**A__;JSM!!x$\n"
	  "https://e.example/p%#" },
	{ "text: Safe Links with a non-URL inside stays alone", MODE_TEXT,
	  "https://x.safelinks.protection.outlook.com/?url=mailto%3Aa%40b.c",
	  "https://x.safelinks.protection.outlook.com/?url=mailto%3Aa%40b.c" },

	/* ---- HTML ---- */
	{ "html: href with &amp;", MODE_HTML,
	  "<a href=\"http://a.com/?x=1&amp;y=2\">link</a>",
	  "http://a.com/?x=1&y=2" },
	{ "html: single, unquoted, upper-case attribute names", MODE_HTML,
	  "<A HREF='http://a.com/1'>x</A><img SRC=http://b.com/i.png alt=x>",
	  "http://a.com/1\nhttp://b.com/i.png" },
	{ "html: names in mixed case match, near misses do not", MODE_HTML,
	  "<TD BackGround=\"http://e1.com/bg\" XLINK:HREF=http://e2.com/x "
	  "hre\xc6=http://no1.com/ HRE@=http://no2.com/ [rc=http://no3.com/ "
	  "src\x80=http://no4.com/ Href=HTTPS://e3.com/><StYlE><x>a{b:url("
	  "http://e4.com/s)}</sTyLe><tItLe>&lt;http://e5.com/t</TITLE>"
	  "<MeTa content=\"0; url=http://e6.com/m\">",
	  "http://e1.com/bg\nhttp://e2.com/x\nHTTPS://e3.com/\n"
	  "http://e4.com/s\nhttp://e5.com/t\nhttp://e6.com/m" },
	{ "html: numeric entities", MODE_HTML,
	  "<a href=\"&#104;ttp&#x3A;//c.com&#47;p&#X3f;q\">x</a>",
	  "http://c.com/p?q" },
	{ "html: &#0; and windows-1252 numeric references", MODE_HTML,
	  "<a href=\"http://x.com/&#150;&#0;&#x110000;\">x</a>",
	  "http://x.com/\xe2\x80\x93\xef\xbf\xbd\xef\xbf\xbd" },
	{ "html: named entities", MODE_HTML,
	  "<a href=\"http&colon;&sol;&sol;d&period;com&sol;a&quest;b&equals;1"
	  "\">x</a>",
	  "http://d.com/a?b=1" },
	{ "html: unknown entities kept as they are", MODE_HTML,
	  "<a href=\"http://e.com/?a=1&bogus;b&copy=2&amp\">x</a>",
	  "http://e.com/?a=1&bogus;b&copy=2&" },
	{ "html: white space around the value trimmed", MODE_HTML,
	  "<a href=\"  \n http://f.com/x \t\n\">x</a>",
	  "http://f.com/x" },
	{ "html: TAB/LF inside removed, space encoded", MODE_HTML,
	  "<a href=\"ht&#9;tp://w.com/a\nb c\">x</a>",
	  "http://w.com/ab%20c" },
	{ "html: non-web and relative links dropped", MODE_HTML,
	  "<a href=\"mailto:a@b.c\">m</a><a href=\"javascript:alert(1)\">j</a>"
	  "<img src=\"cid:part1@x\"><a href=\"/rel/path\">r</a>"
	  "<a href=\"#top\">t</a>"
	  "<a href=\"http://\">e</a><a href=\"\">e</a><a href>e</a>",
	  "" },
	{ "html: protocol-relative links get https: without a <base>",
	  MODE_HTML,
	  "<a href=\"//proto-rel.example.com/x\">a</a>"
	  "<img src=//cdn.example.net/p.gif><a href=\" //sp.example/&amp;\">"
	  "<div style=\"background:url(//css.example/bg.png)\"></div>"
	  "<img srcset=\"//set.example/a.png 1x, //set.example/b.png 2x\">"
	  "<style>@import \"//imp.example/a.css\";b{c:url('//u.example/')}"
	  "</style><a href=\"//b\xc3\xbc" "cher.example/\">i</a>"
	  "<meta http-equiv=\"refresh\" content=\"0; URL='//mr.example/x'\">"
	  "<meta http-equiv=refresh content=\"5;url=//mr2.example/\">",
	  "https://proto-rel.example.com/x\nhttps://cdn.example.net/p.gif\n"
	  "https://sp.example/&\nhttps://css.example/bg.png\n"
	  "https://set.example/a.png\nhttps://set.example/b.png\n"
	  "https://imp.example/a.css\nhttps://u.example/\n"
	  "https://b\xc3\xbc" "cher.example/\nhttps://mr.example/x\n"
	  "https://mr2.example/" },
	{ "html: protocol-relative: only a host name with a dot, only links",
	  MODE_HTML,
	  "<a href=\"///x.example/\">a</a><a href=\"//:80/\">b</a>"
	  "<a href=\"//localhost/x\">c</a><a href=\"//-x.example/\">d</a>"
	  "<a href=\"//.example/\">e</a><p>see //text.example/x</p>"
	  "<div title=\"//title.example/x\"></div><meta content=\"//m.example/"
	  "\"><meta http-equiv=refresh content=\"url=//m2.example/\">",
	  "" },
	{ "html: protocol-relative links take an http/https <base> scheme",
	  MODE_HTML,
	  "<a href=\"//before.example/y\">x</a><base target=_blank>"
	  "<base href=\" &#104;ttp://b.example/\"><base href=\"https://c/\">"
	  "<img src=\"//after.example/i.png\">",
	  "http://before.example/y\nhttp://b.example/\n"
	  "https://c/\nhttp://after.example/i.png" },
	{ "html: a <base> with another scheme leaves https:", MODE_HTML,
	  "<base href=\"ftp://f.example/\"><a href=\"//x.example/\">x</a>"
	  "<BASE HREF=\"http://late.example/\">",
	  "ftp://f.example/\nhttps://x.example/\nhttp://late.example/" },
	{ "html: backslashes are slashes in http/https/ftp links", MODE_HTML,
	  "<a href=\"http:\\\\h1.example\\p\\x?q=a\\b#f\\g\">1</a>"
	  "<a href=\"https:/\\h2.example/\">2</a><a href='HTTPS:\\/h3.example'>"
	  "<a href=\"https://good.example\\@h4.example/\">4</a>"
	  "<a href=ftp:\\\\\\h5.example\\f>5</a>"
	  "<div style=\"background:url(http:\\5c\\5c h6.example\\5c a.png)\">"
	  "</div><img srcset=\"https:&#92;&#92;h7.example\\i.png 2x\">"
	  "<a href=\"//h8.example\\p\">8</a>"
	  "<a href=\"http:\\no1.example/\">one backslash: a browser's too</a>"
	  "<a href=\"mailto:\\\\no2.example\">m</a>",
	  "http://h1.example/p/x?q=a\\b#f\\g\nhttps://h2.example/\n"
	  "HTTPS://h3.example\nhttps://good.example/@h4.example/\n"
	  "ftp://h5.example/f\nhttp://h6.example/a.png\n"
	  "https://h7.example/i.png\nhttps://h8.example/p\n"
	  "http://no1.example/" },
	{ "html: http:host and http:/host are http://host (WHATWG)",
	  MODE_HTML,
	  "<a href=\"http:a.example/x\">1</a><a href=\"HTTPS:/b.example\">2</a>"
	  "<a href=\"ftp:c.example\">3</a><a href=\"http:\">4</a>"
	  "<a href=\"http:/\">5</a><a href=\"http:?x\">6</a>"
	  "<a href=\"help.html\">7</a><a href=\"https:&#x2F;d.example/\">8</a>"
	  "<a href=\"sftp:e.example\">9</a>",
	  "http://a.example/x\nHTTPS://b.example\nftp://c.example\n"
	  "https://d.example/" },
	{ "html: http:g after an http <base href> is relative to it",
	  MODE_HTML,
	  "<base href=\"http://a.example/b/c/d;p?q\"><a href=\"http:g\">1</a>"
	  "<a href=\"http:/g2\">2</a><a href=\"https:h.example/\">3</a>",
	  "http://a.example/b/c/d;p?q\nhttp://a.example/b/c/g\n"
	  "http://a.example/g2\nhttps://h.example/" },
	{ "html: characters IDNA ignores dropped from a link's host",
	  MODE_HTML,
	  "<a href=\"https://pay&shy;pal.example/\">1</a>"
	  "<a href=\"https://ev\xe2\x80\x8bil.example/p&#x200B;q\">2</a>"
	  "<a href=\"https://z&#8288;w.example/\">3</a>"
	  "<a href=\"www.w&#xFEFF;w.example/\">4</a>"
	  "<a href=\"//pr&shy;el.example/\">5</a>"
	  "<a href=\"https://zwj&zwj;x.example/\">ZWJ kept</a>"
	  "<a href=\"https://b\xc3\xbc" "cher.example/\xc3\xa4\">IDN kept</a>"
	  "<a href=\"https://&#x200B;/\">e</a><a href=\"www.&shy;\">e</a>",
	  "https://paypal.example/\nhttps://evil.example/p\xe2\x80\x8bq\n"
	  "https://zw.example/\nwww.ww.example/\nhttps://prel.example/\n"
	  "https://zwj\xe2\x80\x8dx.example/\n"
	  "https://b\xc3\xbc" "cher.example/\xc3\xa4" },
	{ "text: backslash forms and // are not links in text", MODE_TEXT,
	  "see http:\\\\t1.example\\p or //t2.example/x",
	  "" },
	{ "html: \\\\host, /\\host, \\/host are protocol-relative", MODE_HTML,
	  "<a href=\"\\\\p1.example\\x\">a</a><a href=\"/\\p2.example/\">b</a>"
	  "<a href=\"\\/p3.example/\">c</a><a href=\"\\\\\\no1.example/\">d</a>"
	  "<a href=\"\\no2.example/\">e</a><p>\\\\no3.example\\x</p>",
	  "https://p1.example/x\nhttps://p2.example/\nhttps://p3.example/" },
	{ "html: ideographic and fullwidth full stops are dots in a host",
	  MODE_HTML,
	  "<a href=\"https://d1\xe3\x80\x82" "example/p\xe3\x80\x82q\">a</a>"
	  "<a href=\"https://d2\xef\xbc\x8e" "example/\">b</a>"
	  "<a href=\"//d3\xef\xbd\xa1" "example/\">c</a>"
	  "<a href=\"//&#x200B;/\">d</a>",
	  "https://d1.example/p\xe3\x80\x82q\nhttps://d2.example/\n"
	  "https://d3.example/" },
	{ "html: relative links resolved against an http(s) <base href>",
	  MODE_HTML,
	  "<a href=\"before.html\">not yet</a>"
	  "<base href=\"http://evil.example/dir/page.html?x=1#f\">"
	  "<a href=\"login.html\">a</a><a href=\"/root\">b</a>"
	  "<a href=\"?q=2\">c</a><a href=\"#top\">d</a>"
	  "<a href=\"mailto:a@b.example\">e</a><img src=\"cid:x@y\">"
	  "<a href=\"sub/x.php?a=1&amp;b=2\">g</a><img srcset=\"i/1.png 2x\">"
	  "<div style=\"background:url(bg.png)\"></div>"
	  "<a href=\"javascript:x\">j</a><a href=\"\">k</a>"
	  "<a href=\"\\back\\slash\">l</a>"
	  "<base href=\"https://second.example/\"><a href=\"z\">z</a>",
	  "http://evil.example/dir/page.html?x=1#f\n"
	  "http://evil.example/dir/login.html\nhttp://evil.example/root\n"
	  "http://evil.example/dir/page.html?q=2\n"
	  "http://evil.example/dir/sub/x.php?a=1&b=2\n"
	  "http://evil.example/dir/i/1.png\nhttp://evil.example/dir/bg.png\n"
	  "http://evil.example/back/slash\nhttps://second.example/\n"
	  "http://evil.example/dir/z" },
	{ "html: a <base href> without a path; one not http(s) resolves "
	  "nothing", MODE_HTML,
	  "<BASE HREF=\"https://b.example\"><a href=x>1</a><a href=/y>2</a>",
	  "https://b.example\nhttps://b.example/x\nhttps://b.example/y" },
	{ "html: a first <base href> that is relative or not http(s) wins",
	  MODE_HTML,
	  "<base target=_top><base href=\"/rel/\"><base href=\"https://c/\">"
	  "<a href=\"x\">1</a>",
	  "https://c/" },
	{ "html: action, background, formaction, data", MODE_HTML,
	  "<form action=\"http://g.com/post\"><body background="
	  "\"http://h.com/bg.png\"><button formaction=\"https://i.com/f\">"
	  "<object data=\"http://j.com/o.swf\">",
	  "http://g.com/post\nhttp://h.com/bg.png\nhttps://i.com/f\n"
	  "http://j.com/o.swf" },
	{ "html: other attributes are not links", MODE_HTML,
	  "<div title=\"http://no.com\" class=\"http://no2.com\">x</div>",
	  "" },
	{ "html: link text showing another URL", MODE_HTML,
	  "<a href=\"http://evil.com/\">http://paypal.com/login</a>",
	  "http://evil.com/\nhttp://paypal.com/login" },
	{ "html: text entities decoded", MODE_HTML,
	  "<p>Visit http://k.com/?a=1&amp;b=2&nbsp;now</p>",
	  "http://k.com/?a=1&b=2" },
	{ "html: &lt;URL&gt; in text", MODE_HTML,
	  "<p>&lt;http://l.com/x&gt; &quot;www.l2.com&quot;</p>",
	  "http://l.com/x\nwww.l2.com" },
	{ "html: a tag ends a text URL", MODE_HTML,
	  "<td>http://m.com/a</td><td>next</td><p>http://s.com/a<br>b</p>",
	  "http://m.com/a\nhttp://s.com/a" },
	{ "html: <wbr> inside a URL is joined", MODE_HTML,
	  "<p>https://n.com/long/<wbr>path/<WBR/>more</p>",
	  "https://n.com/long/path/more" },
	{ "html: inline elements do not break a text URL", MODE_HTML,
	  "<p>http://k20.<b></b>example/x</p>"
	  "<p>https://<span>evil-login</span>.example/verify</p>"
	  "<p>www.<font color=red>k26</font>.example</p>"
	  "<p>https://k27.example/<i>path</i></p>"
	  "<p>http://k28.<STRONG>ex</STRONG><em>am</em><a href=x>ple</a>/"
	  "<code>c</code><sub>1</sub><tt>2</tt>.html</p>",
	  "http://k20.example/x\nhttps://evil-login.example/verify\n"
	  "www.k26.example\nhttps://k27.example/path\n"
	  "http://k28.example/c12.html" },
	{ "html: document order kept when a blank ends the text", MODE_HTML,
	  "<p>see http://o1.example/ <a href=\"http://o2.example/\">x</a>"
	  " http://o3.example/&nbsp;<b>b </b><a href=\"http://o4.example/\">"
	  "</a>http://o5.example/a<a href=\"http://o6.example/\">b</a> c</p>",
	  "http://o1.example/\nhttp://o2.example/\nhttp://o3.example/\n"
	  "http://o4.example/\nhttp://o6.example/\nhttp://o5.example/ab" },
	{ "html: a hidden inline element's text is not in a visible URL",
	  MODE_HTML,
	  "<p>https://<span>evil-login</span>.example/<span style=\"display:"
	  "none\">zz</span>verify</p>"
	  "<p>http://h2.example/<b style='DISPLAY : None'>x<b>y</b>z</b>a"
	  "<font style=\"font-size:0px\">qq</font>b<i>c</i></p>"
	  "<p>http://h3.example/<span style=\"font-size:0.8em\">s</span>t"
	  "<span style=\"display:none\">see http://hidden.example/&amp;x"
	  "</span>u</p><p>www.h4.example/<span style=display:none/>v</p>",
	  "https://evil-login.example/verify\nhttp://h2.example/abc\n"
	  "http://hidden.example/&x\nhttp://h3.example/stu\n"
	  "www.h4.example/v" },
	{ "html: block elements and unknown tags still break it", MODE_HTML,
	  "<p>http://b1.example/a<div>b</div></p>http://b2.example/c<br>d "
	  "http://b3.example/e<td>f http://b4.example/g<img src=x>h "
	  "http://b5.example/i<spanx>j http://b6.example/k<h1>l</h1>"
	  "http://b7.example/m<li>n",
	  "http://b1.example/a\nhttp://b2.example/c\nhttp://b3.example/e\n"
	  "http://b4.example/g\nhttp://b5.example/i\nhttp://b6.example/k\n"
	  "http://b7.example/m" },
	{ "html: text joined over inline tags keeps entities and seg order",
	  MODE_HTML,
	  "<p>ab<b>c</b>d https://j1.<i>ex&#97;mple</i>/&amp;x<u>y</u></p>",
	  "https://j1.example/&xy" },
	{ "text: invisible characters in a host dropped", MODE_TEXT,
	  "https://micro\xe2\x80\x8bsoft-login.example/x "
	  "https://pay\xc2\xadpal.example/p\xc2\xadq "
	  "www.a\xe2\x81\xa0\xef\xbb\xbf" "b.example "
	  "http://\xe2\x80\x8b" "c\xe2\x80\x8c" "d\xe2\x80\x8d" "e.example/ "
	  "https://f.example/g\xe2\x80\x8bh http://\xe2\x80\x8b x",
	  "https://microsoft-login.example/x\n"
	  "https://paypal.example/p\xc2\xadq\nwww.ab.example\n"
	  "http://cde.example/\nhttps://f.example/g" },
	{ "html: invisible characters in a text URL's host dropped",
	  MODE_HTML,
	  "<p>https://pay&shy;pal-login.example/verify</p>"
	  "<p>https://g&#x200B;o.example/a&zwnj;b hxxps://e&zwj;v[.]example</p>",
	  "https://paypal-login.example/verify\nhttps://go.example/a\n"
	  "https://ev.example" },
	{ "html: WHATWG named references", MODE_HTML,
	  "<p>http://en1.example/go&rarr; now</p>"
	  "<p>http://en2.example/x&rsaquo;</p>"
	  "<p>http://en3.example/y&hearts;</p>"
	  "<p>http://en4.example/z&uuml;ber &lsaquo;http://en5.example/q"
	  "&rsaquo;</p>"
	  "<a href=\"http://en6.example/&auml;&eacute;&Uuml;&szlig;\">x</a>"
	  "<a href=\"http://en7.example/&CounterClockwiseContourIntegral;"
	  "&nGt;&fjlig;\">y</a>"
	  "<p>http://en8.example/&notanentity; &#8203;</p>",
	  "http://en1.example/go\nhttp://en2.example/x\n"
	  "http://en3.example/y\nhttp://en4.example/z\xc3\xbc" "ber\n"
	  "http://en5.example/q\n"
	  "http://en6.example/\xc3\xa4\xc3\xa9\xc3\x9c\xc3\x9f\n"
	  "http://en7.example/\xe2\x88\xb3\xe2\x89\xab\xe2\x83\x92" "fj\n"
	  "http://en8.example/\xc2\xac" "anentity" },
	{ "html: references without ';': legacy names only, attribute rule",
	  MODE_HTML,
	  "<p>http://l1.example/a&copy2 http://l2.example/&eacutex "
	  "http://l3.example/&rarrx &ampz http://l4.example/&notin;x</p>"
	  "<a href=\"http://l5.example/?a=1&copy=2&reg&para;&uuml\">1</a>"
	  "<a href=\"http://l6.example/?&copyx&amp&lt;&gt\">2</a>",
	  "http://l1.example/a\xc2\xa9" "2\nhttp://l2.example/\xc3\xa9x\n"
	  "http://l3.example/&rarrx\nhttp://l4.example/\xe2\x88\x89x\n"
	  "http://l5.example/?a=1&copy=2\xc2\xae\xc2\xb6\xc3\xbc\n"
	  "http://l6.example/?&copyx&%3C%3E" },
	{ "html: &nGt; (longer decoded than written) and more after it",
	  MODE_HTML,
	  "<p>&nGt;&nGt; http://n1.example/&amp;&nLt;&lt;b&#x41;&foo;"
	  " http://n2.example/&gt</p>",
	  "http://n1.example/&\xe2\x89\xaa\xe2\x83\x92" "\nhttp://n2.example/" },
	{ "text: more defanged forms refanged", MODE_TEXT,
	  "hxxps[://]d7.example/ hxxp[://]d3.example/p "
	  "http://d6[dot]example/p https://d11{.}example/ "
	  "hxxps://d12(DOT)example[.]com/a[dot]b www{.}d13{.}example "
	  "http[://]d14(.)example",
	  "https://d7.example/\nhttp://d3.example/p\nhttp://d6.example/p\n"
	  "https://d11.example/\nhttps://d12.example.com/a[dot]b\n"
	  "www.d13.example\nhttp://d14.example" },
	{ "text: defang words in prose are not URLs", MODE_TEXT,
	  "a [dot] b {.} c (dot) d [://] e[://]f www[dot] x",
	  "" },
	{ "text: fullwidth and angle punctuation ends a URL", MODE_TEXT,
	  "http://f1.example/a\xef\xbc\x9f http://f2.example/b\xef\xbc\x9b "
	  "http://f3.example/c\xef\xbc\x9a http://f4.example/d\xef\xbc\x81 "
	  "http://f5.example/e\xe3\x80\x89 http://f6.example/f\xe2\x80\xba "
	  "http://f7.example/g\xe2\x80\x9e http://f8.example/h\xc2\xbb "
	  "http://f9.example/i\xc2\xab http://f10.example/j\xe3\x80\x8d "
	  "http://f11.example/k\xe3\x80\x8f http://f12.example/l\xe3\x80\x91 "
	  "http://f13.example/m\xe2\x86\x92x http://f14.example/n\xe2\x9e\x94 "
	  "\xe3\x80\x88http://f15.example/o\xe3\x80\x8bp",
	  "http://f1.example/a\nhttp://f2.example/b\nhttp://f3.example/c\n"
	  "http://f4.example/d\nhttp://f5.example/e\nhttp://f6.example/f\n"
	  "http://f7.example/g\nhttp://f8.example/h\nhttp://f9.example/i\n"
	  "http://f10.example/j\nhttp://f11.example/k\n"
	  "http://f12.example/l\nhttp://f13.example/m\n"
	  "http://f14.example/n\nhttp://f15.example/o" },
	{ "html: javascript: links, event handlers, lazy-load attributes",
	  MODE_HTML,
	  "<a href=\"javascript:location='http://h8.example/js'\">8</a>"
	  "<button onclick=\"location.href='http://k8.example/onclick'\">b"
	  "</button><img src=x onerror=\"fetch('https://k24.example/beacon')\">"
	  "<img data-src=\"http://k7.example/lazy.png\" "
	  "data-original=\"http://k9.example/o.png\">"
	  "<a data-href=\"https://k10.example/h\" DATA-URL=//k11.example/u>"
	  "</a><img data-lazy-src=\"http://k12.example/l.png\">"
	  "<a href=\" JavaScript:window.open(&quot;http://k14.example/q"
	  "&quot;)\">14</a>"
	  "<a href=\"javascript:void(location=%27https://k15.example/%27)\">"
	  "15</a><a href=jump.html>relative, no base</a>"
	  "<div onmouseover='x(\"https:\\/\\/k16.example\\/esc\")'></div>"
	  "<a on=\"http://no1.example/\" one=x data-x=\"http://no2.example/\""
	  " href=\"javascript:\">n</a>",
	  "http://h8.example/js\nhttp://k8.example/onclick\n"
	  "https://k24.example/beacon\nhttp://k7.example/lazy.png\n"
	  "http://k9.example/o.png\nhttps://k10.example/h\n"
	  "https://k11.example/u\nhttp://k12.example/l.png\n"
	  "http://k14.example/q\n"
	  "https://k15.example/\nhttps://k16.example/esc" },
	{ "html: JSON-escaped slashes in a script", MODE_HTML,
	  "<script>var c={\"u\":\"https:\\/\\/s1.example\\/a\\/b\"};"
	  "x='http://s2.example/p';</script>"
	  "<p>https:\\/\\/not-in-text.example</p>",
	  "https://s1.example/a/b\nhttp://s2.example/p" },
	{ "html: a javascript: link resolved against no <base>", MODE_HTML,
	  "<base href=\"https://b.example/d/\">"
	  "<a href=\"javascript:go('/x')\">1</a><a href=\"jump.html\">2</a>",
	  "https://b.example/d/\nhttps://b.example/d/jump.html" },
	{ "html: spaces decoded in a link percent-encoded", MODE_HTML,
	  "<a href=\"http://e2.example/&nbsp;x\">2</a>"
	  "<a href=\"http://e3.example/a&#x2003;b&#x3000;c&#x85;d\">3</a>"
	  "<a href=\"http://e4.example/\xc2\xa0\xe2\x80\xa8\xc2\x85\xc3\xa9"
	  "\xe2\x80\x8b\">4</a>",
	  "http://e2.example/%C2%A0x\n"
	  "http://e3.example/a%E2%80%83b%E3%80%80c\xe2\x80\xa6" "d\n"
	  "http://e4.example/%C2%A0%E2%80%A8%C2%85\xc3\xa9\xe2\x80\x8b" },
	{ "html: script content scanned", MODE_HTML,
	  "<script>if (a<b) u=\"http://o.com/kit.php\";</script>"
	  "<script type=x>var v='http://o2.com/p';</SCRIPT >after",
	  "http://o.com/kit.php\nhttp://o2.com/p" },
	{ "html: style content scanned", MODE_HTML,
	  "<style>body{background:url(http://p.com/bg.png)}</style>",
	  "http://p.com/bg.png" },
	{ "html: comments and conditional comments", MODE_HTML,
	  "<!--[if mso]><v:roundrect href=\"http://q.com/btn\"><![endif]-->"
	  "<!-- http://r.com/c --><!--><a href=\"http://r2.com\">x</a>",
	  "http://q.com/btn\nhttp://r.com/c\nhttp://r2.com" },
	{ "html: doctype and xmlns are not links", MODE_HTML,
	  "<!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1.0//EN\" "
	  "\"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd\">"
	  "<html xmlns=\"http://www.w3.org/1999/xhtml\"><?xml x=\"http://y\"?>",
	  "" },
	{ "html: quoted value may hold '>'", MODE_HTML,
	  "<a title=\"a>b\" href=\"http://t.com/\">x</a>",
	  "http://t.com/" },
	{ "html: meta refresh", MODE_HTML,
	  "<meta http-equiv=\"refresh\" content=\"0; url=http://u.com/r\">",
	  "http://u.com/r" },
	{ "html: first-seen order across attributes and text", MODE_HTML,
	  "<p>www.first.com</p><a href=\"http://second.com\">"
	  "http://third.com</a><img src=\"http://second.com\">"
	  "<p>http://first.org</p>",
	  "www.first.com\nhttp://second.com\nhttp://third.com\n"
	  "http://first.org" },
	{ "html: www form in href", MODE_HTML,
	  "<a href=\"www.v.com/x\">x</a>",
	  "www.v.com/x" },
	{ "html: unterminated quote runs to the end", MODE_HTML,
	  "<p>text</p><a href=\"http://y.com/",
	  "http://y.com/" },
	{ "html: Safe Links in href", MODE_HTML,
	  "<a href=\"https://eur01.safelinks.protection.outlook.com/?url="
	  "http%3A%2F%2Fz.com%2F&amp;data=1\">x</a>",
	  "https://eur01.safelinks.protection.outlook.com/?url="
	  "http%3A%2F%2Fz.com%2F&data=1\nhttp://z.com/" },
	{ "html: literal '<' in text", MODE_HTML,
	  "<p>a < b http://aa.com/x 3<4</p>",
	  "http://aa.com/x" },
	{ "html: title is text with entities", MODE_HTML,
	  "<title>http://bb.com/&amp;x &lt;b&gt;</title>",
	  "http://bb.com/&x" },
	{ "html: markup inside attribute values is not a tag", MODE_HTML,
	  "<img alt=\"<a href='http://no.com'>\" src=\"http://cc.com/i\">",
	  "http://cc.com/i" },
	{ "html: invalid UTF-8 in href percent-encoded", MODE_HTML,
	  "<a href=\"http://dd.com/\xff\xc3\xa9\">x</a>",
	  "http://dd.com/%FF\xc3\xa9" },
	{ "html: NUL in href percent-encoded", MODE_HTML,
	  "<a href=\"http://ee.com/a\\0b\">x</a>",	/* see run_case */
	  "http://ee.com/a%00b" },

	/* ---- srcset / imagesrcset (WHATWG splitting) ---- */
	{ "srcset: descriptors, commas inside URLs, a parenthesised group",
	  MODE_HTML,
	  "<img srcset=\"http://a.example/x,y.png 2x, "
	  "https://b.example/z.png 300w,http://c.example/q.png,,, "
	  "http://d.example/r (a, b), http://e.example/s\">",
	  "http://a.example/x,y.png\nhttps://b.example/z.png\n"
	  "http://c.example/q.png\nhttp://d.example/r\nhttp://e.example/s" },
	{ "srcset: a URL ending in commas has no descriptors", MODE_HTML,
	  "<img srcset=\"http://a.example/1.png,, http://a.example/2.png 1x,"
	  "http://a.example/3.png\">",
	  "http://a.example/1.png\nhttp://a.example/2.png\n"
	  "http://a.example/3.png" },
	{ "srcset: leading commas and white space, relative ones ignored",
	  MODE_HTML,
	  "<img srcset=\" ,,\t/rel.png 1x, img/a.png,\n"
	  "https://x.example/a.png 2x\" src=\"/also-relative.png\">",
	  "https://x.example/a.png" },
	{ "srcset: entities decoded first (&#44; is a comma in the URL)",
	  MODE_HTML,
	  "<img srcset=\"https://x.example/a.png?a=1&amp;b=2 1x, "
	  "https://x.example/b&#44;c.png 2x, https://x.example/d.png&#44; "
	  "3x\">",
	  "https://x.example/a.png?a=1&b=2\nhttps://x.example/b,c.png\n"
	  "https://x.example/d.png" },
	{ "srcset: unquoted value, imagesrcset on link, order with href",
	  MODE_HTML,
	  "<a href=\"http://h.example/\"><img srcset=http://u.example/a.png>"
	  "</a><link rel=preload imagesrcset=\"https://l.example/a.png 1x, "
	  "https://l.example/b.png 2x\">",
	  "http://h.example/\nhttp://u.example/a.png\n"
	  "https://l.example/a.png\nhttps://l.example/b.png" },
	{ "srcset: not on an end tag, not other *srcset names", MODE_HTML,
	  "</img srcset=\"http://no1.example/\">"
	  "<img data-srcset=\"http://no2.example/\" "
	  "srcsets=\"http://no3.example/\">",
	  "" },

	/* ---- CSS: style attribute and <style> element ---- */
	{ "css: url() unquoted, quoted, white space inside the parentheses",
	  MODE_HTML,
	  "<div style=\"background:url(http://a.example/1.png); "
	  "b:url( 'http://a.example/2.png' ); "
	  "c:URL(\n\thttp://a.example/3.png\n);"
	  "d:url(\t&quot;http://a.example/4.png&quot;\t)\">x</div>",
	  "http://a.example/1.png\nhttp://a.example/2.png\n"
	  "http://a.example/3.png\nhttp://a.example/4.png" },
	{ "css: entities in a style attribute decoded first", MODE_HTML,
	  "<p style=\"background-image:url(&quot;https://e.example/a.png?x=1"
	  "&amp;y=2&quot;)\">x</p><p style='@import &apos;http://e.example/"
	  "i.css&apos;'>y</p>",
	  "https://e.example/a.png?x=1&y=2\nhttp://e.example/i.css" },
	{ "css: backslash escapes decoded", MODE_HTML,
	  "<p style=\"a:url(http\\:\\/\\/c.example/a\\)b.png);"
	  "b:url('http://c.example/\\68 ello\\'s.png');"
	  /* ("\\0" would be a NUL here: see run_case) */
	  "c:url(http://c.example/\\41\\42 C\\E9 t\\110000 .png);"
	  "d:url(http://c.example/sp\\ ace.png)\">",
	  "http://c.example/a)b.png\nhttp://c.example/hello's.png\n"
	  "http://c.example/ABC\xc3\xa9t\xef\xbf\xbd.png\n"
	  "http://c.example/sp%20ace.png" },
	{ "css: bad url() and bad strings give nothing", MODE_HTML,
	  "<p style=\"a:url(http://bad.example/a b.png);"
	  "b:url(http://bad.example/q&quot;x);c:url(http://bad.example/(p));"
	  "d:url('http://bad.example/nl\nx');e:url(http://ok.example/)\">",
	  "http://ok.example/" },
	{ "css: not a longer name, not relative, unterminated at the end",
	  MODE_HTML,
	  "<p style=\"a:myurl(http://no.example/);b:url(/rel.png);"
	  "@importx 'http://no2.example/';c:url(http://end.example/x",
	  "http://end.example/x" },
	{ "css: @import forms in a <style> element, read as CSS only",
	  MODE_HTML,
	  "<style>@import url(http://s.example/1.css);\n"
	  "@IMPORT \"http://s.example/2.css\" screen;\n"
	  "@import\t'http://s.example/3\\\n.css';\n"
	  ".a{background:url(\"http://s.example/\\2f img.png\")}\n"
	  "</style><p>http://after.example/</p>",
	  "http://s.example/1.css\nhttp://s.example/2.css\n"
	  "http://s.example/3.css\nhttp://s.example//img.png\n"
	  "http://after.example/" },
	{ "css: <style> is not text: no comment, string or escaped raw URL",
	  MODE_HTML,
	  "<style>/* http://comment.example/ */ a{content:'www.s.example'}"
	  ".b{background:url(http\\3a //esc.example/a\\2e png)}</style>"
	  "<script>window.location='https://script.example/p';</script>",
	  "http://esc.example/a.png\nhttps://script.example/p" },
	{ "css: image-set() and -webkit-image-set() strings are URLs",
	  MODE_HTML,
	  "<style>.a{background-image:-webkit-image-set(\"https://i.example/"
	  "a.png\" 1x, 'https://i.example/b.png' 2x)}.b{b:IMAGE-SET("
	  "\"https://i.example/c.png\" type(\"image/png\"))}"
	  ".c{b:myimage-set(\"https://no.example/\")}</style>"
	  "<p style=\"b:image-set(url(https://i.example/d.png) 1x)\">x</p>",
	  "https://i.example/a.png\nhttps://i.example/b.png\n"
	  "https://i.example/c.png\nhttps://i.example/d.png" },
	{ "css: an unterminated <style> is scanned as text too",
	  MODE_HTML,
	  "<style>.x{a:url(https://u.example/a)} <a href=\"https://u.example/"
	  "b\">https://u.example/c</a>",
	  "https://u.example/a\nhttps://u.example/b\nhttps://u.example/c" },
	{ "css: a style element is CSS, a style attribute on an end tag not",
	  MODE_HTML,
	  "<p>url(http://text.example/)</p>"
	  "</p style=\"x:url(http://no.example/)\">"
	  "<style type=text/css>b{c:url( http://css.example/a.png )}</style>",
	  "http://text.example/\nhttp://css.example/a.png" },
};

static struct config	cfg;
static int64_t		def_max_urls, def_max_url_length, def_match_limit;

/* utf8_ok - s is valid UTF-8 without controls (what the JSON needs) */
static int
utf8_ok(const char *s)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 k, i;

	while (*p != '\0') {
		if (*p < 0x20 || *p == 0x7f)
			return 0;
		if (*p < 0x80) {
			p++;
			continue;
		}
		if (*p >= 0xc2 && *p <= 0xdf)
			k = 2;
		else if (*p >= 0xe0 && *p <= 0xef)
			k = 3;
		else if (*p >= 0xf0 && *p <= 0xf4)
			k = 4;
		else
			return 0;
		for (i = 1; i < k; i++)
			if ((p[i] & 0xc0) != 0x80)
				return 0;
		p += k;
	}
	return 1;
}

/* scan_join - scan in[0..len) into a fresh set; the URLs '\n'-joined */
static char *
scan_join(int mode, const char *in, size_t len, unsigned *flags_r)
{
	struct url_set	set;
	struct strlist	out;
	char		*s;
	size_t		 i;

	url_set_init(&set, (size_t)cfg.max_urls, (size_t)cfg.max_url_length);
	if (mode == MODE_HTML)
		urlscan_html(&set, in, len);
	else
		urlscan_text(&set, in, len);
	if (flags_r != NULL)
		*flags_r = set.flags;
	url_set_finish(&set, &out);
	for (i = 0; i < out.n; i++)
		if (!utf8_ok(out.v[i]))
			fprintf(stderr, "not clean UTF-8: %s\n", out.v[i]);
	s = strlist_join(&out, "\n");
	strlist_free(&out);
	return s;
}

static void
run_case(const struct tcase *tc)
{
	char	*got, *in;
	size_t	 len, i, j;

	/* "\\0" in an input stands for a NUL byte */
	len = strlen(tc->in);
	in = xmalloc(len + 1);
	for (i = j = 0; i < len; i++) {
		if (tc->in[i] == '\\' && tc->in[i + 1] == '0') {
			in[j++] = '\0';
			i++;
		} else
			in[j++] = tc->in[i];
	}
	T_BEGIN(tc->name);
	got = scan_join(tc->mode, in, j, NULL);
	T_STREQ(got, tc->want);
	free(got);
	free(in);
	T_END();
}

static void
test_nul_in_text(void)
{
	static const char	in[] =
	    "http://a.com/x\0http://b.com/y\0\0www.c.com";
	char			*got;

	T_BEGIN("text: NUL bytes end URLs, scanning goes on");
	got = scan_join(MODE_TEXT, in, sizeof(in) - 1, NULL);
	T_STREQ(got, "http://a.com/x\nhttp://b.com/y\nwww.c.com");
	free(got);
	T_END();
}

static void
test_set_bounds(void)
{
	struct url_set	set;
	struct strlist	out;
	unsigned	flags;
	char		*got;

	T_BEGIN("url_set: max_urls stops adding, flags");
	url_set_init(&set, 3, 100);
	T_ASSERT(url_set_add(&set, "http://a", 8));
	T_ASSERT(url_set_add(&set, "http://b", 8));
	T_ASSERT(url_set_add(&set, "http://c", 8));
	T_ASSERT(set.flags == 0);
	T_ASSERT(url_set_add(&set, "http://a", 8));	/* a duplicate fits */
	T_ASSERT(set.flags == 0);
	T_ASSERT(!url_set_add(&set, "http://d", 8));
	T_ASSERT(set.flags == EXF_TRUNC_URLS);
	url_set_finish(&set, &out);
	T_ASSERT(out.n == 3);
	T_ASSERT(set.list.n == 0 && set.index == NULL);
	T_ASSERT(set.flags == EXF_TRUNC_URLS);
	strlist_free(&out);
	T_END();

	T_BEGIN("url_set: max_url_length cuts at a UTF-8 boundary");
	url_set_init(&set, 10, 10);
	/* "http://\xc3\xa9\xc3\xa9": byte 10 is inside the 2nd e-acute */
	T_ASSERT(url_set_add(&set, "http://\xc3\xa9\xc3\xa9", 11));
	T_ASSERT(url_set_add(&set, "http://abc", 10));	/* exactly 10: kept */
	T_ASSERT(set.flags == EXF_TRUNC_URL_LEN);
	T_ASSERT(set.list.n == 2);
	T_STREQ(set.list.v[0], "http://\xc3\xa9");
	T_STREQ(set.list.v[1], "http://abc");
	/* two long URLs with the same cut are one */
	T_ASSERT(url_set_add(&set, "http://abcdef", 13));
	T_ASSERT(set.list.n == 2);
	url_set_free(&set);
	T_END();

	T_BEGIN("url_set: empty and NUL-holding input");
	url_set_init(&set, 10, 100);
	T_ASSERT(url_set_add(&set, "", 0));
	T_ASSERT(url_set_add(&set, "http://a\0b", 10));
	T_ASSERT(set.list.n == 1);
	T_STREQ(set.list.v[0], "http://a");
	url_set_free(&set);
	T_END();

	T_BEGIN("url_set: many distinct URLs, index growth");
	{
		char	buf[64];
		int	i, n;
		bool	ok = true;

		url_set_init(&set, 0, 0);		/* 0: no limit */
		for (i = 0; i < 20000; i++) {
			n = snprintf(buf, sizeof(buf), "http://h%d.example/",
			    i);
			ok = ok && url_set_add(&set, buf, (size_t)n);
		}
		for (i = 0; i < 20000; i += 7) {
			n = snprintf(buf, sizeof(buf), "http://h%d.example/",
			    i);
			ok = ok && url_set_add(&set, buf, (size_t)n);
		}
		T_ASSERT(ok);
		T_ASSERT(set.list.n == 20000);
		T_STREQ(set.list.v[12345], "http://h12345.example/");
		T_ASSERT(set.flags == 0);
		url_set_free(&set);
	}
	T_END();

	T_BEGIN("scan: max_urls through the scanner");
	cfg.max_urls = 2;
	got = scan_join(MODE_TEXT, "http://a http://b http://a http://c "
	    "http://d", 44, &flags);
	T_STREQ(got, "http://a\nhttp://b");
	T_ASSERT(flags == EXF_TRUNC_URLS);
	free(got);
	cfg.max_urls = def_max_urls;
	T_END();

	T_BEGIN("scan: max_url_length through the scanner");
	cfg.max_url_length = 12;
	got = scan_join(MODE_HTML,
	    "<a href='http://abcdefghijk'>http://a.b</a>", 43, &flags);
	T_STREQ(got, "http://abcde\nhttp://a.b");
	T_ASSERT(flags == EXF_TRUNC_URL_LEN);
	free(got);
	cfg.max_url_length = def_max_url_length;
	T_END();

	T_BEGIN("scan: max_url_length counts the scheme given to //host");
	cfg.max_url_length = 14;
	got = scan_join(MODE_HTML, "<a href='//abc.example/x'>", 26, &flags);
	T_STREQ(got, "https://abc.ex");
	T_ASSERT(flags == EXF_TRUNC_URL_LEN);
	free(got);
	cfg.max_url_length = def_max_url_length;
	T_END();

	T_BEGIN("scan: several calls add to one set");
	url_set_init(&set, 10, 100);
	urlscan_text(&set, "http://one.com http://two.com", 29);
	urlscan_html(&set, "<a href=http://two.com>http://three.com</a>", 43);
	urlscan_text(&set, NULL, 0);
	urlscan_html(&set, "", 0);
	T_ASSERT(set.list.n == 3);
	T_STREQ(set.list.n == 3 ? set.list.v[2] : NULL, "http://three.com");
	url_set_free(&set);
	T_END();
}

static void
test_user_regex(void)
{
	struct urlscan_re	*re;
	struct errbuf		 err;
	char			*s;

	T_BEGIN("urlscan_re: caseless and case-sensitive");
	re = urlscan_re_compile("^(ceo|cfo)@example\\.com$", true, &err);
	T_ASSERT(re != NULL);
	T_ASSERT(urlscan_re_match(re, "CEO@Example.com", 15) == 1);
	T_ASSERT(urlscan_re_match(re, "cto@example.com", 15) == 0);
	urlscan_re_free(re);
	re = urlscan_re_compile("^ceo@", false, &err);
	T_ASSERT(re != NULL);
	T_ASSERT(urlscan_re_match(re, "CEO@x", 5) == 0);
	T_ASSERT(urlscan_re_match(re, "ceo@x", 5) == 1);
	urlscan_re_free(re);
	T_END();

	T_BEGIN("urlscan_re: bad pattern gives a message");
	memset(&err, 0, sizeof(err));
	re = urlscan_re_compile("(unclosed", false, &err);
	T_ASSERT(re == NULL);
	T_ASSERT(strstr(err.msg, "(unclosed") != NULL);
	T_ASSERT(strstr(err.msg, "offset") != NULL);
	urlscan_re_free(NULL);
	T_END();

	T_BEGIN("urlscan_re: invalid UTF-8 subject is no error");
	re = urlscan_re_compile("b.d", false, &err);
	T_ASSERT(re != NULL);
	T_ASSERT(urlscan_re_match(re, "a\xff" "bcd", 5) == 1);
	T_ASSERT(urlscan_re_match(re, "b\xff" "d", 3) == 0);
	urlscan_re_free(re);
	T_END();

	T_BEGIN("urlscan_re: catastrophic backtracking hits the limit");
	re = urlscan_re_compile("^(a+)+$", false, &err);
	T_ASSERT(re != NULL);
	s = xmalloc(4097);
	memset(s, 'a', 4096);
	s[4095] = '!';
	s[4096] = '\0';
	T_ASSERT(urlscan_re_match(re, s, 4096) == -1);
	s[4095] = 'a';
	T_ASSERT(urlscan_re_match(re, s, 4096) == 1);
	free(s);
	urlscan_re_free(re);
	T_END();
}

/* repeat - a buffer of unit repeated to at least n bytes */
static char *
repeat(const char *unit, size_t n, size_t *len_r)
{
	size_t	ul = strlen(unit), len = 0;
	char	*b = xmalloc(n + ul + 1);

	while (len < n) {
		memcpy(b + len, unit, ul);
		len += ul;
	}
	b[len] = '\0';
	*len_r = len;
	return b;
}

/* rep_want - unit repeated to n bytes scans to exactly want, no flag */
static void
rep_want(const char *unit, size_t n, int mode, const char *want)
{
	unsigned	 flags;
	size_t		 len;
	char		*b, *got;

	b = repeat(unit, n, &len);
	got = scan_join(mode, b, len, &flags);
	T_STREQ(got, want);
	T_ASSERT(flags == 0);
	free(got);
	free(b);
}

static void
test_hostile(void)
{
	struct url_set	set;
	unsigned	flags;
	char		*b, *got;
	size_t		len, i;
	uint32_t	x = 2463534242u;
	static const char *const units[] = {
		"<a href=", "<a href='", "<a href=\"http://x", "<!--",
		"<script>", "&#", "&#x10FFFFFFFF;", "&amp", "<http://a\n",
		"<http://a\nb\n", "www.", "http://", "(((((http://a.com/",
		"hxxp[:]//a[.]", ":::///", "<<<<", "</", "<a b c d e f ",
		"http://a](", "(http://a)", "*http://a*", "<a href=//a.b/",
		"<a href=\\\\a.b\\", "<base href=http://b/><a href=x>",
		"<a href=\"https://a&shy;&#x200B;",
		"<b>a</b>", "http://a.<b>", "<span>x", "&nGt;", "&notin",
		"&CounterClockwiseContourIntegral", "<a onclick='",
		"<a href=javascript:", "<script>https:\\/\\/", "hxxp[://]a",
		"http://a[dot]", "www{.}", "http://\xe2\x80\x8b",
		"https://a\xc2\xad", "<a href=\"x&nbsp;",
	};

	T_BEGIN("hostile: 2 MB line of http://a");
	b = repeat("http://a", 2 << 20, &len);
	got = scan_join(MODE_TEXT, b, len, &flags);
	T_ASSERT(strlen(got) == (size_t)cfg.max_url_length);
	T_ASSERT(strncmp(got, "http://ahttp://a", 16) == 0);
	T_ASSERT(flags == EXF_TRUNC_URL_LEN);
	free(got);
	got = scan_join(MODE_HTML, b, len, &flags);
	T_ASSERT(strlen(got) == (size_t)cfg.max_url_length);
	T_ASSERT(flags == EXF_TRUNC_URL_LEN);
	free(got);
	free(b);
	T_END();

	T_BEGIN("hostile: 1 MB of <a href=");
	b = repeat("<a href=", 1 << 20, &len);
	got = scan_join(MODE_HTML, b, len, &flags);
	T_STREQ(got, "");
	T_ASSERT(flags == 0);
	free(got);
	got = scan_join(MODE_TEXT, b, len, &flags);
	T_STREQ(got, "");
	free(got);
	free(b);
	T_END();

	T_BEGIN("hostile: 100k distinct URLs stop at max_urls");
	{
		struct strbuf	sb = { 0 };
		char		last[64], over[64];

		snprintf(last, sizeof(last), "\nhttp://h%d.example/\n",
		    (int)cfg.max_urls - 2);
		snprintf(over, sizeof(over), "http://h%d.example/",
		    (int)cfg.max_urls);
		for (i = 0; i < 100000; i++)
			sb_printf(&sb, "http://h%zu.example/ ", i);
		got = scan_join(MODE_TEXT, sb.s, sb.len, &flags);
		T_ASSERT(flags == EXF_TRUNC_URLS);
		T_ASSERT(strncmp(got, "http://h0.example/\nhttp://h1.example/",
		    37) == 0);
		T_ASSERT(strstr(got, last) != NULL);
		T_ASSERT(strstr(got, over) == NULL);
		free(got);
		/* the same as links */
		sb_reset(&sb);
		for (i = 0; i < 100000; i++)
			sb_printf(&sb, "<a href=\"http://h%zu.example/\">x</a>",
			    i % 50000);
		got = scan_join(MODE_HTML, sb.s, sb.len, &flags);
		T_ASSERT(flags == EXF_TRUNC_URLS);
		T_ASSERT(strstr(got, last) != NULL);
		T_ASSERT(strstr(got, over) == NULL);
		free(got);
		sb_free(&sb);
	}
	T_END();

	T_BEGIN("hostile: 100k copies of one URL are one URL");
	rep_want("http://same.example/ ", 100000 * 21, MODE_TEXT,
	    "http://same.example/");
	T_END();

	T_BEGIN("hostile: 1 MB of glued URLs ([URL](URL), (URL)(URL))");
	rep_want("http://a](", 1 << 20, MODE_TEXT, "http://a");
	rep_want("(http://a)", 1 << 20, MODE_HTML, "http://a");
	T_END();

	T_BEGIN("hostile: 100k relative links under a <base href>");
	b = repeat("<a href=p>", 1 << 20, &len);
	memcpy(b, "<base href=http://b.example/d/>", 31);
	got = scan_join(MODE_HTML, b, len, &flags);
	T_STREQ(got, "http://b.example/d/\nhttp://b.example/d/p");
	T_ASSERT(flags == 0);
	free(got);
	free(b);
	T_END();

	T_BEGIN("hostile: 1 MB of inline tags inside one URL, &nGt; and \\/");
	b = repeat("<b>a</b>", 1 << 20, &len);
	memcpy(b, "http://x", 8);		/* "http://x<b>a</b><b>a..." */
	got = scan_join(MODE_HTML, b, len, &flags);
	T_ASSERT(strlen(got) == (size_t)cfg.max_url_length);
	T_ASSERT(strncmp(got, "http://xaaaa", 12) == 0);
	T_ASSERT(flags == EXF_TRUNC_URL_LEN);
	free(got);
	free(b);
	b = repeat("&nGt;", 1 << 20, &len);
	memcpy(b, "http://y/&amp;", 14);	/* then ";&nGt;&nGt;..." */
	got = scan_join(MODE_HTML, b, len, &flags);
	T_ASSERT(strlen(got) <= (size_t)cfg.max_url_length &&
	    strlen(got) + 6 > (size_t)cfg.max_url_length);
	T_ASSERT(strncmp(got, "http://y/&;\xe2\x89\xab\xe2\x83\x92", 17) ==
	    0);
	T_ASSERT(flags == EXF_TRUNC_URL_LEN);
	free(got);
	got = scan_join(MODE_TEXT, b, len, &flags);
	T_ASSERT(strncmp(got, "http://y/&amp;;&nGt;&nGt;", 25) == 0);
	free(got);
	free(b);
	b = repeat("\\/", 1 << 20, &len);
	memcpy(b, "<script>https:\\/\\/z.example", 27);
	got = scan_join(MODE_HTML, b, len, &flags);
	T_ASSERT(strlen(got) == (size_t)cfg.max_url_length);
	T_ASSERT(strncmp(got, "https://z.example////", 21) == 0);
	free(got);
	free(b);
	/* the host goes on past a zero width space, up to the '/' */
	rep_want("http://a\xe2\x80\x8b", 1 << 20, MODE_TEXT,
	    "http://ahttp://a");
	T_END();

	T_BEGIN("hostile: repeated fragments (text and HTML)");
	for (i = 0; i < ARRAY_LEN(units); i++) {
		b = repeat(units[i], 256 << 10, &len);
		got = scan_join(MODE_TEXT, b, len, &flags);
		T_ASSERT((flags & EXF_REGEX_LIMIT) == 0);
		free(got);
		got = scan_join(MODE_HTML, b, len, &flags);
		T_ASSERT((flags & EXF_REGEX_LIMIT) == 0);
		free(got);
		free(b);
	}
	T_END();

	T_BEGIN("hostile: random bytes, NULs and invalid UTF-8");
	b = xmalloc(1 << 20);
	for (i = 0; i < (1 << 20); i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		/* bias towards the bytes the scanner cares about */
		b[i] = "hHtTpPwW:/.<>&#;\"' \n\0[]()x\xff\xc3\xa9"[x % 30];
	}
	url_set_init(&set, 100000, (size_t)cfg.max_url_length);
	urlscan_text(&set, b, 1 << 20);
	urlscan_html(&set, b, 1 << 20);
	for (i = 0; i < set.list.n; i++)
		if (!utf8_ok(set.list.v[i]))
			break;
	T_ASSERT(i == set.list.n);
	url_set_free(&set);
	free(b);
	T_END();

	T_BEGIN("hostile: 1 MB style attribute, unterminated url(");
	{
		struct strbuf	sb = { 0 };

		sb_puts(&sb, "<p style=\"background:url(http://long.example/");
		b = repeat("a", 1 << 20, &len);
		sb_append(&sb, b, len);
		free(b);
		got = scan_join(MODE_HTML, sb.s, sb.len, &flags);
		T_ASSERT(strlen(got) == (size_t)cfg.max_url_length);
		T_ASSERT(strncmp(got, "http://long.example/aaa", 23) == 0);
		T_ASSERT(flags == EXF_TRUNC_URL_LEN);
		free(got);
		sb_free(&sb);
	}
	T_END();

	T_BEGIN("hostile: CSS fragments repeated over 1 MB (attribute, "
	    "element)");
	{
		static const char *const css_units[] = {
			"url(", "url((", "url('", "url(\\", "@import '",
			"@import", "\\", "url(http://c.example/ ", "(((",
			"url(\"a\\\n", "url( ) ", "@import url(",
		};
		struct strbuf	sb = { 0 };

		for (i = 0; i < ARRAY_LEN(css_units); i++) {
			b = repeat(css_units[i], 1 << 20, &len);
			sb_reset(&sb);
			sb_puts(&sb, "<p style=\"");
			sb_append(&sb, b, len);
			sb_puts(&sb, "\">http://after.example/");
			got = scan_join(MODE_HTML, sb.s, sb.len, &flags);
			T_ASSERT(strstr(got, "http://after.example/") != NULL);
			T_ASSERT((flags & ~EXF_TRUNC_URL_LEN) == 0);
			free(got);
			sb_reset(&sb);
			sb_puts(&sb, "<style>");
			sb_append(&sb, b, len);
			sb_puts(&sb, "</style>http://after.example/");
			got = scan_join(MODE_HTML, sb.s, sb.len, &flags);
			T_ASSERT(strstr(got, "http://after.example/") != NULL);
			T_ASSERT((flags & ~EXF_TRUNC_URL_LEN) == 0);
			free(got);
			free(b);
		}
		sb_free(&sb);
	}
	T_END();

	T_BEGIN("hostile: 200000 srcset candidates and url()s, max_urls bound");
	{
		struct strbuf	sb = { 0 };
		char		u[64];
		size_t		n;

		sb_puts(&sb, "<img srcset=\"");
		for (n = 0; n < 100000; n++) {
			snprintf(u, sizeof(u), "http://s.example/%zu.png %zux,",
			    n, n % 4 + 1);
			sb_puts(&sb, u);
		}
		sb_puts(&sb, "\" style=\"");
		for (n = 0; n < 100000; n++) {
			snprintf(u, sizeof(u), "a:url(http://c.example/%zu);",
			    n);
			sb_puts(&sb, u);
		}
		sb_puts(&sb, "\">");
		got = scan_join(MODE_HTML, sb.s, sb.len, &flags);
		T_ASSERT(flags == EXF_TRUNC_URLS);
		T_ASSERT(strncmp(got, "http://s.example/0.png\n"
		    "http://s.example/1.png\n", 46) == 0);
		for (n = 0, i = 0; got[i] != '\0'; i++)
			n += got[i] == '\n';
		T_ASSERT(n + 1 == (size_t)cfg.max_urls);
		free(got);
		/* with room for all: every one, in order */
		url_set_init(&set, 0, 0);
		urlscan_html(&set, sb.s, sb.len);
		T_ASSERT(set.list.n == 200000);
		T_ASSERT(set.flags == 0);
		if (set.list.n == 200000) {
			T_STREQ(set.list.v[99999],
			    "http://s.example/99999.png");
			T_STREQ(set.list.v[100000], "http://c.example/0");
			T_STREQ(set.list.v[199999], "http://c.example/99999");
		}
		url_set_free(&set);
		sb_free(&sb);
	}
	T_END();

	T_BEGIN("hostile: deep nesting of brackets around a URL");
	b = repeat("(", 1 << 20, &len);
	{
		struct strbuf	sb = { 0 };

		sb_append(&sb, b, len);
		sb_puts(&sb, "http://a.com/");
		sb_append(&sb, b, len);
		for (i = len; i < sb.len; i++)
			if (sb.s[i] == '(' && i >= len + 13)
				sb.s[i] = ')';
		got = scan_join(MODE_TEXT, sb.s, sb.len, &flags);
		T_STREQ(got, "http://a.com/");
		free(got);
		sb_free(&sb);
	}
	free(b);
	T_END();
}

static void
test_match_limit(void)
{
	char		*got;
	unsigned	 flags;
	struct errbuf	 err;

	/*
	 * A limit so small that even the simplest match fails: the scanner
	 * stops, flags the set and keeps what it had.  (Our own patterns
	 * never backtrack: a limit of 2 is enough for them.)
	 */
	T_BEGIN("match limit: flagged, what was found is kept");
	urlscan_shutdown();
	cfg.regex_match_limit = 1;
	T_ASSERT(urlscan_init(&cfg, &err) == 0);
	/* the href needs no regex; the text scan hits the limit */
	got = scan_join(MODE_HTML, "<a href=\"http://kept.com/\">"
	    "http://text.com/</p><a href=\"http://after.com/\">", 75, &flags);
	T_STREQ(got, "http://kept.com/");
	T_ASSERT(flags == EXF_REGEX_LIMIT);
	free(got);
	got = scan_join(MODE_TEXT, "no URL here: none.", 18, &flags);
	T_ASSERT(flags == 0);		/* no candidate, no match, no flag */
	free(got);
	urlscan_shutdown();
	cfg.regex_match_limit = def_match_limit;
	T_ASSERT(urlscan_init(&cfg, &err) == 0);
	T_END();
}


/*
 * test_run_vs_pcre2 - "http://h/" + random characters (ASCII, valid
 * UTF-8 inside and outside the class, invalid sequences): the URL found
 * is the prefix plus exactly what PCRE2 matches with URL_CHAR*+ (UTF,
 * invalid UTF-8 a barrier).  No piece ends in what trimming removes.
 * Both PCRE2's JIT and interpreter runs of the whole suite do this.
 */
static void
test_run_vs_pcre2(void)
{
	static const char *const pieces[] = {
		"a", "Z", "~", "/", "%", "=", "\xc3\xa9", "\xe2\x82\xac",
		"\xf0\x9f\x98\x80", "\xf4\x8f\xbf\xbf", "\xc2\xa1",
		"\xe3\x80\x92", "\xef\xbf\xbc", "\xe2\x80\xb0",
		"\xe2\x81\xa1", "\xe1\x9a\x81", "\xe3\x80\x87",
		"\xef\xbc\x8e", "\xef\xbd\x9e", "\xef\xbd\xa5",
		/* outside the class */
		"\xc2\xa0", "\xc2\x80", "\xc2\xab", "\xc2\xbb",
		"\xe1\x9a\x80", "\xe2\x80\x8b", "\xe2\x80\x99",
		"\xe2\x80\xa8", "\xe2\x81\xa0", "\xe3\x80\x80",
		"\xe3\x80\x8c", "\xe3\x80\x91", "\xef\xbb\xbf",
		"\xef\xbc\x88", "\xef\xbc\x8c", "\xef\xbf\xbd", " ", "<",
		"\x7f", "\"", "\t", "\xe3\x80\x8b", "\xe3\x80\x88",
		"\xe2\x80\x9e", "\xe2\x80\x9b", "\xe2\x80\xba",
		"\xe2\x86\x90", "\xe2\x87\xbf", "\xe2\x98\x80",
		"\xe2\x9e\xbf", "\xef\xbc\x81", "\xef\xbc\x9a",
		"\xef\xbc\x9b", "\xef\xbc\x9f", "\xef\xbd\x9c",
		"\xef\xbd\xa1", "\xef\xbd\xa4", "\xef\xbc\x82",
		"\xef\xbc\xbb", "\xef\xbd\x9b", "\xef\xbc\x9e",
		/* invalid UTF-8 */
		"\xff", "\xc3", "\x80", "\xed\xa0\x80", "\xe0\x80\x80",
		"\xf4\x90\x80\x80", "\xc0\xaf", "\xe2\x82", "\xf0\x9f",
	};
	pcre2_code		*re;
	pcre2_match_data	*md;
	struct strbuf		 in = { 0 }, want = { 0 };
	PCRE2_SIZE		 off;
	uint32_t		 x = 12345;
	size_t			 i, k, bad = 0;
	char			*got;
	int			 rc;

	T_BEGIN("text: the URL character run agrees with PCRE2's class");
	re = pcre2_compile((PCRE2_SPTR)URLSCAN_URL_CHAR "*+",
	    PCRE2_ZERO_TERMINATED, PCRE2_UTF | PCRE2_MATCH_INVALID_UTF |
	    PCRE2_ANCHORED, &rc, &off, NULL);
	T_ASSERT(re != NULL);
	md = pcre2_match_data_create(1, NULL);
	for (i = 0; re != NULL && i < 20000; i++) {
		sb_reset(&in);
		sb_puts(&in, "http://h/");
		for (k = 0; k < 1 + i % 12; k++) {
			x ^= x << 13;
			x ^= x >> 17;
			x ^= x << 5;
			/* the in-class pieces more often: longer runs */
			sb_puts(&in, pieces[x % 4 == 0 ?
			    x / 4 % ARRAY_LEN(pieces) : x / 4 % 20]);
		}
		sb_puts(&in, " end");
		rc = pcre2_match(re, (PCRE2_SPTR)in.s, in.len, 9, PCRE2_NO_JIT,
		    md, NULL);
		T_ASSERT(rc >= 0);
		if (rc < 0)
			break;
		/* PCRE2 retries an anchored pattern after an invalid
		 * sequence: a match that does not start at 9 is none */
		sb_reset(&want);
		sb_append(&want, in.s, pcre2_get_ovector_pointer(md)[0] == 9 ?
		    pcre2_get_ovector_pointer(md)[1] : 9);
		got = scan_join(MODE_TEXT, in.s, in.len, NULL);
		if (strcmp(got, want.s) != 0 && bad++ == 0) {
			T_STREQ(got, want.s);
			fprintf(stderr, "input:");
			for (k = 0; k < in.len; k++)
				fprintf(stderr, " %02x",
				    (unsigned char)in.s[k]);
			fprintf(stderr, "\n");
		}
		free(got);
	}
	T_ASSERT(bad == 0);
	pcre2_match_data_free(md);
	pcre2_code_free(re);
	sb_free(&in);
	sb_free(&want);
	T_END();
}

/* Shared by the threads of test_threads(). */
static const char	thr_html[] =
    "<p>Hi <a href=\"https://a.example/x?y=1&amp;z=2\">https://b.example/"
    "</a> and www.c.example.</p><img src=\"http://d.example/p.gif\">"
    "<a href=\"https://nam1.safelinks.protection.outlook.com/?url=http%3A"
    "%2F%2Fe.example%2F&amp;data=1\">x</a>";
static const char	thr_want[] =
    "https://a.example/x?y=1&z=2\nhttps://b.example/\nwww.c.example\n"
    "http://d.example/p.gif\n"
    "https://nam1.safelinks.protection.outlook.com/?url=http%3A%2F%2F"
    "e.example%2F&data=1\nhttp://e.example/";

/* thr_main - scan the same HTML many times; count wrong results */
static void *
thr_main(void *arg)
{
	int	i, *bad = arg;
	char	*got;

	for (i = 0; i < 300; i++) {
		got = scan_join(MODE_HTML, thr_html, sizeof(thr_html) - 1,
		    NULL);
		if (strcmp(got, thr_want) != 0)
			(*bad)++;
		free(got);
	}
	return NULL;
}

static void
test_threads(void)
{
	pthread_t	t[4];
	bool		started[4];
	int		bad[4] = { 0 }, i;

	/* libmilter runs one thread per connection */
	T_BEGIN("threads: concurrent scans share the compiled patterns");
	for (i = 0; i < 4; i++) {
		started[i] = pthread_create(&t[i], NULL, thr_main,
		    &bad[i]) == 0;
		T_ASSERT(started[i]);
	}
	for (i = 0; i < 4; i++)
		if (started[i])
			pthread_join(t[i], NULL);
	T_ASSERT(bad[0] + bad[1] + bad[2] + bad[3] == 0);
	T_END();
}

/*
 * suite - cases collected from public URL-extraction test suites, with
 * what we find in them, as plain text and (the text HTML-escaped in a
 * <p>) as HTML.  Names say where each input comes from:
 * markdown-it/linkify-it test/fixtures/links.txt,
 * twitter/twitter-text conformance/extract.yml (urls),
 * the GFM autolink extension examples (github/cmark-gfm),
 * robinst/linkify tests/url.rs, lipoja/URLExtract tests/unit,
 * apache/spamassassin t/uri_text.t, t/uri_html.t and t/uri.t,
 * gregjacobs/Autolinker.js tests/autolinker-url.spec.ts, django/django
 * tests/utils_tests/test_html.py (urlize), and "crafted" (ours).  Where a suite expects otherwise (it links bare host names,
 * knows a library's own quirk, or predates a TLD), the expectation here
 * is our documented rule (docs/ALERT-FORMAT.md); tests/data/LICENSES.md
 * names the licences.
 */
static const struct tcase suite[] = {
	{ "linkify-it #1 text", MODE_TEXT,
	  "My http://example.com site",
	  "http://example.com" },
	{ "linkify-it #1 html", MODE_HTML,
	  "<p>My http://example.com site</p>",
	  "http://example.com" },
	{ "linkify-it #2 text", MODE_TEXT,
	  "My http://example.com/ site",
	  "http://example.com/" },
	{ "linkify-it #2 html", MODE_HTML,
	  "<p>My http://example.com/ site</p>",
	  "http://example.com/" },
	{ "linkify-it #3 text", MODE_TEXT,
	  "http://example.com/foo_bar/",
	  "http://example.com/foo_bar/" },
	{ "linkify-it #3 html", MODE_HTML,
	  "<p>http://example.com/foo_bar/</p>",
	  "http://example.com/foo_bar/" },
	{ "linkify-it #4 text", MODE_TEXT,
	  "http://user:pass@example.com:8080",
	  "http://user:pass@example.com:8080" },
	{ "linkify-it #4 html", MODE_HTML,
	  "<p>http://user:pass@example.com:8080</p>",
	  "http://user:pass@example.com:8080" },
	{ "linkify-it #5 text", MODE_TEXT,
	  "http://user@example.com",
	  "http://user@example.com" },
	{ "linkify-it #5 html", MODE_HTML,
	  "<p>http://user@example.com</p>",
	  "http://user@example.com" },
	{ "linkify-it #6 text", MODE_TEXT,
	  "http://user@example.com:8080",
	  "http://user@example.com:8080" },
	{ "linkify-it #6 html", MODE_HTML,
	  "<p>http://user@example.com:8080</p>",
	  "http://user@example.com:8080" },
	{ "linkify-it #7 text", MODE_TEXT,
	  "http://user:pass@example.com",
	  "http://user:pass@example.com" },
	{ "linkify-it #7 html", MODE_HTML,
	  "<p>http://user:pass@example.com</p>",
	  "http://user:pass@example.com" },
	{ "linkify-it #8 text", MODE_TEXT,
	  "http://example.com:8080",
	  "http://example.com:8080" },
	{ "linkify-it #8 html", MODE_HTML,
	  "<p>http://example.com:8080</p>",
	  "http://example.com:8080" },
	{ "linkify-it #9 text", MODE_TEXT,
	  "[https](https://www.ibm.com)[mailto](mailto:someone@ibm.com)",
	  "https://www.ibm.com" },
	{ "linkify-it #9 html", MODE_HTML,
	  "<p>[https](https://www.ibm.com)[mailto](mailto:someone@ibm.c"
	  "om)</p>",
	  "https://www.ibm.com" },
	{ "linkify-it #10 text", MODE_TEXT,
	  "http://example.com/?foo=bar",
	  "http://example.com/?foo=bar" },
	{ "linkify-it #10 html", MODE_HTML,
	  "<p>http://example.com/?foo=bar</p>",
	  "http://example.com/?foo=bar" },
	{ "linkify-it #11 text", MODE_TEXT,
	  "http://example.com?foo=bar",
	  "http://example.com?foo=bar" },
	{ "linkify-it #11 html", MODE_HTML,
	  "<p>http://example.com?foo=bar</p>",
	  "http://example.com?foo=bar" },
	{ "linkify-it #12 text", MODE_TEXT,
	  "http://example.com/#foo=bar",
	  "http://example.com/#foo=bar" },
	{ "linkify-it #12 html", MODE_HTML,
	  "<p>http://example.com/#foo=bar</p>",
	  "http://example.com/#foo=bar" },
	{ "linkify-it #13 text", MODE_TEXT,
	  "http://example.com#foo=bar",
	  "http://example.com#foo=bar" },
	{ "linkify-it #13 html", MODE_HTML,
	  "<p>http://example.com#foo=bar</p>",
	  "http://example.com#foo=bar" },
	{ "linkify-it #14 text", MODE_TEXT,
	  "http://a.in",
	  "http://a.in" },
	{ "linkify-it #14 html", MODE_HTML,
	  "<p>http://a.in</p>",
	  "http://a.in" },
	{ "linkify-it #15 text", MODE_TEXT,
	  "HTTP://GOOGLE.COM",
	  "HTTP://GOOGLE.COM" },
	{ "linkify-it #15 html", MODE_HTML,
	  "<p>HTTP://GOOGLE.COM</p>",
	  "HTTP://GOOGLE.COM" },
	{ "linkify-it #16 text", MODE_TEXT,
	  "http://example.invalid",
	  "http://example.invalid" },
	{ "linkify-it #16 html", MODE_HTML,
	  "<p>http://example.invalid</p>",
	  "http://example.invalid" },
	{ "linkify-it #17 text", MODE_TEXT,
	  "http://inrgess2",
	  "http://inrgess2" },
	{ "linkify-it #17 html", MODE_HTML,
	  "<p>http://inrgess2</p>",
	  "http://inrgess2" },
	{ "linkify-it #18 text", MODE_TEXT,
	  "http://999",
	  "http://999" },
	{ "linkify-it #18 html", MODE_HTML,
	  "<p>http://999</p>",
	  "http://999" },
	{ "linkify-it #19 text", MODE_TEXT,
	  "http://host-name",
	  "http://host-name" },
	{ "linkify-it #19 html", MODE_HTML,
	  "<p>http://host-name</p>",
	  "http://host-name" },
	{ "linkify-it #20 text", MODE_TEXT,
	  ">>http://example.com",
	  "http://example.com" },
	{ "linkify-it #20 html", MODE_HTML,
	  "<p>&gt;&gt;http://example.com</p>",
	  "http://example.com" },
	{ "linkify-it #21 text", MODE_TEXT,
	  "http://lyricstranslate.com/en/someone-you-\xe0\xb4\xa8\xe0"
	  "\xb4\xbf\xe0\xb4\xa8\xe0\xb5\x8d\xe0\xb4\xa8\xe0\xb5\x86-"
	  "\xe0\xb4\xaa\xe0\xb5\x8b\xe0\xb4\xb2\xe0\xb5\x8a\xe0\xb4\xb0"
	  "\xe0\xb4\xbe\xe0\xb4\xb3\xe0\xb5\x8d.html",
	  "http://lyricstranslate.com/en/someone-you-\xe0\xb4\xa8\xe0"
	  "\xb4\xbf\xe0\xb4\xa8\xe0\xb5\x8d\xe0\xb4\xa8\xe0\xb5\x86-"
	  "\xe0\xb4\xaa\xe0\xb5\x8b\xe0\xb4\xb2\xe0\xb5\x8a\xe0\xb4\xb0"
	  "\xe0\xb4\xbe\xe0\xb4\xb3\xe0\xb5\x8d.html" },
	{ "linkify-it #21 html", MODE_HTML,
	  "<p>http://lyricstranslate.com/en/someone-you-\xe0\xb4\xa8"
	  "\xe0\xb4\xbf\xe0\xb4\xa8\xe0\xb5\x8d\xe0\xb4\xa8\xe0\xb5\x86"
	  "-\xe0\xb4\xaa\xe0\xb5\x8b\xe0\xb4\xb2\xe0\xb5\x8a\xe0\xb4"
	  "\xb0\xe0\xb4\xbe\xe0\xb4\xb3\xe0\xb5\x8d.html</p>",
	  "http://lyricstranslate.com/en/someone-you-\xe0\xb4\xa8\xe0"
	  "\xb4\xbf\xe0\xb4\xa8\xe0\xb5\x8d\xe0\xb4\xa8\xe0\xb5\x86-"
	  "\xe0\xb4\xaa\xe0\xb5\x8b\xe0\xb4\xb2\xe0\xb5\x8a\xe0\xb4\xb0"
	  "\xe0\xb4\xbe\xe0\xb4\xb3\xe0\xb5\x8d.html" },
	{ "linkify-it #22 text", MODE_TEXT,
	  "//localhost",
	  "" },
	{ "linkify-it #22 html", MODE_HTML,
	  "<p>//localhost</p>",
	  "" },
	{ "linkify-it #23 text", MODE_TEXT,
	  "//test.123",
	  "" },
	{ "linkify-it #23 html", MODE_HTML,
	  "<p>//test.123</p>",
	  "" },
	{ "linkify-it #24 text", MODE_TEXT,
	  "http://localhost:8000?",
	  "http://localhost:8000" },
	{ "linkify-it #24 html", MODE_HTML,
	  "<p>http://localhost:8000?</p>",
	  "http://localhost:8000" },
	{ "linkify-it #25 text", MODE_TEXT,
	  "My ssl https://example.com site",
	  "https://example.com" },
	{ "linkify-it #25 html", MODE_HTML,
	  "<p>My ssl https://example.com site</p>",
	  "https://example.com" },
	{ "linkify-it #26 text", MODE_TEXT,
	  "My ftp://example.com site",
	  "ftp://example.com" },
	{ "linkify-it #26 html", MODE_HTML,
	  "<p>My ftp://example.com site</p>",
	  "ftp://example.com" },
	{ "linkify-it #27 text", MODE_TEXT,
	  "My ssl //example.com site",
	  "" },
	{ "linkify-it #27 html", MODE_HTML,
	  "<p>My ssl //example.com site</p>",
	  "" },
	{ "linkify-it #28 text", MODE_TEXT,
	  "4.4.4.4",
	  "" },
	{ "linkify-it #28 html", MODE_HTML,
	  "<p>4.4.4.4</p>",
	  "" },
	{ "linkify-it #29 text", MODE_TEXT,
	  "192.168.1.1/abc",
	  "" },
	{ "linkify-it #29 html", MODE_HTML,
	  "<p>192.168.1.1/abc</p>",
	  "" },
	{ "linkify-it #30 text", MODE_TEXT,
	  "test.example@http://vk.com",
	  "http://vk.com" },
	{ "linkify-it #30 html", MODE_HTML,
	  "<p>test.example@http://vk.com</p>",
	  "http://vk.com" },
	{ "linkify-it #31 text", MODE_TEXT,
	  "text:http://example.com/",
	  "http://example.com/" },
	{ "linkify-it #31 html", MODE_HTML,
	  "<p>text:http://example.com/</p>",
	  "http://example.com/" },
	{ "linkify-it #32 text", MODE_TEXT,
	  "google.com",
	  "" },
	{ "linkify-it #32 html", MODE_HTML,
	  "<p>google.com</p>",
	  "" },
	{ "linkify-it #33 text", MODE_TEXT,
	  "GOOGLE.COM.",
	  "" },
	{ "linkify-it #33 html", MODE_HTML,
	  "<p>GOOGLE.COM.</p>",
	  "" },
	{ "linkify-it #34 text", MODE_TEXT,
	  "(Scoped http://example.com/foo_bar)",
	  "http://example.com/foo_bar" },
	{ "linkify-it #34 html", MODE_HTML,
	  "<p>(Scoped http://example.com/foo_bar)</p>",
	  "http://example.com/foo_bar" },
	{ "linkify-it #35 text", MODE_TEXT,
	  "http://example.com/foo_bar_(wiki)",
	  "http://example.com/foo_bar_(wiki)" },
	{ "linkify-it #35 html", MODE_HTML,
	  "<p>http://example.com/foo_bar_(wiki)</p>",
	  "http://example.com/foo_bar_(wiki)" },
	{ "linkify-it #36 text", MODE_TEXT,
	  "http://foo.com/blah_blah_[other]",
	  "http://foo.com/blah_blah_[other]" },
	{ "linkify-it #36 html", MODE_HTML,
	  "<p>http://foo.com/blah_blah_[other]</p>",
	  "http://foo.com/blah_blah_[other]" },
	{ "linkify-it #37 text", MODE_TEXT,
	  "http://foo.com/blah_blah_{I'm_king}",
	  "http://foo.com/blah_blah_{I'm_king}" },
	{ "linkify-it #37 html", MODE_HTML,
	  "<p>http://foo.com/blah_blah_{I'm_king}</p>",
	  "http://foo.com/blah_blah_{I'm_king}" },
	{ "linkify-it #38 text", MODE_TEXT,
	  "http://foo.com/blah_blah_I'm_king",
	  "http://foo.com/blah_blah_I'm_king" },
	{ "linkify-it #38 html", MODE_HTML,
	  "<p>http://foo.com/blah_blah_I'm_king</p>",
	  "http://foo.com/blah_blah_I'm_king" },
	{ "linkify-it #39 text", MODE_TEXT,
	  "http://www.kmart.com/bestway-10'-x-30inch-steel-pro-frame-po"
	  "ol/p-004W007538417001P",
	  "http://www.kmart.com/bestway-10'-x-30inch-steel-pro-frame-po"
	  "ol/p-004W007538417001P" },
	{ "linkify-it #39 html", MODE_HTML,
	  "<p>http://www.kmart.com/bestway-10'-x-30inch-steel-pro-frame"
	  "-pool/p-004W007538417001P</p>",
	  "http://www.kmart.com/bestway-10'-x-30inch-steel-pro-frame-po"
	  "ol/p-004W007538417001P" },
	{ "linkify-it #40 text", MODE_TEXT,
	  "http://foo.com/blah_blah_\"doublequoted\"",
	  "http://foo.com/blah_blah_" },
	{ "linkify-it #40 html", MODE_HTML,
	  "<p>http://foo.com/blah_blah_\"doublequoted\"</p>",
	  "http://foo.com/blah_blah_" },
	{ "linkify-it #41 text", MODE_TEXT,
	  "http://foo.com/blah_blah_'singlequoted'",
	  "http://foo.com/blah_blah_'singlequoted'" },
	{ "linkify-it #41 html", MODE_HTML,
	  "<p>http://foo.com/blah_blah_'singlequoted'</p>",
	  "http://foo.com/blah_blah_'singlequoted'" },
	{ "linkify-it #42 text", MODE_TEXT,
	  "(Scoped like http://example.com/foo_bar)",
	  "http://example.com/foo_bar" },
	{ "linkify-it #42 html", MODE_HTML,
	  "<p>(Scoped like http://example.com/foo_bar)</p>",
	  "http://example.com/foo_bar" },
	{ "linkify-it #43 text", MODE_TEXT,
	  "[Scoped like http://example.com/foo_bar]",
	  "http://example.com/foo_bar" },
	{ "linkify-it #43 html", MODE_HTML,
	  "<p>[Scoped like http://example.com/foo_bar]</p>",
	  "http://example.com/foo_bar" },
	{ "linkify-it #44 text", MODE_TEXT,
	  "{Scoped like http://example.com/foo_bar}",
	  "http://example.com/foo_bar" },
	{ "linkify-it #44 html", MODE_HTML,
	  "<p>{Scoped like http://example.com/foo_bar}</p>",
	  "http://example.com/foo_bar" },
	{ "linkify-it #45 text", MODE_TEXT,
	  "\"Quoted like http://example.com/foo_bar\"",
	  "http://example.com/foo_bar" },
	{ "linkify-it #45 html", MODE_HTML,
	  "<p>\"Quoted like http://example.com/foo_bar\"</p>",
	  "http://example.com/foo_bar" },
	{ "linkify-it #46 text", MODE_TEXT,
	  "'Quoted like http://example.com/foo_bar'",
	  "http://example.com/foo_bar" },
	{ "linkify-it #46 html", MODE_HTML,
	  "<p>'Quoted like http://example.com/foo_bar'</p>",
	  "http://example.com/foo_bar" },
	{ "linkify-it #47 text", MODE_TEXT,
	  "http://example.com/foo_bar.jpg.",
	  "http://example.com/foo_bar.jpg" },
	{ "linkify-it #47 html", MODE_HTML,
	  "<p>http://example.com/foo_bar.jpg.</p>",
	  "http://example.com/foo_bar.jpg" },
	{ "linkify-it #48 text", MODE_TEXT,
	  "http://example.com/foo_bar/.",
	  "http://example.com/foo_bar/" },
	{ "linkify-it #48 html", MODE_HTML,
	  "<p>http://example.com/foo_bar/.</p>",
	  "http://example.com/foo_bar/" },
	{ "linkify-it #49 text", MODE_TEXT,
	  "http://example.com/foo_bar,",
	  "http://example.com/foo_bar" },
	{ "linkify-it #49 html", MODE_HTML,
	  "<p>http://example.com/foo_bar,</p>",
	  "http://example.com/foo_bar" },
	{ "linkify-it #50 text", MODE_TEXT,
	  "https://github.com/markdown-it/linkify-it/compare/360b13a733"
	  "f521a8d4903d3a5e1e46c357e9d3ce...f580766349525150a80a32987bb"
	  "47c2d592efc33",
	  "https://github.com/markdown-it/linkify-it/compare/360b13a733"
	  "f521a8d4903d3a5e1e46c357e9d3ce...f580766349525150a80a32987bb"
	  "47c2d592efc33" },
	{ "linkify-it #50 html", MODE_HTML,
	  "<p>https://github.com/markdown-it/linkify-it/compare/360b13a"
	  "733f521a8d4903d3a5e1e46c357e9d3ce...f580766349525150a80a3298"
	  "7bb47c2d592efc33</p>",
	  "https://github.com/markdown-it/linkify-it/compare/360b13a733"
	  "f521a8d4903d3a5e1e46c357e9d3ce...f580766349525150a80a32987bb"
	  "47c2d592efc33" },
	{ "linkify-it #51 text", MODE_TEXT,
	  "http://example.com/foo_bar...",
	  "http://example.com/foo_bar" },
	{ "linkify-it #51 html", MODE_HTML,
	  "<p>http://example.com/foo_bar...</p>",
	  "http://example.com/foo_bar" },
	{ "linkify-it #52 text", MODE_TEXT,
	  "http://172.26.142.48/viewerjs/#../0529/slides.pdf",
	  "http://172.26.142.48/viewerjs/#../0529/slides.pdf" },
	{ "linkify-it #52 html", MODE_HTML,
	  "<p>http://172.26.142.48/viewerjs/#../0529/slides.pdf</p>",
	  "http://172.26.142.48/viewerjs/#../0529/slides.pdf" },
	{ "linkify-it #53 text", MODE_TEXT,
	  "http://example.com/foo_bar..",
	  "http://example.com/foo_bar" },
	{ "linkify-it #53 html", MODE_HTML,
	  "<p>http://example.com/foo_bar..</p>",
	  "http://example.com/foo_bar" },
	{ "linkify-it #54 text", MODE_TEXT,
	  "http://example.com/foo_bar?p=10.",
	  "http://example.com/foo_bar?p=10" },
	{ "linkify-it #54 html", MODE_HTML,
	  "<p>http://example.com/foo_bar?p=10.</p>",
	  "http://example.com/foo_bar?p=10" },
	{ "linkify-it #55 text", MODE_TEXT,
	  "https://www.google.ru/maps/@59.9393895,30.3165389,15z?hl=ru",
	  "https://www.google.ru/maps/@59.9393895,30.3165389,15z?hl=ru" },
	{ "linkify-it #55 html", MODE_HTML,
	  "<p>https://www.google.ru/maps/@59.9393895,30.3165389,15z?hl="
	  "ru</p>",
	  "https://www.google.ru/maps/@59.9393895,30.3165389,15z?hl=ru" },
	{ "linkify-it #56 text", MODE_TEXT,
	  "https://www.google.com/maps/place/New+York,+NY,+USA/@40.7022"
	  "71,-73.9968471,11z/data=!4m2!3m1!1s0x89c24fa5d33f083b:0xc80b"
	  "8f06e177fe62?hl=en",
	  "https://www.google.com/maps/place/New+York,+NY,+USA/@40.7022"
	  "71,-73.9968471,11z/data=!4m2!3m1!1s0x89c24fa5d33f083b:0xc80b"
	  "8f06e177fe62?hl=en" },
	{ "linkify-it #56 html", MODE_HTML,
	  "<p>https://www.google.com/maps/place/New+York,+NY,+USA/@40.7"
	  "02271,-73.9968471,11z/data=!4m2!3m1!1s0x89c24fa5d33f083b:0xc"
	  "80b8f06e177fe62?hl=en</p>",
	  "https://www.google.com/maps/place/New+York,+NY,+USA/@40.7022"
	  "71,-73.9968471,11z/data=!4m2!3m1!1s0x89c24fa5d33f083b:0xc80b"
	  "8f06e177fe62?hl=en" },
	{ "linkify-it #57 text", MODE_TEXT,
	  "https://www.google.com/analytics/web/?hl=ru&pli=1#report/vis"
	  "itors-overview/a26895874w20458057p96934174/",
	  "https://www.google.com/analytics/web/?hl=ru&pli=1#report/vis"
	  "itors-overview/a26895874w20458057p96934174/" },
	{ "linkify-it #57 html", MODE_HTML,
	  "<p>https://www.google.com/analytics/web/?hl=ru&amp;pli=1#rep"
	  "ort/visitors-overview/a26895874w20458057p96934174/</p>",
	  "https://www.google.com/analytics/web/?hl=ru&pli=1#report/vis"
	  "itors-overview/a26895874w20458057p96934174/" },
	{ "linkify-it #58 text", MODE_TEXT,
	  "http://business.timesonline.co.uk/article/0,,9065-2473189,00"
	  ".html",
	  "http://business.timesonline.co.uk/article/0,,9065-2473189,00"
	  ".html" },
	{ "linkify-it #58 html", MODE_HTML,
	  "<p>http://business.timesonline.co.uk/article/0,,9065-2473189"
	  ",00.html</p>",
	  "http://business.timesonline.co.uk/article/0,,9065-2473189,00"
	  ".html" },
	{ "linkify-it #59 text", MODE_TEXT,
	  "http://example.com/123!",
	  "http://example.com/123" },
	{ "linkify-it #59 html", MODE_HTML,
	  "<p>http://example.com/123!</p>",
	  "http://example.com/123" },
	{ "linkify-it #60 text", MODE_TEXT,
	  "http://example.com/foo--bar",
	  "http://example.com/foo--bar" },
	{ "linkify-it #60 html", MODE_HTML,
	  "<p>http://example.com/foo--bar</p>",
	  "http://example.com/foo--bar" },
	{ "linkify-it #61 text", MODE_TEXT,
	  "http://www.bloomberg.com/news/articles/2015-06-26/from-deuts"
	  "che-bank-to-siemens-what-s-troubling-germany-inc-",
	  "http://www.bloomberg.com/news/articles/2015-06-26/from-deuts"
	  "che-bank-to-siemens-what-s-troubling-germany-inc-" },
	{ "linkify-it #61 html", MODE_HTML,
	  "<p>http://www.bloomberg.com/news/articles/2015-06-26/from-de"
	  "utsche-bank-to-siemens-what-s-troubling-germany-inc-</p>",
	  "http://www.bloomberg.com/news/articles/2015-06-26/from-deuts"
	  "che-bank-to-siemens-what-s-troubling-germany-inc-" },
	{ "linkify-it #62 text", MODE_TEXT,
	  "http://example.com/foo-with-trailing-dash-dot-.",
	  "http://example.com/foo-with-trailing-dash-dot-" },
	{ "linkify-it #62 html", MODE_HTML,
	  "<p>http://example.com/foo-with-trailing-dash-dot-.</p>",
	  "http://example.com/foo-with-trailing-dash-dot-" },
	{ "linkify-it #63 text", MODE_TEXT,
	  "<http://domain.com>",
	  "http://domain.com" },
	{ "linkify-it #63 html", MODE_HTML,
	  "<p>&lt;http://domain.com&gt;</p>",
	  "http://domain.com" },
	{ "linkify-it #64 text", MODE_TEXT,
	  "<http://domain.com>.",
	  "http://domain.com" },
	{ "linkify-it #64 html", MODE_HTML,
	  "<p>&lt;http://domain.com&gt;.</p>",
	  "http://domain.com" },
	{ "linkify-it #65 text", MODE_TEXT,
	  "<http://domain.com/foo>",
	  "http://domain.com/foo" },
	{ "linkify-it #65 html", MODE_HTML,
	  "<p>&lt;http://domain.com/foo&gt;</p>",
	  "http://domain.com/foo" },
	{ "linkify-it #66 text", MODE_TEXT,
	  "<http://domain.com/foo>.",
	  "http://domain.com/foo" },
	{ "linkify-it #66 html", MODE_HTML,
	  "<p>&lt;http://domain.com/foo&gt;.</p>",
	  "http://domain.com/foo" },
	{ "linkify-it #67 text", MODE_TEXT,
	  "<domain.com>",
	  "" },
	{ "linkify-it #67 html", MODE_HTML,
	  "<p>&lt;domain.com&gt;</p>",
	  "" },
	{ "linkify-it #68 text", MODE_TEXT,
	  "<user@domain.com>",
	  "" },
	{ "linkify-it #68 html", MODE_HTML,
	  "<p>&lt;user@domain.com&gt;</p>",
	  "" },
	{ "linkify-it #69 text", MODE_TEXT,
	  "<mailto:user@domain.com>",
	  "" },
	{ "linkify-it #69 html", MODE_HTML,
	  "<p>&lt;mailto:user@domain.com&gt;</p>",
	  "" },
	{ "linkify-it #70 text", MODE_TEXT,
	  "name@example.com",
	  "" },
	{ "linkify-it #70 html", MODE_HTML,
	  "<p>name@example.com</p>",
	  "" },
	{ "linkify-it #71 text", MODE_TEXT,
	  "mailto:name@example.com",
	  "" },
	{ "linkify-it #71 html", MODE_HTML,
	  "<p>mailto:name@example.com</p>",
	  "" },
	{ "linkify-it #72 text", MODE_TEXT,
	  "MAILTO:NAME@EXAMPLE.COM",
	  "" },
	{ "linkify-it #72 html", MODE_HTML,
	  "<p>MAILTO:NAME@EXAMPLE.COM</p>",
	  "" },
	{ "linkify-it #73 text", MODE_TEXT,
	  "foo+bar@gmail.com",
	  "" },
	{ "linkify-it #73 html", MODE_HTML,
	  "<p>foo+bar@gmail.com</p>",
	  "" },
	{ "linkify-it #74 text", MODE_TEXT,
	  "192.168.1.1@gmail.com",
	  "" },
	{ "linkify-it #74 html", MODE_HTML,
	  "<p>192.168.1.1@gmail.com</p>",
	  "" },
	{ "linkify-it #75 text", MODE_TEXT,
	  "(foobar email@example.com)",
	  "" },
	{ "linkify-it #75 html", MODE_HTML,
	  "<p>(foobar email@example.com)</p>",
	  "" },
	{ "linkify-it #76 text", MODE_TEXT,
	  "http://\xe2\x9c\xaa" "df.ws/123",
	  "http://\xe2\x9c\xaa" "df.ws/123" },
	{ "linkify-it #76 html", MODE_HTML,
	  "<p>http://\xe2\x9c\xaa" "df.ws/123</p>",
	  "http://\xe2\x9c\xaa" "df.ws/123" },
	{ "linkify-it #77 text", MODE_TEXT,
	  "http://xn--df-oiy.ws/123",
	  "http://xn--df-oiy.ws/123" },
	{ "linkify-it #77 html", MODE_HTML,
	  "<p>http://xn--df-oiy.ws/123</p>",
	  "http://xn--df-oiy.ws/123" },
	{ "linkify-it #78 text", MODE_TEXT,
	  "http://www.b\xc3\xbcrgerentscheid-krankenh\xc3\xa4user.de",
	  "http://www.b\xc3\xbcrgerentscheid-krankenh\xc3\xa4user.de" },
	{ "linkify-it #78 html", MODE_HTML,
	  "<p>http://www.b\xc3\xbcrgerentscheid-krankenh\xc3\xa4user.de"
	  "</p>",
	  "http://www.b\xc3\xbcrgerentscheid-krankenh\xc3\xa4user.de" },
	{ "linkify-it #79 text", MODE_TEXT,
	  "http://www.xn--brgerentscheid-krankenhuser-xkc78d.de",
	  "http://www.xn--brgerentscheid-krankenhuser-xkc78d.de" },
	{ "linkify-it #79 html", MODE_HTML,
	  "<p>http://www.xn--brgerentscheid-krankenhuser-xkc78d.de</p>",
	  "http://www.xn--brgerentscheid-krankenhuser-xkc78d.de" },
	{ "linkify-it #80 text", MODE_TEXT,
	  "http://b\xc3\xbcndnis-f\xc3\xbcr-krankenh\xc3\xa4user.de/wp-"
	  "content/uploads/2011/11/cropped-logohp.jpg",
	  "http://b\xc3\xbcndnis-f\xc3\xbcr-krankenh\xc3\xa4user.de/wp-"
	  "content/uploads/2011/11/cropped-logohp.jpg" },
	{ "linkify-it #80 html", MODE_HTML,
	  "<p>http://b\xc3\xbcndnis-f\xc3\xbcr-krankenh\xc3\xa4user.de/"
	  "wp-content/uploads/2011/11/cropped-logohp.jpg</p>",
	  "http://b\xc3\xbcndnis-f\xc3\xbcr-krankenh\xc3\xa4user.de/wp-"
	  "content/uploads/2011/11/cropped-logohp.jpg" },
	{ "linkify-it #81 text", MODE_TEXT,
	  "http://xn--bndnis-fr-krankenhuser-i5b27cha.de/wp-content/upl"
	  "oads/2011/11/cropped-logohp.jpg",
	  "http://xn--bndnis-fr-krankenhuser-i5b27cha.de/wp-content/upl"
	  "oads/2011/11/cropped-logohp.jpg" },
	{ "linkify-it #81 html", MODE_HTML,
	  "<p>http://xn--bndnis-fr-krankenhuser-i5b27cha.de/wp-content/"
	  "uploads/2011/11/cropped-logohp.jpg</p>",
	  "http://xn--bndnis-fr-krankenhuser-i5b27cha.de/wp-content/upl"
	  "oads/2011/11/cropped-logohp.jpg" },
	{ "linkify-it #82 text", MODE_TEXT,
	  "http://\xef\xbb\xa1\xef\xbb\xae\xef\xbb\x98\xef\xbb\x8b.\xef"
	  "\xbb\xad\xef\xba\xaf\xef\xba\x8d\xef\xba\xad\xef\xba\x93-"
	  "\xef\xba\x8d\xef\xbb\xbc\xef\xba\x98\xef\xba\xbb\xef\xba\x8d"
	  "\xef\xbb\xbc\xef\xba\x97.\xef\xbb\xa2\xef\xba\xbb\xef\xba"
	  "\xad/",
	  "http://\xef\xbb\xa1\xef\xbb\xae\xef\xbb\x98\xef\xbb\x8b.\xef"
	  "\xbb\xad\xef\xba\xaf\xef\xba\x8d\xef\xba\xad\xef\xba\x93-"
	  "\xef\xba\x8d\xef\xbb\xbc\xef\xba\x98\xef\xba\xbb\xef\xba\x8d"
	  "\xef\xbb\xbc\xef\xba\x97.\xef\xbb\xa2\xef\xba\xbb\xef\xba"
	  "\xad/" },
	{ "linkify-it #82 html", MODE_HTML,
	  "<p>http://\xef\xbb\xa1\xef\xbb\xae\xef\xbb\x98\xef\xbb\x8b."
	  "\xef\xbb\xad\xef\xba\xaf\xef\xba\x8d\xef\xba\xad\xef\xba\x93"
	  "-\xef\xba\x8d\xef\xbb\xbc\xef\xba\x98\xef\xba\xbb\xef\xba"
	  "\x8d\xef\xbb\xbc\xef\xba\x97.\xef\xbb\xa2\xef\xba\xbb\xef"
	  "\xba\xad/</p>",
	  "http://\xef\xbb\xa1\xef\xbb\xae\xef\xbb\x98\xef\xbb\x8b.\xef"
	  "\xbb\xad\xef\xba\xaf\xef\xba\x8d\xef\xba\xad\xef\xba\x93-"
	  "\xef\xba\x8d\xef\xbb\xbc\xef\xba\x98\xef\xba\xbb\xef\xba\x8d"
	  "\xef\xbb\xbc\xef\xba\x97.\xef\xbb\xa2\xef\xba\xbb\xef\xba"
	  "\xad/" },
	{ "linkify-it #83 text", MODE_TEXT,
	  "http://xn--4gbrim.xn----ymcbaaajlc6dj7bxne2c.xn--wgbh1c/",
	  "http://xn--4gbrim.xn----ymcbaaajlc6dj7bxne2c.xn--wgbh1c/" },
	{ "linkify-it #83 html", MODE_HTML,
	  "<p>http://xn--4gbrim.xn----ymcbaaajlc6dj7bxne2c.xn--wgbh1c/<"
	  "/p>",
	  "http://xn--4gbrim.xn----ymcbaaajlc6dj7bxne2c.xn--wgbh1c/" },
	{ "linkify-it #84 text", MODE_TEXT,
	  "\xd0\xbf\xd1\x80\xd0\xb5 http://\xd0\xbf\xd1\x80\xd0\xb5\xd0"
	  "\xb7\xd0\xb8\xd0\xb4\xd0\xb5\xd0\xbd\xd1\x82.\xd1\x80\xd1"
	  "\x84/ ok",
	  "http://\xd0\xbf\xd1\x80\xd0\xb5\xd0\xb7\xd0\xb8\xd0\xb4\xd0"
	  "\xb5\xd0\xbd\xd1\x82.\xd1\x80\xd1\x84/" },
	{ "linkify-it #84 html", MODE_HTML,
	  "<p>\xd0\xbf\xd1\x80\xd0\xb5 http://\xd0\xbf\xd1\x80\xd0\xb5"
	  "\xd0\xb7\xd0\xb8\xd0\xb4\xd0\xb5\xd0\xbd\xd1\x82.\xd1\x80"
	  "\xd1\x84/ ok</p>",
	  "http://\xd0\xbf\xd1\x80\xd0\xb5\xd0\xb7\xd0\xb8\xd0\xb4\xd0"
	  "\xb5\xd0\xbd\xd1\x82.\xd1\x80\xd1\x84/" },
	{ "linkify-it #85 text", MODE_TEXT,
	  "http://example.com/render?target=summarize(deriviative(app.n"
	  "umUsers),%221min%22)&title=New_Users_Per_Minute",
	  "http://example.com/render?target=summarize(deriviative(app.n"
	  "umUsers),%221min%22)&title=New_Users_Per_Minute" },
	{ "linkify-it #85 html", MODE_HTML,
	  "<p>http://example.com/render?target=summarize(deriviative(ap"
	  "p.numUsers),%221min%22)&amp;title=New_Users_Per_Minute</p>",
	  "http://example.com/render?target=summarize(deriviative(app.n"
	  "umUsers),%221min%22)&title=New_Users_Per_Minute" },
	{ "linkify-it #86 text", MODE_TEXT,
	  "http://example.com/foo-(with-nested-(parens)).",
	  "http://example.com/foo-(with-nested-(parens))" },
	{ "linkify-it #86 html", MODE_HTML,
	  "<p>http://example.com/foo-(with-nested-(parens)).</p>",
	  "http://example.com/foo-(with-nested-(parens))" },
	{ "linkify-it #87 text", MODE_TEXT,
	  "http://example.com/(foo) (bar)",
	  "http://example.com/(foo)" },
	{ "linkify-it #87 html", MODE_HTML,
	  "<p>http://example.com/(foo) (bar)</p>",
	  "http://example.com/(foo)" },
	{ "linkify-it #88 text", MODE_TEXT,
	  "\xef\xbd\x9cwww.google.com/www.google.com/foo\xef\xbd\x9c" ""
	  "bar",
	  "www.google.com/www.google.com/foo" },
	{ "linkify-it #88 html", MODE_HTML,
	  "<p>\xef\xbd\x9cwww.google.com/www.google.com/foo\xef\xbd\x9c" ""
	  "bar</p>",
	  "www.google.com/www.google.com/foo" },
	{ "linkify-it #89 text", MODE_TEXT,
	  "\xef\xbd\x9chttp://google.com\xef\xbd\x9c" "bar",
	  "http://google.com" },
	{ "linkify-it #89 html", MODE_HTML,
	  "<p>\xef\xbd\x9chttp://google.com\xef\xbd\x9c" "bar</p>",
	  "http://google.com" },
	{ "twitter-text #90 text", MODE_TEXT,
	  "http://example.com",
	  "http://example.com" },
	{ "twitter-text #90 html", MODE_HTML,
	  "<p>http://example.com</p>",
	  "http://example.com" },
	{ "twitter-text #91 text", MODE_TEXT,
	  "text http://google.com",
	  "http://google.com" },
	{ "twitter-text #91 html", MODE_HTML,
	  "<p>text http://google.com</p>",
	  "http://google.com" },
	{ "twitter-text #92 text", MODE_TEXT,
	  "text http://foobar.com/#",
	  "http://foobar.com/#" },
	{ "twitter-text #92 html", MODE_HTML,
	  "<p>text http://foobar.com/#</p>",
	  "http://foobar.com/#" },
	{ "twitter-text #93 text", MODE_TEXT,
	  "text http://google.com/#foo",
	  "http://google.com/#foo" },
	{ "twitter-text #93 html", MODE_HTML,
	  "<p>text http://google.com/#foo</p>",
	  "http://google.com/#foo" },
	{ "twitter-text #94 text", MODE_TEXT,
	  "text http://google.com/#search?q=iphone%20-filter%3Alinks",
	  "http://google.com/#search?q=iphone%20-filter%3Alinks" },
	{ "twitter-text #94 html", MODE_HTML,
	  "<p>text http://google.com/#search?q=iphone%20-filter%3Alinks"
	  "</p>",
	  "http://google.com/#search?q=iphone%20-filter%3Alinks" },
	{ "twitter-text #95 text", MODE_TEXT,
	  "text http://somedomain.com/index.php?path=/abc/def/",
	  "http://somedomain.com/index.php?path=/abc/def/" },
	{ "twitter-text #95 html", MODE_HTML,
	  "<p>text http://somedomain.com/index.php?path=/abc/def/</p>",
	  "http://somedomain.com/index.php?path=/abc/def/" },
	{ "twitter-text #96 text", MODE_TEXT,
	  "text http://www.boingboing.net/2007/02/14/katamari_damacy_ph"
	  "on.html",
	  "http://www.boingboing.net/2007/02/14/katamari_damacy_phon.ht"
	  "ml" },
	{ "twitter-text #96 html", MODE_HTML,
	  "<p>text http://www.boingboing.net/2007/02/14/katamari_damacy"
	  "_phon.html</p>",
	  "http://www.boingboing.net/2007/02/14/katamari_damacy_phon.ht"
	  "ml" },
	{ "twitter-text #97 text", MODE_TEXT,
	  "text http://somehost.com:3000",
	  "http://somehost.com:3000" },
	{ "twitter-text #97 html", MODE_HTML,
	  "<p>text http://somehost.com:3000</p>",
	  "http://somehost.com:3000" },
	{ "twitter-text #98 text", MODE_TEXT,
	  "text http://xo.com/~matthew+%ff-x",
	  "http://xo.com/~matthew+%ff-x" },
	{ "twitter-text #98 html", MODE_HTML,
	  "<p>text http://xo.com/~matthew+%ff-x</p>",
	  "http://xo.com/~matthew+%ff-x" },
	{ "twitter-text #99 text", MODE_TEXT,
	  "text http://xo.com/~matthew+%ff-,.;x",
	  "http://xo.com/~matthew+%ff-,.;x" },
	{ "twitter-text #99 html", MODE_HTML,
	  "<p>text http://xo.com/~matthew+%ff-,.;x</p>",
	  "http://xo.com/~matthew+%ff-,.;x" },
	{ "twitter-text #100 text", MODE_TEXT,
	  "text http://xo.com/,.;x",
	  "http://xo.com/,.;x" },
	{ "twitter-text #100 html", MODE_HTML,
	  "<p>text http://xo.com/,.;x</p>",
	  "http://xo.com/,.;x" },
	{ "twitter-text #101 text", MODE_TEXT,
	  "text http://en.wikipedia.org/wiki/Primer_(film)",
	  "http://en.wikipedia.org/wiki/Primer_(film)" },
	{ "twitter-text #101 html", MODE_HTML,
	  "<p>text http://en.wikipedia.org/wiki/Primer_(film)</p>",
	  "http://en.wikipedia.org/wiki/Primer_(film)" },
	{ "twitter-text #102 text", MODE_TEXT,
	  "text http://msdn.microsoft.com/ja-jp/library/system.net.http"
	  "webrequest(v=VS.100).aspx",
	  "http://msdn.microsoft.com/ja-jp/library/system.net.httpwebre"
	  "quest(v=VS.100).aspx" },
	{ "twitter-text #102 html", MODE_HTML,
	  "<p>text http://msdn.microsoft.com/ja-jp/library/system.net.h"
	  "ttpwebrequest(v=VS.100).aspx</p>",
	  "http://msdn.microsoft.com/ja-jp/library/system.net.httpwebre"
	  "quest(v=VS.100).aspx" },
	{ "twitter-text #103 text", MODE_TEXT,
	  "(http://twitter.com",
	  "http://twitter.com" },
	{ "twitter-text #103 html", MODE_HTML,
	  "<p>(http://twitter.com</p>",
	  "http://twitter.com" },
	{ "twitter-text #104 text", MODE_TEXT,
	  "text http://www.ams.org/bookstore-getitem/item=mbk-59",
	  "http://www.ams.org/bookstore-getitem/item=mbk-59" },
	{ "twitter-text #104 html", MODE_HTML,
	  "<p>text http://www.ams.org/bookstore-getitem/item=mbk-59</p>",
	  "http://www.ams.org/bookstore-getitem/item=mbk-59" },
	{ "twitter-text #105 text", MODE_TEXT,
	  "text http://\xe2\x9c\xaa" "df.ws/ejp",
	  "http://\xe2\x9c\xaa" "df.ws/ejp" },
	{ "twitter-text #105 html", MODE_HTML,
	  "<p>text http://\xe2\x9c\xaa" "df.ws/ejp</p>",
	  "http://\xe2\x9c\xaa" "df.ws/ejp" },
	{ "twitter-text #106 text", MODE_TEXT,
	  "text http://chilp.it/?77e8fd",
	  "http://chilp.it/?77e8fd" },
	{ "twitter-text #106 html", MODE_HTML,
	  "<p>text http://chilp.it/?77e8fd</p>",
	  "http://chilp.it/?77e8fd" },
	{ "twitter-text #107 text", MODE_TEXT,
	  "text http://x.com/oneletterdomain",
	  "http://x.com/oneletterdomain" },
	{ "twitter-text #107 html", MODE_HTML,
	  "<p>text http://x.com/oneletterdomain</p>",
	  "http://x.com/oneletterdomain" },
	{ "twitter-text #108 text", MODE_TEXT,
	  "text http://domain-dash_2314352345_dfasd.foo-cow_4352.com",
	  "http://domain-dash_2314352345_dfasd.foo-cow_4352.com" },
	{ "twitter-text #108 html", MODE_HTML,
	  "<p>text http://domain-dash_2314352345_dfasd.foo-cow_4352.com"
	  "</p>",
	  "http://domain-dash_2314352345_dfasd.foo-cow_4352.com" },
	{ "twitter-text #109 text", MODE_TEXT,
	  "text http://word-and-a-number-8-ftw.domain.com/",
	  "http://word-and-a-number-8-ftw.domain.com/" },
	{ "twitter-text #109 html", MODE_HTML,
	  "<p>text http://word-and-a-number-8-ftw.domain.com/</p>",
	  "http://word-and-a-number-8-ftw.domain.com/" },
	{ "twitter-text #110 text", MODE_TEXT,
	  "text http://domain.com-that-you-should-have-put-a-space-afte"
	  "r",
	  "http://domain.com-that-you-should-have-put-a-space-after" },
	{ "twitter-text #110 html", MODE_HTML,
	  "<p>text http://domain.com-that-you-should-have-put-a-space-a"
	  "fter</p>",
	  "http://domain.com-that-you-should-have-put-a-space-after" },
	{ "twitter-text #111 text", MODE_TEXT,
	  "text http://foo.com?#foo text",
	  "http://foo.com?#foo" },
	{ "twitter-text #111 html", MODE_HTML,
	  "<p>text http://foo.com?#foo text</p>",
	  "http://foo.com?#foo" },
	{ "twitter-text #112 text", MODE_TEXT,
	  "Go to http://example.com/a+ or http://example.com/a-",
	  "http://example.com/a+\nhttp://example.com/a-" },
	{ "twitter-text #112 html", MODE_HTML,
	  "<p>Go to http://example.com/a+ or http://example.com/a-</p>",
	  "http://example.com/a+\nhttp://example.com/a-" },
	{ "twitter-text #113 text", MODE_TEXT,
	  "Go to http://example.com/view/slug-url-?foo=bar",
	  "http://example.com/view/slug-url-?foo=bar" },
	{ "twitter-text #113 html", MODE_HTML,
	  "<p>Go to http://example.com/view/slug-url-?foo=bar</p>",
	  "http://example.com/view/slug-url-?foo=bar" },
	{ "twitter-text #114 text", MODE_TEXT,
	  "@user Try http:// example.com/path",
	  "" },
	{ "twitter-text #114 html", MODE_HTML,
	  "<p>@user Try http:// example.com/path</p>",
	  "" },
	{ "twitter-text #115 text", MODE_TEXT,
	  "foo.com foo.net foo.org foo.edu foo.gov",
	  "" },
	{ "twitter-text #115 html", MODE_HTML,
	  "<p>foo.com foo.net foo.org foo.edu foo.gov</p>",
	  "" },
	{ "twitter-text #116 text", MODE_TEXT,
	  "t.co/abcde bit.ly/abcde",
	  "" },
	{ "twitter-text #116 html", MODE_HTML,
	  "<p>t.co/abcde bit.ly/abcde</p>",
	  "" },
	{ "twitter-text #117 text", MODE_TEXT,
	  "foo.baz foo.co.jp www.xxxxxxx.baz www.foo.co.uk wwwww.xxxxxx"
	  "x foo.comm",
	  "www.foo.co.uk" },
	{ "twitter-text #117 html", MODE_HTML,
	  "<p>foo.baz foo.co.jp www.xxxxxxx.baz www.foo.co.uk wwwww.xxx"
	  "xxxx foo.comm</p>",
	  "www.foo.co.uk" },
	{ "twitter-text #118 text", MODE_TEXT,
	  "\xe3\x81\x93\xe3\x82\x8c\xe3\x81\xaf\xe6\x97\xa5\xe6\x9c\xac"
	  "\xe8\xaa\x9e\xe3\x81\xa7\xe3\x81\x99\xe3\x80\x82http://examp"
	  "le.com/path/index.html\xe4\xb8\xad\xe5\x9b\xbd\xe8\xaa\x9e",
	  "http://example.com/path/index.html\xe4\xb8\xad\xe5\x9b\xbd"
	  "\xe8\xaa\x9e" },
	{ "twitter-text #118 html", MODE_HTML,
	  "<p>\xe3\x81\x93\xe3\x82\x8c\xe3\x81\xaf\xe6\x97\xa5\xe6\x9c"
	  "\xac\xe8\xaa\x9e\xe3\x81\xa7\xe3\x81\x99\xe3\x80\x82http://e"
	  "xample.com/path/index.html\xe4\xb8\xad\xe5\x9b\xbd\xe8\xaa"
	  "\x9e</p>",
	  "http://example.com/path/index.html\xe4\xb8\xad\xe5\x9b\xbd"
	  "\xe8\xaa\x9e" },
	{ "twitter-text #119 text", MODE_TEXT,
	  "http://twitter.com/\xe3\x81\x93\xe3\x82\x8c\xe3\x81\xaf\xe6"
	  "\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\xe3\x81\xa7\xe3\x81\x99\xe3"
	  "\x80\x82" "example.com\xe4\xb8\xad\xe5\x9b\xbd\xe8\xaa\x9eht"
	  "tp://t.co/abcde\xed\x95\x9c\xea\xb5\xad",
	  "http://twitter.com/\xe3\x81\x93\xe3\x82\x8c\xe3\x81\xaf\xe6"
	  "\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\xe3\x81\xa7\xe3\x81\x99\nht"
	  "tp://t.co/abcde\xed\x95\x9c\xea\xb5\xad" },
	{ "twitter-text #119 html", MODE_HTML,
	  "<p>http://twitter.com/\xe3\x81\x93\xe3\x82\x8c\xe3\x81\xaf"
	  "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\xe3\x81\xa7\xe3\x81\x99"
	  "\xe3\x80\x82" "example.com\xe4\xb8\xad\xe5\x9b\xbd\xe8\xaa"
	  "\x9ehttp://t.co/abcde\xed\x95\x9c\xea\xb5\xad</p>",
	  "http://twitter.com/\xe3\x81\x93\xe3\x82\x8c\xe3\x81\xaf\xe6"
	  "\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\xe3\x81\xa7\xe3\x81\x99\nht"
	  "tp://t.co/abcde\xed\x95\x9c\xea\xb5\xad" },
	{ "twitter-text #120 text", MODE_TEXT,
	  "Go to http://twitter.com/\xd0\xa0\xd1\x83\xd1\x81\xd1\x81"
	  "\xd0\xba\xd0\xb8\xd0\xb5_\xd1\x81\xd0\xbb\xd0\xbe\xd0\xb2"
	  "\xd0\xb0",
	  "http://twitter.com/\xd0\xa0\xd1\x83\xd1\x81\xd1\x81\xd0\xba"
	  "\xd0\xb8\xd0\xb5_\xd1\x81\xd0\xbb\xd0\xbe\xd0\xb2\xd0\xb0" },
	{ "twitter-text #120 html", MODE_HTML,
	  "<p>Go to http://twitter.com/\xd0\xa0\xd1\x83\xd1\x81\xd1\x81"
	  "\xd0\xba\xd0\xb8\xd0\xb5_\xd1\x81\xd0\xbb\xd0\xbe\xd0\xb2"
	  "\xd0\xb0</p>",
	  "http://twitter.com/\xd0\xa0\xd1\x83\xd1\x81\xd1\x81\xd0\xba"
	  "\xd0\xb8\xd0\xb5_\xd1\x81\xd0\xbb\xd0\xbe\xd0\xb2\xd0\xb0" },
	{ "twitter-text #121 text", MODE_TEXT,
	  "test http://sub_domain-dash.twitter.com",
	  "http://sub_domain-dash.twitter.com" },
	{ "twitter-text #121 html", MODE_HTML,
	  "<p>test http://sub_domain-dash.twitter.com</p>",
	  "http://sub_domain-dash.twitter.com" },
	{ "twitter-text #122 text", MODE_TEXT,
	  "test http://a.b.cd",
	  "http://a.b.cd" },
	{ "twitter-text #122 html", MODE_HTML,
	  "<p>test http://a.b.cd</p>",
	  "http://a.b.cd" },
	{ "twitter-text #123 text", MODE_TEXT,
	  "test http://a_b.c-d.com",
	  "http://a_b.c-d.com" },
	{ "twitter-text #123 html", MODE_HTML,
	  "<p>test http://a_b.c-d.com</p>",
	  "http://a_b.c-d.com" },
	{ "twitter-text #124 text", MODE_TEXT,
	  "test http://a-b.c.com",
	  "http://a-b.c.com" },
	{ "twitter-text #124 html", MODE_HTML,
	  "<p>test http://a-b.c.com</p>",
	  "http://a-b.c.com" },
	{ "twitter-text #125 text", MODE_TEXT,
	  "test http://twitter-dash.com",
	  "http://twitter-dash.com" },
	{ "twitter-text #125 html", MODE_HTML,
	  "<p>test http://twitter-dash.com</p>",
	  "http://twitter-dash.com" },
	{ "twitter-text #126 text", MODE_TEXT,
	  "http://www.bestbuy.com/site/Currie+Technologies+-+Ezip+400+S"
	  "cooter/9885188.p?id=1218189013070&skuId=9885188",
	  "http://www.bestbuy.com/site/Currie+Technologies+-+Ezip+400+S"
	  "cooter/9885188.p?id=1218189013070&skuId=9885188" },
	{ "twitter-text #126 html", MODE_HTML,
	  "<p>http://www.bestbuy.com/site/Currie+Technologies+-+Ezip+40"
	  "0+Scooter/9885188.p?id=1218189013070&amp;skuId=9885188</p>",
	  "http://www.bestbuy.com/site/Currie+Technologies+-+Ezip+400+S"
	  "cooter/9885188.p?id=1218189013070&skuId=9885188" },
	{ "twitter-text #127 text", MODE_TEXT,
	  "test http://www.foo.com/foo/path-with-period./",
	  "http://www.foo.com/foo/path-with-period./" },
	{ "twitter-text #127 html", MODE_HTML,
	  "<p>test http://www.foo.com/foo/path-with-period./</p>",
	  "http://www.foo.com/foo/path-with-period./" },
	{ "twitter-text #128 text", MODE_TEXT,
	  "test http://www.foo.org.za/foo/bar/688.1",
	  "http://www.foo.org.za/foo/bar/688.1" },
	{ "twitter-text #128 html", MODE_HTML,
	  "<p>test http://www.foo.org.za/foo/bar/688.1</p>",
	  "http://www.foo.org.za/foo/bar/688.1" },
	{ "twitter-text #129 text", MODE_TEXT,
	  "test http://www.foo.com/bar-path/some.stm?param1=foo;param2="
	  "P1|0||P2|0",
	  "http://www.foo.com/bar-path/some.stm?param1=foo;param2=P1|0|"
	  "|P2|0" },
	{ "twitter-text #129 html", MODE_HTML,
	  "<p>test http://www.foo.com/bar-path/some.stm?param1=foo;para"
	  "m2=P1|0||P2|0</p>",
	  "http://www.foo.com/bar-path/some.stm?param1=foo;param2=P1|0|"
	  "|P2|0" },
	{ "twitter-text #130 text", MODE_TEXT,
	  "test http://foo.com/bar/123/foo_&_bar/",
	  "http://foo.com/bar/123/foo_&_bar/" },
	{ "twitter-text #130 html", MODE_HTML,
	  "<p>test http://foo.com/bar/123/foo_&amp;_bar/</p>",
	  "http://foo.com/bar/123/foo_&_bar/" },
	{ "twitter-text #131 text", MODE_TEXT,
	  "test http://www.cp.sc.edu/events/65 test",
	  "http://www.cp.sc.edu/events/65" },
	{ "twitter-text #131 html", MODE_HTML,
	  "<p>test http://www.cp.sc.edu/events/65 test</p>",
	  "http://www.cp.sc.edu/events/65" },
	{ "twitter-text #132 text", MODE_TEXT,
	  "http://www.andersondaradio.no.comunidades.net/ test test",
	  "http://www.andersondaradio.no.comunidades.net/" },
	{ "twitter-text #132 html", MODE_HTML,
	  "<p>http://www.andersondaradio.no.comunidades.net/ test test<"
	  "/p>",
	  "http://www.andersondaradio.no.comunidades.net/" },
	{ "twitter-text #133 text", MODE_TEXT,
	  "test http://twitter.com/.",
	  "http://twitter.com/" },
	{ "twitter-text #133 html", MODE_HTML,
	  "<p>test http://twitter.com/.</p>",
	  "http://twitter.com/" },
	{ "twitter-text #134 text", MODE_TEXT,
	  "text http://tn.com.ar/show/00056158/la-estrella-del-certamen"
	  "-el-turno-de-pamela-anderson?fb_xd_fragment#?=&cb=fe17523f22"
	  "3b7&relation=parent.parent&transport=fragment&type=resize&he"
	  "ight=20&ackdata text",
	  "http://tn.com.ar/show/00056158/la-estrella-del-certamen-el-t"
	  "urno-de-pamela-anderson?fb_xd_fragment#?=&cb=fe17523f223b7&r"
	  "elation=parent.parent&transport=fragment&type=resize&height="
	  "20&ackdata" },
	{ "twitter-text #134 html", MODE_HTML,
	  "<p>text http://tn.com.ar/show/00056158/la-estrella-del-certa"
	  "men-el-turno-de-pamela-anderson?fb_xd_fragment#?=&amp;cb=fe1"
	  "7523f223b7&amp;relation=parent.parent&amp;transport=fragment"
	  "&amp;type=resize&amp;height=20&amp;ackdata text</p>",
	  "http://tn.com.ar/show/00056158/la-estrella-del-certamen-el-t"
	  "urno-de-pamela-anderson?fb_xd_fragment#?=&cb=fe17523f223b7&r"
	  "elation=parent.parent&transport=fragment&type=resize&height="
	  "20&ackdata" },
	{ "twitter-text #135 text", MODE_TEXT,
	  "Test a ton of periods http://example.com/path..............."
	  "...........................",
	  "http://example.com/path" },
	{ "twitter-text #135 html", MODE_HTML,
	  "<p>Test a ton of periods http://example.com/path............"
	  "..............................</p>",
	  "http://example.com/path" },
	{ "twitter-text #136 text", MODE_TEXT,
	  "Test a ton of periods http://example.com/,,,,,,,,,,,,,,,,,,,"
	  ",,,,,,,,,,,,,,,,,,,,,,,",
	  "http://example.com/" },
	{ "twitter-text #136 html", MODE_HTML,
	  "<p>Test a ton of periods http://example.com/,,,,,,,,,,,,,,,,"
	  ",,,,,,,,,,,,,,,,,,,,,,,,,,</p>",
	  "http://example.com/" },
	{ "twitter-text #137 text", MODE_TEXT,
	  "Test a ton of periods http://example.com/path/!!!!!!!!!!!!!!"
	  "!!!!!!!!!!!!!!!!!!!!!!!!!!!!",
	  "http://example.com/path/" },
	{ "twitter-text #137 html", MODE_HTML,
	  "<p>Test a ton of periods http://example.com/path/!!!!!!!!!!!"
	  "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!</p>",
	  "http://example.com/path/" },
	{ "twitter-text #138 text", MODE_TEXT,
	  "I really like http://t.co/pbY2NfTZ's website",
	  "http://t.co/pbY2NfTZ's" },
	{ "twitter-text #138 html", MODE_HTML,
	  "<p>I really like http://t.co/pbY2NfTZ's website</p>",
	  "http://t.co/pbY2NfTZ's" },
	{ "twitter-text #139 text", MODE_TEXT,
	  "According to http://t.co/ulYGBYSo: the internet is cool",
	  "http://t.co/ulYGBYSo" },
	{ "twitter-text #139 html", MODE_HTML,
	  "<p>According to http://t.co/ulYGBYSo: the internet is cool</"
	  "p>",
	  "http://t.co/ulYGBYSo" },
	{ "twitter-text #140 text", MODE_TEXT,
	  "http://twitter.com\nhttp://example.com\nhttp://example.com/p"
	  "ath\nexample.com/path",
	  "http://twitter.com\nhttp://example.com\nhttp://example.com/p"
	  "ath" },
	{ "twitter-text #140 html", MODE_HTML,
	  "<p>http://twitter.com\nhttp://example.com\nhttp://example.co"
	  "m/path\nexample.com/path</p>",
	  "http://twitter.com\nhttp://example.com\nhttp://example.com/p"
	  "ath" },
	{ "twitter-text #141 text", MODE_TEXT,
	  "http://t.co/pbY2NfTZ's http://t.co/2vYHpAc5; http://t.co/ulY"
	  "GBYSo: http://t.co/8MkmHU0k+c http://t.co/TKLp64dY.x http://"
	  "t.co/8t7G3ddS#a",
	  "http://t.co/pbY2NfTZ's\nhttp://t.co/2vYHpAc5\nhttp://t.co/ul"
	  "YGBYSo\nhttp://t.co/8MkmHU0k+c\nhttp://t.co/TKLp64dY.x\nhttp"
	  "://t.co/8t7G3ddS#a" },
	{ "twitter-text #141 html", MODE_HTML,
	  "<p>http://t.co/pbY2NfTZ's http://t.co/2vYHpAc5; http://t.co/"
	  "ulYGBYSo: http://t.co/8MkmHU0k+c http://t.co/TKLp64dY.x http"
	  "://t.co/8t7G3ddS#a</p>",
	  "http://t.co/pbY2NfTZ's\nhttp://t.co/2vYHpAc5\nhttp://t.co/ul"
	  "YGBYSo\nhttp://t.co/8MkmHU0k+c\nhttp://t.co/TKLp64dY.x\nhttp"
	  "://t.co/8t7G3ddS#a" },
	{ "twitter-text #142 text", MODE_TEXT,
	  "$http://twitter.com $twitter.com",
	  "http://twitter.com" },
	{ "twitter-text #142 html", MODE_HTML,
	  "<p>$http://twitter.com $twitter.com</p>",
	  "http://twitter.com" },
	{ "twitter-text #143 text", MODE_TEXT,
	  "long.test.tar.bz2 test.tar.bz2 tar.bz2",
	  "" },
	{ "twitter-text #143 html", MODE_HTML,
	  "<p>long.test.tar.bz2 test.tar.bz2 tar.bz2</p>",
	  "" },
	{ "twitter-text #144 text", MODE_TEXT,
	  "john.doe.gov@mail.com",
	  "" },
	{ "twitter-text #144 html", MODE_HTML,
	  "<p>john.doe.gov@mail.com</p>",
	  "" },
	{ "twitter-text #145 text", MODE_TEXT,
	  "http://t.co http://t.co",
	  "http://t.co" },
	{ "twitter-text #145 html", MODE_HTML,
	  "<p>http://t.co http://t.co</p>",
	  "http://t.co" },
	{ "twitter-text #146 text", MODE_TEXT,
	  "test http://xn--ls8h.XN--ls8h.la/",
	  "http://xn--ls8h.XN--ls8h.la/" },
	{ "twitter-text #146 html", MODE_HTML,
	  "<p>test http://xn--ls8h.XN--ls8h.la/</p>",
	  "http://xn--ls8h.XN--ls8h.la/" },
	{ "twitter-text #147 text", MODE_TEXT,
	  "test http://foobar.\xe3\x81\xbf\xe3\x82\x93\xe3\x81\xaa/ htt"
	  "p://foobar.\xe4\xb8\xad\xe5\x9b\xbd/ http://foobar.\xd9\xbe"
	  "\xd8\xa7\xda\xa9\xd8\xb3\xd8\xaa\xd8\xa7\xd9\x86/ ",
	  "http://foobar.\xe3\x81\xbf\xe3\x82\x93\xe3\x81\xaa/\nhttp://"
	  "foobar.\xe4\xb8\xad\xe5\x9b\xbd/\nhttp://foobar.\xd9\xbe\xd8"
	  "\xa7\xda\xa9\xd8\xb3\xd8\xaa\xd8\xa7\xd9\x86/" },
	{ "twitter-text #147 html", MODE_HTML,
	  "<p>test http://foobar.\xe3\x81\xbf\xe3\x82\x93\xe3\x81\xaa/ "
	  "http://foobar.\xe4\xb8\xad\xe5\x9b\xbd/ http://foobar.\xd9"
	  "\xbe\xd8\xa7\xda\xa9\xd8\xb3\xd8\xaa\xd8\xa7\xd9\x86/ </p>",
	  "http://foobar.\xe3\x81\xbf\xe3\x82\x93\xe3\x81\xaa/\nhttp://"
	  "foobar.\xe4\xb8\xad\xe5\x9b\xbd/\nhttp://foobar.\xd9\xbe\xd8"
	  "\xa7\xda\xa9\xd8\xb3\xd8\xaa\xd8\xa7\xd9\x86/" },
	{ "twitter-text #148 text", MODE_TEXT,
	  "\xe7\x9a\x86\xe3\x81\x95\xe3\x82\x93\xe8\xa6\x8b\xe3\x81\xa6"
	  "\xe3\x81\x8f\xe3\x81\xa0\xe3\x81\x95\xe3\x81\x84\xef\xbc\x81"
	  " http://google.com",
	  "http://google.com" },
	{ "twitter-text #148 html", MODE_HTML,
	  "<p>\xe7\x9a\x86\xe3\x81\x95\xe3\x82\x93\xe8\xa6\x8b\xe3\x81"
	  "\xa6\xe3\x81\x8f\xe3\x81\xa0\xe3\x81\x95\xe3\x81\x84\xef\xbc"
	  "\x81 http://google.com</p>",
	  "http://google.com" },
	{ "GFM #149 text", MODE_TEXT,
	  "www.commonmark.org",
	  "www.commonmark.org" },
	{ "GFM #149 html", MODE_HTML,
	  "<p>www.commonmark.org</p>",
	  "www.commonmark.org" },
	{ "GFM #150 text", MODE_TEXT,
	  "Visit www.commonmark.org/help for more information.",
	  "www.commonmark.org/help" },
	{ "GFM #150 html", MODE_HTML,
	  "<p>Visit www.commonmark.org/help for more information.</p>",
	  "www.commonmark.org/help" },
	{ "GFM #151 text", MODE_TEXT,
	  "Visit www.commonmark.org.",
	  "www.commonmark.org" },
	{ "GFM #151 html", MODE_HTML,
	  "<p>Visit www.commonmark.org.</p>",
	  "www.commonmark.org" },
	{ "GFM #152 text", MODE_TEXT,
	  "Visit www.commonmark.org/a.b.",
	  "www.commonmark.org/a.b" },
	{ "GFM #152 html", MODE_HTML,
	  "<p>Visit www.commonmark.org/a.b.</p>",
	  "www.commonmark.org/a.b" },
	{ "GFM #153 text", MODE_TEXT,
	  "www.google.com/search?q=Markup+(business)",
	  "www.google.com/search?q=Markup+(business)" },
	{ "GFM #153 html", MODE_HTML,
	  "<p>www.google.com/search?q=Markup+(business)</p>",
	  "www.google.com/search?q=Markup+(business)" },
	{ "GFM #154 text", MODE_TEXT,
	  "www.google.com/search?q=Markup+(business)))",
	  "www.google.com/search?q=Markup+(business)" },
	{ "GFM #154 html", MODE_HTML,
	  "<p>www.google.com/search?q=Markup+(business)))</p>",
	  "www.google.com/search?q=Markup+(business)" },
	{ "GFM #155 text", MODE_TEXT,
	  "(www.google.com/search?q=Markup+(business))",
	  "www.google.com/search?q=Markup+(business)" },
	{ "GFM #155 html", MODE_HTML,
	  "<p>(www.google.com/search?q=Markup+(business))</p>",
	  "www.google.com/search?q=Markup+(business)" },
	{ "GFM #156 text", MODE_TEXT,
	  "(www.google.com/search?q=Markup+(business)",
	  "www.google.com/search?q=Markup+(business)" },
	{ "GFM #156 html", MODE_HTML,
	  "<p>(www.google.com/search?q=Markup+(business)</p>",
	  "www.google.com/search?q=Markup+(business)" },
	{ "GFM #157 text", MODE_TEXT,
	  "www.google.com/search?q=(business))+ok",
	  "www.google.com/search?q=(business))+ok" },
	{ "GFM #157 html", MODE_HTML,
	  "<p>www.google.com/search?q=(business))+ok</p>",
	  "www.google.com/search?q=(business))+ok" },
	{ "GFM #158 text", MODE_TEXT,
	  "www.google.com/search?q=commonmark&hl=en",
	  "www.google.com/search?q=commonmark&hl=en" },
	{ "GFM #158 html", MODE_HTML,
	  "<p>www.google.com/search?q=commonmark&amp;hl=en</p>",
	  "www.google.com/search?q=commonmark&hl=en" },
	{ "GFM #159 text", MODE_TEXT,
	  "www.google.com/search?q=commonmark&hl;",
	  "www.google.com/search?q=commonmark&hl" },
	{ "GFM #159 html", MODE_HTML,
	  "<p>www.google.com/search?q=commonmark&amp;hl;</p>",
	  "www.google.com/search?q=commonmark&hl" },
	{ "GFM #160 text", MODE_TEXT,
	  "www.commonmark.org/he<lp",
	  "www.commonmark.org/he" },
	{ "GFM #160 html", MODE_HTML,
	  "<p>www.commonmark.org/he&lt;lp</p>",
	  "www.commonmark.org/he" },
	{ "GFM #161 text", MODE_TEXT,
	  "(Visit https://encrypted.google.com/search?q=Markup+(busines"
	  "s))",
	  "https://encrypted.google.com/search?q=Markup+(business)" },
	{ "GFM #161 html", MODE_HTML,
	  "<p>(Visit https://encrypted.google.com/search?q=Markup+(busi"
	  "ness))</p>",
	  "https://encrypted.google.com/search?q=Markup+(business)" },
	{ "GFM #162 text", MODE_TEXT,
	  "Anonymous FTP is available at ftp://foo.bar.baz.",
	  "ftp://foo.bar.baz" },
	{ "GFM #162 html", MODE_HTML,
	  "<p>Anonymous FTP is available at ftp://foo.bar.baz.</p>",
	  "ftp://foo.bar.baz" },
	{ "GFM #163 text", MODE_TEXT,
	  "foo@bar.baz",
	  "" },
	{ "GFM #163 html", MODE_HTML,
	  "<p>foo@bar.baz</p>",
	  "" },
	{ "GFM #164 text", MODE_TEXT,
	  "hello@mail+xyz.example isn't valid, but hello+xyz@mail.examp"
	  "le is.",
	  "" },
	{ "GFM #164 html", MODE_HTML,
	  "<p>hello@mail+xyz.example isn't valid, but hello+xyz@mail.ex"
	  "ample is.</p>",
	  "" },
	{ "GFM #165 text", MODE_TEXT,
	  "*https://example.com/a*",
	  "https://example.com/a" },
	{ "GFM #165 html", MODE_HTML,
	  "<p>*https://example.com/a*</p>",
	  "https://example.com/a" },
	{ "GFM #166 text", MODE_TEXT,
	  "_www.example.com/x_",
	  "www.example.com/x" },
	{ "GFM #166 html", MODE_HTML,
	  "<p>_www.example.com/x_</p>",
	  "www.example.com/x" },
	{ "GFM #167 text", MODE_TEXT,
	  "~~https://example.com/strike~~",
	  "https://example.com/strike" },
	{ "GFM #167 html", MODE_HTML,
	  "<p>~~https://example.com/strike~~</p>",
	  "https://example.com/strike" },
	{ "GFM #168 text", MODE_TEXT,
	  "**https://example.com/bold**.",
	  "https://example.com/bold" },
	{ "GFM #168 html", MODE_HTML,
	  "<p>**https://example.com/bold**.</p>",
	  "https://example.com/bold" },
	{ "GFM #169 text", MODE_TEXT,
	  "[https://good.example/](https://evil.example/login)",
	  "https://good.example/\nhttps://evil.example/login" },
	{ "GFM #169 html", MODE_HTML,
	  "<p>[https://good.example/](https://evil.example/login)</p>",
	  "https://good.example/\nhttps://evil.example/login" },
	{ "GFM #170 text", MODE_TEXT,
	  "[link](https://example.com/a_(b))",
	  "https://example.com/a_(b)" },
	{ "GFM #170 html", MODE_HTML,
	  "<p>[link](https://example.com/a_(b))</p>",
	  "https://example.com/a_(b)" },
	{ "robinst/linkify #171 text", MODE_TEXT,
	  "://foo",
	  "" },
	{ "robinst/linkify #171 html", MODE_HTML,
	  "<p>://foo</p>",
	  "" },
	{ "robinst/linkify #172 text", MODE_TEXT,
	  "http://",
	  "" },
	{ "robinst/linkify #172 html", MODE_HTML,
	  "<p>http://</p>",
	  "" },
	{ "robinst/linkify #173 text", MODE_TEXT,
	  "http:// ",
	  "" },
	{ "robinst/linkify #173 html", MODE_HTML,
	  "<p>http:// </p>",
	  "" },
	{ "robinst/linkify #174 text", MODE_TEXT,
	  "\"http://\"",
	  "" },
	{ "robinst/linkify #174 html", MODE_HTML,
	  "<p>\"http://\"</p>",
	  "" },
	{ "robinst/linkify #175 text", MODE_TEXT,
	  "\"http://...\", ",
	  "" },
	{ "robinst/linkify #175 html", MODE_HTML,
	  "<p>\"http://...\", </p>",
	  "" },
	{ "robinst/linkify #176 text", MODE_TEXT,
	  ".http://example.org/",
	  "http://example.org/" },
	{ "robinst/linkify #176 html", MODE_HTML,
	  "<p>.http://example.org/</p>",
	  "http://example.org/" },
	{ "robinst/linkify #177 text", MODE_TEXT,
	  "1.http://example.org/",
	  "http://example.org/" },
	{ "robinst/linkify #177 html", MODE_HTML,
	  "<p>1.http://example.org/</p>",
	  "http://example.org/" },
	{ "robinst/linkify #178 text", MODE_TEXT,
	  "http://a.",
	  "http://a" },
	{ "robinst/linkify #178 html", MODE_HTML,
	  "<p>http://a.</p>",
	  "http://a" },
	{ "robinst/linkify #179 text", MODE_TEXT,
	  "http://127.0.0.1",
	  "http://127.0.0.1" },
	{ "robinst/linkify #179 html", MODE_HTML,
	  "<p>http://127.0.0.1</p>",
	  "http://127.0.0.1" },
	{ "robinst/linkify #180 text", MODE_TEXT,
	  "http://127.0.0.1/",
	  "http://127.0.0.1/" },
	{ "robinst/linkify #180 html", MODE_HTML,
	  "<p>http://127.0.0.1/</p>",
	  "http://127.0.0.1/" },
	{ "robinst/linkify #181 text", MODE_TEXT,
	  "http://example.org/?foo=%20",
	  "http://example.org/?foo=%20" },
	{ "robinst/linkify #181 html", MODE_HTML,
	  "<p>http://example.org/?foo=%20</p>",
	  "http://example.org/?foo=%20" },
	{ "robinst/linkify #182 text", MODE_TEXT,
	  "http://example.org/%3C",
	  "http://example.org/%3C" },
	{ "robinst/linkify #182 html", MODE_HTML,
	  "<p>http://example.org/%3C</p>",
	  "http://example.org/%3C" },
	{ "robinst/linkify #183 text", MODE_TEXT,
	  "foo http://example.org/\tbar",
	  "http://example.org/" },
	{ "robinst/linkify #183 html", MODE_HTML,
	  "<p>foo http://example.org/\tbar</p>",
	  "http://example.org/" },
	{ "robinst/linkify #184 text", MODE_TEXT,
	  "http://example.org/\nbar",
	  "http://example.org/" },
	{ "robinst/linkify #184 html", MODE_HTML,
	  "<p>http://example.org/\nbar</p>",
	  "http://example.org/" },
	{ "robinst/linkify #185 text", MODE_TEXT,
	  "http://example.org/<",
	  "http://example.org/" },
	{ "robinst/linkify #185 html", MODE_HTML,
	  "<p>http://example.org/&lt;</p>",
	  "http://example.org/" },
	{ "robinst/linkify #186 text", MODE_TEXT,
	  "http://example.org/>",
	  "http://example.org/" },
	{ "robinst/linkify #186 html", MODE_HTML,
	  "<p>http://example.org/&gt;</p>",
	  "http://example.org/" },
	{ "robinst/linkify #187 text", MODE_TEXT,
	  "http://example.org/<>",
	  "http://example.org/" },
	{ "robinst/linkify #187 html", MODE_HTML,
	  "<p>http://example.org/&lt;&gt;</p>",
	  "http://example.org/" },
	{ "robinst/linkify #188 text", MODE_TEXT,
	  "http://example.org/foo|bar",
	  "http://example.org/foo|bar" },
	{ "robinst/linkify #188 html", MODE_HTML,
	  "<p>http://example.org/foo|bar</p>",
	  "http://example.org/foo|bar" },
	{ "robinst/linkify #189 text", MODE_TEXT,
	  "http://example.org/.",
	  "http://example.org/" },
	{ "robinst/linkify #189 html", MODE_HTML,
	  "<p>http://example.org/.</p>",
	  "http://example.org/" },
	{ "robinst/linkify #190 text", MODE_TEXT,
	  "http://example.org/..",
	  "http://example.org/" },
	{ "robinst/linkify #190 html", MODE_HTML,
	  "<p>http://example.org/..</p>",
	  "http://example.org/" },
	{ "robinst/linkify #191 text", MODE_TEXT,
	  "http://example.org/,",
	  "http://example.org/" },
	{ "robinst/linkify #191 html", MODE_HTML,
	  "<p>http://example.org/,</p>",
	  "http://example.org/" },
	{ "robinst/linkify #192 text", MODE_TEXT,
	  "http://example.org/:",
	  "http://example.org/" },
	{ "robinst/linkify #192 html", MODE_HTML,
	  "<p>http://example.org/:</p>",
	  "http://example.org/" },
	{ "robinst/linkify #193 text", MODE_TEXT,
	  "http://example.org/?",
	  "http://example.org/" },
	{ "robinst/linkify #193 html", MODE_HTML,
	  "<p>http://example.org/?</p>",
	  "http://example.org/" },
	{ "robinst/linkify #194 text", MODE_TEXT,
	  "http://example.org/!",
	  "http://example.org/" },
	{ "robinst/linkify #194 html", MODE_HTML,
	  "<p>http://example.org/!</p>",
	  "http://example.org/" },
	{ "robinst/linkify #195 text", MODE_TEXT,
	  "http://example.org/;",
	  "http://example.org/" },
	{ "robinst/linkify #195 html", MODE_HTML,
	  "<p>http://example.org/;</p>",
	  "http://example.org/" },
	{ "robinst/linkify #196 text", MODE_TEXT,
	  "http://example.org/a(b)",
	  "http://example.org/a(b)" },
	{ "robinst/linkify #196 html", MODE_HTML,
	  "<p>http://example.org/a(b)</p>",
	  "http://example.org/a(b)" },
	{ "robinst/linkify #197 text", MODE_TEXT,
	  "http://example.org/a[b]",
	  "http://example.org/a[b]" },
	{ "robinst/linkify #197 html", MODE_HTML,
	  "<p>http://example.org/a[b]</p>",
	  "http://example.org/a[b]" },
	{ "robinst/linkify #198 text", MODE_TEXT,
	  "http://example.org/a{b}",
	  "http://example.org/a{b}" },
	{ "robinst/linkify #198 html", MODE_HTML,
	  "<p>http://example.org/a{b}</p>",
	  "http://example.org/a{b}" },
	{ "robinst/linkify #199 text", MODE_TEXT,
	  "http://example.org/a'b'",
	  "http://example.org/a'b'" },
	{ "robinst/linkify #199 html", MODE_HTML,
	  "<p>http://example.org/a'b'</p>",
	  "http://example.org/a'b'" },
	{ "robinst/linkify #200 text", MODE_TEXT,
	  "(http://example.org/)",
	  "http://example.org/" },
	{ "robinst/linkify #200 html", MODE_HTML,
	  "<p>(http://example.org/)</p>",
	  "http://example.org/" },
	{ "robinst/linkify #201 text", MODE_TEXT,
	  "[http://example.org/]",
	  "http://example.org/" },
	{ "robinst/linkify #201 html", MODE_HTML,
	  "<p>[http://example.org/]</p>",
	  "http://example.org/" },
	{ "robinst/linkify #202 text", MODE_TEXT,
	  "{http://example.org/}",
	  "http://example.org/" },
	{ "robinst/linkify #202 html", MODE_HTML,
	  "<p>{http://example.org/}</p>",
	  "http://example.org/" },
	{ "robinst/linkify #203 text", MODE_TEXT,
	  "\"http://example.org/\"",
	  "http://example.org/" },
	{ "robinst/linkify #203 html", MODE_HTML,
	  "<p>\"http://example.org/\"</p>",
	  "http://example.org/" },
	{ "robinst/linkify #204 text", MODE_TEXT,
	  "'http://example.org/'",
	  "http://example.org/" },
	{ "robinst/linkify #204 html", MODE_HTML,
	  "<p>'http://example.org/'</p>",
	  "http://example.org/" },
	{ "robinst/linkify #205 text", MODE_TEXT,
	  "((http://example.org/))",
	  "http://example.org/" },
	{ "robinst/linkify #205 html", MODE_HTML,
	  "<p>((http://example.org/))</p>",
	  "http://example.org/" },
	{ "robinst/linkify #206 text", MODE_TEXT,
	  "((http://example.org/a(b)))",
	  "http://example.org/a(b)" },
	{ "robinst/linkify #206 html", MODE_HTML,
	  "<p>((http://example.org/a(b)))</p>",
	  "http://example.org/a(b)" },
	{ "robinst/linkify #207 text", MODE_TEXT,
	  "[(http://example.org/)]",
	  "http://example.org/" },
	{ "robinst/linkify #207 html", MODE_HTML,
	  "<p>[(http://example.org/)]</p>",
	  "http://example.org/" },
	{ "robinst/linkify #208 text", MODE_TEXT,
	  "(http://example.org/).",
	  "http://example.org/" },
	{ "robinst/linkify #208 html", MODE_HTML,
	  "<p>(http://example.org/).</p>",
	  "http://example.org/" },
	{ "robinst/linkify #209 text", MODE_TEXT,
	  "(http://example.org/.)",
	  "http://example.org/" },
	{ "robinst/linkify #209 html", MODE_HTML,
	  "<p>(http://example.org/.)</p>",
	  "http://example.org/" },
	{ "robinst/linkify #210 text", MODE_TEXT,
	  "http://example.org/(",
	  "http://example.org/(" },
	{ "robinst/linkify #210 html", MODE_HTML,
	  "<p>http://example.org/(</p>",
	  "http://example.org/(" },
	{ "robinst/linkify #211 text", MODE_TEXT,
	  "http://example.org/]()",
	  "http://example.org/" },
	{ "robinst/linkify #211 html", MODE_HTML,
	  "<p>http://example.org/]()</p>",
	  "http://example.org/" },
	{ "robinst/linkify #212 text", MODE_TEXT,
	  "'https://example.org'",
	  "https://example.org" },
	{ "robinst/linkify #212 html", MODE_HTML,
	  "<p>'https://example.org'</p>",
	  "https://example.org" },
	{ "robinst/linkify #213 text", MODE_TEXT,
	  "\"https://example.org\"",
	  "https://example.org" },
	{ "robinst/linkify #213 html", MODE_HTML,
	  "<p>\"https://example.org\"</p>",
	  "https://example.org" },
	{ "robinst/linkify #214 text", MODE_TEXT,
	  "''https://example.org''",
	  "https://example.org" },
	{ "robinst/linkify #214 html", MODE_HTML,
	  "<p>''https://example.org''</p>",
	  "https://example.org" },
	{ "robinst/linkify #215 text", MODE_TEXT,
	  "'https://example.org''",
	  "https://example.org" },
	{ "robinst/linkify #215 html", MODE_HTML,
	  "<p>'https://example.org''</p>",
	  "https://example.org" },
	{ "robinst/linkify #216 text", MODE_TEXT,
	  "http://example.org/'_(foo)",
	  "http://example.org/'_(foo)" },
	{ "robinst/linkify #216 html", MODE_HTML,
	  "<p>http://example.org/'_(foo)</p>",
	  "http://example.org/'_(foo)" },
	{ "robinst/linkify #217 text", MODE_TEXT,
	  "http://example.org/'_(foo)'",
	  "http://example.org/'_(foo)'" },
	{ "robinst/linkify #217 html", MODE_HTML,
	  "<p>http://example.org/'_(foo)'</p>",
	  "http://example.org/'_(foo)'" },
	{ "robinst/linkify #218 text", MODE_TEXT,
	  "http://example.org/''",
	  "http://example.org/''" },
	{ "robinst/linkify #218 html", MODE_HTML,
	  "<p>http://example.org/''</p>",
	  "http://example.org/''" },
	{ "robinst/linkify #219 text", MODE_TEXT,
	  "http://example.org/'''",
	  "http://example.org/''" },
	{ "robinst/linkify #219 html", MODE_HTML,
	  "<p>http://example.org/'''</p>",
	  "http://example.org/''" },
	{ "robinst/linkify #220 text", MODE_TEXT,
	  "http://example.org/'.",
	  "http://example.org/" },
	{ "robinst/linkify #220 html", MODE_HTML,
	  "<p>http://example.org/'.</p>",
	  "http://example.org/" },
	{ "robinst/linkify #221 text", MODE_TEXT,
	  "http://example.org/'a",
	  "http://example.org/'a" },
	{ "robinst/linkify #221 html", MODE_HTML,
	  "<p>http://example.org/'a</p>",
	  "http://example.org/'a" },
	{ "robinst/linkify #222 text", MODE_TEXT,
	  "http://example.org/it's",
	  "http://example.org/it's" },
	{ "robinst/linkify #222 html", MODE_HTML,
	  "<p>http://example.org/it's</p>",
	  "http://example.org/it's" },
	{ "robinst/linkify #223 text", MODE_TEXT,
	  "http://example.org/\"a",
	  "http://example.org/" },
	{ "robinst/linkify #223 html", MODE_HTML,
	  "<p>http://example.org/\"a</p>",
	  "http://example.org/" },
	{ "robinst/linkify #224 text", MODE_TEXT,
	  "http://example.org/`a",
	  "http://example.org/`a" },
	{ "robinst/linkify #224 html", MODE_HTML,
	  "<p>http://example.org/`a</p>",
	  "http://example.org/`a" },
	{ "robinst/linkify #225 text", MODE_TEXT,
	  "https://example.org*",
	  "https://example.org*" },
	{ "robinst/linkify #225 html", MODE_HTML,
	  "<p>https://example.org*</p>",
	  "https://example.org*" },
	{ "robinst/linkify #226 text", MODE_TEXT,
	  "https://example.org/*/a",
	  "https://example.org/*/a" },
	{ "robinst/linkify #226 html", MODE_HTML,
	  "<p>https://example.org/*/a</p>",
	  "https://example.org/*/a" },
	{ "robinst/linkify #227 text", MODE_TEXT,
	  "http://example.org\">",
	  "http://example.org" },
	{ "robinst/linkify #227 html", MODE_HTML,
	  "<p>http://example.org\"&gt;</p>",
	  "http://example.org" },
	{ "robinst/linkify #228 text", MODE_TEXT,
	  "http://example.org'>",
	  "http://example.org" },
	{ "robinst/linkify #228 html", MODE_HTML,
	  "<p>http://example.org'&gt;</p>",
	  "http://example.org" },
	{ "robinst/linkify #229 text", MODE_TEXT,
	  "http://example.org\"/>",
	  "http://example.org" },
	{ "robinst/linkify #229 html", MODE_HTML,
	  "<p>http://example.org\"/&gt;</p>",
	  "http://example.org" },
	{ "robinst/linkify #230 text", MODE_TEXT,
	  "http://example.org</p>",
	  "http://example.org" },
	{ "robinst/linkify #230 html", MODE_HTML,
	  "<p>http://example.org&lt;/p&gt;</p>",
	  "http://example.org" },
	{ "robinst/linkify #231 text", MODE_TEXT,
	  "http://example.org\");",
	  "http://example.org" },
	{ "robinst/linkify #231 html", MODE_HTML,
	  "<p>http://example.org\");</p>",
	  "http://example.org" },
	{ "robinst/linkify #232 text", MODE_TEXT,
	  "http://example.org');",
	  "http://example.org" },
	{ "robinst/linkify #232 html", MODE_HTML,
	  "<p>http://example.org');</p>",
	  "http://example.org" },
	{ "robinst/linkify #233 text", MODE_TEXT,
	  "http://example.org//",
	  "http://example.org//" },
	{ "robinst/linkify #233 html", MODE_HTML,
	  "<p>http://example.org//</p>",
	  "http://example.org//" },
	{ "robinst/linkify #234 text", MODE_TEXT,
	  "http://one.org/ http://two.org/",
	  "http://one.org/\nhttp://two.org/" },
	{ "robinst/linkify #234 html", MODE_HTML,
	  "<p>http://one.org/ http://two.org/</p>",
	  "http://one.org/\nhttp://two.org/" },
	{ "robinst/linkify #235 text", MODE_TEXT,
	  "http://one.org/ : http://two.org/",
	  "http://one.org/\nhttp://two.org/" },
	{ "robinst/linkify #235 html", MODE_HTML,
	  "<p>http://one.org/ : http://two.org/</p>",
	  "http://one.org/\nhttp://two.org/" },
	{ "robinst/linkify #236 text", MODE_TEXT,
	  "(http://one.org/)(http://two.org/)",
	  "http://one.org/\nhttp://two.org/" },
	{ "robinst/linkify #236 html", MODE_HTML,
	  "<p>(http://one.org/)(http://two.org/)</p>",
	  "http://one.org/\nhttp://two.org/" },
	{ "robinst/linkify #237 text", MODE_TEXT,
	  "http://\xc3\xbc\xc3\xb1\xc3\xae\xc3\xa7\xc3\xb8\xc3\xb0\xc3"
	  "\xa9.com",
	  "http://\xc3\xbc\xc3\xb1\xc3\xae\xc3\xa7\xc3\xb8\xc3\xb0\xc3"
	  "\xa9.com" },
	{ "robinst/linkify #237 html", MODE_HTML,
	  "<p>http://\xc3\xbc\xc3\xb1\xc3\xae\xc3\xa7\xc3\xb8\xc3\xb0"
	  "\xc3\xa9.com</p>",
	  "http://\xc3\xbc\xc3\xb1\xc3\xae\xc3\xa7\xc3\xb8\xc3\xb0\xc3"
	  "\xa9.com" },
	{ "robinst/linkify #238 text", MODE_TEXT,
	  "http://\xc3\xbc\xc3\xb1\xc3\xae\xc3\xa7\xc3\xb8\xc3\xb0\xc3"
	  "\xa9.com/\xc3\xa4",
	  "http://\xc3\xbc\xc3\xb1\xc3\xae\xc3\xa7\xc3\xb8\xc3\xb0\xc3"
	  "\xa9.com/\xc3\xa4" },
	{ "robinst/linkify #238 html", MODE_HTML,
	  "<p>http://\xc3\xbc\xc3\xb1\xc3\xae\xc3\xa7\xc3\xb8\xc3\xb0"
	  "\xc3\xa9.com/\xc3\xa4</p>",
	  "http://\xc3\xbc\xc3\xb1\xc3\xae\xc3\xa7\xc3\xb8\xc3\xb0\xc3"
	  "\xa9.com/\xc3\xa4" },
	{ "robinst/linkify #239 text", MODE_TEXT,
	  "http://example.org/\xc2\xa1",
	  "http://example.org/\xc2\xa1" },
	{ "robinst/linkify #239 html", MODE_HTML,
	  "<p>http://example.org/\xc2\xa1</p>",
	  "http://example.org/\xc2\xa1" },
	{ "robinst/linkify #240 text", MODE_TEXT,
	  "http://example.org/\xf0\x9f\x98\x80",
	  "http://example.org/\xf0\x9f\x98\x80" },
	{ "robinst/linkify #240 html", MODE_HTML,
	  "<p>http://example.org/\xf0\x9f\x98\x80</p>",
	  "http://example.org/\xf0\x9f\x98\x80" },
	{ "robinst/linkify #241 text", MODE_TEXT,
	  "http://xn--c1h.example.com/",
	  "http://xn--c1h.example.com/" },
	{ "robinst/linkify #241 html", MODE_HTML,
	  "<p>http://xn--c1h.example.com/</p>",
	  "http://xn--c1h.example.com/" },
	{ "lipoja/URLExtract #242 text", MODE_TEXT,
	  "Let's have URL http://janlipovsky.cz",
	  "http://janlipovsky.cz" },
	{ "lipoja/URLExtract #242 html", MODE_HTML,
	  "<p>Let's have URL http://janlipovsky.cz</p>",
	  "http://janlipovsky.cz" },
	{ "lipoja/URLExtract #243 text", MODE_TEXT,
	  "Let's have text without URLs.",
	  "" },
	{ "lipoja/URLExtract #243 html", MODE_HTML,
	  "<p>Let's have text without URLs.</p>",
	  "" },
	{ "lipoja/URLExtract #244 text", MODE_TEXT,
	  "Dot after TLD: http://janlipovsky.cz.",
	  "http://janlipovsky.cz" },
	{ "lipoja/URLExtract #244 html", MODE_HTML,
	  "<p>Dot after TLD: http://janlipovsky.cz.</p>",
	  "http://janlipovsky.cz" },
	{ "lipoja/URLExtract #245 text", MODE_TEXT,
	  "URL https://example.com/@eon01/asdsd-dummy",
	  "https://example.com/@eon01/asdsd-dummy" },
	{ "lipoja/URLExtract #245 html", MODE_HTML,
	  "<p>URL https://example.com/@eon01/asdsd-dummy</p>",
	  "https://example.com/@eon01/asdsd-dummy" },
	{ "lipoja/URLExtract #246 text", MODE_TEXT,
	  "https://bladomain.com/bla/?cid=74530889&h=bladomain.com",
	  "https://bladomain.com/bla/?cid=74530889&h=bladomain.com" },
	{ "lipoja/URLExtract #246 html", MODE_HTML,
	  "<p>https://bladomain.com/bla/?cid=74530889&amp;h=bladomain.c"
	  "om</p>",
	  "https://bladomain.com/bla/?cid=74530889&h=bladomain.com" },
	{ "lipoja/URLExtract #247 text", MODE_TEXT,
	  "Hey hou we have URL containing https://example.com/what.com "
	  "another URL",
	  "https://example.com/what.com" },
	{ "lipoja/URLExtract #247 html", MODE_HTML,
	  "<p>Hey hou we have URL containing https://example.com/what.c"
	  "om another URL</p>",
	  "https://example.com/what.com" },
	{ "lipoja/URLExtract #248 text", MODE_TEXT,
	  "* test link -https://www.example.com",
	  "https://www.example.com" },
	{ "lipoja/URLExtract #248 html", MODE_HTML,
	  "<p>* test link -https://www.example.com</p>",
	  "https://www.example.com" },
	{ "lipoja/URLExtract #249 text", MODE_TEXT,
	  "https://www.test.org/paper/apostrophe'in-url",
	  "https://www.test.org/paper/apostrophe'in-url" },
	{ "lipoja/URLExtract #249 html", MODE_HTML,
	  "<p>https://www.test.org/paper/apostrophe'in-url</p>",
	  "https://www.test.org/paper/apostrophe'in-url" },
	{ "lipoja/URLExtract #250 text", MODE_TEXT,
	  "http://aa.com/b.html https://aa.com/bb.html",
	  "http://aa.com/b.html\nhttps://aa.com/bb.html" },
	{ "lipoja/URLExtract #250 html", MODE_HTML,
	  "<p>http://aa.com/b.html https://aa.com/bb.html</p>",
	  "http://aa.com/b.html\nhttps://aa.com/bb.html" },
	{ "lipoja/URLExtract #251 text", MODE_TEXT,
	  "http://0.0.0.0/a.io",
	  "http://0.0.0.0/a.io" },
	{ "lipoja/URLExtract #251 html", MODE_HTML,
	  "<p>http://0.0.0.0/a.io</p>",
	  "http://0.0.0.0/a.io" },
	{ "lipoja/URLExtract #252 text", MODE_TEXT,
	  "http://123.56.234.210/struts_action.do",
	  "http://123.56.234.210/struts_action.do" },
	{ "lipoja/URLExtract #252 html", MODE_HTML,
	  "<p>http://123.56.234.210/struts_action.do</p>",
	  "http://123.56.234.210/struts_action.do" },
	{ "lipoja/URLExtract #253 text", MODE_TEXT,
	  "[[ \"$(giturl)\" =~ ^https://gitlab.com ]] echo \"found\"",
	  "https://gitlab.com" },
	{ "lipoja/URLExtract #253 html", MODE_HTML,
	  "<p>[[ \"$(giturl)\" =~ ^https://gitlab.com ]] echo \"found\""
	  "</p>",
	  "https://gitlab.com" },
	{ "lipoja/URLExtract #254 text", MODE_TEXT,
	  "[https://example.com/page|https://example.com/page|smart-lin"
	  "k]",
	  "https://example.com/page|https://example.com/page|smart-link" },
	{ "lipoja/URLExtract #254 html", MODE_HTML,
	  "<p>[https://example.com/page|https://example.com/page|smart-"
	  "link]</p>",
	  "https://example.com/page|https://example.com/page|smart-link" },
	{ "lipoja/URLExtract #255 text", MODE_TEXT,
	  "[http://example.com|Example]",
	  "http://example.com|Example" },
	{ "lipoja/URLExtract #255 html", MODE_HTML,
	  "<p>[http://example.com|Example]</p>",
	  "http://example.com|Example" },
	{ "lipoja/URLExtract #256 text", MODE_TEXT,
	  "http://caseInsensitive.cOM",
	  "http://caseInsensitive.cOM" },
	{ "lipoja/URLExtract #256 html", MODE_HTML,
	  "<p>http://caseInsensitive.cOM</p>",
	  "http://caseInsensitive.cOM" },
	{ "lipoja/URLExtract #257 text", MODE_TEXT,
	  "multiple protocols, job:https://example.co",
	  "https://example.co" },
	{ "lipoja/URLExtract #257 html", MODE_HTML,
	  "<p>multiple protocols, job:https://example.co</p>",
	  "https://example.co" },
	{ "lipoja/URLExtract #258 text", MODE_TEXT,
	  "more multiple protocols, link:job:https://example.com/r",
	  "https://example.com/r" },
	{ "lipoja/URLExtract #258 html", MODE_HTML,
	  "<p>more multiple protocols, link:job:https://example.com/r</"
	  "p>",
	  "https://example.com/r" },
	{ "lipoja/URLExtract #259 text", MODE_TEXT,
	  "{\\url{http://www.google.com}}",
	  "http://www.google.com" },
	{ "lipoja/URLExtract #259 html", MODE_HTML,
	  "<p>{\\url{http://www.google.com}}</p>",
	  "http://www.google.com" },
	{ "lipoja/URLExtract #260 text", MODE_TEXT,
	  "{\\url{http://www.google.com/file.pdf}}",
	  "http://www.google.com/file.pdf" },
	{ "lipoja/URLExtract #260 html", MODE_HTML,
	  "<p>{\\url{http://www.google.com/file.pdf}}</p>",
	  "http://www.google.com/file.pdf" },
	{ "lipoja/URLExtract #261 text", MODE_TEXT,
	  "`https://coala.io/200`",
	  "https://coala.io/200" },
	{ "lipoja/URLExtract #261 html", MODE_HTML,
	  "<p>`https://coala.io/200`</p>",
	  "https://coala.io/200" },
	{ "lipoja/URLExtract #262 text", MODE_TEXT,
	  "Foo (http://de.wikipedia.org/wiki/Agilit%C3%A4t_(Management)"
	  ") Bar",
	  "http://de.wikipedia.org/wiki/Agilit%C3%A4t_(Management)" },
	{ "lipoja/URLExtract #262 html", MODE_HTML,
	  "<p>Foo (http://de.wikipedia.org/wiki/Agilit%C3%A4t_(Manageme"
	  "nt)) Bar</p>",
	  "http://de.wikipedia.org/wiki/Agilit%C3%A4t_(Management)" },
	{ "lipoja/URLExtract #263 text", MODE_TEXT,
	  "asd(http://de.wikipedia.org/wiki/(Agilit%C3(%A4t_(Manag)emen"
	  "t))) Bar",
	  "http://de.wikipedia.org/wiki/(Agilit%C3(%A4t_(Manag)ement))" },
	{ "lipoja/URLExtract #263 html", MODE_HTML,
	  "<p>asd(http://de.wikipedia.org/wiki/(Agilit%C3(%A4t_(Manag)e"
	  "ment))) Bar</p>",
	  "http://de.wikipedia.org/wiki/(Agilit%C3(%A4t_(Manag)ement))" },
	{ "apache/spamassassin #264 text", MODE_TEXT,
	  "=www.deiJ1pha.com",
	  "www.deiJ1pha.com" },
	{ "apache/spamassassin #264 html", MODE_HTML,
	  "<p>=www.deiJ1pha.com</p>",
	  "www.deiJ1pha.com" },
	{ "apache/spamassassin #265 text", MODE_TEXT,
	  "@www.Te0xohxu.com",
	  "" },
	{ "apache/spamassassin #265 html", MODE_HTML,
	  "<p>@www.Te0xohxu.com</p>",
	  "" },
	{ "apache/spamassassin #266 text", MODE_TEXT,
	  ".www.kuiH5sai.com",
	  "www.kuiH5sai.com" },
	{ "apache/spamassassin #266 html", MODE_HTML,
	  "<p>.www.kuiH5sai.com</p>",
	  "www.kuiH5sai.com" },
	{ "apache/spamassassin #267 text", MODE_TEXT,
	  "a=www.zaiNgoo7.com",
	  "www.zaiNgoo7.com" },
	{ "apache/spamassassin #267 html", MODE_HTML,
	  "<p>a=www.zaiNgoo7.com</p>",
	  "www.zaiNgoo7.com" },
	{ "apache/spamassassin #268 text", MODE_TEXT,
	  "b@www.vohWais0.com",
	  "" },
	{ "apache/spamassassin #268 html", MODE_HTML,
	  "<p>b@www.vohWais0.com</p>",
	  "" },
	{ "apache/spamassassin #269 text", MODE_TEXT,
	  "c.www.moSaoga8.com",
	  "" },
	{ "apache/spamassassin #269 html", MODE_HTML,
	  "<p>c.www.moSaoga8.com</p>",
	  "" },
	{ "apache/spamassassin #270 text", MODE_TEXT,
	  "http://www.example.com/about/wahfah7d.html",
	  "http://www.example.com/about/wahfah7d.html" },
	{ "apache/spamassassin #270 html", MODE_HTML,
	  "<p>http://www.example.com/about/wahfah7d.html</p>",
	  "http://www.example.com/about/wahfah7d.html" },
	{ "apache/spamassassin #271 text", MODE_TEXT,
	  "http://www.example.com?xa1kaLuo",
	  "http://www.example.com?xa1kaLuo" },
	{ "apache/spamassassin #271 html", MODE_HTML,
	  "<p>http://www.example.com?xa1kaLuo</p>",
	  "http://www.example.com?xa1kaLuo" },
	{ "apache/spamassassin #272 text", MODE_TEXT,
	  "http://www.lap7thob.com/",
	  "http://www.lap7thob.com/" },
	{ "apache/spamassassin #272 html", MODE_HTML,
	  "<p>http://www.lap7thob.com/</p>",
	  "http://www.lap7thob.com/" },
	{ "apache/spamassassin #273 text", MODE_TEXT,
	  "www.phoh1Koh.com/",
	  "www.phoh1Koh.com/" },
	{ "apache/spamassassin #273 html", MODE_HTML,
	  "<p>www.phoh1Koh.com/</p>",
	  "www.phoh1Koh.com/" },
	{ "apache/spamassassin #274 text", MODE_TEXT,
	  "www.Tar4caeg.com:80",
	  "www.Tar4caeg.com:80" },
	{ "apache/spamassassin #274 html", MODE_HTML,
	  "<p>www.Tar4caeg.com:80</p>",
	  "www.Tar4caeg.com:80" },
	{ "apache/spamassassin #275 text", MODE_TEXT,
	  "www.Coo4mowe.com:80/foo/foo.html",
	  "www.Coo4mowe.com:80/foo/foo.html" },
	{ "apache/spamassassin #275 html", MODE_HTML,
	  "<p>www.Coo4mowe.com:80/foo/foo.html</p>",
	  "www.Coo4mowe.com:80/foo/foo.html" },
	{ "apache/spamassassin #276 text", MODE_TEXT,
	  "www.Nee2quae.com:80/",
	  "www.Nee2quae.com:80/" },
	{ "apache/spamassassin #276 html", MODE_HTML,
	  "<p>www.Nee2quae.com:80/</p>",
	  "www.Nee2quae.com:80/" },
	{ "apache/spamassassin #277 text", MODE_TEXT,
	  "www.Chiew0ch.COM",
	  "www.Chiew0ch.COM" },
	{ "apache/spamassassin #277 html", MODE_HTML,
	  "<p>www.Chiew0ch.COM</p>",
	  "www.Chiew0ch.COM" },
	{ "apache/spamassassin #278 text", MODE_TEXT,
	  "WWW.quus4Rok.cc",
	  "WWW.quus4Rok.cc" },
	{ "apache/spamassassin #278 html", MODE_HTML,
	  "<p>WWW.quus4Rok.cc</p>",
	  "WWW.quus4Rok.cc" },
	{ "apache/spamassassin #279 text", MODE_TEXT,
	  "WWW.peepooN0.uk",
	  "WWW.peepooN0.uk" },
	{ "apache/spamassassin #279 html", MODE_HTML,
	  "<p>WWW.peepooN0.uk</p>",
	  "WWW.peepooN0.uk" },
	{ "apache/spamassassin #280 text", MODE_TEXT,
	  "www.example.travel",
	  "www.example.travel" },
	{ "apache/spamassassin #280 html", MODE_HTML,
	  "<p>www.example.travel</p>",
	  "www.example.travel" },
	{ "apache/spamassassin #281 text", MODE_TEXT,
	  "www.example.museum",
	  "www.example.museum" },
	{ "apache/spamassassin #281 html", MODE_HTML,
	  "<p>www.example.museum</p>",
	  "www.example.museum" },
	{ "apache/spamassassin #282 text", MODE_TEXT,
	  "www.invalid_ltd.foo",
	  "www.invalid_ltd.foo" },
	{ "apache/spamassassin #282 html", MODE_HTML,
	  "<p>www.invalid_ltd.foo</p>",
	  "www.invalid_ltd.foo" },
	{ "apache/spamassassin #283 text", MODE_TEXT,
	  "www.zai6Vuwi.com.bar",
	  "www.zai6Vuwi.com.bar" },
	{ "apache/spamassassin #283 html", MODE_HTML,
	  "<p>www.zai6Vuwi.com.bar</p>",
	  "www.zai6Vuwi.com.bar" },
	{ "apache/spamassassin #284 text", MODE_TEXT,
	  "www.mezeel0P.php",
	  "" },
	{ "apache/spamassassin #284 html", MODE_HTML,
	  "<p>www.mezeel0P.php</p>",
	  "" },
	{ "apache/spamassassin #285 text", MODE_TEXT,
	  "www.liy8quei:80",
	  "" },
	{ "apache/spamassassin #285 html", MODE_HTML,
	  "<p>www.liy8quei:80</p>",
	  "" },
	{ "apache/spamassassin #286 text", MODE_TEXT,
	  "www.puahi9si.com:80",
	  "www.puahi9si.com:80" },
	{ "apache/spamassassin #286 html", MODE_HTML,
	  "<p>www.puahi9si.com:80</p>",
	  "www.puahi9si.com:80" },
	{ "apache/spamassassin #287 text", MODE_TEXT,
	  "www.chop9tan.com:443",
	  "www.chop9tan.com:443" },
	{ "apache/spamassassin #287 html", MODE_HTML,
	  "<p>www.chop9tan.com:443</p>",
	  "www.chop9tan.com:443" },
	{ "apache/spamassassin #288 text", MODE_TEXT,
	  "10.1.1.1",
	  "" },
	{ "apache/spamassassin #288 html", MODE_HTML,
	  "<p>10.1.1.1</p>",
	  "" },
	{ "apache/spamassassin #289 text", MODE_TEXT,
	  "10.1.2.1/",
	  "" },
	{ "apache/spamassassin #289 html", MODE_HTML,
	  "<p>10.1.2.1/</p>",
	  "" },
	{ "apache/spamassassin #290 text", MODE_TEXT,
	  "quau0wig.quau0wig",
	  "" },
	{ "apache/spamassassin #290 html", MODE_HTML,
	  "<p>quau0wig.quau0wig</p>",
	  "" },
	{ "apache/spamassassin #291 text", MODE_TEXT,
	  "foo.Cahl1goo.php",
	  "" },
	{ "apache/spamassassin #291 html", MODE_HTML,
	  "<p>foo.Cahl1goo.php</p>",
	  "" },
	{ "apache/spamassassin #292 text", MODE_TEXT,
	  "cmd.exe",
	  "" },
	{ "apache/spamassassin #292 html", MODE_HTML,
	  "<p>cmd.exe</p>",
	  "" },
	{ "apache/spamassassin #293 text", MODE_TEXT,
	  "keyword:sportscar",
	  "" },
	{ "apache/spamassassin #293 html", MODE_HTML,
	  "<p>keyword:sportscar</p>",
	  "" },
	{ "apache/spamassassin #294 text", MODE_TEXT,
	  "66.94.230.32",
	  "" },
	{ "apache/spamassassin #294 html", MODE_HTML,
	  "<p>66.94.230.32</p>",
	  "" },
	{ "apache/spamassassin #295 text", MODE_TEXT,
	  "joe@koja3fui.koja3fui",
	  "" },
	{ "apache/spamassassin #295 html", MODE_HTML,
	  "<p>joe@koja3fui.koja3fui</p>",
	  "" },
	{ "apache/spamassassin #296 text", MODE_TEXT,
	  "<xuq@dsj.x.thriyi.com>",
	  "" },
	{ "apache/spamassassin #296 html", MODE_HTML,
	  "<p>&lt;xuq@dsj.x.thriyi.com&gt;</p>",
	  "" },
	{ "apache/spamassassin #297 text", MODE_TEXT,
	  "gooboo4k@xieyohy0.com",
	  "" },
	{ "apache/spamassassin #297 html", MODE_HTML,
	  "<p>gooboo4k@xieyohy0.com</p>",
	  "" },
	{ "apache/spamassassin #298 text", MODE_TEXT,
	  "mailto:baeb1fai@quo6puyo.com",
	  "" },
	{ "apache/spamassassin #298 html", MODE_HTML,
	  "<p>mailto:baeb1fai@quo6puyo.com</p>",
	  "" },
	{ "apache/spamassassin #299 text", MODE_TEXT,
	  "file://www.luzoop5k.com",
	  "" },
	{ "apache/spamassassin #299 html", MODE_HTML,
	  "<p>file://www.luzoop5k.com</p>",
	  "" },
	{ "apache/spamassassin #300 text", MODE_TEXT,
	  "mailto:www.luzoop5k.com",
	  "www.luzoop5k.com" },
	{ "apache/spamassassin #300 html", MODE_HTML,
	  "<p>mailto:www.luzoop5k.com</p>",
	  "www.luzoop5k.com" },
	{ "apache/spamassassin #301 text", MODE_TEXT,
	  "<sentto-4934-foo=addr.com@verper.com>",
	  "" },
	{ "apache/spamassassin #301 html", MODE_HTML,
	  "<p>&lt;sentto-4934-foo=addr.com@verper.com&gt;</p>",
	  "" },
	{ "apache/spamassassin #302 text", MODE_TEXT,
	  "M0\"-AE/9Y.KN:_0D2F:95^H*:I,8",
	  "" },
	{ "apache/spamassassin #302 html", MODE_HTML,
	  "<p>M0\"-AE/9Y.KN:_0D2F:95^H*:I,8</p>",
	  "" },
	{ "apache/spamassassin #303 text", MODE_TEXT,
	  "http://10.1.3.1/",
	  "http://10.1.3.1/" },
	{ "apache/spamassassin #303 html", MODE_HTML,
	  "<p>http://10.1.3.1/</p>",
	  "http://10.1.3.1/" },
	{ "apache/spamassassin #304 text", MODE_TEXT,
	  "http://66.94.230.33",
	  "http://66.94.230.33" },
	{ "apache/spamassassin #304 html", MODE_HTML,
	  "<p>http://66.94.230.33</p>",
	  "http://66.94.230.33" },
	{ "apache/spamassassin #305 text", MODE_TEXT,
	  "http://1113515555",
	  "http://1113515555" },
	{ "apache/spamassassin #305 html", MODE_HTML,
	  "<p>http://1113515555</p>",
	  "http://1113515555" },
	{ "apache/spamassassin #306 text", MODE_TEXT,
	  "http://www.luzoop5k.com",
	  "http://www.luzoop5k.com" },
	{ "apache/spamassassin #306 html", MODE_HTML,
	  "<p>http://www.luzoop5k.com</p>",
	  "http://www.luzoop5k.com" },
	{ "apache/spamassassin #307 text", MODE_TEXT,
	  "https://www.luzoop5k.com",
	  "https://www.luzoop5k.com" },
	{ "apache/spamassassin #307 html", MODE_HTML,
	  "<p>https://www.luzoop5k.com</p>",
	  "https://www.luzoop5k.com" },
	{ "apache/spamassassin #308 text", MODE_TEXT,
	  "ftp://www.luzoop5k.com",
	  "ftp://www.luzoop5k.com" },
	{ "apache/spamassassin #308 html", MODE_HTML,
	  "<p>ftp://www.luzoop5k.com</p>",
	  "ftp://www.luzoop5k.com" },
	{ "apache/spamassassin #309 text", MODE_TEXT,
	  "Http://www.auzoop5k.com",
	  "Http://www.auzoop5k.com" },
	{ "apache/spamassassin #309 html", MODE_HTML,
	  "<p>Http://www.auzoop5k.com</p>",
	  "Http://www.auzoop5k.com" },
	{ "apache/spamassassin #310 text", MODE_TEXT,
	  "Https://www.auzoop5k.com",
	  "Https://www.auzoop5k.com" },
	{ "apache/spamassassin #310 html", MODE_HTML,
	  "<p>Https://www.auzoop5k.com</p>",
	  "Https://www.auzoop5k.com" },
	{ "apache/spamassassin #311 text", MODE_TEXT,
	  "Ftp://www.auzoop5k.com",
	  "Ftp://www.auzoop5k.com" },
	{ "apache/spamassassin #311 html", MODE_HTML,
	  "<p>Ftp://www.auzoop5k.com</p>",
	  "Ftp://www.auzoop5k.com" },
	{ "apache/spamassassin #312 text", MODE_TEXT,
	  "hTtPs://MiXeD.Example.COM/Path",
	  "hTtPs://MiXeD.Example.COM/Path" },
	{ "apache/spamassassin #312 html", MODE_HTML,
	  "<p>hTtPs://MiXeD.Example.COM/Path</p>",
	  "hTtPs://MiXeD.Example.COM/Path" },
	{ "apache/spamassassin #313 text", MODE_TEXT,
	  "http://user:pass@jiefeet4.com:80/x/y",
	  "http://user:pass@jiefeet4.com:80/x/y" },
	{ "apache/spamassassin #313 html", MODE_HTML,
	  "<p>http://user:pass@jiefeet4.com:80/x/y</p>",
	  "http://user:pass@jiefeet4.com:80/x/y" },
	{ "apache/spamassassin #314 text", MODE_TEXT,
	  "ftp://name@su5queib.ca//etc/motd",
	  "ftp://name@su5queib.ca//etc/motd" },
	{ "apache/spamassassin #314 html", MODE_HTML,
	  "<p>ftp://name@su5queib.ca//etc/motd</p>",
	  "ftp://name@su5queib.ca//etc/motd" },
	{ "apache/spamassassin #315 text", MODE_TEXT,
	  "ftp://name@faikaj4t.com/%2Fetc/motd",
	  "ftp://name@faikaj4t.com/%2Fetc/motd" },
	{ "apache/spamassassin #315 html", MODE_HTML,
	  "<p>ftp://name@faikaj4t.com/%2Fetc/motd</p>",
	  "ftp://name@faikaj4t.com/%2Fetc/motd" },
	{ "apache/spamassassin #316 text", MODE_TEXT,
	  "http://foo23498.com/\x1b(B",
	  "http://foo23498.com/" },
	{ "apache/spamassassin #318 text", MODE_TEXT,
	  "http://foo23500.com\x1b(B/",
	  "http://foo23500.com" },
	{ "apache/spamassassin #319 text", MODE_TEXT,
	  "ignorethishttp://delimtest13.org",
	  "http://delimtest13.org" },
	{ "apache/spamassassin #319 html", MODE_HTML,
	  "<p>ignorethishttp://delimtest13.org</p>",
	  "http://delimtest13.org" },
	{ "apache/spamassassin #320 text", MODE_TEXT,
	  "donotignorethiswww.delimtest14.com",
	  "" },
	{ "apache/spamassassin #320 html", MODE_HTML,
	  "<p>donotignorethiswww.delimtest14.com</p>",
	  "" },
	{ "apache/spamassassin #321 text", MODE_TEXT,
	  "<www.delimtest15.com/foo-~!@#^&*()_+=:;'?,.xyz-~!@#^&*()_+=:"
	  ";'?,.>",
	  "www.delimtest15.com/foo-~!@#^&*()_+=:;'?,.xyz-~!@#^&*()_+=:;"
	  "'" },
	{ "apache/spamassassin #321 html", MODE_HTML,
	  "<p>&lt;www.delimtest15.com/foo-~!@#^&amp;*()_+=:;'?,.xyz-~!@"
	  "#^&amp;*()_+=:;'?,.&gt;</p>",
	  "www.delimtest15.com/foo-~!@#^&*()_+=:;'?,.xyz-~!@#^&*()_+=:;"
	  "'" },
	{ "apache/spamassassin #322 text", MODE_TEXT,
	  ".....www.delimtest16.com..........",
	  "www.delimtest16.com" },
	{ "apache/spamassassin #322 html", MODE_HTML,
	  "<p>.....www.delimtest16.com..........</p>",
	  "www.delimtest16.com" },
	{ "apache/spamassassin #323 text", MODE_TEXT,
	  "-----www.delimtest17.com----------",
	  "www.delimtest17.com" },
	{ "apache/spamassassin #323 html", MODE_HTML,
	  "<p>-----www.delimtest17.com----------</p>",
	  "www.delimtest17.com" },
	{ "apache/spamassassin #324 text", MODE_TEXT,
	  ".....http://www.delimtest18.com..........",
	  "http://www.delimtest18.com" },
	{ "apache/spamassassin #324 html", MODE_HTML,
	  "<p>.....http://www.delimtest18.com..........</p>",
	  "http://www.delimtest18.com" },
	{ "apache/spamassassin #325 text", MODE_TEXT,
	  "-----http://www.delimtest19.com----------",
	  "http://www.delimtest19.com" },
	{ "apache/spamassassin #325 html", MODE_HTML,
	  "<p>-----http://www.delimtest19.com----------</p>",
	  "http://www.delimtest19.com" },
	{ "apache/spamassassin #326 html", MODE_HTML,
	  "<a href=\"http://www.example.com/about/wahfah7d.html\">click"
	  " here</a>",
	  "http://www.example.com/about/wahfah7d.html" },
	{ "apache/spamassassin #327 html", MODE_HTML,
	  "<a href=\"www.phoh1Koh.com/\">click here</a>",
	  "www.phoh1Koh.com/" },
	{ "apache/spamassassin #328 html", MODE_HTML,
	  "<a href=\"http://1113515555\">click here</a>",
	  "http://1113515555" },
	{ "apache/spamassassin #329 html", MODE_HTML,
	  "<a href=\"http://user:pass@jiefeet4.com:80/x/y\">click here<"
	  "/a>",
	  "http://user:pass@jiefeet4.com:80/x/y" },
	{ "apache/spamassassin #330 html", MODE_HTML,
	  "<a href=\"Http://www.auzoop5k.com\">click here</a>",
	  "Http://www.auzoop5k.com" },
	{ "apache/spamassassin #331 html", MODE_HTML,
	  "<a href=\"mailto:www.luzoop5k.com\">click here</a>",
	  "" },
	{ "apache/spamassassin #332 html", MODE_HTML,
	  "<a href=\"file://www.luzoop5k.com\">click here</a>",
	  "" },
	{ "apache/spamassassin #333 html", MODE_HTML,
	  "<a href=\"http://www.NATE.com/r/DM03/n%65verp4%79re%74%61%69"
	  "%6c%2eco%6d/%62%61m/?m%61%6e=%6Di%634%39\">click here</a>",
	  "http://www.NATE.com/r/DM03/n%65verp4%79re%74%61%69%6c%2eco%6"
	  "d/%62%61m/?m%61%6e=%6Di%634%39" },
	{ "crafted #334 text", MODE_TEXT,
	  "hxxp://evil.example/payload",
	  "http://evil.example/payload" },
	{ "crafted #334 html", MODE_HTML,
	  "<p>hxxp://evil.example/payload</p>",
	  "http://evil.example/payload" },
	{ "crafted #335 text", MODE_TEXT,
	  "hxxps://evil.example/a",
	  "https://evil.example/a" },
	{ "crafted #335 html", MODE_HTML,
	  "<p>hxxps://evil.example/a</p>",
	  "https://evil.example/a" },
	{ "crafted #336 text", MODE_TEXT,
	  "hxxps[:]//evil.example/a",
	  "https://evil.example/a" },
	{ "crafted #336 html", MODE_HTML,
	  "<p>hxxps[:]//evil.example/a</p>",
	  "https://evil.example/a" },
	{ "crafted #337 text", MODE_TEXT,
	  "https[:]//evil[.]example/a",
	  "https://evil.example/a" },
	{ "crafted #337 html", MODE_HTML,
	  "<p>https[:]//evil[.]example/a</p>",
	  "https://evil.example/a" },
	{ "crafted #338 text", MODE_TEXT,
	  "evil[.]example www[.]evil[.]example/x",
	  "www.evil.example/x" },
	{ "crafted #338 html", MODE_HTML,
	  "<p>evil[.]example www[.]evil[.]example/x</p>",
	  "www.evil.example/x" },
	{ "crafted #339 text", MODE_TEXT,
	  "hxxp://evil(.)example/",
	  "http://evil.example/" },
	{ "crafted #339 html", MODE_HTML,
	  "<p>hxxp://evil(.)example/</p>",
	  "http://evil.example/" },
	{ "crafted #340 text", MODE_TEXT,
	  "hXXps://evil[dot]example/",
	  "https://evil.example/" },
	{ "crafted #340 html", MODE_HTML,
	  "<p>hXXps://evil[dot]example/</p>",
	  "https://evil.example/" },
	{ "crafted #341 text", MODE_TEXT,
	  "hxxp[://]evil.example/",
	  "http://evil.example/" },
	{ "crafted #341 html", MODE_HTML,
	  "<p>hxxp[://]evil.example/</p>",
	  "http://evil.example/" },
	{ "crafted #342 text", MODE_TEXT,
	  "https://evil{.}example/q",
	  "https://evil.example/q" },
	{ "crafted #342 html", MODE_HTML,
	  "<p>https://evil{.}example/q</p>",
	  "https://evil.example/q" },
	{ "crafted #343 text", MODE_TEXT,
	  "http://[2001:db8::1]/path",
	  "http://[2001:db8::1]/path" },
	{ "crafted #343 html", MODE_HTML,
	  "<p>http://[2001:db8::1]/path</p>",
	  "http://[2001:db8::1]/path" },
	{ "crafted #344 text", MODE_TEXT,
	  "http://[2001:db8::1]:8080/",
	  "http://[2001:db8::1]:8080/" },
	{ "crafted #344 html", MODE_HTML,
	  "<p>http://[2001:db8::1]:8080/</p>",
	  "http://[2001:db8::1]:8080/" },
	{ "crafted #345 text", MODE_TEXT,
	  "(http://[::1]/x)",
	  "http://[::1]/x" },
	{ "crafted #345 html", MODE_HTML,
	  "<p>(http://[::1]/x)</p>",
	  "http://[::1]/x" },
	{ "crafted #346 text", MODE_TEXT,
	  "http://0x7f000001/",
	  "http://0x7f000001/" },
	{ "crafted #346 html", MODE_HTML,
	  "<p>http://0x7f000001/</p>",
	  "http://0x7f000001/" },
	{ "crafted #347 text", MODE_TEXT,
	  "http://0177.0.0.1/",
	  "http://0177.0.0.1/" },
	{ "crafted #347 html", MODE_HTML,
	  "<p>http://0177.0.0.1/</p>",
	  "http://0177.0.0.1/" },
	{ "crafted #348 text", MODE_TEXT,
	  "http://3232235777/login",
	  "http://3232235777/login" },
	{ "crafted #348 html", MODE_HTML,
	  "<p>http://3232235777/login</p>",
	  "http://3232235777/login" },
	{ "crafted #349 text", MODE_TEXT,
	  "http://192.168.0.1:8080/admin.",
	  "http://192.168.0.1:8080/admin" },
	{ "crafted #349 html", MODE_HTML,
	  "<p>http://192.168.0.1:8080/admin.</p>",
	  "http://192.168.0.1:8080/admin" },
	{ "crafted #350 text", MODE_TEXT,
	  "https://www.paypal.com@evil.example/login",
	  "https://www.paypal.com@evil.example/login" },
	{ "crafted #350 html", MODE_HTML,
	  "<p>https://www.paypal.com@evil.example/login</p>",
	  "https://www.paypal.com@evil.example/login" },
	{ "crafted #351 text", MODE_TEXT,
	  "https://user%40x:p%3Ass@evil.example/",
	  "https://user%40x:p%3Ass@evil.example/" },
	{ "crafted #351 html", MODE_HTML,
	  "<p>https://user%40x:p%3Ass@evil.example/</p>",
	  "https://user%40x:p%3Ass@evil.example/" },
	{ "crafted #352 text", MODE_TEXT,
	  "<URL:http://example.com/angle>",
	  "http://example.com/angle" },
	{ "crafted #352 html", MODE_HTML,
	  "<p>&lt;URL:http://example.com/angle&gt;</p>",
	  "http://example.com/angle" },
	{ "crafted #353 text", MODE_TEXT,
	  "<URL: http://example.com/angle2>",
	  "http://example.com/angle2" },
	{ "crafted #353 html", MODE_HTML,
	  "<p>&lt;URL: http://example.com/angle2&gt;</p>",
	  "http://example.com/angle2" },
	{ "crafted #354 text", MODE_TEXT,
	  "Visit <https://example.com/very/long/\n path/segment> today",
	  "https://example.com/very/long/path/segment" },
	{ "crafted #354 html", MODE_HTML,
	  "<p>Visit &lt;https://example.com/very/long/\n path/segment&g"
	  "t; today</p>",
	  "https://example.com/very/long/path/segment" },
	{ "crafted #355 text", MODE_TEXT,
	  "<https://example.com/a/\n> b/c>",
	  "https://example.com/a/b/c" },
	{ "crafted #355 html", MODE_HTML,
	  "<p>&lt;https://example.com/a/\n&gt; b/c&gt;</p>",
	  "https://example.com/a/b/c" },
	{ "crafted #356 text", MODE_TEXT,
	  "\xc2\xabhttps://example.com/guillemets\xc2\xbb",
	  "https://example.com/guillemets" },
	{ "crafted #356 html", MODE_HTML,
	  "<p>\xc2\xabhttps://example.com/guillemets\xc2\xbb</p>",
	  "https://example.com/guillemets" },
	{ "crafted #357 text", MODE_TEXT,
	  "\xe2\x80\x9chttps://example.com/smart\xe2\x80\x9d",
	  "https://example.com/smart" },
	{ "crafted #357 html", MODE_HTML,
	  "<p>\xe2\x80\x9chttps://example.com/smart\xe2\x80\x9d</p>",
	  "https://example.com/smart" },
	{ "crafted #358 text", MODE_TEXT,
	  "\xe2\x80\x98https://example.com/single\xe2\x80\x99",
	  "https://example.com/single" },
	{ "crafted #358 html", MODE_HTML,
	  "<p>\xe2\x80\x98https://example.com/single\xe2\x80\x99</p>",
	  "https://example.com/single" },
	{ "crafted #359 text", MODE_TEXT,
	  "\xe3\x80\x8chttps://example.com/cjk\xe3\x80\x8d",
	  "https://example.com/cjk" },
	{ "crafted #359 html", MODE_HTML,
	  "<p>\xe3\x80\x8chttps://example.com/cjk\xe3\x80\x8d</p>",
	  "https://example.com/cjk" },
	{ "crafted #360 text", MODE_TEXT,
	  "\xe2\x86\x92https://example.com/arrow\xe2\x86\x90",
	  "https://example.com/arrow" },
	{ "crafted #360 html", MODE_HTML,
	  "<p>\xe2\x86\x92https://example.com/arrow\xe2\x86\x90</p>",
	  "https://example.com/arrow" },
	{ "crafted #361 text", MODE_TEXT,
	  "See https://example.com/a?b=c&d=e.",
	  "https://example.com/a?b=c&d=e" },
	{ "crafted #361 html", MODE_HTML,
	  "<p>See https://example.com/a?b=c&amp;d=e.</p>",
	  "https://example.com/a?b=c&d=e" },
	{ "crafted #362 text", MODE_TEXT,
	  "(see https://example.com/x).",
	  "https://example.com/x" },
	{ "crafted #362 html", MODE_HTML,
	  "<p>(see https://example.com/x).</p>",
	  "https://example.com/x" },
	{ "crafted #363 text", MODE_TEXT,
	  "https://example.com/x), and",
	  "https://example.com/x" },
	{ "crafted #363 html", MODE_HTML,
	  "<p>https://example.com/x), and</p>",
	  "https://example.com/x" },
	{ "crafted #364 text", MODE_TEXT,
	  "Link: https://example.com/x;",
	  "https://example.com/x" },
	{ "crafted #364 html", MODE_HTML,
	  "<p>Link: https://example.com/x;</p>",
	  "https://example.com/x" },
	{ "crafted #365 text", MODE_TEXT,
	  "https://example.com/x?!",
	  "https://example.com/x" },
	{ "crafted #365 html", MODE_HTML,
	  "<p>https://example.com/x?!</p>",
	  "https://example.com/x" },
	{ "crafted #366 text", MODE_TEXT,
	  "https://example.com/x\xe2\x80\xa6",
	  "https://example.com/x" },
	{ "crafted #366 html", MODE_HTML,
	  "<p>https://example.com/x\xe2\x80\xa6</p>",
	  "https://example.com/x" },
	{ "crafted #367 text", MODE_TEXT,
	  "https://example.com/\xc3\xa4.",
	  "https://example.com/\xc3\xa4" },
	{ "crafted #367 html", MODE_HTML,
	  "<p>https://example.com/\xc3\xa4.</p>",
	  "https://example.com/\xc3\xa4" },
	{ "crafted #368 text", MODE_TEXT,
	  "https://example.com/path/#",
	  "https://example.com/path/#" },
	{ "crafted #368 html", MODE_HTML,
	  "<p>https://example.com/path/#</p>",
	  "https://example.com/path/#" },
	{ "crafted #369 text", MODE_TEXT,
	  "https://example.com/a,b,c",
	  "https://example.com/a,b,c" },
	{ "crafted #369 html", MODE_HTML,
	  "<p>https://example.com/a,b,c</p>",
	  "https://example.com/a,b,c" },
	{ "crafted #370 text", MODE_TEXT,
	  "https://example.com/x:",
	  "https://example.com/x" },
	{ "crafted #370 html", MODE_HTML,
	  "<p>https://example.com/x:</p>",
	  "https://example.com/x" },
	{ "crafted #371 text", MODE_TEXT,
	  "https://example.com/\xef\xbc\x9ax",
	  "https://example.com/" },
	{ "crafted #371 html", MODE_HTML,
	  "<p>https://example.com/\xef\xbc\x9ax</p>",
	  "https://example.com/" },
	{ "crafted #372 text", MODE_TEXT,
	  "https://example.com/path\xef\xbc\x9fq",
	  "https://example.com/path" },
	{ "crafted #372 html", MODE_HTML,
	  "<p>https://example.com/path\xef\xbc\x9fq</p>",
	  "https://example.com/path" },
	{ "crafted #373 text", MODE_TEXT,
	  "https://exa\xc2\xadmple.com/x",
	  "https://example.com/x" },
	{ "crafted #374 text", MODE_TEXT,
	  "https://exam\xe2\x80\x8bple.com/x",
	  "https://example.com/x" },
	{ "crafted #375 text", MODE_TEXT,
	  "https://example.com/a\xc2\xa0" "b",
	  "https://example.com/a" },
	{ "crafted #376 text", MODE_TEXT,
	  "https://example.com/a\xe3\x80\x80" "b",
	  "https://example.com/a" },
	{ "crafted #377 text", MODE_TEXT,
	  "www.example.com",
	  "www.example.com" },
	{ "crafted #377 html", MODE_HTML,
	  "<p>www.example.com</p>",
	  "www.example.com" },
	{ "crafted #378 text", MODE_TEXT,
	  "WWW.EXAMPLE.COM/PATH",
	  "WWW.EXAMPLE.COM/PATH" },
	{ "crafted #378 html", MODE_HTML,
	  "<p>WWW.EXAMPLE.COM/PATH</p>",
	  "WWW.EXAMPLE.COM/PATH" },
	{ "crafted #379 text", MODE_TEXT,
	  "Go to www.example.co.uk, then",
	  "www.example.co.uk" },
	{ "crafted #379 html", MODE_HTML,
	  "<p>Go to www.example.co.uk, then</p>",
	  "www.example.co.uk" },
	{ "crafted #380 text", MODE_TEXT,
	  "www.example",
	  "www.example" },
	{ "crafted #380 html", MODE_HTML,
	  "<p>www.example</p>",
	  "www.example" },
	{ "crafted #381 text", MODE_TEXT,
	  "mywww.example.com",
	  "" },
	{ "crafted #381 html", MODE_HTML,
	  "<p>mywww.example.com</p>",
	  "" },
	{ "crafted #382 text", MODE_TEXT,
	  "www2.example.com",
	  "" },
	{ "crafted #382 html", MODE_HTML,
	  "<p>www2.example.com</p>",
	  "" },
	{ "crafted #383 text", MODE_TEXT,
	  "https://example.com/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
	  "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
	  "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
	  "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
	  "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
	  "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
	  "AAAAAAAA?x=1.",
	  "https://example.com/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
	  "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
	  "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
	  "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
	  "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
	  "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
	  "AAAAAAAA?x=1" },
	{ "crafted #383 html", MODE_HTML,
	  "<p>https://example.com/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
	  "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
	  "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
	  "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
	  "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
	  "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
	  "AAAAAAAAAAA?x=1.</p>",
	  "https://example.com/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
	  "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
	  "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
	  "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
	  "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
	  "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
	  "AAAAAAAA?x=1" },
	{ "crafted #384 text", MODE_TEXT,
	  "data:text/html;base64,PHNjcmlwdD4=",
	  "" },
	{ "crafted #384 html", MODE_HTML,
	  "<p>data:text/html;base64,PHNjcmlwdD4=</p>",
	  "" },
	{ "crafted #385 text", MODE_TEXT,
	  "javascript:alert(1)",
	  "" },
	{ "crafted #385 html", MODE_HTML,
	  "<p>javascript:alert(1)</p>",
	  "" },
	{ "crafted #386 text", MODE_TEXT,
	  "mailto:a@b.example?subject=http",
	  "" },
	{ "crafted #386 html", MODE_HTML,
	  "<p>mailto:a@b.example?subject=http</p>",
	  "" },
	{ "crafted #387 text", MODE_TEXT,
	  "ftp.example.com/pub",
	  "" },
	{ "crafted #387 html", MODE_HTML,
	  "<p>ftp.example.com/pub</p>",
	  "" },
	{ "crafted #388 text", MODE_TEXT,
	  "http:/example.com/one-slash",
	  "" },
	{ "crafted #388 html", MODE_HTML,
	  "<p>http:/example.com/one-slash</p>",
	  "" },
	{ "crafted #389 text", MODE_TEXT,
	  "http:\\\\example.com\\path",
	  "" },
	{ "crafted #389 html", MODE_HTML,
	  "<p>http:\\\\example.com\\path</p>",
	  "" },
	{ "crafted #390 text", MODE_TEXT,
	  "file:///etc/passwd",
	  "" },
	{ "crafted #390 html", MODE_HTML,
	  "<p>file:///etc/passwd</p>",
	  "" },
	{ "crafted #391 text", MODE_TEXT,
	  "Version 2.0.1 released.",
	  "" },
	{ "crafted #391 html", MODE_HTML,
	  "<p>Version 2.0.1 released.</p>",
	  "" },
	{ "crafted #392 text", MODE_TEXT,
	  "e.g. www.",
	  "" },
	{ "crafted #392 html", MODE_HTML,
	  "<p>e.g. www.</p>",
	  "" },
	{ "crafted #401 html", MODE_HTML,
	  "<a href=\"https://example.com/?a=1&amp;b=2\">x</a>",
	  "https://example.com/?a=1&b=2" },
	{ "crafted #402 html", MODE_HTML,
	  "<a href=\"https://example.com/?a=1&b=2&copy=3\">x</a>",
	  "https://example.com/?a=1&b=2&copy=3" },
	{ "crafted #403 html", MODE_HTML,
	  "<a href=\"https://example.com/?a=1&copy;b\">x</a>",
	  "https://example.com/?a=1\xc2\xa9" "b" },
	{ "crafted #404 html", MODE_HTML,
	  "<a href=\"&#104;&#116;&#116;&#112;&#115;://evil.example/\">x"
	  "</a>",
	  "https://evil.example/" },
	{ "crafted #405 html", MODE_HTML,
	  "<a href=\"&#x68;ttps&colon;//evil.example/c\">x</a>",
	  "https://evil.example/c" },
	{ "crafted #406 html", MODE_HTML,
	  "<a href=https://example.com/unquoted>x</a>",
	  "https://example.com/unquoted" },
	{ "crafted #407 html", MODE_HTML,
	  "<a href=https://example.com/unq?a=1&amp;b=2 title=x>x</a>",
	  "https://example.com/unq?a=1&b=2" },
	{ "crafted #408 html", MODE_HTML,
	  "<a href='https://example.com/single'>x</a>",
	  "https://example.com/single" },
	{ "crafted #409 html", MODE_HTML,
	  "<a href = \" https://example.com/spaced \">x</a>",
	  "https://example.com/spaced" },
	{ "crafted #410 html", MODE_HTML,
	  "<A HREF=\"HTTPS://EXAMPLE.COM/UP\">x</A>",
	  "HTTPS://EXAMPLE.COM/UP" },
	{ "crafted #411 html", MODE_HTML,
	  "<a href=\"https://example.com/a\nb\">x</a>",
	  "https://example.com/ab" },
	{ "crafted #412 html", MODE_HTML,
	  "<a href=\"https://example.com/a b\">x</a>",
	  "https://example.com/a%20b" },
	{ "crafted #413 html", MODE_HTML,
	  "<img src=\"https://cdn.example/p.gif\" width=1>",
	  "https://cdn.example/p.gif" },
	{ "crafted #414 html", MODE_HTML,
	  "<img src=\"//cdn.example/p.gif\">",
	  "https://cdn.example/p.gif" },
	{ "crafted #415 html", MODE_HTML,
	  "<form action=\"https://evil.example/post\"><input></form>",
	  "https://evil.example/post" },
	{ "crafted #416 html", MODE_HTML,
	  "<table background=\"https://example.com/bg.png\"><tr><td>x</"
	  "td></tr></table>",
	  "https://example.com/bg.png" },
	{ "crafted #417 html", MODE_HTML,
	  "<img srcset=\"https://x.example/a.png 1x, https://x.example/"
	  "b.png 2x\">",
	  "https://x.example/a.png\nhttps://x.example/b.png" },
	{ "crafted #418 html", MODE_HTML,
	  "<div style=\"background:url('https://x.example/bg.jpg')\">x<"
	  "/div>",
	  "https://x.example/bg.jpg" },
	{ "crafted #419 html", MODE_HTML,
	  "<style>body{background:url(https://x.example/s.png)}</style>",
	  "https://x.example/s.png" },
	{ "crafted #420 html", MODE_HTML,
	  "<style>@import \"https://x.example/i.css\";</style>",
	  "https://x.example/i.css" },
	{ "crafted #421 html", MODE_HTML,
	  "<a href=\"javascript:window.location='https://evil.example/j"
	  "s'\">x</a>",
	  "https://evil.example/js" },
	{ "crafted #422 html", MODE_HTML,
	  "<a href=\"mailto:a@b.example\">https://shown.example/</a>",
	  "https://shown.example/" },
	{ "crafted #423 html", MODE_HTML,
	  "<a href=\"data:text/html,hello\">x</a>",
	  "" },
	{ "crafted #424 html", MODE_HTML,
	  "<base href=\"https://base.example/dir/\"><a href=\"page.html"
	  "\">x</a>",
	  "https://base.example/dir/\nhttps://base.example/dir/page.htm"
	  "l" },
	{ "crafted #425 html", MODE_HTML,
	  "<base href=\"https://base.example/dir/\"><a href=\"/root\">x"
	  "</a>",
	  "https://base.example/dir/\nhttps://base.example/root" },
	{ "crafted #426 html", MODE_HTML,
	  "<a href=\"#top\">x</a><a href=\"/relative\">y</a>",
	  "" },
	{ "crafted #427 html", MODE_HTML,
	  "<meta http-equiv=\"refresh\" content=\"0; url=https://evil.e"
	  "xample/r\">",
	  "https://evil.example/r" },
	{ "crafted #428 html", MODE_HTML,
	  "<p>Visit https://exam<b></b>ple.com/x now</p>",
	  "https://example.com/x" },
	{ "crafted #429 html", MODE_HTML,
	  "<p>https://example.com/a</p><p>b</p>",
	  "https://example.com/a" },
	{ "crafted #430 html", MODE_HTML,
	  "<p>https://example.com/a<br>b</p>",
	  "https://example.com/a" },
	{ "crafted #431 html", MODE_HTML,
	  "<p>https://example.com/a&nbsp;b</p>",
	  "https://example.com/a" },
	{ "crafted #432 html", MODE_HTML,
	  "<p>https://example.com/a&amp;b=1</p>",
	  "https://example.com/a&b=1" },
	{ "crafted #433 html", MODE_HTML,
	  "<p>&lt;https://example.com/lt&gt;</p>",
	  "https://example.com/lt" },
	{ "crafted #434 html", MODE_HTML,
	  "<!-- https://comment.example/ --><p>x</p>",
	  "https://comment.example/" },
	{ "crafted #435 html", MODE_HTML,
	  "<a href=\"https://target.example/\">https://shown.example/</"
	  "a>",
	  "https://target.example/\nhttps://shown.example/" },
	{ "crafted #436 html", MODE_HTML,
	  "<a href=\"https://example.com/x\"\n>y</a>",
	  "https://example.com/x" },
	{ "crafted #437 html", MODE_HTML,
	  "<a\nhref=\"https://example.com/nl\">y</a>",
	  "https://example.com/nl" },
	{ "crafted #438 html", MODE_HTML,
	  "<a href=\"https://example.com/&#x20;sp\">y</a>",
	  "https://example.com/%20sp" },
	{ "crafted #439 html", MODE_HTML,
	  "<iframe src=\"https://frame.example/\"></iframe>",
	  "https://frame.example/" },
	{ "crafted #440 html", MODE_HTML,
	  "<a href=\"https://example.com/&quot;q\">y</a>",
	  "https://example.com/%22q" },
	{ "crafted #441 html", MODE_HTML,
	  "<a href=\"http:\\\\evil.example\\x\">y</a>",
	  "http://evil.example/x" },
	{ "crafted #442 html", MODE_HTML,
	  "<a href=\"https://xn--pypal-4ve.com/\">paypal</a>",
	  "https://xn--pypal-4ve.com/" },
	{ "crafted #443 html", MODE_HTML,
	  "<a href=\"https://p\xd0\xb0ypal.com/\">paypal</a>",
	  "https://p\xd0\xb0ypal.com/" },
	{ "crafted #444 html", MODE_HTML,
	  "<a href=\"https://example.com/%E2%80%AE\">y</a>",
	  "https://example.com/%E2%80%AE" },
	{ "crafted #445 html", MODE_HTML,
	  "<a href=\"ftp://files.example/pub/\">y</a>",
	  "ftp://files.example/pub/" },
	{ "crafted #446 html", MODE_HTML,
	  "<a href=\"  https://example.com/lead  \">y</a>",
	  "https://example.com/lead" },
	{ "crafted #447 html", MODE_HTML,
	  "<a href=\"https://example.com/tab\tx\">y</a>",
	  "https://example.com/tabx" },
	{ "gregjacobs/Autolinker.js #449 text", MODE_TEXT,
	  "Joe went to http://yahoo.com",
	  "http://yahoo.com" },
	{ "gregjacobs/Autolinker.js #449 html", MODE_HTML,
	  "<p>Joe went to http://yahoo.com</p>",
	  "http://yahoo.com" },
	{ "gregjacobs/Autolinker.js #450 text", MODE_TEXT,
	  "Joe went to http://localhost today",
	  "http://localhost" },
	{ "gregjacobs/Autolinker.js #450 html", MODE_HTML,
	  "<p>Joe went to http://localhost today</p>",
	  "http://localhost" },
	{ "gregjacobs/Autolinker.js #451 text", MODE_TEXT,
	  "Joe went to http://localhost:8000 today",
	  "http://localhost:8000" },
	{ "gregjacobs/Autolinker.js #451 html", MODE_HTML,
	  "<p>Joe went to http://localhost:8000 today</p>",
	  "http://localhost:8000" },
	{ "gregjacobs/Autolinker.js #452 text", MODE_TEXT,
	  "Joe went to http://localhost:8000/abc today",
	  "http://localhost:8000/abc" },
	{ "gregjacobs/Autolinker.js #452 html", MODE_HTML,
	  "<p>Joe went to http://localhost:8000/abc today</p>",
	  "http://localhost:8000/abc" },
	{ "gregjacobs/Autolinker.js #453 text", MODE_TEXT,
	  "Joe went to http://localhost:8000?abc today",
	  "http://localhost:8000?abc" },
	{ "gregjacobs/Autolinker.js #453 html", MODE_HTML,
	  "<p>Joe went to http://localhost:8000?abc today</p>",
	  "http://localhost:8000?abc" },
	{ "gregjacobs/Autolinker.js #454 text", MODE_TEXT,
	  "Joe went to http://localhost:8000#abc today",
	  "http://localhost:8000#abc" },
	{ "gregjacobs/Autolinker.js #454 html", MODE_HTML,
	  "<p>Joe went to http://localhost:8000#abc today</p>",
	  "http://localhost:8000#abc" },
	{ "gregjacobs/Autolinker.js #455 text", MODE_TEXT,
	  "Joe went to http://localhost:8000? today",
	  "http://localhost:8000" },
	{ "gregjacobs/Autolinker.js #455 html", MODE_HTML,
	  "<p>Joe went to http://localhost:8000? today</p>",
	  "http://localhost:8000" },
	{ "gregjacobs/Autolinker.js #456 text", MODE_TEXT,
	  "Joe went to http://localhost:8000! today",
	  "http://localhost:8000" },
	{ "gregjacobs/Autolinker.js #456 html", MODE_HTML,
	  "<p>Joe went to http://localhost:8000! today</p>",
	  "http://localhost:8000" },
	{ "gregjacobs/Autolinker.js #457 text", MODE_TEXT,
	  "Joe went to http://localhost:8000: today",
	  "http://localhost:8000" },
	{ "gregjacobs/Autolinker.js #457 html", MODE_HTML,
	  "<p>Joe went to http://localhost:8000: today</p>",
	  "http://localhost:8000" },
	{ "gregjacobs/Autolinker.js #458 text", MODE_TEXT,
	  "Joe went to http://localhost:8000, today",
	  "http://localhost:8000" },
	{ "gregjacobs/Autolinker.js #458 html", MODE_HTML,
	  "<p>Joe went to http://localhost:8000, today</p>",
	  "http://localhost:8000" },
	{ "gregjacobs/Autolinker.js #459 text", MODE_TEXT,
	  "Joe went to http://localhost:8000. today",
	  "http://localhost:8000" },
	{ "gregjacobs/Autolinker.js #459 html", MODE_HTML,
	  "<p>Joe went to http://localhost:8000. today</p>",
	  "http://localhost:8000" },
	{ "gregjacobs/Autolinker.js #460 text", MODE_TEXT,
	  "Joe went to http://localhost:8000; today",
	  "http://localhost:8000" },
	{ "gregjacobs/Autolinker.js #460 html", MODE_HTML,
	  "<p>Joe went to http://localhost:8000; today</p>",
	  "http://localhost:8000" },
	{ "gregjacobs/Autolinker.js #461 text", MODE_TEXT,
	  "Joe went to http://www.yahoo.com's today",
	  "http://www.yahoo.com" },
	{ "gregjacobs/Autolinker.js #461 html", MODE_HTML,
	  "<p>Joe went to http://www.yahoo.com's today</p>",
	  "http://www.yahoo.com" },
	{ "gregjacobs/Autolinker.js #462 text", MODE_TEXT,
	  "Joe went to https://www.yahoo.com/foo's today",
	  "https://www.yahoo.com/foo's" },
	{ "gregjacobs/Autolinker.js #462 html", MODE_HTML,
	  "<p>Joe went to https://www.yahoo.com/foo's today</p>",
	  "https://www.yahoo.com/foo's" },
	{ "gregjacobs/Autolinker.js #463 text", MODE_TEXT,
	  "Joe went to http://www.yahoo.com's/foo today",
	  "http://www.yahoo.com" },
	{ "gregjacobs/Autolinker.js #463 html", MODE_HTML,
	  "<p>Joe went to http://www.yahoo.com's/foo today</p>",
	  "http://www.yahoo.com" },
	{ "gregjacobs/Autolinker.js #464 text", MODE_TEXT,
	  "http://66.102.7.147",
	  "http://66.102.7.147" },
	{ "gregjacobs/Autolinker.js #464 html", MODE_HTML,
	  "<p>http://66.102.7.147</p>",
	  "http://66.102.7.147" },
	{ "gregjacobs/Autolinker.js #465 text", MODE_TEXT,
	  "http://10.0.0.108:9000/",
	  "http://10.0.0.108:9000/" },
	{ "gregjacobs/Autolinker.js #465 html", MODE_HTML,
	  "<p>http://10.0.0.108:9000/</p>",
	  "http://10.0.0.108:9000/" },
	{ "gregjacobs/Autolinker.js #466 text", MODE_TEXT,
	  "Joe went to HTTP://WWW.YAHOO.COM",
	  "HTTP://WWW.YAHOO.COM" },
	{ "gregjacobs/Autolinker.js #466 html", MODE_HTML,
	  "<p>Joe went to HTTP://WWW.YAHOO.COM</p>",
	  "HTTP://WWW.YAHOO.COM" },
	{ "gregjacobs/Autolinker.js #467 text", MODE_TEXT,
	  "Joe went to http://yahoo.com.",
	  "http://yahoo.com" },
	{ "gregjacobs/Autolinker.js #467 html", MODE_HTML,
	  "<p>Joe went to http://yahoo.com.</p>",
	  "http://yahoo.com" },
	{ "gregjacobs/Autolinker.js #468 text", MODE_TEXT,
	  "Joe went to http://yahoo.com:8000 today.",
	  "http://yahoo.com:8000" },
	{ "gregjacobs/Autolinker.js #468 html", MODE_HTML,
	  "<p>Joe went to http://yahoo.com:8000 today.</p>",
	  "http://yahoo.com:8000" },
	{ "gregjacobs/Autolinker.js #469 text", MODE_TEXT,
	  "Joe went to http://yahoo.com:8000/ today.",
	  "http://yahoo.com:8000/" },
	{ "gregjacobs/Autolinker.js #469 html", MODE_HTML,
	  "<p>Joe went to http://yahoo.com:8000/ today.</p>",
	  "http://yahoo.com:8000/" },
	{ "gregjacobs/Autolinker.js #470 text", MODE_TEXT,
	  "Joe went to http://yahoo.com:8000/mysite/page today.",
	  "http://yahoo.com:8000/mysite/page" },
	{ "gregjacobs/Autolinker.js #470 html", MODE_HTML,
	  "<p>Joe went to http://yahoo.com:8000/mysite/page today.</p>",
	  "http://yahoo.com:8000/mysite/page" },
	{ "gregjacobs/Autolinker.js #471 text", MODE_TEXT,
	  "Joe went to http://yahoo.com:8000?page=index today.",
	  "http://yahoo.com:8000?page=index" },
	{ "gregjacobs/Autolinker.js #471 html", MODE_HTML,
	  "<p>Joe went to http://yahoo.com:8000?page=index today.</p>",
	  "http://yahoo.com:8000?page=index" },
	{ "gregjacobs/Autolinker.js #472 text", MODE_TEXT,
	  "Joe went to http://yahoo.com:8000#page=index today.",
	  "http://yahoo.com:8000#page=index" },
	{ "gregjacobs/Autolinker.js #472 html", MODE_HTML,
	  "<p>Joe went to http://yahoo.com:8000#page=index today.</p>",
	  "http://yahoo.com:8000#page=index" },
	{ "gregjacobs/Autolinker.js #473 text", MODE_TEXT,
	  "Joe went to https://abc123def.org/path1/2path?param1=value1#"
	  "hash123z",
	  "https://abc123def.org/path1/2path?param1=value1#hash123z" },
	{ "gregjacobs/Autolinker.js #473 html", MODE_HTML,
	  "<p>Joe went to https://abc123def.org/path1/2path?param1=valu"
	  "e1#hash123z</p>",
	  "https://abc123def.org/path1/2path?param1=value1#hash123z" },
	{ "gregjacobs/Autolinker.js #474 text", MODE_TEXT,
	  "Joe went to https://abc-def.org/his-path/?the-param=the-valu"
	  "e#the-hash",
	  "https://abc-def.org/his-path/?the-param=the-value#the-hash" },
	{ "gregjacobs/Autolinker.js #474 html", MODE_HTML,
	  "<p>Joe went to https://abc-def.org/his-path/?the-param=the-v"
	  "alue#the-hash</p>",
	  "https://abc-def.org/his-path/?the-param=the-value#the-hash" },
	{ "gregjacobs/Autolinker.js #475 text", MODE_TEXT,
	  "Link: https://abc123def.org/-+&@#/%=~_()|'$*[]?!:,.;/?param1"
	  "=value-+&@#/%=~_()|'$*[]?!:,.;#hash-+&@#/%=~_()|'$*[]?!:,.;z",
	  "https://abc123def.org/-+&@#/%=~_()|'$*[]?!:,.;/?param1=value"
	  "-+&@#/%=~_()|'$*[]?!:,.;#hash-+&@#/%=~_()|'$*[]?!:,.;z" },
	{ "gregjacobs/Autolinker.js #475 html", MODE_HTML,
	  "<p>Link: https://abc123def.org/-+&amp;@#/%=~_()|'$*[]?!:,.;/"
	  "?param1=value-+&amp;@#/%=~_()|'$*[]?!:,.;#hash-+&amp;@#/%=~_"
	  "()|'$*[]?!:,.;z</p>",
	  "https://abc123def.org/-+&@#/%=~_()|'$*[]?!:,.;/?param1=value"
	  "-+&@#/%=~_()|'$*[]?!:,.;#hash-+&@#/%=~_()|'$*[]?!:,.;z" },
	{ "gregjacobs/Autolinker.js #476 text", MODE_TEXT,
	  "My image is at: https://images-na.ssl-images-amazon.com/imag"
	  "es/I/912ozjp0ytL._SY450_.jpg - check it out",
	  "https://images-na.ssl-images-amazon.com/images/I/912ozjp0ytL"
	  "._SY450_.jpg" },
	{ "gregjacobs/Autolinker.js #476 html", MODE_HTML,
	  "<p>My image is at: https://images-na.ssl-images-amazon.com/i"
	  "mages/I/912ozjp0ytL._SY450_.jpg - check it out</p>",
	  "https://images-na.ssl-images-amazon.com/images/I/912ozjp0ytL"
	  "._SY450_.jpg" },
	{ "gregjacobs/Autolinker.js #477 text", MODE_TEXT,
	  "Joe went to http://ma\xc3\xb1" "ana.com/ma\xc3\xb1" "ana?ma"
	  "\xc3\xb1" "ana=1#ma\xc3\xb1" "ana today.",
	  "http://ma\xc3\xb1" "ana.com/ma\xc3\xb1" "ana?ma\xc3\xb1" "an"
	  "a=1#ma\xc3\xb1" "ana" },
	{ "gregjacobs/Autolinker.js #477 html", MODE_HTML,
	  "<p>Joe went to http://ma\xc3\xb1" "ana.com/ma\xc3\xb1" "ana?"
	  "ma\xc3\xb1" "ana=1#ma\xc3\xb1" "ana today.</p>",
	  "http://ma\xc3\xb1" "ana.com/ma\xc3\xb1" "ana?ma\xc3\xb1" "an"
	  "a=1#ma\xc3\xb1" "ana" },
	{ "gregjacobs/Autolinker.js #478 text", MODE_TEXT,
	  "Joe went to https://ru.wikipedia.org/wiki/\xd0\x9a\xd0\xb8"
	  "\xd1\x80\xd0\xb8\xd0\xbb\xd0\xbb\xd0\xb8\xd1\x86\xd0\xb0?"
	  "\xd0\x9a\xd0\xb8\xd1\x80\xd0\xb8\xd0\xbb\xd0\xbb\xd0\xb8\xd1"
	  "\x86\xd0\xb0=1#\xd0\x9a\xd0\xb8\xd1\x80\xd0\xb8\xd0\xbb\xd0"
	  "\xbb\xd0\xb8\xd1\x86\xd0\xb0",
	  "https://ru.wikipedia.org/wiki/\xd0\x9a\xd0\xb8\xd1\x80\xd0"
	  "\xb8\xd0\xbb\xd0\xbb\xd0\xb8\xd1\x86\xd0\xb0?\xd0\x9a\xd0"
	  "\xb8\xd1\x80\xd0\xb8\xd0\xbb\xd0\xbb\xd0\xb8\xd1\x86\xd0\xb0"
	  "=1#\xd0\x9a\xd0\xb8\xd1\x80\xd0\xb8\xd0\xbb\xd0\xbb\xd0\xb8"
	  "\xd1\x86\xd0\xb0" },
	{ "gregjacobs/Autolinker.js #478 html", MODE_HTML,
	  "<p>Joe went to https://ru.wikipedia.org/wiki/\xd0\x9a\xd0"
	  "\xb8\xd1\x80\xd0\xb8\xd0\xbb\xd0\xbb\xd0\xb8\xd1\x86\xd0\xb0"
	  "?\xd0\x9a\xd0\xb8\xd1\x80\xd0\xb8\xd0\xbb\xd0\xbb\xd0\xb8"
	  "\xd1\x86\xd0\xb0=1#\xd0\x9a\xd0\xb8\xd1\x80\xd0\xb8\xd0\xbb"
	  "\xd0\xbb\xd0\xb8\xd1\x86\xd0\xb0</p>",
	  "https://ru.wikipedia.org/wiki/\xd0\x9a\xd0\xb8\xd1\x80\xd0"
	  "\xb8\xd0\xbb\xd0\xbb\xd0\xb8\xd1\x86\xd0\xb0?\xd0\x9a\xd0"
	  "\xb8\xd1\x80\xd0\xb8\xd0\xbb\xd0\xbb\xd0\xb8\xd1\x86\xd0\xb0"
	  "=1#\xd0\x9a\xd0\xb8\xd1\x80\xd0\xb8\xd0\xbb\xd0\xbb\xd0\xb8"
	  "\xd1\x86\xd0\xb0" },
	{ "gregjacobs/Autolinker.js #479 text", MODE_TEXT,
	  "\xd0\xa0\xd1\x83\xd1\x81\xd1\x81\xd0\xba\xd0\xb8\xd0\xbc "
	  "\xd0\xb3\xd0\xbe\xd1\x80\xd0\xb0\xd0\xb7\xd0\xb4\xd0\xbe "
	  "\xd0\xbf\xd1\x80\xd0\xbe\xd1\x89\xd0\xb5 \xd0\xbd\xd0\xb0"
	  "\xd0\xb1\xd1\x80\xd0\xb0\xd1\x82\xd1\x8c http://\xd1\x80\xd0"
	  "\xbe\xd1\x81\xd1\x81\xd0\xb8\xd1\x8f.\xd1\x80\xd1\x84 \xd0"
	  "\xbd\xd0\xb0 \xd0\xba\xd0\xbb\xd0\xb0\xd0\xb2\xd0\xb8\xd0"
	  "\xb0\xd1\x82\xd1\x83\xd1\x80\xd0\xb5.",
	  "http://\xd1\x80\xd0\xbe\xd1\x81\xd1\x81\xd0\xb8\xd1\x8f.\xd1"
	  "\x80\xd1\x84" },
	{ "gregjacobs/Autolinker.js #479 html", MODE_HTML,
	  "<p>\xd0\xa0\xd1\x83\xd1\x81\xd1\x81\xd0\xba\xd0\xb8\xd0\xbc "
	  "\xd0\xb3\xd0\xbe\xd1\x80\xd0\xb0\xd0\xb7\xd0\xb4\xd0\xbe "
	  "\xd0\xbf\xd1\x80\xd0\xbe\xd1\x89\xd0\xb5 \xd0\xbd\xd0\xb0"
	  "\xd0\xb1\xd1\x80\xd0\xb0\xd1\x82\xd1\x8c http://\xd1\x80\xd0"
	  "\xbe\xd1\x81\xd1\x81\xd0\xb8\xd1\x8f.\xd1\x80\xd1\x84 \xd0"
	  "\xbd\xd0\xb0 \xd0\xba\xd0\xbb\xd0\xb0\xd0\xb2\xd0\xb8\xd0"
	  "\xb0\xd1\x82\xd1\x83\xd1\x80\xd0\xb5.</p>",
	  "http://\xd1\x80\xd0\xbe\xd1\x81\xd1\x81\xd0\xb8\xd1\x8f.\xd1"
	  "\x80\xd1\x84" },
	{ "gregjacobs/Autolinker.js #480 text", MODE_TEXT,
	  "\xd0\xa0\xd1\x83\xd1\x81\xd1\x81\xd0\xba\xd0\xb8\xd0\xbc "
	  "\xd0\xb3\xd0\xbe\xd1\x80\xd0\xb0\xd0\xb7\xd0\xb4\xd0\xbe "
	  "\xd0\xbf\xd1\x80\xd0\xbe\xd1\x89\xd0\xb5 \xd0\xbd\xd0\xb0"
	  "\xd0\xb1\xd1\x80\xd0\xb0\xd1\x82\xd1\x8c \xd1\x80\xd0\xbe"
	  "\xd1\x81\xd1\x81\xd0\xb8\xd1\x8f.\xd1\x80\xd1\x84 \xd0\xbd"
	  "\xd0\xb0 \xd0\xba\xd0\xbb\xd0\xb0\xd0\xb2\xd0\xb8\xd0\xb0"
	  "\xd1\x82\xd1\x83\xd1\x80\xd0\xb5.",
	  "" },
	{ "gregjacobs/Autolinker.js #480 html", MODE_HTML,
	  "<p>\xd0\xa0\xd1\x83\xd1\x81\xd1\x81\xd0\xba\xd0\xb8\xd0\xbc "
	  "\xd0\xb3\xd0\xbe\xd1\x80\xd0\xb0\xd0\xb7\xd0\xb4\xd0\xbe "
	  "\xd0\xbf\xd1\x80\xd0\xbe\xd1\x89\xd0\xb5 \xd0\xbd\xd0\xb0"
	  "\xd0\xb1\xd1\x80\xd0\xb0\xd1\x82\xd1\x8c \xd1\x80\xd0\xbe"
	  "\xd1\x81\xd1\x81\xd0\xb8\xd1\x8f.\xd1\x80\xd1\x84 \xd0\xbd"
	  "\xd0\xb0 \xd0\xba\xd0\xbb\xd0\xb0\xd0\xb2\xd0\xb8\xd0\xb0"
	  "\xd1\x82\xd1\x83\xd1\x80\xd0\xb5.</p>",
	  "" },
	{ "gregjacobs/Autolinker.js #481 text", MODE_TEXT,
	  "For compatibility reasons, http://xn--d1acufc.xn--p1ai is an"
	  " acceptable form.",
	  "http://xn--d1acufc.xn--p1ai" },
	{ "gregjacobs/Autolinker.js #481 html", MODE_HTML,
	  "<p>For compatibility reasons, http://xn--d1acufc.xn--p1ai is"
	  " an acceptable form.</p>",
	  "http://xn--d1acufc.xn--p1ai" },
	{ "gregjacobs/Autolinker.js #482 text", MODE_TEXT,
	  "Joe went to http://www.ma\xc3\xb1" "ana.com today.",
	  "http://www.ma\xc3\xb1" "ana.com" },
	{ "gregjacobs/Autolinker.js #482 html", MODE_HTML,
	  "<p>Joe went to http://www.ma\xc3\xb1" "ana.com today.</p>",
	  "http://www.ma\xc3\xb1" "ana.com" },
	{ "gregjacobs/Autolinker.js #484 text", MODE_TEXT,
	  "http://localhost.local001/test",
	  "http://localhost.local001/test" },
	{ "gregjacobs/Autolinker.js #484 html", MODE_HTML,
	  "<p>http://localhost.local001/test</p>",
	  "http://localhost.local001/test" },
	{ "gregjacobs/Autolinker.js #485 text", MODE_TEXT,
	  "http://suus111.w10:8090/display/test/AI",
	  "http://suus111.w10:8090/display/test/AI" },
	{ "gregjacobs/Autolinker.js #485 html", MODE_HTML,
	  "<p>http://suus111.w10:8090/display/test/AI</p>",
	  "http://suus111.w10:8090/display/test/AI" },
	{ "gregjacobs/Autolinker.js #486 text", MODE_TEXT,
	  "the link:http://example.com/",
	  "http://example.com/" },
	{ "gregjacobs/Autolinker.js #486 html", MODE_HTML,
	  "<p>the link:http://example.com/</p>",
	  "http://example.com/" },
	{ "gregjacobs/Autolinker.js #487 text", MODE_TEXT,
	  "link this: xxxhttp://example.com",
	  "http://example.com" },
	{ "gregjacobs/Autolinker.js #487 html", MODE_HTML,
	  "<p>link this: xxxhttp://example.com</p>",
	  "http://example.com" },
	{ "gregjacobs/Autolinker.js #488 text", MODE_TEXT,
	  "link this: abchttps://www.example.com",
	  "https://www.example.com" },
	{ "gregjacobs/Autolinker.js #488 html", MODE_HTML,
	  "<p>link this: abchttps://www.example.com</p>",
	  "https://www.example.com" },
	{ "gregjacobs/Autolinker.js #489 text", MODE_TEXT,
	  "hello:...world",
	  "" },
	{ "gregjacobs/Autolinker.js #489 html", MODE_HTML,
	  "<p>hello:...world</p>",
	  "" },
	{ "gregjacobs/Autolinker.js #490 text", MODE_TEXT,
	  "localhost.local001/test",
	  "" },
	{ "gregjacobs/Autolinker.js #490 html", MODE_HTML,
	  "<p>localhost.local001/test</p>",
	  "" },
	{ "gregjacobs/Autolinker.js #491 text", MODE_TEXT,
	  "link this: g://example.com/",
	  "" },
	{ "gregjacobs/Autolinker.js #491 html", MODE_HTML,
	  "<p>link this: g://example.com/</p>",
	  "" },
	{ "gregjacobs/Autolinker.js #492 text", MODE_TEXT,
	  "do not link javascript:window.alert('hi') please",
	  "" },
	{ "gregjacobs/Autolinker.js #492 html", MODE_HTML,
	  "<p>do not link javascript:window.alert('hi') please</p>",
	  "" },
	{ "gregjacobs/Autolinker.js #493 text", MODE_TEXT,
	  "Something like git:domain.com should be linked as a URL",
	  "" },
	{ "gregjacobs/Autolinker.js #493 html", MODE_HTML,
	  "<p>Something like git:domain.com should be linked as a URL</"
	  "p>",
	  "" },
	{ "gregjacobs/Autolinker.js #494 text", MODE_TEXT,
	  "version:1.0",
	  "" },
	{ "gregjacobs/Autolinker.js #494 html", MODE_HTML,
	  "<p>version:1.0</p>",
	  "" },
	{ "gregjacobs/Autolinker.js #495 text", MODE_TEXT,
	  "BEGIN:VCALENDAR VERSION:1.0 DTSTART:20140401T090000 START:12"
	  "3:SOMETHING",
	  "" },
	{ "gregjacobs/Autolinker.js #495 html", MODE_HTML,
	  "<p>BEGIN:VCALENDAR VERSION:1.0 DTSTART:20140401T090000 START"
	  ":123:SOMETHING</p>",
	  "" },
	{ "gregjacobs/Autolinker.js #496 text", MODE_TEXT,
	  "Joe went to //yahoo.com yesterday",
	  "" },
	{ "gregjacobs/Autolinker.js #496 html", MODE_HTML,
	  "<p>Joe went to //yahoo.com yesterday</p>",
	  "" },
	{ "gregjacobs/Autolinker.js #497 text", MODE_TEXT,
	  "Joe went to www.yahoo.com",
	  "www.yahoo.com" },
	{ "gregjacobs/Autolinker.js #497 html", MODE_HTML,
	  "<p>Joe went to www.yahoo.com</p>",
	  "www.yahoo.com" },
	{ "gregjacobs/Autolinker.js #498 text", MODE_TEXT,
	  "Joe went to www.yahoo.com.",
	  "www.yahoo.com" },
	{ "gregjacobs/Autolinker.js #498 html", MODE_HTML,
	  "<p>Joe went to www.yahoo.com.</p>",
	  "www.yahoo.com" },
	{ "gregjacobs/Autolinker.js #499 text", MODE_TEXT,
	  "Joe went to www.yahoo.com:8000 today",
	  "www.yahoo.com:8000" },
	{ "gregjacobs/Autolinker.js #499 html", MODE_HTML,
	  "<p>Joe went to www.yahoo.com:8000 today</p>",
	  "www.yahoo.com:8000" },
	{ "gregjacobs/Autolinker.js #500 text", MODE_TEXT,
	  "Joe went to www.yahoo.com:8000/abc today",
	  "www.yahoo.com:8000/abc" },
	{ "gregjacobs/Autolinker.js #500 html", MODE_HTML,
	  "<p>Joe went to www.yahoo.com:8000/abc today</p>",
	  "www.yahoo.com:8000/abc" },
	{ "gregjacobs/Autolinker.js #501 text", MODE_TEXT,
	  "Joe went to www.yahoo.com:8000?abc today",
	  "www.yahoo.com:8000?abc" },
	{ "gregjacobs/Autolinker.js #501 html", MODE_HTML,
	  "<p>Joe went to www.yahoo.com:8000?abc today</p>",
	  "www.yahoo.com:8000?abc" },
	{ "gregjacobs/Autolinker.js #502 text", MODE_TEXT,
	  "Joe went to www.yahoo.com:8000#abc today",
	  "www.yahoo.com:8000#abc" },
	{ "gregjacobs/Autolinker.js #502 html", MODE_HTML,
	  "<p>Joe went to www.yahoo.com:8000#abc today</p>",
	  "www.yahoo.com:8000#abc" },
	{ "gregjacobs/Autolinker.js #503 text", MODE_TEXT,
	  "Joe went to WWW.YAHOO.COM today",
	  "WWW.YAHOO.COM" },
	{ "gregjacobs/Autolinker.js #503 html", MODE_HTML,
	  "<p>Joe went to WWW.YAHOO.COM today</p>",
	  "WWW.YAHOO.COM" },
	{ "gregjacobs/Autolinker.js #504 text", MODE_TEXT,
	  "Joe went to www.yahoo.com? today",
	  "www.yahoo.com" },
	{ "gregjacobs/Autolinker.js #504 html", MODE_HTML,
	  "<p>Joe went to www.yahoo.com? today</p>",
	  "www.yahoo.com" },
	{ "gregjacobs/Autolinker.js #505 text", MODE_TEXT,
	  "Joe went to www.yahoo.com! today",
	  "www.yahoo.com" },
	{ "gregjacobs/Autolinker.js #505 html", MODE_HTML,
	  "<p>Joe went to www.yahoo.com! today</p>",
	  "www.yahoo.com" },
	{ "gregjacobs/Autolinker.js #506 text", MODE_TEXT,
	  "Joe went to www.yahoo.com: today",
	  "www.yahoo.com" },
	{ "gregjacobs/Autolinker.js #506 html", MODE_HTML,
	  "<p>Joe went to www.yahoo.com: today</p>",
	  "www.yahoo.com" },
	{ "gregjacobs/Autolinker.js #507 text", MODE_TEXT,
	  "Joe went to www.yahoo.com, today",
	  "www.yahoo.com" },
	{ "gregjacobs/Autolinker.js #507 html", MODE_HTML,
	  "<p>Joe went to www.yahoo.com, today</p>",
	  "www.yahoo.com" },
	{ "gregjacobs/Autolinker.js #508 text", MODE_TEXT,
	  "Joe went to www.yahoo.com; today",
	  "www.yahoo.com" },
	{ "gregjacobs/Autolinker.js #508 html", MODE_HTML,
	  "<p>Joe went to www.yahoo.com; today</p>",
	  "www.yahoo.com" },
	{ "gregjacobs/Autolinker.js #509 text", MODE_TEXT,
	  "Joe went to www.yahoo.com's today",
	  "www.yahoo.com" },
	{ "gregjacobs/Autolinker.js #509 html", MODE_HTML,
	  "<p>Joe went to www.yahoo.com's today</p>",
	  "www.yahoo.com" },
	{ "gregjacobs/Autolinker.js #510 text", MODE_TEXT,
	  "Joe went to www.yahoo.com/foo's today",
	  "www.yahoo.com/foo's" },
	{ "gregjacobs/Autolinker.js #510 html", MODE_HTML,
	  "<p>Joe went to www.yahoo.com/foo's today</p>",
	  "www.yahoo.com/foo's" },
	{ "gregjacobs/Autolinker.js #511 text", MODE_TEXT,
	  "MSDN has a great article at http://msdn.microsoft.com/en-us/"
	  "library/aa752574(VS.85).aspx.",
	  "http://msdn.microsoft.com/en-us/library/aa752574(VS.85).aspx" },
	{ "gregjacobs/Autolinker.js #511 html", MODE_HTML,
	  "<p>MSDN has a great article at http://msdn.microsoft.com/en-"
	  "us/library/aa752574(VS.85).aspx.</p>",
	  "http://msdn.microsoft.com/en-us/library/aa752574(VS.85).aspx" },
	{ "gregjacobs/Autolinker.js #512 text", MODE_TEXT,
	  "MSDN has a great article at http://msdn.microsoft.com/en-us/"
	  "library?aa752574(VS.85).aspx.",
	  "http://msdn.microsoft.com/en-us/library?aa752574(VS.85).aspx" },
	{ "gregjacobs/Autolinker.js #512 html", MODE_HTML,
	  "<p>MSDN has a great article at http://msdn.microsoft.com/en-"
	  "us/library?aa752574(VS.85).aspx.</p>",
	  "http://msdn.microsoft.com/en-us/library?aa752574(VS.85).aspx" },
	{ "gregjacobs/Autolinker.js #513 text", MODE_TEXT,
	  "MSDN has a great article at http://msdn.microsoft.com/en-us/"
	  "library#aa752574(VS.85).aspx.",
	  "http://msdn.microsoft.com/en-us/library#aa752574(VS.85).aspx" },
	{ "gregjacobs/Autolinker.js #513 html", MODE_HTML,
	  "<p>MSDN has a great article at http://msdn.microsoft.com/en-"
	  "us/library#aa752574(VS.85).aspx.</p>",
	  "http://msdn.microsoft.com/en-us/library#aa752574(VS.85).aspx" },
	{ "gregjacobs/Autolinker.js #514 text", MODE_TEXT,
	  "MSDN has a great article at (http://msdn.microsoft.com/en-us"
	  "/library/aa752574(VS.85).aspx).",
	  "http://msdn.microsoft.com/en-us/library/aa752574(VS.85).aspx" },
	{ "gregjacobs/Autolinker.js #514 html", MODE_HTML,
	  "<p>MSDN has a great article at (http://msdn.microsoft.com/en"
	  "-us/library/aa752574(VS.85).aspx).</p>",
	  "http://msdn.microsoft.com/en-us/library/aa752574(VS.85).aspx" },
	{ "gregjacobs/Autolinker.js #515 text", MODE_TEXT,
	  "Here's an example from CodingHorror: http://en.wikipedia.org"
	  "/wiki/PC_Tools_%28Central_Point_Software%29",
	  "http://en.wikipedia.org/wiki/PC_Tools_%28Central_Point_Softw"
	  "are%29" },
	{ "gregjacobs/Autolinker.js #515 html", MODE_HTML,
	  "<p>Here's an example from CodingHorror: http://en.wikipedia."
	  "org/wiki/PC_Tools_%28Central_Point_Software%29</p>",
	  "http://en.wikipedia.org/wiki/PC_Tools_%28Central_Point_Softw"
	  "are%29" },
	{ "gregjacobs/Autolinker.js #516 text", MODE_TEXT,
	  "Click here [http://example.com] for more details",
	  "http://example.com" },
	{ "gregjacobs/Autolinker.js #516 html", MODE_HTML,
	  "<p>Click here [http://example.com] for more details</p>",
	  "http://example.com" },
	{ "gregjacobs/Autolinker.js #517 text", MODE_TEXT,
	  "Click here [cat http://example.com] for more details",
	  "http://example.com" },
	{ "gregjacobs/Autolinker.js #517 html", MODE_HTML,
	  "<p>Click here [cat http://example.com] for more details</p>",
	  "http://example.com" },
	{ "gregjacobs/Autolinker.js #518 text", MODE_TEXT,
	  "Here's an example: http://www.example.com/foo.php?bar[]=1&ba"
	  "r[]=2&bar[]=3",
	  "http://www.example.com/foo.php?bar[]=1&bar[]=2&bar[]=3" },
	{ "gregjacobs/Autolinker.js #518 html", MODE_HTML,
	  "<p>Here's an example: http://www.example.com/foo.php?bar[]=1"
	  "&amp;bar[]=2&amp;bar[]=3</p>",
	  "http://www.example.com/foo.php?bar[]=1&bar[]=2&bar[]=3" },
	{ "gregjacobs/Autolinker.js #519 text", MODE_TEXT,
	  "Here's an example: [http://www.example.com/foo.php?bar[]=1&b"
	  "ar[]=2&bar[]=3]",
	  "http://www.example.com/foo.php?bar[]=1&bar[]=2&bar[]=3" },
	{ "gregjacobs/Autolinker.js #519 html", MODE_HTML,
	  "<p>Here's an example: [http://www.example.com/foo.php?bar[]="
	  "1&amp;bar[]=2&amp;bar[]=3]</p>",
	  "http://www.example.com/foo.php?bar[]=1&bar[]=2&bar[]=3" },
	{ "gregjacobs/Autolinker.js #520 text", MODE_TEXT,
	  "Click here {http://example.com} for more details",
	  "http://example.com" },
	{ "gregjacobs/Autolinker.js #520 html", MODE_HTML,
	  "<p>Click here {http://example.com} for more details</p>",
	  "http://example.com" },
	{ "gregjacobs/Autolinker.js #521 text", MODE_TEXT,
	  "Click here {cat http://example.com} for more details",
	  "http://example.com" },
	{ "gregjacobs/Autolinker.js #521 html", MODE_HTML,
	  "<p>Click here {cat http://example.com} for more details</p>",
	  "http://example.com" },
	{ "gregjacobs/Autolinker.js #522 text", MODE_TEXT,
	  "Here's an example: https://gohub.sharepoint.com/example/doc."
	  "aspx?sourcedoc={foobar}&action=edit",
	  "https://gohub.sharepoint.com/example/doc.aspx?sourcedoc={foo"
	  "bar}&action=edit" },
	{ "gregjacobs/Autolinker.js #522 html", MODE_HTML,
	  "<p>Here's an example: https://gohub.sharepoint.com/example/d"
	  "oc.aspx?sourcedoc={foobar}&amp;action=edit</p>",
	  "https://gohub.sharepoint.com/example/doc.aspx?sourcedoc={foo"
	  "bar}&action=edit" },
	{ "gregjacobs/Autolinker.js #523 text", MODE_TEXT,
	  "Here's an example: http://gohub.sharepoint/example/make-paym"
	  "ent?props={%22params%22:{%22loanId%22:%220349494%22}}",
	  "http://gohub.sharepoint/example/make-payment?props={%22param"
	  "s%22:{%22loanId%22:%220349494%22}}" },
	{ "gregjacobs/Autolinker.js #523 html", MODE_HTML,
	  "<p>Here's an example: http://gohub.sharepoint/example/make-p"
	  "ayment?props={%22params%22:{%22loanId%22:%220349494%22}}</p>",
	  "http://gohub.sharepoint/example/make-payment?props={%22param"
	  "s%22:{%22loanId%22:%220349494%22}}" },
	{ "gregjacobs/Autolinker.js #524 text", MODE_TEXT,
	  "Check out pair programming: http://c2.com/cgi/wiki$?VirtualP"
	  "airProgramming",
	  "http://c2.com/cgi/wiki$?VirtualPairProgramming" },
	{ "gregjacobs/Autolinker.js #524 html", MODE_HTML,
	  "<p>Check out pair programming: http://c2.com/cgi/wiki$?Virtu"
	  "alPairProgramming</p>",
	  "http://c2.com/cgi/wiki$?VirtualPairProgramming" },
	{ "gregjacobs/Autolinker.js #525 text", MODE_TEXT,
	  "Check out the image at http://server.com/template?fmt=jpeg&$"
	  "base=700.",
	  "http://server.com/template?fmt=jpeg&$base=700" },
	{ "gregjacobs/Autolinker.js #525 html", MODE_HTML,
	  "<p>Check out the image at http://server.com/template?fmt=jpe"
	  "g&amp;$base=700.</p>",
	  "http://server.com/template?fmt=jpeg&$base=700" },
	{ "gregjacobs/Autolinker.js #526 text", MODE_TEXT,
	  "Google from wayback http://wayback.archive.org/web/*/http://"
	  "google.com",
	  "http://wayback.archive.org/web/*/http://google.com" },
	{ "gregjacobs/Autolinker.js #526 html", MODE_HTML,
	  "<p>Google from wayback http://wayback.archive.org/web/*/http"
	  "://google.com</p>",
	  "http://wayback.archive.org/web/*/http://google.com" },
	{ "gregjacobs/Autolinker.js #527 text", MODE_TEXT,
	  "Twitter search for bob smith https://api.twitter.com/1.1/use"
	  "rs/search.json?count=20&q=Bob+*+Smith",
	  "https://api.twitter.com/1.1/users/search.json?count=20&q=Bob"
	  "+*+Smith" },
	{ "gregjacobs/Autolinker.js #527 html", MODE_HTML,
	  "<p>Twitter search for bob smith https://api.twitter.com/1.1/"
	  "users/search.json?count=20&amp;q=Bob+*+Smith</p>",
	  "https://api.twitter.com/1.1/users/search.json?count=20&q=Bob"
	  "+*+Smith" },
	{ "gregjacobs/Autolinker.js #528 text", MODE_TEXT,
	  "You are a star http://en.wikipedia.org/wiki/You're_a_Star/",
	  "http://en.wikipedia.org/wiki/You're_a_Star/" },
	{ "gregjacobs/Autolinker.js #528 html", MODE_HTML,
	  "<p>You are a star http://en.wikipedia.org/wiki/You're_a_Star"
	  "/</p>",
	  "http://en.wikipedia.org/wiki/You're_a_Star/" },
	{ "gregjacobs/Autolinker.js #529 text", MODE_TEXT,
	  "Test google search https://www.google.com/#q=test's",
	  "https://www.google.com/#q=test's" },
	{ "gregjacobs/Autolinker.js #529 html", MODE_HTML,
	  "<p>Test google search https://www.google.com/#q=test's</p>",
	  "https://www.google.com/#q=test's" },
	{ "gregjacobs/Autolinker.js #530 text", MODE_TEXT,
	  "Go to https://example.com/api/export/873/?a[]=10&a[]=9&a[]=8"
	  "&a[]=7&a[]=6 today",
	  "https://example.com/api/export/873/?a[]=10&a[]=9&a[]=8&a[]=7"
	  "&a[]=6" },
	{ "gregjacobs/Autolinker.js #530 html", MODE_HTML,
	  "<p>Go to https://example.com/api/export/873/?a[]=10&amp;a[]="
	  "9&amp;a[]=8&amp;a[]=7&amp;a[]=6 today</p>",
	  "https://example.com/api/export/873/?a[]=10&a[]=9&a[]=8&a[]=7"
	  "&a[]=6" },
	{ "gregjacobs/Autolinker.js #531 text", MODE_TEXT,
	  "Danish flag emoji: https://emojipedia.org/%F0%9F%87%A9%F0%9F"
	  "%87%B0",
	  "https://emojipedia.org/%F0%9F%87%A9%F0%9F%87%B0" },
	{ "gregjacobs/Autolinker.js #531 html", MODE_HTML,
	  "<p>Danish flag emoji: https://emojipedia.org/%F0%9F%87%A9%F0"
	  "%9F%87%B0</p>",
	  "https://emojipedia.org/%F0%9F%87%A9%F0%9F%87%B0" },
	{ "gregjacobs/Autolinker.js #532 text", MODE_TEXT,
	  "Link: http://example.com/%3c%3E%22%27%26",
	  "http://example.com/%3c%3E%22%27%26" },
	{ "gregjacobs/Autolinker.js #532 html", MODE_HTML,
	  "<p>Link: http://example.com/%3c%3E%22%27%26</p>",
	  "http://example.com/%3c%3E%22%27%26" },
	{ "django/django #533 text", MODE_TEXT,
	  "Search for google.com/?q=! and see.",
	  "" },
	{ "django/django #533 html", MODE_HTML,
	  "<p>Search for google.com/?q=! and see.</p>",
	  "" },
	{ "django/django #534 text", MODE_TEXT,
	  "foo@example.com",
	  "" },
	{ "django/django #534 html", MODE_HTML,
	  "<p>foo@example.com</p>",
	  "" },
	{ "django/django #535 text", MODE_TEXT,
	  "foo@localhost.",
	  "" },
	{ "django/django #535 html", MODE_HTML,
	  "<p>foo@localhost.</p>",
	  "" },
	{ "django/django #536 text", MODE_TEXT,
	  "email me@example.com,then I'll respond",
	  "" },
	{ "django/django #536 html", MODE_HTML,
	  "<p>email me@example.com,then I'll respond</p>",
	  "" },
	{ "django/django #537 text", MODE_TEXT,
	  "test@example?;+!.com",
	  "" },
	{ "django/django #537 html", MODE_HTML,
	  "<p>test@example?;+!.com</p>",
	  "" },
	{ "django/django #538 text", MODE_TEXT,
	  "Search for http://google.com/?q=! and see.",
	  "http://google.com/?q=" },
	{ "django/django #538 html", MODE_HTML,
	  "<p>Search for http://google.com/?q=! and see.</p>",
	  "http://google.com/?q=" },
	{ "django/django #539 text", MODE_TEXT,
	  "Search for http://google.com/?q=1&lt! and see.",
	  "http://google.com/?q=1&lt" },
	{ "django/django #539 html", MODE_HTML,
	  "<p>Search for http://google.com/?q=1&amp;lt! and see.</p>",
	  "http://google.com/?q=1&lt" },
	{ "crafted #540 html", MODE_HTML,
	  "<a href=\"https://example.com/a?x=1&amp;amp;y=2\">x</a>",
	  "https://example.com/a?x=1&amp;y=2" },
	{ "crafted #541 html", MODE_HTML,
	  "<a href=\"HTTPS://Example.COM/Case\">x</a>",
	  "HTTPS://Example.COM/Case" },
	{ "crafted #542 html", MODE_HTML,
	  "<a href=\"https://evil.example/\" title=\"https://title.exam"
	  "ple/\">x</a>",
	  "https://evil.example/" },
	{ "crafted #543 html", MODE_HTML,
	  "<img alt=\"http://alt.example/\" src=\"cid:abc@x\">",
	  "" },
	{ "crafted #544 html", MODE_HTML,
	  "<a href=https://example.com/x?a=1&b=2>x</a>",
	  "https://example.com/x?a=1&b=2" },
	{ "crafted #545 html", MODE_HTML,
	  "<a href=\"https&#58;//evil.example/colon\">x</a>",
	  "https://evil.example/colon" },
	{ "crafted #546 html", MODE_HTML,
	  "<a href=\"&#x09;https://evil.example/tab\">x</a>",
	  "https://evil.example/tab" },
	{ "crafted #547 html", MODE_HTML,
	  "<a href=\"ht&#x0A;tps://evil.example/nl\">x</a>",
	  "https://evil.example/nl" },
	{ "crafted #548 html", MODE_HTML,
	  "<a href=\"https://evil.example/&#x2F;path\">x</a>",
	  "https://evil.example//path" },
	{ "crafted #549 html", MODE_HTML,
	  "<a href=\"//evil.example/prel\">x</a>",
	  "https://evil.example/prel" },
	{ "crafted #550 html", MODE_HTML,
	  "<base href=\"http://base.example/\"><a href=\"//evil.example"
	  "/prel\">x</a>",
	  "http://base.example/\nhttp://evil.example/prel" },
	{ "crafted #551 html", MODE_HTML,
	  "<v:roundrect href=\"https://button.example/vml\">x</v:roundr"
	  "ect>",
	  "https://button.example/vml" },
	{ "crafted #552 html", MODE_HTML,
	  "<area href=\"https://map.example/area\" shape=\"rect\">",
	  "https://map.example/area" },
	{ "crafted #553 html", MODE_HTML,
	  "<link rel=\"stylesheet\" href=\"https://css.example/s.css\">",
	  "https://css.example/s.css" },
	{ "crafted #554 html", MODE_HTML,
	  "<script src=\"https://js.example/a.js\"></script>",
	  "https://js.example/a.js" },
	{ "crafted #555 html", MODE_HTML,
	  "<video poster=\"https://img.example/poster.jpg\"></video>",
	  "https://img.example/poster.jpg" },
	{ "crafted #556 html", MODE_HTML,
	  "<object data=\"https://obj.example/x.swf\"></object>",
	  "https://obj.example/x.swf" },
	{ "crafted #557 html", MODE_HTML,
	  "<blockquote cite=\"https://cite.example/q\">q</blockquote>",
	  "https://cite.example/q" },
	{ "crafted #558 html", MODE_HTML,
	  "<button formaction=\"https://evil.example/fa\">b</button>",
	  "https://evil.example/fa" },
	{ "crafted #559 html", MODE_HTML,
	  "<img data-src=\"https://lazy.example/i.png\">",
	  "https://lazy.example/i.png" },
	{ "crafted #560 html", MODE_HTML,
	  "<div style=\"background-image: url(&quot;https://x.example/q"
	  ".png&quot;)\">x</div>",
	  "https://x.example/q.png" },
	{ "crafted #561 html", MODE_HTML,
	  "<style>.a{background:url( 'https://x.example/sp.png' )}</sty"
	  "le>",
	  "https://x.example/sp.png" },
	{ "crafted #562 html", MODE_HTML,
	  "<style>.a{background:image-set(\"https://x.example/1x.png\" "
	  "1x, \"https://x.example/2x.png\" 2x)}</style>",
	  "https://x.example/1x.png\nhttps://x.example/2x.png" },
	{ "crafted #563 html", MODE_HTML,
	  "<a href=\"javascript:void(0)\" onclick=\"window.open('https:"
	  "//evil.example/popup')\">x</a>",
	  "https://evil.example/popup" },
	{ "crafted #564 html", MODE_HTML,
	  "<script>var u = \"https:\\/\\/evil.example\\/json\";</script"
	  ">",
	  "https://evil.example/json" },
	{ "crafted #565 html", MODE_HTML,
	  "<a href=\"https://nam12.safelinks.protection.outlook.com/?ur"
	  "l=https%3A%2F%2Fevil.example%2Flogin&amp;data=05\">x</a>",
	  "https://nam12.safelinks.protection.outlook.com/?url=https%3A"
	  "%2F%2Fevil.example%2Flogin&data=05\nhttps://evil.example/log"
	  "in" },
	{ "crafted #566 html", MODE_HTML,
	  "<a href=\"https://urldefense.com/v3/__https://evil.example/p"
	  "ath__;!!abc\">x</a>",
	  "https://urldefense.com/v3/__https://evil.example/path__;!!ab"
	  "c\nhttps://evil.example/path" },
	{ "crafted #567 html", MODE_HTML,
	  "<p>Visit https://split.<span>example</span>.com/x today</p>",
	  "https://split.example.com/x" },
	{ "crafted #568 html", MODE_HTML,
	  "<p>https://a.example/x<br/>https://b.example/y</p>",
	  "https://a.example/x\nhttps://b.example/y" },
	{ "crafted #569 html", MODE_HTML,
	  "<p>https://a.example/x</p>\n<p>https://b.example/y</p>",
	  "https://a.example/x\nhttps://b.example/y" },
	{ "crafted #570 html", MODE_HTML,
	  "<td>https://cell.example/1</td><td>more</td>",
	  "https://cell.example/1" },
	{ "crafted #571 html", MODE_HTML,
	  "<p>www.visible.example.com, call us</p>",
	  "www.visible.example.com" },
	{ "crafted #572 html", MODE_HTML,
	  "<p>hxxps://defanged[.]example/x</p>",
	  "https://defanged.example/x" },
	{ "crafted #573 html", MODE_HTML,
	  "<p>https://pay&#173;pal.example/</p>",
	  "https://paypal.example/" },
	{ "crafted #574 html", MODE_HTML,
	  "<p>https://example.com/a&#8203;b</p>",
	  "https://example.com/a" },
	{ "crafted #575 html", MODE_HTML,
	  "<title>https://title.example/</title>",
	  "https://title.example/" },
	{ "crafted #576 html", MODE_HTML,
	  "<textarea>https://ta.example/</textarea>",
	  "https://ta.example/" },
	{ "crafted #577 html", MODE_HTML,
	  "<p>&#104;ttps://entity.example/path</p>",
	  "https://entity.example/path" },
	{ "crafted #578 html", MODE_HTML,
	  "<a href=\"https://target.example/\">Go to www.paypal.com now"
	  "</a>",
	  "https://target.example/\nwww.paypal.com" },
	{ "crafted #579 html", MODE_HTML,
	  "<p>See <a href=\"https://a.example/\">here</a>.</p>",
	  "https://a.example/" },
	{ "crafted #587 html", MODE_HTML,
	  "<p>Visit https://long.example/path/that/wraps/\nonto/the/nex"
	  "t/line today</p>",
	  "https://long.example/path/that/wraps/" },
	{ "crafted #588 html", MODE_HTML,
	  "<a href=\"https://long.example/path/that/\nwraps\">x</a>",
	  "https://long.example/path/that/wraps" },
	{ "crafted #589 html", MODE_HTML,
	  "<a href=\"https://long.example/path/that/\x0d\n  wraps\">x</"
	  "a>",
	  "https://long.example/path/that/%20%20wraps" },
	{ "crafted #590 text", MODE_TEXT,
	  "Visit <https://long.example/path/that/wraps/\nonto/the/next/"
	  "line> today",
	  "https://long.example/path/that/wraps/onto/the/next/line" },
	{ "crafted #590 html", MODE_HTML,
	  "<p>Visit &lt;https://long.example/path/that/wraps/\nonto/the"
	  "/next/line&gt; today</p>",
	  "https://long.example/path/that/wraps/onto/the/next/line" },
	{ "crafted #591 text", MODE_TEXT,
	  "> see <https://quoted.example/a/\n> b/c> ok",
	  "https://quoted.example/a/b/c" },
	{ "crafted #591 html", MODE_HTML,
	  "<p>&gt; see &lt;https://quoted.example/a/\n&gt; b/c&gt; ok</"
	  "p>",
	  "https://quoted.example/a/b/c" },
	{ "apache/spamassassin #592 html", MODE_HTML,
	  "<base href=\"http://a.example/b/c/d;p?q\"><a href=\"g\">x</a"
	  ">",
	  "http://a.example/b/c/d;p?q\nhttp://a.example/b/c/g" },
	{ "apache/spamassassin #593 html", MODE_HTML,
	  "<base href=\"http://a.example/b/c/d;p?q\"><a href=\"g/\">x</"
	  "a>",
	  "http://a.example/b/c/d;p?q\nhttp://a.example/b/c/g/" },
	{ "apache/spamassassin #594 html", MODE_HTML,
	  "<base href=\"http://a.example/b/c/d;p?q\"><a href=\"/g\">x</"
	  "a>",
	  "http://a.example/b/c/d;p?q\nhttp://a.example/g" },
	{ "apache/spamassassin #595 html", MODE_HTML,
	  "<base href=\"http://a.example/b/c/d;p?q\"><a href=\"//g.exam"
	  "ple\">x</a>",
	  "http://a.example/b/c/d;p?q\nhttp://g.example" },
	{ "apache/spamassassin #596 html", MODE_HTML,
	  "<base href=\"http://a.example/b/c/d;p?q\"><a href=\"?y\">x</"
	  "a>",
	  "http://a.example/b/c/d;p?q\nhttp://a.example/b/c/d;p?y" },
	{ "apache/spamassassin #597 html", MODE_HTML,
	  "<base href=\"http://a.example/b/c/d;p?q\"><a href=\"g?y\">x<"
	  "/a>",
	  "http://a.example/b/c/d;p?q\nhttp://a.example/b/c/g?y" },
	{ "apache/spamassassin #598 html", MODE_HTML,
	  "<base href=\"http://a.example/b/c/d;p?q\"><a href=\"#s\">x</"
	  "a>",
	  "http://a.example/b/c/d;p?q" },
	{ "apache/spamassassin #599 html", MODE_HTML,
	  "<base href=\"http://a.example/b/c/d;p?q\"><a href=\"g#s\">x<"
	  "/a>",
	  "http://a.example/b/c/d;p?q\nhttp://a.example/b/c/g#s" },
	{ "apache/spamassassin #600 html", MODE_HTML,
	  "<base href=\"http://a.example/b/c/d;p?q\"><a href=\"g?y#s\">"
	  "x</a>",
	  "http://a.example/b/c/d;p?q\nhttp://a.example/b/c/g?y#s" },
	{ "apache/spamassassin #601 html", MODE_HTML,
	  "<base href=\"http://a.example/b/c/d;p?q\"><a href=\"g;x?y#s"
	  "\">x</a>",
	  "http://a.example/b/c/d;p?q\nhttp://a.example/b/c/g;x?y#s" },
	{ "apache/spamassassin #602 html", MODE_HTML,
	  "<base href=\"http://a.example/b/c/d;p?q\"><a href=\"g:h\">x<"
	  "/a>",
	  "http://a.example/b/c/d;p?q" },
	{ "apache/spamassassin #603 html", MODE_HTML,
	  "<base href=\"http://a.example/b/c/d;p?q\"><a href=\"../g\">x"
	  "</a>",
	  "http://a.example/b/c/d;p?q\nhttp://a.example/b/c/../g" },
	{ "apache/spamassassin #604 html", MODE_HTML,
	  "<base href=\"http://a.example/b/c/d;p?q\"><a href=\"./g\">x<"
	  "/a>",
	  "http://a.example/b/c/d;p?q\nhttp://a.example/b/c/./g" },
	{ "apache/spamassassin #605 html", MODE_HTML,
	  "<a href=\"http:www.spamassassin.example/lists.html\">x</a>",
	  "http://www.spamassassin.example/lists.html" },
	{ "apache/spamassassin #606 html", MODE_HTML,
	  "<a href=\"http:/www.spamassassin.example/lists.html\">x</a>",
	  "http://www.spamassassin.example/lists.html" },
	{ "apache/spamassassin #607 html", MODE_HTML,
	  "<a href=\"ht&#13;tp:/&#13;/www.exa&#13;mple.com\">x</a>",
	  "http://www.example.com" },
	{ "apache/spamassassin #608 html", MODE_HTML,
	  "<a href=\"http:\\\\people.apache.example\\~felicity\\\">x</a"
	  ">",
	  "http://people.apache.example/~felicity/" },
	{ "apache/spamassassin #609 html", MODE_HTML,
	  "<a href=\"http://rd.yahoo.example/?http:/www.spamassassin.ex"
	  "ample\">x</a>",
	  "http://rd.yahoo.example/?http:/www.spamassassin.example" },
	{ "apache/spamassassin #610 html", MODE_HTML,
	  "<a href=\"http://0x7f000001\">x</a>",
	  "http://0x7f000001" },
	{ "apache/spamassassin #611 html", MODE_HTML,
	  "<a href=\"http://89.0x00000000000000000000068.00000000000000"
	  "00000000160.0x00000000000011\">x</a>",
	  "http://89.0x00000000000000000000068.000000000000000000000016"
	  "0.0x00000000000011" },
	{ "apache/spamassassin #612 text", MODE_TEXT,
	  "http://1092229727:9999/https-www.paypal.com/webscrr/index.ph"
	  "p",
	  "http://1092229727:9999/https-www.paypal.com/webscrr/index.ph"
	  "p" },
	{ "apache/spamassassin #612 html", MODE_HTML,
	  "<p>http://1092229727:9999/https-www.paypal.com/webscrr/index"
	  ".php</p>",
	  "http://1092229727:9999/https-www.paypal.com/webscrr/index.ph"
	  "p" },
	{ "apache/spamassassin #613 text", MODE_TEXT,
	  "http://blah.blah.example:/",
	  "http://blah.blah.example:/" },
	{ "apache/spamassassin #613 html", MODE_HTML,
	  "<p>http://blah.blah.example:/</p>",
	  "http://blah.blah.example:/" },
	{ "apache/spamassassin #614 text", MODE_TEXT,
	  "http://example.com.%20.host.example.info/",
	  "http://example.com.%20.host.example.info/" },
	{ "apache/spamassassin #614 html", MODE_HTML,
	  "<p>http://example.com.%20.host.example.info/</p>",
	  "http://example.com.%20.host.example.info/" },
	{ "apache/spamassassin #615 text", MODE_TEXT,
	  "http://ebg&vosxfov.com.munged-rxspecials.example/b/Tr3f0amG",
	  "http://ebg&vosxfov.com.munged-rxspecials.example/b/Tr3f0amG" },
	{ "apache/spamassassin #615 html", MODE_HTML,
	  "<p>http://ebg&amp;vosxfov.com.munged-rxspecials.example/b/Tr"
	  "3f0amG</p>",
	  "http://ebg&vosxfov.com.munged-rxspecials.example/b/Tr3f0amG" },
};

/* run_all - every test, with the patterns as urlscan_init() made them */
static int
run_all(const char *pass)
{
	struct errbuf	err;
	size_t		i;

	printf("== %s\n", pass);
	if (urlscan_init(&cfg, &err) != 0) {
		fprintf(stderr, "urlscan_init: %s\n", err.msg);
		return -1;
	}
	for (i = 0; i < ARRAY_LEN(cases); i++)
		run_case(&cases[i]);
	for (i = 0; i < ARRAY_LEN(suite); i++)
		run_case(&suite[i]);
	test_nul_in_text();
	test_run_vs_pcre2();
	test_set_bounds();
	test_user_regex();
	test_threads();
	test_hostile();
	test_match_limit();
	urlscan_shutdown();
	return 0;
}

int
main(void)
{
	config_defaults(&cfg);
	def_max_urls = cfg.max_urls;
	def_max_url_length = cfg.max_url_length;
	def_match_limit = cfg.regex_match_limit;
	/* the JIT where PCRE2 has it, then the interpreter everywhere */
	if (run_all("PCRE2 JIT (where available)") == -1)
		return 1;
	urlscan_disable_jit(true);
	if (run_all("PCRE2 interpreter") == -1)
		return 1;
	config_free(&cfg);
	return t_done();
}
