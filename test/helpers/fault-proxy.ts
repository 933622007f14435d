import { connect, createServer, type Server, type Socket } from "node:net";

/**
 * What the proxy does with a connection:
 * - `pass`: forwards bytes both ways to the service;
 * - `hang`: accepts and reads, never answers (a service that is up but stuck);
 * - `refuse`: stops listening, so connecting fails with ECONNREFUSED (a service that is down);
 * - `reset`: accepts, then resets the connection when the request arrives (ECONNRESET);
 * - `http503` / `http500`: answers every request with that status and a short HTML body (a gateway in trouble);
 * - `garbage`: answers 200 with a body that is not the service's protocol;
 * - `resetAfterForward`: forwards the request to the service, which runs it, then resets the connection instead of
 *   passing the answer back (a network that lost the answer); once, on the next connection: later ones `pass`.
 */
export type FaultMode = "pass" | "hang" | "refuse" | "reset" | "http503" | "http500" | "garbage" | "resetAfterForward";

export interface FaultProxy {
  /** The port clients connect to; it stays the same across modes. */
  readonly port: number;
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  readonly mode: FaultMode;
  /** Switches the mode; connections already open are cut, so no client keeps a pooled connection to the old mode. */
  set(mode: FaultMode): Promise<void>;
  close(): Promise<void>;
}

const HOST = "127.0.0.1";

function answer(status: string, contentType: string, body: string): string {
  return (
    `HTTP/1.1 ${status}\r\nContent-Type: ${contentType}\r\n` +
    `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`
  );
}

const CANNED: Partial<Record<FaultMode, string>> = {
  http503: answer("503 Service Unavailable", "text/html", "<html><body>503 Service Temporarily Unavailable</body></html>"),
  http500: answer("500 Internal Server Error", "text/html", "<html><body>500 Internal Server Error</body></html>"),
  garbage: answer("200 OK", "text/plain", "this is not the protocol you are looking for"),
};

/**
 * A TCP proxy in front of one local service (the Upstash REST endpoint, s3rver, dynalite, a Lambda endpoint) that
 * can pass, hang, refuse, reset or answer with an error on command, so that the real functions can be driven through
 * each way a dependency fails.
 */
export async function startFaultProxy(target: { host?: string; port: number }, initial: FaultMode = "pass"): Promise<FaultProxy> {
  const open = new Set<Socket>();
  let mode: FaultMode = initial;
  let server: Server | undefined;
  let port = 0;

  const track = (socket: Socket): void => {
    open.add(socket);
    socket.on("close", () => open.delete(socket));
    socket.on("error", () => undefined);
  };

  const onConnection = (client: Socket): void => {
    track(client);
    switch (mode) {
      case "pass": {
        const upstream = connect({ host: target.host ?? HOST, port: target.port });
        track(upstream);
        client.pipe(upstream).pipe(client);
        upstream.on("error", () => client.destroy());
        client.on("error", () => upstream.destroy());
        client.on("close", () => upstream.destroy());
        upstream.on("close", () => client.destroy());
        return;
      }
      case "resetAfterForward": {
        mode = "pass";
        const upstream = connect({ host: target.host ?? HOST, port: target.port });
        track(upstream);
        client.pipe(upstream);
        upstream.once("data", () => {
          upstream.destroy();
          client.resetAndDestroy();
        });
        upstream.on("error", () => client.destroy());
        client.on("error", () => upstream.destroy());
        return;
      }
      case "hang":
        client.on("data", () => undefined);
        return;
      case "reset":
        client.once("data", () => client.resetAndDestroy());
        return;
      default: {
        const canned = CANNED[mode] ?? "";
        client.once("data", () => client.end(canned));
      }
    }
  };

  const listen = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const next = createServer(onConnection);
      next.once("error", reject);
      next.listen(port, HOST, () => {
        const address = next.address();
        port = typeof address === "object" && address ? address.port : port;
        server = next;
        resolve();
      });
    });

  const stopListening = (): Promise<void> =>
    new Promise((resolve) => {
      const current = server;
      server = undefined;
      if (!current) return resolve();
      current.close(() => resolve());
    });

  const cutAll = (): void => {
    for (const socket of open) socket.destroy();
    open.clear();
  };

  if (initial !== "refuse") await listen();
  else {
    // A port to refuse on: take one, then let it go.
    await listen();
    await stopListening();
  }

  return {
    get port() {
      return port;
    },
    get url() {
      return `http://${HOST}:${port}`;
    },
    get mode() {
      return mode;
    },
    async set(next) {
      mode = next;
      cutAll();
      if (next === "refuse" && server) await stopListening();
      if (next !== "refuse" && !server) await listen();
      // Let clients see their pooled connections close before the next request picks one.
      await new Promise((resolve) => setTimeout(resolve, 25));
    },
    async close() {
      cutAll();
      await stopListening();
    },
  };
}
