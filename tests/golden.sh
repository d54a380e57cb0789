#!/bin/sh
#
# golden.sh - golden alert tests.
#
# For every tests/data/NAME.eml that has tests/golden/NAME.json, run
#   soar-milter -c /dev/null [-o KEY=VALUE from tests/golden/NAME.args]
#       scan --now 1700000000000 NAME.eml
# (from inside tests/data, so source_file is just NAME.eml) and compare
# the parsed JSON with the golden file; on a mismatch print a diff.
# Variant groups crafted-variant-GROUP-*.eml (CRLF / LF / mbox From line
# versions of one message) must also give the same alert, apart from
# source_file and message_size.
#
#   tests/golden.sh                 check (what make check runs)
#   tests/golden.sh --update [NAME...]
#                                   rewrite the golden files (all that
#                                   exist, or the NAMEs given, creating
#                                   them).  Review every change by hand:
#                                   a golden must be right, not just
#                                   what the program prints today.
#
# NAME.args: one KEY=VALUE per line (a configuration override), '#'
# starts a comment line.
#
# Needs: SOAR_MILTER, PYTHON3, top_srcdir (set by make check; defaults
# work when run by hand from the source tree with a build in ./).

set -u

here=$(cd "$(dirname "$0")" && pwd)
top_srcdir=${top_srcdir:-$(dirname "$here")}
SOAR_MILTER=${SOAR_MILTER:-$top_srcdir/soar-milter}
PYTHON3=${PYTHON3:-python3}
NOW=1700000000000
MIN_GOLDEN=40

data=$top_srcdir/tests/data
golden=$top_srcdir/tests/golden

fail() {
	echo "golden.sh: FAIL: $*" >&2
	exit 1
}

[ -x "$SOAR_MILTER" ] || fail "no program at $SOAR_MILTER"
"$PYTHON3" -c 'import json' 2>/dev/null || fail "no working $PYTHON3"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/golden.XXXXXX") || fail "mktemp"
trap 'rm -rf "$tmp"' EXIT INT TERM

update=false
if [ "${1:-}" = "--update" ]; then
	update=true
	shift
fi

# run_scan NAME OUT - the alert of tests/data/NAME.eml into OUT
run_scan() {
	args=
	if [ -f "$golden/$1.args" ]; then
		args=$(sed -e '/^[[:space:]]*#/d' -e '/^[[:space:]]*$/d' \
		    -e 's/^/-o /' "$golden/$1.args" | tr '\n' ' ')
	fi
	# shellcheck disable=SC2086 # args is a list of "-o KEY=VALUE"
	(cd "$data" && "$SOAR_MILTER" -c /dev/null $args scan \
	    --now "$NOW" "$1.eml") >"$2" 2>"$2.err"
	rc=$?
	if [ $rc -ne 0 ]; then
		echo "golden.sh: $1: exit status $rc" >&2
		cat "$2.err" >&2
		return 1
	fi
	return 0
}

if $update; then
	if [ $# -eq 0 ]; then
		for g in "$golden"/*.json; do
			[ -f "$g" ] || continue
			n=$(basename "$g" .json)
			set -- "$@" "$n"
		done
	fi
	for n in "$@"; do
		n=$(basename "$n" .eml)
		[ -f "$data/$n.eml" ] || fail "no $data/$n.eml"
		run_scan "$n" "$tmp/out" || fail "$n: scan failed"
		"$PYTHON3" - "$tmp/out" "$golden/$n.json" <<'EOF' || fail "$n"
import json, sys
lines = open(sys.argv[1], encoding="utf-8").read().splitlines()
if len(lines) != 1:
    sys.exit("expected one JSON line, got %d" % len(lines))
obj = json.loads(lines[0])
with open(sys.argv[2], "w", encoding="utf-8") as f:
    json.dump(obj, f, indent=2, ensure_ascii=False)
    f.write("\n")
EOF
		echo "updated $n.json"
	done
	exit 0
fi

count=0
failed=0
for g in "$golden"/*.json; do
	[ -f "$g" ] || continue
	n=$(basename "$g" .json)
	if [ ! -f "$data/$n.eml" ]; then
		echo "FAIL: $n: golden without tests/data/$n.eml" >&2
		failed=$((failed + 1))
		continue
	fi
	count=$((count + 1))
	if ! run_scan "$n" "$tmp/$n.out"; then
		echo "FAIL: $n" >&2
		failed=$((failed + 1))
		continue
	fi
	if "$PYTHON3" - "$tmp/$n.out" "$g" <<'EOF'
import difflib, json, sys
lines = open(sys.argv[1], encoding="utf-8").read().splitlines()
if len(lines) != 1:
    print("expected one JSON line, got %d" % len(lines))
    sys.exit(1)
try:
    got = json.loads(lines[0])
except ValueError as e:
    print("output is not JSON: %s" % e)
    sys.exit(1)
want = json.load(open(sys.argv[2], encoding="utf-8"))
if got == want:
    sys.exit(0)
a = json.dumps(want, indent=2, ensure_ascii=False).splitlines()
b = json.dumps(got, indent=2, ensure_ascii=False).splitlines()
sys.stdout.writelines(l + "\n" for l in difflib.unified_diff(
    a, b, "expected", "got", lineterm="", n=2))
sys.exit(1)
EOF
	then
		echo "ok: $n"
	else
		echo "FAIL: $n (diff above: - expected, + got)" >&2
		failed=$((failed + 1))
	fi
done

# Variant groups: one message in several byte forms, one alert.
for f in "$data"/crafted-variant-*.eml; do
	[ -f "$f" ] || continue
	n=$(basename "$f" .eml)
	grp=${n%-*}
	[ -f "$tmp/$n.out" ] || run_scan "$n" "$tmp/$n.out" ||
	    { failed=$((failed + 1)); continue; }
	echo "$tmp/$n.out" >>"$tmp/group-$grp"
done
for gl in "$tmp"/group-*; do
	[ -f "$gl" ] || continue
	grp=${gl##*/group-}
	if "$PYTHON3" - "$gl" <<'EOF'
import json, sys
files = open(sys.argv[1]).read().split()
if len(files) < 2:
    print("a variant group needs at least two files")
    sys.exit(1)
def load(p):
    o = json.loads(open(p, encoding="utf-8").read())
    for e in o["events"]:
        e.pop("source_file", None)
        e.pop("message_size", None)
    return o
first = load(files[0])
bad = [f for f in files[1:] if load(f) != first]
if bad:
    print("differs from %s: %s" % (files[0], " ".join(bad)))
    sys.exit(1)
EOF
	then
		echo "ok: variant group $grp ($(wc -l <"$gl") files, one alert)"
	else
		echo "FAIL: variant group $grp" >&2
		failed=$((failed + 1))
	fi
done

echo "golden.sh: $count golden messages, $failed failed"
[ "$count" -ge "$MIN_GOLDEN" ] ||
    fail "only $count golden messages (at least $MIN_GOLDEN expected)"
[ "$failed" -eq 0 ] || exit 1
exit 0
