#!/bin/sh
# install-deps.sh - install the dependencies of soar-milter on Debian 12
# (bookworm) with apt-get.  Run as root.  Idempotent.
#
#   install-deps.sh build   what building and running soar-milter needs
#                           (compiler, autotools, the -dev libraries):
#                           what contrib/quickstart.sh installs on a mail
#                           server.  No MTA, no IMAP server.
#   install-deps.sh [all]   that and everything the test suite needs
#                           (contrib/run-tests.sh, .ci/run).
#
# The test set must not go onto a production mail server: it installs
# Postfix (on a Sendmail or Exim host apt replaces the running MTA) and
# Dovecot (enabled at boot by its package).
#
# Postfix and Dovecot are installed for the tests, which run private
# instances on loopback; this script keeps the packaged system services
# from starting (policy-rc.d) only while installing, and changes no
# system configuration.
#
# Sendmail (tests/sendmail/) cannot be installed next to Postfix (both
# are the system MTA), so its Debian packages are only downloaded and
# unpacked under $SENDMAIL_ROOT (default /var/cache/soar-milter-tests/
# sendmail); the test runs that private copy on loopback.
set -eu
SENDMAIL_ROOT=${SENDMAIL_ROOT:-/var/cache/soar-milter-tests/sendmail}

case ${1:-all} in
build) WHAT=build ;;
all|test) WHAT=all ;;
*)	echo "install-deps.sh: usage: install-deps.sh [build|all]" >&2
	exit 64 ;;
esac

if [ "$(id -u)" != 0 ]; then
	echo "install-deps.sh: run as root (apt-get)" >&2
	exit 1
fi

BUILD_PKGS="build-essential autoconf automake libtool pkg-config
 libgmime-3.0-dev libpcre2-dev libcurl4-openssl-dev libmilter-dev
 libjson-c-dev libssl-dev libinih-dev libpsl-dev ca-certificates"
TEST_PKGS="python3 valgrind miltertest postfix dovecot-core dovecot-imapd
 openssl procps iproute2 file m4 util-linux
 libdb5.3 libldap-2.5-0 libnsl2 libsasl2-2 libssl3 libwrap0"

[ "$WHAT" = build ] && TEST_PKGS=""
missing=""
for p in $BUILD_PKGS $TEST_PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
	    missing="$missing $p"
done
# sendmail_unpack - the private Sendmail of tests/sendmail (see above)
sendmail_unpack() {
	[ -x "$SENDMAIL_ROOT/usr/libexec/sendmail/sendmail" ] &&
	    [ -f "$SENDMAIL_ROOT/usr/share/sendmail/cf/m4/cf.m4" ] && return 0
	_d=$(mktemp -d /tmp/soar-sendmail-deb.XXXXXX)
	chmod 755 "$_d"		# apt-get download runs as _apt
	chown _apt "$_d" 2>/dev/null || true
	(cd "$_d" && apt-get download -qq sendmail-bin sendmail-cf) || {
		apt-get update -qq
		(cd "$_d" && apt-get download -qq sendmail-bin sendmail-cf)
	}
	mkdir -p "$SENDMAIL_ROOT"
	for _deb in "$_d"/*.deb; do
		dpkg-deb -x "$_deb" "$SENDMAIL_ROOT"
	done
	rm -rf "$_d"
	echo "install-deps.sh: Sendmail unpacked (not installed) in $SENDMAIL_ROOT"
}

if [ -z "$missing" ]; then
	echo "install-deps.sh: all packages present"
	[ "$WHAT" = build ] || sendmail_unpack
	exit 0
fi

export DEBIAN_FRONTEND=noninteractive
# Keep postinst scripts from starting system-wide daemons.
policy=/usr/sbin/policy-rc.d
made_policy=no
if [ ! -e "$policy" ]; then
	printf '#!/bin/sh\nexit 101\n' > "$policy"
	chmod 755 "$policy"
	made_policy=yes
fi
echo "postfix postfix/main_mailer_type select No configuration" |
    debconf-set-selections 2>/dev/null || true
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing
[ "$made_policy" = yes ] && rm -f "$policy"
echo "install-deps.sh: installed:$missing"
[ "$WHAT" = build ] || sendmail_unpack
