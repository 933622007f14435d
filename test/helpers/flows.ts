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
