#!/usr/bin/python3
"""spool_put - write alerts into a soar-milter spool, for tests.

Writes version-1 spool files (see src/spool.h) the way spool_put() does:
tmp/ file, fsync, hard link into new/ (never replacing), fsync new/.
Standard library only.

  spool_put.py --state DIR --prefix P --count N [--start K] [--invalid]
      alerts P-000K .. P-00(K+N-1); --invalid writes bodies that are not
      a valid CaseInfo (the receiver answers 400)
  spool_put.py --state DIR --id ID --body-file FILE
"""

import argparse
import json
import os
import sys
import time


def case(alert_id):
    now = int(time.time() * 1000)
    return {
        "environment": "Default Environment",
        "ticket_id": alert_id, "display_id": alert_id,
        "name": "Suspicious email", "rule_generator": "soar-milter test",
        "device_vendor": "soar-milter", "device_product": "Mail",
        "start_time": now, "end_time": now, "priority": 60,
        "events": [{"event_name": "Suspicious email",
                    "Subject": "test " + alert_id, "StartTime": now}],
    }


def put(state, alert_id, body):
    tmpdir = os.path.join(state, "spool", "tmp")
    newdir = os.path.join(state, "spool", "new")
    for d in (tmpdir, newdir, os.path.join(state, "spool", "dead"),
              os.path.join(state, "spool", "bad"),
              os.path.join(state, "sent")):
        os.makedirs(d, mode=0o700, exist_ok=True)
    head = ("SOARSPOOL 1\nid %s\nlength %d\ncreated %d\n\n" %
            (alert_id, len(body), int(time.time() * 1000))).encode()
    tmp = os.path.join(tmpdir, "%s.%d.py" % (alert_id, os.getpid()))
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.write(fd, head + body + b"\nEND\n")
        os.fsync(fd)
    finally:
        os.close(fd)
    try:
        os.link(tmp, os.path.join(newdir, alert_id))
    except FileExistsError:
        pass
    os.unlink(tmp)
    dfd = os.open(newdir, os.O_RDONLY)
    os.fsync(dfd)
    os.close(dfd)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--state", required=True)
    ap.add_argument("--prefix")
    ap.add_argument("--count", type=int, default=1)
    ap.add_argument("--start", type=int, default=0)
    ap.add_argument("--invalid", action="store_true")
    ap.add_argument("--id")
    ap.add_argument("--body-file")
    a = ap.parse_args()
    if a.id is not None:
        with open(a.body_file, "rb") as f:
            put(a.state, a.id, f.read())
        return 0
    for i in range(a.start, a.start + a.count):
        aid = "%s-%04d" % (a.prefix, i)
        obj = case(aid)
        if a.invalid:
            del obj["events"]
        put(a.state, aid, json.dumps(obj, sort_keys=True).encode())
    return 0


if __name__ == "__main__":
    sys.exit(main())
