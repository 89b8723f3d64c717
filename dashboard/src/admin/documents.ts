// The order documents (invoice, packing slip, credit note) are PDFs behind
// short-lived signed links. Asked for JSON, the API answers the link instead of
// redirecting to it (a page cannot read a cross-origin redirect), and the
// browser opens it in a new tab.
import { type Schemas, ok, safeUrl } from "../common/api";

export async function openDocument(call: Promise<{ data?: Schemas["DocumentLink"]; error?: unknown; response: Response }>) {
  // Opened before the wait: a tab opened after it counts as a pop-up.
  const tab = window.open("about:blank", "_blank");
  try {
    const url = safeUrl((await ok(call)).url);
    if (!url) throw new Error("The API answered a link that is not http(s).");
    if (tab) {
      tab.opener = null;
      tab.location.href = url;
    } else {
      location.href = url;
    }
  } catch (e) {
    tab?.close();
    throw e;
  }
}
