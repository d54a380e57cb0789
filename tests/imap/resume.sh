#!/bin/sh
# resume.sh - interrupted runs resume, skipping nothing and duplicating
# nothing: kill -9 mid-run then re-run (every alert reaches the fake SOAR
# exactly once), SIGINT (exit 18, checkpoint = what was written, re-run
# finds no duplicate), and a UIDVALIDITY change (folder recreated with
# the same messages: re-scanned, no duplicate).
. "$top_srcdir/tests/lib/dovecot.sh"
it_init
N=2000

# Two folders of N small messages each, written straight into the
# Maildir (the server picks them up when the folder is opened).
for f in Bulk Bulk2 Bulk3; do
	n=$(dv_imapctl maildir-fill "$f" "$DV_MAILDIR" --count $N \
	    --prefix "$f") || it_fail "maildir-fill $f"
	[ "$n" = $N ] || it_fail "maildir-fill wrote $n"
done
[ "$(id -u)" != 0 ] || chown -R "$DV_MAIL_OWNER" "$DV_MAILDIR"
# the ids "scan" gives for the bytes the server holds
mkdir "$T/exp"
[ "$(dv_imapctl export Bulk "$T/exp")" = $N ] || it_fail "export"
find "$T/exp" -name '*.eml' | xargs "$SOAR_MILTER" -o state_dir="$T/x" \
    scan --now 1 2>/dev/null | "$PYTHON3" -c '
import json, sys
for l in sys.stdin:
    print(json.loads(l)["display_id"])' | sort >"$T/want"
[ "$(wc -l <"$T/want")" = $N ] || it_fail "scan ids"
[ "$(sort -u "$T/want" | wc -l)" = $N ] || it_fail "scan ids not unique"
it_ok "$N messages in each of Bulk, Bulk2, Bulk3"

# --- kill -9 mid-run, through the spool to the fake SOAR
KEY="k-$$-$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')"
(umask 077; printf '%s\n' "$KEY" >"$T/appkey")
it_bg "$PYTHON3" "$top_srcdir/tests/lib/soar_receiver.py" \
    --port-file "$T/soar.port" --record "$T/soar.rec" --app-key "$KEY" \
    --max-seconds 900
i=0
while [ ! -s "$T/soar.port" ]; do
	i=$((i + 1)); [ $i -le 200 ] || it_fail "receiver"; sleep 0.05
done
SOAR="-o soar_api=sdk -o soar_url=http://127.0.0.1:$(cat "$T/soar.port")
    -o soar_key_file=$T/appkey -o retry_initial=1 -o retry_max=2"
# shellcheck disable=SC2086
bf_kill9_at "$STATE/spool/new" 300 "$T/k9a.log" -o imap_folders=Bulk \
    -o imap_batch=50 $SOAR backfill --no-progress
at_kill=$(spool_count_after_crash "$STATE")
[ "$at_kill" -lt $N ] || it_fail "the run ended before kill -9"
last=$(ckpt_last "$STATE/imap")
[ -n "$last" ] && [ "$last" -le "$at_kill" ] ||
    it_fail "checkpoint $last is ahead of the spool ($at_kill)"
[ "$(find "$STATE/sent" -type f ! -name '.*' | wc -l)" = 0 ] ||
    it_fail "something was sent before the end of the run"
it_ok "kill -9 after $at_kill of $N alerts spooled (checkpoint: UID $last)"

# shellcheck disable=SC2086
bf -o imap_folders=Bulk -o imap_batch=50 $SOAR backfill --no-progress \
    2>"$T/k9b.log"
rc=$?
[ $rc = 0 ] || it_fail "re-run after kill -9: exit $rc"
dup=$(sed -n 's/.*summary total: seen [0-9]*, alerted [0-9]*, duplicate \([0-9]*\).*/\1/p' "$T/k9b.log")
alerted=$(sed -n 's/.*summary total: seen [0-9]*, alerted \([0-9]*\).*/\1/p' "$T/k9b.log")
[ "$dup" = $((at_kill - last)) ] ||
    it_fail "re-run: $dup duplicates, want $((at_kill - last))"
[ $((alerted + at_kill)) = $N ] ||
    it_fail "re-run alerted $alerted, want $((N - at_kill))"
grep -q "Bulk: 1000/$((N - last)) messages" "$T/k9b.log" ||
    it_fail "no progress log line"
# let whatever the end-of-run pass left be delivered
# shellcheck disable=SC2086
"$SOAR_MILTER" -o state_dir="$STATE" $SOAR flush --wait 120 \
    >/dev/null 2>"$T/flush.log" || it_fail "flush: exit $?"
"$PYTHON3" "$top_srcdir/tests/lib/soarctl.py" "$(cat "$T/soar.port")" \
    wait-unique $N 60 || it_fail "not all $N alerts reached the SOAR"
set -- $("$PYTHON3" "$top_srcdir/tests/lib/soarctl.py" \
    "$(cat "$T/soar.port")" summary)
[ "$1" = $N ] && [ "$2" = $N ] && [ "$3" = 0 ] ||
    it_fail "SOAR got unique=$1 total=$2 duplicates=$3, want $N/$N/0"
find "$T/soar.rec" -name '*.json' ! -name '_*' | sed 's|.*/||; s|\.json$||' |
    sort >"$T/got"
cmp -s "$T/want" "$T/got" || it_fail "the SOAR's ids are not scan's ids"
it_ok "after kill -9 and re-run: $N alerts at the SOAR, each exactly once"

# --- SIGINT: stop after the current message, checkpoint, exit 18
bf_exec -o imap_folders=Bulk2 -o imap_batch=200 backfill --output "$T/int" \
    --no-progress 2>"$T/int1.log" &
BPID=$!
IT_PIDS="$IT_PIDS $BPID"
wait_files "$T/int" 300 120 $BPID || it_fail "SIGINT run too short"
kill -INT $BPID
wait $BPID
rc=$?
[ $rc = 18 ] || it_fail "SIGINT: exit $rc, want 18"
grep -q "interrupted: the next run resumes" "$T/int1.log" ||
    it_fail "SIGINT: no log line"
n=$(it_count "$T/int")
[ "$n" -lt $N ] || it_fail "SIGINT came too late"
[ "$(ckpt_last "$T/int/.checkpoints")" = "$n" ] ||
    it_fail "SIGINT: checkpoint $(ckpt_last "$T/int/.checkpoints"), $n alerts written"
[ -z "$(find "$T/int" -name '.*.tmp.*')" ] || it_fail "temporary files left"
bf -o imap_folders=Bulk2 backfill --output "$T/int" --no-progress \
    2>"$T/int2.log" || it_fail "re-run after SIGINT: exit $?"
grep -q "summary total: seen $((N - n)), alerted $((N - n)), duplicate 0" \
    "$T/int2.log" || it_fail "re-run after SIGINT: $(grep summary "$T/int2.log")"
[ "$(it_count "$T/int")" = $N ] || it_fail "after SIGINT: alerts"
it_ok "SIGINT after $n alerts: exit 18, checkpoint exact, re-run alerts the other $((N - n))"

# --- kill -9 mid-run with --output: no stray file, each alert once
bf_kill9_at "$T/k9o" 300 "$T/k9o1.log" -o imap_folders=Bulk3 \
    -o imap_batch=100 backfill --output "$T/k9o" --no-progress
n=$(it_count "$T/k9o")
[ "$n" -lt $N ] || it_fail "--output: the run ended before kill -9"
bf -o imap_folders=Bulk3 backfill --output "$T/k9o" --no-progress \
    2>"$T/k9o2.log" || it_fail "--output re-run after kill -9: exit $?"
[ "$(it_count "$T/k9o")" = $N ] || it_fail "--output: $(it_count "$T/k9o") alerts"
alerted=$(sed -n 's/.*summary total: seen [0-9]*, alerted \([0-9]*\).*/\1/p' "$T/k9o2.log")
[ $((alerted + n)) = $N ] || it_fail "--output: re-run alerted $alerted after $n"
[ -z "$(find "$T/k9o" -maxdepth 1 -name '.*' -type f)" ] ||
    it_fail "--output: stray temporary files"
it_ok "kill -9 after $n --output files: re-run wrote the other $alerted, no stray file"

# --- UIDVALIDITY change: same messages in a recreated folder
it_load Again
bf -o imap_folders=Again -o soar_api=none backfill --no-progress \
    2>"$T/uv1.log" || it_fail "Again: exit $?"
[ "$(find "$STATE/outbox" -type f -name '*.json' | wc -l)" = "$IT_NUNSEEN" ] ||
    it_fail "Again: outbox"
v1=$(dv_imapctl uidvalidity Again)
[ "$(dv_imapctl recreate Again)" = "$IT_NMSG" ] || it_fail "recreate"
v2=$(dv_imapctl uidvalidity Again)
[ "$v1" != "$v2" ] || it_fail "UIDVALIDITY did not change ($v1)"
bf -o imap_folders=Again -o soar_api=none backfill --no-progress \
    2>"$T/uv2.log" || it_fail "after recreate: exit $?"
grep -q "UIDVALIDITY changed from $v1 to $v2" "$T/uv2.log" ||
    it_fail "no UIDVALIDITY log line"
grep -q "seen $IT_NUNSEEN, alerted 0, duplicate $IT_NUNSEEN" "$T/uv2.log" ||
    it_fail "after recreate: $(grep summary "$T/uv2.log")"
[ "$(find "$STATE/outbox" -type f -name '*.json' | wc -l)" = "$IT_NUNSEEN" ] ||
    it_fail "after recreate: outbox grew"
grep -rq "^uidvalidity $v2\$" "$STATE/imap" || it_fail "checkpoint not renewed"
it_ok "UIDVALIDITY $v1 -> $v2: re-scanned, $IT_NUNSEEN duplicates, 0 new alerts"
exit 0
