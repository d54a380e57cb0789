# expect.sh - pass/fail counting and the "expect" check of the command
# line tests (tests/cli.sh, tests/milter/config.sh).  Source it after
# setting tmp (a scratch directory); it sets pass and fail.
pass=0
fail=0

ok() { pass=$((pass + 1)); echo "ok: $1"; }
bad() { fail=$((fail + 1)); echo "FAIL: $1"; }

# expect NAME STATUS PATTERN CMD...: exit status and stderr+stdout match
expect() {
	name=$1 want=$2 pat=$3; shift 3
	"$@" >"$tmp/out" 2>&1
	got=$?
	if [ "$got" -ne "$want" ]; then
		bad "$name: exit $got, want $want"; sed 's/^/  | /' "$tmp/out"
	elif ! grep -q -- "$pat" "$tmp/out"; then
		bad "$name: output lacks '$pat'"; sed 's/^/  | /' "$tmp/out"
	else
		ok "$name"
	fi
}
