// The demo page's view of Hera's public HTTP API (docs/api.md), over the generated client (client/): every call,
// path and body is typed from openapi.json. It keeps the session's bearer token in memory only: never in
// localStorage, sessionStorage, a cookie or the URL, so closing the tab forgets it.
import { bearer, createHeraClient, isErrorBody, type Schemas } from "../../client/index.ts";

export type Locale = Schemas["Locale"];
export type ImageKind = Schemas["ImageKind"];
export type ProfileField = Schemas["ProfileField"];
export type PersonalityTrait = keyof Schemas["Personality"];
export type Profile = Schemas["Profile"];
export type PhotoView = Schemas["PhotoView"];
export type ImageView = Schemas["ImageView"];
export type ChatMessage = Schemas["ChatMessage"];
export type SessionView = Schemas["SessionView"];
export type CreatedSession = Schemas["CreatedSession"];
export type MessageReply = Schemas["MessageReply"];
export type UploadGrant = Schemas["PhotoUploadGrant"];
export type CompletedSession = Schemas["CompletedSession"];

/** The answer to a picture request: the job under way (202), or the picture already made (200, with its `url`). */
export interface RequestedImage {
  image: { kind: ImageKind; status: ImageView["status"]; jobId: string; url?: string };
}

/**
 * A failed call, with the API's stable `code` (or one of the client's own: `network_error`,
 * `upload_failed`, `unexpected_response`) so the page can say what happened in the person's language.
 */
export class ApiError extends Error {
  override readonly name = "ApiError";

  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}

const REQUEST_TIMEOUT_MS = 30_000;

/** What openapi-fetch answers: the parsed body of a success or of a refusal, and the response. */
interface Answer<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/** One Hera session as seen from the browser. */
export class HeraClient {
  readonly #api: ReturnType<typeof createHeraClient>;
  #session: { id: string; token: string } | null = null;

  constructor(baseUrl: string) {
    // A POST whose answer was lost, or that met a 503, is sent again under its Idempotency-Key: applied once.
    this.#api = createHeraClient({ baseUrl, headers: { Accept: "application/json" }, retries: 2 });
  }

  /** The current session's id (not a secret: the token is), or null. */
  get sessionId(): string | null {
    return this.#session?.id ?? null;
  }

  /** Opens a session and keeps its token for the calls that follow. */
  async createSession(locale: Locale): Promise<CreatedSession> {
    const created = await this.#call(() => this.#api.POST("/api/sessions", { body: { locale }, signal: timeout() }));
    this.#session = { id: created.sessionId, token: created.sessionToken };
    return created;
  }

  getSession(): Promise<SessionView> {
    return this.#call(() => this.#api.GET("/api/sessions/{sessionId}", { ...this.#owner(), signal: timeout() }));
  }

  sendMessage(text: string): Promise<MessageReply> {
    return this.#call(() => this.#api.POST("/api/sessions/{sessionId}/messages", { ...this.#owner(), body: { text }, signal: timeout() }));
  }

  requestPhotoUpload(contentType: string, contentLength: number): Promise<UploadGrant> {
    // A file's type is whatever the browser says; the API refuses any but JPEG, PNG and WebP with a 400 the page shows.
    const body = { contentType: contentType as Schemas["RequestPhotoUploadRequest"]["contentType"], contentLength };
    return this.#call(() => this.#api.POST("/api/sessions/{sessionId}/photos/user", { ...this.#owner(), body, signal: timeout() }));
  }

  /** Posts the photo straight to S3 with the presigned form: its fields first, the file last. */
  async uploadPhoto(grant: UploadGrant["upload"], file: Blob): Promise<void> {
    const form = new FormData();
    for (const [name, value] of Object.entries(grant.fields)) form.append(name, value);
    form.append("file", file);
    let response: Response;
    try {
      // S3, not the API: the form is not part of the API's contract, so it goes by plain fetch.
      response = await fetch(grant.url, { method: "POST", body: form, signal: timeout() });
    } catch (error) {
      throw networkError(error);
    }
    if (!response.ok) {
      // S3 answers with XML; its <Code> (e.g. EntityTooLarge, AccessDenied) is kept for the details.
      const text = await response.text().catch(() => "");
      const s3Code = /<Code>([^<]+)<\/Code>/.exec(text)?.[1];
      throw new ApiError(response.status, "upload_failed", `S3 refused the upload (${response.status})`, { s3Code });
    }
  }

  requestImage(kind: ImageKind): Promise<RequestedImage> {
    return this.#call(() => this.#api.POST("/api/sessions/{sessionId}/images", { ...this.#owner(), body: { kind }, signal: timeout() }));
  }

  complete(): Promise<CompletedSession> {
    return this.#call(() => this.#api.POST("/api/sessions/{sessionId}/complete", { ...this.#owner(), signal: timeout() }));
  }

  /** Erases everything of the session on the server, then forgets its token. */
  async erase(): Promise<void> {
    await this.#call(() => this.#api.DELETE("/api/sessions/{sessionId}", { ...this.#owner(), signal: timeout() }), { empty: true });
    this.#session = null;
  }

  /** Forgets the session without calling the server (it is gone there already). */
  forget(): void {
    this.#session = null;
  }

  #owner() {
    if (!this.#session) throw new ApiError(0, "no_session", "No session is open.");
    return { params: { path: { sessionId: this.#session.id } }, headers: bearer(this.#session.token) };
  }

  async #call<T>(send: () => Promise<Answer<T>>, options: { empty?: boolean } = {}): Promise<T> {
    let answer: Answer<T>;
    try {
      answer = await send();
    } catch (error) {
      if (error instanceof ApiError) throw error;
      throw networkError(error);
    }
    const { data, error, response } = answer;
    if (response.ok && (data !== undefined || options.empty)) return data as T;
    throw toApiError(response, error);
  }
}

function timeout(): AbortSignal {
  return AbortSignal.timeout(REQUEST_TIMEOUT_MS);
}

function networkError(error: unknown): ApiError {
  const reason = error instanceof Error ? error.name : "unknown";
  return new ApiError(0, "network_error", `The request did not reach the server (${reason}).`);
}

function toApiError(response: Response, payload: unknown): ApiError {
  const retryAfter = Number(response.headers.get("Retry-After"));
  const retryAfterSeconds = Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : undefined;
  if (isErrorBody(payload)) {
    return new ApiError(response.status, payload.error.code, payload.error.message, payload.error.details, retryAfterSeconds);
  }
  return new ApiError(response.status, "unexpected_response", `Unexpected response (${response.status}).`, undefined, retryAfterSeconds);
}
