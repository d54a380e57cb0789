#!/bin/sh
# crash.sh - kill -9 of the sender in the middle of a burst, then a
# restart: nothing lost, at most the one alert in flight sent twice
# (with the same id).  Also: a crash that left a tmp file and a spool
# file without its END trailer.
. "$top_srcdir/tests/lib/delivery.sh"

N=150
# Each answer takes 50 ms, so the burst lasts about 7 s.
start_receiver soar --app-key "$KEY" --delay 0.05
spool --prefix crash --count $N || fail "spool_put.py"

# shellcheck disable=SC2046
sm_bg $(sdk_opts) sender 2>"$T/sender1.log"
SPID=$BG
ctl wait-unique 30 60 || fail "no deliveries"
kill -KILL $SPID
wait $SPID 2>/dev/null
left=$(count "$STATE/spool/new")
[ "$left" -gt 0 ] || fail "the burst was over before the kill"
ok "sender killed with SIGKILL, $left alerts left in the spool"

# What else a crash (or power loss) can leave: a half-written tmp file
# (old), and a file in new/ without its END trailer.
printf 'SOARSPOOL 1\nid crash-x\nlength 900\n' >"$STATE/spool/tmp/crash-x.1.1"
touch -d '2 minutes ago' "$STATE/spool/tmp/crash-x.1.1"
printf 'SOARSPOOL 1\nid torn-1\nlength 10\ncreated 1\n\n{"a":' >"$STATE/spool/new/torn-1"

# Restart as a foreground flush that waits for the spool to drain.
# shellcheck disable=SC2046
sm $(sdk_opts) flush --wait 120 >"$T/flush.out" 2>"$T/flush.log" ||
    fail "flush --wait failed: $(cat "$T/flush.out")"
grep -q "^0 alert(s) still pending" "$T/flush.out" || fail "flush output: $(cat "$T/flush.out")"
set -- $(ctl summary)
[ "$1" = $N ] || fail "unique alerts received: $1, want $N"
[ "$3" -le 1 ] || fail "$3 duplicates; at most the one in flight may repeat"
ok "after restart: all $N delivered, $3 duplicate(s) (at most 1 allowed)"

[ ! -e "$STATE/spool/tmp/crash-x.1.1" ] || fail "stale tmp file not removed"
[ "$(count "$STATE/spool/bad")" = 1 ] || fail "torn file not moved to bad/"
[ "$(count "$STATE/spool/new")" = 0 ] || fail "spool not empty"
[ "$(count "$STATE/sent")" = $N ] || fail "sent record: $(count "$STATE/sent")"
grep -q "torn-1.*moved to bad/" "$T/flush.log" || fail "no log line for the torn file"
ok "stale tmp removed, torn file moved to bad/, sent record complete"

# kill -9 again, this time while the SOAR is down and the sender waits
# in backoff: nothing lost either.
ctl control '{"down": true}' >/dev/null
spool --prefix crash2 --count 10 || fail "spool_put.py"
# shellcheck disable=SC2046
sm_bg $(sdk_opts) sender 2>"$T/sender2.log"
SPID=$BG
ctl wait-stat failed 2 60 || fail "no attempts during the outage"
kill -KILL $SPID
wait $SPID 2>/dev/null
[ "$(count "$STATE/spool/new")" = 10 ] || fail "alerts lost while down"
ctl control '{"down": false}' >/dev/null
# shellcheck disable=SC2046
sm $(sdk_opts) flush --wait 60 >"$T/flush2.out" 2>"$T/flush2.log" ||
    fail "second flush failed"
set -- $(ctl summary)
[ "$1" = $((N + 10)) ] || fail "unique alerts received: $1, want $((N + 10))"
ok "killed in backoff, restarted: all delivered"
exit 0
