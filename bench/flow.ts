import { setTimeout as sleep } from "node:timers/promises";
import { INTERVIEWS } from "../test/fixtures/interviews.ts";
import { bearer, type HeraClient, type Schemas } from "../client/index.ts";
import { benchClient, measure, postForm, timed, type Answer, type Recorder } from "./client.ts";

/** The endpoints as the report names them. */
export const LABELS = {
  openapi: "GET /api/openapi.json",
  notFound: "GET unknown route ($default: routeNotFound 404)",
  create: "POST /api/sessions",
  read: "GET /api/sessions/{id}",
  message: "POST /api/sessions/{id}/messages",
  photo: "POST /api/sessions/{id}/photos/user",
  upload: "POST presigned form (s3rver)",
  picture: "GET /api/sessions/{id}/photos/{name}",
  images: "POST /api/sessions/{id}/images",
  complete: "POST /api/sessions/{id}/complete",
  result: "GET /api/sessions/{id}/result",
  erase: "DELETE /api/sessions/{id}",
  health: "GET /api/health",
} as const;

export type Locale = "ja" | "en";

export interface Session {
  sessionId: string;
  sessionToken: string;
  locale: Locale;
}

type View = Schemas["SessionView"];
type Grant = Schemas["PhotoUploadGrant"];

const owner = (session: Session) => ({ params: { path: { sessionId: session.sessionId } }, headers: bearer(session.sessionToken) });

/** The API as the front end uses it, every call timed into a Recorder. */
export class FlowClient {
  readonly api: HeraClient;

  constructor(
    readonly baseUrl: string,
    readonly recorder: Recorder,
    /** How often the session view is polled while a photo or picture is pending: the demo page's 1 s (web/src/main.ts). */
    readonly pollIntervalMs = 1000,
  ) {
    this.api = benchClient(baseUrl);
  }

  async createSession(locale: Locale): Promise<Session> {
    const created = await timed(this.recorder, LABELS.create, [201], () =>
      measure(() => this.api.POST("/api/sessions", { body: { locale } })),
    );
    return { sessionId: created.body.sessionId, sessionToken: created.body.sessionToken, locale };
  }

  read(session: Session): Promise<Answer<View>> {
    return timed(this.recorder, LABELS.read, [200], () => measure(() => this.api.GET("/api/sessions/{sessionId}", owner(session))));
  }

  postMessage(session: Session, text: string) {
    return timed(this.recorder, LABELS.message, [200], () =>
      measure(() => this.api.POST("/api/sessions/{sessionId}/messages", { ...owner(session), body: { text } })),
    );
  }

  requestPhotoUpload(session: Session, bytes: Buffer, contentType: "image/jpeg" | "image/png" | "image/webp"): Promise<Answer<Grant>> {
    return timed(this.recorder, LABELS.photo, [201], () =>
      measure(() =>
        this.api.POST("/api/sessions/{sessionId}/photos/user", { ...owner(session), body: { contentType, contentLength: bytes.length } }),
      ),
    );
  }

  upload(grant: Grant, bytes: Buffer, contentType: string) {
    return timed(this.recorder, LABELS.upload, [200, 201, 204], () => postForm(grant.upload, bytes, contentType));
  }

  requestImage(session: Session, kind: "partner" | "child") {
    return timed(this.recorder, LABELS.images, [200, 202], () =>
      measure(() => this.api.POST("/api/sessions/{sessionId}/images", { ...owner(session), body: { kind } })),
    );
  }

  picture(session: Session, name: "user" | "partner" | "child") {
    return timed(this.recorder, LABELS.picture, [200], () =>
      measure(() =>
        this.api.GET("/api/sessions/{sessionId}/photos/{name}", {
          params: { path: { sessionId: session.sessionId, name } },
          headers: bearer(session.sessionToken),
        }),
      ),
    );
  }

  complete(session: Session) {
    return timed(this.recorder, LABELS.complete, [200], () =>
      measure(() => this.api.POST("/api/sessions/{sessionId}/complete", owner(session))),
    );
  }

  result(session: Session) {
    return timed(this.recorder, LABELS.result, [200], () =>
      measure(() => this.api.GET("/api/sessions/{sessionId}/result", owner(session))),
    );
  }

  erase(session: Session) {
    return timed(this.recorder, LABELS.erase, [204], () => measure(() => this.api.DELETE("/api/sessions/{sessionId}", owner(session))));
  }

  health() {
    return timed(this.recorder, LABELS.health, [200], () => measure(() => this.api.GET("/api/health")));
  }

  /** Polls the session view as the demo page does until `done` holds; a failed picture or photo ends it. */
  async pollUntil(session: Session, done: (view: View) => boolean, what: string, timeoutMs = 120_000): Promise<View> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const view = (await this.read(session)).body;
      if (typeof view !== "object" || view === null || typeof view.images !== "object" || view.images === null) {
        const detail = JSON.stringify(view);
        this.recorder.fail(LABELS.read, 200, `not a session view: ${String(detail).slice(0, 200)}`);
        throw new Error(`${what}: GET /api/sessions/{id} answered 200 without a session view: ${String(detail).slice(0, 200)}`);
      }
      if (view.photo?.status === "rejected") throw new Error(`${what}: the photo was rejected`);
      for (const image of [view.images.partner, view.images.child]) {
        if (image?.status === "failed") throw new Error(`${what}: an image failed (${image.error ?? "?"})`);
      }
      if (done(view)) return view;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await sleep(this.pollIntervalMs);
    }
  }
}

/** The interview answers that complete the profile in a locale (test/fixtures/interviews.ts). */
export const answersFor = (locale: Locale): readonly string[] => INTERVIEWS[locale].answers;

/** Predicates on the session view. */
export const isPhotoReady = (view: View) => view.photo?.status === "ready";
export const isImageReady = (kind: "partner" | "child") => (view: View) => view.images[kind]?.status === "ready";

/**
 * The whole flow of one visitor: open a session, answer the interview, upload the photo through the presigned POST,
 * generate the partner and then the child (polling the session view), and complete. Returns the session.
 */
export async function wholeFlow(client: FlowClient, photo: Buffer, locale: Locale, complete = true): Promise<Session> {
  const session = await client.createSession(locale);
  for (const text of answersFor(locale)) await client.postMessage(session, text);
  const grant = await client.requestPhotoUpload(session, photo, "image/jpeg");
  await client.upload(grant.body, photo, "image/jpeg");
  await client.pollUntil(session, isPhotoReady, "photo ready");
  await client.requestImage(session, "partner");
  await client.pollUntil(session, isImageReady("partner"), "partner image");
  await client.requestImage(session, "child");
  await client.pollUntil(session, isImageReady("child"), "child image");
  if (complete) await client.complete(session);
  return session;
}
