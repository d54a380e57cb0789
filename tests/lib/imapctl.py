#!/usr/bin/python3
"""imapctl - drive the private test Dovecot (tests/lib/dovecot.sh) over IMAP.

Standard library only (imaplib).  Connects to 127.0.0.1:PORT with
STARTTLS verified against --ca, logs in with the password from
--password-file.  Every socket operation has a timeout.

Commands:
  append FOLDER [--seen] FILE...   APPEND each file (as is) in order;
                                   creates FOLDER if missing; prints the
                                   number appended
  append-list FOLDER LIST BASE      APPEND the files LIST names (paths below
                                   BASE; a line "PATH seen" gets \\Seen),
                                   in list order; prints "N UNSEEN"
  flags FOLDER                     "UID<TAB>FLAGS" per message, UID order
  count FOLDER                     number of messages
  uidvalidity FOLDER               the folder's UIDVALIDITY
  create FOLDER / delete FOLDER
  recreate FOLDER                  copy every message (bytes, flags,
                                   internal date) out, DELETE, CREATE,
                                   APPEND them back: same messages, new
                                   UIDVALIDITY
  seen FOLDER UID...               set \\Seen on these UIDs
  export FOLDER DIR                write each message as the server
                                   returns it (BODY.PEEK[]) to DIR/UID.eml
  maildir-fill FOLDER MAILDIR (--count N --prefix P | --from-dir D)
                                   no server: write messages straight
                                   into MAILDIR/.FOLDER/cur (unseen);
                                   synthetic ones with Message-ID
                                   <P-n@example.test>, or D's files in
                                   name order; prints how many
"""

import argparse
import imaplib
import os
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


def synthetic(prefix, n):
    """A small, plain message with a unique Message-ID and two URLs."""
    return ("From: Sender %(n)d <sender%(n)d@example.test>\r\n"
            "To: Reports <reports@example.test>\r\n"
            "Subject: Suspicious message %(n)d of %(p)s\r\n"
            "Date: Mon, 2 Mar 2026 10:%(m)02d:%(s)02d +0000\r\n"
            "Message-ID: <%(p)s-%(n)d@example.test>\r\n"
            "MIME-Version: 1.0\r\n"
            "Content-Type: text/plain; charset=us-ascii\r\n"
            "\r\n"
            "Please check https://login.example.test/verify?id=%(n)d and\r\n"
            "http://www.example.test/p/%(p)s/%(n)d before Friday.\r\n"
            % {"n": n, "p": prefix, "m": n // 60 % 60, "s": n % 60}
            ).encode()


def maildir_fill(args):
    """Write messages into a Maildir++ folder without the server."""
    root = args.rest[0]
    d = root if args.folder.upper() == "INBOX" else \
        os.path.join(root, "." + args.folder)
    for sub in ("cur", "new", "tmp"):
        os.makedirs(os.path.join(d, sub), exist_ok=True)
    if args.from_dir:
        names = sorted(f for f in os.listdir(args.from_dir)
                       if not f.startswith(".") and f != "STAMP")
        datas = (open(os.path.join(args.from_dir, f), "rb").read()
                 for f in names)
        total = len(names)
    else:
        datas = (synthetic(args.prefix, i) for i in range(1, args.count + 1))
        total = args.count
    n = 0
    for data in datas:
        n += 1
        # name order = delivery order = UID order when the server scans.
        # S= size and W= virtual size (LF counted as CRLF), as Dovecot's
        # own delivery (LDA, LMTP) names files: without W= Dovecot reads
        # each whole message once more to compute its RFC822.SIZE.
        vsize = len(data) + data.count(b"\n") - data.count(b"\r\n")
        name = "%010d.M%dP%d.soar-test,S=%d,W=%d:2," % (
            1700000000 + n, n, os.getpid(), len(data), vsize)
        with open(os.path.join(d, "cur", name), "wb") as f:
            f.write(data)
    assert n == total
    print(n)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int)
    ap.add_argument("--ca")
    ap.add_argument("--user")
    ap.add_argument("--password-file")
    ap.add_argument("--count", type=int, default=0)
    ap.add_argument("--prefix", default="gen")
    ap.add_argument("--from-dir")
    ap.add_argument("--seen", action="store_true",
                    help="append: set \\Seen on the appended messages")
    ap.add_argument("cmd")
    ap.add_argument("folder")
    ap.add_argument("rest", nargs="*")
    args = ap.parse_intermixed_args()
    if args.cmd == "maildir-fill":
        maildir_fill(args)
        return
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
    elif args.cmd == "append-list":
        ensure(m, folder)
        n = unseen = 0
        with open(args.rest[0]) as lst:
            for line in lst:
                parts = line.split()
                if not parts or parts[0].startswith("#"):
                    continue
                seen = len(parts) > 1 and parts[1] == "seen"
                with open(os.path.join(args.rest[1], parts[0]), "rb") as f:
                    data = f.read()
                check(*m.append(quote(folder), "(\\Seen)" if seen else None,
                                None, data), what="APPEND " + parts[0])
                n += 1
                unseen += 0 if seen else 1
        print(n, unseen)
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
    elif args.cmd == "export":
        check(*m.select(quote(folder), readonly=True), what="EXAMINE")
        typ, data = m.uid("FETCH", "1:*", "(UID BODY.PEEK[])")
        check(typ, data, "FETCH")
        n = 0
        for item in data:
            if isinstance(item, tuple):
                uid = re.search(rb"UID (\d+)", item[0]).group(1).decode()
                with open(os.path.join(args.rest[0], uid + ".eml"),
                          "wb") as f:
                    f.write(item[1])
                n += 1
        print(n)
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
