// A browser client of Hera's public HTTP API (SPEC §3). It keeps the session's bearer token in
// memory only: never in localStorage, sessionStorage, a cookie or the URL, so closing the tab forgets it.

export type Locale = "ja" | "en";
export type ImageKind = "partner" | "child";
export type ProfileField = "age" | "gender" | "relationshipStatus" | "location" | "incomeRange" | "personality" | "partner" | "children";
export type PersonalityTrait = "openness" | "conscientiousness" | "extraversion" | "agreeableness" | "neuroticism";

export interface Profile {
  age?: number;
  gender?: string;
  relationshipStatus?: string;
  location?: string;
  incomeRange?: string;
  personality?: Partial<Record<PersonalityTrait, number>>;
  partner?: { name?: string; temperament?: string; appearance?: string };
  children?: Array<{ name?: string; desiredGender?: string }>;
}

export interface PhotoView {
  status: "pending" | "ready" | "rejected";
  contentType: string;
  size?: number;
  url?: string;
  reason?: string;
}

export interface ImageView {
  status: "pending" | "running" | "ready" | "failed";
  jobId: string;
  url?: string;
  error?: string;
}

export interface ChatMessage {
  role: "user" | "assistant";
  text: string;
  at: string;
}

export interface SessionView {
  sessionId: string;
  status: "collecting" | "completed";
  locale: Locale;
  createdAt: string;
  updatedAt: string;
  expiresAt: string;
  profile: Profile;
  missingFields: string[];
  profileComplete: boolean;
  messages: ChatMessage[];
  photo: PhotoView | null;
  images: { partner: ImageView | null; child: ImageView | null };
  completedAt?: string;
}

export interface CreatedSession {
  sessionId: string;
  sessionToken: string;
  status: "collecting";
  createdAt: string;
  expiresAt: string;
  reply: string;
}

export interface MessageReply {
  reply: string;
  extracted: string[];
  profile: Profile;
  missingFields: string[];
  profileComplete: boolean;
  status: "collecting" | "completed";
}

export interface UploadGrant {
  upload: { method: "POST"; url: string; fields: Record<string, string>; expiresAt: string };
  photo: { status: "pending" };
}

export interface RequestedImage {
  image: { kind: ImageKind; status: ImageView["status"]; jobId: string; url?: string };
}

export interface CompletedSession {
  status: "completed";
  completedAt: string;
  result: {
    profile: Profile;
    photo: { url: string } | null;
    images: { partner: { url: string } | null; child: { url: string } | null };
  };
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

/** One Hera session as seen from the browser. */
export class HeraClient {
  readonly #baseUrl: string;
  #session: { id: string; token: string } | null = null;

  constructor(baseUrl: string) {
    this.#baseUrl = baseUrl.replace(/\/+$/, "");
  }

  /** The current session's id (not a secret: the token is), or null. */
  get sessionId(): string | null {
    return this.#session?.id ?? null;
  }

  /** Opens a session and keeps its token for the calls that follow. */
  async createSession(locale: Locale): Promise<CreatedSession> {
    const created = await this.#call<CreatedSession>("POST", "/api/sessions", { json: { locale }, auth: false });
    this.#session = { id: created.sessionId, token: created.sessionToken };
    return created;
  }

  getSession(): Promise<SessionView> {
    return this.#call<SessionView>("GET", this.#path(""));
  }

  sendMessage(text: string): Promise<MessageReply> {
    return this.#call<MessageReply>("POST", this.#path("/messages"), { json: { text } });
  }

  requestPhotoUpload(contentType: string, contentLength: number): Promise<UploadGrant> {
    return this.#call<UploadGrant>("POST", this.#path("/photos/user"), { json: { contentType, contentLength } });
  }

  /** Posts the photo straight to S3 with the presigned form: its fields first, the file last. */
  async uploadPhoto(grant: UploadGrant["upload"], file: Blob): Promise<void> {
    const form = new FormData();
    for (const [name, value] of Object.entries(grant.fields)) form.append(name, value);
    form.append("file", file);
    let response: Response;
    try {
      response = await fetch(grant.url, { method: "POST", body: form, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
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
    return this.#call<RequestedImage>("POST", this.#path("/images"), { json: { kind } });
  }

  complete(): Promise<CompletedSession> {
    return this.#call<CompletedSession>("POST", this.#path("/complete"));
  }

  /** Erases everything of the session on the server, then forgets its token. */
  async erase(): Promise<void> {
    await this.#call<undefined>("DELETE", this.#path(""));
    this.#session = null;
  }

  /** Forgets the session without calling the server (it is gone there already). */
  forget(): void {
    this.#session = null;
  }

  #path(suffix: string): string {
    if (!this.#session) throw new ApiError(0, "no_session", "No session is open.");
    return `/api/sessions/${encodeURIComponent(this.#session.id)}${suffix}`;
  }

  async #call<T>(method: string, path: string, options: { json?: unknown; auth?: boolean } = {}): Promise<T> {
    const headers: Record<string, string> = { Accept: "application/json" };
    if (options.auth !== false && this.#session) headers.Authorization = `Bearer ${this.#session.token}`;
    let body: string | undefined;
    if (options.json !== undefined) {
      headers["Content-Type"] = "application/json";
      body = JSON.stringify(options.json);
    }
    let response: Response;
    try {
      response = await fetch(`${this.#baseUrl}${path}`, { method, headers, body, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    } catch (error) {
      throw networkError(error);
    }
    if (response.status === 204) return undefined as T;
    const payload = await response.json().catch(() => undefined);
    if (response.ok && payload !== undefined) return payload as T;
    throw toApiError(response, payload);
  }
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

function isErrorBody(payload: unknown): payload is { error: { code: string; message: string; details?: unknown } } {
  if (typeof payload !== "object" || payload === null || !("error" in payload)) return false;
  const error: unknown = payload.error;
  return typeof error === "object" && error !== null && "code" in error && typeof error.code === "string" && "message" in error;
}
