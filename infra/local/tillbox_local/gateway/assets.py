"""The CDN: serves `GET /assets/<key>` from the bucket, for the key prefixes the
bucket policy grants CloudFront, as the distribution does in AWS."""

from botocore.exceptions import ClientError

from ..stack import client


class Assets:
    def __init__(self, stack):
        self.cdn = stack["cdn"]
        self.endpoint = stack["endpoint"]

    def get(self, key):
        """(status, headers, body) for `GET /assets/<key>`."""
        cdn = self.cdn
        if not any(key.startswith(p) for p in cdn["prefixes"]):
            return 403, [("Content-Type", "text/plain")], b"Forbidden"
        try:
            obj = client("s3", self.endpoint).get_object(Bucket=cdn["bucket"], Key=key)
        except ClientError:
            return 404, [("Content-Type", "text/plain")], b"Not Found"
        headers = [("Content-Type", obj.get("ContentType", "application/octet-stream"))]
        if obj.get("CacheControl"):
            headers.append(("Cache-Control", obj["CacheControl"]))
        return 200, headers, obj["Body"].read()
