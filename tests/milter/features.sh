#!/bin/sh
# features.sh - optional daemon features, end to end over the milter
# protocol: attach_eml (the original message in the alert) and
# metrics_file (Prometheus text, rewritten every metrics_interval).
#
# miltertest plays the MTA with t-basic.lua against "soar-milter -f";
# the alert lands in the outbox (soar_api = none).
set -u
: "${SOAR_MILTER:?}" "${top_srcdir:?}"
PYTHON3=${PYTHON3:-python3}
dir=$top_srcdir/tests/milter
tmp=$(mktemp -d)
mpid=""
cleanup() {
	[ -n "$mpid" ] && kill -9 "$mpid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
fail() {
	echo "FAIL: $1"
	[ -f "$tmp/log" ] && sed 's/^/  | /' "$tmp/log" | tail -20
	exit 1
}
command -v miltertest >/dev/null 2>&1 ||
    fail "miltertest not found (Debian package miltertest)"

port=$("$PYTHON3" -c 'import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
sock=inet:$port@127.0.0.1
prom=$tmp/metrics/soar-milter.prom
mkdir -p "$tmp/metrics" "$tmp/state"
# a configuration file, so that SIGUSR1 has something to reload
conf=$tmp/soar-milter.conf
printf 'stats_interval = 0\n' >"$conf"
"$SOAR_MILTER" -f -c "$conf" -o socket="$sock" -o state_dir="$tmp/state" \
    -o attach_eml=yes -o metrics_file="$prom" -o metrics_interval=1 \
    -o log_level=debug >"$tmp/log" 2>&1 &
mpid=$!

# the metrics file is written at start: zero messages
i=0
while [ ! -f "$prom" ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
[ -f "$prom" ] || fail "no $prom after start"
grep -qx 'soar_milter_messages_total 0' "$prom" ||
    fail "metrics at start: $(cat "$prom")"
echo "ok: metrics_file written at start"

timeout 120 miltertest -D sock="$sock" -D srcdir="$dir" \
    -s "$dir/t-basic.lua" >"$tmp/mt" 2>&1 ||
    fail "miltertest: $(tail -5 "$tmp/mt")"

# wait (bounded) for the alert in the outbox and for the metrics to
# show it delivered: conditions, not timings
"$PYTHON3" - "$tmp/state/outbox" "$prom" <<'EOF' || fail "see above"
import base64, glob, json, re, sys, time
outbox, prom = sys.argv[1], sys.argv[2]
limit = time.time() + 60
want = {
    "soar_milter_messages_total": 1,
    'soar_milter_alerts_total{result="spooled"}': 1,
    "soar_milter_delivered_total": 1,
    "soar_milter_spool_pending_alerts": 0,
}
got = {}
while time.time() < limit:
    files = glob.glob(outbox + "/*.json")
    try:
        got = dict(l.rsplit(" ", 1) for l in open(prom).read().splitlines()
                   if l and not l.startswith("#"))
    except OSError:
        got = {}
    if files and all(got.get(k) == str(v) for k, v in want.items()):
        break
    time.sleep(0.1)
else:
    print("FAIL: outbox %r, metrics %r" % (glob.glob(outbox + "/*"), got))
    sys.exit(1)
print("ok: metrics count the message, the spooled and the delivered alert")
a = json.load(open(files[0]))
att = a["attachments"]
if len(att) != 1:
    print("FAIL: %d attachments" % len(att))
    sys.exit(1)
at = att[0]
raw = base64.b64decode(at["base64_blob"], validate=True)
bad = []
if at["type"] != ".eml" or at["name"] != "Hello world":
    bad.append("type/name %r %r" % (at["type"], at["name"]))
if at["orig_size"] != len(raw) or at["size"] != len(at["base64_blob"]):
    bad.append("sizes %r %r" % (at["orig_size"], at["size"]))
if not re.search(rb"^Message-ID: <basic-1@example\.org>\r?$", raw, re.M):
    bad.append("no Message-ID header in the attached message")
if b"please check https://phish.example/login?u=bob" not in raw:
    bad.append("no body in the attached message")
if "eml_attachment" in a["events"][0].get("truncated", ""):
    bad.append("flagged eml_attachment")
if bad:
    print("FAIL: attach_eml: " + "; ".join(bad))
    sys.exit(1)
print("ok: attach_eml: the alert carries the message as received")
EOF

# a reload replaces the sender: the counters go on from where they were
kill -USR1 "$mpid"
i=0
while ! grep -q "milter: stats (at reload)" "$tmp/log" && [ $i -lt 300 ]; do
	sleep 0.1
	i=$((i + 1))
done
grep -q "milter: stats (at reload)" "$tmp/log" || fail "no reload"
# every rewrite from now on is after the reload
rm -f "$prom"
i=0
while [ ! -f "$prom" ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
[ -f "$prom" ] || fail "no $prom after the reload"
grep -qx 'soar_milter_delivered_total 1' "$prom" &&
    grep -qx 'soar_milter_messages_total 1' "$prom" ||
    fail "metrics after reload: $(cat "$prom")"
echo "ok: metrics after a reload still count the delivered alert"

kill -TERM "$mpid"
i=0
while kill -0 "$mpid" 2>/dev/null && [ $i -lt 600 ]; do
	sleep 0.1
	i=$((i + 1))
done
kill -0 "$mpid" 2>/dev/null && fail "soar-milter did not stop"
wait "$mpid" || fail "soar-milter exit status $? after SIGTERM"
mpid=""
ls "$tmp/metrics" | grep -q tmp && fail "temporary metrics file left"
echo "ok: clean stop, no temporary metrics file left"
echo "5 passed, 0 failed"
