#!/usr/bin/python3
"""check.py - compare what smtpsend.py sent with what reached the SMTP
sink (tests/lib/smtp_sink.py --record) and the fake SOAR
(tests/lib/soar_receiver.py --record).

  check.py suite MANIFEST SOAR_RECORD SINK_RECORD
      every message reached the sink with all its envelope recipients and
      an X-SOAR-Alert-Id header naming its alert; every alert carries
      client IP 127.0.0.1, envelope sender, all recipients (Bcc-only
      included), the Postfix queue id, subject, URLs and attachments.
  check.py alerts MANIFEST SOAR_RECORD
      one alert per sent message (by Message-ID).
  check.py ids IDS SOAR_RECORD
      every alert id listed in IDS (one per line) was delivered.
  check.py sink MANIFEST SINK_RECORD
      every sent message reached the sink exactly once.
  check.py parity SCAN_JSONL SOAR_RECORD
      each alert of `soar-milter scan` over the relayed copies (one JSON
      per line) has the id, subject, URLs and attachments of the alert
      the milter sent for the same message (messages with a Message-ID
      and not truncated).

Prints one line per failed assertion; exit 1 on any failure.
"""

import email
import email.policy
import glob
import json
import os
import sys

failures = []


def fail(msg):
    failures.append(msg)


def load_alerts(rec):
    alerts = []
    for path in glob.glob(os.path.join(rec, "*.json")):
        if os.path.basename(path).startswith("_"):
            continue
        with open(path, encoding="utf-8") as f:
            a = json.load(f)
        if len(a.get("events", [])) != 1:
            fail("%s: not exactly one event" % path)
            continue
        alerts.append(a)
    return alerts


def load_sink(rec):
    msgs = []
    for path in sorted(glob.glob(os.path.join(rec, "*.json"))):
        with open(path) as f:
            meta = json.load(f)
        with open(path[:-5] + ".eml", "rb") as f:
            msg = email.message_from_binary_file(f, policy=email.policy.compat32)
        meta["msg"] = msg
        msgs.append(meta)
    return msgs


def rcpt_set(e):
    return sorted(x.strip() for x in (e.get("envelope_rcpt") or "").split(",")
                  if x.strip())


def queue_id_of(msg):
    """Postfix's queue id from the Received: header it added."""
    for r in msg.get_all("Received") or []:
        words = " ".join(str(r).split()).split(" ")
        for i, w in enumerate(words[:-1]):
            if w == "id":
                return words[i + 1].rstrip(";")
    return None


def find_alert(alerts, m):
    for a in alerts:
        e = a["events"][0]
        if m.get("message_id") and e.get("message_id") == m["message_id"]:
            return a
        if not m.get("message_id") and m.get("queue_id") and \
                e.get("queue_id") == m["queue_id"]:
            return a
    return None


def find_sink(sink, m):
    found = []
    for s in sink:
        mid = s["msg"].get("Message-ID")
        if m.get("message_id") and mid and mid.strip() == m["message_id"]:
            found.append(s)
        elif not m.get("message_id") and queue_id_of(s["msg"]) == m["queue_id"]:
            found.append(s)
    return found


def check_suite(manifest, rec, sinkdir):
    alerts = load_alerts(rec)
    sink = load_sink(sinkdir)
    if len(alerts) != len(manifest):
        fail("%d alerts for %d messages" % (len(alerts), len(manifest)))
    for m in manifest:
        label = m.get("message_id") or m["subject"]
        if not m.get("queue_id"):
            fail("%s: Postfix gave no queue id" % label)
        a = find_alert(alerts, m)
        if a is None:
            fail("%s: no alert" % label)
            continue
        e = a["events"][0]
        want = {"SourceAddress": "127.0.0.1", "envelope_from": m["mail_from"],
                "queue_id": m["queue_id"], "mode": "milter",
                "Subject": m["subject"]}
        for k, v in want.items():
            if e.get(k) != v:
                fail("%s: %s = %r, want %r" % (label, k, e.get(k), v))
        if rcpt_set(e) != sorted(m["rcpts"]):
            fail("%s: envelope_rcpt %r, want %r" % (label,
                 e.get("envelope_rcpt"), sorted(m["rcpts"])))
        found = e.get("found_url") or ""
        for u in m["urls"]:
            if u not in found.split(","):
                fail("%s: URL %s not in found_url %r" % (label, u, found))
        names = [e.get("file_name_%d" % (i + 1))
                 for i in range(len(m["attachments"]))]
        if sorted(n for n in names if n) != sorted(m["attachments"]):
            fail("%s: attachments %r, want %r" % (label, names,
                 m["attachments"]))
        trunc = e.get("truncated") or ""
        if m.get("big") and "collector" not in trunc:
            fail("%s: big message not flagged truncated (%r)" % (label,
                 trunc))
        if not m.get("big") and trunc:
            fail("%s: flagged truncated (%r)" % (label, trunc))

        copies = find_sink(sink, m)
        if len(copies) != 1:
            fail("%s: %d copies at the sink, want 1" % (label, len(copies)))
            continue
        s = copies[0]
        if sorted(s["rcpts"]) != sorted(m["rcpts"]):
            fail("%s: sink recipients %r, want %r" % (label, s["rcpts"],
                 m["rcpts"]))
        if s["mail_from"] != m["mail_from"]:
            fail("%s: sink sender %r" % (label, s["mail_from"]))
        hdr = s["msg"].get("X-SOAR-Alert-Id")
        if hdr is None or hdr.strip() != a["display_id"]:
            fail("%s: X-SOAR-Alert-Id %r, alert %r" % (label, hdr,
                 a["display_id"]))
        if m.get("big") and s["bytes"] < m["bytes"]:
            fail("%s: the sink got %d bytes of %d" % (label, s["bytes"],
                 m["bytes"]))


def check_alerts(manifest, rec):
    alerts = load_alerts(rec)
    by_mid = {}
    for a in alerts:
        by_mid.setdefault(a["events"][0].get("message_id"), []).append(a)
    missing = [m["message_id"] for m in manifest
               if m["message_id"] not in by_mid]
    if missing:
        fail("%d of %d messages have no alert, e.g. %s" % (
             len(missing), len(manifest), missing[:5]))


def check_ids(ids_file, rec):
    have = {a["display_id"] for a in load_alerts(rec)}
    with open(ids_file) as f:
        want = {line.strip() for line in f if line.strip()}
    lost = sorted(want - have)
    if lost:
        fail("%d of %d spooled alerts never delivered, e.g. %s" % (
             len(lost), len(want), lost[:5]))


def check_sink(manifest, sinkdir):
    sink = load_sink(sinkdir)
    count = {}
    for s in sink:
        mid = (s["msg"].get("Message-ID") or "").strip()
        count[mid] = count.get(mid, 0) + 1
    bad = [m["message_id"] for m in manifest
           if count.get(m["message_id"], 0) != 1]
    if bad:
        fail("%d messages not at the sink exactly once, e.g. %s" % (
             len(bad), bad[:5]))


def check_parity(scan_file, rec):
    by_id = {a["display_id"]: a for a in load_alerts(rec)}
    n = 0
    with open(scan_file, encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            s = json.loads(line)
            se = s["events"][0]
            if not se.get("message_id"):
                continue        # the id then hashes the relayed copy
            m = by_id.get(s["display_id"])
            if m is None:
                fail("scan id %s (%s): no milter alert with that id" % (
                     s["display_id"], se.get("message_id")))
                continue
            me = m["events"][0]
            if se.get("truncated") or me.get("truncated"):
                # past max_message_bytes the two examine different
                # prefixes (the milter counts LF line ends, scan the
                # relayed CRLF copy, which also has X-SOAR-Alert-Id)
                continue
            n += 1
            keys = ["Subject", "found_url", "url_count", "attachment_count",
                    "from_address"] + [k for k in se
                                       if k.startswith("file_")]
            for k in keys:
                if se.get(k) != me.get(k):
                    fail("%s: %s: scan %r, milter %r" % (
                         se.get("message_id"), k, se.get(k), me.get(k)))
    if n == 0:
        fail("no scanned message with a Message-ID")


def main():
    cmd = sys.argv[1]
    if cmd == "parity":
        check_parity(sys.argv[2], sys.argv[3])
        for f in failures:
            print("  check: " + f)
        return 1 if failures else 0
    if cmd == "ids":
        check_ids(sys.argv[2], sys.argv[3])
        manifest = None
    else:
        with open(sys.argv[2], encoding="utf-8") as f:
            manifest = json.load(f)
    if cmd == "suite":
        check_suite(manifest, sys.argv[3], sys.argv[4])
    elif cmd == "alerts":
        check_alerts(manifest, sys.argv[3])
    elif cmd == "ids":
        pass
    elif cmd == "sink":
        check_sink(manifest, sys.argv[3])
    else:
        raise SystemExit("unknown command " + cmd)
    for f in failures:
        print("  check: " + f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
