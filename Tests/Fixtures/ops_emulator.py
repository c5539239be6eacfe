#!/usr/bin/env python3
"""The emulator of `emulator.py` (moto, in-process, dated scenario) with two additions for cleanup tests:

* every IAM call that changes a key (UpdateAccessKey, DeleteAccessKey) or reads its last use
  (GetAccessKeyLastUsed) is logged, one JSON line per call with the exact AccessKeyId, UserName, Status
  and the HTTP status answered (`--calls FILE`), so tests count calls per key on the server side;
* faults (`--faults FILE`, JSON, read again whenever the file changes), per AccessKeyId:
    {"throttle": {"AKIA...": 2},   # the first 2 calls naming the key answer 400 Throttling
     "error5xx": {"AKIA...": 3},   # the first 3 calls answer 500 InternalFailure (-1: always)
     "vanish":   ["AKIA..."],      # the key is deleted by "someone else" just before the first call naming it
     "use":      ["AKIA..."]}      # the key is marked used now, when the file is (re)read

    python3 ops_emulator.py [emulator.py options] [--calls FILE] [--faults FILE]

Prints `PORT=<n>` when ready and serves until killed.
"""
import argparse
import io
import json
import os
import sys
import threading
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import emulator  # noqa: E402

LOGGED = {"UpdateAccessKey", "DeleteAccessKey", "GetAccessKeyLastUsed"}


class CleanupFixture:
    """WSGI middleware in front of moto: logs key-changing calls and injects faults."""

    def __init__(self, app, calls_path, faults_path):
        self.app = app
        self.calls_path = calls_path
        self.faults_path = faults_path
        self.faults_mtime = None
        self.throttle, self.error5xx, self.vanish = {}, {}, set()
        self.lock = threading.Lock()

    def reload_faults(self):
        """(Re)reads the faults file when it appeared or changed, so tests can set faults on ids they learnt."""
        if not self.faults_path or not os.path.exists(self.faults_path):
            return
        mtime = os.stat(self.faults_path).st_mtime_ns
        if mtime == self.faults_mtime:
            return
        with open(self.faults_path) as f:
            faults = json.load(f)
        self.faults_mtime = mtime
        self.throttle = dict(faults.get("throttle", {}))
        self.error5xx = dict(faults.get("error5xx", {}))
        self.vanish = set(faults.get("vanish", []))
        for key in faults.get("use", []):
            self.mark_used(key)

    def __call__(self, environ, start_response):
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        environ["wsgi.input"] = io.BytesIO(body)
        form = urllib.parse.parse_qs(body.decode("utf-8", "replace"))
        action = (form.get("Action") or [""])[0]
        key = (form.get("AccessKeyId") or [None])[0]
        user = (form.get("UserName") or [None])[0]
        fault = None
        with self.lock:
            self.reload_faults()
        if key:
            with self.lock:
                if self.throttle.get(key, 0) > 0:
                    self.throttle[key] -= 1
                    fault = (400, "Throttling", "Rate exceeded")
                elif self.error5xx.get(key, 0) != 0:
                    self.error5xx[key] -= 1
                    fault = (500, "InternalFailure", "injected server error")
                elif key in self.vanish and user:
                    self.vanish.discard(key)
                    self.delete_meanwhile(user, key)
        if fault:
            status, code, message = fault
            self.log(action, key, user, form, status)
            payload = (f"<ErrorResponse><Error><Type>{'Receiver' if status >= 500 else 'Sender'}</Type>"
                       f"<Code>{code}</Code><Message>{message}</Message></Error>"
                       f"<RequestId>fault</RequestId></ErrorResponse>").encode()
            start_response(f"{status} {'Internal Server Error' if status >= 500 else 'Bad Request'}",
                           [("Content-Type", "text/xml"), ("Content-Length", str(len(payload)))])
            return [payload]

        seen = {}

        def recording_start(status, headers, exc_info=None):
            seen["status"] = int(status.split()[0])
            return start_response(status, headers, exc_info)

        result = self.app(environ, recording_start)
        chunks = list(result)
        if hasattr(result, "close"):
            result.close()
        if action in LOGGED:
            self.log(action, key, user, form, seen.get("status", 0))
        return chunks

    def mark_used(self, key_id):
        import datetime
        from moto.iam.models import iam_backends, AccessKeyLastUsed
        for key in iam_backends[emulator.MAIN_ACCOUNT]["aws"].get_all_access_keys_for_all_users():
            if key.access_key_id == key_id:
                key.last_used = AccessKeyLastUsed(timestamp=datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None),
                                                  service="s3", region="us-east-1")

    def delete_meanwhile(self, user, key):
        from moto.iam.models import iam_backends
        try:
            iam_backends[emulator.MAIN_ACCOUNT]["aws"].delete_access_key(key, user)
        except Exception:  # already gone: nothing to do
            pass

    def log(self, action, key, user, form, status):
        if not self.calls_path or action not in LOGGED:
            return
        line = json.dumps({"action": action, "key": key, "user": user,
                           "status": (form.get("Status") or [None])[0], "http": status, "at": time.time()})
        with self.lock, open(self.calls_path, "a") as f:
            f.write(line + "\n")


class LoggingMotoServer:
    """Stands in for moto's ThreadedMotoServer (same interface) with `CleanupFixture` in front of moto."""

    calls_path = None
    faults_path = None

    def __init__(self, ip_address="127.0.0.1", port=0, verbose=False):
        self.ip_address, self.port = ip_address, port
        self.server = None

    def start(self):
        from werkzeug.serving import make_server
        from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
        app = CleanupFixture(DomainDispatcherApplication(create_backend_app), self.calls_path, self.faults_path)
        self.server = make_server(self.ip_address, self.port, app, threaded=True)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        if self.server:
            self.server.shutdown()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--calls", help="append one JSON line per UpdateAccessKey/DeleteAccessKey here")
    parser.add_argument("--faults", help="faults to inject (JSON file)")
    args, rest = parser.parse_known_args()
    LoggingMotoServer.calls_path = args.calls
    LoggingMotoServer.faults_path = args.faults
    import moto.server
    moto.server.ThreadedMotoServer = LoggingMotoServer
    sys.argv = [sys.argv[0]] + rest
    return emulator.main()


if __name__ == "__main__":
    sys.exit(main())
