// `GET /products/{id}` written the usual way for Node.js on Lambda: AWS SDK v3,
// one GetItem, the same JSON view and errors as Tillbox's products-get.
import { DynamoDBClient, GetItemCommand } from "@aws-sdk/client-dynamodb";

const table = process.env.TABLE_NAME;
const assets = (process.env.ASSET_BASE_URL || "").replace(/\/$/, "");
const dynamodb = new DynamoDBClient({});

const problem = (status, title) => ({
  statusCode: status,
  headers: { "content-type": "application/problem+json" },
  body: JSON.stringify({ type: "about:blank", title, status }),
});

function image(value) {
  const out = {};
  for (const [k, v] of Object.entries(value.M)) {
    if (v.S !== undefined) out[k] = v.S;
    else if (v.N !== undefined) out[k] = Number(v.N);
  }
  out.url = `${assets}/${out.key ?? ""}`;
  delete out.key;
  return out;
}

export async function handler(event) {
  const id = event.pathParameters?.id ?? "";
  const { Item: item } = await dynamodb.send(
    new GetItemCommand({ TableName: table, Key: { PK: { S: `PRODUCT#${id}` }, SK: { S: "PRODUCT" } } }),
  );
  if (!item || item.status.S !== "active") return problem(404, "Not Found");
  const view = {
    id: item.id.S,
    sku: item.sku.S,
    name: item.name.S,
    description: item.description.S,
    price: { amount: Number(item.price_amount.N), currency: item.currency.S },
    stock: Number(item.stock.N),
    status: item.status.S,
    category: item.category?.S ?? null,
    images: item.images.L.map(image),
    version: Number(item.version.N),
    created_at: item.created_at.S,
    updated_at: item.updated_at.S,
  };
  return {
    statusCode: 200,
    headers: { "content-type": "application/json", etag: `"${view.version}"` },
    body: JSON.stringify(view),
  };
}
