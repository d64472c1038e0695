/**
 * Serves the web UI under `--server.http.ui-path-prefix` (grafana/alloy
 * internal/web/ui/ui.go): the
 * static assets of `ui/` (plain ES modules, no build step), dagre's ESM
 * bundle straight from node_modules, and `index.html` for any other page
 * under the prefix so client-side routes survive a reload.
 *
 * The prefix without its trailing slash redirects to the slash form. The web
 * API is also reachable under the prefix (`{prefix}api/v0/web/...`, as in
 * Alloy), so the UI only ever uses URLs relative to its `<base href>`.
 */
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** `ui/` at the package root: three levels up from both src/runtime/http and dist/runtime/http. */
const UI_ROOT = fileURLToPath(new URL('../../../ui/', import.meta.url));

const DAGRE_DIST = path.join(path.dirname(createRequire(import.meta.url).resolve('@dagrejs/dagre/package.json')), 'dist');

/** Files of dagre's dist/ the browser may ask for (the bundle, its source map and licence notice). */
const VENDOR_FILES = new Set(['dagre.esm.js', 'dagre.esm.js.map', 'dagre.esm.js.LEGAL.txt']);

/** Asset names are flat and plain: no directories, no dot segments. */
const ASSET_NAME = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9]+)+$/;

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.map': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
};

/**
 * Everything the page loads comes from the agent itself, and no inline
 * script or style is allowed: a component name that slipped past escaping
 * still could not run code.
 */
const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; base-uri 'self'; form-action 'none'; frame-ancestors 'none'";

export class UiHandler {
  /** The prefix in its canonical form: leading and trailing slash. */
  readonly prefix: string;
  private readonly cache = new Map<string, Buffer>();

  constructor(prefix = '/') {
    this.prefix = normalizePrefix(prefix);
  }

  /** `{prefix}api/v0/web/...` → `/api/v0/web/...`; any other path is returned unchanged. */
  webApiPath(pathname: string): string {
    if (this.prefix !== '/' && pathname.startsWith(`${this.prefix}api/v0/web/`)) return pathname.slice(this.prefix.length - 1);
    return pathname;
  }

  /**
   * Answers GET/HEAD requests for UI pages and assets; false when the request
   * is not the UI's (the caller answers 404). The prefix itself serves
   * index.html to any client, as Alloy does (grafana/alloy
   * internal/web/ui/ui.go serves it for every path under the prefix). Other
   * unknown pages get index.html only when the client asks for HTML (a
   * browser navigating), so API clients still see a plain 404 for a mistyped
   * path, where Alloy would answer 200 with the page.
   */
  async serve(req: IncomingMessage, res: ServerResponse, pathname: string): Promise<boolean> {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    if (this.prefix !== '/' && pathname === this.prefix.slice(0, -1)) {
      res.writeHead(302, { Location: this.prefix }).end();
      return true;
    }
    if (!pathname.startsWith(this.prefix)) return false;
    const rest = pathname.slice(this.prefix.length);
    if (rest.startsWith('assets/')) {
      await this.serveAsset(req, res, rest.slice('assets/'.length));
      return true;
    }
    if (rest.startsWith('api/') || (rest !== '' && !acceptsHtml(req))) return false;
    await this.serveIndex(req, res);
    return true;
  }

  private async serveIndex(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const template = (await this.read(path.join(UI_ROOT, 'index.html'))).toString('utf8');
    const body = template.replace('%BASE_HREF%', escapeAttribute(this.prefix));
    send(req, res, 'index.html', Buffer.from(body));
  }

  private async serveAsset(req: IncomingMessage, res: ServerResponse, name: string): Promise<void> {
    const file = assetFile(name);
    const bytes = file && (await this.read(file).catch(() => undefined));
    if (!bytes) {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('404 page not found\n');
      return;
    }
    send(req, res, name, bytes);
  }

  /** Assets never change while the agent runs; read each once. */
  private async read(file: string): Promise<Buffer> {
    let bytes = this.cache.get(file);
    if (!bytes) this.cache.set(file, (bytes = await readFile(file)));
    return bytes;
  }
}

/**
 * `ui` → `/ui/`, `` → `/`, in the percent-encoded form request paths arrive
 * in (`/a b` → `/a%20b/`), so it compares with `URL.pathname` directly.
 */
export function normalizePrefix(prefix: string): string {
  const trimmed = prefix.replace(/^\/+|\/+$/g, '');
  return new URL(trimmed === '' ? '/' : `/${trimmed}/`, 'http://localhost').pathname;
}

/** The file behind an asset name, or undefined for names outside the UI. */
function assetFile(name: string): string | undefined {
  if (name.startsWith('vendor/')) {
    const vendor = name.slice('vendor/'.length);
    return VENDOR_FILES.has(vendor) ? path.join(DAGRE_DIST, vendor) : undefined;
  }
  return ASSET_NAME.test(name) ? path.join(UI_ROOT, 'assets', name) : undefined;
}

function send(req: IncomingMessage, res: ServerResponse, name: string, bytes: Buffer): void {
  res.writeHead(200, {
    'Content-Type': CONTENT_TYPES[path.extname(name)] ?? 'application/octet-stream',
    'Content-Length': bytes.length,
    // Revalidate every time: the files are small and a stale UI after an upgrade is confusing.
    'Cache-Control': 'no-cache',
    'Content-Security-Policy': CSP,
    'X-Content-Type-Options': 'nosniff',
  });
  res.end(req.method === 'HEAD' ? undefined : bytes);
}

function acceptsHtml(req: IncomingMessage): boolean {
  return (req.headers.accept ?? '').includes('text/html');
}

function escapeAttribute(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
