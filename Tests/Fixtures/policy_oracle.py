#!/usr/bin/env python3
"""Independent answers for Sift's policy evaluator tests (SiftPolicyTests), from two PyPI packages.

Reads JSON on stdin: [{"name": ..., "document": {...}, "probes": [["iam:PassRole", "arn:..."], ...]}]
Writes JSON on stdout, one object per case:
  services    service prefixes of the actions allowed (policyuniverse's wildcard and NotAction expansion over
              its action catalogue), minus the actions denied on every resource; unconditional statements only
  iam_write   some IAM action of access level Write, Permissions or Tagging in that set (policyuniverse's
              action categories)
  decisions   per probe, principalmapper's local policy simulation: "allowed", "denied" or "implicit"
  pmapper_admin  principalmapper's is_admin for a user holding the document inline (it can make itself admin:
              PutUserPolicy or AttachUserPolicy on itself, CreateRole with a role policy, CreatePolicyVersion)

Exit status 3 when a package is missing (the test then skips, naming it).
"""
import json
import sys

try:
    from policyuniverse import all_permissions
    from policyuniverse.expander_minimizer import get_actions_from_statement
    from policyuniverse.action_categories import categories_for_actions
except ImportError as error:
    print(f"policyuniverse missing: {error}", file=sys.stderr)
    sys.exit(3)
# principalmapper 1.1.5 imports collections.Mapping, gone since Python 3.10: give it the abc's.
import collections
import collections.abc
for _name in ("Mapping", "MutableMapping", "Sequence", "Iterable"):
    if not hasattr(collections, _name):
        setattr(collections, _name, getattr(collections.abc, _name))
try:
    from principalmapper.querying.local_policy_simulation import policy_has_matching_statement
    from principalmapper.common import Node, Policy
    from principalmapper.graphing.gathering import update_admin_status
    from principalmapper.util.case_insensitive_dict import CaseInsensitiveDict
except ImportError as error:
    print(f"principalmapper missing: {error}", file=sys.stderr)
    sys.exit(3)
import logging
logging.disable(logging.CRITICAL)

USER_ARN = "arn:aws:iam::123456789012:user/probe"


def listify(value):
    return value if isinstance(value, list) else [value]


def unconditional(document):
    return [s for s in listify(document["Statement"]) if not s.get("Condition")]


def all_resources(statement):
    return "Resource" in statement and any(r and set(r) == {"*"} for r in listify(statement["Resource"]))


def some_resource(statement):
    if "Resource" in statement:
        return True
    return not any(r and set(r) == {"*"} for r in listify(statement["NotResource"]))


def allowed_actions(document):
    allowed = set()
    for statement in unconditional(document):
        if statement["Effect"] == "Allow" and some_resource(statement):
            allowed |= {a.lower() for a in get_actions_from_statement(statement)}
    for statement in unconditional(document):
        if statement["Effect"] == "Deny" and all_resources(statement):
            allowed -= {a.lower() for a in get_actions_from_statement(statement)}
    return allowed


def decision(document, action, resource):
    context = CaseInsensitiveDict({})
    if policy_has_matching_statement(document, "Deny", action, resource, context):
        return "denied"
    if policy_has_matching_statement(document, "Allow", action, resource, context):
        return "allowed"
    return "implicit"


def pmapper_admin(document):
    policy = Policy(USER_ARN, "inline", document)
    node = Node(USER_ARN, "AIDAPROBE", [policy], [], None, None, 0, False, False, None, False, {})
    update_admin_status([node])
    return node.is_admin


def main():
    cases = json.load(sys.stdin)
    out = []
    for case in cases:
        document = case["document"]
        actions = allowed_actions(document)
        iam = [a for a in actions if a.startswith("iam:")]
        categories = categories_for_actions(iam) if iam else {}
        levels = set()
        for value in categories.values():
            levels |= set(value) if isinstance(value, (set, list)) else {value}
        out.append({
            "name": case["name"],
            "services": sorted({a.split(":", 1)[0] for a in actions}),
            "iam_write": bool(levels & {"Write", "Permissions", "Tagging"}),
            "decisions": [decision(document, a, r) for a, r in case.get("probes", [])],
            "pmapper_admin": pmapper_admin(document),
        })
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
