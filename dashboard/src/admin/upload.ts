// An image goes straight to the bucket through a signed URL (the API never
// carries the bytes); the image job checks it and makes the thumbnails, and the
// product shows it once that is done.
import { type Schemas, ok } from "../common/api";
import type { Session } from "./session";

type Product = Schemas["ProductView"];

/** Uploads `file`, telling `progress` the percentage sent, then waits for the
 * image job; answers the product with the new image. */
export async function uploadImage(session: Session, product: Product, file: File, progress: (percent: number, stage: string) => void): Promise<Product> {
  const before = new Set(product.images.map((i) => i.id));
  const target = await ok(
    session.api.POST("/products/{id}/images", { params: { path: { id: product.id } }, body: { content_type: file.type, content_length: file.size } }),
  );
  await new Promise<void>((resolve, reject) => {
    // XMLHttpRequest, because fetch cannot report upload progress.
    const xhr = new XMLHttpRequest();
    xhr.open(target.method, target.url);
    for (const [name, value] of Object.entries(target.headers)) {
      // The browser sets Content-Length itself (and refuses to be told).
      if (name.toLowerCase() !== "content-length") xhr.setRequestHeader(name, value);
    }
    xhr.upload.onprogress = (e) => e.lengthComputable && progress(Math.round((100 * e.loaded) / e.total), "Uploading");
    xhr.onload = () => (xhr.status < 300 ? resolve() : reject(new Error(`The upload was refused (${xhr.status}).`)));
    xhr.onerror = () => reject(new Error("The upload failed: check the connection and try again."));
    xhr.send(file);
  });
  progress(100, "Making thumbnails for");
  for (let waited = 0; waited < 60_000; waited += 1000) {
    await new Promise((r) => setTimeout(r, 1000));
    const now = await ok(session.api.GET("/products/{id}", { params: { path: { id: product.id } } }));
    if (now.images.some((i) => !before.has(i.id))) return now;
  }
  throw new Error("The image was uploaded but is not ready after a minute: the image job may have refused it (see the operations guide).");
}
