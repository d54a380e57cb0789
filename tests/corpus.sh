#!/bin/sh
#
# corpus.sh - every message of tests/data/corpus (a copy of the shared
# corpus: 385 single messages and 6 mbox files) through `soar-milter
# scan` in one process, under valgrind; or, when the program was built
# with --enable-sanitizers, directly (ASan/UBSan/LeakSanitizer check).
#
# Asserts: exit status 0, no memory error, no definite/indirect leak,
# no crash, and exactly one JSON alert (an object with one event) per
# message, in input order.
#
# Needs: SOAR_MILTER, PYTHON3, top_srcdir (set by make check), valgrind
# (Debian package valgrind) unless the build has sanitizers.
# docs/TESTING.md has the command to run it by hand.

set -u

here=$(cd "$(dirname "$0")" && pwd)
top_srcdir=${top_srcdir:-$(dirname "$here")}
SOAR_MILTER=${SOAR_MILTER:-$top_srcdir/soar-milter}
PYTHON3=${PYTHON3:-python3}
LIMIT=${CORPUS_TIMEOUT:-1800}		# seconds, per scan process

corpus=$top_srcdir/tests/data/corpus
supp=$top_srcdir/tests/valgrind.supp

fail() {
	echo "corpus.sh: FAIL: $*" >&2
	exit 1
}

[ -x "$SOAR_MILTER" ] || fail "no program at $SOAR_MILTER"
[ -f "$corpus/MANIFEST.tsv" ] || fail "no $corpus/MANIFEST.tsv"
"$PYTHON3" -c 'import json' 2>/dev/null || fail "no working $PYTHON3"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/corpus.XXXXXX") || fail "mktemp"
trap 'rm -rf "$tmp"' EXIT INT TERM

# The file lists, from the MANIFEST (paths relative to the corpus).
awk -F'\t' 'NR > 1 && $2 == "message" { print $1 }' \
    "$corpus/MANIFEST.tsv" >"$tmp/messages"
awk -F'\t' 'NR > 1 && $2 == "mbox" { print $1 }' \
    "$corpus/MANIFEST.tsv" >"$tmp/mboxes"
[ -s "$tmp/messages" ] && [ -s "$tmp/mboxes" ] || fail "empty MANIFEST"
# Names are passed as words: make sure that is safe.
if grep -v '^[A-Za-z0-9_./-]*$' "$tmp/messages" "$tmp/mboxes"; then
	fail "corpus file names with unusual characters (above)"
fi
for f in $(cat "$tmp/messages" "$tmp/mboxes"); do
	[ -f "$corpus/$f" ] || fail "missing corpus file $f"
done

if grep -q __asan_init "$SOAR_MILTER"; then
	how="ASan/UBSan (sanitizer build)"
	set -- env ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:exitcode=1 \
	    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
else
	command -v valgrind >/dev/null 2>&1 ||
	    fail "valgrind not installed (Debian: apt-get install valgrind)"
	how="valgrind memcheck"
	set -- env G_SLICE=always-malloc G_DEBUG=gc-friendly \
	    valgrind -q --error-exitcode=1 --leak-check=full \
	    --show-leak-kinds=definite,indirect \
	    --errors-for-leak-kinds=definite,indirect \
	    --suppressions="$supp" --log-file="$tmp/valgrind.%p.log"
fi
command -v timeout >/dev/null 2>&1 && set -- timeout "$LIMIT" "$@"

# run NAME WRAPPER... - one scan process over the file list NAME,
# with the scan options in $scanopts
run() {
	name=$1
	shift
	# shellcheck disable=SC2046,SC2086 # word splitting of checked names
	(cd "$corpus" && "$@" "$SOAR_MILTER" -c /dev/null scan \
	    --now 1700000000000 $scanopts $(cat "$tmp/$name")) \
	    >"$tmp/$name.out" 2>"$tmp/$name.err"
	echo $? >"$tmp/$name.rc"
}

echo "corpus.sh: $(wc -l <"$tmp/messages") messages, $(wc -l \
    <"$tmp/mboxes") mbox files, one scan process each, under $how"
scanopts=
run messages "$@"
scanopts=--mbox
run mboxes "$@"

failed=0
for name in messages mboxes; do
	rc=$(cat "$tmp/$name.rc")
	if [ "$rc" -ne 0 ]; then
		echo "FAIL: scan of the $name exited with status $rc" \
		    "(124: timeout after ${LIMIT}s)" >&2
		failed=1
	fi
	if [ -s "$tmp/$name.err" ]; then
		echo "--- stderr of the $name scan (first 40 lines):" >&2
		head -n 40 "$tmp/$name.err" >&2
	fi
done
for log in "$tmp"/valgrind.*.log; do
	[ -s "$log" ] || continue
	echo "FAIL: valgrind reported (first 200 lines of $log):" >&2
	head -n 200 "$log" >&2
	failed=1
done

# One valid alert per message, in input order.
"$PYTHON3" - "$corpus" "$tmp" <<'EOF' || failed=1
import json, os, sys
corpus, tmp = sys.argv[1], sys.argv[2]

def mbox_count(buf):
    """Messages in an mbox file: every line that starts with "From "
    begins one (mboxo/mboxrd: a body line starting so is written as
    ">From "); a leading UTF-8 BOM is ignored.  This gives what the
    upstream suites expect for all six corpus mbox files: GMime 3 for
    substring.mbox, MimeKit 29 for content-length.mbox.txt (its summary
    file) and 4 for unmunged.mbox.txt (TestUnmungedFromLines)."""
    if buf.startswith(b"\xef\xbb\xbf"):
        buf = buf[3:]
    return sum(1 for line in buf.split(b"\n") if line.startswith(b"From "))

ok = True
for name in ("messages", "mboxes"):
    files = open(os.path.join(tmp, name)).read().split()
    want = []
    for f in files:
        if name == "messages":
            want.append(f)
        else:
            want += [f] * mbox_count(open(os.path.join(corpus, f), "rb").read())
    lines = open(os.path.join(tmp, name + ".out"), "rb").read().splitlines()
    got = []
    for i, line in enumerate(lines):
        try:
            o = json.loads(line.decode("utf-8"))
            ev = o["events"]
            assert isinstance(o, dict) and len(ev) == 1, "one event"
            assert isinstance(o["display_id"], str) and o["display_id"]
            assert o["display_id"] == o["ticket_id"], "ticket_id"
            got.append(ev[0].get("source_file"))
        except Exception as e:
            print("FAIL: %s: alert %d is not a valid alert: %r: %.200s"
                  % (name, i + 1, e, line))
            ok = False
            got.append(None)
    if got != want:
        print("FAIL: %s: %d alerts for %d messages, or out of order:"
              % (name, len(got), len(want)))
        for f in files:
            if got.count(f) != want.count(f):
                print("  %s: %d alerts, %d messages" % (f, got.count(f), want.count(f)))
        ok = False
    print("corpus.sh: %s: %d alerts checked" % (name, len(lines)))
sys.exit(0 if ok else 1)
EOF

[ "$failed" -eq 0 ] || exit 1
echo "corpus.sh: ok"
exit 0
