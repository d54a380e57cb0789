#!/bin/sh
# backfill.sh - "soar-milter backfill" against a real, private Dovecot:
# every unseen message found (implicit TLS and STARTTLS), alerts equal
# to "soar-milter scan" of the same bytes, \Seen untouched, re-run adds
# nothing, dry run writes nothing, ALL/SINCE/max options, progress and
# summary, and one run that delivers through the fake SOAR.
. "$top_srcdir/tests/lib/dovecot.sh"
it_init

it_load INBOX
[ "$IT_NUNSEEN" -gt 20 ] && [ "$IT_NMSG" -gt "$IT_NUNSEEN" ] ||
    it_fail "test data: $IT_NMSG messages, $IT_NUNSEEN unseen"
dv_imapctl flags INBOX >"$T/flags0" || it_fail "flags"
it_ok "Dovecot up, $IT_NMSG corpus messages in INBOX, $IT_NUNSEEN unseen"

# --- 1. implicit TLS, --output: every unseen message, nothing else
bf backfill --output "$T/out1" --no-progress 2>"$T/run1.log"
rc=$?
[ $rc = 0 ] || it_fail "backfill exit $rc"
[ "$(it_count "$T/out1")" = "$IT_NUNSEEN" ] ||
    it_fail "$(it_count "$T/out1") alerts, want $IT_NUNSEEN"
[ -z "$(find "$T/out1" -maxdepth 1 -name '.*.tmp.*')" ] ||
    it_fail "temporary files left in the output directory"
grep -q "implicit TLS" "$T/run1.log" || it_fail "no connect line"
grep -q "summary total: seen $IT_NUNSEEN, alerted $IT_NUNSEEN, duplicate 0, errors 0" \
    "$T/run1.log" || it_fail "summary line wrong"
it_ok "implicit TLS: $IT_NUNSEEN alerts for $IT_NUNSEEN unseen messages"

dv_imapctl flags INBOX >"$T/flags1"
cmp -s "$T/flags0" "$T/flags1" || it_fail "flags changed by a default run"
it_ok "\\Seen flags untouched"

# --- 2. the same alerts as "scan" of the bytes the server holds
mkdir "$T/export"
dv_imapctl export INBOX "$T/export" >/dev/null || it_fail "export"
"$SOAR_MILTER" -o state_dir="$STATE" scan --now 1 "$T"/export/*.eml \
    >"$T/scan.jsonl" 2>"$T/scan.log" || it_fail "scan failed"
"$PYTHON3" - "$T/scan.jsonl" "$T/out1" "$T/flags0" <<'EOF' ||
import json, os, sys
scan_lines, outdir, flagfile = sys.argv[1:4]
seen = set()
for line in open(flagfile):
    uid, flags = line.rstrip("\n").split("\t")
    if "\\Seen" in flags.split():
        seen.add(uid)
scan = {}
for line in open(scan_lines):
    a = json.loads(line)
    ev = a["events"][0]
    uid = os.path.basename(ev["source_file"])[:-4]
    scan[uid] = a
want = {scan[u]["display_id"]: u for u in scan if u not in seen}
got = {}
for f in os.listdir(outdir):
    if f.endswith(".json"):
        got[f[:-5]] = json.load(open(os.path.join(outdir, f)))
if set(got) != set(want):
    sys.exit("ids differ: only backfill %s, only scan %s" % (
        sorted(set(got) - set(want))[:5], sorted(set(want) - set(got))[:5]))
# what only one mode has; imap_arrival_time is the IMAP INTERNALDATE,
# which a file given to scan does not have (hostile.sh and modes.sh
# check its value)
per_mode = {"mode", "mailbox", "imap_uid", "imap_arrival_time",
            "source_file"}

def norm(a):
    """Drop what differs by mode and time of processing (scan --now 1)."""
    a = json.loads(json.dumps(a))
    a.pop("reason", None)
    for k in ("start_time", "end_time"):
        if a.get(k) == 1:
            a.pop(k)
    for ev in a["events"]:
        for k in list(ev):
            if k in per_mode or ev[k] == 1:
                ev.pop(k)
    return a

bad = 0
for i, uid in want.items():
    g, s = got[i], scan[uid]
    ev = g["events"][0]
    if ev.get("mode") != "imap" or ev.get("mailbox") != "INBOX" or \
            ev.get("imap_uid") != uid or g.get("reason") != "soar-milter imap":
        print("mode fields wrong for uid %s: %r" % (uid, {k: ev.get(k)
              for k in ("mode", "mailbox", "imap_uid")}))
        bad += 1
    gn, sn = norm(g), norm(s)
    for k in ("start_time", "end_time"):
        if k not in sn:
            gn.pop(k, None)
    for ge, se in zip(gn["events"], sn["events"]):
        for k in list(ge):
            if k not in se and k in ("StartTime", "EndTime", "start_time",
                                     "end_time"):
                ge.pop(k)
    if gn != sn:
        bad += 1
        for k in sorted(set(gn) | set(sn)):
            if gn.get(k) != sn.get(k) and k != "events":
                print("uid %s: %s: %r != %r" % (uid, k, gn.get(k), sn.get(k)))
        for k in sorted(set(gn["events"][0]) | set(sn["events"][0])):
            a, b = gn["events"][0].get(k), sn["events"][0].get(k)
            if a != b:
                print("uid %s: event %s: %r != %r" % (uid, k, a, b))
print("compared %d alerts, %d differ" % (len(want), bad))
sys.exit(1 if bad else 0)
EOF
    it_fail "backfill alerts differ from scan alerts"
it_ok "alerts equal scan output (same ids, same fields but mode/mailbox/uid)"

# --- 3. re-run: the checkpoint says all is done, nothing new
bf backfill --output "$T/out1" --no-progress 2>"$T/run2.log" ||
    it_fail "re-run exit $?"
[ "$(it_count "$T/out1")" = "$IT_NUNSEEN" ] || it_fail "re-run wrote alerts"
grep -q "summary total: seen 0, alerted 0" "$T/run2.log" ||
    it_fail "re-run did not resume after the checkpoint"
ckpt=$(find "$T/out1/.checkpoints" -type f ! -name lock)
[ "$(echo "$ckpt" | wc -l)" = 1 ] || it_fail "want one checkpoint file"
head -1 "$ckpt" | grep -q "^soar-milter imap checkpoint 1$" ||
    it_fail "checkpoint format"
grep -q "^uidvalidity $(dv_imapctl uidvalidity INBOX)\$" "$ckpt" ||
    it_fail "checkpoint UIDVALIDITY"
last=$(grep -v 'Seen' "$T/flags0" | tail -1 | cut -f1)
grep -q "^last_uid $last\$" "$ckpt" || it_fail "checkpoint last_uid, want $last"
it_ok "re-run: zero new alerts (resumed after UID $(sed -n 's/^last_uid //p' "$ckpt"))"

# --- 4. dry run: JSON on stdout, no file, no checkpoint, no spool entry
bf -o state_dir="$T/dry" backfill --dry-run --no-progress \
    >"$T/dry.jsonl" 2>"$T/dry.log" || it_fail "dry run exit $?"
[ "$(wc -l <"$T/dry.jsonl")" = "$IT_NUNSEEN" ] || it_fail "dry run lines"
[ -z "$(find "$T/dry" -type f 2>/dev/null)" ] ||
    it_fail "dry run wrote files: $(find "$T/dry" -type f | head -3)"
grep -q "summary total: seen $IT_NUNSEEN, printed (dry run) $IT_NUNSEEN," \
    "$T/dry.log" || it_fail "dry run summary: $(grep summary "$T/dry.log")"
it_ok "dry run: $IT_NUNSEEN alerts printed, no file written"

# --- 5. search options
n=$(bf -o state_dir="$T/dry" -o imap_search=all backfill --dry-run \
    --no-progress 2>/dev/null | wc -l)
[ "$n" = "$IT_NMSG" ] || it_fail "imap_search=all: $n alerts, want $IT_NMSG"
n=$(bf -o state_dir="$T/dry" -o imap_since=2001-01-01 backfill --dry-run \
    --no-progress 2>/dev/null | wc -l)
[ "$n" = "$IT_NUNSEEN" ] || it_fail "imap_since in the past: $n alerts"
n=$(bf -o state_dir="$T/dry" -o imap_since=2999-01-01 backfill --dry-run \
    --no-progress 2>/dev/null | wc -l)
[ "$n" = 0 ] || it_fail "imap_since in the future: $n alerts"
it_ok "imap_search=all ($IT_NMSG), imap_since past/future"

# imap_max_messages: 10, then the next 10, oldest first
bf -o imap_max_messages=10 backfill --output "$T/max" --no-progress \
    2>"$T/max1.log" || it_fail "max run 1"
[ "$(it_count "$T/max")" = 10 ] || it_fail "max: $(it_count "$T/max") alerts"
grep -q "taken this run (imap_max_messages)" "$T/max1.log" ||
    it_fail "no imap_max_messages log line"
bf -o imap_max_messages=10 backfill --output "$T/max" --no-progress \
    2>/dev/null || it_fail "max run 2"
[ "$(it_count "$T/max")" = 20 ] || it_fail "max: second run"
"$PYTHON3" - "$T/max" "$T/flags0" <<'EOF' || it_fail "max: not the oldest UIDs first"
import json, os, sys
d, flagfile = sys.argv[1:3]
uids = sorted(int(json.load(open(os.path.join(d, f)))["events"][0]["imap_uid"])
              for f in os.listdir(d) if f.endswith(".json"))
unseen = [int(l.split("\t")[0]) for l in open(flagfile) if "Seen" not in l]
sys.exit(0 if uids == sorted(unseen)[:20] else 1)
EOF
bf backfill --output "$T/max" --no-progress 2>/dev/null || it_fail "max 3"
[ "$(it_count "$T/max")" = "$IT_NUNSEEN" ] || it_fail "max: rest"
it_ok "imap_max_messages=10: 10 + 10 + rest, resumable"

# --- 6. progress bar when asked (not a terminal here)
bf -o state_dir="$T/dry" backfill --dry-run --progress >/dev/null \
    2>"$T/bar.log" || it_fail "progress run"
grep -q "msg/s ETA" "$T/bar.log" && tr '\r' '\n' <"$T/bar.log" |
    grep -q "INBOX: $IT_NUNSEEN/$IT_NUNSEEN (100%)" ||
    it_fail "no progress bar"
it_ok "progress bar (count/total, rate, ETA)"

# --- 7. STARTTLS, through the spool and the sender to the fake SOAR
KEY="k-$$-$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')"
(umask 077; printf '%s\n' "$KEY" >"$T/appkey")
it_bg "$PYTHON3" "$top_srcdir/tests/lib/soar_receiver.py" \
    --port-file "$T/soar.port" --record "$T/soar.rec" --app-key "$KEY" \
    --max-seconds 600
i=0
while [ ! -s "$T/soar.port" ]; do
	i=$((i + 1))
	[ $i -le 200 ] || it_fail "soar_receiver.py did not start"
	sleep 0.05
done
bf -o state_dir="$T/st2" -o imap_tls=starttls -o imap_port="$DV_IMAP_PORT" \
    -o soar_api=sdk -o soar_url="http://127.0.0.1:$(cat "$T/soar.port")" \
    -o soar_key_file="$T/appkey" -o retry_initial=1 -o retry_max=2 \
    backfill --no-progress 2>"$T/run7.log"
rc=$?
[ $rc = 0 ] || it_fail "STARTTLS/spool run exit $rc"
grep -q "(STARTTLS)" "$T/run7.log" || it_fail "not STARTTLS"
it_ids "$T/out1" >"$T/ids1"
find "$T/soar.rec" -name '*.json' | sed 's|.*/||; s|\.json$||' | sort \
    >"$T/ids7"
cmp -s "$T/ids1" "$T/ids7" ||
    it_fail "the SOAR got $(wc -l <"$T/ids7") alerts, want the $IT_NUNSEEN of run 1"
[ -z "$(find "$T/st2/spool/new" -type f)" ] || it_fail "spool not drained"
[ "$(find "$T/st2/sent" -type f ! -name '.*' | wc -l)" = "$IT_NUNSEEN" ] ||
    it_fail "sent record"
"$PYTHON3" - "$T/soar.rec" <<'EOF' || it_fail "alerts at the SOAR are not imap alerts"
import json, os, sys
d = sys.argv[1]
for f in os.listdir(d):
    if f.endswith(".json") and not f.startswith("_"):
        a = json.load(open(os.path.join(d, f)))
        ev = a["events"][0]
        assert ev["mode"] == "imap" and ev["mailbox"] == "INBOX", f
EOF
! grep -q "$DV_PASS" "$T/run7.log" || it_fail "password in the log"
it_ok "STARTTLS: $IT_NUNSEEN alerts spooled and delivered to the fake SOAR"

# The same mailbox again without the checkpoint: the sent record of the
# spool stops repeats
rm -rf "$T/st2/imap"
bf -o state_dir="$T/st2" -o soar_api=none backfill --no-progress \
    2>"$T/run8.log" || it_fail "re-scan exit $?"
grep -q "alerted 0, duplicate $IT_NUNSEEN" "$T/run8.log" ||
    it_fail "re-scan without checkpoint alerted again"
it_ok "no checkpoint, same spool: $IT_NUNSEEN duplicates, 0 alerts"

# --- several folders, one with a non-ASCII name (sent in modified
# UTF-7), each with its own checkpoint and summary line
printf 'From: a@example.test\r\nSubject: in a UTF-8 folder\r\nMessage-ID: <utf7-1@example.test>\r\n\r\nhttps://utf7.example.test/\r\n' \
    >"$T/u1.eml"
dv_imapctl append 'Entw&APw-rfe&-Co' "$T/u1.eml" >/dev/null ||
    it_fail "append to the UTF-7 folder"
bf -o state_dir="$T/st9" -o "imap_folders=INBOX,Entwürfe&Co" backfill \
    --output "$T/out9" --no-progress 2>"$T/run9.log" || it_fail "two folders: exit $?"
[ "$(it_count "$T/out9")" = $((IT_NUNSEEN + 1)) ] || it_fail "two folders: alerts"
grep -q "summary INBOX: seen $IT_NUNSEEN" "$T/run9.log" &&
    grep -q "summary Entwürfe&Co: seen 1, alerted 1" "$T/run9.log" ||
    it_fail "per-folder summary lines"
[ "$(find "$T/out9/.checkpoints" -type f ! -name lock | wc -l)" = 2 ] ||
    it_fail "want one checkpoint per folder"
grep -l '"mailbox":"Entwürfe&Co"' "$T"/out9/*.json >/dev/null ||
    it_fail "the alert does not name the folder in UTF-8"
it_ok "two folders, one named in UTF-8 (modified UTF-7 on the wire)"

dv_imapctl flags INBOX >"$T/flags2"
cmp -s "$T/flags0" "$T/flags2" || it_fail "flags changed"
it_ok "\\Seen flags still untouched after every run"
exit 0
