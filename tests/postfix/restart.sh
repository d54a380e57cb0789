#!/bin/sh
# restart.sh - soar-milter is killed with SIGKILL in the middle of a burst
# and started again: Postfix keeps accepting and relaying every message
# (milter_default_action = accept, no SMTP error, no deferral), and
# every alert that was spooled before the kill (its message had passed
# end of message) is delivered after the restart.
. "$top_srcdir/tests/postfix/common.sh"

N=600
start_receiver
start_sink
start_milter milter1
start_postfix

"$PYTHON3" "$PFT/smtpsend.py" --port "$PF_PORT" burst --count $N \
    --parallel 4 --per-conn 5 --rate 100 --prefix restart \
    --out "$T/burst.json" \
    >"$T/send.log" 2>&1 &
SEND=$!
BG_PIDS="$BG_PIDS $SEND"

# kill it once a good part of the burst has gone through
i=0
while [ "$(grep -c ": milter: alert .* spooled" "$MLOG")" -lt 80 ]; do
	i=$((i + 1))
	[ $i -le 1200 ] || fail "no alerts spooled"
	kill -0 $SEND 2>/dev/null || fail "burst ended before the kill"
	sleep 0.05
done
kill -9 "$MPID"
wait "$MPID" 2>/dev/null
LOG1=$MLOG
ok "soar-milter killed (SIGKILL) after $(grep -c ": milter: alert .* spooled" "$LOG1") alerts"
sleep 1
start_milter milter2
ok "soar-milter restarted on the same socket and spool"

wait $SEND || fail "SMTP errors: $(tail -3 "$T/send.log")"
ok "Postfix accepted all $N messages: $(tail -1 "$T/send.log")"
wait_count "$SINKREC" '*.json' $N 180 ||
    fail "the sink got $(count "$SINKREC" '*.json') of $N"
"$PYTHON3" "$PFT/check.py" sink "$T/burst.json" "$SINKREC" ||
    fail "relayed mail"
no_deferral
grep -q -i "milter" "$(pf_log)" ||
    fail "Postfix never noticed the milter was gone"
ok "every message relayed once; queue empty, nothing deferred"
after=$(grep -c ": milter: alert .* spooled" "$MLOG")
[ "$after" -gt 0 ] || fail "the restarted milter spooled nothing"
ok "the restarted milter took over: $after alerts"

# every alert logged as spooled, before the kill or after the restart
sed -n 's/.*: milter: alert \([^ ]*\) spooled.*/\1/p' "$LOG1" "$MLOG" |
    sort -u >"$T/spooled.ids"
n=$(wc -l <"$T/spooled.ids")
ctl wait-unique "$n" 180 >/dev/null ||
    fail "the SOAR has $(ctl summary) (unique total dup) of $n spooled alerts"
"$PYTHON3" "$PFT/check.py" ids "$T/spooled.ids" "$RREC" ||
    fail "spooled alerts lost"
ok "all $n spooled alerts delivered after the restart"

stop_milter
ok "clean stop"
exit 0
