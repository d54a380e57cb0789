#!/bin/sh
# modes.sh - backfill options and state against a private Dovecot:
# - a wider imap_search / imap_since than the checkpoint's sweeps the
#   folder again (the checkpoint records them); nothing alerted twice;
#   a checkpoint from before they were recorded: no sweep
# - a message over max_message_bytes gives scan's alert (truncated...)
# - a folder named with "&" (R&D)
# - the arrival time (INTERNALDATE) in a field of its own
# - --dry-run / --output leave a missing state_dir missing
. "$top_srcdir/tests/lib/dovecot.sh"
it_init

# ckpt_of DIR - the one checkpoint file below DIR
ckpt_of()
{
	_c=$(find "$1" -type f ! -name lock ! -name '.*')
	[ "$(printf '%s\n' "$_c" | wc -l)" = 1 ] && [ -n "$_c" ] ||
	    it_fail "want one checkpoint below $1, have: $_c"
	printf '%s\n' "$_c"
}

# mkmsg N - a small message with a Date and a Message-ID
mkmsg()
{
	printf 'From: Sender %s <s%s@example.test>\r\nTo: r@example.test\r\nSubject: sweep %s\r\nDate: Mon, 2 Mar 2026 09:00:%02d +0000\r\nMessage-ID: <sweep-%s@example.test>\r\n\r\nhttps://sweep.example.test/%s\r\n' \
	    "$1" "$1" "$1" "$1" "$1" "$1" >"$T/m$1.eml"
}

# --- search: imap_search unseen, then all: the \Seen ones are alerted, once
for i in 1 2 3 4 5; do mkmsg $i; done
dv_imapctl append Sweep "$T/m1.eml" "$T/m2.eml" "$T/m3.eml" >/dev/null &&
    dv_imapctl append --seen Sweep "$T/m4.eml" "$T/m5.eml" >/dev/null ||
    it_fail "APPEND to Sweep"
# sw ARGS... - backfill of Sweep through the spool (soar_api = none:
# delivered to the outbox, so the sent record is kept)
sw()
{
	bf -o state_dir="$T/sw" -o soar_api=none -o imap_folders=Sweep "$@" \
	    backfill --no-progress
}
sw 2>"$T/sw1.log" || it_fail "unseen run: exit $?"
grep -q "summary total: seen 3, alerted 3, duplicate 0" "$T/sw1.log" ||
    it_fail "unseen run: summary"
ck=$(ckpt_of "$T/sw/imap")
grep -q "^search unseen$" "$ck" && grep -q "^since -$" "$ck" ||
    it_fail "the checkpoint does not record the search: $(cat "$ck")"
sw -o imap_search=all 2>"$T/sw2.log" || it_fail "all run: exit $?"
grep -q "summary total: seen 5, alerted 2, duplicate 3" "$T/sw2.log" ||
    it_fail "all run: want the 2 \\Seen messages alerted, the 3 others duplicates"
grep -q "info: .*Sweep: .*scanning the folder again from UID 1" \
    "$T/sw2.log" || it_fail "all run: no log line for the new sweep"
grep -q "^search all$" "$ck" || it_fail "the checkpoint keeps the old search"
[ "$(find "$T/sw/sent" -type f ! -name '.*' | wc -l)" = 5 ] ||
    it_fail "sent record: want 5 alerts"
[ "$(find "$T/sw/outbox" -type f -name '*.json' | wc -l)" = 5 ] ||
    it_fail "outbox: want 5 alerts"
it_ok "imap_search unseen then all: the 2 \\Seen messages alerted, nothing twice"

# the same search again, or a narrower one: nothing to sweep again
sw -o imap_search=all 2>"$T/sw3.log" || it_fail "all again: exit $?"
grep -q "summary total: seen 0, alerted 0" "$T/sw3.log" ||
    it_fail "all again: swept again"
sw 2>"$T/sw4.log" || it_fail "unseen after all: exit $?"
grep -q "summary total: seen 0, alerted 0" "$T/sw4.log" ||
    it_fail "unseen after all: a narrower search swept again"
sw -o imap_search=all -o imap_since=2001-01-01 2>"$T/sw5.log" ||
    it_fail "since run: exit $?"
grep -q "summary total: seen 0, alerted 0" "$T/sw5.log" ||
    it_fail "imap_since added: a narrower search swept again"
it_ok "same or narrower search (unseen, a since date): no new sweep"

# imap_since recorded: dropping it widens the search again
sed -i 's/^since .*/since 2030-01-01/' "$ck"
sw -o imap_search=all 2>"$T/sw6.log" || it_fail "since dropped: exit $?"
grep -q "summary total: seen 5, alerted 0, duplicate 5" "$T/sw6.log" ||
    it_fail "imap_since dropped: want a new sweep of 5 duplicates"
grep -q "^since -$" "$ck" || it_fail "the checkpoint keeps the old since"
it_ok "a wider since: swept again, 5 duplicates"

# a checkpoint written before these lines existed is for this run's
# search: no sweep on the first run after an upgrade (sent_retention may
# have forgotten what was sent), and that run records the lines
old_ckpt()
{
	grep -v '^search \|^since ' "$ck" >"$T/old.ckpt" &&
	    cat "$T/old.ckpt" >"$ck" || it_fail "cannot write an old checkpoint"
	! grep -q '^search \|^since ' "$ck" || it_fail "old checkpoint: lines left"
}
old_ckpt
sw -o imap_search=all 2>"$T/sw7.log" || it_fail "old checkpoint, all: exit $?"
grep -q "summary total: seen 0, alerted 0" "$T/sw7.log" ||
    it_fail "old checkpoint + imap_search=all: swept again"
! grep -q "scanning the folder again" "$T/sw7.log" ||
    it_fail "old checkpoint + imap_search=all: logs a sweep"
grep -q "^search all$" "$ck" && grep -q "^since -$" "$ck" ||
    it_fail "old checkpoint, all: lines not recorded: $(cat "$ck")"
grep -q "^last_uid 5$" "$ck" ||
    it_fail "old checkpoint, all: last_uid moved: $(cat "$ck")"
[ "$(find "$T/sw/outbox" -type f -name '*.json' | wc -l)" = 5 ] ||
    it_fail "old checkpoint, all: new alerts in the outbox"
old_ckpt
sw 2>"$T/sw8.log" || it_fail "old checkpoint, unseen: exit $?"
grep -q "summary total: seen 0, alerted 0" "$T/sw8.log" ||
    it_fail "old checkpoint + unseen: swept again"
grep -q "^search unseen$" "$ck" && grep -q "^since -$" "$ck" ||
    it_fail "old checkpoint, unseen: lines not recorded: $(cat "$ck")"
# what was recorded counts: all after the recorded unseen sweeps
sw -o imap_search=all 2>"$T/sw9.log" || it_fail "all after unseen: exit $?"
grep -q "summary total: seen 5, alerted 0, duplicate 5" "$T/sw9.log" ||
    it_fail "recorded unseen, then all: want a sweep of 5 duplicates"
it_ok "a checkpoint without the lines is for this run's search: no sweep, lines recorded"

# --- big: a message over max_message_bytes: the alert scan gives
"$PYTHON3" - "$T" <<'EOF' || it_fail "cannot write the big messages"
import sys
d = sys.argv[1]
for n, mid in ((1, "Message-ID: <big-1@example.test>\r\n"), (2, "")):
    head = ("From: Big <big@example.test>\r\nTo: r@example.test\r\n"
            "Subject: big %d\r\nDate: Mon, 2 Mar 2026 11:00:00 +0000\r\n%s"
            "\r\n" % (n, mid))
    body = "".join("line %d of a big message https://big%d.example.test/%d\r\n"
                   % (i, n, i) for i in range(6000))
    open("%s/big%d.eml" % (d, n), "w", newline="").write(head + body)
EOF
dv_imapctl append Big "$T/big1.eml" "$T/big2.eml" >/dev/null ||
    it_fail "APPEND to Big"
bf -o state_dir="$T/big" -o imap_folders=Big -o max_message_bytes=65536 \
    backfill --output "$T/out-big" --no-progress 2>"$T/big.log" ||
    it_fail "big: exit $?"
mkdir "$T/export-big"
dv_imapctl export Big "$T/export-big" >/dev/null || it_fail "export Big"
"$SOAR_MILTER" -c /dev/null -o max_message_bytes=65536 scan --now 1 \
    "$T"/export-big/*.eml >"$T/big-scan.jsonl" || it_fail "big: scan"
"$PYTHON3" - "$T/big-scan.jsonl" "$T/out-big" <<'EOF' || it_fail "big: backfill alerts differ from scan's"
import json, os, sys
scan = {}
for line in open(sys.argv[1]):
    a = json.loads(line)
    scan[a["display_id"]] = a
got = {f[:-5]: json.load(open(os.path.join(sys.argv[2], f)))
       for f in os.listdir(sys.argv[2]) if f.endswith(".json")}
assert set(got) == set(scan), (sorted(got), sorted(scan))
# what only one mode has (imap_arrival_time: the INTERNALDATE, which a
# file given to scan does not have), and the mode's own words
per_mode = {"mode", "mailbox", "imap_uid", "imap_arrival_time",
            "source_file"}
def norm(a):
    a = json.loads(json.dumps(a))
    a.pop("reason")
    ev = a["events"][0]
    for k in per_mode:
        ev.pop(k, None)
    return a
for i in got:
    ev = got[i]["events"][0]
    assert "message_bytes" in ev.get("truncated", ""), ev.get("truncated")
    assert ev["message_size"] > 300000, ev["message_size"]
    if norm(got[i]) != norm(scan[i]):
        g, s = norm(got[i])["events"][0], norm(scan[i])["events"][0]
        sys.exit("%s: %r" % (i, {k: (g.get(k), s.get(k)) for k in
                                 set(g) | set(s) if g.get(k) != s.get(k)}))
print("%d big alerts equal scan's" % len(got))
EOF
it_ok "over max_message_bytes: truncated message_bytes, same alert as scan"

# --- rd: a folder named "R&D": sent as R&-D, reported as R&D
mkmsg 6
dv_imapctl append 'R&-D' "$T/m6.eml" >/dev/null || it_fail "APPEND to R&D"
bf -o state_dir="$T/rd" -o 'imap_folders=R&D' backfill \
    --output "$T/out-rd" --no-progress 2>"$T/rd.log" ||
    it_fail "R&D: exit $?"
[ "$(it_count "$T/out-rd")" = 1 ] || it_fail "R&D: want 1 alert"
grep -q '"mailbox":"R&D"' "$T"/out-rd/*.json ||
    it_fail "R&D: the alert does not name the folder as configured"
grep -q "summary total: seen 1, alerted 1" "$T/rd.log" ||
    it_fail "R&D: summary"
it_ok "folder R&D (R&-D on the wire) read, named R&D in the alert"

# --- arrival: the arrival time: INTERNALDATE, a field of its own
mkmsg 1
"$PYTHON3" - "$DV_IMAP_PORT" "$DV_CA" "$DV_USER" "$DV_PASSFILE" \
    "$T/m1.eml" <<'EOF' || it_fail "APPEND with an internal date"
import imaplib, socket, ssl, sys
port, ca, user, pwfile, msg = sys.argv[1:6]
socket.setdefaulttimeout(60)
m = imaplib.IMAP4("localhost", int(port))
m.starttls(ssl_context=ssl.create_default_context(cafile=ca))
m.login(user, open(pwfile).readline().rstrip("\r\n"))
m.create("Dated")
typ, _ = m.append("Dated", None, '"02-Mar-2026 10:00:00 +0000"',
                  open(msg, "rb").read())
assert typ == "OK", typ
m.logout()
EOF
bf -o state_dir="$T/dated" -o imap_folders=Dated backfill --dry-run \
    --no-progress >"$T/dated.jsonl" 2>"$T/dated.log" ||
    it_fail "dated: exit $?"
"$PYTHON3" - "$T/dated.jsonl" <<'EOF' || it_fail "dated: arrival time"
import json, sys
a = [json.loads(l) for l in open(sys.argv[1])]
assert len(a) == 1, len(a)
ev = a[0]["events"][0]
assert ev["imap_arrival_time"] == 1772445600000, ev.get("imap_arrival_time")
# start_time stays the Date header (09:00:01), the id is the Message-ID's
assert a[0]["start_time"] == 1772442001000 == ev["StartTime"], a[0]["start_time"]
assert ev["time_source"] == "date_header", ev["time_source"]
EOF
it_ok "imap_arrival_time = INTERNALDATE, start_time = Date header"

# --- state: --dry-run and --output create nothing under a missing state_dir
bf -o state_dir="$T/missing" -o imap_folders=Sweep backfill --dry-run \
    --no-progress >"$T/miss.jsonl" 2>"$T/miss1.log" ||
    it_fail "dry run, no state_dir: exit $?"
[ "$(wc -l <"$T/miss.jsonl")" = 3 ] || it_fail "dry run, no state_dir: alerts"
bf -o state_dir="$T/missing" -o imap_folders=Sweep backfill \
    --output "$T/out-miss" --no-progress 2>"$T/miss2.log" ||
    it_fail "--output, no state_dir: exit $?"
[ "$(it_count "$T/out-miss")" = 3 ] || it_fail "--output, no state_dir: alerts"
[ ! -e "$T/missing" ] ||
    it_fail "created below state_dir: $(find "$T/missing" | head -5)"
for l in "$T/miss1.log" "$T/miss2.log"; do
	[ "$(grep -c "info: .*no spool at .*: no check for alerts already" \
	    "$l")" = 1 ] || it_fail "$l: want one info line about the spool"
done
it_ok "--dry-run and --output: a missing state_dir stays missing"
exit 0
