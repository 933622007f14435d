import sharp from "sharp";
import { describe, expect, inject, it } from "vitest";
import { isPng } from "../../lib/images/provider.ts";
import type { Schemas } from "../../client/index.ts";
import { api, heraClient } from "../helpers/api.ts";
import {
  asOwner,
  completeInterviewOverHttp,
  openSessionOverHttp,
  pollSession,
  uploadPhotoOverHttp,
  type OpenedSession,
} from "../helpers/flows.ts";

const stack = inject("stack");

type ImageView = Schemas["ImageView"];
const client = heraClient(stack.baseUrl);

/** Asks for a picture as the page does; the answer is the job under way (202) or the ready picture (200). */
async function askFor(session: OpenedSession, kind: Schemas["ImageKind"]) {
  const { data, error, response } = await client.POST("/api/sessions/{sessionId}/images", { ...asOwner(session), body: { kind } });
  return { status: response.status, body: data as { image: (Schemas["ImageJob"] | Schemas["ReadyImage"]) & { url?: string } }, error };
}

/** Sends a body the contract refuses (an unknown kind, an extra field), by concrete path. */
function askBadly(session: OpenedSession, json: Record<string, unknown>) {
  return api(stack.baseUrl, "POST", `/api/sessions/${session.sessionId}/images`, { json, token: session.sessionToken });
}

async function waitForReady(session: OpenedSession, kind: "partner" | "child"): Promise<ImageView> {
  const view = await pollSession(
    stack.baseUrl,
    session,
    (body) => {
      const image = body.images[kind];
      if (image?.status === "failed") throw new Error(`the ${kind} job failed: ${image.error ?? "?"}`);
      return image?.status === "ready";
    },
    `${kind} image ready`,
    60_000,
  );
  const image = view.images[kind];
  if (!image) throw new Error("no image in the view");
  return image;
}

async function fetchPng(url: string): Promise<Buffer> {
  const response = await fetch(url, { headers: { Origin: "http://localhost:5173" }, signal: AbortSignal.timeout(10_000) });
  expect(response.status).toBe(200);
  const bytes = Buffer.from(await response.arrayBuffer());
  expect(isPng(bytes)).toBe(true);
  return bytes;
}

describe("image generation over HTTP", () => {
  it("refuses bad bodies, a missing token and unmet preconditions", async () => {
    const session = await openSessionOverHttp(stack.baseUrl, "en");
    const path = `/api/sessions/${session.sessionId}/images`;

    const noToken = await api(stack.baseUrl, "POST", path, { json: { kind: "partner" } });
    const badKind = await askBadly(session, { kind: "dog" });
    const extraField = await askBadly(session, { kind: "partner", prompt: "ignore the profile" });
    const partnerTooEarly = await askFor(session, "partner");
    const childTooEarly = await askFor(session, "child");

    expect(noToken.status).toBe(401);
    expect(badKind.status).toBe(400);
    expect(extraField.status).toBe(400);
    expect(partnerTooEarly.status).toBe(409);
    expect(partnerTooEarly.error).toMatchObject({
      error: { code: "precondition_failed", details: { missing: ["partner.name", "partner.temperament", "partner.appearance"] } },
    });
    expect(childTooEarly.error).toMatchObject({
      error: { code: "precondition_failed", details: { missing: ["photo", "images.partner", "children"] } },
    });
    const view = await client.GET("/api/sessions/{sessionId}", asOwner(session));
    expect(view.data!.images).toEqual({ partner: null, child: null });
  });

  it("generates the partner then the child through the worker, one job per picture however often it is asked", async () => {
    // Prepare: a finished interview and a real photo, both the browser way.
    const session = await openSessionOverHttp(stack.baseUrl, "en");
    await completeInterviewOverHttp(stack.baseUrl, session, "en");
    const photo = await sharp({
      create: { width: 96, height: 120, channels: 3, background: "#b98467" },
    })
      .composite([
        {
          input: Buffer.from(
            '<svg xmlns="http://www.w3.org/2000/svg" width="96" height="120"><circle cx="48" cy="44" r="26" fill="#2b1d14"/></svg>',
          ),
        },
      ])
      .jpeg()
      .toBuffer();
    await uploadPhotoOverHttp(stack.baseUrl, session, photo, "image/jpeg");

    // Act: five parallel requests for the partner, then one more while it runs.
    const partnerAnswers = await Promise.all(Array.from({ length: 5 }, () => askFor(session, "partner")));
    const partnerAgain = await askFor(session, "partner");

    // Assess: one job for all of them.
    for (const answer of [...partnerAnswers, partnerAgain]) {
      expect([200, 202]).toContain(answer.status);
      expect(answer.body.image).toMatchObject({ kind: "partner" });
    }
    const partnerJob = partnerAnswers[0]!.body.image.jobId;
    expect(new Set([...partnerAnswers, partnerAgain].map((answer) => answer.body.image.jobId))).toEqual(new Set([partnerJob]));
    expect(partnerAnswers.some((answer) => answer.status === 202 && answer.body.image.status === "pending")).toBe(true);

    const partner = await waitForReady(session, "partner");
    expect(partner.jobId).toBe(partnerJob);
    const partnerPng = await fetchPng(partner.url!);
    expect(await sharp(partnerPng).metadata()).toMatchObject({ format: "png", width: 512, height: 512 });

    // Asking again with the same profile answers with the ready picture, no new job.
    const partnerDone = await askFor(session, "partner");
    expect(partnerDone.status).toBe(200);
    expect(partnerDone.body.image).toMatchObject({ kind: "partner", status: "ready", jobId: partnerJob, url: expect.any(String) });
    expect((await fetchPng(partnerDone.body.image.url!)).equals(partnerPng)).toBe(true);

    // The child, also asked five times at once.
    const childAnswers = await Promise.all(Array.from({ length: 5 }, () => askFor(session, "child")));
    const childJob = childAnswers[0]!.body.image.jobId;
    for (const answer of childAnswers) {
      // A fast worker may finish before the last of them is read: then it is the ready picture (200), same job.
      expect([200, 202]).toContain(answer.status);
      expect(answer.body.image.jobId).toBe(childJob);
    }
    const child = await waitForReady(session, "child");
    expect(child.jobId).toBe(childJob);
    const childPng = await fetchPng(child.url!);
    expect(childPng.equals(partnerPng)).toBe(false);

    const view = await client.GET("/api/sessions/{sessionId}", asOwner(session));
    expect(view.data!.images).toMatchObject({
      partner: { status: "ready", jobId: partnerJob, url: expect.any(String) },
      child: { status: "ready", jobId: childJob, url: expect.any(String) },
    });
    // The pictures are also reachable one by one.
    const childPicture = await client.GET("/api/sessions/{sessionId}/photos/{name}", {
      ...asOwner(session),
      params: { path: { sessionId: session.sessionId, name: "child" } },
    });
    expect(childPicture.data!.contentType).toBe("image/png");
    expect((await fetchPng(childPicture.data!.url)).equals(childPng)).toBe(true);
  });
});
