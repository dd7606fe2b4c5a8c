/// <reference types="vitest/config" />
// Builds the app to dist/: hashed, immutable assets; every script and stylesheet tag in
// index.html carries a Subresource Integrity hash (sha384) so a tampered CDN copy never runs.
import { createHash } from "node:crypto";
import { defineConfig, type Plugin } from "vite";

function subresourceIntegrity(): Plugin {
  return {
    name: "atlas-sri",
    apply: "build",
    enforce: "post",
    generateBundle(_options, bundle) {
      const page = bundle["index.html"];
      if (!page || page.type !== "asset") return;
      const integrity = (fileName: string): string | null => {
        const item = bundle[fileName];
        if (!item) return null;
        const body = item.type === "chunk" ? item.code : item.source;
        return "sha384-" + createHash("sha384").update(body).digest("base64");
      };
      const tag = /<(script|link)\b([^>]*?)\s(src|href)="\/([^"]+)"([^>]*)>/g;
      page.source = String(page.source).replace(tag, (whole, name, before, attr, path, after) => {
        const hash = integrity(path);
        if (!hash || /integrity=/.test(whole)) return whole;
        const cors = /crossorigin/.test(whole) ? "" : " crossorigin";
        return `<${name}${before} ${attr}="/${path}"${after.replace(/\s*\/?$/, "")} integrity="${hash}"${cors}>`;
      });
    },
  };
}

export default defineConfig({
  base: "/",
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
    sourcemap: false,
    assetsInlineLimit: 0, // no data: URLs; CSP keeps img-src and font-src to 'self'
    modulePreload: { polyfill: false }, // the polyfill is an inline script
    reportCompressedSize: true,
  },
  worker: { format: "es" },
  plugins: [subresourceIntegrity()],
  test: {
    environment: "node",
    include: ["src/**/*.test.ts"],
  },
});
