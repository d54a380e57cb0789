#!/bin/sh
# outage.sh - SOAR down during a burst, then up: every alert delivered
# exactly once; then 503, dropped connections and 429 + Retry-After on
# the way, still exactly once, and Retry-After honoured.  Uses the
# built binary in "sender" mode (the spool sender of the daemon, alone).
. "$top_srcdir/tests/lib/delivery.sh"

N=300
start_receiver soar --app-key "$KEY"
ctl control '{"down": true}' >/dev/null || fail "control"
spool --prefix burst --count $N || fail "spool_put.py"
[ "$(count "$STATE/spool/new")" = $N ] || fail "spool has not $N alerts"

# shellcheck disable=SC2046
sm_bg $(sdk_opts) sender 2>"$T/sender.log"
SPID=$BG
# Let it hit the outage a few times (backoff: 1-2 s).
ctl wait-stat requests 3 60 || fail "the sender made no attempts"
alive $SPID || fail "sender died during the outage"
[ "$(count "$STATE/spool/new")" = $N ] || fail "alerts left the spool while the SOAR was down"
[ "$(count "$STATE/spool/dead")" = 0 ] || fail "503 made dead letters"
ok "SOAR down: $N alerts stay spooled, sender backs off"

ctl control '{"down": false}' >/dev/null
ctl wait-unique $N 120 || fail "not all $N alerts arrived after the outage"
set -- $(ctl summary)
[ "$1" = $N ] && [ "$3" = 0 ] || fail "received unique=$1 total=$2 duplicates=$3, want $N/$N/0"
ok "SOAR up: all $N delivered exactly once"

# Faults on the way: 2 x 503, then 2 dropped connections (answer
# lost, nothing recorded), then 429 with Retry-After: 3.
ctl control '{"fail_first": 2, "drop_first": 2, "status_429": 1, "retry_after": "3"}' >/dev/null
spool --prefix more --count 20 || fail "spool_put.py"
ctl wait-unique $((N + 20)) 120 || fail "alerts lost after faults"
set -- $(ctl summary)
[ "$1" = $((N + 20)) ] && [ "$3" = 0 ] || fail "after faults: unique=$1 duplicates=$3"
[ "$(ctl stats throttled)" = 1 ] && [ "$(ctl stats dropped)" = 2 ] || fail "faults not all exercised"
ok "503, dropped connections and 429: still exactly once"

# Retry-After honoured, checked as a protocol rule, not a speed: the
# sender says which Retry-After it got (it must be the 3 the receiver
# sent), and in the receiver's own record the request that follows the
# 429 arrived no earlier than that many seconds after it.  The receiver
# stamps the 429 before it answers and the next request once it has
# read it, so a sender that waits at least Retry-After from the answer
# can never come out below; no tolerance is needed.
grep -q "HTTP 429, Retry-After 3 s; retry in [0-9]* s (all alerts wait)" \
    "$T/sender.log" || fail "the sender did not report Retry-After: 3"
"$PYTHON3" - "$RREC/_log.jsonl" "$T/sender.log" <<'PY' || fail "Retry-After not honoured"
import json, re, sys
log = [json.loads(l) for l in open(sys.argv[1])]
got = re.findall(r"HTTP 429, Retry-After (\d+) s;", open(sys.argv[2]).read())
i = [n for n, r in enumerate(log) if r["status"] == 429]
if len(i) != 1 or len(got) != 1 or i[0] + 1 >= len(log):
    sys.exit("want one 429 and a request after it: %d 429(s), %d "
             "sender line(s), %d requests" % (len(i), len(got), len(log)))
ra = int(got[0])
gap = log[i[0] + 1]["time"] - log[i[0]]["time"]
print("Retry-After %d s; next request %.3f s after the 429" % (ra, gap))
sys.exit(0 if ra == 3 and gap >= ra else 1)
PY
ok "Retry-After: 3 honoured"

kill -TERM $SPID
wait_exit $SPID 30 || fail "sender exit status $? after SIGTERM"
[ "$(count "$STATE/spool/new")" = 0 ] || fail "spool not empty"
[ "$(count "$STATE/sent")" = $((N + 20)) ] || fail "sent record has $(count "$STATE/sent") entries"
grep -q "delivered (HTTP 200)" "$T/sender.log" || fail "no delivery log line"
grep -q "HTTP 503; retry in" "$T/sender.log" || fail "no retry log line"
! grep -q "$KEY" "$T/sender.log" || fail "the AppKey appears in the log"
ok "clean stop; sent record complete; no secret in the log"
exit 0
