#!/usr/bin/env python3
"""A small fake IAM / STS / Organizations server for what the emulator lacks.

It pages ListUsers, ListAccessKeys, GetAccountAuthorizationDetails and ListVirtualMFADevices in small pages
(Marker/IsTruncated; GetAccountAuthorizationDetails pages over users, then groups, then policies, as AWS
splits its lists across pages), ListAccounts with NextToken,
throttles the first requests (HTTP 400 Throttling), answers some requests with 500/503 or drops the
connection without an answer, keeps the credential report "in progress" for a few calls, and checks
every request's SigV4 signature with botocore (a wrong signature gets 403 SignatureDoesNotMatch).
Everything is deterministic for a given seed and flags.

    python3 fake_iam.py [--port P] [--seed S] [--users N] [--page-size K] [--throttle-first T]
                        [--fault-every F] [--report-polls R] [--deny ACCOUNT] [--manifest FILE]

Accounts: 123456789012 (the caller's: key id FAKEBASEKEY / secret fake-base-secret), 222222222222
(reachable by AssumeRole), 999999999999 (AssumeRole answers AccessDenied). The manifest has the same
shape as emulator.py's. Prints `PORT=<n>` when ready and serves until killed.
"""
import argparse
import base64
import datetime
import json
import os
import signal
import random
import socket
import struct
import sys
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

MAIN = "123456789012"
SECOND = "222222222222"
DENIED = "999999999999"
BASE_KEY = "FAKEBASEKEY"
BASE_SECRET = "fake-base-secret"
IAM_NS = "https://iam.amazonaws.com/doc/2010-05-08/"
STS_NS = "https://sts.amazonaws.com/doc/2011-06-15/"


def iso_z(dt):
    return dt.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def iso_report(dt):
    return dt.strftime("%Y-%m-%dT%H:%M:%S+00:00") if dt else "N/A"


class World:
    """Users and keys of each account, built from the seed."""

    def __init__(self, seed, users):
        rng = random.Random(seed)
        self.now = datetime.datetime(2026, 6, 1, 12, 0, 0)
        self.accounts = {MAIN: self.make_account(rng, "m", users, root=True),
                         SECOND: self.make_account(rng, "s", 4, root=False)}
        self.lock = threading.Lock()
        self.assumed = {}  # access key id -> (secret, token, account)
        self.calls = 0
        self.generate_calls = {}

    def make_account(self, rng, prefix, count, root):
        users = []
        for i in range(count):
            name = f"{prefix}user{i:03d}"
            created = self.now - datetime.timedelta(days=rng.randint(200, 1500), seconds=rng.randint(0, 86399))
            keys = []
            nkeys = [0, 1, 1, 2][i % 4]
            for k in range(nkeys):
                key_created = created + datetime.timedelta(days=rng.randint(1, 150), seconds=rng.randint(0, 86399),
                                                           microseconds=rng.randint(1, 999_999))
                used = None
                if rng.random() < 0.6:
                    used = key_created + datetime.timedelta(days=rng.randint(0, 100), seconds=rng.randint(0, 86399))
                keys.append({"id": f"AKIA{prefix.upper()}{i:03d}K{k}{rng.randint(10**9, 10**10 - 1)}",
                             "status": "Inactive" if rng.random() < 0.2 else "Active",
                             "created": key_created, "used": used,
                             "service": "s3" if used else None, "region": "eu-west-1" if used else None})
            if nkeys == 2 and i % 8 == 3:
                # Two keys in the same second: the report cannot tell them apart.
                base = keys[0]["created"].replace(microsecond=0)
                keys[0]["created"] = base + datetime.timedelta(microseconds=200_000)
                keys[1]["created"] = base + datetime.timedelta(microseconds=700_000)
            users.append({"name": name, "id": f"AIDA{prefix.upper()}{i:05d}{rng.randint(10**6, 10**7 - 1)}",
                          "created": created, "keys": keys, "password": i % 5 == 0,
                          "password_used": created + datetime.timedelta(days=3) if i % 10 == 0 else None,
                          "mfa": i % 3 == 0})
        return {"users": users, "root": root}

    def manifest(self):
        out = {"now": iso_z(self.now), "accounts": {}}
        for account, data in self.accounts.items():
            out["accounts"][account] = {"alias": None, "users": [
                {"name": u["name"], "id": u["id"], "arn": f"arn:aws:iam::{account}:user/{u['name']}",
                 "create_date": iso_z(u["created"]), "password_enabled": u["password"],
                 "password_last_used": iso_z(u["password_used"]) if u["password_used"] else None,
                 "mfa_active": u["mfa"],
                 "keys": [{"id": k["id"], "status": k["status"], "create_date": iso_z(k["created"]),
                           "last_used": iso_z(k["used"]) if k["used"] else None,
                           "service": k["service"], "region": k["region"]} for k in u["keys"]]}
                for u in data["users"]], "root": data["root"]}
        return out

    def report_csv(self, account):
        header = ("user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,"
                  "password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,"
                  "access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,"
                  "access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,"
                  "access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,"
                  "cert_2_active,cert_2_last_rotated")
        rows = [header]
        data = self.accounts[account]
        if data["root"]:
            rows.append(f"<root_account>,arn:aws:iam::{account}:root,2015-01-01T00:00:00+00:00,not_supported,"
                        "2026-05-01T09:00:00+00:00,not_supported,not_supported,true,false,N/A,N/A,N/A,N/A,"
                        "false,N/A,N/A,N/A,N/A,false,N/A,false,N/A")
        for u in data["users"]:
            slots = []
            # The report lists keys oldest first.
            for k in sorted(u["keys"], key=lambda k: k["created"]):
                slots.append(["true" if k["status"] == "Active" else "false", iso_report(k["created"]),
                              iso_report(k["used"]), k["region"] or "N/A", k["service"] or "N/A"])
            while len(slots) < 2:
                slots.append(["false", "N/A", "N/A", "N/A", "N/A"])
            pw_used = iso_report(u["password_used"]) if u["password"] else "not_supported"
            if u["password"] and not u["password_used"]:
                pw_used = "no_information"
            rows.append(",".join([u["name"], f"arn:aws:iam::{account}:user/{u['name']}", iso_report(u["created"]),
                                  "true" if u["password"] else "false", pw_used, "N/A", "N/A",
                                  "true" if u["mfa"] else "false"] + slots[0] + slots[1]
                                 + ["false", "N/A", "false", "N/A"]))
        return "\n".join(rows) + "\n"


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    world: World = None
    args = None

    def log_message(self, format, *args):
        pass

    # -- plumbing -------------------------------------------------------------------------------------
    def send_body(self, status, body, content_type="text/xml"):
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def error(self, status, code, message, json_protocol=False):
        if json_protocol:
            self.send_body(status, json.dumps({"__type": code, "message": message}), "application/x-amz-json-1.1")
        else:
            self.send_body(status, f"<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code>"
                                   f"<Message>{message}</Message></Error><RequestId>fake</RequestId></ErrorResponse>")

    def result(self, action, inner, ns=IAM_NS):
        self.send_body(200, f'<{action}Response xmlns="{ns}"><{action}Result>{inner}</{action}Result>'
                            f"<ResponseMetadata><RequestId>fake</RequestId></ResponseMetadata></{action}Response>")

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        with self.world.lock:
            self.world.calls += 1
            n = self.world.calls
        # Faults, deterministic by request number.
        if n <= self.args.throttle_first:
            return self.error(400, "Throttling", "Rate exceeded")
        if self.args.fault_every and n % self.args.fault_every == 0:
            kind = (n // self.args.fault_every) % 3
            if kind == 0:
                return self.error(400, "Throttling", "Rate exceeded")
            if kind == 1:
                return self.send_body(503 if n % 2 else 500, "<html>server error</html>", "text/html")
            # Drop the connection without an answer: reset it (SO_LINGER 0), as a dying peer does.
            self.close_connection = True
            try:
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                self.connection.close()
            except OSError:
                pass
            return
        account = self.check_signature(body)
        if account is None:
            return
        target = self.headers.get("X-Amz-Target")
        if target:
            return self.organizations(target, json.loads(body or b"{}"))
        params = {k: v[0] for k, v in urllib.parse.parse_qs(body.decode(), keep_blank_values=True).items()}
        action = params.get("Action", "")
        if action in self.args.deny_action:
            return self.error(403, "AccessDenied", f"not authorized to perform iam:{action}")
        handler = getattr(self, "action_" + action, None)
        if handler is None:
            return self.error(400, "InvalidAction", f"unknown action {action}")
        handler(account, params)

    def check_signature(self, body):
        """Recomputes the SigV4 signature with botocore; returns the caller's account or None (answered)."""
        authz = self.headers.get("Authorization", "")
        try:
            fields = dict(part.strip().split("=", 1) for part in authz[len("AWS4-HMAC-SHA256 "):].split(","))
            key_id, day, region, service, _ = fields["Credential"].split("/")
            signed = fields["SignedHeaders"].split(";")
        except (ValueError, KeyError):
            self.error(403, "IncompleteSignature", "bad Authorization header")
            return None
        if key_id == BASE_KEY:
            secret, token, account = BASE_SECRET, None, MAIN
        elif key_id in self.world.assumed:
            secret, token, account = self.world.assumed[key_id]
        else:
            self.error(403, "InvalidClientTokenId", "unknown key")
            return None
        if token is not None and self.headers.get("X-Amz-Security-Token") != token:
            self.error(403, "InvalidClientTokenId", "bad session token")
            return None
        request = AWSRequest(method="POST", url=f"http://{self.headers['Host']}/", data=body,
                             headers={h: self.headers[h] for h in signed if self.headers.get(h) is not None})
        request.context["timestamp"] = self.headers["X-Amz-Date"]
        auth = SigV4Auth(Credentials(key_id, secret, token), service, region)
        expected = auth.signature(auth.string_to_sign(request, auth.canonical_request(request)), request)
        if expected != fields["Signature"]:
            self.error(403, "SignatureDoesNotMatch", "signature does not match")
            return None
        return account

    # -- paging helper --------------------------------------------------------------------------------
    def page(self, items, params):
        size = min(int(params.get("MaxItems", "100")), self.args.page_size)
        start = int(params.get("Marker") or 0)
        chunk = items[start:start + size]
        truncated = start + size < len(items)
        tail = f"<IsTruncated>{'true' if truncated else 'false'}</IsTruncated>"
        if truncated:
            tail += f"<Marker>{start + size}</Marker>"
        return chunk, tail

    # -- STS ------------------------------------------------------------------------------------------
    def action_GetCallerIdentity(self, account, params):
        self.result("GetCallerIdentity", f"<Arn>arn:aws:iam::{account}:user/caller</Arn><UserId>AIDACALLER</UserId>"
                                         f"<Account>{account}</Account>", STS_NS)

    def action_AssumeRole(self, account, params):
        target = params["RoleArn"].split(":")[4]
        if target == DENIED or target in self.args.deny or target not in self.world.accounts:
            return self.error(403, "AccessDenied", f"not authorized to assume {params['RoleArn']}")
        with self.world.lock:
            key_id = f"ASIAFAKE{len(self.world.assumed):08d}"
            secret, token = f"assumed-secret-{key_id}", f"assumed-token-{key_id}"
            self.world.assumed[key_id] = (secret, token, target)
        self.result("AssumeRole", f"<Credentials><AccessKeyId>{key_id}</AccessKeyId><SecretAccessKey>{secret}"
                                  f"</SecretAccessKey><SessionToken>{token}</SessionToken>"
                                  f"<Expiration>2099-01-01T00:00:00Z</Expiration></Credentials>", STS_NS)

    # -- IAM ------------------------------------------------------------------------------------------
    def users(self, account):
        return self.world.accounts[account]["users"]

    def action_ListAccountAliases(self, account, params):
        self.result("ListAccountAliases", "<AccountAliases/><IsTruncated>false</IsTruncated>")

    def action_ListUsers(self, account, params):
        chunk, tail = self.page(self.users(account), params)
        members = "".join(f"<member><Path>/</Path><UserName>{u['name']}</UserName><UserId>{u['id']}</UserId>"
                          f"<Arn>arn:aws:iam::{account}:user/{u['name']}</Arn>"
                          f"<CreateDate>{iso_z(u['created'])}</CreateDate></member>" for u in chunk)
        self.result("ListUsers", f"<Users>{members}</Users>{tail}")

    def find_user(self, account, name):
        return next((u for u in self.users(account) if u["name"] == name), None)

    def action_ListAccessKeys(self, account, params):
        user = self.find_user(account, params.get("UserName"))
        if user is None:
            return self.error(404, "NoSuchEntity", f"user {params.get('UserName')} not found")
        # Newest first, unlike the report: position says nothing.
        keys = sorted(user["keys"], key=lambda k: k["created"], reverse=True)
        chunk, tail = self.page(keys, params)
        members = "".join(f"<member><UserName>{user['name']}</UserName><AccessKeyId>{k['id']}</AccessKeyId>"
                          f"<Status>{k['status']}</Status><CreateDate>{iso_z(k['created'])}</CreateDate></member>"
                          for k in chunk)
        self.result("ListAccessKeys", f"<AccessKeyMetadata>{members}</AccessKeyMetadata>{tail}")

    def action_GetAccountAuthorizationDetails(self, account, params):
        # Every 3rd user is in group "admins" (AdministratorAccess, whose default version is the second, and an
        # inline policy, URL-encoded as AWS sends documents); every 4th has an inline policy of its own.
        quote = urllib.parse.quote
        admin_v1 = quote(json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:Get*",
                                                                            "Resource": "*"}]}))
        admin_v2 = quote(json.dumps({"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "*",
                                                                           "Resource": "*"}}))
        own = quote(json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
                                "Action": ["iam:CreateAccessKey"], "Resource": "*"}]}))
        entries = []
        for i, u in enumerate(self.users(account)):
            groups = "<member>admins</member>" if i % 3 == 0 else ""
            inline = (f"<UserPolicyList><member><PolicyName>own</PolicyName><PolicyDocument>{own}</PolicyDocument>"
                      f"</member></UserPolicyList>") if i % 4 == 0 else ""
            entries.append(("UserDetailList",
                            f"<member><Path>/</Path><UserName>{u['name']}</UserName><UserId>{u['id']}</UserId>"
                            f"<Arn>arn:aws:iam::{account}:user/{u['name']}</Arn>"
                            f"<CreateDate>{iso_z(u['created'])}</CreateDate>{inline}"
                            f"<GroupList>{groups}</GroupList><AttachedManagedPolicies/></member>"))
        entries.append(("GroupDetailList",
                        f"<member><Path>/</Path><GroupName>admins</GroupName><GroupId>AGPAADMINS{account}</GroupId>"
                        f"<Arn>arn:aws:iam::{account}:group/admins</Arn><CreateDate>2020-01-01T00:00:00Z</CreateDate>"
                        f"<GroupPolicyList/><AttachedManagedPolicies><member><PolicyName>AdministratorAccess"
                        f"</PolicyName><PolicyArn>arn:aws:iam::aws:policy/AdministratorAccess</PolicyArn></member>"
                        f"</AttachedManagedPolicies></member>"))
        entries.append(("Policies",
                        f"<member><PolicyName>AdministratorAccess</PolicyName><PolicyId>ANPAADMIN</PolicyId>"
                        f"<Arn>arn:aws:iam::aws:policy/AdministratorAccess</Arn><Path>/</Path>"
                        f"<DefaultVersionId>v2</DefaultVersionId><AttachmentCount>1</AttachmentCount>"
                        f"<IsAttachable>true</IsAttachable><PolicyVersionList>"
                        f"<member><Document>{admin_v1}</Document><VersionId>v1</VersionId>"
                        f"<IsDefaultVersion>false</IsDefaultVersion></member>"
                        f"<member><Document>{admin_v2}</Document><VersionId>v2</VersionId>"
                        f"<IsDefaultVersion>true</IsDefaultVersion></member></PolicyVersionList></member>"))
        chunk, tail = self.page(entries, params)
        lists = {}
        for name, member in chunk:
            lists.setdefault(name, []).append(member)
        inner = "".join(f"<{name}>{''.join(members)}</{name}>" for name, members in lists.items())
        self.result("GetAccountAuthorizationDetails", inner + tail)

    def action_ListVirtualMFADevices(self, account, params):
        devices = [u for u in self.users(account) if u["mfa"]]
        chunk, tail = self.page(devices, params)
        members = "".join(f"<member><SerialNumber>arn:aws:iam::{account}:mfa/{u['name']}</SerialNumber>"
                          f"<User><UserName>{u['name']}</UserName><UserId>{u['id']}</UserId></User>"
                          f"<EnableDate>2024-01-01T00:00:00Z</EnableDate></member>" for u in chunk)
        self.result("ListVirtualMFADevices", f"<VirtualMFADevices>{members}</VirtualMFADevices>{tail}")

    def action_GetAccessKeyLastUsed(self, account, params):
        for u in self.users(account):
            for k in u["keys"]:
                if k["id"] == params.get("AccessKeyId"):
                    if k["used"]:
                        inner = (f"<LastUsedDate>{iso_z(k['used'])}</LastUsedDate><ServiceName>{k['service']}"
                                 f"</ServiceName><Region>{k['region']}</Region>")
                    else:
                        inner = "<ServiceName>N/A</ServiceName><Region>N/A</Region>"
                    return self.result("GetAccessKeyLastUsed",
                                       f"<UserName>{u['name']}</UserName><AccessKeyLastUsed>{inner}</AccessKeyLastUsed>")
        self.error(404, "NoSuchEntity", "no such key")

    def action_GenerateCredentialReport(self, account, params):
        with self.world.lock:
            calls = self.world.generate_calls.get(account, 0) + 1
            self.world.generate_calls[account] = calls
        if calls == 1:
            state = "STARTED"
        elif calls <= self.args.report_polls:
            state = "INPROGRESS"
        else:
            state = "COMPLETE"
        self.result("GenerateCredentialReport", f"<State>{state}</State><Description>fake</Description>")

    def action_GetCredentialReport(self, account, params):
        calls = self.world.generate_calls.get(account, 0)
        if calls == 0:
            return self.error(410, "ReportNotPresent", "no report")
        if calls <= self.args.report_polls:
            return self.error(404, "ReportInProgress", "report in progress")
        content = base64.b64encode(self.world.report_csv(account).encode()).decode()
        self.result("GetCredentialReport", f"<Content>{content}</Content><ReportFormat>text/csv</ReportFormat>"
                                           f"<GeneratedTime>{iso_z(self.world.now)}</GeneratedTime>")

    def key_of(self, account, params):
        user = self.find_user(account, params.get("UserName"))
        if user is None:
            return None, None
        return user, next((k for k in user["keys"] if k["id"] == params.get("AccessKeyId")), None)

    def action_UpdateAccessKey(self, account, params):
        user, key = self.key_of(account, params)
        if key is None:
            return self.error(404, "NoSuchEntity", "no such key")
        if params.get("Status") not in ("Active", "Inactive"):
            return self.error(400, "ValidationError", "bad Status")
        key["status"] = params["Status"]
        self.result("UpdateAccessKey", "")

    def action_DeleteAccessKey(self, account, params):
        user, key = self.key_of(account, params)
        if key is None:
            return self.error(404, "NoSuchEntity", "The Access Key with id %s cannot be found." % params.get("AccessKeyId"))
        user["keys"].remove(key)
        self.result("DeleteAccessKey", "")

    # -- Organizations (JSON 1.1) ---------------------------------------------------------------------
    def organizations(self, target, payload):
        if target != "AWSOrganizationsV20161128.ListAccounts":
            return self.error(400, "InvalidAction", target, json_protocol=True)
        ids = [MAIN, SECOND, DENIED]
        start = int(payload.get("NextToken") or 0)
        out = {"Accounts": [{"Id": i, "Name": f"account-{i}", "Status": "ACTIVE",
                             "Arn": f"arn:aws:organizations::{MAIN}:account/o-fake/{i}"} for i in ids[start:start + 1]]}
        if start + 1 < len(ids):
            out["NextToken"] = str(start + 1)
        self.send_body(200, json.dumps(out), "application/x-amz-json-1.1")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--users", type=int, default=23)
    parser.add_argument("--page-size", type=int, default=4)
    parser.add_argument("--throttle-first", type=int, default=0)
    parser.add_argument("--fault-every", type=int, default=0)
    parser.add_argument("--report-polls", type=int, default=3,
                        help="GenerateCredentialReport calls answered STARTED/INPROGRESS before COMPLETE")
    parser.add_argument("--deny", action="append", default=[], help="also refuse AssumeRole into this account")
    parser.add_argument("--deny-action", action="append", default=[],
                        help="answer this IAM action with AccessDenied (a reader without that permission)")
    parser.add_argument("--manifest")
    args = parser.parse_args()
    Handler.world = World(args.seed, args.users)
    Handler.args = args
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    if args.manifest:
        with open(args.manifest, "w") as f:
            json.dump(Handler.world.manifest(), f, indent=1, sort_keys=True)
    # A parent may start us with SIGTERM blocked: unblock it and end at once on it.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    print(f"PORT={server.server_address[1]}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
