#!/usr/bin/python3
"""imap_relay - a TCP relay that adds network delay, for bench/imap.

Usage: imap_relay.py UPSTREAM_PORT DELAY_MS PORT_FILE [MAX_SECONDS]

Listens on 127.0.0.1 (port chosen by the kernel, written to PORT_FILE),
connects each client to 127.0.0.1:UPSTREAM_PORT and forwards both ways,
holding every chunk DELAY_MS before sending it on, in order: a link with
a round-trip time of 2 x DELAY_MS and plenty of bandwidth.  The bytes
are not looked at (TLS passes through).  Exits after MAX_SECONDS (7200).
Standard library only.
"""

import os
import queue
import socket
import sys
import threading
import time


def pump(src, dst, delay):
    """Forward src -> dst, each chunk delay seconds after it arrived."""
    q = queue.Queue()

    def reader():
        while True:
            try:
                d = src.recv(262144)
            except OSError:
                d = b""
            q.put((time.monotonic() + delay, d))
            if not d:
                return

    def writer():
        while True:
            due, d = q.get()
            wait = due - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            if not d:
                try:
                    dst.shutdown(socket.SHUT_WR)
                except OSError:
                    pass
                return
            try:
                dst.sendall(d)
            except OSError:
                return

    threading.Thread(target=reader, daemon=True).start()
    threading.Thread(target=writer, daemon=True).start()


def main():
    up_port, delay = int(sys.argv[1]), float(sys.argv[2]) / 1e3
    port_file = sys.argv[3]
    end = time.monotonic() + (float(sys.argv[4]) if len(sys.argv) > 4
                              else 7200)
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", 0))
    ls.listen(16)
    with open(port_file + ".tmp", "w") as f:
        f.write("%d\n" % ls.getsockname()[1])
    os.replace(port_file + ".tmp", port_file)
    while time.monotonic() < end:
        ls.settimeout(max(0.1, min(5, end - time.monotonic())))
        try:
            c, _ = ls.accept()
        except socket.timeout:
            continue
        try:
            u = socket.create_connection(("127.0.0.1", up_port), timeout=10)
        except OSError:
            c.close()
            continue
        u.settimeout(None)
        for s in (c, u):
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        pump(c, u, delay)
        pump(u, c, delay)
    return 0


if __name__ == "__main__":
    sys.exit(main())
