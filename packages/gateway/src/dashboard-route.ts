import { readFile } from 'node:fs/promises';
import { notFound } from '@tsmicro/core';
import { GATEWAY_ID } from './http-error.js';

/** The dashboard's files, shipped in the package's `dashboard/` folder (beside `src/` and `dist/`). */
const ROOT = new URL('../dashboard/', import.meta.url);
const FILES: Record<string, string> = {
  'index.html': 'text/html; charset=utf-8',
  'app.js': 'text/javascript; charset=utf-8',
  'call.js': 'text/javascript; charset=utf-8',
  'chart.js': 'text/javascript; charset=utf-8',
  'events.js': 'text/javascript; charset=utf-8',
  'nodes.js': 'text/javascript; charset=utf-8',
  'schema.js': 'text/javascript; charset=utf-8',
  'util.js': 'text/javascript; charset=utf-8',
  'style.css': 'text/css; charset=utf-8',
};

/** Same-origin only, nothing inline, no framing: the page can only talk to this gateway. */
const SECURITY_HEADERS = {
  'content-security-policy': "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-cache',
};

/** Serves one dashboard file by name, read once per gateway (a Map the gateway owns). */
export function dashboardFiles(): (name: string) => Promise<Response> {
  const cache = new Map<string, Promise<Buffer>>();
  return async (name) => {
    const type = Object.hasOwn(FILES, name) ? FILES[name] : undefined;
    if (type === undefined) throw notFound(`no dashboard file '${name}'`, { id: GATEWAY_ID });
    let body = cache.get(name);
    if (!body) {
      body = readFile(new URL(name, ROOT));
      cache.set(name, body);
    }
    return new Response(new Uint8Array(await body), { headers: { 'content-type': type, ...SECURITY_HEADERS } });
  };
}
