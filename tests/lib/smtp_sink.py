#!/usr/bin/python3
"""smtp_sink - a local SMTP server that accepts every message and records
it.  For tests and benchmarks only: Postfix relays to it.

Standard library only.  Listens on 127.0.0.1 on a port chosen by the
kernel (or --port) and writes that port to --port-file (atomically) once
it accepts connections.  Exits by itself after --max-seconds (default
1800) or on SIGTERM/SIGINT.

  --record DIR   every message is saved as DIR/NNNNNN.eml (the bytes as
                 received, dot-unstuffed, CRLF) and DIR/NNNNNN.json
                 ({"mail_from", "rcpts", "bytes", "helo", "time"}),
                 the .json written last (atomically) so a reader that
                 sees it also sees a complete .eml.
  --count-only   do not store messages; only keep DIR/_count (the number
                 of messages accepted so far, rewritten atomically).
  --max-bytes N  refuse (552) messages larger than N (default 64 MiB).

It announces PIPELINING, 8BITMIME, SMTPUTF8 and SIZE, and speaks just
enough SMTP for an MTA's client: EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP,
QUIT.  Every session has an idle timeout.
"""

import argparse
import json
import os
import signal
import socketserver
import sys
import threading
import time

LINE_MAX = 4096
IDLE_TIMEOUT = 120


class Sink:
    def __init__(self, args):
        self.args = args
        self.lock = threading.Lock()
        self.count = 0
        os.makedirs(args.record, exist_ok=True)

    def _atomic_write(self, path, data):
        tmp = path + ".tmp"
        with open(tmp, "wb") as f:
            f.write(data)
        os.rename(tmp, path)

    def deliver(self, helo, mail_from, rcpts, data):
        with self.lock:
            self.count += 1
            n = self.count
            if self.args.count_only:
                self._atomic_write(os.path.join(self.args.record, "_count"),
                                   b"%d\n" % n)
                return
        base = os.path.join(self.args.record, "%06d" % n)
        with open(base + ".eml", "wb") as f:
            f.write(data)
        meta = {"mail_from": mail_from, "rcpts": rcpts, "bytes": len(data),
                "helo": helo, "time": time.time()}
        self._atomic_write(base + ".json", json.dumps(meta).encode())


def addr_of(arg):
    """'FROM:<a@b> SIZE=1' -> 'a@b'"""
    _, _, rest = arg.partition(":")
    rest = rest.strip()
    if rest.startswith("<"):
        end = rest.find(">")
        return rest[1:end] if end >= 0 else rest[1:]
    return rest.split(" ")[0]


class Handler(socketserver.StreamRequestHandler):
    timeout = IDLE_TIMEOUT

    def reply(self, text):
        self.wfile.write(text.encode() + b"\r\n")

    def handle(self):
        sink = self.server.sink
        helo = None
        mail_from = None
        rcpts = []
        try:
            self.reply("220 sink.test ESMTP smtp_sink")
            while True:
                line = self.rfile.readline(LINE_MAX)
                if not line:
                    return
                cmd = line.decode("utf-8", "replace").rstrip("\r\n")
                verb = cmd[:4].upper()
                if verb == "EHLO":
                    helo = cmd[5:]
                    self.wfile.write(
                        b"250-sink.test\r\n250-PIPELINING\r\n"
                        b"250-8BITMIME\r\n250-SMTPUTF8\r\n"
                        b"250 SIZE %d\r\n" % sink.args.max_bytes)
                elif verb == "HELO":
                    helo = cmd[5:]
                    self.reply("250 sink.test")
                elif verb == "MAIL":
                    mail_from = addr_of(cmd)
                    rcpts = []
                    self.reply("250 2.1.0 Ok")
                elif verb == "RCPT":
                    if mail_from is None:
                        self.reply("503 5.5.1 MAIL first")
                    else:
                        rcpts.append(addr_of(cmd))
                        self.reply("250 2.1.5 Ok")
                elif verb == "DATA":
                    if mail_from is None or not rcpts:
                        self.reply("503 5.5.1 RCPT first")
                        continue
                    self.reply("354 End data with <CR><LF>.<CR><LF>")
                    data = self.read_data()
                    if data is None:
                        return
                    if len(data) > sink.args.max_bytes:
                        self.reply("552 5.3.4 Message too big")
                    else:
                        sink.deliver(helo, mail_from, rcpts, data)
                        self.reply("250 2.0.0 Ok: queued")
                    mail_from = None
                    rcpts = []
                elif verb == "RSET":
                    mail_from = None
                    rcpts = []
                    self.reply("250 2.0.0 Ok")
                elif verb == "NOOP":
                    self.reply("250 2.0.0 Ok")
                elif verb == "QUIT":
                    self.reply("221 2.0.0 Bye")
                    return
                else:
                    self.reply("502 5.5.2 Command not recognized")
        except (OSError, ValueError):
            return

    def read_data(self):
        """Read up to the lone dot; unstuff; keep at most max_bytes + 1."""
        limit = self.server.sink.args.max_bytes
        parts = []
        size = 0
        while True:
            line = self.rfile.readline(1 << 20)
            if not line:
                return None
            if line in (b".\r\n", b".\n"):
                break
            if line.startswith(b"."):
                line = line[1:]
            if size <= limit:
                parts.append(line)
                size += len(line)
        return b"".join(parts)


class Server(socketserver.ThreadingMixIn, socketserver.TCPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--record", required=True)
    ap.add_argument("--count-only", action="store_true")
    ap.add_argument("--max-bytes", type=int, default=64 << 20)
    ap.add_argument("--max-seconds", type=float, default=1800)
    args = ap.parse_args()

    srv = Server(("127.0.0.1", args.port), Handler)
    srv.sink = Sink(args)

    def stop(*_):
        threading.Thread(target=srv.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    timer = threading.Timer(args.max_seconds, stop)
    timer.daemon = True
    timer.start()

    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % srv.server_address[1])
    os.rename(tmp, args.port_file)
    try:
        srv.serve_forever(poll_interval=0.2)
    finally:
        srv.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
