"""`make publish-dashboard` uploads the built apps with the headers the
distribution's cache policy honours, names the API in each app's config.json,
keeps files of the previous build a day, and touches nothing else in the bucket.
S3 is moto in this process; nothing reaches AWS."""

import json
import os
import shutil
import tempfile
import unittest
from datetime import datetime, timedelta, timezone
from pathlib import Path
from unittest import mock

import boto3
from moto import mock_aws

from tillbox_local.commands.publish_dashboard import IMMUTABLE, REVALIDATE, publish

API = "https://abc123.execute-api.eu-central-1.amazonaws.com"
CONFIG = {"api": API, "live_url": "wss://def456.execute-api.eu-central-1.amazonaws.com/live"}


class _CloudFront:
    def __init__(self):
        self.invalidations = []

    def create_invalidation(self, DistributionId, InvalidationBatch):
        self.invalidations.append((DistributionId, InvalidationBatch["Paths"]["Items"]))
        return {"Invalidation": {"Id": f"I{len(self.invalidations)}"}}


def _build(root, files):
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)


class PublishDashboardTest(unittest.TestCase):
    def setUp(self):
        # `make test` points every SDK at the emulator; moto here intercepts in process.
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_ENDPOINT_URL")}
        env.update(AWS_ACCESS_KEY_ID="test", AWS_SECRET_ACCESS_KEY="test", AWS_DEFAULT_REGION="eu-central-1")
        patcher = mock.patch.dict(os.environ, env, clear=True)
        patcher.start()
        self.addCleanup(patcher.stop)
        aws = mock_aws()
        aws.start()
        self.addCleanup(aws.stop)
        self.s3 = boto3.client("s3", region_name="eu-central-1")
        self.s3.create_bucket(Bucket="shop", CreateBucketConfiguration={"LocationConstraint": "eu-central-1"})
        self.s3.put_object(Bucket="shop", Key="images/p/1.webp", Body=b"img")
        self.cloudfront = _CloudFront()
        self.dist = Path(tempfile.mkdtemp())
        self.addCleanup(shutil.rmtree, self.dist)

    def keys(self):
        return {o["Key"] for o in self.s3.list_objects_v2(Bucket="shop").get("Contents", [])}

    def test_a_publish_uploads_both_apps_with_their_headers_and_config(self):
        _build(self.dist, {"admin/index.html": "<!doctype html>", "admin/assets/index-a1.js": "x",
                           "admin/assets/index-b2.css": "y", "admin/favicon.svg": "<svg/>",
                           "admin/config.json": '{"api": "http://localhost:3000"}',
                           "account/index.html": "<!doctype html>", "account/assets/main-c3.js": "z"})
        result = publish(self.s3, self.cloudfront, "shop", "E123", CONFIG, self.dist)
        self.assertEqual(result["uploaded"], 8)
        expected = {
            "admin/index.html": ("text/html; charset=utf-8", REVALIDATE),
            "admin/config.json": ("application/json", REVALIDATE),
            "admin/favicon.svg": ("image/svg+xml", REVALIDATE),
            "admin/assets/index-a1.js": ("text/javascript; charset=utf-8", IMMUTABLE),
            "admin/assets/index-b2.css": ("text/css; charset=utf-8", IMMUTABLE),
            "account/index.html": ("text/html; charset=utf-8", REVALIDATE),
            "account/config.json": ("application/json", REVALIDATE),
            "account/assets/main-c3.js": ("text/javascript; charset=utf-8", IMMUTABLE),
        }
        self.assertEqual(self.keys(), {*expected, "images/p/1.webp"})
        for key, (content_type, cache) in expected.items():
            with self.subTest(key=key):
                head = self.s3.head_object(Bucket="shop", Key=key)
                self.assertEqual((head["ContentType"], head["CacheControl"]), (content_type, cache))
        for app in ("admin", "account"):
            config = json.loads(self.s3.get_object(Bucket="shop", Key=f"{app}/config.json")["Body"].read())
            self.assertEqual(config, CONFIG, "the build's own config.json is replaced")
        self.assertEqual(self.cloudfront.invalidations, [("E123", ["/admin/*", "/account/*"])])

    def test_files_the_build_no_longer_has_are_kept_a_day_then_deleted(self):
        _build(self.dist, {"admin/index.html": "1", "admin/assets/old-1.js": "1", "admin/assets/gone-1.js": "1",
                           "account/index.html": "1"})
        start = datetime(2026, 12, 1, 9, 0, tzinfo=timezone.utc)
        publish(self.s3, self.cloudfront, "shop", "E123", CONFIG, self.dist, now=start)
        (self.dist / "admin/assets/old-1.js").unlink()
        (self.dist / "admin/assets/gone-1.js").unlink()
        _build(self.dist, {"admin/assets/new-2.js": "2"})
        result = publish(self.s3, self.cloudfront, "shop", "E123", CONFIG, self.dist, now=start + timedelta(hours=1))
        self.assertEqual(result["marked_stale"], ["admin/assets/gone-1.js", "admin/assets/old-1.js"])
        self.assertIn("admin/assets/old-1.js", self.keys(), "a page loaded before the publish still finds it")
        # old-1.js comes back in a later build: uploaded again, it is no longer stale.
        _build(self.dist, {"admin/assets/old-1.js": "1"})
        result = publish(self.s3, self.cloudfront, "shop", "E123", CONFIG, self.dist, now=start + timedelta(hours=2))
        self.assertEqual((result["marked_stale"], result["deleted"]), ([], []))
        (self.dist / "admin/assets/old-1.js").unlink()
        result = publish(self.s3, self.cloudfront, "shop", "E123", CONFIG, self.dist, now=start + timedelta(hours=26))
        self.assertEqual((result["marked_stale"], result["deleted"]),
                         (["admin/assets/old-1.js"], ["admin/assets/gone-1.js"]))
        self.assertEqual(self.keys(), {"admin/index.html", "admin/config.json", "admin/assets/new-2.js",
                                       "admin/assets/old-1.js", "account/index.html", "account/config.json",
                                       "images/p/1.webp"})

    def test_nothing_is_uploaded_without_a_build(self):
        _build(self.dist, {"admin/index.html": "1"})
        with self.assertRaises(SystemExit):
            publish(self.s3, self.cloudfront, "shop", "E123", CONFIG, self.dist)
        self.assertEqual(self.keys(), {"images/p/1.webp"})
        self.assertEqual(self.cloudfront.invalidations, [])


if __name__ == "__main__":
    unittest.main()
