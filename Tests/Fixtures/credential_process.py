#!/usr/bin/env python3
"""A `credential_process`: prints version-1 JSON with the key given as arguments, expiring in LIFETIME s.

    credential_process.py ACCESS_KEY_ID SECRET [LIFETIME] [--fail] [--sleep S]

Writes a line to stderr first (tools pass it through). `--fail` exits 3 after that line; `--sleep S` waits
before answering (timeout tests).
"""
import datetime
import json
import sys
import time

args = [a for a in sys.argv[1:] if not a.startswith("--")]
print("credential_process: issuing credentials", file=sys.stderr, flush=True)
if "--fail" in sys.argv:
    print("credential_process: the vault is sealed", file=sys.stderr, flush=True)
    sys.exit(3)
if "--sleep" in sys.argv:
    time.sleep(float(sys.argv[sys.argv.index("--sleep") + 1]))
lifetime = int(args[2]) if len(args) > 2 else 3600
expiry = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=lifetime)
print(json.dumps({"Version": 1, "AccessKeyId": args[0], "SecretAccessKey": args[1],
                  "Expiration": expiry.strftime("%Y-%m-%dT%H:%M:%SZ")}))
