import { expect } from "vitest";
import { INTERVIEWS } from "../fixtures/interviews.ts";
import { api } from "./api.ts";

export interface OpenedSession {
  sessionId: string;
  sessionToken: string;
  reply: string;
}

/** Opens a session over HTTP, as the front end does. */
export async function openSessionOverHttp(baseUrl: string, locale: "ja" | "en"): Promise<OpenedSession> {
  const created = await api<OpenedSession>(baseUrl, "POST", "/api/sessions", { json: { locale } });
  expect(created.status).toBe(201);
  return created.body;
}

/** Answers the whole interview over HTTP and returns the last answer's body. */
export async function completeInterviewOverHttp(baseUrl: string, session: OpenedSession, locale: "ja" | "en") {
  let last: Record<string, unknown> = {};
  for (const text of INTERVIEWS[locale].answers) {
    const response = await api(baseUrl, "POST", `/api/sessions/${session.sessionId}/messages`, { json: { text }, token: session.sessionToken });
    expect(response.status, text).toBe(200);
    last = response.body;
  }
  return last;
}

interface UploadGrant {
  upload: { method: string; url: string; fields: Record<string, string>; expiresAt: string };
}

/** Posts a presigned form as a browser does: the fields, then the file as a Blob, from the app's origin. */
export async function postPresignedForm(upload: UploadGrant["upload"], bytes: Buffer, contentType: string): Promise<Response> {
  const form = new FormData();
  for (const [name, value] of Object.entries(upload.fields)) form.append(name, value);
  form.append("file", new Blob([new Uint8Array(bytes)], { type: contentType }), "photo");
  return fetch(upload.url, { method: "POST", body: form, headers: { Origin: "http://localhost:5173" }, signal: AbortSignal.timeout(10_000) });
}

/** Uploads the user's photo through the API's presigned POST and waits until the session shows it ready. */
export async function uploadPhotoOverHttp(baseUrl: string, session: OpenedSession, bytes: Buffer, contentType: string): Promise<void> {
  const grant = await api<UploadGrant>(baseUrl, "POST", `/api/sessions/${session.sessionId}/photos/user`, {
    json: { contentType, contentLength: bytes.length },
    token: session.sessionToken,
  });
  expect(grant.status).toBe(201);
  const posted = await postPresignedForm(grant.body.upload, bytes, contentType);
  expect(posted.status).toBeLessThan(300);
  await pollSession(baseUrl, session, (view) => (view.photo as { status?: string } | null)?.status === "ready", "photo ready");
}

/** Polls the session view until `done` holds, as a front end would, failing after `timeoutMs`. */
export async function pollSession(
  baseUrl: string,
  session: OpenedSession,
  done: (view: Record<string, unknown>) => boolean,
  what: string,
  timeoutMs = 20_000,
): Promise<Record<string, unknown>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const view = await api(baseUrl, "GET", `/api/sessions/${session.sessionId}`, { token: session.sessionToken });
    expect(view.status).toBe(200);
    if (done(view.body)) return view.body;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
