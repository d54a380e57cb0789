#!/bin/sh
# hostile.sh - the IMAP reader against a server that lies or breaks
# (tests/lib/fake_imapd.py): message bytes that look like IMAP responses
# stay message bytes, items in any order, unsolicited FETCH ignored; a
# 2 GB literal, an endless line, 100 literals, garbage, BYE mid-FETCH
# and a server that stops answering after login all end in a clear
# error, the right exit code, bounded time, and no state written.  A
# FETCH refused, or answered without the message (BODY[] NIL), is an
# error for those UIDs (exit 19) and the checkpoint stays before them;
# a body sent as a quoted string is unescaped; attach_eml attaches a
# message whole when less than the FETCH limit came, whatever its size.
. "$top_srcdir/tests/lib/dovecot.sh"
it_init			# for the certificate and CA (Dovecot itself idle)

# fake MODE - start fake_imapd.py in MODE; sets FPORT
fake()
{
	rm -f "$T/fake.port"
	it_bg "$PYTHON3" "$top_srcdir/tests/lib/fake_imapd.py" \
	    --port-file "$T/fake.port" --cert "$T/dovecot/server.crt" \
	    --key "$T/dovecot/server.key" --mode "$1" --max-seconds 60 \
	    --max-conns 1
	FPID=$IT_BG
	i=0
	while [ ! -s "$T/fake.port" ]; do
		i=$((i + 1))
		[ $i -le 200 ] || it_fail "fake_imapd.py did not start"
		sleep 0.05
	done
	FPORT=$(cat "$T/fake.port")
}

# run MODE [OPTION...] - backfill --output against the fake server, with
# more -o options; sets RC
run()
{
	_m=$1
	shift
	fake "$_m"
	rm -rf "$T/out-$_m" "$T/st-$_m"
	bf -o state_dir="$T/st-$_m" -o imap_port="$FPORT" -o imap_timeout=3 \
	    "$@" backfill --output "$T/out-$_m" --no-progress >/dev/null \
	    2>"$T/$_m.log"
	RC=$?
	kill "$FPID" 2>/dev/null
	wait "$FPID" 2>/dev/null
}

# --- lines in message bodies that look like protocol
run injection
[ $RC = 0 ] || it_fail "injection: exit $RC"
[ "$(it_count "$T/out-injection")" = 2 ] || it_fail "injection: alerts"
"$PYTHON3" - "$T/out-injection" <<'EOF' || it_fail "injection: content"
import json, os, sys
d = sys.argv[1]
got = {}
for f in os.listdir(d):
    if f.endswith(".json"):
        ev = json.load(open(os.path.join(d, f)))["events"][0]
        got[ev["imap_uid"]] = ev
one, two = got["1"], got["2"]
assert one["Subject"] == "injection one", one
assert two["Subject"] == "injection two", two
# the whole literal is the message: its size, and the URL after the
# lines that look like responses
assert one["message_size"] == 206, one["message_size"]
assert two["message_size"] == 144, two["message_size"]
assert "https://evil.example.test/x" in one.get("found_url", ""), one
# INTERNALDATE is the arrival time, a field of its own (not StartTime:
# the Date header is missing, so that is the time of processing)
assert one["imap_arrival_time"] == 1772445600000, one
assert one["StartTime"] != 1772445600000, one
assert "imap_arrival_time" not in two, two
EOF
grep -q "checkpoint" "$T/injection.log" && it_fail "checkpoint problem"
grep -q "^last_uid 2$" "$T/out-injection/.checkpoints"/*/[0-9a-f]* ||
    it_fail "injection: checkpoint"
it_ok "response look-alikes inside literals stay message bytes"

# --- broken servers: exit code, message, nothing written
broken()
{
	_mode=$1 _code=$2 _pat=$3
	start=$(date +%s)
	run "$_mode"
	took=$(($(date +%s) - start))
	[ "$RC" = "$_code" ] || it_fail "$_mode: exit $RC, want $_code"
	grep error: "$T/$_mode.log" | grep -q -- "$_pat" ||
	    it_fail "$_mode: no \"$_pat\" in the error line"
	[ "$(it_count "$T/out-$_mode")" = 0 ] || it_fail "$_mode: alerts"
	[ -z "$(find "$T/out-$_mode/.checkpoints" -type f \
	    -newer "$T/fake.port" ! -name lock -size +0 2>/dev/null |
	    xargs grep -l 'last_uid [1-9]' 2>/dev/null)" ] ||
	    it_fail "$_mode: the checkpoint moved"
	[ $took -le 20 ] || it_fail "$_mode: took $took s"
	it_ok "$_mode: exit $_code, \"$(grep error: "$T/$_mode.log" |
	    sed 's/^soar-milter: error: -: imap: //' | cut -c1-80)\""
}
broken hugelit 15 "literal of 2000000000 bytes"
broken longline 15 "longer than"
broken manylits 15 "more than 16 literals"
broken garbage 15 "unexpected response"
broken stall 14 "no answer for 3 seconds"

# --- the connection ends after the first message: that one is kept
run bye
[ $RC = 15 ] || it_fail "bye: exit $RC, want 15"
grep error: "$T/bye.log" | grep -q "closed the connection: going away" ||
    it_fail "bye: error line"
[ "$(it_count "$T/out-bye")" = 1 ] || it_fail "bye: want the 1 alert"
grep -q "^last_uid 1$" "$T/out-bye/.checkpoints"/*/[0-9a-f]* ||
    it_fail "bye: the checkpoint does not keep the finished message"
it_ok "bye mid-FETCH: exit 15, the message before it alerted and checkpointed"
# --- FETCH refused for one message: the other alerted, exit 19, and
# the checkpoint stops before the missing one (retried next run)
run fetchno
[ $RC = 19 ] || it_fail "fetchno: exit $RC, want 19"
[ "$(it_count "$T/out-fetchno")" = 1 ] || it_fail "fetchno: want 1 alert"
grep -q "summary total: seen 1, alerted 1, duplicate 0, errors 1" \
    "$T/fetchno.log" || it_fail "fetchno: summary"
grep -q "^last_uid 1$" "$T/out-fetchno/.checkpoints"/*/[0-9a-f]* ||
    it_fail "fetchno: checkpoint"
it_ok "FETCH NO: exit 19, errors 1, checkpoint before the missing message"

# --- a FETCH that names a UID but gives no body ("BODY[] NIL", as
# Exchange answers for an item it cannot convert, or no BODY[] at all):
# an error for that UID, never "gone"; a UID absent from the answer
# (expunged meanwhile) is gone; the checkpoint stops before the first
# failed UID and the others are alerted
run bodynil
[ $RC = 19 ] || it_fail "bodynil: exit $RC, want 19"
[ "$(it_count "$T/out-bodynil")" = 2 ] || it_fail "bodynil: want 2 alerts"
grep -q "summary total: seen 2, alerted 2, duplicate 0, errors 2, gone before FETCH 1" \
    "$T/bodynil.log" || it_fail "bodynil: summary"
grep error: "$T/bodynil.log" | grep -q "INBOX:2: .*no message body" ||
    it_fail "bodynil: no error line for UID 2"
grep error: "$T/bodynil.log" | grep -q "INBOX:4: .*no message body" ||
    it_fail "bodynil: no error line for UID 4"
grep -q "^last_uid 1$" "$T/out-bodynil/.checkpoints"/*/[0-9a-f]* ||
    it_fail "bodynil: the checkpoint moved past UID 2"
it_ok "BODY[] NIL / no body: exit 19, errors 2, checkpoint before UID 2"

# --- a body sent as a quoted string: its escapes (\\ and \") are undone
run quoted
[ $RC = 0 ] || it_fail "quoted: exit $RC"
"$PYTHON3" - "$T/out-quoted" <<'EOF' || it_fail "quoted: escapes kept"
import json, os, sys
d = sys.argv[1]
a = [json.load(open(os.path.join(d, f))) for f in os.listdir(d)
     if f.endswith(".json")]
assert len(a) == 1, a
ev = a[0]["events"][0]
want = 'say "hi" to C:\\temp\\x'
assert ev["Subject"] == want, ev["Subject"]
assert ev["message_size"] == len("Subject: " + want), ev["message_size"]
EOF
it_ok "a body sent as a quoted string is unescaped"

# --- attach_eml: a message is whole when the server sent less than the
# partial FETCH asked for, whatever RFC822.SIZE says (an estimate, or 0)
run sizes -o attach_eml=yes -o max_message_bytes=65536
[ $RC = 0 ] || it_fail "sizes: exit $RC"
"$PYTHON3" - "$T/out-sizes" <<'EOF' || it_fail "sizes: attach_eml wrong"
import base64, json, os, sys
d = sys.argv[1]
got = {}
for f in os.listdir(d):
    if f.endswith(".json"):
        a = json.load(open(os.path.join(d, f)))
        got[a["events"][0]["imap_uid"]] = a
assert sorted(got) == ["1", "2", "3"], sorted(got)
n = 2 * 65536 + 2                   # the FETCH limit
for uid, size in (("1", 2000), ("3", n - 1)):
    a = got[uid]
    att = a["attachments"]
    assert len(att) == 1, (uid, att)
    raw = base64.b64decode(att[0]["base64_blob"])
    assert len(raw) == size and att[0]["orig_size"] == size, (uid, len(raw))
    assert raw.startswith(b"From: s@example.test"), uid
    assert "eml_attachment" not in a["events"][0].get("truncated", ""), uid
a = got["2"]
assert a["attachments"] == [], a["attachments"]
assert "eml_attachment" in a["events"][0]["truncated"], a["events"][0]
EOF
it_ok "attach_eml: whole below the FETCH limit (size estimate or 0), cut at it: none"
exit 0
