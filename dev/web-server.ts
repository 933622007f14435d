import { readFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { basename, dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { context, type OutputFile } from "esbuild";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const WEB = resolve(ROOT, "web");

export interface WebServerOptions {
  port: number;
  /** Base URL of the HTTP API the page calls, e.g. `http://localhost:3000`. */
  apiBaseUrl: string;
  /** Origin of the S3 endpoint a browser reaches (presigned POST and GET URLs point there). */
  s3PublicUrl: string;
}

export interface WebServer {
  url: string;
  close(): Promise<void>;
}

/** Static files served as they are, by URL path; nothing else on disk is reachable. */
const STATIC_FILES: Record<string, { file: string; type: string }> = {
  "/": { file: "index.html", type: "text/html; charset=utf-8" },
  "/index.html": { file: "index.html", type: "text/html; charset=utf-8" },
  "/styles.css": { file: "styles.css", type: "text/css; charset=utf-8" },
  // Named by the page's <link rel="icon">; /favicon.ico too, for clients that ask for it without reading the page.
  "/favicon.svg": { file: "favicon.svg", type: "image/svg+xml" },
  "/favicon.ico": { file: "favicon.svg", type: "image/svg+xml" },
};

/**
 * Serves the browser demo (`web/`): the static page, its TypeScript bundled by esbuild into
 * `web/dist/` in memory (rebuilt incrementally on each request, so edits show on reload), and a
 * generated `config.js` naming the API base URL.
 */
export async function startWebServer(options: WebServerOptions): Promise<WebServer> {
  const bundler = await context({
    entryPoints: [resolve(WEB, "src", "main.ts")],
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    sourcemap: "linked",
    outdir: resolve(WEB, "dist"),
    entryNames: "app",
    write: false,
    logLevel: "silent",
  });
  let bundle: Map<string, OutputFile>;
  const rebuild = async () => {
    const result = await bundler.rebuild();
    bundle = new Map(result.outputFiles.map((file) => [`/${basename(file.path)}`, file]));
  };
  try {
    // Built once at start, so a broken page fails the stack's start-up rather than the first visit.
    await rebuild();
  } catch (error) {
    await bundler.dispose();
    throw error;
  }

  const config = `window.HERA_CONFIG = ${JSON.stringify({ apiBaseUrl: options.apiBaseUrl })};\n`;
  const headers = securityHeaders(options);

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const path = new URL(request.url ?? "/", "http://localhost").pathname;
    if (request.method !== "GET" && request.method !== "HEAD") return send(response, 405, "text/plain", "Method not allowed", headers);
    if (path === "/config.js") return send(response, 200, "text/javascript; charset=utf-8", config, headers);
    if (path === "/app.js" || path === "/app.js.map") {
      await rebuild();
      const file = bundle.get(path);
      if (!file) return send(response, 404, "text/plain", "Not found", headers);
      const type = path.endsWith(".map") ? "application/json" : "text/javascript; charset=utf-8";
      return send(response, 200, type, Buffer.from(file.contents), headers);
    }
    const entry = STATIC_FILES[path];
    if (!entry) return send(response, 404, "text/plain", "Not found", headers);
    return send(response, 200, entry.type, await readFile(resolve(WEB, entry.file)), headers);
  };

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      const message = error instanceof Error ? error.message : String(error);
      send(response, 500, "text/plain", `The demo page could not be built: ${message}`, headers);
    });
  });
  await listen(server, options.port);

  return {
    url: `http://localhost:${options.port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((done) => server.close(() => done()));
      await bundler.dispose();
    },
  };
}

// The page talks to the API and to S3 only, as any front end of Hera would; the policy says so.
function securityHeaders(options: WebServerOptions): Record<string, string> {
  const api = new URL(options.apiBaseUrl).origin;
  const s3 = new URL(options.s3PublicUrl).origin;
  return {
    "Content-Security-Policy": [
      "default-src 'self'",
      "script-src 'self'",
      "style-src 'self'",
      `connect-src 'self' ${api} ${s3}`,
      `img-src 'self' data: blob: ${s3}`,
      "base-uri 'none'",
      "form-action 'none'",
      "frame-ancestors 'none'",
    ].join("; "),
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
  };
}

function send(response: ServerResponse, status: number, type: string, body: string | Buffer, headers: Record<string, string>): void {
  if (response.headersSent) return void response.end();
  response.writeHead(status, { ...headers, "Content-Type": type, "Content-Length": Buffer.byteLength(body) });
  response.end(response.req.method === "HEAD" ? undefined : body);
}

function listen(server: Server, port: number): Promise<void> {
  return new Promise((done, fail) => {
    server.once("error", fail);
    server.listen(port, "127.0.0.1", () => {
      server.off("error", fail);
      done();
    });
  });
}
