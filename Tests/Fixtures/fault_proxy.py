#!/usr/bin/env python3
"""A fault-injecting HTTP proxy on 127.0.0.1, in front of an emulator (emulator.py, ops_emulator.py).

Requests sent to http://127.0.0.1:<port>/... are forwarded to --target (which must be on 127.0.0.1), and
a fault is applied per request according to the mode:

    delay     the answer is held back --delay seconds (meant to be under the client's timeout), then sent
    reset     for --share of the requests the connection is closed (RST) without an answer; with
              --after, the request is forwarded first (the server acts) and only the answer is lost
    stall     the connection is accepted, the request read, and nothing is ever answered (the socket is
              held open until the proxy exits)
    5xx       for --share of the requests a 500 or 503 error is answered without forwarding
    truncate  for --share of the requests the request is forwarded, the answer's headers are sent with
              the full Content-Length, then only part of the body, and the connection is closed
    none      plain forwarding

The mode and its parameters come from the command line, or from --control FILE (JSON such as
{"mode": "reset", "share": 0.5, "after": true, "delay": 0.5, "only": ["UpdateAccessKey"], "except": []}),
re-read whenever the file changes, so one proxy can serve a clean run and then a faulty one. `only` and
`except` name the query Actions that may get the fault (default: all). Which of those requests get it is
decided by a counter (the n-th such request since the last change is faulty when
floor(n*share) > floor((n-1)*share)), so a run is reproducible.

    python3 fault_proxy.py --target http://127.0.0.1:PORT [--mode M] [--share S] [--delay D] [--after]
                           [--control FILE] [--log FILE] [--lifetime SECONDS]

Prints `PORT=<n>` once it serves. It exits by itself after --lifetime seconds (default 300), and never
listens on or connects to anything but 127.0.0.1. --log appends one JSON line per request (n, action,
fault) for tests that want to see what was done.
"""
import argparse
import http.client
import json
import os
import signal
import socket
import struct
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOOPBACK = "127.0.0.1"


class Faults:
    """The current mode and parameters, from the command line and (when given) the control file."""

    def __init__(self, args):
        self.lock = threading.Lock()
        self.defaults = {"mode": args.mode, "share": args.share, "delay": args.delay, "after": args.after}
        self.settings = dict(self.defaults)
        self.control = args.control
        self.control_mtime = None
        self.count = 0

    def next(self, action):
        """Re-reads the control file when it changed; returns (n, settings, faulty?) for a new request."""
        with self.lock:
            if self.control and os.path.exists(self.control):
                mtime = os.stat(self.control).st_mtime_ns
                if mtime != self.control_mtime:
                    try:
                        with open(self.control) as f:
                            loaded = json.load(f)
                        self.settings = dict(self.defaults, **loaded)
                        self.control_mtime = mtime
                        self.count = 0
                    except (OSError, ValueError):
                        pass  # a file being written: read it at the next request
            only, skip = self.settings.get("only") or [], self.settings.get("except") or []
            if (only and action not in only) or action in skip:
                return 0, dict(self.settings), False
            self.count += 1
            n = self.count
            share = float(self.settings.get("share", 1.0))
            faulty = int(n * share) > int((n - 1) * share)
            return n, dict(self.settings), faulty


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--target", required=True, help="the emulator's URL, http://127.0.0.1:PORT")
    parser.add_argument("--mode", default="none", choices=["none", "delay", "reset", "stall", "5xx", "truncate"])
    parser.add_argument("--share", type=float, default=1.0, help="share of requests that get the fault (0..1)")
    parser.add_argument("--delay", type=float, default=0.5, help="seconds of delay (mode delay)")
    parser.add_argument("--after", action="store_true", help="reset after forwarding (the server acted)")
    parser.add_argument("--control", help="JSON file with mode/share/delay/after, re-read when it changes")
    parser.add_argument("--log", help="append one JSON line per request here")
    parser.add_argument("--lifetime", type=float, default=300, help="exit after this many seconds")
    parser.add_argument("--manifest", help="ignored (accepted for the tests' fixture runner)")
    args = parser.parse_args()

    target = urllib.parse.urlsplit(args.target)
    if target.scheme != "http" or target.hostname != LOOPBACK or not target.port:
        raise SystemExit(f"--target must be http://{LOOPBACK}:PORT, not {args.target}")
    faults = Faults(args)
    log_lock = threading.Lock()
    stalled = []  # sockets held open by `stall`, closed at exit

    def log(entry):
        if args.log:
            with log_lock, open(args.log, "a") as f:
                f.write(json.dumps(entry) + "\n")

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        timeout = 60  # an idle client connection is dropped after a minute

        def log_message(self, *a):
            pass

        def reset(self):
            """Closes the connection with an RST (SO_LINGER 0), without an answer."""
            try:
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            except OSError:
                pass
            self.close_connection = True
            try:
                # Close the descriptor itself now (the handler's file objects would keep it open): the RST goes out.
                os.close(self.connection.detach())
            except OSError:
                pass

        def upstream(self, body):
            """Forwards the request to the target; returns (status, reason, headers, body)."""
            conn = http.client.HTTPConnection(LOOPBACK, target.port, timeout=60)
            try:
                headers = {k: v for k, v in self.headers.items()
                           if k.lower() not in ("connection", "proxy-connection", "keep-alive", "content-length")}
                headers["Content-Length"] = str(len(body))
                conn.request(self.command, self.path, body=body, headers=headers)
                answer = conn.getresponse()
                data = answer.read()
                kept = [(k, v) for k, v in answer.getheaders()
                        if k.lower() not in ("connection", "keep-alive", "transfer-encoding", "content-length",
                                             "date", "server")]
                return answer.status, answer.reason, kept, data
            finally:
                conn.close()

        def answer(self, status, reason, headers, data, send=None):
            self.send_response(status, reason)
            for k, v in headers:
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data if send is None else data[:send])
            self.wfile.flush()

        def handle_one(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            form = urllib.parse.parse_qs(body.decode("utf-8", "replace"))
            action = (form.get("Action") or [""])[0]
            n, settings, faulty = faults.next(action)
            mode = settings.get("mode", "none")
            fault = mode if faulty and mode != "none" else None
            log({"n": n, "action": action, "key": (form.get("AccessKeyId") or [None])[0], "fault": fault,
                 "after": bool(settings.get("after")) if fault == "reset" else None, "at": time.time()})
            if fault == "stall":
                stalled.append(self.connection)
                self.close_connection = True
                # Keep the socket open (never answer) until the proxy exits; this thread just waits.
                while True:
                    time.sleep(3600)
            if fault == "reset" and not settings.get("after"):
                self.reset()
                return
            if fault == "5xx":
                status = 503 if n % 2 else 500
                code = "ServiceUnavailable" if status == 503 else "InternalFailure"
                payload = (f"<ErrorResponse><Error><Type>Receiver</Type><Code>{code}</Code>"
                           f"<Message>injected by fault_proxy</Message></Error>"
                           f"<RequestId>fault-{n}</RequestId></ErrorResponse>").encode()
                self.answer(status, None, [("Content-Type", "text/xml")], payload)
                return
            try:
                status, reason, headers, data = self.upstream(body)
            except OSError as error:
                payload = f"fault_proxy: upstream failed: {error}".encode()
                self.answer(502, None, [("Content-Type", "text/plain")], payload)
                return
            if fault == "reset":  # after forwarding: the server acted, the answer is lost
                self.reset()
                return
            if fault == "delay":
                time.sleep(float(settings.get("delay", 0.5)))
            if fault == "truncate":
                self.answer(status, reason, headers, data, send=max(0, len(data) // 2))
                self.close_connection = True
                try:
                    self.connection.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                return
            self.answer(status, reason, headers, data)

        do_GET = do_POST = do_PUT = do_DELETE = handle_one

    class Server(ThreadingHTTPServer):
        daemon_threads = True
        allow_reuse_address = True

    server = Server((LOOPBACK, 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    print(f"PORT={server.server_address[1]}", flush=True)
    # Bounded: exits by itself after --lifetime seconds whatever happens (stalled sockets die with it).
    time.sleep(max(0.0, args.lifetime))
    os._exit(0)


if __name__ == "__main__":
    sys.exit(main())
