# delivery.sh - shared setup of tests/delivery/*.sh (sourced, POSIX sh).
#
# Gives: $T (private temp dir, removed at exit unless KEEP=1), $STATE,
# $KEY and $KEYFILE (0600), start_receiver, ctl (soarctl.py against the
# last receiver), spool (spool_put.py into $STATE), sm (the binary with
# the state dir; sm_bg in the background), count DIR, alive PID,
# wait_exit PID SECONDS, fail, ok.  Every process started through
# bg is killed at exit.

set -u
: "${top_srcdir:?top_srcdir is not set (run through make check)}"
: "${SOAR_MILTER:?SOAR_MILTER is not set (run through make check)}"
PYTHON3=${PYTHON3:-python3}
LIB=$top_srcdir/tests/lib

command -v "$PYTHON3" >/dev/null 2>&1 || {
	echo "FAIL: $PYTHON3 not found" >&2; exit 1; }
[ -x "$SOAR_MILTER" ] || { echo "FAIL: $SOAR_MILTER not built" >&2; exit 1; }

T=$(mktemp -d /tmp/soar-delivery.XXXXXX) || exit 1
STATE=$T/state
KEY="k3y-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
KEYFILE=$T/appkey
(umask 077; printf '%s\n' "$KEY" >"$KEYFILE")
BG_PIDS=""

cleanup() {
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
	echo "FAIL: $*" >&2
	for f in "$T"/*.log; do
		[ -f "$f" ] || continue
		echo "--- $f (last 40 lines)" >&2
		tail -n 40 "$f" >&2
	done
	exit 1
}

ok() {
	echo "ok: $*"
}

# bg CMD... - start in the background, remember the pid in $BG
bg() {
	"$@" &
	BG=$!
	BG_PIDS="$BG_PIDS $BG"
}

# start_receiver NAME [ARGS...] - sets RPORT, RREC, RPID, RURL
start_receiver() {
	_n=$1
	shift
	rm -f "$T/$_n.port"
	bg "$PYTHON3" "$LIB/soar_receiver.py" --port-file "$T/$_n.port" \
	    --record "$T/$_n.rec" --max-seconds 900 "$@"
	RPID=$BG
	_i=0
	while [ ! -s "$T/$_n.port" ]; do
		_i=$((_i + 1))
		[ $_i -le 200 ] || fail "soar_receiver.py did not start"
		kill -0 "$RPID" 2>/dev/null || fail "soar_receiver.py exited"
		sleep 0.05
	done
	RPORT=$(cat "$T/$_n.port")
	RREC=$T/$_n.rec
	RURL=http://127.0.0.1:$RPORT
}

ctl() {
	"$PYTHON3" "$LIB/soarctl.py" "$RPORT" "$@"
}

spool() {
	"$PYTHON3" "$LIB/spool_put.py" --state "$STATE" "$@"
}

# count DIR - entries in DIR (0 if it does not exist)
count() {
	if [ -d "$1" ]; then
		find "$1" -mindepth 1 -maxdepth 1 ! -name '.*' | wc -l | tr -d ' '
	else
		echo 0
	fi
}

# sm ARGS... - the binary on the test state dir, fast retries
sm() {
	"$SOAR_MILTER" -o state_dir="$STATE" -o log_level=info \
	    -o retry_initial=1 -o retry_max=2 -o connect_timeout=5 \
	    -o request_timeout=10 "$@"
}

# sm_bg ARGS... - the same in the background; $BG is its pid
sm_bg() {
	bg "$SOAR_MILTER" -o state_dir="$STATE" -o log_level=info \
	    -o retry_initial=1 -o retry_max=2 -o connect_timeout=5 \
	    -o request_timeout=10 "$@"
}

# sdk_opts - options for the sdk route against the last receiver
sdk_opts() {
	echo "-o soar_api=sdk -o soar_url=$RURL -o soar_key_file=$KEYFILE"
}

# alive PID - running (not gone, not a zombie waiting to be reaped)
alive() {
	[ -r "/proc/$1/stat" ] || return 1
	case $(cut -d' ' -f3 "/proc/$1/stat" 2>/dev/null) in
	Z|X|"") return 1 ;;
	esac
	return 0
}

# wait_exit PID SECONDS - wait for a child to end (fail if it does not),
# return its exit status
wait_exit() {
	_i=0
	while alive "$1"; do
		_i=$((_i + 1))
		[ $_i -le $(($2 * 10)) ] || fail "process $1 did not stop"
		sleep 0.1
	done
	wait "$1"
}
