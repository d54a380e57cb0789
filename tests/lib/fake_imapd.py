#!/usr/bin/python3
"""fake_imapd - a hostile or broken IMAP server for tests/imap/hostile.sh.

Standard library only.  Implicit TLS on 127.0.0.1 (port chosen by the
kernel, written to --port-file when ready), certificate from --cert and
--key.  Accepts any AUTHENTICATE PLAIN / LOGIN, then behaves as --mode
says when the client opens a folder or fetches:

  stall       never answers EXAMINE/SELECT (the client must time out)
  injection   two messages whose bodies hold lines that look like IMAP
              responses ("b5 OK ...", "* 3 FETCH (... {5}", "+ go"),
              and a FETCH response with the items in an unusual order;
              the client must take them as message bytes
  hugelit     FETCH answers with a literal of 2 GB (never sent)
  longline    EXAMINE answers with a 4 MiB line without end
  garbage     EXAMINE answers with a line that is not IMAP
  bye         the first message, then BYE and close in the middle of
              the FETCH response
  manylits    one FETCH response with 100 literals
  fetchno     UID FETCH gives the first message, then a tagged NO
  bodynil     UIDs 1-5 searched; FETCH gives 1 and 3, "BODY[] NIL" for 2
              (as Exchange does for an item it cannot convert), 4 with
              its size and date but no body, nothing for 5 (expunged),
              and an unsolicited flag change for 3
  quoted      the message comes as a quoted string with \\ and \"
  sizes       UIDs 1-3, RFC822.SIZE not the size (as Exchange may
              send): 1 whole with a size 3 times too big, 2 cut at the
              partial FETCH's limit N with no size, 3 whole of N - 1
              bytes with size 0

Each connection is served in turn; the server exits after --max-seconds
(default 300) or when the client count reaches --max-conns.  Every
socket operation has a timeout.
"""

import argparse
import os
import socket
import ssl
import sys
import time

MSG1 = (b"From: a@example.test\r\nTo: b@example.test\r\n"
        b"Subject: injection one\r\nMessage-ID: <inj-1@example.test>\r\n"
        b"\r\n"
        b"b5 OK UID FETCH completed\r\n"
        b"* 3 FETCH (UID 3 BODY[] {5}\r\n"
        b"+ go ahead\r\n"
        b")\r\n"
        b"see https://evil.example.test/x\r\n")
MSG2 = (b"From: c@example.test\r\nTo: d@example.test\r\n"
        b"Subject: injection two\r\nMessage-ID: <inj-2@example.test>\r\n"
        b"\r\n"
        b"A005 OK done\r\n"
        b"* BYE not really\r\n"
        b"{999999}\r\n")


class Conn:
    def __init__(self, sock):
        self.s = sock
        self.buf = b""

    def line(self):
        while b"\r\n" not in self.buf:
            d = self.s.recv(65536)
            if not d:
                raise EOFError
            self.buf += d
            if len(self.buf) > 1 << 20:
                raise EOFError
        ln, self.buf = self.buf.split(b"\r\n", 1)
        return ln.decode("latin-1")

    def send(self, data):
        if isinstance(data, str):
            data = data.encode()
        self.s.sendall(data)


def fetch_injection(c, tag):
    c.send(b"* 1 FETCH (RFC822.SIZE %d BODY[]<0> {%d}\r\n" % (len(MSG1),
                                                             len(MSG1)))
    c.send(MSG1)
    c.send(b" UID 1 INTERNALDATE \"02-Mar-2026 10:00:00 +0000\")\r\n")
    c.send(b"* 2 FETCH (FLAGS (\\Seen))\r\n")      # unsolicited
    c.send(b"* 2 FETCH (UID 2 FLAGS () BODY[]<0> {%d}\r\n" % len(MSG2))
    c.send(MSG2)
    c.send(b")\r\n")
    c.send(tag + " OK UID FETCH completed\r\n")


# a message without line breaks (a quoted string cannot hold any), with
# the two escapes a quoted string has: \" and \\
QUOTED = b'Subject: say \\"hi\\" to C:\\\\temp\\\\x'


def fetch_bodynil(c, tag):
    date = b' INTERNALDATE "02-Mar-2026 10:00:00 +0000"'
    c.send(b"* 1 FETCH (UID 1 RFC822.SIZE %d%s BODY[]<0> {%d}\r\n"
           % (len(MSG1), date, len(MSG1)) + MSG1 + b")\r\n")
    c.send(b"* 2 FETCH (UID 2 RFC822.SIZE 4711%s BODY[] NIL)\r\n" % date)
    c.send(b"* 3 FETCH (FLAGS (\\Seen) UID 3)\r\n")     # unsolicited
    c.send(b"* 3 FETCH (UID 3 BODY[]<0> {%d}\r\n" % len(MSG2) + MSG2 +
           b")\r\n")
    c.send(b"* 4 FETCH (UID 4 RFC822.SIZE 100%s)\r\n" % date)
    c.send(tag.encode() + b" OK UID FETCH completed\r\n")


def sized(n, uid):
    """a message of exactly n bytes (n large enough for the header)"""
    m = (b"From: s@example.test\r\nTo: r@example.test\r\n"
         b"Subject: sizes %d\r\nMessage-ID: <sizes-%d@example.test>\r\n"
         b"\r\n" % (uid, uid))
    line = b"filler https://sizes.example.test/%d\r\n" % uid
    m += line * ((n - len(m)) // len(line))
    return m + b"x" * (n - len(m))


def fetch_sizes(c, tag, cmdline):
    # the partial FETCH's limit: BODY.PEEK[]<0.N>
    n = int(cmdline.split("<0.", 1)[1].split(">", 1)[0])
    whole = sized(2000, 1)
    cut = sized(n + 5000, 2)[:n]
    last = sized(n - 1, 3)
    c.send(b"* 1 FETCH (UID 1 RFC822.SIZE %d BODY[]<0> {%d}\r\n"
           % (3 * len(whole), len(whole)) + whole + b")\r\n")
    c.send(b"* 2 FETCH (UID 2 BODY[]<0> {%d}\r\n" % len(cut) + cut +
           b")\r\n")
    c.send(b"* 3 FETCH (UID 3 RFC822.SIZE 0 BODY[]<0> {%d}\r\n"
           % len(last) + last + b")\r\n")
    c.send(tag.encode() + b" OK UID FETCH completed\r\n")


def serve(c, mode, end):
    c.send("* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] fake ready\r\n")
    while True:
        ln = c.line()
        parts = ln.split(" ")
        tag = parts[0]
        cmd = " ".join(parts[1:3]).upper() if len(parts) > 1 else ""
        word = parts[1].upper() if len(parts) > 1 else ""
        if word == "CAPABILITY":
            c.send("* CAPABILITY IMAP4rev1 AUTH=PLAIN MOVE UIDPLUS\r\n")
            c.send(tag + " OK done\r\n")
        elif word in ("AUTHENTICATE", "LOGIN"):
            if word == "AUTHENTICATE" and len(parts) == 3:
                c.send("+ \r\n")
                c.line()
            c.send(tag + " OK logged in\r\n")
        elif word in ("EXAMINE", "SELECT"):
            if mode == "stall":
                time.sleep(max(0, end - time.monotonic()))
                return
            if mode == "longline":
                c.send(b"* OK " + b"x" * (4 << 20))
                time.sleep(min(30, max(0, end - time.monotonic())))
                return
            if mode == "garbage":
                c.send("this is not IMAP at all\r\n")
                continue
            c.send("* 2 EXISTS\r\n* OK [UIDVALIDITY 42] ok\r\n"
                   "* OK [UIDNEXT 3] ok\r\n")
            c.send(tag + " OK [READ-ONLY] done\r\n")
        elif cmd == "UID SEARCH":
            c.send("* SEARCH 2 1 5 4 3\r\n" if mode == "bodynil" else
                   "* SEARCH 1 2 3\r\n" if mode == "sizes" else
                   "* SEARCH 1\r\n" if mode == "quoted" else
                   "* SEARCH 2 1\r\n")
            c.send(tag + " OK done\r\n")
        elif cmd == "UID FETCH":
            if mode == "injection":
                fetch_injection(c, tag)
            elif mode == "hugelit":
                c.send("* 1 FETCH (UID 1 BODY[]<0> {2000000000}\r\n")
                c.send(b"x" * 1000)
                time.sleep(min(30, max(0, end - time.monotonic())))
                return
            elif mode == "bye":
                c.send(b"* 1 FETCH (UID 1 BODY[]<0> {%d}\r\n" % len(MSG1))
                c.send(MSG1 + b")\r\n* BYE going away\r\n")
                return
            elif mode == "fetchno":
                c.send(b"* 1 FETCH (UID 1 BODY[]<0> {%d}\r\n" % len(MSG1))
                c.send(MSG1 + b")\r\n")
                c.send(tag + " NO [SERVERBUG] message 2 is unavailable\r\n")
            elif mode == "bodynil":
                fetch_bodynil(c, tag)
            elif mode == "sizes":
                fetch_sizes(c, tag, ln)
            elif mode == "quoted":
                c.send(b'* 1 FETCH (UID 1 BODY[]<0> "' + QUOTED + b'")\r\n')
                c.send(tag + " OK done\r\n")
            elif mode == "manylits":
                c.send("* 1 FETCH (UID 1" + " X {1}\r\nx" * 100 +
                       " BODY[]<0> {1}\r\nx)\r\n")
                c.send(tag + " OK done\r\n")
            else:
                c.send(tag + " NO not here\r\n")
        elif word == "LOGOUT":
            c.send("* BYE bye\r\n" + tag + " OK done\r\n")
            return
        else:
            c.send(tag + " BAD unknown\r\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--cert", required=True)
    ap.add_argument("--key", required=True)
    ap.add_argument("--mode", required=True)
    ap.add_argument("--max-seconds", type=float, default=300)
    ap.add_argument("--max-conns", type=int, default=10)
    a = ap.parse_args()
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(a.cert, a.key)
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", 0))
    ls.listen(5)
    end = time.monotonic() + a.max_seconds
    tmp = a.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % ls.getsockname()[1])
    os.replace(tmp, a.port_file)
    n = 0
    while time.monotonic() < end and n < a.max_conns:
        ls.settimeout(max(0.1, end - time.monotonic()))
        try:
            raw, _ = ls.accept()
        except socket.timeout:
            break
        n += 1
        raw.settimeout(60)
        try:
            s = ctx.wrap_socket(raw, server_side=True)
            serve(Conn(s), a.mode, end)
            s.close()
        except (EOFError, OSError, ssl.SSLError):
            pass
        finally:
            raw.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
