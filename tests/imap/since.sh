#!/bin/sh
# since.sh - imap_since takes exactly YYYY-MM-DD (digits) and a day that
# exists (leap years); anything else stops check-config and backfill
# with exit 78 and "FILE:LINE: imap_since: ..." before any connection.
set -u
: "${top_srcdir:?top_srcdir is not set (run through make check)}"
: "${SOAR_MILTER:?SOAR_MILTER is not set (run through make check)}"
T=$(mktemp -d /tmp/soar-since.XXXXXX) || exit 1
trap 'rm -rf "$T"' EXIT
trap 'exit 1' INT TERM HUP

fail()
{
	echo "FAIL: $*" >&2
	exit 1
}

# conf DATE - a configuration file whose line 3 sets imap_since
conf()
{
	printf '# since.sh\nstate_dir = %s/state\nimap_since = %s\n' "$T" \
	    "$1" >"$T/c.conf"
}

for d in 2024-02-31 2023-02-29 1900-02-29 2100-02-29 2024-04-31 \
    2024-06-31 2024-13-01 2024-00-10 2024-01-00 2024-01-32 1969-12-31 \
    2024-1-5 2024-01-5 24-01-05 +2024-01-05 -2024-01-05 2024/01/05 \
    2024-01-05x 20240105 2024-0x-05 '2024-01-05 12:00' \
    2024-+1-05 2024--1-05 02024-01-05; do
	conf "$d"
	"$SOAR_MILTER" -c "$T/c.conf" check-config >/dev/null 2>"$T/err"
	rc=$?
	[ $rc = 78 ] || fail "imap_since '$d': check-config exit $rc, want 78"
	grep -q "^soar-milter: $T/c.conf:3: imap_since: '" "$T/err" ||
	    fail "imap_since '$d': error line: $(cat "$T/err")"
	[ "$(wc -l <"$T/err")" = 1 ] || fail "imap_since '$d': not one line"
done
echo "ok: impossible or malformed dates refused with FILE:LINE"

# the same check for backfill (no server is asked: nothing listens)
conf 2024-02-30
"$SOAR_MILTER" -c "$T/c.conf" -o imap_host=127.0.0.1 -o imap_port=1 \
    -o imap_user=u backfill --dry-run --no-progress >/dev/null 2>"$T/err"
rc=$?
[ $rc = 78 ] || fail "backfill with imap_since 2024-02-30: exit $rc"
grep -q "c.conf:3: imap_since: '2024-02-30'" "$T/err" ||
    fail "backfill: error line: $(cat "$T/err")"
[ ! -e "$T/state" ] || fail "backfill wrote below state_dir"
echo "ok: backfill refuses it too (exit 78)"

for d in 2024-02-29 2000-02-29 1970-01-01 2023-12-31 2024-04-30 \
    2026-11-28 9999-12-31; do
	conf "$d"
	"$SOAR_MILTER" -c "$T/c.conf" check-config >/dev/null 2>"$T/err" ||
	    fail "imap_since '$d' refused: $(cat "$T/err")"
done
echo "ok: real dates (leap days included) accepted"
exit 0
