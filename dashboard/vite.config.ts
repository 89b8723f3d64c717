// Two small apps from one source tree: `--mode admin` builds the dashboard into
// dist/admin (served under /admin/), `--mode account` the customer pages into
// dist/account (under /account/). Separate builds keep the pages a customer
// opens from an e-mail free of the dashboard's code.
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

const here = fileURLToPath(new URL(".", import.meta.url));

export default defineConfig(({ mode }) => {
  const app = mode === "account" ? "account" : "admin";
  return {
    root: `${here}src/${app}`,
    base: `/${app}/`,
    publicDir: false,
    oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
    build: {
      outDir: `${here}dist/${app}`,
      emptyOutDir: true,
      target: "es2022",
      // No inline scripts or data: modules: the Content-Security-Policy allows
      // only files from our own origin.
      assetsInlineLimit: 0,
      modulePreload: { polyfill: false },
      reportCompressedSize: true,
    },
  };
});
