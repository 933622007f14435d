import { RouteNotFoundError } from "../lib/errors.ts";
import { httpHandler } from "../lib/http/handler.ts";
import { routeNotFoundRoute } from "../lib/schemas/routes.ts";

// The API's `$default` route: every method and path that no other route takes. Without it API Gateway answers such
// a request itself, with a body and headers the project does not control; this way it gets the error shape and the
// headers of every other answer.
export const handler = httpHandler(routeNotFoundRoute, async () => {
  throw new RouteNotFoundError();
});
