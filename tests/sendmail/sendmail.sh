#!/bin/sh
# sendmail.sh - a real Sendmail -> soar-milter -> fake SOAR, end to end.
#
# Debian's Sendmail cannot be installed next to Postfix, so
# contrib/install-deps.sh unpacks its packages (sendmail-bin,
# sendmail-cf) under SENDMAIL_ROOT without installing them.  This test
# builds a private sendmail.cf with Sendmail's own m4 files and the
# shipped contrib/sendmail.mc.snippet (only its port changed), runs that
# Sendmail on loopback (own queue, aliases, pid file; the host name set
# in a private UTS namespace so Sendmail does not stall on the
# unqualified machine name), relaying to an SMTP sink.  It checks:
# every message relayed with X-SOAR-Alert-Id and alerted with Sendmail's
# queue id, client IP, HELO, envelope sender, all recipients (Bcc
# included), decoded subject, URLs and attachment names; and, with the
# milter stopped, Sendmail still takes and relays mail (F= empty in
# the snippet).
. "$top_srcdir/tests/postfix/common.sh"

SENDMAIL_ROOT=${SENDMAIL_ROOT:-/var/cache/soar-milter-tests/sendmail}
SM=$SENDMAIL_ROOT/usr/libexec/sendmail/sendmail
CFM4=$SENDMAIL_ROOT/usr/share/sendmail/cf/m4/cf.m4
[ -x "$SM" ] && [ -f "$CFM4" ] ||
    fail "no unpacked Sendmail in $SENDMAIL_ROOT (run contrib/install-deps.sh)"
command -v m4 >/dev/null 2>&1 || fail "m4 is not installed"

# Sendmail sleeps 60 s at start when the machine's host name has no dot.
# Then run it in a private UTS namespace with a qualified name; where
# namespaces are not allowed (an unprivileged container), run it as it
# is and wait out the sleep.
case $(hostname) in
*.*)	SM_NS=none ;;
*)	if command -v unshare >/dev/null 2>&1 &&
	    [ "${SENDMAIL_NO_UNSHARE:-0}" != 1 ] &&
	    unshare -u sh -c 'hostname mta.soar-test.invalid' 2>/dev/null; then
		SM_NS=uts
	else
		SM_NS=slow
		echo "note: host name '$(hostname)' is unqualified and no UTS" \
		    "namespace can be made: Sendmail will sleep 60 s per start"
	fi ;;
esac

SMD=$T/sendmail
mkdir -p "$SMD/mqueue" "$SMD/clientmqueue"
chmod 700 "$SMD/mqueue"
echo "hosts files" >"$SMD/service.switch"
printf 'postmaster: root\n' >"$SMD/aliases"
: >"$SMD/statistics"
: >"$SMD/helpfile"
SMPORT=$(pf_free_port)
SMPID=""

start_receiver
start_sink
start_milter milter -o add_header=yes

# the shipped snippet, pointed at this test's milter port
grep -q 'S=inet:8894@127.0.0.1' "$top_srcdir/contrib/sendmail.mc.snippet" ||
    fail "contrib/sendmail.mc.snippet no longer names inet:8894@127.0.0.1"
sed "s/S=inet:8894@127.0.0.1/S=inet:$MPORT@127.0.0.1/" \
    "$top_srcdir/contrib/sendmail.mc.snippet" >"$SMD/snippet.m4"
cat >"$SMD/test.mc" <<EOF
divert(0)dnl
OSTYPE(\`linux')dnl
define(\`confDOMAIN_NAME', \`mta.soar-test.invalid')dnl
define(\`QUEUE_DIR', \`$SMD/mqueue')dnl
define(\`MSP_QUEUE_DIR', \`$SMD/clientmqueue')dnl
define(\`confPID_FILE', \`$SMD/sendmail.pid')dnl
define(\`STATUS_FILE', \`$SMD/statistics')dnl
define(\`ALIAS_FILE', \`$SMD/aliases')dnl
define(\`HELP_FILE', \`$SMD/helpfile')dnl
define(\`confSERVICE_SWITCH_FILE', \`$SMD/service.switch')dnl
define(\`confDONT_BLAME_SENDMAIL', \`TrustStickyBit')dnl
define(\`confBIND_OPTS', \`-DNSRCH -DEFNAMES')dnl
define(\`SMART_HOST', \`esmtp:[127.0.0.1]')dnl
define(\`ESMTP_MAILER_ARGS', \`TCP \$h $SINKPORT')dnl
define(\`RELAY_MAILER_ARGS', \`TCP \$h $SINKPORT')dnl
define(\`confTO_CONNECT', \`10s')dnl
define(\`confDELIVERY_MODE', \`background')dnl
FEATURE(\`nocanonify')dnl
FEATURE(\`accept_unresolvable_domains')dnl
DAEMON_OPTIONS(\`Port=$SMPORT, Addr=127.0.0.1, Name=MTA')dnl
include(\`$SMD/snippet.m4')dnl
MAILER(\`smtp')dnl
EOF
m4 -D_CF_DIR_="$SENDMAIL_ROOT/usr/share/sendmail/cf/" "$CFM4" \
    "$SMD/test.mc" >"$SMD/sendmail.cf" 2>"$SMD/m4.log" ||
    fail "m4 of sendmail.cf: $(cat "$SMD/m4.log")"
[ ! -s "$SMD/m4.log" ] || fail "m4 warnings: $(cat "$SMD/m4.log")"
grep -q "^Xsoar-milter, S=inet:$MPORT@127.0.0.1, F=," "$SMD/sendmail.cf" ||
    fail "the snippet did not give the Xsoar-milter line"
ok "sendmail.cf built from Sendmail's m4 files and contrib/sendmail.mc.snippet"

# "$@": the prefix that gives Sendmail a qualified host name, if needed
if [ "$SM_NS" = uts ]; then
	set -- unshare -u sh -c 'hostname mta.soar-test.invalid && exec "$@"' sh
else
	set --
fi
"$@" "$SM" -C "$SMD/sendmail.cf" -bi >"$SMD/newaliases.log" 2>&1 ||
    fail "newaliases: $(cat "$SMD/newaliases.log")"
bg "$@" timeout 900 "$SM" -C "$SMD/sendmail.cf" -bD -q2s -L sm-soar-test
SMPID=$BG
pf_wait_port "$SMPORT" 150 || fail "Sendmail does not listen on $SMPORT"
ok "private Sendmail $(strings "$SM" | grep -m1 -E '^8\.[0-9]+\.[0-9.]+$') on 127.0.0.1:$SMPORT (host name: $SM_NS)"

"$PYTHON3" - "$SMPORT" "$T/sent.json" >"$T/send.log" 2>&1 <<'EOF' ||
import json, re, smtplib, sys
from email import policy
from email.message import EmailMessage
port, out = int(sys.argv[1]), sys.argv[2]
msgs = []
m = EmailMessage()
m["From"] = "=?utf-8?q?Andr=C3=A9_Sender?= <andre@example.com>"
m["To"] = "alice@example.org, bob@example.org"
m["Subject"] = "=?utf-8?b?0J/RgNC40LLQtdGC?= =?utf-8?q?_report?="
m["Message-ID"] = "<sm-1@soar-test.invalid>"
m.set_content("Plain https://plain.example.com/a?b=1 here.\n")
m.add_alternative('<p><a href="https://html.example.net/x?y=1&amp;z=2">go</a></p>\n',
                  subtype="html")
msgs.append(dict(m=m, mail_from="andre@example.com",
                 rcpts=["alice@example.org", "bob@example.org", "hidden@example.org"],
                 subject="\u041f\u0440\u0438\u0432\u0435\u0442 report",
                 urls=["https://plain.example.com/a?b=1",
                       "https://html.example.net/x?y=1&z=2"], files=[]))
m = EmailMessage()
m["From"] = "carol@example.com"
m["To"] = "dave@example.org"
m["Subject"] = "invoice attached"
m["Message-ID"] = "<sm-2@soar-test.invalid>"
m.set_content("see www.example.org/inv\n")
m.add_attachment(b"%PDF-1.4 test\n", maintype="application", subtype="pdf",
                 filename="r\u00e9sum\u00e9.pdf")
msgs.append(dict(m=m, mail_from="carol@example.com", rcpts=["dave@example.org"],
                 subject="invoice attached", urls=["www.example.org/inv"],
                 files=["r\u00e9sum\u00e9.pdf"]))
m = EmailMessage()
m["From"] = "nomid@example.com"
m["To"] = "erin@example.org"
m["Subject"] = "no message id"
m.set_content("https://nomid.example.com/\n")
msgs.append(dict(m=m, mail_from="nomid@example.com", rcpts=["erin@example.org"],
                 subject="no message id", urls=["https://nomid.example.com/"],
                 files=[]))
s = smtplib.SMTP("127.0.0.1", port, timeout=120)
s.ehlo("client.soar-test.invalid")
rec = []
for d in msgs:
    code, resp = s.mail(d["mail_from"])
    assert code == 250, (code, resp)
    for r in d["rcpts"]:
        code, resp = s.rcpt(r)
        assert code == 250, (code, resp)
    code, resp = s.data(d["m"].as_bytes(policy=policy.SMTP))
    if code != 250:
        print("DATA answered", code, resp)
        sys.exit(1)
    q = re.match(rb"2\.0\.0 (\S+) Message accepted", resp)
    if not q:
        print("no queue id in", resp)
        sys.exit(1)
    rec.append(dict(queue_id=q.group(1).decode(), mail_from=d["mail_from"],
                    rcpts=d["rcpts"], subject=d["subject"], urls=d["urls"],
                    files=d["files"], message_id=d["m"]["Message-ID"]))
s.quit()
json.dump(rec, open(out, "w"))
EOF
    fail "SMTP to Sendmail: $(cat "$T/send.log")"
ok "Sendmail accepted 3 messages (one with a Bcc-only recipient)"

wait_count "$SINKREC" '*.json' 3 120 || fail "the sink got $(count "$SINKREC" '*.json') of 3"
ctl wait-unique 3 120 >/dev/null || fail "the SOAR got $(ctl summary) of 3 alerts"
"$PYTHON3" - "$T/sent.json" "$RREC" "$SINKREC" <<'EOF' || fail "alerts or relayed mail are wrong"
import email, glob, json, sys
from email import policy
sent = json.load(open(sys.argv[1]))
alerts = [json.load(open(f)) for f in glob.glob(sys.argv[2] + "/*.json")]
relayed = [email.message_from_binary_file(open(f, "rb"), policy=policy.compat32)
           for f in glob.glob(sys.argv[3] + "/*.eml")]
bad = []
for s in sent:
    hits = [a for a in alerts if a["events"][0].get("queue_id") == s["queue_id"]]
    if len(hits) != 1:
        bad.append("%s: %d alerts" % (s["queue_id"], len(hits)))
        continue
    a = hits[0]
    e = a["events"][0]
    want = {"mode": "milter", "envelope_from": s["mail_from"],
            "envelope_rcpt": ",".join(s["rcpts"]), "Subject": s["subject"],
            "SourceAddress": "127.0.0.1", "helo": "client.soar-test.invalid",
            "url_count": len(s["urls"]), "attachment_count": len(s["files"])}
    if s["message_id"]:
        want["message_id"] = s["message_id"]
    for k, v in want.items():
        if e.get(k) != v:
            bad.append("%s: %s=%r, want %r" % (s["queue_id"], k, e.get(k), v))
    got = [e.get("url_%d" % (i + 1)) for i in range(len(s["urls"]))]
    if sorted(got, key=str) != sorted(s["urls"]):
        bad.append("%s: urls %r, want %r" % (s["queue_id"], got, s["urls"]))
    for i, f in enumerate(s["files"]):
        if e.get("file_name_%d" % (i + 1)) != f:
            bad.append("%s: file_name_%d=%r" % (s["queue_id"], i + 1,
                                                 e.get("file_name_%d" % (i + 1))))
    copies = [m for m in relayed if m["X-SOAR-Alert-Id"] == a["display_id"]]
    if len(copies) != 1:
        bad.append("%s: %d relayed copies with X-SOAR-Alert-Id %s" %
                   (s["queue_id"], len(copies), a["display_id"]))
if bad:
    print("\n".join(bad))
    sys.exit(1)
EOF
ok "every message relayed with X-SOAR-Alert-Id; alerts carry Sendmail's queue id, client, HELO, envelope, Bcc, subject, URLs, attachments"

# The milter down: F= is empty, so Sendmail goes on without it.
stop_milter
"$PYTHON3" - "$SMPORT" >"$T/send-down.log" 2>&1 <<'EOF' ||
import smtplib, sys
s = smtplib.SMTP("127.0.0.1", int(sys.argv[1]), timeout=120)
code, resp = s.ehlo("client.soar-test.invalid")
msg = (b"From: down@example.com\r\nTo: f@example.org\r\n"
       b"Subject: milter down\r\nMessage-ID: <sm-down@soar-test.invalid>\r\n\r\nx\r\n")
r = s.sendmail("down@example.com", ["f@example.org"], msg)
s.quit()
sys.exit(1 if r else 0)
EOF
    fail "with the milter down, Sendmail did not take mail: $(cat "$T/send-down.log")"
wait_count "$SINKREC" '*.json' 4 120 || fail "mail sent while the milter was down was not relayed"
ok "milter stopped: Sendmail still accepts and relays mail (snippet's F= empty)"

kill "$SMPID" 2>/dev/null
exit 0
