import { request } from "node:http";
import { createServer } from "node:net";
import { resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadLocalEnv } from "../../dev/env.ts";
import { startLocalStack, type LocalStack } from "../../dev/local-stack.ts";
import { INTERVIEWS } from "../fixtures/interviews.ts";

// The per-client caps, the stage budgets and the images switch on a whole local stack of their own (serverless-offline
// with small values for the variables of .env.example), over HTTP from several client addresses. serverless-offline
// takes requestContext.http.sourceIp from the connection's socket, as API Gateway does, so each client connects from
// an address of its own on the loopback network (127.0.0.2, 127.0.0.3, ...: Linux routes all of 127/8 to lo).

const PARTNER_ANSWERS = INTERVIEWS.en.answers.slice(0, 10); // the local interviewer reaches the partner's three fields here

let stack: LocalStack | undefined;

afterAll(async () => {
  await stack?.stop();
});

/** Free ports, asked of the system (the shared e2e stack and the dev stack keep theirs). */
async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<ReturnType<typeof createServer>>((done) => {
          const server = createServer();
          server.listen(0, "127.0.0.1", () => done(server));
        }),
    ),
  );
  const ports = servers.map((server) => (server.address() as { port: number }).port);
  await Promise.all(servers.map((server) => new Promise((done) => server.close(done))));
  return ports;
}

async function startStack(env: Record<string, string>): Promise<LocalStack> {
  const [http, lambda, s3, dynamodb, upstash, web] = await freePorts(6);
  const base = loadLocalEnv();
  return startLocalStack({
    ports: { http: http!, lambda: lambda!, s3: s3!, dynamodb: dynamodb!, upstash: upstash!, web: web! },
    env: { ...base, S3_PUBLIC_ENDPOINT: "", OFFLINE_HOST: "127.0.0.1", ...env },
    output: resolve("test-artifacts", "offline-spend-limits.log"),
    workFolder: ".esbuild-spend-limits",
  });
}

interface Answer {
  status: number;
  retryAfter: string | undefined;
  body: Record<string, unknown>;
}

/** One API call over a connection from `clientAddress`. */
function call(clientAddress: string, method: string, path: string, body?: unknown, token?: string): Promise<Answer> {
  const port = Number(new URL(stack!.baseUrl).port);
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((done, fail) => {
    const outgoing = request(
      {
        host: "127.0.0.1",
        port,
        method,
        path,
        localAddress: clientAddress,
        headers: {
          ...(payload ? { "content-type": "application/json", "content-length": Buffer.byteLength(payload) } : {}),
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          // A header saying otherwise changes nothing: the address is the socket's.
          "x-forwarded-for": "198.51.100.99",
        },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          done({
            status: response.statusCode ?? 0,
            retryAfter: response.headers["retry-after"] as string | undefined,
            body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
          });
        });
      },
    );
    outgoing.on("error", fail);
    outgoing.end(payload);
  });
}

const codeOf = (answer: Answer) => (answer.body.error as { code?: string } | undefined)?.code;

async function openSession(client: string): Promise<{ id: string; token: string }> {
  const created = await call(client, "POST", "/api/sessions", { locale: "en" });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return { id: String(created.body.sessionId), token: String(created.body.sessionToken) };
}

async function say(client: string, session: { id: string; token: string }, text: string): Promise<Answer> {
  return call(client, "POST", `/api/sessions/${session.id}/messages`, { text }, session.token);
}

/** A session of `client` whose partner picture can be asked for: the interview up to the partner's fields. */
async function partnerReady(client: string): Promise<{ id: string; token: string }> {
  const session = await openSession(client);
  for (const text of PARTNER_ANSWERS) expect((await say(client, session, text)).status).toBe(200);
  return session;
}

const askPartner = (client: string, session: { id: string; token: string }) =>
  call(client, "POST", `/api/sessions/${session.id}/images`, { kind: "partner" }, session.token);

describe("spend limits on a local stack with small values", () => {
  it("refuses one address past its caps across its sessions while another goes on, then the stage's budgets refuse everyone", async () => {
    // Prepare: 1 image job per address an hour and 2 for the stage a day; 25 chat turns per address, 70 for the stage.
    stack = await startStack({
      IMAGE_JOBS_PER_CLIENT_PER_HOUR: "1",
      IMAGE_JOBS_PER_DAY: "2",
      CHAT_TURNS_PER_CLIENT_PER_HOUR: "25",
      CHAT_TURNS_PER_DAY: "70",
    });

    // Act: images. 127.0.0.2 asks in two sessions; 127.0.0.3 then takes the stage's last job; 127.0.0.4 finds none.
    const a1 = await partnerReady("127.0.0.2");
    const a2 = await partnerReady("127.0.0.2");
    const firstOfA = await askPartner("127.0.0.2", a1);
    const secondOfA = await askPartner("127.0.0.2", a2);
    const ofB = await askPartner("127.0.0.3", await partnerReady("127.0.0.3"));
    const ofC = await askPartner("127.0.0.4", await partnerReady("127.0.0.4"));

    // Assess
    expect(firstOfA.status).toBe(202);
    expect(secondOfA.status).toBe(429);
    expect(codeOf(secondOfA)).toBe("client_image_limit");
    expect(Number(secondOfA.retryAfter)).toBeGreaterThan(0);
    expect(Number(secondOfA.retryAfter)).toBeLessThanOrEqual(3600);
    expect(ofB.status).toBe(202);
    expect(ofC.status).toBe(503);
    expect(codeOf(ofC)).toBe("image_budget_exhausted");
    expect(Number(ofC.retryAfter)).toBeLessThanOrEqual(86_400);

    // Act: chat turns (40 of the stage's 70 are spent). 127.0.0.5 takes its 25 over three sessions, then is refused.
    const sessions = [await openSession("127.0.0.5"), await openSession("127.0.0.5"), await openSession("127.0.0.5")];
    const turns: number[] = [];
    for (let i = 0; i < 25; i++) turns.push((await say("127.0.0.5", sessions[Math.floor(i / 10)]!, PARTNER_ANSWERS[i % 10]!)).status);
    const pastCap = await say("127.0.0.5", sessions[2]!, "hello");
    // 127.0.0.6 is not refused by 127.0.0.5's cap: it takes the stage's last 5, then the stage refuses everyone.
    const other = await openSession("127.0.0.6");
    const ofOther: number[] = [];
    for (let i = 0; i < 5; i++) ofOther.push((await say("127.0.0.6", other, PARTNER_ANSWERS[i]!)).status);
    const pastBudget = await say("127.0.0.6", other, "hello");
    const anyoneElse = await say("127.0.0.7", await openSession("127.0.0.7"), "hello");

    // Assess
    expect(turns).toEqual(Array.from({ length: 25 }, () => 200));
    expect(pastCap.status).toBe(429);
    expect(codeOf(pastCap)).toBe("client_chat_limit");
    expect(ofOther).toEqual([200, 200, 200, 200, 200]);
    for (const refused of [pastBudget, anyoneElse]) {
      expect(refused.status).toBe(503);
      expect(codeOf(refused)).toBe("chat_budget_exhausted");
      expect(Number(refused.retryAfter)).toBeGreaterThan(0);
    }
    await stack.stop();
    stack = undefined;
  }, 600_000);

  it("answers image requests 503 images_paused on a stack started with IMAGES_ENABLED=false", async () => {
    // Prepare
    stack = await startStack({ IMAGES_ENABLED: "false" });
    const session = await openSession("127.0.0.2");

    // Act
    const paused = await askPartner("127.0.0.2", session);
    const chat = await say("127.0.0.2", session, PARTNER_ANSWERS[0]!);

    // Assess: pictures are paused; the interview goes on.
    expect(paused.status).toBe(503);
    expect(codeOf(paused)).toBe("images_paused");
    expect(Number(paused.retryAfter)).toBeGreaterThan(0);
    expect(chat.status).toBe(200);
  }, 300_000);
});
