#!/bin/sh
# milter.sh - soar-milter speaks the milter protocol correctly.
#
# miltertest (Debian package miltertest) plays the MTA through the cases
# in tests/milter/t-*.lua against "soar-milter -f" on a loopback port;
# check.py then checks the alerts the daemon delivered to its outbox
# (soar_api = none, the default).  Also: unix sockets (mode, stale
# socket removed, refusals), pid file, privilege drop, daemon mode and
# startup errors.
#
# MILTER_WRAP, if set, prefixes the daemon's command line, e.g.
#   MILTER_WRAP="valgrind -q --error-exitcode=42 --leak-check=full"
# (an error then shows as a non-zero exit status after SIGTERM).  KEEP=1
# keeps the temporary directory (logs, state) for a look afterwards.
set -u
: "${SOAR_MILTER:?}" "${top_srcdir:?}"
PYTHON3=${PYTHON3:-python3}
WRAP=${MILTER_WRAP:-}
dir=$top_srcdir/tests/milter
tmp=$(mktemp -d)
pids=""
cleanup() {
	for p in $pids; do kill -9 "$p" 2>/dev/null; done
	if [ -n "${KEEP:-}" ]; then echo "kept $tmp"; else rm -rf "$tmp"; fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM
pass=0
fail=0
ok() { pass=$((pass + 1)); echo "ok: $1"; }
bad() { fail=$((fail + 1)); echo "FAIL: $1"; }

if ! command -v miltertest >/dev/null 2>&1; then
	echo "FAIL: miltertest not found (Debian package miltertest)"
	exit 1
fi

free_port() {
	"$PYTHON3" -c 'import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# wait_listen SOCK: 0 once the milter accepts connections (30 s at most)
wait_listen() {
	"$PYTHON3" - "$1" <<'EOF'
import socket, sys, time
spec, limit = sys.argv[1], time.time() + 30
while time.time() < limit:
    try:
        if spec.startswith("unix:"):
            s = socket.socket(socket.AF_UNIX)
            s.connect(spec[5:])
        else:
            port, host = spec[5:].split("@")
            s = socket.create_connection((host, int(port)), 1)
        s.close()
        sys.exit(0)
    except OSError:
        time.sleep(0.05)
sys.exit(1)
EOF
}

# start_milter NAME SOCK [-o KEY=VALUE]...: soar-milter -f in the
# background; sets MPID, ST (its state_dir) and LOG
start_milter() {
	_name=$1 _sock=$2
	shift 2
	ST=$tmp/$_name
	LOG=$tmp/$_name.log
	mkdir -p "$ST"
	$WRAP "$SOAR_MILTER" -f -o socket="$_sock" -o state_dir="$ST" \
	    -o log_level=debug "$@" >"$LOG" 2>&1 &
	MPID=$!
	pids="$pids $MPID"
}

# stop_milter: SIGTERM, then its exit status (99: had to be killed)
stop_milter() {
	kill -TERM "$MPID" 2>/dev/null
	_i=0
	while kill -0 "$MPID" 2>/dev/null && [ $_i -lt 600 ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	if kill -0 "$MPID" 2>/dev/null; then
		kill -9 "$MPID"
		wait "$MPID" 2>/dev/null
		return 99
	fi
	wait "$MPID"
}

# wait_ready: the socket listens before the pid is written and the
# spool and the sender are set up; the "listening on" line comes after
# them (30 s at most)
wait_ready() {
	_i=0
	while ! grep -q "milter: listening on" "$LOG" && [ $_i -lt 300 ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
}

show() {
	[ -f "$1" ] && sed 's/^/  | /' "$1" | tail -n "${2:-25}"
}

# run_case CASE [-D NAME=VALUE]... [-- -o KEY=VALUE...]
#   TAG names the state directory (default CASE); HOOK, if set, is run
#   once the daemon listens, POSTHOOK once it stopped; CHECK_ARG is
#   passed to check.py.
run_case() {
	_case=$1
	shift
	_defs=""
	while [ $# -gt 0 ] && [ "$1" != "--" ]; do
		_defs="$_defs $1"
		shift
	done
	[ $# -gt 0 ] && shift
	_tag=${TAG:-}
	[ -n "$_tag" ] || _tag=$_case
	_sock=inet:$(free_port)@127.0.0.1
	start_milter "$_tag" "$_sock" "$@"
	if ! wait_listen "$_sock"; then
		bad "$_case: soar-milter does not listen on $_sock"
		show "$LOG"
		stop_milter
		return
	fi
	# a HOOK that breaks the spool or the sender waits for them
	wait_ready
	[ -n "${HOOK:-}" ] && eval "$HOOK"
	# shellcheck disable=SC2086
	timeout 120 miltertest -D sock="$_sock" -D srcdir="$dir" $_defs \
	    -s "$dir/t-$_case.lua" >"$tmp/$_tag.mt" 2>&1
	_mrc=$?
	stop_milter
	_src=$?
	[ -n "${POSTHOOK:-}" ] && eval "$POSTHOOK"
	if [ $_mrc -ne 0 ]; then
		bad "$_tag: miltertest failed (exit $_mrc)"
		show "$tmp/$_tag.mt"
		show "$LOG"
		return
	fi
	if [ $_src -ne 0 ]; then
		bad "$_tag: soar-milter exit status $_src after SIGTERM"
		show "$LOG"
		return
	fi
	ok "$_tag: protocol replies"
	# deliver whatever the sender thread had not delivered yet
	if ! "$SOAR_MILTER" -o state_dir="$ST" "$@" flush >>"$LOG" 2>&1; then
		bad "$_tag: soar-milter flush failed"
		show "$LOG"
		return
	fi
	if "$PYTHON3" "$dir/check.py" "$_case" "$ST/outbox" ${CHECK_ARG:-}; then
		ok "$_tag: alerts"
	else
		bad "$_tag: alerts"
		show "$LOG" 40
	fi
}

# --------------------------------------------------------- protocol cases

run_case basic
grep -q "4BASIC1: milter: alert .* spooled (" "$tmp/basic.log" &&
    ok "basic: log line keyed by the queue id" ||
    bad "basic: no '4BASIC1: milter: alert ... spooled' log line"
run_case abort
run_case multi
run_case macros
run_case bounds -- -o max_message_bytes=64k
run_case exact -- -o max_message_bytes=64k
run_case policy -- -o alert_on=recipients \
    -o alert_recipients=phish@example.com,other@example.com \
    -o 'alert_recipient_regex=^report-[a-z]+@example\.net$'
# one line per message at the default level, alert or not
for q in 4POL1 4POL4; do
	grep -q "^.*$q: milter: no alert (alert_on = recipients: no recipient matched)$" \
	    "$tmp/policy.log" && ok "policy: $q: 'no alert' logged" ||
	    bad "policy: $q: no 'no alert' log line"
done
run_case dup
grep -q "4DUP2: milter: alert [^ ]* not sent again: same Message-ID as an alert already pending or sent (see docs/ALERT-ID.md)" \
    "$tmp/dup.log" && ok "dup: second copy logged as not sent again" ||
    bad "dup: no 'not sent again' log line"
CHECK_ARG=$tmp/header.id
run_case header -D out="$tmp/header.id" -- -o add_header=yes
CHECK_ARG=
grep -q "4HDR2: milter: 2 incoming X-SOAR-Alert-Id field(s) deleted" \
    "$tmp/header.log" && ok "header: forged copies counted and logged" ||
    bad "header: no log line for the deleted copies"
grep -q "4HDR3: milter: 70 incoming X-SOAR-Alert-Id fields (more than 64): none deleted, none added" \
    "$tmp/header.log" && ok "header: 70 forged copies: bound logged" ||
    bad "header: no log line for 70 forged copies"

# add_header with a full spool: delivery broken once the daemon runs (the
# outbox is a file), so the first alert stays pending and fills the spool
HOOK='rm -rf "$ST/outbox" && : > "$ST/outbox"'
POSTHOOK='rm -f "$ST/outbox"'
run_case hdrfull -- -o add_header=yes -o spool_max_files=1
HOOK=
POSTHOOK=
grep -q "4FULL2: milter: alert .*: spool full, alert dropped" \
    "$tmp/hdrfull.log" && ok "hdrfull: drop logged" ||
    bad "hdrfull: no 'spool full' log line"

# on_error: make the spool unable to take files once the daemon runs
HOOK='rm -rf "$ST/spool/tmp" && : > "$ST/spool/tmp"'
POSTHOOK='rm -f "$ST/spool/tmp"'
TAG=onerror-continue
run_case onerror -D want=continue -- -o on_error=continue
grep -q "4ERR1: milter: alert .* not spooled" "$tmp/onerror-continue.log" &&
    ok "on_error=continue: failure logged" ||
    bad "on_error=continue: no 'not spooled' log line"
TAG=onerror-tempfail
run_case onerror -D want=tempfail -- -o on_error=tempfail
TAG=
HOOK=
POSTHOOK=

# -------------------------------------------------- sockets and startup

# unix socket: mode applied, stale socket (nobody listening) replaced
sockdir=$tmp/sock
mkdir -p "$sockdir"
"$PYTHON3" -c 'import socket, sys
s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.close()' \
    "$sockdir/m.sock"
owner=nobody:$(id -gn nobody 2>/dev/null)
printf '999999\n' >"$tmp/unix.pid"	# a dead daemon's
start_milter unix "unix:$sockdir/m.sock" -o socket_mode=0640 \
    -o socket_owner="$owner" -o pid_file="$tmp/unix.pid"
if wait_listen "unix:$sockdir/m.sock"; then
	ok "unix: stale socket replaced, listening"
	# -f: the pid is written at once, before the socket is bound
	[ "$(cat "$tmp/unix.pid" 2>/dev/null)" = "$MPID" ] &&
	    ok "unix: stale pid replaced before the socket listens" ||
	    bad "unix: pid_file at listen: $(cat "$tmp/unix.pid" 2>&1)"
	wait_ready
	mode=$(stat -c %a "$sockdir/m.sock")
	[ "$mode" = 640 ] && ok "unix: socket_mode applied" ||
	    bad "unix: socket mode $mode, want 640"
	got=$(stat -c %U:%G "$sockdir/m.sock")
	[ "$got" = "$owner" ] && ok "unix: socket_owner applied" ||
	    bad "unix: socket owner $got, want $owner"
	[ "$(cat "$tmp/unix.pid" 2>/dev/null)" = "$MPID" ] &&
	    ok "unix: pid_file holds the daemon's pid" ||
	    bad "unix: pid_file does not hold $MPID"
	# a second daemon with the same pid_file (another socket) is
	# refused by the pid file's lock and leaves the file alone
	timeout 30 "$SOAR_MILTER" -f -o socket="inet:$(free_port)@127.0.0.1" \
	    -o state_dir="$tmp/pid2" -o pid_file="$tmp/unix.pid" \
	    >"$tmp/pid2.log" 2>&1
	rc=$?
	[ $rc -ne 0 ] && [ $rc -ne 124 ] &&
	    grep -q "pid file $tmp/unix.pid is locked by pid $MPID: already running" \
	    "$tmp/pid2.log" && ok "pid_file: second daemon refused" ||
	    { bad "pid_file: second daemon exit $rc"; show "$tmp/pid2.log"; }
	[ "$(cat "$tmp/unix.pid" 2>/dev/null)" = "$MPID" ] &&
	    ok "pid_file: the first daemon keeps its pid file" ||
	    bad "pid_file: the first daemon's pid file changed or went"
	timeout 60 miltertest -D sock="unix:$sockdir/m.sock" \
	    -D srcdir="$dir" -s "$dir/t-dup.lua" >"$tmp/unix.mt" 2>&1 &&
	    ok "unix: protocol over the unix socket" ||
	    { bad "unix: miltertest"; show "$tmp/unix.mt"; }
	# a second daemon on the same live socket must refuse to start
	"$SOAR_MILTER" -f -o socket="unix:$sockdir/m.sock" \
	    -o state_dir="$tmp/unix2" >"$tmp/unix2.log" 2>&1
	rc=$?
	[ $rc -ne 0 ] && grep -q "in use" "$tmp/unix2.log" &&
	    ok "unix: live socket not taken over" ||
	    { bad "unix: second daemon exit $rc"; show "$tmp/unix2.log"; }
	[ -S "$sockdir/m.sock" ] && ok "unix: live socket left alone" ||
	    bad "unix: live socket removed"
else
	bad "unix: not listening on the unix socket"
	show "$LOG"
fi
stop_milter
rc=$?
[ $rc -eq 0 ] && ok "unix: clean exit on SIGTERM" ||
    { bad "unix: exit status $rc"; show "$LOG"; }
[ ! -e "$tmp/unix.pid" ] && ok "unix: pid_file removed at exit" ||
    bad "unix: pid_file left behind"
[ ! -e "$sockdir/m.sock" ] && ok "unix: socket removed at exit" ||
    bad "unix: socket left behind after a clean stop"

# a symbolic link planted at the socket path is neither followed nor
# replaced: the file it points to keeps its mode and owner
: > "$tmp/victim"
chmod 600 "$tmp/victim"
ln -s "$tmp/victim" "$sockdir/link.sock"
"$SOAR_MILTER" -f -o socket="unix:$sockdir/link.sock" -o state_dir="$tmp/l" \
    -o socket_mode=0666 -o socket_owner=nobody >"$tmp/link.log" 2>&1
rc=$?
[ $rc -ne 0 ] && grep -q "is not a socket" "$tmp/link.log" &&
    [ -L "$sockdir/link.sock" ] &&
    [ "$(stat -c %a:%U "$tmp/victim")" = "600:$(id -un)" ] &&
    ok "unix: symbolic link at the socket path refused" ||
    { bad "unix: symbolic link at the socket path (exit $rc)"
      show "$tmp/link.log"; }

# a socket in a directory that does not exist: the directory is named
"$SOAR_MILTER" -f -o socket="unix:$tmp/nodir/m.sock" -o state_dir="$tmp/nd" \
    >"$tmp/nodir.log" 2>&1
rc=$?
[ $rc -ne 0 ] && grep -q "directory $tmp/nodir: No such file or directory" \
    "$tmp/nodir.log" && ok "unix: missing directory named" ||
    { bad "unix: missing directory (exit $rc)"; show "$tmp/nodir.log"; }

# inet6 (miltertest cannot connect to it: a bare option negotiation)
port6=$("$PYTHON3" -c 'import socket
s = socket.socket(socket.AF_INET6); s.bind(("::1", 0)); print(s.getsockname()[1])')
start_milter inet6 "inet6:$port6@::1"
if "$PYTHON3" - "$port6" <<'EOF'
import socket, struct, sys, time
end = time.time() + 30
while True:
    try:
        s = socket.create_connection(("::1", int(sys.argv[1])), 5)
        break
    except OSError:
        if time.time() > end:
            sys.exit("no listener on [::1]")
        time.sleep(0.05)
s.settimeout(10)
s.sendall(struct.pack(">IcIII", 13, b"O", 6, 0x1FF, 0x1FFFFF))
head = b""
while len(head) < 5:
    chunk = s.recv(5 - len(head))
    if not chunk:
        sys.exit("connection closed")
    head += chunk
size, cmd = struct.unpack(">Ic", head)
sys.exit(0 if cmd == b"O" and size >= 13 else "reply %r" % cmd)
EOF
then
	ok "inet6: option negotiation on [::1]"
else
	bad "inet6: no option negotiation on [::1]"
	show "$LOG"
fi
stop_milter || bad "inet6: exit status $? after SIGTERM"

# a path that is not a socket is never removed
: > "$sockdir/file"
"$SOAR_MILTER" -f -o socket="unix:$sockdir/file" -o state_dir="$tmp/f" \
    >"$tmp/file.log" 2>&1
rc=$?
[ $rc -ne 0 ] && grep -q "is not a socket" "$tmp/file.log" &&
    [ -f "$sockdir/file" ] && ok "unix: regular file not replaced" ||
    { bad "unix: regular file at the socket path (exit $rc)"
      show "$tmp/file.log"; }

# inet: a bad port, and a port already in use
"$SOAR_MILTER" -f -o socket=inet:99999@127.0.0.1 -o state_dir="$tmp/p" \
    >"$tmp/port.log" 2>&1
rc=$?
[ $rc -ne 0 ] && grep -qi "port" "$tmp/port.log" && ok "inet: bad port" ||
    { bad "inet: bad port (exit $rc)"; show "$tmp/port.log"; }
busy=$(free_port)
"$PYTHON3" -c 'import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(1); time.sleep(30)' \
    "$busy" &
holder=$!
pids="$pids $holder"
wait_listen "inet:$busy@127.0.0.1"
timeout 30 "$SOAR_MILTER" -f -o socket="inet:$busy@127.0.0.1" \
    -o state_dir="$tmp/b" >"$tmp/busy.log" 2>&1
rc=$?
kill "$holder" 2>/dev/null
[ $rc -ne 0 ] && [ $rc -ne 124 ] &&
    grep -q "cannot listen: Address already in use" "$tmp/busy.log" &&
    ok "inet: port in use reported" ||
    { bad "inet: port in use (exit $rc)"; show "$tmp/busy.log"; }

# privilege drop after binding (needs root)
if [ "$(id -u)" = 0 ] && id nobody >/dev/null 2>&1; then
	mkdir -p "$tmp/nobody"
	chown nobody "$tmp/nobody"
	chmod 755 "$tmp"
	sock=inet:$(free_port)@127.0.0.1
	$WRAP "$SOAR_MILTER" -f -o socket="$sock" \
	    -o state_dir="$tmp/nobody/state" -o user=nobody \
	    -o pid_file="$tmp/nobody.pid" >"$tmp/nobody.log" 2>&1 &
	MPID=$!
	pids="$pids $MPID"
	LOG=$tmp/nobody.log
	if wait_listen "$sock"; then
		# binding comes first, the switch just after: allow for it
		want=$(id -u nobody)
		i=0
		while uid=$(awk '/^Uid:/ { print $2 $3 $4 $5 }' \
		    /proc/$MPID/status) &&
		    [ "$uid" != "$want$want$want$want" ] && [ $i -lt 100 ]; do
			sleep 0.1
			i=$((i + 1))
		done
		[ "$uid" = "$want$want$want$want" ] &&
		    ok "user: runs as nobody after binding" ||
		    bad "user: uids $uid, want $want"
		timeout 60 miltertest -D sock="$sock" -D srcdir="$dir" \
		    -s "$dir/t-dup.lua" >"$tmp/nobody.mt" 2>&1 &&
		    ok "user: alerts spooled as nobody" ||
		    { bad "user: miltertest"; show "$tmp/nobody.mt"; }
	else
		bad "user: not listening"
		show "$LOG"
	fi
	stop_milter
	rc=$?
	[ $rc -eq 0 ] && ok "user: clean exit" ||
	    { bad "user: exit status $rc"; show "$LOG"; }
	# the pid file's directory is root's: nobody cannot remove the
	# file, so it is emptied instead
	[ -f "$tmp/nobody.pid" ] && [ ! -s "$tmp/nobody.pid" ] &&
	    ok "user: pid_file in a root directory emptied at exit" ||
	    bad "user: pid_file after exit: $(cat "$tmp/nobody.pid" 2>&1)"
	"$SOAR_MILTER" -o state_dir="$tmp/nobody/state" flush \
	    >>"$LOG" 2>&1
	"$PYTHON3" "$dir/check.py" dup "$tmp/nobody/state/outbox" &&
	    ok "user: alert delivered" || bad "user: alert delivered"
	"$SOAR_MILTER" -f -o socket="inet:$(free_port)@127.0.0.1" \
	    -o state_dir="$tmp/nu" -o user=no-such-user-soar \
	    >"$tmp/nouser.log" 2>&1
	rc=$?
	[ $rc -ne 0 ] && grep -q "no such user" "$tmp/nouser.log" &&
	    ok "user: unknown user refused" ||
	    { bad "user: unknown user (exit $rc)"; show "$tmp/nouser.log"; }
	# group without user: only the group changes
	ngid=$(getent group nogroup | cut -d: -f3)
	sock=inet:$(free_port)@127.0.0.1
	start_milter grouponly "$sock" -o group=nogroup
	if [ -n "$ngid" ] && wait_listen "$sock"; then
		wait_ready	# signals are blocked by then: SIGTERM stops
		i=0
		while gids=$(awk '/^Gid:/ { print $2, $3, $4, $5 }' \
		    /proc/$MPID/status) &&
		    [ "$gids" != "$ngid $ngid $ngid $ngid" ] && [ $i -lt 100 ]; do
			sleep 0.1
			i=$((i + 1))
		done
		groups=$(awk '/^Groups:/ { print $2 $3 }' /proc/$MPID/status)
		uids=$(awk '/^Uid:/ { print $2 $3 $4 $5 }' /proc/$MPID/status)
		[ "$gids" = "$ngid $ngid $ngid $ngid" ] &&
		    [ "$groups" = "$ngid" ] && [ "$uids" = 0000 ] &&
		    ok "group: group=nogroup alone applied (uid stays 0)" ||
		    bad "group: gids '$gids', groups '$groups', uids '$uids'"
	else
		bad "group: not listening (or no group nogroup)"
		show "$LOG"
	fi
	stop_milter || bad "group: exit status $? after SIGTERM"
else
	bad "user: privilege drop not tested (needs root and user nobody)"
fi

# daemon mode (no -f): the command returns, the daemon runs from its
# pid file and stops cleanly on SIGTERM
sock=inet:$(free_port)@127.0.0.1
timeout 30 "$SOAR_MILTER" -o socket="$sock" -o state_dir="$tmp/d" \
    -o pid_file="$tmp/d.pid" -o log_syslog=no >"$tmp/d.log" 2>&1
rc=$?
if [ $rc -eq 0 ] && wait_listen "$sock" && [ -s "$tmp/d.pid" ]; then
	dpid=$(cat "$tmp/d.pid")
	pids="$pids $dpid"
	ok "daemon: detached, pid file written"
	kill -TERM "$dpid"
	i=0
	while kill -0 "$dpid" 2>/dev/null && [ $i -lt 300 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	! kill -0 "$dpid" 2>/dev/null && [ ! -e "$tmp/d.pid" ] &&
	    ok "daemon: stopped by SIGTERM, pid file removed" ||
	    bad "daemon: still running or pid file left"
else
	bad "daemon: start (exit $rc)"
	show "$tmp/d.log"
fi

# ------------------------------------------------- reload (SIGUSR1)

# send_one RCPT MID QID WANT: one message through miltertest
send_one() {
	timeout 60 miltertest -D sock="$rsock" -D srcdir="$dir" \
	    -D rcpt="$1" -D mid="$2" -D qid="$3" -D want="$4" \
	    -s "$dir/t-reload.lua" >>"$tmp/reload.mt" 2>&1
}
# wait_log N TEXT: until the log has at least N lines containing TEXT
wait_log() {
	_i=0
	while [ "$(grep -c -- "$2" "$LOG")" -lt "$1" ] && [ $_i -lt 200 ]; do
		sleep 0.05
		_i=$((_i + 1))
	done
	[ "$(grep -c -- "$2" "$LOG")" -ge "$1" ]
}
# has_alert DIR MID: an alert for that Message-ID arrived in DIR (10 s)
has_alert() {
	_i=0
	while ! grep -qs "$2@example.org" "$1"/*.json && [ $_i -lt 200 ]; do
		sleep 0.05
		_i=$((_i + 1))
	done
	grep -qs "$2@example.org" "$1"/*.json
}
rconf=$tmp/reload.conf
cat >"$rconf" <<EOC
alert_on = recipients
alert_recipients = phish@example.com
EOC
rsock=inet:$(free_port)@127.0.0.1
start_milter reload "$rsock" -c "$rconf" -o stats_interval=1
if wait_listen "$rsock"; then
	send_one "<other@example.com>" rl-1 4RL1 skip &&
	    ok "reload: before: other mail not wanted (SKIP)" ||
	    { bad "reload: before"; show "$tmp/reload.mt"; }
	# the recipient list grows, the outbox moves, a start-only key
	# changes: policy and delivery follow, the bound does not
	cat >"$rconf" <<EOC
alert_on = recipients
alert_recipients = phish@example.com, other@example.com
outbox_dir = $tmp/outbox2
max_message_bytes = 1m
EOC
	kill -USR1 "$MPID"
	wait_log 1 "reload: configuration from $rconf applied" &&
	    ok "reload: applied, logged" ||
	    { bad "reload: not applied"; show "$LOG"; }
	grep -q "reload: max_message_bytes changed: it takes effect at the next start only" "$LOG" &&
	    ok "reload: a start-only key keeps its value, with a warning" ||
	    bad "reload: no warning for max_message_bytes"
	send_one "<other@example.com>" rl-2 4RL2 continue &&
	    ok "reload: after: the new recipient gets an alert" ||
	    { bad "reload: after"; show "$tmp/reload.mt"; }
	has_alert "$tmp/outbox2" rl-2 &&
	    ok "reload: the restarted sender delivers to the new outbox" ||
	    { bad "reload: no alert in the new outbox"; show "$LOG"; }
	# a broken file: refused with file:line: key, nothing changes
	printf 'alert_on = recipients\nalert_recipients = nobody@example.com\nno_such_key = 1\n' >"$rconf"
	kill -USR1 "$MPID"
	wait_log 1 "running configuration stays" &&
	    grep -q "reload: $rconf:3: no_such_key" "$LOG" &&
	    ok "reload: a bad file is refused with file:line: key" ||
	    { bad "reload: bad file"; show "$LOG"; }
	# a regex that does not compile: refused too
	printf 'alert_on = recipients\nalert_recipient_regex = ([a-z\n' >"$rconf"
	kill -USR1 "$MPID"
	wait_log 2 "running configuration stays" &&
	    ok "reload: a bad regex is refused" ||
	    { bad "reload: bad regex"; show "$LOG"; }
	# delivery settings the sender cannot use (a key file others can
	# read): refused before anything changes
	echo secret >"$tmp/reload.key"
	chmod 644 "$tmp/reload.key"
	printf 'alert_on = all\nsoar_api = sdk\nsoar_url = https://127.0.0.1:1\nsoar_key_file = %s\n' "$tmp/reload.key" >"$rconf"
	kill -USR1 "$MPID"
	wait_log 3 "running configuration stays" &&
	    grep -q "reload: delivery: .*reload.key: mode 0644" "$LOG" &&
	    ok "reload: unusable delivery settings are refused" ||
	    { bad "reload: bad delivery settings"; show "$LOG"; }
	send_one "<other@example.com>" rl-3 4RL3 continue &&
	    has_alert "$tmp/outbox2" rl-3 &&
	    ok "reload: after refusals the last good configuration runs" ||
	    { bad "reload: after refusals"; show "$tmp/reload.mt"; show "$LOG"; }
else
	bad "reload: soar-milter does not listen"
	show "$LOG"
fi
wait_log 1 "milter: stats (every stats_interval): messages" &&
    ok "stats: a line every stats_interval" ||
    { bad "stats: no periodic line"; show "$LOG"; }
stop_milter
rc=$?
[ $rc -eq 0 ] && ok "reload: clean stop after reloads" ||
    { bad "reload: exit status $rc after SIGTERM"; show "$LOG"; }
grep -q "stats (at reload): messages 1 (no alert wanted 1," "$LOG" &&
    grep -q "stats (at stop): messages 3 (no alert wanted 1, truncated 0, failed 0); alerts spooled 2, duplicate 0, dropped (spool full) 0, not spooled 0; delivered 2, dead 0, bad 0; pending 0 " "$LOG" &&
    ok "stats: counters at reload and at stop" ||
    { bad "stats: counters"; grep "stats (" "$LOG"; }

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
