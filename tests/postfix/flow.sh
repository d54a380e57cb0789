#!/bin/sh
# flow.sh - real Postfix -> soar-milter -> fake SOAR, end to end.
#
# A content suite goes over SMTP into a private Postfix: several
# recipients incl. one only in the envelope (Bcc), RFC 2047 subjects and
# display names, HTML with links, attachments (RFC 2231 name), a message
# without Message-ID and a 20 MB message (past max_message_bytes).
# Every message must reach the sink unchanged but for X-SOAR-Alert-Id,
# and every alert must reach the SOAR with client IP, envelope sender,
# all recipients, Postfix's queue id, subject, URLs and attachments.
. "$top_srcdir/tests/postfix/common.sh"

start_receiver
start_sink
start_milter milter -o add_header=yes
start_postfix

"$PYTHON3" "$PFT/smtpsend.py" --port "$PF_PORT" suite --out "$T/suite.json" \
    >"$T/send.log" 2>&1 || fail "SMTP errors: $(cat "$T/send.log")"
n=$("$PYTHON3" -c 'import json, sys; print(len(json.load(open(sys.argv[1]))))' \
    "$T/suite.json")
[ "$n" -ge 4 ] || fail "only $n messages sent"
ok "Postfix accepted all $n messages (no SMTP error)"

wait_count "$SINKREC" '*.json' "$n" 180 || fail "the sink got $(count "$SINKREC" '*.json') of $n"
ctl wait-unique "$n" 120 >/dev/null || fail "the SOAR got $(ctl summary) of $n alerts"
"$PYTHON3" "$PFT/check.py" suite "$T/suite.json" "$RREC" "$SINKREC" ||
    fail "alerts or relayed mail are wrong"
ok "every message relayed with its X-SOAR-Alert-Id; every alert complete"

# same engine, same id: scan of the relayed copies agrees with the milter
"$SOAR_MILTER" scan "$SINKREC"/*.eml >"$T/scan.jsonl" 2>"$T/scan.log" ||
    fail "soar-milter scan of the relayed copies"
"$PYTHON3" "$PFT/check.py" parity "$T/scan.jsonl" "$RREC" ||
    fail "scan and milter disagree"
ok "scan of the relayed mail gives the milter's ids, subjects, URLs, attachments"

# Local submission (Postfix's sendmail command -> pickup -> cleanup) with
# non_smtpd_milters = $smtpd_milters, as the README tells admins: the
# milter sees no SMTP client, Postfix simulates one.
pf_conf 'non_smtpd_milters=$smtpd_milters' || fail "postconf non_smtpd_milters"
LMID="local-$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')@soar-test.invalid"
printf 'From: Local Sender <local@example.com>\nTo: x@example.org\nSubject: =?utf-8?q?local_submission_=E2=9C=93?=\nMessage-ID: <%s>\n\nsee https://local-submit.example.com/p?x=1\n' \
    "$LMID" | /usr/sbin/sendmail -C "$PF_DIR/etc" -f local@example.com \
    x@example.org bcc-local@example.org ||
    fail "sendmail -C (local submission) exit $?"
wait_count "$SINKREC" '*.json' $((n + 1)) 120 ||
    fail "the locally submitted message did not reach the sink"
ctl wait-unique $((n + 1)) 120 >/dev/null ||
    fail "no alert for the locally submitted message ($(ctl summary))"
"$PYTHON3" - "$RREC" "<$LMID>" <<'EOF' || fail "alert of the local submission"
import glob, json, sys
want = sys.argv[2]
for f in glob.glob(sys.argv[1] + "/*.json"):
    a = json.load(open(f))
    e = a["events"][0]
    if e.get("message_id") != want:
        continue
    bad = []
    for k, v in (("mode", "milter"), ("envelope_from", "local@example.com"),
                 ("envelope_rcpt", "x@example.org,bcc-local@example.org"),
                 ("Subject", "local submission \u2713"),
                 ("found_url", "https://local-submit.example.com/p?x=1"),
                 ("from_name", "Local Sender")):
        if e.get(k) != v:
            bad.append("%s=%r (want %r)" % (k, e.get(k), v))
    if not e.get("queue_id"):
        bad.append("no queue_id")
    if bad:
        print("local submission alert:", "; ".join(bad))
        sys.exit(1)
    sys.exit(0)
print("no alert with message_id", want)
sys.exit(1)
EOF
ok "local submission (sendmail command, non_smtpd_milters): relayed, alert with envelope, Bcc, queue id, URL"

no_deferral
ok "queue empty, nothing deferred"

# one log line per message, keyed by Postfix's queue id, with its time
# (-f to a file, not the journal)
"$PYTHON3" - "$T/suite.json" "$MLOG" <<'EOF' || fail "milter log lines"
import json, re, sys
sent = json.load(open(sys.argv[1]))
log = open(sys.argv[2]).read()
bad = [m["queue_id"] for m in sent
       if not re.search(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d "
                        r"soar-milter: info: %s: milter: alert \S+ spooled" %
                        re.escape(m["queue_id"]), log, re.M)]
if bad:
    print("no spooled line for", bad)
    sys.exit(1)
EOF
! grep -q "$KEY" "$MLOG" || fail "the AppKey appears in the milter log"
ok "one log line per message keyed by the queue id; no secret logged"

stop_milter
ok "clean stop"
exit 0
