#!/bin/sh
# quickstart.sh - README command (1): on a fresh Debian 12, as root,
# install the dependencies, build and install soar-milter, then start
# the milter on loopback with the built-in defaults and show the alert
# of a bundled sample message.
#
# Defaults: milter socket inet:8894@127.0.0.1; no SOAR configured, so
# alerts are written as JSON files to /var/lib/soar-milter/outbox/.
set -eu
cd "$(dirname "$0")/.."
top=$(pwd)

sh contrib/install-deps.sh build
autoreconf -fi >/dev/null 2>&1 || autoreconf -fi
mkdir -p build/release
(cd build/release &&
    "$top/configure" -q --prefix=/usr/local --sysconfdir=/etc \
	--localstatedir=/var CFLAGS="-O2 -g" &&
    make -s -j2 && make -s install)

bin=/usr/local/sbin/soar-milter
getent passwd soar-milter >/dev/null 2>&1 ||
    useradd --system --home-dir /var/lib/soar-milter --no-create-home \
	--shell /usr/sbin/nologin soar-milter
install -d -o soar-milter -g soar-milter -m 0750 /var/lib/soar-milter
# the service user's own: the daemon removes its pid file there at exit
install -d -o soar-milter -g soar-milter -m 0755 /run/soar-milter

# the installed configuration is valid; what it says, for the messages
eff=$("$bin" -o user=soar-milter -n)
val() { printf '%s\n' "$eff" | sed -n "s/^$1 = //p"; }
sock=$(val socket)
api=$(val soar_api)
outbox=$(val outbox_dir)
[ -n "$outbox" ] || outbox="$(val state_dir)/outbox"

# (re)start the daemon.  A running soar-milter holds a lock on its pid
# file: only then is the pid in it ours to stop (a stale pid file may
# name some other process by now).
pidf=/run/soar-milter/soar-milter.pid
if [ -f "$pidf" ] && ! flock -n "$pidf" true 2>/dev/null; then
	old=$(cat "$pidf")
	exe=$(readlink "/proc/$old/exe" 2>/dev/null || true)
	case $exe in
	"$bin" | "$bin (deleted)") ;;
	*)
		echo "$pidf is locked by pid $old ($exe), not $bin:" \
		    "not stopping it" >&2
		exit 1
		;;
	esac
	# libmilter notices SIGTERM within about 4 s, then releases the port
	kill "$old"
	i=0
	while kill -0 "$old" 2>/dev/null && [ $i -lt 300 ]; do
		sleep 0.1
		i=$((i + 1))
	done
fi
if ! "$bin" -o user=soar-milter -o pid_file="$pidf"; then
	echo "soar-milter did not start; see the mail log (journalctl -t soar-milter)" >&2
	exit 1
fi
sleep 1
if [ -f "$pidf" ] && kill -0 "$(cat "$pidf")" 2>/dev/null; then
	echo "soar-milter is running (pid $(cat "$pidf")) on $sock"
else
	echo "soar-milter did not start; see the mail log (journalctl -t soar-milter)" >&2
	exit 1
fi

echo
echo "The alert soar-milter makes of a sample message (tests/data/sample.eml):"
"$bin" scan --pretty tests/data/sample.eml

# the Postfix form of the socket spec: inet:PORT@HOST -> inet:HOST:PORT
case $sock in
inet:*@*) pf="inet:${sock#*@}:$(printf '%s' "${sock#inet:}" | cut -d@ -f1)" ;;
inet:*) pf="inet:127.0.0.1:${sock#inet:}" ;;	# all interfaces: loopback works
inet6:*@*) pf="inet:[${sock#*@}]:$(printf '%s' "${sock#inet6:}" | cut -d@ -f1)" ;;
inet6:*) pf="inet:[::1]:${sock#inet6:}" ;;
local:*) pf="unix:${sock#local:}" ;;
*) pf=$sock ;;
esac
if [ "$api" = none ]; then
	where="Alerts of received mail appear as JSON files in $outbox/
  until a SOAR is configured in /etc/soar-milter/soar-milter.conf
  (soar_api, soar_url, soar_key_file; see docs/CONFIGURATION.md)."
else
	where="Alerts of received mail go to the SOAR (soar_api = $api, $(val soar_url));
  \`soar-milter dead list\` shows any it refused."
fi
cat <<MSG

Next steps
  Point Postfix at the milter (main.cf), then \`postfix reload\`:
      smtpd_milters = $pf
      non_smtpd_milters = \$smtpd_milters
      milter_default_action = accept
  $where
  Logs go to syslog (journalctl -t soar-milter, or /var/log/mail.log with
  rsyslog). This daemon was started by hand: to run it under systemd
  instead, see docs/MILTER.md ("Running under systemd").
MSG
