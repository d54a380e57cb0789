#!/usr/bin/python3
"""imaplib_connector - the original mailbox-polling connector's approach
to IMAP, as the speed reference for bench/imap.

Usage: imaplib_connector.py --port P --ca FILE --user U --password-file F
                            [--host localhost] [--folder INBOX]

What the Python mailbox-polling connectors did (Chronicle SOAR "Email"
connector, Splunk SOAR IMAP, imap2thehive; see the peers study, PEERS.md
1c), against one folder:

  - imaplib.IMAP4_SSL, LOGIN, SELECT the folder (here read-only, so that
    the benchmark leaves \\Seen alone for the next run: FETCH RFC822 in
    a read-write folder would set it);
  - SEARCH UNSEEN (message sequence numbers), then one FETCH (RFC822)
    per message: one round trip each;
  - per message: email.message_from_bytes() (compat32), Subject/From/To
    RFC 2047 decoded, every text/plain and text/html part decoded with
    its charset, the connector's URL regex, de-duplicated in first-seen
    order; the event as JSON (what it would POST).

Nothing is written to disk (soar-milter backfill --output writes and
syncs a file per alert): the comparison favours this reference.

Output: one line
  RESULT impl=imaplib messages=N bytes=B seconds=S msgs_per_s=X urls=U
seconds is the wall clock from connect to logout.  Standard library only.
"""

import argparse
import email
import email.header
import imaplib
import json
import re
import socket
import ssl
import sys
import time

# The connectors' URL regex (as in bench/python_connector.py).
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
        "MessageId": msg.get("Message-ID", ""),
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
    json.dumps(event)
    return len(urls)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--host", default="localhost")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--ca", required=True)
    ap.add_argument("--user", required=True)
    ap.add_argument("--password-file", required=True)
    ap.add_argument("--folder", default="INBOX")
    a = ap.parse_args()
    with open(a.password_file) as f:
        password = f.readline().rstrip("\r\n")
    socket.setdefaulttimeout(120)

    t0 = time.perf_counter()
    ctx = ssl.create_default_context(cafile=a.ca)
    m = imaplib.IMAP4_SSL(a.host, a.port, ssl_context=ctx)
    m.login(a.user, password)
    typ, _ = m.select('"%s"' % a.folder, readonly=True)
    if typ != "OK":
        print("imaplib_connector: cannot select %s" % a.folder,
              file=sys.stderr)
        return 1
    typ, data = m.search(None, "UNSEEN")
    nums = data[0].split() if typ == "OK" and data and data[0] else []
    n = nbytes = urls = 0
    for num in nums:
        typ, data = m.fetch(num, "(RFC822)")
        if typ != "OK":
            continue
        for item in data:
            if isinstance(item, tuple):
                raw = item[1]
                nbytes += len(raw)
                urls += process(raw)
                n += 1
    m.logout()
    dt = time.perf_counter() - t0
    print("RESULT impl=imaplib messages=%d bytes=%d seconds=%.3f "
          "msgs_per_s=%.1f urls=%d" % (n, nbytes, dt, n / dt if dt else 0,
                                       urls))
    return 0


if __name__ == "__main__":
    sys.exit(main())
