#!/bin/sh
# config.sh - check-config (-n) refuses what the daemon would refuse at
# start: a bad socket spec, users and groups that do not exist, a SOAR
# secret file others can read, a missing TLS file.  Each with exit
# status 78 (EX_CONFIG) and "file: key: what is wrong".
set -u
: "${SOAR_MILTER:?}" "${top_srcdir:?}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. "$top_srcdir/tests/lib/expect.sh"

M=$SOAR_MILTER
conf=$tmp/soar.conf
key=$tmp/app.key
echo not-a-real-key >"$key"
chmod 600 "$key"

# the socket: port out of range, in the file and with -o
printf 'socket = inet:99999@127.0.0.1\n' >"$conf"
expect "socket port out of range" 78 \
    "^soar-milter: $conf: socket: inet:99999@127.0.0.1: bad port (1-65535)$" \
    "$M" -c "$conf" -n
expect "socket port out of range (-o)" 78 \
    "^soar-milter: -o: socket: inet:0@127.0.0.1: bad port" \
    "$M" -o socket=inet:0@127.0.0.1 check-config
expect "relative unix socket path" 78 \
    "^soar-milter: -o: socket: unix:run/m.sock: the path must be absolute" \
    "$M" -o socket=unix:run/m.sock -n
expect "unix socket in a missing directory" 78 \
    "^soar-milter: -o: socket: unix:$tmp/nodir/m.sock: directory $tmp/nodir: No such file or directory$" \
    "$M" -o socket="unix:$tmp/nodir/m.sock" -n
: >"$tmp/plain"
expect "unix socket in a file, not a directory" 78 \
    "^soar-milter: -o: socket: unix:$tmp/plain/m.sock: $tmp/plain is not a directory$" \
    "$M" -o socket="unix:$tmp/plain/m.sock" check-config

# users and groups
printf 'user = no-such-user-soar\n' >"$conf"
expect "missing user" 78 "^soar-milter: $conf: user: no such user: no-such-user-soar$" \
    "$M" -c "$conf" -n
printf 'group = no-such-group-soar\n' >"$conf"
expect "missing group" 78 \
    "^soar-milter: $conf: group: no such group: no-such-group-soar$" \
    "$M" -c "$conf" -n
printf 'socket = unix:%s/m.sock\nsocket_owner = no-such-user-soar\n' "$tmp" \
    >"$conf"
expect "socket_owner: missing user" 78 \
    "^soar-milter: $conf: socket_owner: no such user: no-such-user-soar$" \
    "$M" -c "$conf" -n
expect "socket_owner: missing group" 78 \
    "^soar-milter: -o: socket_owner: no such group: no-such-group-soar$" \
    "$M" -o socket=unix:/run/x.sock -o socket_owner=root:no-such-group-soar -n
expect "existing user, group and owner pass" 0 "^user = root$" \
    "$M" -o socket="unix:$tmp/m.sock" -o user=root \
    -o group="$(id -gn root)" -o socket_owner="root:$(id -gn root)" -n

# the SOAR settings, as the sender checks them at start
printf 'soar_api = sdk\nsoar_url = https://soar.example\nsoar_key_file = %s\n' \
    "$key" >"$conf"
expect "good sdk settings pass" 0 "^soar_api = sdk$" "$M" -c "$conf" -n
chmod 644 "$key"
expect "key file readable by others" 78 \
    "^soar-milter: $conf: soar_key_file: $key: mode 0644 gives group or other access" \
    "$M" -c "$conf" -n
chmod 600 "$key"
expect "missing CA file" 78 \
    "^soar-milter: $conf: tls_ca_file: $tmp/nope.pem: No such file or directory$" \
    "$M" -c "$conf" -o tls_ca_file="$tmp/nope.pem" -n
expect "soar_api = none needs no key" 0 "^soar_api = none$" \
    "$M" -o soar_key_file="$tmp/nope.key" -n

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
