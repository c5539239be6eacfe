#!/usr/bin/env python3
"""STS (moto, in-process) and small fakes of the credential endpoints, all on 127.0.0.1.

    python3 cred_endpoints.py [--lifetime SECONDS] [--manifest FILE]

Two ports. moto serves STS/IAM (AssumeRole, AssumeRoleWithWebIdentity, GetCallerIdentity, ...). The fake port
serves, like the real services do:

- IMDSv2: `PUT /latest/api/token` (needs `x-aws-ec2-metadata-token-ttl-seconds`), then with the header
  `x-aws-ec2-metadata-token`: `GET /latest/meta-data/iam/security-credentials/` (the role name) and
  `GET /latest/meta-data/iam/security-credentials/ROLE` (credentials JSON).
- Container credentials: `GET /container/creds` (and `/v2/credentials/ID` for relative URIs), which demands
  `Authorization: <container token>`.
- IAM Identity Center OIDC: `POST /token` (CreateToken, `grantType=refresh_token`) renews the access token
  for the right refresh token and client secret.
- The IAM Identity Center portal: `GET /federation/credentials?role_name=R&account_id=A` with
  `x-amz-sso_bearer_token: <sso token>`; 401 UnauthorizedException otherwise.
- `GET /stats`: requests per endpoint, and the expiry gate's counts. `GET /requests`: the `AssumeRole*` forms
  the gate forwarded (web identity tokens replaced by their length) and whether each was signed.
- Everything else (`POST /`) is the expiry gate: forwarded to moto unless it is signed with an access key this
  fake issued and whose Expiration has passed, which gets `400 ExpiredToken` (as AWS answers).

Credentials issued here come from moto's AssumeRole (so GetCallerIdentity names a role per source) with an
Expiration `--lifetime` seconds ahead. Prints `PORT=<fake> MOTO_PORT=<moto>` once ready; the manifest holds
the static keys of IAM users alice, bob and carol, and the two tokens.
"""
import argparse
import datetime
import json
import os
import re
import signal
import socket
import sys
import threading
import time
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

CONTAINER_TOKEN = "container-auth-token-5e1f0c"
SSO_TOKEN = "sso-access-token-7d3a99"
IMDS_TOKEN = "imds-session-token-41bb20"
SSO_REFRESH_TOKEN = "sso-refresh-token-c8e2f1"
SSO_CLIENT_SECRET = "sso-client-secret-93ad07"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class State:
    def __init__(self, moto, lifetime):
        self.moto = moto
        self.lifetime = lifetime
        self.lock = threading.Lock()
        self.issued = {}  # access key id -> expiry (epoch seconds)
        self.counts = {}
        self.requests = []  # AssumeRole* forms seen by the gate
        self.sts = None

    def count(self, name):
        with self.lock:
            self.counts[name] = self.counts.get(name, 0) + 1

    def issue(self, role_arn, session):
        import boto3
        if self.sts is None:
            self.sts = boto3.client("sts", endpoint_url=self.moto, region_name="us-east-1",
                                    aws_access_key_id="AKIDFIXTUREISSUER", aws_secret_access_key="fixture")
        creds = self.sts.assume_role(RoleArn=role_arn, RoleSessionName=session)["Credentials"]
        expiry = time.time() + self.lifetime
        with self.lock:
            self.issued[creds["AccessKeyId"]] = expiry
            self.counts["issued"] = self.counts.get("issued", 0) + 1
        expiration = datetime.datetime.fromtimestamp(expiry, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        return creds, expiration, int(expiry * 1000)


def handler_for(state):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def reply(self, status, body, content_type="application/json"):
            data = body if isinstance(body, bytes) else body.encode()
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def body(self):
            length = int(self.headers.get("Content-Length") or 0)
            return self.rfile.read(length) if length else b""

        def do_PUT(self):
            self.body()
            if self.path == "/latest/api/token" and self.headers.get("x-aws-ec2-metadata-token-ttl-seconds"):
                state.count("imds-token")
                return self.reply(200, IMDS_TOKEN, "text/plain")
            return self.reply(400, "bad token request", "text/plain")

        def do_GET(self):
            url = urllib.parse.urlparse(self.path)
            if url.path == "/stats":
                with state.lock:
                    return self.reply(200, json.dumps(state.counts))
            if url.path == "/requests":
                with state.lock:
                    return self.reply(200, json.dumps(state.requests))
            if url.path.startswith("/latest/meta-data/iam/security-credentials/"):
                if self.headers.get("x-aws-ec2-metadata-token") != IMDS_TOKEN:
                    return self.reply(401, "", "text/plain")
                role = url.path[len("/latest/meta-data/iam/security-credentials/"):]
                if role == "":
                    state.count("imds-role")
                    return self.reply(200, "sift-instance-role", "text/plain")
                if role != "sift-instance-role":
                    return self.reply(404, "", "text/plain")
                state.count("imds-credentials")
                creds, expiration, _ = state.issue("arn:aws:iam::210987654321:role/sift-instance-role",
                                                   "i-0123456789abcdef0")
                return self.reply(200, json.dumps({
                    "Code": "Success", "Type": "AWS-HMAC", "AccessKeyId": creds["AccessKeyId"],
                    "SecretAccessKey": creds["SecretAccessKey"], "Token": creds["SessionToken"],
                    "Expiration": expiration, "LastUpdated": expiration}))
            if url.path == "/container/creds" or url.path.startswith("/v2/credentials/"):
                if self.headers.get("Authorization") != CONTAINER_TOKEN and url.path == "/container/creds":
                    state.count("container-refused")
                    return self.reply(401, json.dumps({"message": "bad token"}))
                state.count("container")
                creds, expiration, _ = state.issue("arn:aws:iam::210987654321:role/ecs-task", "ecs-task-session")
                return self.reply(200, json.dumps({
                    "AccessKeyId": creds["AccessKeyId"], "SecretAccessKey": creds["SecretAccessKey"],
                    "Token": creds["SessionToken"], "Expiration": expiration, "RoleArn": "ecs-task"}))
            if url.path == "/federation/credentials":
                query = urllib.parse.parse_qs(url.query)
                if self.headers.get("x-amz-sso_bearer_token") != SSO_TOKEN:
                    state.count("sso-refused")
                    return self.reply(401, json.dumps({"message": "Session token not found or invalid"}))
                state.count("sso")
                role, account = query["role_name"][0], query["account_id"][0]
                creds, _, expiry_ms = state.issue(f"arn:aws:iam::{account}:role/AWSReservedSSO_{role}", "sso-user")
                return self.reply(200, json.dumps({"roleCredentials": {
                    "accessKeyId": creds["AccessKeyId"], "secretAccessKey": creds["SecretAccessKey"],
                    "sessionToken": creds["SessionToken"], "expiration": expiry_ms}}))
            return self.reply(404, json.dumps({"message": "no such path"}))

        def do_POST(self):
            body = self.body()
            if self.path == "/token":  # sso-oidc CreateToken, grant type refresh_token
                request = json.loads(body or b"{}")
                if (request.get("grantType") == "refresh_token" and request.get("refreshToken") == SSO_REFRESH_TOKEN
                        and request.get("clientSecret") == SSO_CLIENT_SECRET):
                    state.count("oidc")
                    return self.reply(200, json.dumps({"accessToken": SSO_TOKEN, "expiresIn": 3600,
                                                       "refreshToken": SSO_REFRESH_TOKEN + "-next",
                                                       "tokenType": "Bearer"}))
                state.count("oidc-refused")
                return self.reply(400, json.dumps({"error": "invalid_grant"}))
            form = {k: v[0] for k, v in urllib.parse.parse_qs(body.decode("utf-8", "replace")).items()}
            if form.get("Action", "").startswith("AssumeRole"):
                if "WebIdentityToken" in form:
                    form["WebIdentityToken"] = "<token of %d bytes>" % len(form["WebIdentityToken"])
                form["signed"] = "Authorization" in self.headers
                with state.lock:
                    state.requests.append(form)
            match = re.search(r"Credential=([A-Z0-9]+)/", self.headers.get("Authorization", ""))
            key = match.group(1) if match else None
            with state.lock:
                expiry = state.issued.get(key)
            if expiry is not None and time.time() >= expiry:
                state.count("gate-expired")
                return self.reply(400, "<ErrorResponse><Error><Type>Sender</Type><Code>ExpiredToken</Code>"
                                       "<Message>The security token included in the request is expired</Message>"
                                       "</Error></ErrorResponse>", "text/xml")
            state.count("gate-forwarded")
            headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length", "connection")}
            request = urllib.request.Request(state.moto + self.path, data=body, headers=headers, method="POST")
            try:
                with urllib.request.urlopen(request, timeout=30) as answer:
                    return self.reply(answer.status, answer.read(), answer.headers.get("Content-Type", "text/xml"))
            except urllib.error.HTTPError as error:
                return self.reply(error.code, error.read(), error.headers.get("Content-Type", "text/xml"))

    return Handler


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lifetime", type=int, default=3600, help="seconds until issued credentials expire")
    parser.add_argument("--manifest", help="write the users' keys and the tokens to this JSON file")
    args = parser.parse_args()

    from moto.server import ThreadedMotoServer
    import boto3

    moto_port = free_port()
    moto = ThreadedMotoServer(ip_address="127.0.0.1", port=moto_port, verbose=False)
    moto.start()
    moto_url = f"http://127.0.0.1:{moto_port}"
    iam = boto3.client("iam", endpoint_url=moto_url, region_name="us-east-1",
                       aws_access_key_id="AKIDFIXTUREISSUER", aws_secret_access_key="fixture")
    users = {}
    for name in ("alice", "bob", "carol"):
        iam.create_user(UserName=name)
        key = iam.create_access_key(UserName=name)["AccessKey"]
        users[name] = {"id": key["AccessKeyId"], "secret": key["SecretAccessKey"]}

    state = State(moto_url, args.lifetime)
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler_for(state))
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()

    if args.manifest:
        with open(args.manifest, "w") as f:
            json.dump({"now": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
                       "accounts": {}, "users": users, "moto_port": moto_port,
                       "container_token": CONTAINER_TOKEN, "sso_token": SSO_TOKEN,
                       "sso_refresh_token": SSO_REFRESH_TOKEN, "sso_client_secret": SSO_CLIENT_SECRET}, f)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    print(f"PORT={server.server_address[1]} MOTO_PORT={moto_port}", flush=True)
    while True:
        time.sleep(3600)


if __name__ == "__main__":
    sys.exit(main())
