#!/usr/bin/python3
"""python_connector - the original Python e-mail connector's approach,
applied to files, as a speed reference for bench/scan.

Usage: python_connector.py [--passes N] [-f LIST] [FILE|DIR]...

What the mailbox-polling connectors did per message (Chronicle SOAR
"Email" connector, Splunk SOAR IMAP, imap2thehive: see
/work/shared/docs/PEERS.md 1c), minus the IMAP round trips:

  - email.message_from_bytes() with the default compat32 policy, as
    their Python code did;
  - Subject, From and To, RFC 2047 decoded (decode_header +
    make_header);
  - walk every part (message/rfc822 included: compat32 walk() descends
    into it), and for each text/plain and text/html part:
    get_payload(decode=True), decode with the part's charset
    (errors="replace", UTF-8 when unknown), and run the connector's URL
    regex over the text; keep the URLs de-duplicated in first-seen order.

Nothing is printed per message.  The files are read into memory first,
then the loop over the buffers is timed in this one process (as the C
programs do), so the figure compares parse work, not disk I/O.  What
this reference does *not* do and soar-milter does (attachment hashes,
address lists, alert JSON) makes it, if anything, faster than the real
connector: the comparison is conservative.

Output: one line
  RESULT impl=python messages=N bytes=B seconds=S cpu_seconds=C
         msgs_per_s=X mb_per_s=Y urls=U
(rates per wall second; C = CPU time of this process over the same loop;
MB = 10^6 bytes; urls = URLs found in all messages, a sanity check).
"""

import argparse
import email
import email.header
import os
import re
import sys
import time

# A typical connector URL regex.
URL_RE = re.compile(r'https?://[^\s<>"]+|www\.[^\s<>"]+')


def decode_header(value):
    """RFC 2047 decode the way the connectors did; never raise."""
    if value is None:
        return ""
    try:
        return str(email.header.make_header(
            email.header.decode_header(str(value))))
    except Exception:
        return str(value)


def process(raw):
    """One message: the connector's per-message work.  Returns #URLs."""
    msg = email.message_from_bytes(raw)
    event = {
        "Subject": decode_header(msg.get("Subject")),
        "SourceUserName": decode_header(msg.get("From")),
        "DestinationUserName": decode_header(msg.get("To")),
    }
    urls = []
    seen = set()
    for part in msg.walk():
        if part.get_content_type() not in ("text/plain", "text/html"):
            continue
        payload = part.get_payload(decode=True)
        if not payload:
            continue
        charset = part.get_content_charset() or "utf-8"
        try:
            text = payload.decode(charset, errors="replace")
        except LookupError:
            text = payload.decode("utf-8", errors="replace")
        for u in URL_RE.findall(text):
            if u not in seen:
                seen.add(u)
                urls.append(u)
    event["found_url"] = ",".join(urls)
    return len(urls)


def collect(paths, listfile):
    files = []
    if listfile:
        with open(listfile, encoding="utf-8") as f:
            files.extend(line.rstrip("\n") for line in f if line.strip())
    for p in paths:
        if os.path.isdir(p):
            files.extend(os.path.join(p, n) for n in sorted(os.listdir(p))
                         if n.endswith(".eml"))
        else:
            files.append(p)
    return files


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--passes", type=int, default=1,
                    help="loop over the messages N times (default 1)")
    ap.add_argument("-f", dest="listfile",
                    help="file with one message path per line")
    ap.add_argument("paths", nargs="*")
    a = ap.parse_args()
    files = collect(a.paths, a.listfile)
    if not files or a.passes < 1:
        ap.error("no message files given")
    bufs = []
    for p in files:
        try:
            with open(p, "rb") as f:
                bufs.append(f.read())
        except OSError as e:
            print("python_connector: %s: %s" % (p, e.strerror),
                  file=sys.stderr)
            return 1
    nbytes = sum(len(b) for b in bufs)

    urls = 0
    t0, c0 = time.perf_counter(), time.process_time()
    for _ in range(a.passes):
        for b in bufs:
            urls += process(b)
    dt, dc = time.perf_counter() - t0, time.process_time() - c0

    n = len(bufs) * a.passes
    tot = nbytes * a.passes
    print("RESULT impl=python messages=%d bytes=%d seconds=%.6f "
          "cpu_seconds=%.6f msgs_per_s=%.1f mb_per_s=%.3f urls=%d" % (
              n, tot, dt, dc, n / dt, tot / 1e6 / dt, urls))
    return 0


if __name__ == "__main__":
    sys.exit(main())
