#!/usr/bin/python3
"""soar_receiver - the project's fake Chronicle SOAR API, for tests only.

Standard library only.  Listens on 127.0.0.1 on a port chosen by the
kernel (or --port) and writes that port to --port-file (atomically) once
it accepts connections.  Exits by itself after --max-seconds (default 1800), on
SIGTERM/SIGINT, or on POST /_shutdown.

Routes (both need ?format=snake):
  POST /api/external/v1/sdk/CreateCase                       AppKey: KEY
  POST /v1alpha/projects/P/locations/L/instances/I/legacySdk:legacyCreateCase
                                                   Authorization: Bearer T
  GET  /_received    JSON list of accepted display_ids, in order, with
                     repeats (a repeat is a duplicate delivery)
  GET  /_stats       JSON counters
  POST /_control     JSON object changing faults at run time:
                     {"fail_first":N, "fail_status":503, "status_429":N,
                      "retry_after":S, "delay":S, "drop_first":N,
                      "down":true|false}
  POST /_shutdown    stop the server

Credentials: --app-key KEY (without it any non-empty AppKey is taken);
--bearer-file FILE is re-read on every request, so a test can rotate
the token (without it any non-empty Bearer token is taken).  With
--project/--location/--instance the chronicle path must match them.

Faults, checked in this order on the two API routes after the request
body has been read:
  down         every request is answered 503
  drop_first N the next N requests get no answer: the connection is
               closed (the client sees "empty reply": answer lost)
  fail_first N the next N requests get --fail-status (default 503)
  status_429 N the next N requests get 429 with Retry-After
               (--retry-after: integer seconds, or "date:N" for an
               HTTP-date N seconds ahead)
  delay S      sleep S seconds before answering (every request)
Then: 401 on bad or missing credentials, 415 on a Content-Type that is
not application/json, 400 (Google-style error JSON) on a body that is
not a valid snake_case CaseInfo, else 200 "{}".

TLS: --tls-cert FILE --tls-key FILE serve HTTPS (TLS 1.2 or later);
--tls-client-ca FILE also requires a client certificate signed by it.

Each accepted alert is saved as RECORD/<display_id>.json (the first copy
only; repeats are counted) and every API request adds one line to
RECORD/_log.jsonl (both written before the answer is sent): time, method, path, status, display_id, duplicate,
fault, and the headers of interest.
"""

import argparse
import email.utils
import json
import os
import re
import signal
import ssl
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

SDK_PATH = "/api/external/v1/sdk/CreateCase"
CHRONICLE_RE = re.compile(
    r"^/v1alpha/projects/([^/]+)/locations/([^/]+)/instances/([^/]+)"
    r"/legacySdk:legacyCreateCase$")
SAFE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")
PRIORITIES = (-1, 40, 60, 80, 100)
REQUIRED_STR = ("name", "ticket_id", "display_id", "rule_generator",
                "device_vendor", "device_product", "environment")
MAX_BODY = 64 * 1024 * 1024
HEADERS_OF_INTEREST = ("content-type", "accept", "appkey", "authorization",
                       "user-agent", "content-length", "connection")
STATUS_NAMES = {400: "INVALID_ARGUMENT", 401: "UNAUTHENTICATED",
                403: "PERMISSION_DENIED", 404: "NOT_FOUND",
                405: "METHOD_NOT_ALLOWED", 408: "DEADLINE_EXCEEDED",
                413: "INVALID_ARGUMENT", 415: "INVALID_ARGUMENT",
                429: "RESOURCE_EXHAUSTED", 500: "INTERNAL",
                502: "UNAVAILABLE", 503: "UNAVAILABLE",
                504: "DEADLINE_EXCEEDED"}


class State:
    """Faults, counters and the record, shared by the handler threads."""

    def __init__(self, args):
        self.lock = threading.Lock()
        self.args = args
        self.fail_first = args.fail_first
        self.fail_status = args.fail_status
        self.status_429 = args.status_429
        self.retry_after = args.retry_after
        self.delay = args.delay
        self.drop_first = args.drop_first
        self.down = False
        self.received = []
        self.seen = set()
        self.stats = {"requests": 0, "accepted": 0, "duplicates": 0,
                      "dropped": 0, "failed": 0, "throttled": 0,
                      "unauthorized": 0, "invalid": 0, "not_found": 0}

    def control(self, obj):
        with self.lock:
            for key in ("fail_first", "status_429", "drop_first",
                        "fail_status"):
                if key in obj:
                    setattr(self, key, int(obj[key]))
            if "retry_after" in obj:
                self.retry_after = str(obj["retry_after"])
            if "delay" in obj:
                self.delay = float(obj["delay"])
            if "down" in obj:
                self.down = bool(obj["down"])
            return self.snapshot()

    def snapshot(self):
        return {"fail_first": self.fail_first,
                "fail_status": self.fail_status,
                "status_429": self.status_429,
                "retry_after": self.retry_after, "delay": self.delay,
                "drop_first": self.drop_first, "down": self.down}

    def take_fault(self):
        """Decide the fault for one request: (kind, status) or None."""
        with self.lock:
            self.stats["requests"] += 1
            if self.down:
                self.stats["failed"] += 1
                return ("down", 503)
            if self.drop_first > 0:
                self.drop_first -= 1
                self.stats["dropped"] += 1
                return ("drop", 0)
            if self.fail_first > 0:
                self.fail_first -= 1
                self.stats["failed"] += 1
                return ("fail", self.fail_status)
            if self.status_429 > 0:
                self.status_429 -= 1
                self.stats["throttled"] += 1
                return ("429", 429)
            return None

    def count(self, key):
        with self.lock:
            self.stats[key] += 1


def validate_case(body):
    """Return None if body is a valid snake_case CaseInfo, else why not."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as e:
        return "body is not UTF-8: %s" % e
    try:
        obj = json.loads(text)
    except ValueError as e:
        return "body is not JSON: %s" % e
    if not isinstance(obj, dict):
        return "body is not a JSON object"
    for key in REQUIRED_STR:
        if not isinstance(obj.get(key), str) or obj[key] == "":
            return "%s: missing or not a non-empty string" % key
    for key in ("start_time", "end_time"):
        v = obj.get(key)
        if not isinstance(v, int) or isinstance(v, bool):
            return "%s: missing or not an integer" % key
    p = obj.get("priority")
    if not isinstance(p, int) or isinstance(p, bool) or p not in PRIORITIES:
        return "priority: must be one of -1, 40, 60, 80, 100"
    ev = obj.get("events")
    if not isinstance(ev, list) or not ev:
        return "events: missing or not a non-empty list"
    for i, e in enumerate(ev):
        if not isinstance(e, dict):
            return "events[%d]: not an object" % i
        for k, v in e.items():
            if isinstance(v, (dict, list)):
                return "events[%d].%s: not a scalar" % (i, k)
    if not SAFE_ID.match(obj["display_id"]):
        return "display_id: not a safe file name (test receiver rule)"
    return None


def error_json(code, message):
    return json.dumps({"error": {"code": code, "message": message,
                                 "status": STATUS_NAMES.get(code, "UNKNOWN")}})


def http_date_in(seconds):
    return email.utils.formatdate(time.time() + seconds, usegmt=True)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "soar-receiver/1"
    # Bound a stuck client: a test tool must not hang.
    timeout = 60
    # Headers and body go out in two writes: without TCP_NODELAY, Nagle
    # and the client's delayed ACK add 40 ms to every answer.
    disable_nagle_algorithm = True

    def log_message(self, fmt, *args):
        if self.server.state.args.verbose:
            sys.stderr.write("soar_receiver: " + (fmt % args) + "\n")

    def reply(self, status, body, extra=None):
        data = body.encode("utf-8") if isinstance(body, str) else body
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def read_body(self):
        te = self.headers.get("Transfer-Encoding", "")
        if te.lower() == "chunked":
            chunks = []
            total = 0
            while True:
                line = self.rfile.readline(1024)
                size = int(line.split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    self.rfile.readline(1024)
                    break
                total += size
                if total > MAX_BODY:
                    return None
                chunks.append(self.rfile.read(size))
                self.rfile.readline(1024)
            return b"".join(chunks)
        n = int(self.headers.get("Content-Length", "0") or "0")
        if n < 0 or n > MAX_BODY:
            return None
        return self.rfile.read(n) if n else b""

    def log_request_line(self, status, display_id=None, duplicate=False,
                         fault=None):
        rec = {"time": time.time(), "method": self.command,
               "path": self.path, "status": status,
               "display_id": display_id, "duplicate": duplicate,
               "fault": fault,
               "headers": {h: self.headers.get(h) for h in
                           HEADERS_OF_INTEREST if self.headers.get(h)}}
        line = json.dumps(rec, sort_keys=True) + "\n"
        st = self.server.state
        with st.lock:
            with open(os.path.join(st.args.record, "_log.jsonl"), "a") as f:
                f.write(line)

    def do_GET(self):
        st = self.server.state
        path = urlsplit(self.path).path
        if path == "/_received":
            with st.lock:
                self.reply(200, json.dumps(st.received))
        elif path == "/_stats":
            with st.lock:
                d = dict(st.stats)
                d.update(st.snapshot())
                self.reply(200, json.dumps(d))
        else:
            self.reply(404, error_json(404, "no such route"))

    def do_PUT(self):
        self.reply(405, error_json(405, "method not allowed"))

    do_DELETE = do_PUT

    def do_POST(self):
        st = self.server.state
        parts = urlsplit(self.path)
        body = self.read_body()
        if body is None:
            self.close_connection = True
            self.reply(413, error_json(413, "request body too large"))
            return
        if parts.path == "/_control":
            try:
                obj = json.loads(body.decode("utf-8") or "{}")
                if not isinstance(obj, dict):
                    raise ValueError("not an object")
                self.reply(200, json.dumps(st.control(obj)))
            except (ValueError, TypeError) as e:
                self.reply(400, error_json(400, "bad control: %s" % e))
            return
        if parts.path == "/_shutdown":
            self.reply(200, "{}")
            threading.Thread(target=self.server.shutdown,
                             daemon=True).start()
            return
        route = self.route(parts.path)
        if route is None:
            st.count("not_found")
            self.log_request_line(404)
            self.reply(404, error_json(404, "no such route: %s" %
                                       parts.path))
            return
        self.api(route, parts, body)

    def route(self, path):
        a = self.server.state.args
        if path == SDK_PATH:
            return "sdk"
        m = CHRONICLE_RE.match(path)
        if m is None:
            return None
        for want, got in ((a.project, m.group(1)), (a.location, m.group(2)),
                          (a.instance, m.group(3))):
            if want is not None and want != got:
                return None
        return "chronicle"

    def authorized(self, route):
        a = self.server.state.args
        if route == "sdk":
            key = self.headers.get("AppKey")
            if not key:
                return False
            return a.app_key is None or key == a.app_key
        auth = self.headers.get("Authorization", "")
        if not auth.startswith("Bearer ") or not auth[7:].strip():
            return False
        if a.bearer_file is None:
            return True
        try:
            with open(a.bearer_file) as f:
                want = f.readline().strip()
        except OSError:
            return False
        return auth[7:].strip() == want

    def api(self, route, parts, body):
        st = self.server.state
        fault = st.take_fault()
        if fault is not None:
            kind, status = fault
            if kind == "drop":
                self.log_request_line(0, fault=kind)
                self.close_connection = True
                return
            if st.delay > 0:
                time.sleep(st.delay)
            extra = None
            if status == 429:
                ra = st.retry_after
                if ra.startswith("date:"):
                    ra = http_date_in(int(ra[5:]))
                extra = {"Retry-After": ra}
            self.log_request_line(status, fault=kind)
            self.reply(status, error_json(status, "injected fault: %s" %
                                          kind), extra)
            return
        if st.delay > 0:
            time.sleep(st.delay)
        if not self.authorized(route):
            st.count("unauthorized")
            self.log_request_line(401)
            self.reply(401, error_json(401, "missing or invalid "
                                       "credentials"))
            return
        if parse_qs(parts.query).get("format") != ["snake"]:
            st.count("invalid")
            self.log_request_line(400)
            self.reply(400, error_json(400, "format=snake is required"))
            return
        ctype = self.headers.get("Content-Type", "")
        if ctype.split(";")[0].strip().lower() != "application/json":
            st.count("invalid")
            self.log_request_line(415)
            self.reply(415, error_json(415, "Content-Type must be "
                                       "application/json"))
            return
        why = validate_case(body)
        if why is not None:
            st.count("invalid")
            self.log_request_line(400)
            self.reply(400, error_json(400, "invalid CaseInfo: " + why))
            return
        did = json.loads(body.decode("utf-8"))["display_id"]
        with st.lock:
            dup = did in st.seen
            st.seen.add(did)
            st.received.append(did)
            st.stats["accepted"] += 1
            if dup:
                st.stats["duplicates"] += 1
            else:
                path = os.path.join(st.args.record, did + ".json")
                tmp = os.path.join(st.args.record, ".tmp." + did)
                with open(tmp, "wb") as f:
                    f.write(body)
                os.rename(tmp, path)
        self.log_request_line(200, display_id=did, duplicate=dup)
        self.reply(200, "{}")


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, TimeoutError, ssl.SSLError)):
            # A client that was killed or gave up: expected in tests.
            sys.stderr.write("soar_receiver: client %s:%d: %s\n" %
                             (client_address[0], client_address[1], exc))
            return
        super().handle_error(request, client_address)


def main():
    ap = argparse.ArgumentParser(
        description=__doc__.split("\n")[0],
        epilog="Routes, faults and checks: see the top of this file.")
    ap.add_argument("--port-file", required=True,
                    help="write the port here once listening")
    ap.add_argument("--port", type=int, default=0,
                    help="listen on this port (default: one the kernel "
                    "picks); a restarted receiver can keep its URL")
    ap.add_argument("--record", required=True,
                    help="directory: DISPLAY_ID.json per accepted alert, "
                    "_log.jsonl per request")
    ap.add_argument("--app-key", help="the AppKey the sdk route wants "
                    "(default: any non-empty one)")
    ap.add_argument("--bearer-file", help="file with the Bearer token of "
                    "the chronicle route, re-read per request")
    ap.add_argument("--project", help="chronicle path: project")
    ap.add_argument("--location", help="chronicle path: location")
    ap.add_argument("--instance", help="chronicle path: instance")
    ap.add_argument("--fail-first", type=int, default=0,
                    help="answer the first N requests --fail-status")
    ap.add_argument("--fail-status", type=int, default=503)
    ap.add_argument("--status-429", type=int, default=0,
                    help="answer the next N requests 429 + Retry-After")
    ap.add_argument("--retry-after", default="1",
                    help='seconds, or "date:N" for an HTTP-date')
    ap.add_argument("--delay", type=float, default=0.0,
                    help="sleep S seconds before every answer")
    ap.add_argument("--drop-first", type=int, default=0,
                    help="close the first N connections unanswered")
    ap.add_argument("--max-seconds", type=float, default=1800.0,
                    help="exit after S seconds")
    ap.add_argument("--tls-cert", help="serve HTTPS with this chain")
    ap.add_argument("--tls-key")
    ap.add_argument("--tls-client-ca",
                    help="require client certificates from this CA")
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args()

    os.makedirs(args.record, exist_ok=True)
    server = Server(("127.0.0.1", args.port), Handler)
    if args.tls_cert:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.minimum_version = ssl.TLSVersion.TLSv1_2
        ctx.load_cert_chain(args.tls_cert, args.tls_key)
        if args.tls_client_ca:
            ctx.verify_mode = ssl.CERT_REQUIRED
            ctx.load_verify_locations(args.tls_client_ca)
        # A failed handshake raises in accept(): socketserver ignores
        # OSError there (SSLError is one) and goes on serving.
        server.socket = ctx.wrap_socket(server.socket, server_side=True)
    server.state = State(args)

    def stop(*_):
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    timer = threading.Timer(args.max_seconds, stop)
    timer.daemon = True
    timer.start()

    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % server.server_address[1])
    os.rename(tmp, args.port_file)
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        timer.cancel()
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
