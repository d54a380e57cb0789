#!/bin/sh
# cli.sh - command line and configuration errors: every bad input gets a
# clear message naming file, line and key, and a distinct exit status.
set -u
: "${SOAR_MILTER:?}" "${top_srcdir:?}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. "$top_srcdir/tests/lib/expect.sh"

M=$SOAR_MILTER
conf=$tmp/soar.conf

expect "help" 0 "usage: soar-milter" "$M" -h
expect "version" 0 "^soar-milter [0-9]" "$M" version
expect "flush --help" 0 "usage: soar-milter" "$M" flush --help
expect "dead -h" 0 "dead list.show ID" "$M" dead -h
expect "unknown mode" 64 "unknown mode 'frobnicate'" "$M" frobnicate
expect "bad option" 64 "soar-milter -h for help" "$M" --bogus-option

printf 'priority = 80\nmax_urlz = 3\n' > "$conf"
expect "unknown key names file:line: key" 78 "$conf:2: max_urlz: unknown key" \
    "$M" -c "$conf" check-config
printf '# c\n\nmax_mime_depth = 5000\n' > "$conf"
expect "out of range" 78 "$conf:3: max_mime_depth: 5000 is out of range (1..1000)" \
    "$M" -c "$conf" -n
printf 'log_level = loud\n' > "$conf"
expect "bad word" 78 "$conf:1: log_level: 'loud' is not err, warn, info or debug" \
    "$M" -c "$conf" -n
expect "missing config file" 78 "$tmp/nope.conf: No such file or directory" \
    "$M" -c "$tmp/nope.conf" -n
expect "-o unknown key" 64 "\-o colour: unknown key" "$M" -o colour=red -n
expect "-o bad value" 64 "\-o max_urls: 'many' is not a number" \
    "$M" -o max_urls=many check-config
printf 'priority = 40\n' > "$conf"
expect "check-config prints effective values" 0 "^priority = 40$" \
    "$M" -c "$conf" check-config
expect "-o overrides the file" 0 "^priority = 100$" \
    "$M" -c "$conf" -o priority=100 check-config
expect "options after the mode" 0 "^max_urls = 7$" \
    "$M" check-config -c "$conf" -o max_urls=7
expect "bad recipient regex" 78 "alert_recipient_regex" \
    "$M" -o alert_on=recipients -o 'alert_recipient_regex=(' check-config

# the shipped configuration file is valid and documents every key
expect "shipped etc/soar-milter.conf is valid" 0 "^socket = " \
    "$M" -c "$top_srcdir/etc/soar-milter.conf" -n
"$M" config-reference --conf > "$tmp/ref.conf"
if sed -n '/^# --- generated/,$p' "$top_srcdir/etc/soar-milter.conf" |
    tail -n +2 | cmp -s - "$tmp/ref.conf"; then
	ok "etc/soar-milter.conf documents every key (matches config-reference --conf)"
else
	bad "etc/soar-milter.conf is out of date: regenerate with contrib/gen-docs.sh"
fi
"$M" config-reference > "$tmp/ref.md"
if sed -n '/^<!-- generated/,/^<!-- end generated/p' \
    "$top_srcdir/docs/CONFIGURATION.md" | sed '1d;$d' | cmp -s - "$tmp/ref.md"; then
	ok "docs/CONFIGURATION.md matches config-reference"
else
	bad "docs/CONFIGURATION.md is out of date: regenerate with contrib/gen-docs.sh"
fi

# scan: unreadable file named, others still processed, non-zero exit
sample=$top_srcdir/tests/data/sample.eml
"$M" scan "$tmp/missing.eml" "$sample" >"$tmp/out" 2>"$tmp/err"
st=$?
if [ "$st" -ne 0 ] && grep -q "$tmp/missing.eml" "$tmp/err" &&
    [ "$(wc -l < "$tmp/out")" -eq 1 ] && grep -q '"display_id"' "$tmp/out"; then
	ok "scan: unreadable file reported, others processed, exit $st"
else
	bad "scan: unreadable file handling (exit $st)"; cat "$tmp/err"
fi
"$M" scan - < "$sample" > "$tmp/stdin.json" 2>"$tmp/err"
"$M" scan "$sample" > "$tmp/file.json" 2>>"$tmp/err"
if [ -s "$tmp/stdin.json" ] &&
    grep -o '"display_id":"[^"]*"' "$tmp/stdin.json" >"$tmp/a" &&
    grep -o '"display_id":"[^"]*"' "$tmp/file.json" >"$tmp/b" &&
    cmp -s "$tmp/a" "$tmp/b"; then
	ok "scan: stdin and file give the same alert id"
else
	bad "scan: stdin vs file"; cat "$tmp/err"
fi
# --mbox: body lines quoted as ">From " (mboxo/mboxrd) are read as the
# MTA delivered them, so a message without Message-ID keeps its id
printf 'From: x@y.example\nSubject: no id\n\nline\nFrom here on\n>From two\nend\n' \
    > "$tmp/plain.eml"
{
	printf 'From a@b Sat Jan  1 00:00:00 2000\n'
	sed 's/^\(>*From \)/>\1/' "$tmp/plain.eml"
	printf 'From a@b Sat Jan  1 00:00:01 2000\nFrom: z@y.example\n\nx\n'
} > "$tmp/box.mbox"
"$M" scan --now 1 "$tmp/plain.eml" 2>&1 |
    grep -o '"display_id":"[^"]*"' > "$tmp/a"
"$M" scan --now 1 --mbox "$tmp/box.mbox" 2>&1 |
    grep -o '"display_id":"[^"]*"' > "$tmp/b"
if [ "$(wc -l < "$tmp/b")" -eq 2 ] && [ -s "$tmp/a" ] &&
    head -1 "$tmp/b" | cmp -s - "$tmp/a" &&
    grep -q '^>From here' "$tmp/box.mbox"; then
	ok "scan --mbox: quoted From lines unquoted (same id as the message)"
else
	bad "scan --mbox: ids $(cat "$tmp/a") / $(cat "$tmp/b")"
fi
expect "scan: no file" 64 "no FILE given" "$M" scan
expect "scan: bad --now" 64 "not a number" "$M" scan --now soon "$sample"

# Run by root, the modes that write under state_dir run as the service
# user (user =, else state_dir's owner), so that the daemon can read and
# replace what they create; check-config tries the secrets as that user.
if [ "$(id -u)" = 0 ] && id nobody >/dev/null 2>&1; then
	chmod 755 "$tmp"
	mkdir "$tmp/svc" && chown nobody "$tmp/svc"
	expect "flush as root in a state_dir of nobody's" 0 "pending" \
	    "$M" -c /dev/null -o state_dir="$tmp/svc" flush
	if [ -d "$tmp/svc/spool/new" ] &&
	    [ -z "$(find "$tmp/svc" ! -user nobody)" ]; then
		ok "flush as root: what it made under state_dir is nobody's"
	else
		bad "flush as root: root-owned: $(find "$tmp/svc" ! -user nobody)"
	fi
	expect "dead list: says when there are none" 0 "no dead letters" \
	    "$M" -c /dev/null -o state_dir="$tmp/svc" dead list
	mkdir "$tmp/rootstate"
	expect "dead list as root with user = nobody: runs as nobody" \
	    73 "rootstate/spool: Permission denied" \
	    "$M" -c /dev/null -o state_dir="$tmp/rootstate" \
	    -o user=nobody -o soar_api=none dead list
	printf 'KEY\n' > "$tmp/key"
	chmod 600 "$tmp/key"
	expect "check-config: a key the service user cannot read" 78 \
	    "soar_key_file: $tmp/key: the service user nobody cannot read it.*chown nobody" \
	    "$M" -c /dev/null -o state_dir="$tmp/svc" -o soar_api=sdk \
	    -o soar_url=http://127.0.0.1:9 -o soar_key_file="$tmp/key" -n
	chown nobody "$tmp/key"
	expect "check-config: the same key, the service user's" 0 \
	    "^soar_key_file = $tmp/key$" \
	    "$M" -c /dev/null -o state_dir="$tmp/svc" -o soar_api=sdk \
	    -o soar_url=http://127.0.0.1:9 -o soar_key_file="$tmp/key" -n
	expect "check-config: user = nobody, state_dir root's" 78 \
	    "state_dir: $tmp/rootstate: the service user nobody cannot write it" \
	    "$M" -c /dev/null -o state_dir="$tmp/rootstate" -o user=nobody -n
	# a spool left root's below a state_dir of nobody's
	mkdir -p "$tmp/mixed/spool/new" && chown nobody "$tmp/mixed"
	expect "check-config: a root-owned spool below state_dir" 78 \
	    "state_dir: $tmp/mixed/spool: the service user nobody cannot write it.*chown -R nobody" \
	    "$M" -c /dev/null -o state_dir="$tmp/mixed" -n
	# a state_dir that is a symbolic link names nobody
	ln -s "$tmp/svc" "$tmp/svclink"
	expect "flush as root says whom it runs as" 0 \
	    "running as user nobody, the owner of $tmp/svc" \
	    "$M" -c /dev/null -o state_dir="$tmp/svc" flush
	"$M" -c /dev/null -o state_dir="$tmp/svclink" flush >"$tmp/out" 2>&1
	if [ $? -eq 0 ] && ! grep -q "running as user" "$tmp/out"; then
		ok "flush as root through a symlinked state_dir: stays root"
	else
		bad "flush through a symlinked state_dir: $(cat "$tmp/out")"
	fi
else
	bad "service user checks need root and the user nobody"
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
