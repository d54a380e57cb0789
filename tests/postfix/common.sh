# common.sh - setup shared by tests/postfix/*.sh (sourced, POSIX sh).
#
# A private Postfix (tests/lib/postfix.sh) on loopback relays to an SMTP
# sink (tests/lib/smtp_sink.py) and calls soar-milter, which delivers to
# the fake SOAR (tests/lib/soar_receiver.py) over the sdk route.
#
# Gives: $T (temp dir, kept with KEEP=1), $KEY/$KEYFILE, $MPORT (the
# milter's port, stable across restarts), bg, start_receiver (RPORT,
# RREC), ctl (soarctl.py), start_sink (SINKPORT, SINKREC), start_milter
# (MPID, MLOG), stop_milter, start_postfix, count, wait_count, fail, ok.
# Everything started is stopped at exit.  Needs root (Postfix).
# MILTER_WRAP, if set, prefixes soar-milter's command line (valgrind).

set -u
: "${top_srcdir:?top_srcdir is not set (run through make check)}"
: "${SOAR_MILTER:?SOAR_MILTER is not set (run through make check)}"
PYTHON3=${PYTHON3:-python3}
LIB=$top_srcdir/tests/lib
PFT=$top_srcdir/tests/postfix
. "$LIB/postfix.sh"

[ -x "$SOAR_MILTER" ] || { echo "FAIL: $SOAR_MILTER not built"; exit 1; }
if [ "$(id -u)" != 0 ]; then
	echo "FAIL: the Postfix tests need root (Postfix's master runs as root)"
	exit 1
fi
if ! command -v postfix >/dev/null 2>&1 || ! id postfix >/dev/null 2>&1; then
	echo "FAIL: Postfix is not installed (Debian package postfix)"
	exit 1
fi

T=$(mktemp -d /tmp/soar-postfix.XXXXXX) || exit 1
KEY="k3y-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
KEYFILE=$T/appkey
(umask 077; printf '%s\n' "$KEY" >"$KEYFILE")
MPORT=$(pf_free_port)
BG_PIDS=""
MPID=""

cleanup() {
	pf_stop
	for p in $BG_PIDS; do
		kill "$p" 2>/dev/null
	done
	for p in $BG_PIDS; do
		wait "$p" 2>/dev/null
	done
	if [ "${KEEP:-0}" = 1 ]; then
		echo "kept $T"
	else
		rm -rf "$T"
	fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

fail() {
	echo "FAIL: $*"
	for f in "$T"/*.log "$T/pf/maillog"; do
		[ -f "$f" ] || continue
		echo "--- $f (last 30 lines)"
		tail -n 30 "$f"
	done
	exit 1
}

ok() {
	echo "ok: $*"
}

# bg CMD... - start in the background; $BG is its pid
bg() {
	"$@" &
	BG=$!
	BG_PIDS="$BG_PIDS $BG"
}

# wait_file FILE SECONDS - until FILE is non-empty
wait_file() {
	_i=0
	while [ ! -s "$1" ]; do
		_i=$((_i + 1))
		[ $_i -le $(($2 * 20)) ] || return 1
		sleep 0.05
	done
	return 0
}

# count DIR [GLOB] - entries in DIR matching GLOB (default all)
count() {
	if [ -d "$1" ]; then
		find "$1" -mindepth 1 -maxdepth 1 -name "${2:-*}" ! -name '.*' |
		    wc -l | tr -d ' '
	else
		echo 0
	fi
}

# wait_count DIR GLOB N SECONDS - until DIR holds at least N matches
wait_count() {
	_end=$(($(date +%s) + $4))
	while [ "$(count "$1" "$2")" -lt "$3" ]; do
		[ "$(date +%s)" -lt "$_end" ] || return 1
		sleep 0.2
	done
	return 0
}

# start_receiver [ARGS...] - the fake SOAR; sets RPORT, RREC
start_receiver() {
	bg "$PYTHON3" "$LIB/soar_receiver.py" --port-file "$T/soar.port" \
	    --record "$T/soar.rec" --app-key "$KEY" --max-seconds 1200 "$@"
	wait_file "$T/soar.port" 10 || fail "soar_receiver.py did not start"
	RPORT=$(cat "$T/soar.port")
	RREC=$T/soar.rec
}

ctl() {
	"$PYTHON3" "$LIB/soarctl.py" "$RPORT" "$@"
}

# start_sink - the SMTP sink Postfix relays to; sets SINKPORT, SINKREC
start_sink() {
	bg "$PYTHON3" "$LIB/smtp_sink.py" --port-file "$T/sink.port" \
	    --record "$T/sink.rec" --max-seconds 1200 "$@"
	wait_file "$T/sink.port" 10 || fail "smtp_sink.py did not start"
	SINKPORT=$(cat "$T/sink.port")
	SINKREC=$T/sink.rec
}

# start_milter NAME [-o KEY=VALUE]... - soar-milter -f on $MPORT with
# the sdk route to the receiver; sets MPID, MLOG
start_milter() {
	MLOG=$T/$1.log
	shift
	# shellcheck disable=SC2086
	bg ${MILTER_WRAP:-} "$SOAR_MILTER" -f -o socket="inet:$MPORT@127.0.0.1" \
	    -o state_dir="$T/state" -o soar_api=sdk \
	    -o soar_url="http://127.0.0.1:$RPORT" -o soar_key_file="$KEYFILE" \
	    -o retry_initial=1 -o retry_max=2 -o connect_timeout=5 \
	    -o request_timeout=10 "$@" >"$MLOG" 2>&1
	MPID=$BG
	pf_wait_port "$MPORT" 30 || fail "soar-milter does not listen"
}

# stop_milter - SIGTERM; fail unless it exits 0 within 60 s
stop_milter() {
	kill -TERM "$MPID" 2>/dev/null
	_i=0
	while kill -0 "$MPID" 2>/dev/null; do
		_i=$((_i + 1))
		[ $_i -le 600 ] || fail "soar-milter did not stop on SIGTERM"
		sleep 0.1
	done
	wait "$MPID" || fail "soar-milter exit status $? after SIGTERM"
}

# start_postfix - the private Postfix with soar-milter as smtpd milter
start_postfix() {
	pf_setup "$T/pf" "$SINKPORT" "inet:127.0.0.1:$MPORT" ||
	    fail "pf_setup"
	pf_start || fail "Postfix did not start"
}

# no_deferral - the queue drained and Postfix never deferred or rejected
no_deferral() {
	pf_wait_empty 120 || fail "Postfix queue not empty: $(pf_queue_count)"
	if grep -E "status=(deferred|bounced)|reject:|milter-reject" \
	    "$(pf_log)" >"$T/deferrals"; then
		head "$T/deferrals"
		fail "Postfix deferred, bounced or rejected mail"
	fi
}
