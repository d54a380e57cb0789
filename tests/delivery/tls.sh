#!/bin/sh
# tls.sh - HTTPS to the SOAR: verified against tls_ca_file, refused
# without the right CA, tls_verify = no, client certificate (mutual
# TLS), and a missing CA file as a clear start-up error.  Certificates
# are made here with the openssl tool (throwaway, 2 days).
. "$top_srcdir/tests/lib/delivery.sh"

command -v openssl >/dev/null 2>&1 || fail "openssl tool not found"
P=$T/pki
mkdir -p "$P"
EC="-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes"
# shellcheck disable=SC2086
{
	openssl req -x509 $EC -keyout "$P/ca.key" -out "$P/ca.crt" -days 2 \
	    -subj "/CN=soar-milter test CA" &&
	openssl req $EC -keyout "$P/srv.key" -out "$P/srv.csr" \
	    -subj "/CN=127.0.0.1" &&
	printf 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' >"$P/srv.ext" &&
	openssl x509 -req -in "$P/srv.csr" -CA "$P/ca.crt" -CAkey "$P/ca.key" \
	    -CAcreateserial -out "$P/srv.crt" -days 2 -extfile "$P/srv.ext" &&
	openssl req $EC -keyout "$P/cli.key" -out "$P/cli.csr" \
	    -subj "/CN=soar-milter client" &&
	printf 'extendedKeyUsage=clientAuth\n' >"$P/cli.ext" &&
	openssl x509 -req -in "$P/cli.csr" -CA "$P/ca.crt" -CAkey "$P/ca.key" \
	    -CAcreateserial -out "$P/cli.crt" -days 2 -extfile "$P/cli.ext"
} >"$T/openssl.log" 2>&1 || fail "openssl: $(cat "$T/openssl.log")"
chmod 600 "$P"/*.key

# soarctl.py speaks plain HTTP: count the receiver's record files.
received() {
	find "$RREC" -name '*.json' | wc -l | tr -d ' '
}

start_receiver tls --app-key "$KEY" --tls-cert "$P/srv.crt" --tls-key "$P/srv.key"
HTTPS="-o soar_api=sdk -o soar_url=https://127.0.0.1:$RPORT -o soar_key_file=$KEYFILE"

spool --prefix tls --count 2 || fail "spool_put.py"
# shellcheck disable=SC2086
sm $HTTPS -o tls_ca_file="$P/ca.crt" flush >"$T/f1.out" 2>"$T/f1.log" ||
    fail "flush over verified TLS: $(cat "$T/f1.out")"
[ "$(received)" = 2 ] || fail "received $(received) over TLS, want 2"
ok "HTTPS verified with tls_ca_file"

# The system CA store does not know our CA: refused, nothing sent.
spool --prefix tls --start 2 --count 1 || fail "spool_put.py"
# shellcheck disable=SC2086
sm $HTTPS flush >"$T/f2.out" 2>"$T/f2.log" && fail "unknown CA accepted"
grep -qi "certificate" "$T/f2.log" || fail "no certificate error in the log: $(cat "$T/f2.log")"
[ "$(count "$STATE/spool/new")" = 1 ] || fail "alert not kept after a TLS failure"
[ "$(received)" = 2 ] || fail "an alert crossed an unverified connection"
ok "unknown CA: refused, alert kept"

# shellcheck disable=SC2086
sm $HTTPS -o tls_verify=no flush >"$T/f3.out" 2>"$T/f3.log" ||
    fail "tls_verify=no: $(cat "$T/f3.out")"
grep -q "tls_verify = no" "$T/f3.log" || fail "no warning for tls_verify = no"
[ "$(received)" = 3 ] || fail "tls_verify=no: received $(received)"
ok "tls_verify = no delivers, with a warning"

# Mutual TLS: the server wants a client certificate from our CA.
start_receiver mtls --app-key "$KEY" --tls-cert "$P/srv.crt" \
    --tls-key "$P/srv.key" --tls-client-ca "$P/ca.crt"
HTTPS="-o soar_api=sdk -o soar_url=https://127.0.0.1:$RPORT -o soar_key_file=$KEYFILE -o tls_ca_file=$P/ca.crt"
spool --prefix mtls --count 1 || fail "spool_put.py"
# shellcheck disable=SC2086
sm $HTTPS flush >"$T/f4.out" 2>"$T/f4.log" && fail "no client certificate, yet delivered"
[ "$(count "$STATE/spool/new")" = 1 ] || fail "alert lost"
# A client key that group or others can read is refused, like the AppKey
# file, before anything is sent.
cp "$P/cli.key" "$T/cli-open.key" && chmod 644 "$T/cli-open.key"
# shellcheck disable=SC2086
sm $HTTPS -o tls_cert_file="$P/cli.crt" -o tls_key_file="$T/cli-open.key" \
    flush >"$T/f4k.out" 2>"$T/f4k.log" && fail "a 0644 tls_key_file was accepted"
grep -q "tls_key_file $T/cli-open.key: mode 0644 gives other access" \
    "$T/f4k.log" || fail "unclear error: $(cat "$T/f4k.log")"
[ "$(count "$STATE/spool/new")" = 1 ] || fail "alert lost"
ok "a tls_key_file open to others is refused, naming key and file"
# shellcheck disable=SC2086
sm $HTTPS -o tls_cert_file="$P/cli.crt" -o tls_key_file="$P/cli.key" \
    flush >"$T/f5.out" 2>"$T/f5.log" || fail "client certificate: $(cat "$T/f5.log")"
[ "$(received)" = 1 ] || fail "mutual TLS: received $(received)"
ok "client certificate (mutual TLS)"

# shellcheck disable=SC2086
sm $HTTPS -o tls_ca_file="$T/nonexistent.pem" flush >/dev/null 2>"$T/f6.log" &&
    fail "a missing tls_ca_file was accepted"
grep -q "tls_ca_file $T/nonexistent.pem" "$T/f6.log" || fail "unclear error: $(cat "$T/f6.log")"
! grep -q "$KEY" "$T"/f*.log || fail "the key appears in a log"
ok "missing CA file: clear error"
exit 0
