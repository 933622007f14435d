import { describe, expect, it } from "vitest";
import { DEFAULT_MAX_PHOTO_BYTES } from "../../lib/config.ts";
import { buildOpenApiDocument } from "../../lib/openapi/document.ts";
import { createHeraClient } from "../../client/index.ts";
import { contractCheck } from "../helpers/api.ts";
import { committedContract, contractChecker, ContractViolationError } from "../helpers/contract.ts";

// The checker the end-to-end helper runs on every answer: it must refuse what the document does not describe.
const contract = contractChecker(buildOpenApiDocument({ maxPhotoBytes: DEFAULT_MAX_PHOTO_BYTES }));
const json = "application/json; charset=utf-8";
const session = "/api/sessions/AAAAAAAAAAAAAAAAAAAAAA";
const link = {
  url: "http://localhost:4569/hera-api-photos-dev/sessions/x/images/child.png?X-Amz-Signature=1",
  expiresAt: "2026-11-22T01:02:03.000Z",
  contentType: "image/png",
};
const check = (method: string, path: string, status: number, body: unknown, contentType: string | null = json) =>
  contract.check({ method, path, status, contentType, body: body === undefined ? "" : JSON.stringify(body) });

describe("the contract checker", () => {
  it("accepts a documented answer, matching literal paths before templated ones", () => {
    expect(() => check("GET", `${session}/photos/child`, 200, link)).not.toThrow();
    expect(() => check("DELETE", session, 204, undefined, null)).not.toThrow();
    expect(() =>
      check("POST", `${session}/photos/user`, 409, { error: { code: "session_completed", message: "m" }, requestId: "r" }),
    ).not.toThrow();
  });

  it.each([
    ["an undocumented route", () => check("GET", "/api/sessions", 200, {})],
    ["a method the route does not take", () => check("PUT", session, 200, {})],
    ["an undocumented status", () => check("GET", `${session}/photos/child`, 418, link)],
    ["a field the schema does not name", () => check("GET", `${session}/photos/child`, 200, { ...link, key: "sessions/x" })],
    ["a missing field", () => check("GET", `${session}/photos/child`, 200, { url: link.url })],
    [
      "an error code the route does not answer with",
      () => check("POST", `${session}/complete`, 409, { error: { code: "message_limit_reached", message: "m" }, requestId: "r" }),
    ],
    ["a body on a 204", () => check("DELETE", session, 204, { erased: true })],
    [
      "a body that is not JSON",
      () => contract.check({ method: "GET", path: "/api/health", status: 200, contentType: "text/plain", body: "ok" }),
    ],
  ])("refuses %s", (_name, act) => {
    expect(act).toThrow(ContractViolationError);
  });

  it("reads the committed openapi.json", () => {
    expect(() => committedContract().check({ method: "GET", path: "/api/nowhere", status: 200, contentType: json, body: "{}" })).toThrow(
      ContractViolationError,
    );
  });
});

describe("the e2e helper's client", () => {
  const answering = (status: number, body: unknown) => {
    const client = createHeraClient({
      baseUrl: "http://hera.test",
      fetch: async () => new Response(JSON.stringify(body), { status, headers: { "Content-Type": json } }),
    });
    client.use(contractCheck);
    return client;
  };

  it("passes a documented answer through", async () => {
    const { data } = await answering(200, link).GET("/api/sessions/{sessionId}/photos/{name}", {
      params: { path: { sessionId: "AAAAAAAAAAAAAAAAAAAAAA", name: "child" } },
    });
    expect(data).toEqual(link);
  });

  it("fails the call when the status is not documented for the route", async () => {
    const call = answering(418, link).GET("/api/sessions/{sessionId}/photos/{name}", {
      params: { path: { sessionId: "AAAAAAAAAAAAAAAAAAAAAA", name: "child" } },
    });
    await expect(call).rejects.toThrow(ContractViolationError);
  });

  it("fails the call when the body does not match", async () => {
    await expect(answering(200, { status: "ok" }).GET("/api/health")).rejects.toThrow(/does not match openapi\.json/);
  });
});
