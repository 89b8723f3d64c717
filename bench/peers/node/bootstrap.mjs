// A minimal custom runtime for the Node.js peer: the same Runtime API loop Lambda's
// Node.js runtime runs (GET next, call the handler, POST the response), without its
// extras, so the peer's init is Node, the AWS SDK v3 client and the handler module.
import http from "node:http";
import { handler } from "./handler.mjs";

const [host, port] = process.env.AWS_LAMBDA_RUNTIME_API.split(":");
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

function call(method, path, body) {
  return new Promise((resolve, reject) => {
    const request = http.request({ host, port, method, path, agent }, (response) => {
      const chunks = [];
      response.on("data", (chunk) => chunks.push(chunk));
      response.on("end", () => resolve({ headers: response.headers, body: Buffer.concat(chunks) }));
    });
    request.on("error", reject);
    request.end(body);
  });
}

for (;;) {
  const next = await call("GET", "/2018-06-01/runtime/invocation/next");
  const result = await handler(JSON.parse(next.body));
  const id = next.headers["lambda-runtime-aws-request-id"];
  await call("POST", `/2018-06-01/runtime/invocation/${id}/response`, JSON.stringify(result));
}
