#!/bin/sh
# routes.sh - the chronicle route with a Bearer token that is rotated
# while the sender runs; the outbox (soar_api = none); alerts spooled by
# another process picked up by a running sender without a kick.
. "$top_srcdir/tests/lib/delivery.sh"

# --- chronicle ---------------------------------------------------------
(umask 077; echo ya29.first-token >"$T/bearer"; echo ya29.first-token >"$T/token")
start_receiver chron --bearer-file "$T/bearer" --project proj-7 \
    --location europe-west2 --instance 0f1e2d3c
CHRON="-o soar_api=chronicle -o soar_url=$RURL -o soar_token_file=$T/token
    -o chronicle_project=proj-7 -o chronicle_location=europe-west2
    -o chronicle_instance=0f1e2d3c"
spool --prefix chron --count 3 || fail "spool_put.py"
# shellcheck disable=SC2086
sm_bg $CHRON sender 2>"$T/chron.log"
SPID=$BG
ctl wait-unique 3 60 || fail "chronicle: not delivered"
grep -q '"path": "/v1alpha/projects/proj-7/locations/europe-west2/instances/0f1e2d3c/legacySdk:legacyCreateCase?format=snake"' \
    "$RREC/_log.jsonl" || fail "chronicle: unexpected path"
ok "chronicle route with a Bearer token"

# Rotate the token the way refreshers do (write, rename over).
(umask 077; echo ya29.second-token >"$T/bearer"; echo ya29.second-token >"$T/token.new")
mv "$T/token.new" "$T/token"
spool --prefix chron --start 3 --count 3 || fail "spool_put.py"
ctl wait-unique 6 60 || fail "chronicle: not delivered after the token rotation"
grep -q "Bearer ya29.second-token" "$RREC/_log.jsonl" || fail "new token not used"
[ "$(ctl stats unauthorized)" = 0 ] || fail "a request went out with the old token"
kill -TERM $SPID
wait_exit $SPID 30 || fail "sender exit status $?"
grep -q "soar_token_file .* changed" "$T/chron.log" || fail "no log line for the rotation"
! grep -q "ya29" "$T/chron.log" || fail "a token appears in the log"
ok "token rotated while running: new token used, no 401, not logged"

# --- outbox (soar_api = none, the default) ------------------------------
STATE=$T/state-outbox
spool --prefix out --count 4 || fail "spool_put.py"
sm flush >"$T/outbox.out" 2>"$T/outbox.log" || fail "outbox flush: $(cat "$T/outbox.out")"
[ "$(count "$STATE/outbox")" = 4 ] || fail "outbox has $(count "$STATE/outbox") files"
"$PYTHON3" - "$STATE/outbox/out-0002.json" <<'PY' || fail "outbox file is not the alert"
import json, sys
a = json.load(open(sys.argv[1]))
sys.exit(0 if a["display_id"] == "out-0002" and a["events"] else 1)
PY
[ "$(count "$STATE/sent")" = 4 ] && [ "$(count "$STATE/spool/new")" = 0 ] ||
    fail "outbox: not acked"
ok "soar_api = none: alerts written to the outbox and acked"

# A running sender picks up what another process spools (no kick).
sm_bg -o outbox_dir="$T/elsewhere" sender 2>"$T/outbox-sender.log"
SPID=$BG
spool --prefix late --count 5 || fail "spool_put.py"
i=0
while [ "$(count "$T/elsewhere")" != 5 ]; do
	i=$((i + 1))
	[ $i -le 300 ] || fail "the running sender did not pick up new alerts"
	sleep 0.1
done
kill -TERM $SPID
wait_exit $SPID 30 || fail "sender exit status $?"
[ "$(count "$STATE/spool/new")" = 0 ] || fail "alerts left behind"
ok "running sender picks up alerts spooled by another process"
exit 0
