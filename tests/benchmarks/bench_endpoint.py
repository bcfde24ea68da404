"""Requests per second through ``iamdesk serve`` with boto3 on the demo model: IAM reads (query
protocol, XML), a KMS read (json protocol), and an IAM write + delete pair.

    python tests/benchmarks/bench_endpoint.py [--requests 300]
"""

from __future__ import annotations

import argparse
import tempfile
import threading
import time
from pathlib import Path

import boto3
from botocore.config import Config

from iamdesk.cli.endpoint.server import make_server
from iamdesk.cli.options import GlobalOptions
from iamdesk.services.demo import write_demo


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=300)
    n = parser.parse_args().requests
    with tempfile.TemporaryDirectory() as tmp:
        model = write_demo(Path(tmp) / "bench.sqlite")
        server = make_server(GlobalOptions(db=model), port=0)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        host, port = server.server_address[:2]
        session = boto3.session.Session(
            aws_access_key_id="AKIAIOSFODNN7EXAMPLE",
            aws_secret_access_key="x",
            region_name="us-east-1",
        )
        config = Config(retries={"max_attempts": 1})
        url = f"http://{host}:{port}"
        iam = session.client("iam", endpoint_url=url, config=config)
        kms = session.client("kms", endpoint_url=url, config=config)
        key_id = kms.list_keys()["Keys"][0]["KeyId"]

        def write() -> None:
            iam.create_user(UserName="bench-user")
            iam.delete_user(UserName="bench-user")

        rows = [
            ("iam get-user", lambda: iam.get_user(UserName="alice")),
            ("iam list-users (all)", lambda: iam.list_users()),
            ("iam get-role", lambda: iam.get_role(RoleName="CrossAccountAuditRole")),
            ("kms get-key-policy", lambda: kms.get_key_policy(KeyId=key_id, PolicyName="default")),
            ("iam create+delete user", write),
        ]
        print(f"{'request':<26}{'per second':>12}{'ms each':>10}")
        for label, call in rows:
            call()  # warm: models loaded, caches filled
            count = n // 2 if label.startswith("iam create") else n
            start = time.perf_counter()
            for _ in range(count):
                call()
            elapsed = time.perf_counter() - start
            calls = count * (2 if label.startswith("iam create") else 1)
            print(f"{label:<26}{calls / elapsed:>12.0f}{1000 * elapsed / calls:>10.1f}")
        server.shutdown()
        server.server_close()


if __name__ == "__main__":
    main()
