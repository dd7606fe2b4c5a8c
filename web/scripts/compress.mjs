// Writes a gzip sibling (name.gz) beside each compressible file in dist/, once, at build time.
// The server sends it to clients that accept gzip (entrypoints/http/web.py) and never compresses
// at runtime: no CPU per request, a read-only dist works, and a CDN upload carries the .gz too.
import { readdir, readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { constants, gzipSync } from "node:zlib";

const root = new URL("../dist/", import.meta.url).pathname;
const compressible = /\.(js|mjs|css|html|svg|json|webmanifest|txt|wasm)$/;
const MIN_BYTES = 512; // below this, gzip's header costs more than it saves

async function* files(dir) {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* files(path);
    else if (entry.isFile()) yield path;
  }
}

let written = 0;
for await (const path of files(root)) {
  if (!compressible.test(path) || (await stat(path)).size < MIN_BYTES) continue;
  const body = await readFile(path);
  const packed = gzipSync(body, { level: constants.Z_BEST_COMPRESSION });
  if (packed.length >= body.length) continue; // not worth it: the original is sent
  await writeFile(`${path}.gz`, packed);
  written += 1;
}
console.log(`compress: ${written} .gz files in dist/`);
