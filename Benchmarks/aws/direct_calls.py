#!/usr/bin/env python3
"""The minimal direct way to read what Sift's collect reads: ListUsers (paged), ListAccessKeys per user
(in series), then the credential report. Prints `users=U keys=K calls=C seconds=S`.

    AWS_ENDPOINT_URL=http://127.0.0.1:PORT python3 direct_calls.py
"""
import time

import boto3

calls = 0


def count(**_):
    global calls
    calls += 1


start = time.time()
iam = boto3.client("iam", region_name="us-east-1")
iam.meta.events.register("before-send.iam", count)
users = [u for page in iam.get_paginator("list_users").paginate() for u in page["Users"]]
keys = 0
for user in users:
    for page in iam.get_paginator("list_access_keys").paginate(UserName=user["UserName"]):
        keys += len(page["AccessKeyMetadata"])
while iam.generate_credential_report()["State"] != "COMPLETE":
    time.sleep(0.5)
report = iam.get_credential_report()["Content"]
print(f"users={len(users)} keys={keys} calls={calls} seconds={time.time() - start:.2f}")
