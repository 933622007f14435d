import { expect } from "vitest";
import type { Schemas } from "../../client/index.ts";
import { INTERVIEWS } from "../fixtures/interviews.ts";
import { bearer, heraClient } from "./api.ts";

export interface OpenedSession {
  sessionId: string;
  sessionToken: string;
  reply: string;
}

/** The path parameters and Authorization header of a session's calls. */
export function asOwner(session: OpenedSession) {
  return { params: { path: { sessionId: session.sessionId } }, headers: bearer(session.sessionToken) };
}

/** Opens a session over HTTP, as the front end does. */
export async function openSessionOverHttp(baseUrl: string, locale: "ja" | "en"): Promise<OpenedSession> {
  const { data, response } = await heraClient(baseUrl).POST("/api/sessions", { body: { locale } });
  expect(response.status).toBe(201);
  return data!;
}

/** Answers the whole interview over HTTP and returns the last answer's body. */
export async function completeInterviewOverHttp(
  baseUrl: string,
  session: OpenedSession,
  locale: "ja" | "en",
): Promise<Schemas["MessageReply"]> {
  let last: Schemas["MessageReply"] | undefined;
  for (const text of INTERVIEWS[locale].answers) {
    const { data, response } = await heraClient(baseUrl).POST("/api/sessions/{sessionId}/messages", {
      ...asOwner(session),
      body: { text },
    });
    expect(response.status, text).toBe(200);
    last = data;
  }
  return last!;
}

/** Posts a presigned form as a browser does: the fields, then the file as a Blob, from the app's origin. */
export async function postPresignedForm(upload: Schemas["PhotoUploadForm"], bytes: Buffer, contentType: string): Promise<Response> {
  const form = new FormData();
  for (const [name, value] of Object.entries(upload.fields)) form.append(name, value);
  form.append("file", new Blob([new Uint8Array(bytes)], { type: contentType }), "photo");
  return fetch(upload.url, {
    method: "POST",
    body: form,
    headers: { Origin: "http://localhost:5173" },
    signal: AbortSignal.timeout(10_000),
  });
}

/** Uploads the user's photo through the API's presigned POST and waits until the session shows it ready. */
export async function uploadPhotoOverHttp(
  baseUrl: string,
  session: OpenedSession,
  bytes: Buffer,
  contentType: Schemas["RequestPhotoUploadRequest"]["contentType"],
): Promise<void> {
  const grant = await heraClient(baseUrl).POST("/api/sessions/{sessionId}/photos/user", {
    ...asOwner(session),
    body: { contentType, contentLength: bytes.length },
  });
  expect(grant.response.status).toBe(201);
  const posted = await postPresignedForm(grant.data!.upload, bytes, contentType);
  expect(posted.status).toBeLessThan(300);
  await pollSession(baseUrl, session, (view) => view.photo?.status === "ready", "photo ready");
}

/** Polls the session view until `done` holds, as a front end would, failing after `timeoutMs`. */
export async function pollSession(
  baseUrl: string,
  session: OpenedSession,
  done: (view: Schemas["SessionView"]) => boolean,
  what: string,
  timeoutMs = 20_000,
): Promise<Schemas["SessionView"]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { data, response } = await heraClient(baseUrl).GET("/api/sessions/{sessionId}", asOwner(session));
    expect(response.status).toBe(200);
    if (done(data!)) return data!;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
