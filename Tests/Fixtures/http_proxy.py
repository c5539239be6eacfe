#!/usr/bin/env python3
"""A forward HTTP proxy on 127.0.0.1 that logs what passes through it: plain http is forwarded, CONNECT
(https) is logged and refused with 502.

    python3 http_proxy.py --log FILE

Each proxied request appends `METHOD URL` to FILE. Prints `PORT=<n>` once it serves.
"""
import argparse
import os
import signal
import sys
import threading
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--log", required=True)
    parser.add_argument("--manifest")
    args = parser.parse_args()
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *a):
            pass

        def forward(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else None
            with lock, open(args.log, "a") as f:
                f.write(f"{self.command} {self.path}\n")
            headers = {k: v for k, v in self.headers.items()
                       if k.lower() not in ("proxy-connection", "connection", "content-length")}
            request = urllib.request.Request(self.path, data=body, headers=headers, method=self.command)
            try:
                with opener.open(request, timeout=30) as answer:
                    status, data, kind = answer.status, answer.read(), answer.headers.get("Content-Type", "text/xml")
            except urllib.error.HTTPError as error:
                status, data, kind = error.code, error.read(), error.headers.get("Content-Type", "text/xml")
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PUT = forward

        def do_CONNECT(self):
            # https through the proxy: logged and refused (nothing leaves the machine).
            with lock, open(args.log, "a") as f:
                f.write(f"CONNECT {self.path}\n")
            self.send_response(502)
            self.send_header("Content-Length", "0")
            self.end_headers()

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    print(f"PORT={server.server_address[1]}", flush=True)
    while True:
        time.sleep(3600)


if __name__ == "__main__":
    sys.exit(main())
