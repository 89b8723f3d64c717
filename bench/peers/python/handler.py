"""`GET /products/{id}` written the usual way for Python on Lambda: boto3, one
GetItem, the same JSON view and errors as Tillbox's products-get."""

import json
import os

import boto3

TABLE = os.environ["TABLE_NAME"]
ASSETS = os.environ.get("ASSET_BASE_URL", "").rstrip("/")
dynamodb = boto3.client("dynamodb")


def _problem(status, title):
    body = {"type": "about:blank", "title": title, "status": status}
    return {"statusCode": status, "headers": {"content-type": "application/problem+json"}, "body": json.dumps(body)}


def _image(value):
    image = {k: v.get("S") or int(v["N"]) for k, v in value["M"].items() if "S" in v or "N" in v}
    image["url"] = f"{ASSETS}/{image.pop('key', '')}"
    return image


def handle(event, context):
    product_id = (event.get("pathParameters") or {}).get("id", "")
    found = dynamodb.get_item(TableName=TABLE, Key={"PK": {"S": f"PRODUCT#{product_id}"}, "SK": {"S": "PRODUCT"}})
    item = found.get("Item")
    if not item or item["status"]["S"] != "active":
        return _problem(404, "Not Found")
    view = {
        "id": item["id"]["S"],
        "sku": item["sku"]["S"],
        "name": item["name"]["S"],
        "description": item["description"]["S"],
        "price": {"amount": int(item["price_amount"]["N"]), "currency": item["currency"]["S"]},
        "stock": int(item["stock"]["N"]),
        "status": item["status"]["S"],
        "category": item.get("category", {}).get("S"),
        "images": [_image(v) for v in item["images"]["L"]],
        "version": int(item["version"]["N"]),
        "created_at": item["created_at"]["S"],
        "updated_at": item["updated_at"]["S"],
    }
    headers = {"content-type": "application/json", "etag": f'"{view["version"]}"'}
    return {"statusCode": 200, "headers": headers, "body": json.dumps(view)}
