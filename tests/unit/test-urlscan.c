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
	  "xhttp://a.com 9http://b.com nothttp://c.com "
	  "awww.d.com foo.www.e.com me@www.f.com path/www.g.com",
	  "" },
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
	  "<a href=\"http:\\no1.example/\">one backslash: not a host</a>"
	  "<a href=\"mailto:\\\\no2.example\">m</a>",
	  "http://h1.example/p/x?q=a\\b#f\\g\nhttps://h2.example/\n"
	  "HTTPS://h3.example\nhttps://good.example/@h4.example/\n"
	  "ftp://h5.example/f\nhttp://h6.example/a.png\n"
	  "https://h7.example/i.png\nhttps://h8.example/p" },
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
	b = repeat("http://same.example/ ", 100000 * 21, &len);
	got = scan_join(MODE_TEXT, b, len, &flags);
	T_STREQ(got, "http://same.example/");
	T_ASSERT(flags == 0);
	free(got);
	free(b);
	T_END();

	T_BEGIN("hostile: 1 MB of glued URLs ([URL](URL), (URL)(URL))");
	b = repeat("http://a](", 1 << 20, &len);
	got = scan_join(MODE_TEXT, b, len, &flags);
	T_STREQ(got, "http://a");
	T_ASSERT(flags == 0);
	free(got);
	free(b);
	b = repeat("(http://a)", 1 << 20, &len);
	got = scan_join(MODE_HTML, b, len, &flags);
	T_STREQ(got, "http://a");
	T_ASSERT(flags == 0);
	free(got);
	free(b);
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
	b = repeat("http://a\xe2\x80\x8b", 1 << 20, &len);
	got = scan_join(MODE_TEXT, b, len, &flags);
	T_STREQ(got, "http://ahttp://a");
	T_ASSERT(flags == 0);
	free(got);
	free(b);
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
 * The characters of a URL in text, as the PCRE2 class urlscan.c
 * documents (URL_CHAR there); its scanner reads the run in C.
 */
#define T_URL_CHAR \
	"[^\\x00-\\x20\\x7f\"<>\\x{80}-\\x{a0}\\x{ab}\\x{bb}\\x{1680}" \
	"\\x{2000}-\\x{200f}\\x{2018}-\\x{201e}" \
	"\\x{2028}-\\x{202f}\\x{2039}\\x{203a}\\x{205f}\\x{2060}" \
	"\\x{2190}-\\x{21ff}\\x{2600}-\\x{27bf}\\x{3000}-\\x{3002}" \
	"\\x{3008}-\\x{3011}\\x{feff}\\x{ff01}\\x{ff02}\\x{ff07}-\\x{ff09}" \
	"\\x{ff0c}\\x{ff1a}-\\x{ff1c}\\x{ff1e}\\x{ff1f}\\x{ff3b}\\x{ff3d}" \
	"\\x{ff5b}-\\x{ff5d}\\x{ff61}-\\x{ff64}\\x{fffd}]"

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
	re = pcre2_compile((PCRE2_SPTR)T_URL_CHAR "*+", PCRE2_ZERO_TERMINATED,
	    PCRE2_UTF | PCRE2_MATCH_INVALID_UTF | PCRE2_ANCHORED, &rc, &off,
	    NULL);
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
