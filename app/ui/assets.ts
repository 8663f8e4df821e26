/**
 * Static assets of the admin UI, served by the app itself (no CDN, no build step): htmx from the
 * pinned `htmx.org` package, our stylesheet and our one small script. Each is served under a URL
 * carrying a hash of its bytes, so it can be cached for a year (`immutable`) and a new version
 * is a new URL. Read once at start; an unknown or stale hash is a 404.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";

export interface Asset {
  url: string;
  body: Uint8Array;
  contentType: string;
}

export interface Assets {
  css: string;
  htmx: string;
  js: string;
  byUrl: Map<string, Asset>;
}

const root = resolve(import.meta.dir, "../..");

const SOURCES = {
  htmx: {
    file: resolve(root, "node_modules/htmx.org/dist/htmx.min.js"),
    name: "htmx",
    ext: "js",
    type: "text/javascript; charset=utf-8",
  },
  css: { file: resolve(import.meta.dir, "assets/app.css"), name: "app", ext: "css", type: "text/css; charset=utf-8" },
  js: {
    file: resolve(import.meta.dir, "assets/app.js"),
    name: "app",
    ext: "js",
    type: "text/javascript; charset=utf-8",
  },
} as const;

export const ASSET_PREFIX = "/assets/";

export function loadAssets(): Assets {
  const byUrl = new Map<string, Asset>();
  const urls = {} as Record<keyof typeof SOURCES, string>;
  for (const [key, src] of Object.entries(SOURCES) as [
    keyof typeof SOURCES,
    (typeof SOURCES)[keyof typeof SOURCES],
  ][]) {
    const body = readFileSync(src.file);
    const hash = createHash("sha256").update(body).digest("hex").slice(0, 16);
    const url = `${ASSET_PREFIX}${src.name}.${hash}.${src.ext}`;
    byUrl.set(url, { url, body, contentType: src.type });
    urls[key] = url;
  }
  return { ...urls, byUrl };
}

export function assetResponse(asset: Asset): Response {
  return new Response(asset.body as unknown as BodyInit, {
    headers: { "content-type": asset.contentType, "cache-control": "public, max-age=31536000, immutable" },
  });
}
