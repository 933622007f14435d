import { bearerToken, httpHandler } from "../lib/http/handler.ts";
import { readResult } from "../lib/results/results.ts";
import { resultDeps } from "../lib/runtime.ts";

export const handler = httpHandler({}, async (request) => {
  const result = await readResult(resultDeps(), request.pathParameters.sessionId, bearerToken(request.headers));
  return { status: 200, body: result };
});
