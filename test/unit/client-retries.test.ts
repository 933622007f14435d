import { describe, expect, it } from "vitest";
import { createHeraClient } from "../../client/index.ts";

const SESSION = "AAAAAAAAAAAAAAAAAAAAAA";

/** A fetch that answers from a script, keeping every request it was sent (headers and body as text). */
function scripted(answers: Array<() => Response>) {
  const sent: Array<{ method: string; key: string | null; body: string }> = [];
  const fetch = async (request: Request): Promise<Response> => {
    sent.push({ method: request.method, key: request.headers.get("Idempotency-Key"), body: await request.text() });
    const next = answers.shift();
    if (!next) throw new Error("no more answers");
    return next();
  };
  return { fetch, sent };
}

const reply = () => Response.json({ reply: "ok" }, { status: 200 });
const lost = () => {
  throw new TypeError("fetch failed");
};

describe("the typed client's retries", () => {
  it("sends a POST whose answer was lost again with the same Idempotency-Key and body", async () => {
    const { fetch, sent } = scripted([lost, reply]);
    const client = createHeraClient({ baseUrl: "http://api.test", fetch, retries: 2 });

    const { data } = await client.POST("/api/sessions/{sessionId}/messages", {
      params: { path: { sessionId: SESSION } },
      body: { text: "I'm 30" },
    });

    expect(data).toEqual({ reply: "ok" });
    expect(sent).toHaveLength(2);
    expect(sent[0]!.key).toMatch(/^[0-9a-f-]{36}$/);
    expect(sent[1]).toEqual(sent[0]);
  });

  it("retries 409 idempotency_key_in_use after Retry-After, under the key the caller chose", async () => {
    const busy = () =>
      Response.json(
        { error: { code: "idempotency_key_in_use", message: "m" }, requestId: "r" },
        { status: 409, headers: { "Retry-After": "0" } },
      );
    const { fetch, sent } = scripted([busy, reply]);
    const client = createHeraClient({ baseUrl: "http://api.test", fetch, retries: 1 });

    await client.POST("/api/sessions/{sessionId}/complete", {
      params: { path: { sessionId: SESSION }, header: { "Idempotency-Key": "caller-chosen-key-0001" } },
    });

    expect(sent.map((s) => s.key)).toEqual(["caller-chosen-key-0001", "caller-chosen-key-0001"]);
  });

  it("gives every new request a key of its own, and never retries a refusal such as 409 session_busy or a GET", async () => {
    const conflict = () => Response.json({ error: { code: "session_busy", message: "m" }, requestId: "r" }, { status: 409 });
    const { fetch, sent } = scripted([conflict, reply, () => Response.json({}, { status: 503 })]);
    const client = createHeraClient({ baseUrl: "http://api.test", fetch, retries: 2 });

    const first = await client.POST("/api/sessions/{sessionId}/messages", {
      params: { path: { sessionId: SESSION } },
      body: { text: "a" },
    });
    await client.POST("/api/sessions/{sessionId}/messages", { params: { path: { sessionId: SESSION } }, body: { text: "a" } });
    const read = await client.GET("/api/sessions/{sessionId}", { params: { path: { sessionId: SESSION } } });

    expect(first.response.status).toBe(409);
    expect(read.response.status).toBe(503);
    expect(sent).toHaveLength(3);
    expect(sent[0]!.key).not.toBe(sent[1]!.key);
    expect(sent[2]!.key).toBeNull();
  });
});
