import type { SessionLimit } from "../limits/enforce.ts";
import { logger } from "../observability/logger.ts";
import type { Session } from "../sessions/model.ts";
import { openSession } from "../sessions/sessions.ts";
import { bearerToken } from "../sessions/tokens.ts";
import { sessionStore } from "../wiring/sessions.ts";
import { sessionScope } from "./idempotency.ts";
import type { HttpRequest } from "./types.ts";

/** Which session a request names and the token it presents: the path's `sessionId` and the bearer header. */
export interface SessionCredentials {
  sessionId: string | undefined;
  token: string;
}

/** The session a request names and its bearer token (401 `missing_token` without one); every session route reads them so. */
export function sessionCredentials(request: Pick<HttpRequest<unknown>, "pathParameters" | "headers">): SessionCredentials {
  return { sessionId: request.pathParameters.sessionId, token: bearerToken(request.headers) };
}

/**
 * Opens the live session a request names, for the holder of its bearer token, and tags the request's logs with its id.
 * With `limit`, the call is also counted against the session's allowance, and a state-changing request claims its
 * Idempotency-Key (`request.claim`), both in the same Redis round trip as the read.
 */
export async function openRequestedSession(
  request: Pick<HttpRequest<unknown>, "pathParameters" | "headers"> & Partial<Pick<HttpRequest<unknown>, "claim">>,
  limit?: SessionLimit,
): Promise<Session> {
  const { claim } = request;
  const { sessionId, token } = sessionCredentials(request);
  const session = await openSession(
    sessionStore(),
    sessionId,
    token,
    limit,
    claim && ((id, tokenHash) => claim(sessionScope(id, tokenHash))),
  );
  logger.appendKeys({ sessionId: session.id });
  return session;
}
