"""A real S3-compatible store for tests: moto's standalone server (`moto_server`, from
moto[server]) on a loopback port, in a process of its own, and a boto3 client to look at
what the site stored in it.

The server keeps its buckets in memory for as long as it runs; each test takes a bucket of
its own, so tests sharing one server see nothing of each other's objects.
"""

import http.client
import importlib.util
import json
import re
import secrets
import sys
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from urllib.parse import urlsplit

from tests.servers import Process, free_port, wait_until

# Any keys do: moto checks none. The site's storage reads the same ones from the environment.
KEYS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}
REGION = "us-east-1"


def moto_server_missing() -> str | None:
    """Why the server cannot be started here, or None."""
    for module in ("moto.server", "flask", "boto3", "storages"):
        try:
            found = importlib.util.find_spec(module)
        except ModuleNotFoundError:
            found = None
        if found is None:
            return f"{module} is not installed (pip install 'moto[server]' 'django-storages[s3]')"
    return None


@dataclass(frozen=True)
class Fetched:
    status: int
    content_type: str
    cache_control: str
    body: bytes


class Server:
    """moto's S3 on 127.0.0.1:`port`."""

    def __init__(self, log: Path) -> None:
        self.port = free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self.process = Process(
            "moto_server",
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)],
            log,
        )
        self.process.wait_for_port(self.port)
        # Listening is not answering: wait until S3 lists its buckets.
        if not wait_until(self._answers, timeout=30, every=0.1):
            self.stop()
            raise RuntimeError(f"moto_server did not answer:\n{self.process.tail()}")

    def _answers(self) -> bool:
        try:
            self.client.list_buckets()
        except Exception:  # not up yet, whatever boto3 makes of that
            self.process.check_running()
            return False
        return True

    @cached_property
    def client(self):
        import boto3

        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            region_name=REGION,
            aws_access_key_id=KEYS["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=KEYS["AWS_SECRET_ACCESS_KEY"],
        )

    def new_bucket(self, readable: str) -> str:
        """A new bucket whose objects under `readable`/ anyone may read (a bucket policy, as
        an operator sets one: new AWS buckets refuse per-object ACLs); its name."""
        name = f"newsroom-{secrets.token_hex(6)}"
        client = self.client
        client.create_bucket(Bucket=name)
        statement = {
            "Effect": "Allow",
            "Principal": "*",
            "Action": "s3:GetObject",
            "Resource": f"arn:aws:s3:::{name}/{readable}/*",
        }
        policy = {"Version": "2012-10-17", "Statement": [statement]}
        client.put_bucket_policy(Bucket=name, Policy=json.dumps(policy))
        return name

    def keys(self, bucket: str) -> set[str]:
        """Every object's key in `bucket`."""
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=bucket)
        return {item["Key"] for page in pages for item in page.get("Contents", [])}

    def head(self, bucket: str, key: str) -> dict:
        return self.client.head_object(Bucket=bucket, Key=key)

    def body(self, bucket: str, key: str) -> bytes:
        return self.client.get_object(Bucket=bucket, Key=key)["Body"].read()

    def writes(self) -> int:
        """How many objects have been written or deleted so far (the server's request log)."""
        log = self.process.log.read_text(errors="replace")
        # Werkzeug's lines: '"PUT /bucket/key HTTP/1.1" 200', coloured when not a 200.
        return len(re.findall(r'"(?:\x1b\[[0-9;]*m)*(?:PUT|POST|DELETE) /[^ ?/]+/[^ ?]', log))

    def fetch(self, url: str) -> Fetched:
        """GET `url` (on this server) as a reader's browser would: no keys, no signature."""
        parts = urlsplit(url)
        assert f"{parts.scheme}://{parts.netloc}" == self.endpoint, url
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=15)
        try:
            connection.request("GET", parts.path + (f"?{parts.query}" if parts.query else ""))
            answer = connection.getresponse()
            return Fetched(
                answer.status,
                answer.headers.get("Content-Type", ""),
                answer.headers.get("Cache-Control", ""),
                answer.read(),
            )
        finally:
            connection.close()

    def stop(self) -> None:
        self.process.stop()
