#!/bin/sh
# errors.sh - each failure gives one clear error line naming the host or
# folder, its own exit code (docs/backfill.md), and leaves nothing
# half-written: wrong CA (implicit TLS and STARTTLS), wrong password,
# XOAUTH2 (accepted token, refused token), unknown folder, connection
# refused, a server that never answers, unsafe secret files, a second
# run while one holds the lock.  XOAUTH2 goes through Dovecot's oauth2
# passdb, which asks a token introspection server (tests/lib/dovecot.sh).
. "$top_srcdir/tests/lib/dovecot.sh"
DV_OAUTH2=1
it_init
it_load INBOX

# expect CODE NAME PATTERN ARGS... - run backfill --output, check the exit
# code, that PATTERN is in the one error line, and that nothing was written
expect()
{
	_code=$1 _name=$2 _pat=$3
	shift 3
	rm -rf "$T/out-$_name" "$T/st-$_name"
	bf -o state_dir="$T/st-$_name" "$@" backfill --output "$T/out-$_name" \
	    --no-progress >/dev/null 2>"$T/$_name.log"
	_rc=$?
	[ "$_rc" = "$_code" ] || it_fail "$_name: exit $_rc, want $_code"
	[ "$(grep -c 'error:' "$T/$_name.log")" = 1 ] ||
	    it_fail "$_name: want exactly one error line"
	grep 'error:' "$T/$_name.log" | grep -q -- "$_pat" ||
	    it_fail "$_name: error line lacks \"$_pat\""
	[ "$(it_count "$T/out-$_name")" = 0 ] ||
	    it_fail "$_name: alerts written"
	[ -z "$(find "$T/out-$_name/.checkpoints" "$T/st-$_name" -type f \
	    ! -name lock 2>/dev/null)" ] ||
	    it_fail "$_name: state written: $(find "$T/out-$_name" \
	    "$T/st-$_name" -type f)"
	! grep -q -- "$DV_PASS" "$T/$_name.log" ||
	    it_fail "$_name: the password is in the log"
	! grep -q -- "$DV_TOKEN" "$T/$_name.log" ||
	    it_fail "$_name: the token is in the log"
	it_ok "$_name: exit $_code, \"$(grep 'error:' "$T/$_name.log" |
	    sed 's/^soar-milter: error: -: imap: //' | cut -c1-90)\""
}

# --- TLS: a CA that did not sign the server certificate
expect 11 wrong-ca "localhost:$DV_IMAPS_PORT" -o imap_ca_file="$DV_OTHER_CA"
expect 11 wrong-ca-starttls "localhost:$DV_IMAP_PORT" \
    -o imap_ca_file="$DV_OTHER_CA" -o imap_tls=starttls \
    -o imap_port="$DV_IMAP_PORT"
expect 11 tls-on-plain-port "localhost:$DV_IMAP_PORT" \
    -o imap_port="$DV_IMAP_PORT"
# verification off is possible, and then it connects
bf -o state_dir="$T/st-noverify" -o imap_tls_verify=no \
    -o imap_ca_file=/nonexistent backfill --dry-run --no-progress \
    >/dev/null 2>"$T/noverify.log" || it_fail "imap_tls_verify=no"
it_ok "imap_tls_verify=no connects"

# --- login
(umask 077; echo wrong-password >"$T/badpw"; echo wrong-token >"$T/badtok")
expect 12 wrong-password "login failed for user $DV_USER" \
    -o imap_password_file="$T/badpw"
expect 12 wrong-token "XOAUTH2" -o imap_auth=xoauth2 \
    -o imap_token_file="$T/badtok"
bf -o state_dir="$T/st-oauth" -o imap_auth=xoauth2 \
    -o imap_token_file="$DV_TOKENFILE" backfill --output "$T/out-oauth" \
    --no-progress 2>"$T/oauth.log" || it_fail "XOAUTH2 login: exit $?"
[ "$(it_count "$T/out-oauth")" = "$IT_NUNSEEN" ] || it_fail "XOAUTH2 run"
grep -q "method=XOAUTH2" "$T/dovecot/dovecot.log" ||
    it_fail "Dovecot did not see an XOAUTH2 login"
! grep -q -- "$DV_TOKEN" "$T/oauth.log" || it_fail "token in the log"
it_ok "XOAUTH2 with a bearer token from a file: $IT_NUNSEEN alerts"

# --- unsafe or missing secret files: refused before connecting
cp "$DV_PASSFILE" "$T/pw644" && chmod 644 "$T/pw644"
expect 78 password-file-mode "mode 0644" -o imap_password_file="$T/pw644"
cp "$DV_TOKENFILE" "$T/tok640" && chmod 640 "$T/tok640"
expect 78 token-file-mode "mode 0640" -o imap_auth=xoauth2 \
    -o imap_token_file="$T/tok640"
expect 78 password-file-missing "$T/nonexistent" \
    -o imap_password_file="$T/nonexistent"

# --- folders
expect 13 unknown-folder '"NoSuchFolder"' -o imap_folders=NoSuchFolder
# the good folder is still done when another one is unknown
rm -rf "$T/out-mixed"
bf -o state_dir="$T/st-mixed" -o "imap_folders=INBOX,NoSuchFolder" \
    backfill --output "$T/out-mixed" --no-progress 2>"$T/mixed.log"
rc=$?
[ $rc = 13 ] || it_fail "INBOX + unknown folder: exit $rc, want 13"
[ "$(it_count "$T/out-mixed")" = "$IT_NUNSEEN" ] ||
    it_fail "INBOX not done when another folder is unknown"
it_ok "INBOX done, unknown folder still exit 13"
expect 13 unknown-move-folder '"Nowhere"' -o imap_after=move \
    -o imap_move_folder=Nowhere

# --- network
port=$(dv_free_port)
expect 10 refused "127.0.0.1:$port" -o imap_host=127.0.0.1 \
    -o imap_port="$port"
# accepts TCP, never says a word: the login phase times out
mute() {
"$PYTHON3" - "$1" "$2" <<'EOF' &
import socket, sys, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[2])))
s.listen(5)
open(sys.argv[1], "w").write("%d\n" % s.getsockname()[1])
conns = []
end = time.monotonic() + 60
s.settimeout(1)
while time.monotonic() < end:
    try:
        conns.append(s.accept()[0])
    except socket.timeout:
        pass
EOF
IT_PIDS="$IT_PIDS $!"
i=0
while [ ! -s "$1" ]; do
	i=$((i + 1)); [ $i -le 100 ] || it_fail "mute server on port $2"
	sleep 0.05
done
}
mute "$T/mute.port" 0
expect 14 timeout "timed out" -o imap_host=127.0.0.1 \
    -o imap_port="$(cat "$T/mute.port")" -o imap_timeout=2 \
    -o imap_connect_timeout=2
# the same silence on 993 reached with STARTTLS: the error names the
# likely mix-up of imap_tls and imap_port (needs 993 free on loopback:
# the tests start no system IMAP server)
mute "$T/mute993.port" 993
expect 14 starttls-on-993 "port 993 is usually implicit TLS" \
    -o imap_host=127.0.0.1 -o imap_port=993 -o imap_tls=starttls \
    -o imap_timeout=2 -o imap_connect_timeout=2

# --- local state: a full spool stops the run where it is; nothing lost
# (the end-of-run sender pass still drains the 5 to the outbox)
bf -o state_dir="$T/st-full" -o spool_max_files=5 -o soar_api=none \
    backfill --no-progress 2>"$T/full.log"
rc=$?
[ $rc = 16 ] || it_fail "spool full: exit $rc, want 16"
grep error: "$T/full.log" | grep -q "spool is full" || it_fail "spool full: message"
[ "$(find "$T/st-full/sent" -type f ! -name '.*' | wc -l)" = 5 ] ||
    it_fail "spool full: want 5 alerts spooled and delivered"
bf -o state_dir="$T/st-full" -o soar_api=none backfill --no-progress \
    2>"$T/full2.log" || it_fail "after spool full: exit $?"
grep -q "alerted $((IT_NUNSEEN - 5)), duplicate 0" "$T/full2.log" ||
    it_fail "after spool full: $(grep summary "$T/full2.log")"
it_ok "spool full: exit 16 after 5 alerts, checkpoint there, next run does the rest"

# a checkpoint that does not parse stops the run and says which
ck=$(find "$T/st-full/imap" -type f ! -name lock | head -1)
echo "garbage" >"$ck"
bf -o state_dir="$T/st-full" backfill --no-progress 2>"$T/badck.log"
rc=$?
[ $rc = 16 ] || it_fail "corrupt checkpoint: exit $rc, want 16"
grep error: "$T/badck.log" | grep -q "is not valid" ||
    it_fail "corrupt checkpoint: message"
it_ok "corrupt checkpoint: exit 16, \"$(grep error: "$T/badck.log" | cut -c30-100)...\""

# --- the lock: a second run for the same account waits for nobody
mkdir -p "$T/out-lock"
bf -o state_dir="$T/st-lock" backfill --output "$T/out-lock" \
    --no-progress 2>/dev/null || it_fail "lock setup run"
lock=$(find "$T/out-lock/.checkpoints" -name lock)
[ -n "$lock" ] || it_fail "no lock file"
"$PYTHON3" -c 'import fcntl, sys, time
f = open(sys.argv[1], "r+")
fcntl.flock(f, fcntl.LOCK_EX)
open(sys.argv[2], "w").write("locked\n")
time.sleep(30)' "$lock" "$T/locked" &
LPID=$!
IT_PIDS="$IT_PIDS $LPID"
i=0
while [ ! -s "$T/locked" ]; do
	i=$((i + 1)); [ $i -le 100 ] || it_fail "lock holder"; sleep 0.05
done
bf -o state_dir="$T/st-lock" backfill --output "$T/out-lock" \
    --no-progress 2>"$T/busy.log"
rc=$?
kill "$LPID" 2>/dev/null
[ $rc = 17 ] || it_fail "second run: exit $rc, want 17"
grep -q "another backfill is running" "$T/busy.log" || it_fail "busy message"
it_ok "busy: exit 17, \"$(grep error: "$T/busy.log" | cut -c30-100)\""
exit 0
