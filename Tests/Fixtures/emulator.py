#!/usr/bin/env python3
"""A local AWS emulator (moto, in-process) on 127.0.0.1 with a scenario of IAM users and access keys.

moto has no API to set creation or last-use dates, so this process sets them on moto's backend objects
after creating the users and keys through the backend. It then prints `PORT=<n>` (flushed) and serves
until killed.

    python3 emulator.py [--port P] [--scenario FILE] [--users N --keys M [--seed S]] [--manifest FILE]

Scenario (JSON, or the built-in default below):
    {"accounts": {"123456789012": {"alias": "...", "users": [
        {"name": "alice", "created_days_ago": 900, "password": true, "password_used_days_ago": 3,
         "mfa": true, "groups": ["developers"], "inline": {"NAME": DOCUMENT}, "attached": ["POLICY"],
         "keys": [{"created_days_ago": 300, "used_days_ago": 200, "status": "Active",
                   "service": "s3", "region": "eu-west-1", "same_second_as_previous": false}]}],
        "aws_managed": ["AdministratorAccess"], "policies": {"NAME": DOCUMENT},
        "groups": [{"name": "admins", "attached": ["AdministratorAccess"], "inline": {...}}],
        "roles": [{"name": "app", "trust": DOCUMENT, "attached": [...], "inline": {...}}]}},
     "organization": {"members": [{"name": "member", "users": [...]}]}}

POLICY is a customer-managed policy's name (from "policies") or an AWS-managed one's (from "aws_managed").
moto loads no AWS-managed policy unless told to load all of them (1,300, 5 MB in every
GetAccountAuthorizationDetails answer); this fixture loads the named ones only, from moto's own copy, as AWS
answers with the AWS-managed policies in use.

The manifest (`--manifest FILE`, written before `PORT=` is printed) lists every account, user and key with
the ids moto generated and the exact dates set, so tests can compare a collect with the truth.
Requests signed with any key id not in the scenario work (moto does not check signatures); a request
signed with a scenario key would mark that key used now, so clients must not use them.
"""
import argparse
import datetime
import json
import os
import signal
import random
import socket
import sys
import time

MAIN_ACCOUNT = "123456789012"
SECOND_ACCOUNT = "111111111111"


def default_scenario():
    def key(created, used=None, status="Active", service="s3", region="us-east-1", same_second=False):
        return {"created_days_ago": created, "used_days_ago": used, "status": status, "service": service,
                "region": region, "same_second_as_previous": same_second}

    return with_main_iam({
        "accounts": {
            MAIN_ACCOUNT: {
                "alias": "sift-main",
                "users": [
                    {"name": "alice", "created_days_ago": 900, "password": True, "password_used_days_ago": 3,
                     "keys": [key(300, 200)]},
                    {"name": "bob", "created_days_ago": 800, "keys": [key(400)]},
                    {"name": "ccm-sa", "created_days_ago": 700, "keys": [key(500, 120, service="ec2")]},
                    {"name": "nancy", "created_days_ago": 600, "keys": [key(200, 95, service="iam")]},
                    {"name": "jenkins", "created_days_ago": 500, "keys": [key(365, 100)]},
                    {"name": "ci", "created_days_ago": 400, "keys": [key(180)]},
                    {"name": "dave", "created_days_ago": 1000,
                     "keys": [key(700, 300, status="Inactive"), key(30, 1, service="sts")]},
                    {"name": "erin", "created_days_ago": 300, "keys": [key(250, status="Inactive")]},
                    {"name": "frank", "created_days_ago": 90, "keys": [key(60, 2, service="lambda")]},
                    {"name": "grace", "created_days_ago": 50, "password": True, "keys": []},
                    {"name": "henry", "created_days_ago": 400,
                     "keys": [key(150, 10, service="dynamodb"), key(150, same_second=True)]},
                    {"name": "mallory", "created_days_ago": 300, "keys": [key(200)]},
                    {"name": "sam", "created_days_ago": 300, "keys": [key(300, 150, service="sts")]},
                ],
            },
            SECOND_ACCOUNT: {
                "alias": None,
                "users": [
                    {"name": "olivia", "created_days_ago": 365, "keys": [key(200, 100)]},
                    {"name": "paul", "created_days_ago": 10, "keys": []},
                ],
            },
        },
        "organization": {"members": [
            {"name": "member-one", "users": [{"name": "quinn", "created_days_ago": 100, "keys": [key(99)]}]},
        ]},
    })


def doc(*statements):
    return {"Version": "2012-10-17", "Statement": list(statements)}


def allow(actions, resources="*", **extra):
    return dict({"Effect": "Allow", "Action": actions, "Resource": resources}, **extra)


# The IAM around the main account's keys: who is admin (directly, or only through a group), who can escalate.
MAIN_IAM = {
    "aws_managed": ["AdministratorAccess", "IAMUserChangePassword"],
    "policies": {
        "dev-s3-read": doc(allow(["s3:Get*", "s3:List*"])),
        "ci-deploy": doc(allow("lambda:UpdateFunctionCode"), allow("s3:PutObject", "arn:aws:s3:::deploy/*")),
        "unused-full-access": doc(allow("*")),
        "admin-with-mfa": doc(allow("*", Condition={"Bool": {"aws:MultiFactorAuthPresent": "true"}})),
    },
    "groups": [
        {"name": "admins", "attached": ["AdministratorAccess"]},
        {"name": "developers", "attached": ["dev-s3-read", "IAMUserChangePassword"],
         "inline": {"dev-ec2": doc(allow("ec2:Describe*"))}},
        {"name": "empty"},
    ],
    "roles": [
        {"name": "app-role", "trust": doc({"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"},
                                           "Action": "sts:AssumeRole"}),
         "attached": ["dev-s3-read"], "inline": {"queue": doc(allow("sqs:SendMessage"))}},
        {"name": "break-glass", "trust": doc({"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{MAIN_ACCOUNT}:root"},
                                              "Action": "sts:AssumeRole"}),
         "attached": ["AdministratorAccess"]},
    ],
    "users": {
        "alice": {"groups": ["developers"], "mfa": True},
        "bob": {"attached": ["AdministratorAccess"]},
        "ccm-sa": {"inline": {"ccm-escalate": doc(allow(["iam:CreateAccessKey", "iam:AttachUserPolicy"]))}},
        "nancy": {"groups": ["admins"]},
        "jenkins": {"groups": ["admins", "developers"]},
        "ci": {"attached": ["ci-deploy"]},
        "dave": {"groups": ["admins"]},
        "frank": {"groups": ["developers"]},
        "henry": {"groups": ["developers"]},
        "mallory": {"attached": ["admin-with-mfa"]},
        # Not admin itself, but may assume break-glass (which trusts the account): escalates through it.
        "sam": {"inline": {"assume-any": doc(allow("sts:AssumeRole"))}},
    },
}


def with_main_iam(scenario):
    main = scenario["accounts"][MAIN_ACCOUNT]
    for key in ("aws_managed", "policies", "groups", "roles"):
        main[key] = MAIN_IAM[key]
    for user in main["users"]:
        user.update(MAIN_IAM["users"].get(user["name"], {}))
    return scenario


def big_scenario(users, keys, seed):
    """`users` users holding `keys` keys in all (at most two each), ages and last use spread over 3 years."""
    if keys > 2 * users:
        raise SystemExit(f"--keys {keys} exceeds two keys per user for {users} users")
    rng = random.Random(seed)
    per_user = [0] * users
    for i in range(keys):
        per_user[i % users] += 1
    rng.shuffle(per_user)
    scenario_users = []
    for i, count in enumerate(per_user):
        created = rng.randint(count and 30 or 1, 1200)
        user_keys = []
        for k in range(count):
            key_created = rng.randint(1, created)
            used = None if rng.random() < 0.3 else rng.randint(0, key_created)
            user_keys.append({"created_days_ago": key_created, "used_days_ago": used,
                              "status": "Inactive" if rng.random() < 0.1 else "Active",
                              "service": rng.choice(["s3", "ec2", "iam", "sts"]), "region": "us-east-1",
                              "same_second_as_previous": False})
        scenario_users.append({"name": f"user-{i:05d}", "created_days_ago": created, "keys": user_keys})
    return {"accounts": {MAIN_ACCOUNT: {"alias": "sift-bench", "users": scenario_users}}}


def with_big_iam(scenario):
    """Groups, roles and policies for a big scenario: users in three groups (one admin), every 7th user with a
    managed policy attached directly, every 10th with an inline policy."""
    main = scenario["accounts"][MAIN_ACCOUNT]
    main["aws_managed"] = ["AdministratorAccess"]
    main["policies"] = {"dev-s3-read": doc(allow(["s3:Get*", "s3:List*"])),
                        "ops": doc(allow(["ec2:*", "cloudwatch:*"]), allow("iam:PassRole"))}
    main["groups"] = [{"name": "admins", "attached": ["AdministratorAccess"]},
                      {"name": "developers", "attached": ["dev-s3-read"], "inline": {"ec2": doc(allow("ec2:Describe*"))}},
                      {"name": "operators", "attached": ["ops"]}]
    main["roles"] = [{"name": f"role-{i}", "trust": doc({"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"},
                                                         "Action": "sts:AssumeRole"}), "attached": ["dev-s3-read"]}
                     for i in range(20)]
    for i, user in enumerate(main["users"]):
        user["groups"] = [["admins", "developers", "operators"][i % 3]] if i % 3 or i % 30 == 0 else ["developers"]
        if i % 7 == 0:
            user["attached"] = ["ops"]
        if i % 10 == 0:
            user["inline"] = {"own": doc(allow("sqs:SendMessage"))}
    return scenario


def iso(dt):
    return dt.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def populate_account(account_id, spec, now, rng):
    from moto.iam.models import iam_backends, AccessKeyLastUsed

    backend = iam_backends[account_id]["aws"]
    if spec.get("alias"):
        backend.create_account_alias(spec["alias"])
    arns = populate_policies(backend, account_id, spec)
    for group in spec.get("groups", []):
        backend.create_group(group["name"])
        for name, document in group.get("inline", {}).items():
            backend.put_group_policy(group["name"], name, json.dumps(document))
        for name in group.get("attached", []):
            backend.attach_group_policy(arns[name], group["name"])
    for role in spec.get("roles", []):
        backend.create_role(role["name"], json.dumps(role["trust"]), "/", None, "", [], None)
        for name, document in role.get("inline", {}).items():
            backend.put_role_policy(role["name"], name, json.dumps(document))
        for name in role.get("attached", []):
            backend.attach_role_policy(arns[name], role["name"])
    manifest_users = []
    for user_spec in spec["users"]:
        user = backend.create_user(region_name="us-east-1", user_name=user_spec["name"])
        user.create_date = now - datetime.timedelta(days=user_spec["created_days_ago"], seconds=rng.randint(0, 3600))
        password_last_used = None
        if user_spec.get("password"):
            backend.create_login_profile(user_spec["name"], "Secret-Pa55word!")
            if user_spec.get("password_used_days_ago") is not None:
                user.password_last_used = now - datetime.timedelta(days=user_spec["password_used_days_ago"])
                password_last_used = user.password_last_used
        for group in user_spec.get("groups", []):
            backend.add_user_to_group(group, user_spec["name"])
        for name, document in user_spec.get("inline", {}).items():
            backend.put_user_policy(user_spec["name"], name, json.dumps(document))
        for name in user_spec.get("attached", []):
            backend.attach_user_policy(arns[name], user_spec["name"])
        if user_spec.get("mfa"):
            device = backend.create_virtual_mfa_device(f"{user_spec['name']}-mfa", "/")
            backend.enable_mfa_device(user_spec["name"], device.serial_number, "123456", "654321")
        manifest_keys = []
        previous = None
        for key_spec in user_spec["keys"]:
            key = backend.create_access_key(user_spec["name"], status=key_spec["status"])
            if key_spec.get("same_second_as_previous") and previous is not None:
                # Same whole second as the previous key, different sub-second part: report pairing is ambiguous.
                base = previous.create_date.replace(microsecond=0)
                key.create_date = base + datetime.timedelta(microseconds=900_000)
                previous.create_date = base + datetime.timedelta(microseconds=100_000)
                manifest_keys[-1]["create_date"] = iso(previous.create_date)
            else:
                key.create_date = now - datetime.timedelta(days=key_spec["created_days_ago"],
                                                           seconds=rng.randint(0, 3600),
                                                           microseconds=rng.randint(1, 999_999))
            last_used = None
            if key_spec.get("used_days_ago") is not None:
                last_used = now - datetime.timedelta(days=key_spec["used_days_ago"], seconds=rng.randint(0, 600))
                key.last_used = AccessKeyLastUsed(timestamp=last_used, service=key_spec.get("service", "s3"),
                                                  region=key_spec.get("region", "us-east-1"))
            manifest_keys.append({"id": key.access_key_id, "status": key_spec["status"],
                                  "create_date": iso(key.create_date),
                                  "last_used": iso(last_used) if last_used else None,
                                  "service": key_spec.get("service") if last_used else None,
                                  "region": key_spec.get("region") if last_used else None})
            previous = key
        manifest_users.append({"name": user.name, "id": user.id, "arn": user.arn, "create_date": iso(user.create_date),
                               "password_enabled": bool(user_spec.get("password")),
                               "password_last_used": iso(password_last_used) if password_last_used else None,
                               "keys": manifest_keys})
    return {"alias": spec.get("alias"), "users": manifest_users}


def populate_policies(backend, account_id, spec):
    """The named AWS-managed policies (from moto's copy of them) and the customer-managed ones; their ARNs by name."""
    from moto.iam.aws_managed_policies import aws_managed_policies_data
    from moto.iam.models import AWSManagedPolicy

    arns = {}
    wanted = spec.get("aws_managed", [])
    if wanted:
        data = json.loads(aws_managed_policies_data)
        for name in wanted:
            policy = AWSManagedPolicy.from_data(name, account_id, "us-east-1", data[name])
            backend.managed_policies[policy.arn] = policy
            arns[name] = policy.arn
    for name, document in spec.get("policies", {}).items():
        arns[name] = backend.create_policy("", "/", json.dumps(document), name, []).arn
    return arns


def create_organization(port, members, now, rng):
    """An organisation whose management account is the main one, with member accounts holding users."""
    import boto3

    client = boto3.client("organizations", endpoint_url=f"http://127.0.0.1:{port}", region_name="us-east-1",
                          aws_access_key_id="emulator", aws_secret_access_key="emulator")
    client.create_organization(FeatureSet="ALL")
    created = {}
    for member in members:
        status = client.create_account(AccountName=member["name"], Email=f"{member['name']}@example.com")
        account_id = status["CreateAccountStatus"]["AccountId"]
        created[account_id] = populate_account(account_id, {"alias": None, "users": member["users"]}, now, rng)
    return created


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (0: a free one)")
    parser.add_argument("--scenario", help="scenario JSON file (default: built-in)")
    parser.add_argument("--users", type=int, help="generate a big scenario with this many users")
    parser.add_argument("--keys", type=int, help="... and this many keys in all")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--iam", action="store_true", help="give the big scenario groups, roles and policies")
    parser.add_argument("--manifest", help="write what was created (ids, dates) to this JSON file")
    args = parser.parse_args()

    if args.users is not None:
        scenario = big_scenario(args.users, args.keys if args.keys is not None else args.users, args.seed)
        if args.iam:
            scenario = with_big_iam(scenario)
    elif args.scenario:
        with open(args.scenario) as f:
            scenario = json.load(f)
    else:
        scenario = default_scenario()

    from moto.server import ThreadedMotoServer

    port = args.port or free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()

    now = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
    rng = random.Random(args.seed)
    manifest = {"now": iso(now), "accounts": {}}
    for account_id, spec in scenario["accounts"].items():
        manifest["accounts"][account_id] = populate_account(account_id, spec, now, rng)
    if scenario.get("organization"):
        manifest["organization_members"] = create_organization(port, scenario["organization"]["members"], now, rng)
        manifest["accounts"].update(manifest["organization_members"])
    if args.manifest:
        with open(args.manifest, "w") as f:
            json.dump(manifest, f, indent=1, sort_keys=True)

    # SIGTERM ends the process at once (moto's server threads would otherwise keep it alive); a parent may
    # start us with it blocked.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    print(f"PORT={port}", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()


if __name__ == "__main__":
    sys.exit(main())
