#!/bin/sh
# run-tests.sh - the whole test suite, from a fresh clone, as root on
# Debian 12: installs dependencies, builds twice and runs `make check`:
#   build/check  normal build (-O2): every test, including the real
#                Postfix, Dovecot and miltertest integration tests and
#                the corpus under valgrind
#   build/asan   ASan + UBSan build: the same tests again (the corpus
#                test then relies on the sanitizers instead of valgrind)
# Prints each failing test's log, then one line "N passed, N failed".
# Exit status: 0 only if every test passed.
set -u
cd "$(dirname "$0")/.." || exit 1
top=$(pwd)
jobs=${JOBS:-2}

log() { printf '== %s\n' "$*"; }

log "installing dependencies"
sh contrib/install-deps.sh || { echo "0 passed, 1 failed"; exit 1; }

log "autoreconf"
autoreconf -fi >/dev/null 2>&1 || autoreconf -fi || {
	echo "0 passed, 1 failed"; exit 1; }

status=0
# run_build DIR CONFIGURE-ARGS...
run_build() {
	dir=$1; shift
	mkdir -p "$dir"
	log "configure $dir ($*)"
	(cd "$dir" && "$top/configure" -q "$@") || { status=1; return; }
	log "make $dir"
	(cd "$dir" && make -s -j"$jobs") || { status=1; return; }
	log "make check $dir"
	(cd "$dir" && make -k -j"$jobs" check) || status=1
}

run_build build/check --enable-werror CFLAGS="-O2 -g"
run_build build/asan --enable-sanitizers --enable-werror CFLAGS="-O1 -g"

pass=0
fail=0
for d in build/check build/asan; do
	f=$d/test-suite.log
	if [ ! -f "$f" ]; then
		echo "no test results in $d (build failed)"
		fail=$((fail + 1))
		continue
	fi
	p=$(sed -n 's/^# PASS: *//p' "$f")
	n=0
	for k in FAIL ERROR XPASS SKIP; do
		v=$(sed -n "s/^# $k: *//p" "$f")
		n=$((n + ${v:-0}))
	done
	pass=$((pass + ${p:-0}))
	fail=$((fail + n))
	if [ "$n" -gt 0 ]; then
		log "failures in $d:"
		cat "$f"
	fi
done
[ "$pass" -gt 0 ] || fail=$((fail + 1))
echo "$pass passed, $fail failed"
[ "$status" -eq 0 ] && [ "$fail" -eq 0 ]
