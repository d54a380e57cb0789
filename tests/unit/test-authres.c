/* test-authres - Authentication-Results verdicts (RFC 8601) */
#include "autoconfig.h"

#include <stdlib.h>
#include <string.h>

#include "authres.h"
#include "t.h"

int
main(void)
{
	struct authres	 ar;
	char		*big;
	size_t		 i;

	T_BEGIN("rfc 8601 example with comments and properties");
	T_ASSERT(authres_parse("example.com; spf=pass (sender IP is 192.0.2.1)"
	    " smtp.mailfrom=example.net; dkim=pass header.d=example.net"
	    " header.s=sel; dmarc=pass (p=reject) header.from=example.net",
	    &ar));
	T_STREQ(ar.serv_id, "example.com");
	T_STREQ(ar.spf, "pass");
	T_STREQ(ar.dkim, "pass");
	T_STREQ(ar.dmarc, "pass");
	T_STREQ(ar.arc, "");
	T_END();

	T_BEGIN("case folded, versions, quoted id, arc, comment before =");
	T_ASSERT(authres_parse("\"mx.example.org\" 1; SPF/1 (c) = SoftFail"
	    " smtp.mailfrom=a@b; ARC=fail (as[2].cv=fail); DMARC=FAIL"
	    " header.from=b", &ar));
	T_STREQ(ar.serv_id, "mx.example.org");
	T_STREQ(ar.spf, "softfail");
	T_STREQ(ar.arc, "fail");
	T_STREQ(ar.dmarc, "fail");
	T_STREQ(ar.dkim, "");
	T_END();

	T_BEGIN("dkim: any passing signature wins, else the first result");
	T_ASSERT(authres_parse("mx; dkim=fail header.d=evil.example;"
	    " dkim=pass header.d=good.example; dkim=neutral", &ar));
	T_STREQ(ar.dkim, "pass");
	T_ASSERT(authres_parse("mx; dkim=permerror; dkim=fail", &ar));
	T_STREQ(ar.dkim, "permerror");
	T_END();

	T_BEGIN("spf and dmarc: the first result counts");
	T_ASSERT(authres_parse("mx; spf=fail; spf=pass; dmarc=none;"
	    " dmarc=pass", &ar));
	T_STREQ(ar.spf, "fail");
	T_STREQ(ar.dmarc, "none");
	T_END();

	T_BEGIN("';' inside comments and quoted values is not a separator");
	T_ASSERT(authres_parse("mx; spf=neutral (a; dkim=pass (x)) "
	    "smtp.mailfrom=\"x;dmarc=pass\"; dkim=fail", &ar));
	T_STREQ(ar.spf, "neutral");
	T_STREQ(ar.dkim, "fail");
	T_STREQ(ar.dmarc, "");
	T_END();

	T_BEGIN("old servers: text between the id and the first ';'");
	T_ASSERT(authres_parse("mta1007.mail.sp2.yahoo.com  "
	    "from=reactive-outpost.com; domainkeys=neutral (no sig);  "
	    "from=reactive-outpost.com; dkim=neutral (no sig)", &ar));
	T_STREQ(ar.serv_id, "mta1007.mail.sp2.yahoo.com");
	T_STREQ(ar.dkim, "neutral");
	T_STREQ(ar.spf, "");
	T_END();

	T_BEGIN("no result, nothing usable, hostile input");
	T_ASSERT(!authres_parse("example.org 1; none", &ar));
	T_STREQ(ar.serv_id, "");
	T_ASSERT(!authres_parse("", &ar));
	T_ASSERT(!authres_parse(NULL, &ar));
	T_ASSERT(!authres_parse("   (only a comment", &ar));
	T_ASSERT(!authres_parse("mx; spf=", &ar));
	T_ASSERT(!authres_parse("mx; =pass; spf pass", &ar));
	T_ASSERT(!authres_parse("mx; spf=passpasspasspasspass", &ar));
	T_STREQ(ar.spf, "");
	T_ASSERT(!authres_parse("mx; spf=(unclosed", &ar));
	T_ASSERT(authres_parse("mx; iprev=pass", &ar));	/* other method */
	T_STREQ(ar.spf, "");
	/* a long id is cut, never overflows; deep comments end */
	big = malloc(20000);
	T_ASSERT(big != NULL);
	if (big != NULL) {
		for (i = 0; i < 9000; i++)
			big[i] = 'a';
		memcpy(big + 9000, "; spf=pass", 11);
		T_ASSERT(authres_parse(big, &ar));
		T_ASSERT(strlen(ar.serv_id) == AUTHRES_ID_MAX - 1);
		T_STREQ(ar.spf, "pass");
		for (i = 0; i < 19000; i++)
			big[i] = i < 3 ? "mx;"[i] : '(';
		big[19000] = '\0';
		T_ASSERT(!authres_parse(big, &ar));
		free(big);
	}
	T_END();

	return t_done();
}
