// The shapes the HTTP chain shares: what it reads of an API Gateway event, what a handler sees and returns.

/** The parts of an API Gateway HTTP API (v2) event that the chain reads; lib/ knows nothing more of the event. */
export interface HttpEvent {
  headers?: Record<string, string | undefined>;
  body?: unknown;
  isBase64Encoded?: boolean;
  pathParameters?: Record<string, string | undefined> | null;
  rawPath?: string;
  requestContext?: { http?: { method?: string; path?: string; sourceIp?: string }; requestId?: string };
}

export interface HttpResponse {
  statusCode: number;
  headers: Record<string, string>;
  body?: string;
}

/** What a handler sees: a validated body and plain request facts. */
export interface HttpRequest<Body> {
  body: Body;
  pathParameters: Record<string, string | undefined>;
  headers: Record<string, string | undefined>;
  sourceIp: string;
  requestId: string;
  /** Aborted shortly before Lambda's own timeout, for outbound calls that may hang. */
  signal: AbortSignal;
  /**
   * Claims the request's Idempotency-Key in a scope (lib/http/idempotency.ts), before anything changes: resolves at once
   * without a key; throws the stored answer of a repeat, 409 while the first runs, 422 for another request's key.
   * Call it beside the first Redis read, so that it costs no round trip of its own.
   */
  claim: (scope: IdempotencyScope) => Promise<void>;
}

/** What a handler returns: a status and a JSON-able body. */
export interface HttpResult {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** What a key is kept under: a bucket (one Redis hash: a session's, or a client address's) and an owner within it. */
export interface IdempotencyScope {
  bucket: string;
  owner: string;
}
