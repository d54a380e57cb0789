#!/usr/bin/python3
"""imapctl - drive the private test Dovecot (tests/lib/dovecot.sh) over IMAP.

Standard library only (imaplib).  Connects to 127.0.0.1:PORT with
STARTTLS verified against --ca, logs in with the password from
--password-file.  Every socket operation has a timeout.

Commands:
  append FOLDER [--seen] FILE...   APPEND each file (as is) in order;
                                   creates FOLDER if missing; prints the
                                   number appended
  flags FOLDER                     "UID<TAB>FLAGS" per message, UID order
  count FOLDER                     number of messages
  uidvalidity FOLDER               the folder's UIDVALIDITY
  create FOLDER / delete FOLDER
  recreate FOLDER                  copy every message (bytes, flags,
                                   internal date) out, DELETE, CREATE,
                                   APPEND them back: same messages, new
                                   UIDVALIDITY
  seen FOLDER UID...               set \\Seen on these UIDs
"""

import argparse
import imaplib
import re
import socket
import ssl
import sys


def connect(args):
    socket.setdefaulttimeout(60)
    ctx = ssl.create_default_context(cafile=args.ca)
    m = imaplib.IMAP4("localhost", args.port)
    m.starttls(ssl_context=ctx)
    with open(args.password_file) as f:
        pw = f.readline().rstrip("\r\n")
    m.login(args.user, pw)
    return m


def check(typ, data, what):
    if typ != "OK":
        sys.exit("imapctl: %s: %s %r" % (what, typ, data))
    return data


def quote(name):
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def ensure(m, folder):
    if folder.upper() == "INBOX":
        return
    typ, data = m.list('""', quote(folder))
    if typ == "OK" and data and data[0] is not None:
        return
    check(*m.create(quote(folder)), what="CREATE " + folder)


def uid_flags(m, folder):
    check(*m.select(quote(folder), readonly=True), what="EXAMINE " + folder)
    typ, data = m.uid("FETCH", "1:*", "(UID FLAGS)")
    check(typ, data, "FETCH FLAGS")
    out = []
    for item in data:
        if item is None:
            continue
        s = item.decode() if isinstance(item, bytes) else item[0].decode()
        mu = re.search(r"UID (\d+)", s)
        mf = re.search(r"FLAGS \(([^)]*)\)", s)
        if mu:
            out.append((int(mu.group(1)), mf.group(1) if mf else ""))
    out.sort()
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--ca", required=True)
    ap.add_argument("--user", required=True)
    ap.add_argument("--password-file", required=True)
    ap.add_argument("--seen", action="store_true",
                    help="append: set \\Seen on the appended messages")
    ap.add_argument("cmd")
    ap.add_argument("folder")
    ap.add_argument("rest", nargs="*")
    args = ap.parse_intermixed_args()
    m = connect(args)
    folder = args.folder

    if args.cmd == "append":
        seen = args.seen
        ensure(m, folder)
        n = 0
        for path in args.rest:
            with open(path, "rb") as f:
                data = f.read()
            check(*m.append(quote(folder), "(\\Seen)" if seen else None,
                            None, data), what="APPEND " + path)
            n += 1
        print(n)
    elif args.cmd == "flags":
        for uid, flags in uid_flags(m, folder):
            print("%d\t%s" % (uid, flags))
    elif args.cmd == "count":
        typ, data = m.select(quote(folder), readonly=True)
        check(typ, data, "EXAMINE " + folder)
        print(int(data[0]))
    elif args.cmd == "uidvalidity":
        typ, data = m.status(quote(folder), "(UIDVALIDITY)")
        check(typ, data, "STATUS " + folder)
        print(re.search(rb"UIDVALIDITY (\d+)", data[0]).group(1).decode())
    elif args.cmd == "create":
        check(*m.create(quote(folder)), what="CREATE " + folder)
    elif args.cmd == "delete":
        check(*m.delete(quote(folder)), what="DELETE " + folder)
    elif args.cmd == "recreate":
        check(*m.select(quote(folder), readonly=True), what="EXAMINE")
        typ, data = m.uid("FETCH", "1:*", "(FLAGS INTERNALDATE BODY.PEEK[])")
        check(typ, data, "FETCH")
        msgs = []
        for item in data:
            if isinstance(item, tuple):
                head = item[0].decode()
                flags = re.search(r"FLAGS \(([^)]*)\)", head).group(1)
                flags = " ".join(f for f in flags.split()
                                 if f.lower() != "\\recent")
                date = re.search(r'INTERNALDATE ("[^"]*")', head).group(1)
                msgs.append((flags, date, item[1]))
        m.close()
        if folder.upper() == "INBOX":
            sys.exit("imapctl: INBOX cannot be deleted; use another folder")
        check(*m.delete(quote(folder)), what="DELETE")
        check(*m.create(quote(folder)), what="CREATE")
        for flags, date, body in msgs:
            check(*m.append(quote(folder), "(" + flags + ")", date, body),
                  what="APPEND")
        print(len(msgs))
    elif args.cmd == "seen":
        check(*m.select(quote(folder)), what="SELECT")
        for uid in args.rest:
            check(*m.uid("STORE", uid, "+FLAGS.SILENT", "(\\Seen)"),
                  what="STORE")
    else:
        sys.exit("imapctl: unknown command " + args.cmd)
    m.logout()


if __name__ == "__main__":
    main()
