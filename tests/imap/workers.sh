#!/bin/sh
# workers.sh - backfill with several worker threads (backfill_workers)
# gives exactly the alerts of one worker (the same bytes, in the same
# order, the same counts) and of "scan" on the same messages, whatever
# the batch size (pipelined UID FETCHes); a kill -9 or SIGINT mid-run
# with workers leaves a contiguous prefix of UIDs alerted, and the re-run
# alerts every other message exactly once.
. "$top_srcdir/tests/lib/dovecot.sh"
it_init
N=1500

it_load INBOX
for f in Bulk Bulk2 Bulk3; do
	n=$(dv_imapctl maildir-fill "$f" "$DV_MAILDIR" --count $N \
	    --prefix "$f") || it_fail "maildir-fill $f"
	[ "$n" = $N ] || it_fail "maildir-fill wrote $n"
done
[ "$(id -u)" != 0 ] || chown -R "$DV_MAIL_OWNER" "$DV_MAILDIR"
it_ok "INBOX: $IT_NMSG corpus messages ($IT_NUNSEEN unseen); Bulk, Bulk2, Bulk3: $N each"

# compare.py - the checks on alert files and dry-run output
cat >"$T/compare.py" <<'PY'
import json, os, re, sys

TIMES = re.compile(r'"(start_time|end_time|StartTime|EndTime)":("?)[0-9]+\2')

def canon(raw):
    """The bytes, with the processing time blanked where the alert uses
    it (Date missing or unparseable): that one differs between runs."""
    a = json.loads(raw)
    if a["events"][0].get("time_source") == "processing_time":
        raw = TIMES.sub(r'"\1":0', raw)
    return raw

def load_dir(d):
    out = {}
    for f in sorted(os.listdir(d)):
        if f.endswith(".json"):
            with open(os.path.join(d, f), encoding="utf-8") as fh:
                out[f] = fh.read()
    return out

cmd = sys.argv[1]
if cmd == "same-dirs":
    # same-dirs A B: the same file names, the same bytes
    a, b = load_dir(sys.argv[2]), load_dir(sys.argv[3])
    if set(a) != set(b):
        sys.exit("file sets differ: only in %s: %s; only in %s: %s" % (
            sys.argv[2], sorted(set(a) - set(b))[:3], sys.argv[3],
            sorted(set(b) - set(a))[:3]))
    bad = [f for f in a if canon(a[f]) != canon(b[f])]
    if bad:
        sys.exit("%d alerts differ, e.g. %s" % (len(bad), bad[0]))
    print(len(a))
elif cmd == "same-lines":
    # same-lines A B: dry-run outputs, line by line, in the same order
    a = open(sys.argv[2], encoding="utf-8").read().splitlines()
    b = open(sys.argv[3], encoding="utf-8").read().splitlines()
    if len(a) != len(b):
        sys.exit("%d lines against %d" % (len(a), len(b)))
    for i, (x, y) in enumerate(zip(a, b)):
        if canon(x) != canon(y):
            sys.exit("line %d differs" % (i + 1))
    uids = [int(json.loads(x)["events"][0]["imap_uid"]) for x in a]
    print(len(a))
elif cmd == "like-scan":
    # like-scan SCAN.jsonl DIR FLAGS: DIR holds scan's alert for every
    # unseen message (fields that depend on the mode dropped)
    scan = {}
    for line in open(sys.argv[2], encoding="utf-8"):
        a = json.loads(line)
        uid = os.path.basename(a["events"][0]["source_file"])[:-4]
        scan[uid] = a
    seen = set()
    for line in open(sys.argv[4]):
        uid, flags = line.rstrip("\n").split("\t")
        if "\\Seen" in flags.split():
            seen.add(uid)
    got = {f[:-5]: json.loads(r) for f, r in load_dir(sys.argv[3]).items()}
    want = {scan[u]["display_id"]: u for u in scan if u not in seen}
    if set(got) != set(want):
        sys.exit("ids differ from scan's")
    def norm(a):
        a = json.loads(json.dumps(a))
        a.pop("reason", None)
        for k in ("start_time", "end_time"):
            if a.get(k) == 1 or a["events"][0].get("time_source") == \
                    "processing_time":
                a.pop(k, None)
        for ev in a["events"]:
            for k in list(ev):
                # imap_arrival_time: IMAP INTERNALDATE, which scan of
                # a file does not have
                if k in ("mode", "mailbox", "imap_uid",
                         "imap_arrival_time", "source_file") or \
                        ev[k] == 1 or (k in ("StartTime", "EndTime") and
                        ev.get("time_source") == "processing_time"):
                    ev.pop(k)
        return a
    for i, u in want.items():
        if got[i]["events"][0].get("imap_uid") != u:
            sys.exit("%s: imap_uid %s, want %s" % (i, got[i]["events"][0].get(
                "imap_uid"), u))
        if norm(got[i]) != norm(scan[u]):
            sys.exit("alert %s (UID %s) differs from scan's" % (i, u))
    print(len(want))
elif cmd == "uids":
    # uids DIR: the imap_uid of every alert, sorted, one a line
    d = load_dir(sys.argv[2])
    for u in sorted(int(json.loads(r)["events"][0]["imap_uid"])
                    for r in d.values()):
        print(u)
PY
cmp_py()
{
	"$PYTHON3" "$T/compare.py" "$@"
}

# --- 1. one worker against four, batches of 7 (several UID FETCHes in
# flight) and of 100, two folders
for w in 1 4; do
	for b in 7 100; do
		bf -o imap_folders="INBOX, Bulk" -o backfill_workers=$w \
		    -o imap_batch=$b backfill --output "$T/out-$w-$b" \
		    --no-progress 2>"$T/run-$w-$b.log" ||
		    it_fail "workers $w, batch $b: exit $?"
		grep -q "summary total: seen $((IT_NUNSEEN + N)), alerted $((IT_NUNSEEN + N)), duplicate 0, errors 0" \
		    "$T/run-$w-$b.log" ||
		    it_fail "workers $w, batch $b: $(grep 'summary total' "$T/run-$w-$b.log")"
	done
done
for o in 1-100 4-7 4-100; do
	n=$(cmp_py same-dirs "$T/out-1-7" "$T/out-$o") ||
	    it_fail "workers/batch $o against one worker, batch 7: $n"
	[ "$n" = $((IT_NUNSEEN + N)) ] || it_fail "$o: $n alerts"
done
it_ok "backfill_workers 1 and 4, imap_batch 7 and 100: the same $n alert files, byte for byte"

# --- 2. the same alerts as scan of the bytes the server holds
dv_imapctl flags INBOX >"$T/flags" || it_fail "flags"
mkdir "$T/export" "$T/inbox4"
dv_imapctl export INBOX "$T/export" >/dev/null || it_fail "export"
"$SOAR_MILTER" -o state_dir="$T/scanstate" scan --now 1 "$T"/export/*.eml \
    >"$T/scan.jsonl" 2>"$T/scan.log" || it_fail "scan failed"
bf -o imap_folders=INBOX -o backfill_workers=4 -o imap_batch=5 \
    backfill --output "$T/inbox4" --no-progress 2>"$T/inbox4.log" ||
    it_fail "INBOX, 4 workers: exit $?"
n=$(cmp_py like-scan "$T/scan.jsonl" "$T/inbox4" "$T/flags") ||
    it_fail "4 workers against scan: $n"
[ "$n" = "$IT_NUNSEEN" ] || it_fail "against scan: $n alerts"
it_ok "4 workers: the $n INBOX alerts are scan's (same ids, same content, imap_uid right)"

# --- 3. dry run: the same lines in the same (UID) order
for w in 1 4; do
	bf -o imap_folders="INBOX, Bulk" -o backfill_workers=$w \
	    -o imap_batch=9 backfill --dry-run --no-progress \
	    >"$T/dry-$w.jsonl" 2>"$T/dry-$w.log" || it_fail "dry run $w: exit $?"
done
n=$(cmp_py same-lines "$T/dry-1.jsonl" "$T/dry-4.jsonl") ||
    it_fail "dry run, 4 workers against 1: $n"
[ "$n" = $((IT_NUNSEEN + N)) ] || it_fail "dry run: $n lines"
"$PYTHON3" -c '
import json, sys
last = {}
for l in open(sys.argv[1]):
    ev = json.loads(l)["events"][0]
    u = int(ev["imap_uid"])
    if u <= last.get(ev["mailbox"], 0):
        sys.exit("UID %d after %d" % (u, last[ev["mailbox"]]))
    last[ev["mailbox"]] = u' "$T/dry-4.jsonl" ||
    it_fail "dry run with 4 workers is not in UID order"
it_ok "dry run: 4 workers print the $n lines of one worker, in UID order"

# prefix DIR N - the alerts in DIR are those of UIDs 1..N
prefix()
{
	cmp_py uids "$1" >"$T/uids" || return 1
	seq 1 "$2" | cmp -s - "$T/uids"
}

# --- 4. kill -9 mid-run with 4 workers, --output
bf_kill9_at "$T/k9" 200 "$T/k9a.log" -o imap_folders=Bulk2 \
    -o backfill_workers=4 -o imap_batch=20 backfill --output "$T/k9" \
    --no-progress
n=$(it_count "$T/k9")
[ "$n" -lt $N ] || it_fail "kill -9: the run ended first"
prefix "$T/k9" "$n" || it_fail "kill -9: the $n alerts are not UIDs 1..$n"
last=$(ckpt_last "$T/k9/.checkpoints")
[ -n "$last" ] && [ "$last" -le "$n" ] ||
    it_fail "checkpoint $last is ahead of the alerts ($n)"
bf -o imap_folders=Bulk2 -o backfill_workers=4 -o imap_batch=20 \
    backfill --output "$T/k9" --no-progress 2>"$T/k9b.log" ||
    it_fail "re-run after kill -9: exit $?"
grep -q "summary total: seen $((N - last)), alerted $((N - n)), duplicate $((n - last)), errors 0" \
    "$T/k9b.log" || it_fail "re-run after kill -9 at $n (checkpoint $last): $(grep 'summary total' "$T/k9b.log")"
prefix "$T/k9" $N || it_fail "after kill -9 and re-run: not every UID once"
[ -z "$(find "$T/k9" -maxdepth 1 -name '.*' -type f)" ] ||
    it_fail "kill -9: stray temporary files"
it_ok "kill -9 with 4 workers after UIDs 1..$n (checkpoint $last): re-run alerted the other $((N - n)), each UID exactly once"

# --- 5. kill -9 mid-run with 4 workers, through the spool
bf_kill9_at "$STATE/spool/new" 200 "$T/k9s1.log" -o imap_folders=Bulk3 \
    -o backfill_workers=4 -o imap_batch=30 -o soar_api=none backfill \
    --no-progress
at_kill=$(spool_count_after_crash "$STATE")
[ "$at_kill" -lt $N ] || it_fail "spool: the run ended before kill -9"
last=$(ckpt_last "$STATE/imap")
[ -n "$last" ] && [ "$last" -le "$at_kill" ] ||
    it_fail "spool: checkpoint $last is ahead of the spool ($at_kill)"
bf -o imap_folders=Bulk3 -o backfill_workers=4 -o imap_batch=30 \
    -o soar_api=none backfill --no-progress 2>"$T/k9s2.log" ||
    it_fail "spool: re-run after kill -9: exit $?"
grep -q "summary total: seen $((N - last)), alerted $((N - at_kill)), duplicate $((at_kill - last)), errors 0" \
    "$T/k9s2.log" || it_fail "spool: re-run after kill -9 at $at_kill (checkpoint $last): $(grep 'summary total' "$T/k9s2.log")"
[ "$(it_count "$STATE/outbox")" = $N ] ||
    it_fail "spool: $(it_count "$STATE/outbox") alerts delivered, want $N"
prefix "$STATE/outbox" $N || it_fail "spool: not every UID exactly once"
it_ok "spool, kill -9 with 4 workers after $at_kill alerts: all $N delivered, each UID exactly once"

# --- 6. SIGINT with 4 workers: what was read is finished, checkpoint exact
bf_exec -o imap_folders=Bulk -o backfill_workers=4 -o imap_batch=50 \
    backfill --output "$T/int" --no-progress 2>"$T/int1.log" &
BPID=$!
IT_PIDS="$IT_PIDS $BPID"
wait_files "$T/int" 200 120 $BPID || it_fail "SIGINT run too short"
kill -INT $BPID
wait $BPID
rc=$?
[ $rc = 18 ] || it_fail "SIGINT: exit $rc, want 18"
n=$(it_count "$T/int")
[ "$n" -lt $N ] || it_fail "SIGINT came too late"
prefix "$T/int" "$n" || it_fail "SIGINT: the $n alerts are not UIDs 1..$n"
[ "$(ckpt_last "$T/int/.checkpoints")" = "$n" ] ||
    it_fail "SIGINT: checkpoint $(ckpt_last "$T/int/.checkpoints"), $n alerts written"
bf -o imap_folders=Bulk -o backfill_workers=4 backfill --output "$T/int" \
    --no-progress 2>"$T/int2.log" || it_fail "re-run after SIGINT: exit $?"
grep -q "summary total: seen $((N - n)), alerted $((N - n)), duplicate 0" \
    "$T/int2.log" || it_fail "re-run after SIGINT: $(grep 'summary total' "$T/int2.log")"
prefix "$T/int" $N || it_fail "after SIGINT and re-run: not every UID once"
it_ok "SIGINT with 4 workers after UIDs 1..$n: exit 18, checkpoint exact, re-run alerted the rest"

# --- 7. the key's bounds
"$SOAR_MILTER" -o backfill_workers=65 check-config >/dev/null 2>&1 &&
    it_fail "backfill_workers = 65 accepted"
"$SOAR_MILTER" -o backfill_workers=0 check-config >/dev/null 2>&1 ||
    it_fail "backfill_workers = 0 refused"
it_ok "backfill_workers: 0..64"
exit 0
