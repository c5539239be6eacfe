#!/usr/bin/env python3
"""The oracle: the caller ARN botocore resolves from this process's environment and shared files.

    python3 botocore_whoami.py PROFILE_OR_EMPTY STS_ENDPOINT

Prints {"arn": ...} or {"error": ...}. An `mfa_serial` prompt is answered with 123456 (no terminal in tests).
"""
import json
import sys

import boto3
import botocore.credentials as credentials

defaults = list(credentials.AssumeRoleProvider.__init__.__defaults__)
defaults[0] = lambda prompt: "123456"
credentials.AssumeRoleProvider.__init__.__defaults__ = tuple(defaults)

profile = sys.argv[1] or None
try:
    sts = boto3.Session(profile_name=profile).client("sts", endpoint_url=sys.argv[2])
    print(json.dumps({"arn": sts.get_caller_identity()["Arn"]}))
except Exception as error:  # the message only: never a secret (botocore's errors carry none)
    print(json.dumps({"error": f"{type(error).__name__}: {error}"}))
