#!/usr/bin/python3
"""soarctl - talk to a running soar_receiver.py, for shell tests.

  soarctl.py PORT control JSON      POST /_control
  soarctl.py PORT stats KEY         print one /_stats counter
  soarctl.py PORT wait-unique N S   wait (at most S seconds) until N
                                    distinct display_ids were accepted
  soarctl.py PORT wait-stat KEY N S wait until /_stats KEY >= N
  soarctl.py PORT summary           "unique total duplicates"
Exit 0 on success, 1 on timeout or error.  Standard library only.
"""

import json
import sys
import time
import urllib.request


def get(port, path, data=None):
    req = urllib.request.Request("http://127.0.0.1:%s%s" % (port, path),
                                 data=data, method="POST" if data else "GET")
    with urllib.request.urlopen(req, timeout=10) as r:
        return json.loads(r.read().decode())


def main(argv):
    port, cmd = argv[1], argv[2]
    if cmd == "control":
        print(json.dumps(get(port, "/_control", argv[3].encode())))
        return 0
    if cmd == "stats":
        print(get(port, "/_stats")[argv[3]])
        return 0
    if cmd == "summary":
        rec = get(port, "/_received")
        print(len(set(rec)), len(rec), len(rec) - len(set(rec)))
        return 0
    if cmd in ("wait-unique", "wait-stat"):
        if cmd == "wait-unique":
            want, limit = int(argv[3]), float(argv[4])
        else:
            key, want, limit = argv[3], int(argv[4]), float(argv[5])
        end = time.time() + limit
        have = -1
        while time.time() < end:
            if cmd == "wait-unique":
                have = len(set(get(port, "/_received")))
            else:
                have = get(port, "/_stats")[key]
            if have >= want:
                return 0
            time.sleep(0.1)
        sys.stderr.write("soarctl: timeout: %d of %d\n" % (have, want))
        return 1
    sys.stderr.write("soarctl: unknown command %s\n" % cmd)
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
