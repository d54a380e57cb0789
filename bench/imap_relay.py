#!/usr/bin/python3
"""imap_relay - a TCP relay that adds network delay, for bench/imap.

Usage: imap_relay.py UPSTREAM_PORT DELAY_MS PORT_FILE [MAX_SECONDS]

Listens on 127.0.0.1 (port chosen by the kernel, written to PORT_FILE),
connects each client to 127.0.0.1:UPSTREAM_PORT and forwards both ways,
holding every chunk DELAY_MS before sending it on, in order: a link with
a round-trip time of 2 x DELAY_MS and plenty of bandwidth.  The bytes
are not looked at (TLS passes through).  One thread per connection, an
event loop over both directions (non-blocking sockets, large reads), so
that the relay itself costs little CPU.  Exits after MAX_SECONDS (7200).
Kernel-level delay (tc netem in a network namespace) would be better
but is not available everywhere.  Standard library only.
"""

import collections
import os
import selectors
import socket
import sys
import threading
import time

CHUNK = 1 << 20


def relay(a, b, delay, end):
    """Forward a <-> b until both directions are closed."""
    for s in (a, b):
        s.setblocking(False)
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    peer = {a: b, b: a}
    pending = {a: collections.deque(), b: collections.deque()}  # to send
    eof_in = {a: False, b: False}       # nothing more will come from s
    sel = selectors.DefaultSelector()
    sel.register(a, selectors.EVENT_READ)
    sel.register(b, selectors.EVENT_READ)
    try:
        while time.monotonic() < end:
            now = time.monotonic()
            # send what is due, in order
            for s in (a, b):
                q = pending[s]
                while q and q[0][0] <= now:
                    due, data = q[0]
                    if data is None:
                        try:
                            s.shutdown(socket.SHUT_WR)
                        except OSError:
                            pass
                        q.popleft()
                        continue
                    try:
                        n = s.send(data)
                    except BlockingIOError:
                        n = 0
                    except OSError:
                        return
                    if n < len(data):
                        q[0] = (due, data[n:])
                        break
                    q.popleft()
            if all(eof_in.values()) and not pending[a] and not pending[b]:
                return
            waits = [q[0][0] - now for q in pending.values() if q]
            timeout = max(0.0, min(waits)) if waits else 1.0
            events = {s: 0 for s in (a, b)}
            for s in (a, b):
                ev = 0
                if not eof_in[s]:
                    ev |= selectors.EVENT_READ
                q = pending[s]
                if q and q[0][0] <= now and q[0][1] is not None:
                    ev |= selectors.EVENT_WRITE
                events[s] = ev
                if ev:
                    sel.modify(s, ev)
                else:
                    sel.modify(s, selectors.EVENT_READ)
            for key, mask in sel.select(min(timeout, 1.0)):
                s = key.fileobj
                if mask & selectors.EVENT_READ and not eof_in[s]:
                    try:
                        data = s.recv(CHUNK)
                    except BlockingIOError:
                        continue
                    except OSError:
                        data = b""
                    due = time.monotonic() + delay
                    if data:
                        pending[peer[s]].append((due, data))
                    else:
                        eof_in[s] = True
                        pending[peer[s]].append((due, None))
    finally:
        sel.close()
        a.close()
        b.close()


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
        threading.Thread(target=relay, args=(c, u, delay, end),
                         daemon=True).start()
    return 0


if __name__ == "__main__":
    sys.exit(main())
