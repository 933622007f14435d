import { createServer, type Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFaultProxy, type FaultProxy } from "../helpers/fault-proxy.ts";

// The harness the fault-injection tests stand on: each mode must really behave as its name says.
let service: Server;
let proxy: FaultProxy;

beforeAll(async () => {
  service = createServer((_request, response) => response.end("hello from the service"));
  await new Promise<void>((resolve) => service.listen(0, "127.0.0.1", () => resolve()));
  const address = service.address();
  proxy = await startFaultProxy({ port: typeof address === "object" && address ? address.port : 0 });
});

afterAll(async () => {
  await proxy.close();
  service.closeAllConnections();
  await new Promise((resolve) => service.close(resolve));
});

const outcome = async (): Promise<string> => {
  try {
    const response = await fetch(proxy.url, { signal: AbortSignal.timeout(500) });
    return `${response.status} ${await response.text()}`;
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause;
    return (error as Error).name === "TimeoutError" ? "timeout" : (cause?.code ?? (error as Error).name);
  }
};

describe("the fault proxy", () => {
  it("passes, hangs, refuses, resets and answers errors on command, on the same port", async () => {
    const port = proxy.port;
    expect(await outcome()).toBe("200 hello from the service");
    await proxy.set("hang");
    expect(await outcome()).toBe("timeout");
    await proxy.set("refuse");
    expect(await outcome()).toBe("ECONNREFUSED");
    await proxy.set("reset");
    expect(await outcome()).toMatch(/ECONNRESET|UND_ERR_SOCKET/);
    await proxy.set("http503");
    expect(await outcome()).toMatch(/^503 <html>/);
    await proxy.set("garbage");
    expect(await outcome()).toBe("200 this is not the protocol you are looking for");
    await proxy.set("pass");
    expect(await outcome()).toBe("200 hello from the service");
    expect(proxy.port).toBe(port);
  });
});
