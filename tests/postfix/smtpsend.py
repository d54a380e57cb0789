#!/usr/bin/python3
"""smtpsend - send test mail to an SMTP server (the private Postfix) and
record what was sent.  Standard library only (smtplib, email).

  smtpsend.py --port P suite --out MANIFEST [--big-mb 20]
      the content suite: several recipients with a Bcc-only envelope
      recipient, RFC 2047 subjects, HTML with links and attachments, a
      message without Message-ID, a BIG message (--big-mb MB).
  smtpsend.py --port P burst --count N [--parallel K] [--per-conn M]
              [--prefix P] [--out MANIFEST] [--html] [--rate R]
              [--corpus DIR]
      N small messages over K parallel connections, a new connection
      every M messages (default 5), at most R messages/s if given.
      With --corpus, message i is DIR's file i (mod the file count)
      with its Message-ID replaced by a unique one.

MANIFEST is a JSON list with one object per message: message_id (or
null), mail_from, rcpts, queue_id (from "250 ... queued as ID"), subject
(decoded), urls and attachment names it contains.  Every SMTP error is
printed; exit 1 if any message was not accepted with a 2xx reply.
"""

import argparse
import base64
import json
import os
import random
import re
import smtplib
import sys
import threading
import time
from email.message import EmailMessage
from email.utils import formatdate

QUEUED_RE = re.compile(rb"queued as ([0-9A-Za-z]+)")


class Sender:
    def __init__(self, port):
        self.port = port
        self.lock = threading.Lock()
        self.sent = []
        self.errors = []

    def connect(self):
        s = smtplib.SMTP("127.0.0.1", self.port, timeout=300)
        s.ehlo("client.soar-test.invalid")
        return s

    def send(self, s, mail_from, rcpts, data, meta):
        """One transaction on an open connection; records the outcome."""
        try:
            code, resp = s.mail(mail_from)
            if code // 100 != 2:
                raise smtplib.SMTPResponseException(code, resp)
            for r in rcpts:
                code, resp = s.rcpt(r)
                if code // 100 != 2:
                    raise smtplib.SMTPResponseException(code, resp)
            code, resp = s.data(data)
            if code // 100 != 2:
                raise smtplib.SMTPResponseException(code, resp)
        except (smtplib.SMTPException, OSError) as e:
            with self.lock:
                self.errors.append("%s: %s" % (meta.get("message_id") or
                                                meta.get("subject"), e))
            try:
                s.rset()
            except (smtplib.SMTPException, OSError):
                pass
            return False
        m = QUEUED_RE.search(resp)
        meta = dict(meta, mail_from=mail_from, rcpts=rcpts,
                    queue_id=m.group(1).decode() if m else None,
                    bytes=len(data))
        with self.lock:
            self.sent.append(meta)
        return True


def as_bytes(msg):
    return msg.as_bytes().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


def suite(sender, args):
    date = formatdate(localtime=False)
    msgs = []

    # 1: several recipients, one only in the envelope (Bcc), an encoded
    # subject split over two encoded words, URLs in plain text.
    m = EmailMessage()
    m["From"] = "Alice Example <alice@sender.example>"
    m["To"] = "Bob <bob@rcpt.example>, carol@rcpt.example"
    m["Cc"] = "dave@other.example"
    m["Subject"] = "Überweisung prüfen – dringend"     # RFC 2047 on the wire
    m["Message-ID"] = "<suite-plain@sender.example>"
    m["Date"] = date
    m.set_content("Hallo,\n\nbitte prüfen: https://phish.example/login?id=42\n"
                  "und www.example.net/konto.\n")
    msgs.append(({"message_id": "<suite-plain@sender.example>",
                  "subject": "Überweisung prüfen – dringend",
                  "urls": ["https://phish.example/login?id=42"],
                  "attachments": []},
                 "alice@sender.example",
                 ["bob@rcpt.example", "carol@rcpt.example",
                  "dave@other.example", "hidden-bcc@audit.example"], m))

    # 2: HTML + text alternative, links only in HTML attributes, two
    # attachments (one with an RFC 2231 non-ASCII name).
    m = EmailMessage()
    m["From"] = "Jörg <joerg@sender.example>"
    m["To"] = "victim@rcpt.example"
    m["Subject"] = "Your invoice € 120"
    m["Message-ID"] = "<suite-html@sender.example>"
    m["Date"] = date
    m.set_content("Your invoice is attached.\n")
    m.add_alternative(
        "<html><body><p>Pay <a href=\"https://pay.example/inv?a=1&amp;b=2\">"
        "here</a> <img src=\"http://img.example/track.gif\"></p></body>"
        "</html>\n", subtype="html")
    m.add_attachment(b"%PDF-1.4\n% test invoice\n" + b"x" * 5000,
                     maintype="application", subtype="pdf",
                     filename="invoice.pdf")
    m.add_attachment(b"PK\x03\x04 not really a zip",
                     maintype="application", subtype="zip",
                     filename="Rechnung März.zip")
    msgs.append(({"message_id": "<suite-html@sender.example>",
                  "subject": "Your invoice € 120",
                  "urls": ["https://pay.example/inv?a=1&b=2",
                           "http://img.example/track.gif"],
                  "attachments": ["invoice.pdf", "Rechnung März.zip"]},
                 "joerg@sender.example", ["victim@rcpt.example"], m))

    # 3: no Message-ID: matched by queue id
    m = EmailMessage()
    m["From"] = "noid@sender.example"
    m["To"] = "noid-rcpt@rcpt.example"
    m["Subject"] = "no message id"
    m["Date"] = date
    m.set_content("see ftp://files.example/pub/x.txt\n")
    msgs.append(({"message_id": None, "subject": "no message id",
                  "urls": ["ftp://files.example/pub/x.txt"],
                  "attachments": []},
                 "noid@sender.example", ["noid-rcpt@rcpt.example"], m))

    # 4: the big one: a URL in the text part, then a large attachment
    m = EmailMessage()
    m["From"] = "big@sender.example"
    m["To"] = "big-rcpt@rcpt.example"
    m["Subject"] = "big message"
    m["Message-ID"] = "<suite-big@sender.example>"
    m["Date"] = date
    m.set_content("A big file: https://big.example/download\n")
    rnd = random.Random(20261127)
    raw = rnd.randbytes(int(args.big_mb * 1024 * 1024 * 3 / 4))
    m.add_attachment(raw, maintype="application", subtype="octet-stream",
                     filename="big.bin")
    msgs.append(({"message_id": "<suite-big@sender.example>",
                  "subject": "big message",
                  "urls": ["https://big.example/download"],
                  "attachments": [], "big": True},
                 "big@sender.example", ["big-rcpt@rcpt.example"], m))

    s = sender.connect()
    for meta, frm, rcpts, m in msgs:
        sender.send(s, frm, rcpts, as_bytes(m), meta)
    s.quit()


def burst_message(prefix, i, html):
    mid = "<%s-%d@burst.example>" % (prefix, i)
    if html:
        body = ("<html><body><p>Message %d: <a href=\"https://%s.example/"
                "%d\">link</a></p>%s</body></html>\r\n" %
                (i, prefix, i, "<p>filler text</p>" * 200))
        ctype = "text/html; charset=utf-8"
    else:
        body = "Message %d: https://%s.example/%d\r\n" % (i, prefix, i)
        ctype = "text/plain; charset=utf-8"
    data = ("From: burst@sender.example\r\nTo: rcpt-%d@rcpt.example\r\n"
            "Subject: %s %d\r\nMessage-ID: %s\r\nDate: %s\r\n"
            "MIME-Version: 1.0\r\nContent-Type: %s\r\n\r\n%s" %
            (i, prefix, i, mid, formatdate(), ctype, body)).encode()
    return mid, data


def load_corpus(path):
    """Header and body of every *.eml in path, CRLF, no Message-ID."""
    out = []
    for name in sorted(os.listdir(path)):
        if not name.endswith(".eml"):
            continue
        with open(os.path.join(path, name), "rb") as f:
            raw = f.read().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
        head, sep, body = raw.partition(b"\r\n\r\n")
        lines, skip = [], False
        for line in head.split(b"\r\n"):
            if line[:1] in (b" ", b"\t") and skip:
                continue
            skip = line.lower().startswith(b"message-id:")
            if not skip:
                lines.append(line)
        out.append((b"\r\n".join(lines), body))
    if not out:
        raise SystemExit("no .eml files in " + path)
    return out


def corpus_message(corpus, prefix, i):
    mid = "<%s-%d@burst.example>" % (prefix, i)
    head, body = corpus[i % len(corpus)]
    return mid, b"Message-ID: " + mid.encode() + b"\r\n" + head + \
        b"\r\n\r\n" + body


def burst(sender, args):
    corpus = load_corpus(args.corpus) if args.corpus else None
    queue = list(range(args.count))
    qlock = threading.Lock()
    t0 = time.time()
    started = [0]

    def pace():
        """With --rate, wait for this message's slot."""
        if not args.rate:
            return
        with qlock:
            slot = t0 + started[0] / args.rate
            started[0] += 1
        delay = slot - time.time()
        if delay > 0:
            time.sleep(delay)

    def worker():
        while True:
            with qlock:
                batch, queue[:] = queue[:args.per_conn], queue[args.per_conn:]
            if not batch:
                return
            try:
                s = sender.connect()
            except (smtplib.SMTPException, OSError) as e:
                with sender.lock:
                    sender.errors.append("connect: %s" % e)
                return
            for i in batch:
                pace()
                if corpus:
                    mid, data = corpus_message(corpus, args.prefix, i)
                else:
                    mid, data = burst_message(args.prefix, i, args.html)
                sender.send(s, "burst@sender.example",
                            ["rcpt-%d@rcpt.example" % i], data,
                            {"message_id": mid,
                             "subject": "%s %d" % (args.prefix, i)})
            try:
                s.quit()
            except (smtplib.SMTPException, OSError):
                pass

    threads = [threading.Thread(target=worker) for _ in range(args.parallel)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    sub = ap.add_subparsers(dest="cmd", required=True)
    a = sub.add_parser("suite")
    a.add_argument("--out", required=True)
    a.add_argument("--big-mb", type=float, default=20)
    b = sub.add_parser("burst")
    b.add_argument("--count", type=int, required=True)
    b.add_argument("--parallel", type=int, default=4)
    b.add_argument("--per-conn", type=int, default=5)
    b.add_argument("--prefix", default="burst")
    b.add_argument("--html", action="store_true")
    b.add_argument("--rate", type=float, default=0)
    b.add_argument("--corpus")
    b.add_argument("--out")
    args = ap.parse_args()

    sender = Sender(args.port)
    t0 = time.time()
    if args.cmd == "suite":
        suite(sender, args)
    else:
        burst(sender, args)
    dt = time.time() - t0
    if args.out:
        tmp = args.out + ".tmp"
        with open(tmp, "w") as f:
            json.dump(sender.sent, f, ensure_ascii=False, indent=1)
        os.rename(tmp, args.out)
    for e in sender.errors:
        print("smtp error: %s" % e, file=sys.stderr)
    print("sent %d messages in %.2f s (%.1f/s), %d errors" %
          (len(sender.sent), dt, len(sender.sent) / dt if dt else 0,
           len(sender.errors)))
    return 1 if sender.errors else 0


if __name__ == "__main__":
    sys.exit(main())
