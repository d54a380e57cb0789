#!/bin/sh
# install-deps.sh - install every build and test dependency of soar-milter
# on Debian 12 (bookworm) with apt-get.  Run as root.  Idempotent.
#
# Postfix and Dovecot are installed for the tests, which run private
# instances on loopback; this script keeps the packaged system services
# from starting (policy-rc.d) only while installing, and changes no
# system configuration.
set -eu

if [ "$(id -u)" != 0 ]; then
	echo "install-deps.sh: run as root (apt-get)" >&2
	exit 1
fi

BUILD_PKGS="build-essential autoconf automake libtool pkg-config
 libgmime-3.0-dev libpcre2-dev libcurl4-openssl-dev libmilter-dev
 libjson-c-dev libssl-dev libinih-dev"
TEST_PKGS="python3 valgrind miltertest postfix dovecot-core dovecot-imapd
 openssl ca-certificates procps iproute2 file"

missing=""
for p in $BUILD_PKGS $TEST_PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
	    missing="$missing $p"
done
if [ -z "$missing" ]; then
	echo "install-deps.sh: all packages present"
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
