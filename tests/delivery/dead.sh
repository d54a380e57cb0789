#!/bin/sh
# dead.sh - refused alerts become dead letters with status and response
# recorded; "dead list|show|retry|purge"; a wrong key is a retry, not a
# dead letter; an unsafe key file stops the sender before it starts.
. "$top_srcdir/tests/lib/delivery.sh"

start_receiver soar --app-key "$KEY"
spool --prefix good --count 3 || fail "spool_put.py"
spool --prefix bad --count 2 --invalid || fail "spool_put.py"

# shellcheck disable=SC2046
sm $(sdk_opts) flush >"$T/flush.out" 2>"$T/flush.log" ||
    fail "flush: $(cat "$T/flush.out")"
set -- $(ctl summary)
[ "$1" = 3 ] || fail "received $1 alerts, want 3"
[ "$(count "$STATE/spool/new")" = 0 ] || fail "spool not empty"
[ -f "$STATE/spool/dead/bad-0000" ] && [ -f "$STATE/spool/dead/bad-0000.why" ] ||
    fail "no dead letter for bad-0000"
grep -q "refused (HTTP 400)" "$T/flush.log" || fail "no log line for the refusal"
ok "400 -> dead letter, the valid ones delivered"

sm dead list >"$T/list.out" 2>"$T/dead.log" || fail "dead list"
[ "$(grep -c '^bad-000[01]' "$T/list.out")" = 2 ] || fail "dead list: $(cat "$T/list.out")"
grep -q "400" "$T/list.out" || fail "dead list lacks the status"
sm dead show bad-0001 >"$T/show.out" 2>>"$T/dead.log" || fail "dead show"
grep -q "status: 400" "$T/show.out" || fail "dead show: no status"
grep -q "INVALID_ARGUMENT" "$T/show.out" || fail "dead show: no response body"
! sm dead show no-such-id >/dev/null 2>&1 || fail "dead show of an unknown id succeeded"
ok "dead list / dead show"

sm dead retry bad-0000 >"$T/retry.out" 2>>"$T/dead.log" || fail "dead retry"
[ -f "$STATE/spool/new/bad-0000" ] || fail "retry did not requeue"
[ ! -e "$STATE/spool/dead/bad-0000.why" ] || fail "retry left the .why file"
# Still invalid: refused again, dead again.
# shellcheck disable=SC2046
sm $(sdk_opts) flush >/dev/null 2>>"$T/flush.log" || fail "flush after retry"
[ -f "$STATE/spool/dead/bad-0000" ] || fail "not dead again"
[ "$(ctl stats invalid)" = 3 ] || fail "the receiver saw $(ctl stats invalid) invalid posts, want 3"
sm dead purge all >/dev/null 2>>"$T/dead.log" || fail "dead purge all"
[ "$(count "$STATE/spool/dead")" = 0 ] || fail "purge left files"
ok "dead retry requeues, dead purge all empties"

# Wrong key: 401 is retried (credentials are configuration), never dead.
(umask 077; echo wrong-key-1234 >"$T/wrongkey")
spool --prefix auth --count 2 || fail "spool_put.py"
sm -o soar_api=sdk -o soar_url="$RURL" -o soar_key_file="$T/wrongkey" \
    flush >"$T/flush401.out" 2>"$T/flush401.log"
rc=$?
[ $rc != 0 ] || fail "flush with a wrong key reported success"
grep -q "^2 alert(s) still pending" "$T/flush401.out" || fail "flush 401: $(cat "$T/flush401.out")"
grep -q "HTTP 401: credentials refused, check soar_key_file" "$T/flush401.log" ||
    fail "no clear 401 log line"
[ "$(count "$STATE/spool/dead")" = 0 ] || fail "401 made a dead letter"
! grep -q "wrong-key-1234" "$T/flush401.log" || fail "the key appears in the log"
# shellcheck disable=SC2046
sm $(sdk_opts) flush >/dev/null 2>>"$T/flush.log" || fail "flush with the right key"
[ "$(count "$STATE/spool/new")" = 0 ] || fail "not delivered after fixing the key"
ok "401 retried, delivered once the key is right; no secret logged"

# A key file that group or others can read: refused before any send.
chmod 644 "$KEYFILE"
spool --prefix perm --count 1 || fail "spool_put.py"
# shellcheck disable=SC2046
sm $(sdk_opts) flush >/dev/null 2>"$T/perm.log" && fail "flush accepted a world-readable key"
grep -q "mode 0644.*chmod 600" "$T/perm.log" || fail "unclear error: $(cat "$T/perm.log")"
# shellcheck disable=SC2046
sm_bg $(sdk_opts) sender 2>"$T/perm2.log"
wait_exit $BG 30 && fail "sender started with a world-readable key"
grep -q "chmod 600" "$T/perm2.log" || fail "sender: unclear error"
! grep -q "$KEY" "$T/perm.log" "$T/perm2.log" || fail "the key appears in an error"
[ -f "$STATE/spool/new/perm-0000" ] || fail "the alert left the spool"
ok "world-readable key file refused with a clear error"
exit 0
