# dovecot.sh - a private Dovecot IMAP server for tests and benchmarks.
#
# Source this file, then:
#   dv_setup DIR            make DIR/dovecot (config, CA + server certificate,
#                           passwd-file user, Maildir) and start Dovecot
#   dv_stop                 stop it (call from the test's EXIT trap)
#
# Nothing outside DIR is touched: own config file (dovecot -c), own
# base_dir/state_dir/log, loopback ports chosen free at run time, never
# /etc/dovecot.  After dv_setup these are set:
#   DV_HOST                 "localhost" (the certificate names it and 127.0.0.1)
#   DV_IMAP_PORT            plain IMAP, STARTTLS required before login
#   DV_IMAPS_PORT           implicit TLS
#   DV_CA                   PEM of the test CA that signed the server cert
#   DV_OTHER_CA             PEM of an unrelated CA (for the wrong-CA test)
#   DV_USER, DV_PASS        the test user and its password
#   DV_PASSFILE             file with DV_PASS, mode 0600
#   DV_TOKEN, DV_TOKENFILE  an OAuth2 bearer token accepted for DV_USER by
#                           XOAUTH2 (when DV_OAUTH2=1 before dv_setup)
#   DV_MAILDIR              the user's Maildir root (INBOX)
#   DV_MAIL_OWNER           uid:gid owning it (chown files written there)
#   DV_PY                   python3 to run tests/lib/imapctl.py with
#
# Environment read by dv_setup:
#   DV_OAUTH2=1             also enable XOAUTH2: a tiny token introspection
#                           server (python, stdlib) on another free port,
#                           Dovecot's oauth2 passdb asks it
#   DV_NO_MOVE=1            do not advertise MOVE (client fallback path)
#   DV_MAX_SECONDS          lifetime bound of helper servers (default 1800)
#
# Dovecot runs in the foreground (-F) as a child of the test shell, so a
# test that dies leaves nothing behind once its trap runs dv_stop.

DV_PY=${PYTHON3:-/usr/bin/python3}
DV_PID=
DV_OAUTH_PID=

# dv_free_port - print a TCP port on 127.0.0.1 that was free just now
dv_free_port()
{
	"$DV_PY" -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()'
}

# dv_wait_port - wait (bounded) until 127.0.0.1:$1 accepts connections
dv_wait_port()
{
	"$DV_PY" - "$1" <<'EOF'
import socket, sys, time
port = int(sys.argv[1])
end = time.monotonic() + 30
while time.monotonic() < end:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        sys.exit(0)
    except OSError:
        time.sleep(0.05)
sys.exit(1)
EOF
}

# dv_certs - test CA, server certificate for localhost/127.0.0.1, other CA
dv_certs()
{
	local d=$1

	openssl req -x509 -newkey rsa:2048 -nodes -days 2 \
	    -subj "/CN=soar-milter test CA" \
	    -keyout "$d/ca.key" -out "$d/ca.crt" >/dev/null 2>&1 || return 1
	openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" \
	    -keyout "$d/server.key" -out "$d/server.csr" >/dev/null 2>&1 ||
	    return 1
	printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\n' >"$d/san.ext"
	openssl x509 -req -in "$d/server.csr" -CA "$d/ca.crt" \
	    -CAkey "$d/ca.key" -CAcreateserial -days 2 \
	    -extfile "$d/san.ext" -out "$d/server.crt" >/dev/null 2>&1 ||
	    return 1
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 \
	    -subj "/CN=some other CA" \
	    -keyout "$d/other.key" -out "$d/other.crt" >/dev/null 2>&1 ||
	    return 1
	chmod 600 "$d"/*.key
}

# dv_oauth_server - token introspection endpoint for Dovecot's oauth2 passdb
dv_oauth_server()
{
	local d=$1 port=$2

	cat >"$d/introspect.py" <<'EOF'
import http.server, json, sys, threading, urllib.parse
port, token, user, secs = int(sys.argv[1]), sys.argv[2], sys.argv[3], float(sys.argv[4])
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        n = int(self.headers.get("Content-Length") or 0)
        form = urllib.parse.parse_qs(self.rfile.read(min(n, 65536)).decode())
        ok = form.get("token", [""])[0] == token
        body = json.dumps({"active": ok, "username": user if ok else ""}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *a):
        pass
srv = http.server.HTTPServer(("127.0.0.1", port), H)
threading.Timer(secs, srv.shutdown).start()
srv.serve_forever()
EOF
	"$DV_PY" "$d/introspect.py" "$port" "$DV_TOKEN" "$DV_USER" \
	    "${DV_MAX_SECONDS:-1800}" &
	DV_OAUTH_PID=$!
	dv_wait_port "$port"
}

# dv_setup - configure and start a private Dovecot below $1
dv_setup()
{
	local d=$1/dovecot uid gid user caps oport try login_user internal_user

	mkdir -p "$d/run" "$d/state" "$d/mail" || return 1
	chmod 755 "$1" "$d" "$d/run"
	dv_certs "$d" || { echo "dovecot.sh: openssl failed" >&2; return 1; }
	DV_HOST=localhost
	DV_CA=$d/ca.crt
	DV_OTHER_CA=$d/other.crt
	DV_USER=backfill@example.test
	DV_PASS=s3cret-$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')
	DV_PASSFILE=$d/password
	DV_TOKEN=tok-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')
	DV_TOKENFILE=$d/token
	DV_MAILDIR=$d/mail/Maildir
	(umask 077; printf '%s\n' "$DV_PASS" >"$DV_PASSFILE";
	    printf '%s\n' "$DV_TOKEN" >"$DV_TOKENFILE")

	# Mail processes run as the invoking user, or as "mail" when that
	# is root (Dovecot refuses uid 0 for mail access).
	uid=$(id -u); gid=$(id -g); user=$(id -un)
	if [ "$uid" = 0 ]; then
		uid=$(id -u mail) gid=$(id -g mail) || return 1
		chown "$uid:$gid" "$d/mail"
	fi
	DV_MAIL_OWNER=$uid:$gid
	printf '%s:{PLAIN}%s:%s:%s::%s/mail\n' "$DV_USER" "$DV_PASS" \
	    "$uid" "$gid" "$d" >"$d/users"
	chmod 644 "$d/users"	# read by the auth process (dovecot user)
	if [ "$(id -u)" = 0 ]; then
		login_user=dovenull internal_user=dovecot
	else
		login_user=$user internal_user=$user
	fi

	caps=""
	if [ "${DV_NO_MOVE:-0}" = 1 ]; then
		caps="imap_capability = IMAP4rev1 SASL-IR LITERAL+ ID ENABLE IDLE SORT THREAD=REFERENCES NAMESPACE UIDPLUS UNSELECT CHILDREN ESEARCH"
	fi

	for try in 1 2 3; do
		DV_IMAP_PORT=$(dv_free_port)
		DV_IMAPS_PORT=$(dv_free_port)
		[ "$DV_IMAP_PORT" != "$DV_IMAPS_PORT" ] || continue
		dv_write_conf "$d" "$uid" "$gid" "$caps" || return 1
		if [ "${DV_OAUTH2:-0}" = 1 ] && [ -z "$DV_OAUTH_PID" ]; then
			oport=$(dv_free_port)
			dv_oauth_conf "$d" "$oport"
			dv_oauth_server "$d" "$oport" || return 1
		fi
		dovecot -F -c "$d/dovecot.conf" >>"$d/dovecot.out" 2>&1 &
		DV_PID=$!
		if dv_wait_port "$DV_IMAP_PORT" && dv_wait_port "$DV_IMAPS_PORT" &&
		    kill -0 "$DV_PID" 2>/dev/null; then
			export DV_HOST DV_IMAP_PORT DV_IMAPS_PORT DV_CA DV_USER \
			    DV_PASS DV_PASSFILE DV_TOKEN DV_TOKENFILE DV_MAILDIR DV_MAIL_OWNER
			return 0
		fi
		dv_stop
	done
	echo "dovecot.sh: dovecot did not start; its output:" >&2
	cat "$d/dovecot.out" "$d/dovecot.log" >&2 2>/dev/null
	return 1
}

# dv_write_conf - the whole configuration: nothing is included from /etc
dv_write_conf()
{
	local d=$1 uid=$2 gid=$3 caps=$4 mechs="plain login" passdb

	passdb="passdb {
  driver = passwd-file
  args = scheme=PLAIN $d/users
}"
	if [ "${DV_OAUTH2:-0}" = 1 ]; then
		mechs="plain login xoauth2 oauthbearer"
		passdb="passdb {
  driver = passwd-file
  args = scheme=PLAIN $d/users
  mechanisms = plain login
}
passdb {
  driver = oauth2
  args = $d/oauth2.conf.ext
  mechanisms = xoauth2 oauthbearer
}"
	fi
	cat >"$d/dovecot.conf" <<EOF
# private test instance: see tests/lib/dovecot.sh
instance_name = soar-test-$$-$DV_IMAP_PORT
base_dir = $d/run
state_dir = $d/state
log_path = $d/dovecot.log
info_log_path = $d/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = yes
ssl_cert = <$d/server.crt
ssl_key = <$d/server.key
ssl_min_protocol = TLSv1.2
disable_plaintext_auth = yes
# no auth penalty for the wrong-password tests
login_trusted_networks = 127.0.0.1/32
auth_mechanisms = $mechs
default_login_user = $login_user
default_internal_user = $internal_user
first_valid_uid = 1
first_valid_gid = 1
auth_failure_delay = 0
mail_location = maildir:~/Maildir
mail_uid = $uid
mail_gid = $gid
mailbox_list_index = no
$caps
$passdb
userdb {
  driver = passwd-file
  args = $d/users
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = $DV_IMAP_PORT
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = $DV_IMAPS_PORT
    ssl = yes
  }
  process_min_avail = 0
}
namespace inbox {
  inbox = yes
  separator = /
  mailbox Trash {
    special_use = \\Trash
  }
}
EOF
}

# dv_oauth_conf - Dovecot's oauth2 passdb asks the introspection server
dv_oauth_conf()
{
	cat >"$1/oauth2.conf.ext" <<EOF
introspection_mode = post
introspection_url = http://127.0.0.1:$2/introspect
username_attribute = username
active_attribute = active
active_value = true
EOF
}

# dv_stop - stop Dovecot and the helper server (idempotent)
dv_stop()
{
	if [ -n "$DV_PID" ]; then
		kill "$DV_PID" 2>/dev/null
		wait "$DV_PID" 2>/dev/null
		DV_PID=
	fi
	if [ -n "$DV_OAUTH_PID" ]; then
		kill "$DV_OAUTH_PID" 2>/dev/null
		wait "$DV_OAUTH_PID" 2>/dev/null
		DV_OAUTH_PID=
	fi
}

# dv_imapctl - run tests/lib/imapctl.py against the private server
dv_imapctl()
{
	"$DV_PY" "$top_srcdir/tests/lib/imapctl.py" --port "$DV_IMAP_PORT" \
	    --ca "$DV_CA" --user "$DV_USER" --password-file "$DV_PASSFILE" "$@"
}

# ------------------------------------------------ helpers for tests/imap
#
# it_init                  strict mode, $T (temp dir, removed at exit
#                          unless KEEP=1), $STATE, a private Dovecot
#                          (dv_setup), EXIT trap that stops everything
# it_fail MSG / it_ok MSG  report (it_fail shows the logs and exits 1)
# it_bg CMD...             start in the background ($IT_BG = pid), killed
#                          at exit
# bf ARGS...               soar-milter with the test account (implicit
#                          TLS, verified against the test CA) and $STATE
# bf_exec ARGS...          the same via exec (for "bf_exec ... &")
# it_load FOLDER           APPEND tests/data/imap/messages.list to FOLDER
#                          (the "seen" ones with \Seen); sets IT_NMSG and
#                          IT_NUNSEEN
# it_count DIR             number of *.json files in DIR
# it_ids DIR               their alert ids, sorted, one a line

it_init()
{
	set -u
	: "${top_srcdir:?top_srcdir is not set (run through make check)}"
	: "${SOAR_MILTER:?SOAR_MILTER is not set (run through make check)}"
	PYTHON3=${PYTHON3:-/usr/bin/python3}
	DV_PY=$PYTHON3
	[ -x "$SOAR_MILTER" ] || { echo "FAIL: $SOAR_MILTER not built" >&2;
	    exit 1; }
	command -v dovecot >/dev/null 2>&1 || { echo "FAIL: dovecot is not" \
	    "installed (Debian: dovecot-imapd)" >&2; exit 1; }
	command -v openssl >/dev/null 2>&1 || { echo "FAIL: openssl is not" \
	    "installed" >&2; exit 1; }
	T=$(mktemp -d /tmp/soar-imap.XXXXXX) || exit 1
	STATE=$T/state
	IT_PIDS=""
	trap it_cleanup EXIT
	trap 'exit 1' INT TERM HUP
	dv_setup "$T" || it_fail "cannot start the private Dovecot"
}

it_cleanup()
{
	for _p in $IT_PIDS; do
		kill -9 "$_p" 2>/dev/null
		wait "$_p" 2>/dev/null
	done
	dv_stop
	if [ "${KEEP:-0}" = 1 ]; then
		echo "kept $T"
	else
		rm -rf "$T"
	fi
}

it_fail()
{
	echo "FAIL: $*" >&2
	for _f in "$T"/*.log "$T/dovecot/dovecot.log"; do
		[ -f "$_f" ] || continue
		echo "--- $_f (last 30 lines)" >&2
		tail -n 30 "$_f" >&2
	done
	exit 1
}

it_ok()
{
	echo "ok: $*"
}

it_bg()
{
	"$@" &
	IT_BG=$!
	IT_PIDS="$IT_PIDS $IT_BG"
}

bf()
{
	"$SOAR_MILTER" -o state_dir="$STATE" -o imap_host=localhost \
	    -o imap_port="$DV_IMAPS_PORT" -o imap_tls=implicit \
	    -o imap_user="$DV_USER" -o imap_password_file="$DV_PASSFILE" \
	    -o imap_ca_file="$DV_CA" -o imap_timeout=60 \
	    -o imap_connect_timeout=10 -o log_level=info "$@"
}

# bf_exec - the same, replacing the (sub)shell: "bf_exec ... &" makes $!
# the pid of soar-milter itself, for kill -9 and kill -INT
bf_exec()
{
	exec "$SOAR_MILTER" -o state_dir="$STATE" -o imap_host=localhost \
	    -o imap_port="$DV_IMAPS_PORT" -o imap_tls=implicit \
	    -o imap_user="$DV_USER" -o imap_password_file="$DV_PASSFILE" \
	    -o imap_ca_file="$DV_CA" -o imap_timeout=60 \
	    -o imap_connect_timeout=10 -o log_level=info "$@"
}

it_load()
{
	set -- $(dv_imapctl append-list "$1" \
	    "$top_srcdir/tests/data/imap/messages.list" \
	    "$top_srcdir/tests/data/corpus") || it_fail "APPEND to $1"
	IT_NMSG=$1
	IT_NUNSEEN=$2
	[ "$IT_NMSG" -gt 0 ] || it_fail "no test messages loaded"
}

it_count()
{
	find "$1" -maxdepth 1 -name '*.json' 2>/dev/null | wc -l | tr -d ' '
}

it_ids()
{
	find "$1" -maxdepth 1 -name '*.json' 2>/dev/null |
	    sed 's|.*/||; s|\.json$||' | sort
}

# wait_files DIR N SECONDS PID - until DIR holds N entries (or PID ends)
wait_files()
{
	_i=0
	while [ "$(find "$1" -maxdepth 1 -type f ! -name '.*' 2>/dev/null |
	    wc -l)" -lt "$2" ]; do
		kill -0 "$4" 2>/dev/null || return 1
		_i=$((_i + 1))
		[ $_i -le $(($3 * 50)) ] || return 1
		sleep 0.02
	done
}

# ckpt_last STATE - the last_uid of every checkpoint under STATE
ckpt_last()
{
	sed -n 's/^last_uid //p' "$1"/*/[0-9a-f]* 2>/dev/null
}

# spool_count_after_crash STATE - the alerts a killed run left in the
# spool, after a spool open has done its crash recovery: a put killed
# between writing its file and linking it into new/ leaves a complete
# file in tmp/, which recovery puts into new/ (and a re-run then counts
# as a duplicate).  `dead list` only opens the spool; it sends nothing.
spool_count_after_crash()
{
	"$SOAR_MILTER" -o state_dir="$1" dead list >/dev/null 2>&1 ||
	    it_fail "dead list (spool recovery) failed"
	find "$1/spool/new" -type f | wc -l | tr -d ' '
}

# bf_kill9_at DIR N LOG ARG... - run backfill (bf_exec ARG...) in the
# background, its stderr to LOG, and kill -9 it once DIR holds N files
bf_kill9_at()
{
	_k9dir=$1 _k9n=$2 _k9log=$3
	shift 3
	bf_exec "$@" 2>"$_k9log" &
	_k9pid=$!
	IT_PIDS="$IT_PIDS $_k9pid"
	wait_files "$_k9dir" "$_k9n" 120 $_k9pid ||
	    it_fail "the run did not get to $_k9n alerts in $_k9dir"
	kill -9 $_k9pid
	wait $_k9pid 2>/dev/null
}
