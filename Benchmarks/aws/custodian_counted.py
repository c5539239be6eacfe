#!/usr/bin/env python3
"""Runs Cloud Custodian's CLI (`custodian ARGS`) counting every AWS API call it makes, then prints
`calls=C matched=M` (M: resources the policy matched, from its resources.json files).

    C7N_PYTHON=/path/to/venv/bin/python; $C7N_PYTHON custodian_counted.py run --dryrun -s OUT policy.yml
"""
import glob
import json
import os
import sys

import botocore.client

calls = 0
original = botocore.client.BaseClient._make_api_call


def counted(self, operation_name, api_params):
    global calls
    calls += 1
    return original(self, operation_name, api_params)


botocore.client.BaseClient._make_api_call = counted

from c7n.cli import main  # noqa: E402

sys.argv = ["custodian"] + sys.argv[1:]
status = 0
try:
    main()
except SystemExit as exit:
    status = exit.code or 0
output = sys.argv[sys.argv.index("-s") + 1] if "-s" in sys.argv else "."
matched = 0
for path in glob.glob(os.path.join(output, "**", "resources.json"), recursive=True):
    with open(path) as f:
        matched += len(json.load(f))
print(f"calls={calls} matched={matched}", flush=True)
sys.exit(status)
