// @ts-check
// Who calls the local services: each function of the local stack gets an access key id of its own, made from its
// deployed name, so that the checking proxy in front of the local S3, DynamoDB and Lambda endpoints
// (dev/iam/proxy.ts) knows which function's role to hold a request against. Local only: the local-stack plugin
// (deploy/local-stack.mjs) puts these in the functions' environment for `sls offline` alone, never in a package.

/** Every local function key starts with this; the rest is the function's deployed name. */
const PREFIX = "HERALOCAL-";

/** The secret of every local function key: the proxy and s3rver verify signatures with it. Not a secret anywhere. */
export const LOCAL_SECRET_ACCESS_KEY = "hera-local-function-secret";

/**
 * The local access key id of the function deployed as `functionName` (e.g. hera-api-dev-completeSession).
 * @param {string} functionName
 * @returns {string}
 */
export function accessKeyIdOf(functionName) {
  return `${PREFIX}${functionName}`;
}

/**
 * The deployed name of the function that holds this local access key id, or undefined for any other key (the
 * tests' own harness key, S3RVER, which is not a function and is not checked).
 * @param {string} accessKeyId
 * @returns {string | undefined}
 */
export function functionOfAccessKeyId(accessKeyId) {
  return accessKeyId.startsWith(PREFIX) ? accessKeyId.slice(PREFIX.length) : undefined;
}
