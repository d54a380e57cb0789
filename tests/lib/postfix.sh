# postfix.sh - a private Postfix instance for tests and benchmarks.
# Sourced (POSIX sh).  Needs root (Postfix's master runs as root and its
# daemons as mail_owner "postfix") and the Debian postfix package.  It
# changes nothing outside the directory it is given: its own
# config_directory, queue_directory and data_directory, loopback only,
# log in a file (maillog_file), no chroot, no DNS, no local delivery.
# Every message is relayed to relayhost [127.0.0.1]:SINK_PORT.
#
#   . "$top_srcdir/tests/lib/postfix.sh"
#   port=$(pf_free_port)
#   pf_setup DIR SINK_PORT [MILTER_SPEC]   MILTER_SPEC e.g. inet:127.0.0.1:8894
#                                          sets PF_DIR, PF_PORT (smtpd port)
#   pf_add_smtpd PORT [-o KEY=VALUE]...    one more smtpd listener (before
#                                          pf_start), e.g. with another
#                                          smtpd_milters
#   pf_start                               returns when smtpd answers
#   pf_conf KEY=VALUE...                   postconf -e (reload if running)
#   pf_queue_count                         files in the queue right now
#   pf_wait_empty SECONDS                  0 once the queue is empty
#   pf_log                                 path of the Postfix log file
#   pf_stop                                stop master, wait for it to exit
#
# DIR and its parent are made world-searchable (0755) because Postfix's
# daemons run as user postfix.  Call pf_stop from the caller's EXIT trap.

: "${PYTHON3:=python3}"
PF_DIR=
PF_PORT=

# pf_free_port - print a TCP port on 127.0.0.1 that is free right now
pf_free_port() {
	"$PYTHON3" -c 'import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# pf_wait_port PORT SECONDS - 0 once something accepts on 127.0.0.1:PORT
pf_wait_port() {
	"$PYTHON3" - "$1" "$2" <<'EOF'
import socket, sys, time
port, limit = int(sys.argv[1]), time.time() + float(sys.argv[2])
while time.time() < limit:
    try:
        socket.create_connection(("127.0.0.1", port), 1).close()
        sys.exit(0)
    except OSError:
        time.sleep(0.1)
sys.exit(1)
EOF
}

# pf_setup DIR SINK_PORT [MILTER_SPEC] - write a private configuration
pf_setup() {
	PF_DIR=$1
	_pf_sink=$2
	_pf_milter=${3:-}
	PF_PORT=$(pf_free_port) || return 1
	mkdir -p "$PF_DIR/etc" "$PF_DIR/queue" "$PF_DIR/data" || return 1
	chmod 0755 "$PF_DIR" "$(dirname "$PF_DIR")" "$PF_DIR/etc" \
	    "$PF_DIR/queue" || return 1
	chown postfix "$PF_DIR/data" || return 1
	cat > "$PF_DIR/etc/main.cf" <<EOF
# private test instance (tests/lib/postfix.sh)
compatibility_level = 3.6
config_directory = $PF_DIR/etc
queue_directory = $PF_DIR/queue
data_directory = $PF_DIR/data
maillog_file = $PF_DIR/maillog
maillog_file_prefixes = $PF_DIR
mail_owner = postfix
setgid_group = postdrop
myhostname = mta.soar-test.invalid
mydomain = soar-test.invalid
myorigin = \$myhostname
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mydestination =
local_recipient_maps =
alias_maps =
alias_database =
relay_domains =
mynetworks = 127.0.0.0/8
smtpd_relay_restrictions = permit_mynetworks, reject
smtpd_recipient_restrictions = permit_mynetworks, reject
relayhost = [127.0.0.1]:$_pf_sink
disable_dns_lookups = yes
smtp_host_lookup = native
smtpd_peername_lookup = no
smtp_tls_security_level = none
smtpd_tls_security_level = none
message_size_limit = 52428800
mailbox_size_limit = 0
in_flow_delay = 0
biff = no
append_dot_mydomain = no
smtpd_milters = ${_pf_milter}
non_smtpd_milters =
milter_default_action = accept
milter_protocol = 6
queue_run_delay = 5s
minimal_backoff_time = 5s
maximal_backoff_time = 10s
EOF
	cat > "$PF_DIR/etc/master.cf" <<EOF
# service type  private unpriv  chroot  wakeup  maxproc command
127.0.0.1:$PF_PORT inet n -     n       -       -       smtpd
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
proxywrite unix -       -       n       -       1       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
EOF
}

# pf_add_smtpd PORT [-o KEY=VALUE]... - another loopback smtpd listener
pf_add_smtpd() {
	_pf_p=$1
	shift
	echo "127.0.0.1:$_pf_p inet n - n - - smtpd $*" >>"$PF_DIR/etc/master.cf"
}

# pf_conf KEY=VALUE... - change main.cf; reload a running instance
pf_conf() {
	postconf -c "$PF_DIR/etc" -e "$@" || return 1
	if [ -f "$PF_DIR/queue/pid/master.pid" ]; then
		postfix -c "$PF_DIR/etc" reload >/dev/null 2>&1
	fi
	return 0
}

# pf_start - start master; 0 once smtpd accepts connections
pf_start() {
	if ! postfix -c "$PF_DIR/etc" start >"$PF_DIR/start.out" 2>&1; then
		echo "pf_start: postfix start failed:" >&2
		sed 's/^/  | /' "$PF_DIR/start.out" >&2
		# Postfix logs fatal errors to stderr only on a terminal.
		script -qc "postfix -c '$PF_DIR/etc' check" /dev/null >&2
		[ -f "$PF_DIR/maillog" ] && tail -20 "$PF_DIR/maillog" >&2
		return 1
	fi
	if ! pf_wait_port "$PF_PORT" 30; then
		echo "pf_start: smtpd does not answer on $PF_PORT" >&2
		[ -f "$PF_DIR/maillog" ] && tail -20 "$PF_DIR/maillog" >&2
		return 1
	fi
	return 0
}

# pf_stop - stop master (if running) and wait up to 20 s for it to exit
pf_stop() {
	[ -n "$PF_DIR" ] || return 0
	_pf_pidf=$PF_DIR/queue/pid/master.pid
	[ -f "$_pf_pidf" ] || return 0
	_pf_pid=$(tr -dc 0-9 < "$_pf_pidf")
	postfix -c "$PF_DIR/etc" stop >/dev/null 2>&1
	_pf_i=0
	while [ -n "$_pf_pid" ] && kill -0 "$_pf_pid" 2>/dev/null &&
	    [ $_pf_i -lt 200 ]; do
		sleep 0.1
		_pf_i=$((_pf_i + 1))
	done
	if [ -n "$_pf_pid" ] && kill -0 "$_pf_pid" 2>/dev/null; then
		postfix -c "$PF_DIR/etc" abort >/dev/null 2>&1
		kill -9 "$_pf_pid" 2>/dev/null
	fi
	return 0
}

# pf_queue_count - messages in the queue (every queue, incl. deferred)
pf_queue_count() {
	find "$PF_DIR/queue/incoming" "$PF_DIR/queue/active" \
	    "$PF_DIR/queue/deferred" "$PF_DIR/queue/hold" \
	    "$PF_DIR/queue/maildrop" -type f 2>/dev/null | wc -l
}

# pf_wait_empty SECONDS - 0 once the queue is empty
pf_wait_empty() {
	_pf_end=$(($(date +%s) + $1))
	while [ "$(pf_queue_count)" -ne 0 ]; do
		[ "$(date +%s)" -ge "$_pf_end" ] && return 1
		sleep 0.2
	done
	return 0
}

# pf_log - the Postfix log file
pf_log() {
	echo "$PF_DIR/maillog"
}
