"""`make publish-dashboard STACK=<stack>`: uploads the built dashboard (the
admin app and the account pages, `dashboard/dist/admin` and `dashboard/dist/account`)
to a deployed stack's bucket, which its CloudFront distribution serves under
/admin/ and /account/ (docs/operations.md, "Dashboard").

    python -m tillbox_local.commands.publish_dashboard --stack tillbox dashboard/dist

AWS credentials and region as for the AWS CLI (AWS_PROFILE, AWS_REGION). It reads
the stack's outputs (BucketName, ApiUrl, LiveUrl, AssetsDistributionId), uploads
every file, writes each app's config.json naming the API and the WebSocket API, retires files the build no
longer has, and invalidates the apps' paths on the distribution.
"""

import argparse
import json
import mimetypes
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import boto3

APPS = ("admin", "account")
# Content-hashed names: a changed file gets a new name, so a copy never goes stale.
IMMUTABLE = "public, max-age=31536000, immutable"
# Everything else (index.html, config.json) keeps its name: revalidated on every load.
REVALIDATE = "no-cache"
# Files of an earlier build stay this long after a publish first finds them gone
# from the build, so a page loaded before the publish can still fetch the chunks
# it loads lazily; a later publish deletes them. The tag says since when.
KEEP_STALE = timedelta(days=1)
STALE_TAG = "tillbox-stale-since"
TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json",
    ".map": "application/json",
    ".webmanifest": "application/manifest+json",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".webp": "image/webp",
    ".ico": "image/x-icon",
    ".woff2": "font/woff2",
    ".woff": "font/woff",
    ".txt": "text/plain; charset=utf-8",
    ".wasm": "application/wasm",
}


def content_type(key):
    suffix = Path(key).suffix.lower()
    return TYPES.get(suffix) or mimetypes.guess_type(key)[0] or "application/octet-stream"


def uploads(dist, config):
    """(key, body, Cache-Control) for every file to upload, in upload order:
    assets first, index.html last, so no page ever names a file not yet there."""
    files = []
    for app in APPS:
        folder = dist / app
        if not (folder / "index.html").is_file():
            sys.exit(f"{folder}/index.html is missing: build the dashboard first (make dashboard-build)")
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            relative = path.relative_to(folder)
            if relative.as_posix() != "config.json":
                cache = IMMUTABLE if relative.parts[0] == "assets" else REVALIDATE
                files.append((f"{app}/{relative.as_posix()}", path.read_bytes(), cache))
        files.append((f"{app}/config.json", json.dumps(config).encode(), REVALIDATE))
    rank = {IMMUTABLE: 0, REVALIDATE: 1}
    return sorted(files, key=lambda f: (f[0].endswith("/index.html"), rank[f[2]], f[0]))


def retire(s3, bucket, keys, now):
    """Marks files that left the build, and deletes those marked KEEP_STALE ago.
    A file that comes back is uploaded again, which drops its mark."""
    marked, deleted = [], []
    for key in keys:
        tags = {t["Key"]: t["Value"] for t in s3.get_object_tagging(Bucket=bucket, Key=key)["TagSet"]}
        if STALE_TAG not in tags:
            s3.put_object_tagging(Bucket=bucket, Key=key, Tagging={"TagSet": [
                {"Key": STALE_TAG, "Value": now.strftime("%Y-%m-%dT%H:%M:%SZ")}]})
            marked.append(key)
        elif now - datetime.strptime(tags[STALE_TAG], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc) >= KEEP_STALE:
            deleted.append(key)
    for start in range(0, len(deleted), 1000):
        batch = [{"Key": k} for k in deleted[start:start + 1000]]
        errors = s3.delete_objects(Bucket=bucket, Delete={"Objects": batch, "Quiet": True}).get("Errors")
        if errors:
            sys.exit(f"could not delete {errors[0]['Key']}: {errors[0]['Message']}")
    return marked, deleted


def publish(s3, cloudfront, bucket, distribution, config, dist, now=None):
    now = now or datetime.now(timezone.utc)
    files = uploads(Path(dist), config)
    for key, body, cache in files:
        s3.put_object(Bucket=bucket, Key=key, Body=body, ContentType=content_type(key), CacheControl=cache)
    published = {key for key, _, _ in files}
    existing = [o["Key"] for app in APPS
                for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=f"{app}/")
                for o in page.get("Contents", [])]
    marked, deleted = retire(s3, bucket, sorted(set(existing) - published), now)
    paths = [f"/{app}/*" for app in APPS]
    invalidation = cloudfront.create_invalidation(DistributionId=distribution, InvalidationBatch={
        "Paths": {"Quantity": len(paths), "Items": paths},
        "CallerReference": f"publish-dashboard-{now.timestamp()}",
    })["Invalidation"]["Id"]
    return {"uploaded": len(files), "marked_stale": marked, "deleted": deleted, "invalidation": invalidation}


def stack_outputs(cloudformation, stack):
    outputs = {o["OutputKey"]: o["OutputValue"]
               for o in cloudformation.describe_stacks(StackName=stack)["Stacks"][0].get("Outputs", [])}
    missing = {"BucketName", "ApiUrl", "LiveUrl", "AssetsDistributionId", "DashboardUrl"} - set(outputs)
    if missing:
        sys.exit(f"stack {stack} has no output {', '.join(sorted(missing))}: deploy this template first "
                 "(sam build && sam deploy)")
    return outputs


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dist", type=Path, help="the dashboard's build output, with admin/ and account/")
    parser.add_argument("--stack", required=True, help="the deployed stack's name (samconfig.toml: tillbox)")
    args = parser.parse_args()
    outputs = stack_outputs(boto3.client("cloudformation"), args.stack)
    result = publish(boto3.client("s3"), boto3.client("cloudfront"), outputs["BucketName"],
                     outputs["AssetsDistributionId"], {"api": outputs["ApiUrl"], "live_url": outputs["LiveUrl"]},
                     args.dist)
    print(f"{result['uploaded']} files uploaded to s3://{outputs['BucketName']}/; "
          f"{len(result['marked_stale'])} no longer built, kept a day; "
          f"{len(result['deleted'])} retired earlier, deleted; CloudFront invalidation {result['invalidation']}")
    print(f"dashboard: {outputs['DashboardUrl']}")


if __name__ == "__main__":
    main()
