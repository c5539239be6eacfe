#!/usr/bin/env python3
"""Writes Sources/SiftPolicy/ActionCatalogue.swift from policyuniverse's data (pip install policyuniverse):
every service prefix, and IAM's actions with their access level (policyuniverse's calculated_action_group).

    python3 Tests/Fixtures/policy_catalogue.py > Sources/SiftPolicy/ActionCatalogue.swift
"""
import importlib.metadata
import json
import os
import sys

import policyuniverse


def chunk(items, width=110, indent="        "):
    lines, current = [], indent
    for item in items:
        text = item + ", "
        if len(current) + len(text) > width:
            lines.append(current.rstrip())
            current = indent
        current += text
    lines.append(current.rstrip().rstrip(","))
    return "\n".join(lines)


def main():
    with open(os.path.join(os.path.dirname(policyuniverse.__file__), "data.json")) as f:
        data = json.load(f)
    prefixes = sorted({service["prefix"] for service in data.values()})
    iam = {}
    for service in data.values():
        if service["prefix"] == "iam":
            for name, body in service["actions"].items():
                iam[name] = body["calculated_action_group"]
    version = importlib.metadata.version("policyuniverse")
    sys.stdout.write(f'''// Generated from policyuniverse {version} (data.json, Apache-2.0), the AWS service authorization reference as
// that package ships it: the service prefixes, and IAM's actions with their access level
// (policyuniverse's `calculated_action_group`). Regenerate with Tests/Fixtures/policy_catalogue.py.

/// What the evaluator knows about AWS actions without asking AWS.
public enum ActionCatalogue {{
    /// Every known service prefix (`s3`, `iam`, ...), sorted, {len(prefixes)} of them.
    public static let servicePrefixes: [String] = [
{chunk([json.dumps(p) for p in prefixes])}
    ]

    /// IAM's actions ({len(iam)}) with their access level: `List`, `Read`, `Write`, `Permissions` or `Tagging`.
    public static let iamActions: [(name: String, level: String)] = [
{chunk(['("%s", "%s")' % (a, iam[a]) for a in sorted(iam)])}
    ]
}}
''')


if __name__ == "__main__":
    main()
