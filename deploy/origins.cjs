// @ts-check
// The browser origins a stage allows, resolved by serverless.yml as `${file(./deploy/origins.cjs)}`: the stage's
// one list (`params.<stage>.allowedOrigins`) plus any `extraOrigins` given for one deploy, e.g.
// `--param="extraOrigins=http://localhost:5173"` to call staging from a front end on a developer's machine.
// The HTTP API's CORS configuration and the photo bucket's CORS rule both use the result.

/** Origins API Gateway and S3 accept: a scheme, a host and an optional port; no path, no trailing slash. */
const ORIGIN = /^https?:\/\/(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*(?::\d{1,5})?$/;
const LOCAL_HOST = /^http:\/\/(?:localhost|127\.0\.0\.1)(?::\d{1,5})?$/;

/**
 * Merges a stage's origins with the extra ones and checks them: each is a bare origin, `*` stands alone, a plain
 * `http://` origin is only ever a developer's own machine, and a stage that does not allow those refuses them.
 * @param {{ stage: string, listed: unknown, extra: unknown, localAllowed: boolean }} input
 * @returns {string[]}
 */
function allowedOrigins({ stage, listed, extra, localAllowed }) {
  if (!Array.isArray(listed) || listed.length === 0) {
    throw new Error(`params.${stage}.allowedOrigins must list the stage's browser origins (a YAML list)`);
  }
  const extras =
    typeof extra === "string"
      ? extra
          .split(",")
          .map((origin) => origin.trim())
          .filter(Boolean)
      : [];
  const origins = [...new Set([...listed.map(String), ...extras])];
  if (origins.includes("*")) {
    if (origins.length > 1) throw new Error(`allowedOrigins of ${stage}: "*" cannot be combined with other origins`);
    return origins;
  }
  for (const origin of origins) {
    if (!ORIGIN.test(origin)) throw new Error(`allowedOrigins of ${stage}: "${origin}" is not an origin (scheme://host[:port], no path)`);
    if (origin.startsWith("http://") && !LOCAL_HOST.test(origin)) {
      throw new Error(`allowedOrigins of ${stage}: "${origin}" is plain http; only a localhost origin may be`);
    }
    if (LOCAL_HOST.test(origin) && !localAllowed) {
      throw new Error(
        `allowedOrigins of ${stage}: "${origin}" is a developer's machine, which this stage does not allow (params.${stage}.localOriginsAllowed)`,
      );
    }
  }
  return origins;
}

/**
 * @param {{ resolveVariable: (variable: string) => Promise<unknown> }} serverless
 * @returns {Promise<string[]>}
 */
async function resolveFromServerless({ resolveVariable }) {
  const stage = String(await resolveVariable("sls:stage"));
  return allowedOrigins({
    stage,
    listed: await resolveVariable("param:allowedOrigins"),
    extra: await resolveVariable("param:extraOrigins"),
    localAllowed: String(await resolveVariable("param:localOriginsAllowed")) === "true",
  });
}
module.exports = Object.assign(resolveFromServerless, { allowedOrigins });
