#!/usr/bin/python3
"""check.py CASE OUTBOX [ARG] - assertions on the alerts one miltertest
case (tests/milter/t-CASE.lua) left in the outbox (soar_api = none).

Every alert must be a valid CaseInfo-shaped JSON object with exactly one
event; the case then checks which alerts exist and their envelope
fields.  Prints one line per failed assertion; exit 1 on any failure.
"""

import glob
import json
import os
import sys

failures = []


def fail(msg):
    failures.append(msg)


def load(outbox):
    alerts = {}
    for path in sorted(glob.glob(os.path.join(outbox, "*.json"))):
        with open(path, "rb") as f:
            try:
                a = json.loads(f.read().decode("utf-8"))
            except (ValueError, UnicodeDecodeError) as e:
                fail("%s: not JSON: %s" % (path, e))
                continue
        if not isinstance(a, dict) or not isinstance(a.get("events"), list) \
                or len(a["events"]) != 1:
            fail("%s: not an alert with exactly one event" % path)
            continue
        for key in ("display_id", "ticket_id", "name", "device_product",
                    "start_time", "end_time", "priority"):
            if key not in a:
                fail("%s: no %s" % (path, key))
        if a.get("display_id") != a.get("ticket_id"):
            fail("%s: display_id != ticket_id" % path)
        mid = a["events"][0].get("message_id", "(none)")
        if mid in alerts:
            fail("two alerts for message_id %s" % mid)
        alerts[mid] = a
    return alerts


def ev(alerts, mid):
    a = alerts.get(mid)
    return a["events"][0] if a else {}


def rcpts(e):
    v = e.get("envelope_rcpt", "")
    return sorted(x.strip() for x in v.split(",") if x.strip())


def want_ids(alerts, mids):
    got = sorted(alerts)
    if got != sorted(mids):
        fail("alerts for %s, want %s" % (got, sorted(mids)))


def eq(e, key, want, label):
    if e.get(key) != want:
        fail("%s: %s = %r, want %r" % (label, key, e.get(key), want))


def absent(e, keys, label):
    for k in keys:
        if e.get(k) not in (None, ""):
            fail("%s: %s = %r, want it absent" % (label, k, e.get(k)))


def truncated(e, label, want):
    t = e.get("truncated") or ""
    if ("collector" in t) != want:
        fail("%s: truncated = %r, want %s" % (label, t,
             "collector" if want else "no collector"))


def url_found(e, url, label):
    if url not in (e.get("found_url") or ""):
        fail("%s: found_url %r lacks %s" % (label, e.get("found_url"), url))


def case_basic(al, arg):
    want_ids(al, ["<basic-1@example.org>"])
    e = ev(al, "<basic-1@example.org>")
    lab = "basic"
    for k, v in (("mode", "milter"), ("SourceAddress", "192.0.2.7"),
                 ("client_hostname", "client.example.net"),
                 ("helo", "helo.example.net"),
                 ("envelope_from", "alice@example.org"),
                 ("queue_id", "4BASIC1"), ("auth_user", "alice"),
                 ("auth_method", "PLAIN"), ("tls_version", "TLSv1.3"),
                 ("tls_cipher", "TLS_AES_256_GCM_SHA384"),
                 ("mta_daemon", "smtpd-test"), ("Subject", "Hello world")):
        eq(e, k, v, lab)
    if rcpts(e) != sorted(["bob@example.com", "Carol@Example.COM",
                           "bcc-only@example.net"]):
        fail("basic: envelope_rcpt = %r" % e.get("envelope_rcpt"))
    url_found(e, "https://phish.example/login?u=bob", lab)
    truncated(e, lab, False)


def case_abort(al, arg):
    want_ids(al, ["<kept-3@example.org>"])
    e = ev(al, "<kept-3@example.org>")
    eq(e, "envelope_from", "a3@example.org", "abort")
    eq(e, "queue_id", "4ABORT3", "abort")
    if rcpts(e) != ["r3@example.com"]:
        fail("abort: envelope_rcpt = %r" % e.get("envelope_rcpt"))
    truncated(e, "abort", False)


def case_multi(al, arg):
    # multi-3 has no Message-ID: its key in al is "(none)"
    want_ids(al, ["<multi-1@example.org>", "<multi-2@example.org>",
                  "(none)", "<multi-4@example.org>"])
    e1 = ev(al, "<multi-1@example.org>")
    if rcpts(e1) != ["x1@example.com", "y1@example.com"]:
        fail("multi-1: envelope_rcpt = %r" % e1.get("envelope_rcpt"))
    eq(e1, "queue_id", "4MULTI1", "multi-1")
    eq(e1, "auth_user", "first-user", "multi-1")
    e2 = ev(al, "<multi-2@example.org>")
    if rcpts(e2) != ["x2@example.com"]:
        fail("multi-2: envelope_rcpt = %r" % e2.get("envelope_rcpt"))
    eq(e2, "queue_id", "4MULTI2", "multi-2")
    eq(e2, "envelope_from", "m2@example.org", "multi-2")
    e3 = ev(al, "(none)")
    if rcpts(e3) != ["x3@example.com"]:
        fail("multi-3: envelope_rcpt = %r" % e3.get("envelope_rcpt"))
    absent(e3, ["queue_id", "message_id"], "multi-3")
    url_found(e3, "https://example.com/multi-3", "multi-3")
    e4 = ev(al, "<multi-4@example.org>")
    if rcpts(e4) != ["x4@example.com"]:
        fail("multi-4: envelope_rcpt = %r" % e4.get("envelope_rcpt"))
    eq(e4, "envelope_from", "m4@example.org", "multi-4")
    for e in (e1, e2, e3, e4):
        eq(e, "SourceAddress", "192.0.2.20", "multi")
        eq(e, "helo", "multi.example.net", "multi")
        truncated(e, "multi", False)


def case_macros(al, arg):
    want_ids(al, ["<macros-1@example.org>", "<macros-2@example.org>",
                  "<macros-3@example.org>", "<macros-4@example.org>"])
    e1 = ev(al, "<macros-1@example.org>")
    absent(e1, ["SourceAddress", "client_hostname", "queue_id", "auth_user",
                "auth_method", "tls_version", "tls_cipher", "mta_daemon"],
           "macros-1")
    eq(e1, "envelope_from", "nomacro@example.org", "macros-1")
    e2 = ev(al, "<macros-2@example.org>")
    eq(e2, "SourceAddress", "2001:db8::25", "macros-2")
    absent(e2, ["client_hostname"], "macros-2")
    eq(e2, "queue_id", "4MACRO2", "macros-2")
    e3 = ev(al, "<macros-3@example.org>")
    eq(e3, "SourceAddress", "198.51.100.9", "macros-3")
    eq(e3, "client_hostname", "mx.example.net", "macros-3")
    eq(e3, "queue_id", "4MACRO3", "macros-3")
    e4 = ev(al, "<macros-4@example.org>")
    eq(e4, "SourceAddress", "203.0.113.44", "macros-4")
    absent(e4, ["client_hostname"], "macros-4")


def case_bounds(al, arg):
    want_ids(al, ["<bounds-1@example.org>", "<bounds-2@example.org>",
                  "<bounds-3@example.org>", "<bounds-4@example.org>"])
    e1 = ev(al, "<bounds-1@example.org>")
    truncated(e1, "bounds-1", True)
    url_found(e1, "https://first.example/1", "bounds-1")
    eq(e1, "queue_id", "4BOUND1", "bounds-1")
    truncated(ev(al, "<bounds-2@example.org>"), "bounds-2", False)
    truncated(ev(al, "<bounds-3@example.org>"), "bounds-3", True)
    e4 = ev(al, "<bounds-4@example.org>")
    truncated(e4, "bounds-4", True)
    eq(e4, "Subject", "bounds-4 huge header block", "bounds-4")


def case_exact(al, arg):
    want_ids(al, ["<exact-1@example.org>", "<exact-2@example.org>"])
    e1 = ev(al, "<exact-1@example.org>")
    truncated(e1, "exact-1", True)
    if "message_bytes" not in (e1.get("truncated") or ""):
        fail("exact-1: truncated = %r, want message_bytes too"
             % e1.get("truncated"))
    url_found(e1, "https://exact.example/1", "exact-1")
    e2 = ev(al, "<exact-2@example.org>")
    truncated(e2, "exact-2", False)
    if e2.get("truncated"):
        fail("exact-2: truncated = %r, want none" % e2.get("truncated"))
    url_found(e2, "https://exact.example/2", "exact-2")


def case_onerror(al, arg):
    want_ids(al, [])


def case_header(al, arg):
    want_ids(al, ["<header-1@example.org>", "<header-2@example.org>",
                  "<header-3@example.org>"])
    with open(arg) as f:
        hdr = f.read().strip()
    a = al.get("<header-1@example.org>")
    if a and a.get("display_id") != hdr:
        fail("header: X-SOAR-Alert-Id %r, alert id %r" % (
            hdr, a.get("display_id")))


def case_hdrfull(al, arg):
    want_ids(al, ["<hdrfull-1@example.org>"])


def case_policy(al, arg):
    want_ids(al, ["<policy-2@example.org>", "<policy-3@example.org>"])
    e2 = ev(al, "<policy-2@example.org>")
    if rcpts(e2) != sorted(["bob@example.com", "PHISH@Example.COM"]):
        fail("policy-2: envelope_rcpt = %r" % e2.get("envelope_rcpt"))


def case_dup(al, arg):
    want_ids(al, ["<dup-1@example.org>"])


def main():
    case, outbox = sys.argv[1], sys.argv[2]
    arg = sys.argv[3] if len(sys.argv) > 3 else None
    alerts = load(outbox)
    globals()["case_" + case](alerts, arg)
    for f in failures:
        print("  check %s: %s" % (case, f))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
