import { readFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import sharp from "sharp";
import { describe, expect, inject, it } from "vitest";
import { heraClient } from "../helpers/api.ts";
import { asOwner, openSessionOverHttp, uploadPhotoOverHttp } from "../helpers/flows.ts";

const stack = inject("stack");

interface LogLine {
  level: string;
  message: string;
  timestamp: string;
  service: string;
  function_name: string;
  function_request_id: string;
  cold_start: boolean;
  sessionId?: string;
}

/** The structured (JSON) lines of the stack's log, as CloudWatch would store them. */
function jsonLines(log: string): LogLine[] {
  return log.split("\n").flatMap((line) => {
    if (!line.startsWith("{")) return [];
    try {
      return [JSON.parse(line) as LogLine];
    } catch {
      return [];
    }
  });
}

/** Waits until the log holds a line that `done` accepts: serverless-offline's output reaches the file asynchronously. */
async function logUntil(done: (log: string) => boolean): Promise<string> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const log = readFileSync(stack.logFile, "utf8");
    if (done(log)) return log;
    if (Date.now() > deadline) throw new Error("the expected log lines never arrived");
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe("what the functions log", () => {
  it("logs JSON lines with the session id, and never a token, a message, a profile value or a presigned URL", async () => {
    // Values no other test uses, so that finding one in the log can only mean this session leaked it.
    const marker = randomBytes(4).toString("hex");
    const place = `Quixotria Vale ${marker}`;
    const income = `About 7 million quatloos ${marker} a year`;
    const partnerName = `Zephyrine${marker}`;
    const answers = [
      "I'm thirty-four",
      "male",
      "I'm single",
      `I live in ${place}.`,
      income,
      "4/5",
      "not really",
      `I'd call her ${partnerName}`,
    ];

    const session = await openSessionOverHttp(stack.baseUrl, "en");
    let profile: Record<string, unknown> = {};
    for (const text of answers) {
      const answered = await heraClient(stack.baseUrl).POST("/api/sessions/{sessionId}/messages", { ...asOwner(session), body: { text } });
      expect(answered.response.status, text).toBe(200);
      profile = answered.data!.profile;
    }
    // The distinctive values really are profile values now, not only message text.
    expect(profile).toMatchObject({ location: place, incomeRange: income, partner: { name: partnerName } });

    const grant = await heraClient(stack.baseUrl).POST("/api/sessions/{sessionId}/photos/user", {
      ...asOwner(session),
      body: { contentType: "image/png", contentLength: 1 },
    });
    expect(grant.response.status).toBe(201);
    const photo = await sharp({ create: { width: 32, height: 32, channels: 3, background: { r: 10, g: 160, b: 90 } } })
      .png()
      .toBuffer();
    await uploadPhotoOverHttp(stack.baseUrl, session, photo, "image/png");
    const link = await heraClient(stack.baseUrl).GET("/api/sessions/{sessionId}/photos/{name}", {
      ...asOwner(session),
      params: { path: { sessionId: session.sessionId, name: "user" } },
    });
    expect(link.response.status).toBe(200);

    const mine = (lines: LogLine[]) => lines.filter((line) => line.sessionId === session.sessionId);
    // The last call's request line, and the S3-event function's verdict, are in: everything before them is too.
    const log = await logUntil(
      (text) =>
        text.includes(`GET /api/sessions/${session.sessionId}/photos/user (λ: getPhoto)`) &&
        mine(jsonLines(text)).some((line) => line.message === "photo checked"),
    );

    const lines = mine(jsonLines(log));
    expect(lines.map((line) => line.message)).toEqual(
      expect.arrayContaining(["session created", "message answered", "photo upload granted", "photo checked"]),
    );
    for (const line of lines) {
      expect(line).toMatchObject({
        level: expect.any(String),
        service: "hera-api",
        timestamp: expect.any(String),
        cold_start: expect.any(Boolean),
      });
      expect(line.function_name).toMatch(/^hera-api-dev-/);
      expect(line.function_request_id).toEqual(expect.any(String));
    }

    const { Policy: policy, "X-Amz-Signature": postSignature } = grant.data!.upload.fields;
    const getSignature = new URL(link.data!.url).searchParams.get("X-Amz-Signature");
    expect([policy, postSignature, getSignature]).toEqual([expect.any(String), expect.any(String), expect.any(String)]);
    const secrets: Array<[string, string]> = [
      ["session token", session.sessionToken],
      // Short answers ("male", "4/5") could occur in any log by chance; the others cannot.
      ...answers.filter((text) => text.length >= 10).map((text): [string, string] => ["message text", text]),
      ["location", place],
      ["income range", income],
      ["partner name", partnerName],
      ["presigned POST policy", policy!],
      ["presigned POST signature", postSignature!],
      ["presigned GET URL", link.data!.url],
      ["presigned GET signature", getSignature!],
    ];
    for (const [what, value] of secrets) expect(log.includes(value), `${what} in ${stack.logFile}`).toBe(false);
  });
});
