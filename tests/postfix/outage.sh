#!/bin/sh
# outage.sh - the SOAR is down during a burst of 500 messages: Postfix
# accepts and relays every message at once (no SMTP error, no deferral,
# no waiting on the milter), the alerts wait in the spool, and once the
# SOAR is back every one of the 500 alerts is delivered.
. "$top_srcdir/tests/postfix/common.sh"

N=500
start_receiver
ctl control '{"down": true}' >/dev/null || fail "receiver control"
start_sink
start_milter milter
start_postfix

"$PYTHON3" "$PFT/smtpsend.py" --port "$PF_PORT" burst --count $N \
    --parallel 4 --per-conn 10 --prefix outage --out "$T/burst.json" \
    >"$T/send.log" 2>&1 || fail "SMTP errors: $(tail -3 "$T/send.log")"
ok "Postfix accepted all $N messages with the SOAR down: $(tail -1 "$T/send.log")"

wait_count "$SINKREC" '*.json' $N 180 ||
    fail "the sink got $(count "$SINKREC" '*.json') of $N while the SOAR was down"
"$PYTHON3" "$PFT/check.py" sink "$T/burst.json" "$SINKREC" ||
    fail "relayed mail"
no_deferral
ok "all $N relayed while the SOAR was down; queue empty, nothing deferred"

[ "$(ctl stats accepted 2>/dev/null || echo 0)" = 0 ] ||
    fail "the receiver accepted alerts while down"
spooled=$(grep -c ": milter: alert .* spooled" "$MLOG")
[ "$spooled" = $N ] || fail "$spooled alerts spooled for $N messages"
pending=$(count "$T/state/spool/new")
# (the sender may hold one or two claimed for a delivery attempt)
[ "$pending" -ge $((N - 4)) ] ||
    fail "only $pending alerts pending in the spool during the outage"
ok "$spooled alerts spooled, $pending waiting for the SOAR"

ctl control '{"down": false}' >/dev/null
ctl wait-unique $N 240 >/dev/null || fail "after the outage the SOAR has $(ctl summary) (unique total dup) of $N"
"$PYTHON3" "$PFT/check.py" alerts "$T/burst.json" "$RREC" ||
    fail "alerts missing"
ok "SOAR back: all $N alerts delivered ($(ctl summary | cut -d' ' -f1) unique)"

stop_milter
[ "$(count "$T/state/spool/new")" = 0 ] || fail "spool not empty at the end"
ok "spool drained; clean stop"
exit 0
