import { createLambdaClient } from "../clients/lambda.ts";
import type { LambdaClient } from "@aws-sdk/client-lambda";
import { createLambdaDispatcher, type JobDispatcher } from "../images/dispatch.ts";
import type { ImageRequestDeps } from "../images/request.ts";
import { lostJobAfterMs } from "../sessions/model.ts";
import type { ImageWorkerDeps } from "../images/worker.ts";
import { imageProviderTraits, type ImageProvider, type ImageProviderTraits } from "../images/provider.ts";
import { selectImageProvider } from "../images/select.ts";
import { getConfig } from "./config.ts";
import { imageRateLimiter, imageSpendLimiter } from "./limits.ts";
import { imagesSwitch } from "./switches.ts";
import { secret } from "./secrets.ts";
import { objectLinks, objectStore } from "./photos.ts";
import { sessionStore } from "./sessions.ts";

let images: ImageProvider | undefined;
let lambda: LambdaClient | undefined;

/** The image provider chosen by IMAGE_PROVIDER (local unless configured otherwise): the worker's. */
export function imageProvider(): ImageProvider {
  const config = getConfig();
  images ??= selectImageProvider({
    provider: config.IMAGE_PROVIDER,
    model: config.IMAGE_MODEL,
    // Only the worker generates (and is given the key).
    apiKey: secret("GEMINI_API_KEY"),
    baseUrl: config.GEMINI_BASE_URL,
  });
  return images;
}

/** What the request side knows of the configured provider, without loading it: requestImage ships no sharp and no SDK. */
function imageTraits(): ImageProviderTraits {
  const config = getConfig();
  return imageProviderTraits({ provider: config.IMAGE_PROVIDER, model: config.IMAGE_MODEL });
}

/** The async invocation of the image worker (locally serverless-offline's Lambda endpoint), on the process-wide client. */
function imageDispatcher(signal: AbortSignal | undefined): JobDispatcher {
  const config = getConfig();
  lambda ??= createLambdaClient({
    region: config.AWS_REGION,
    endpoint: config.LAMBDA_ENDPOINT,
    requestTimeoutMs: config.DEPENDENCY_TIMEOUT_MS,
  });
  return createLambdaDispatcher(lambda, config.IMAGE_WORKER_FUNCTION, config.DEPENDENCY_TIMEOUT_MS, signal);
}

/**
 * What a request for a picture needs: the store, the limiters (the session's; the client address's and the stage's,
 * bound to the request's address) and the async invocation of the image worker.
 */
export function imageRequestDeps(sourceIp: string, signal?: AbortSignal): ImageRequestDeps {
  const config = getConfig();
  return {
    store: sessionStore(),
    objects: objectLinks(),
    dispatcher: imageDispatcher(signal),
    limiter: imageRateLimiter(),
    spend: () => imageSpendLimiter().spend(sourceIp),
    imagesSwitch: imagesSwitch(),
    traits: imageTraits(),
    downloadTtlSeconds: config.DOWNLOAD_URL_TTL_SECONDS,
    staleAfterMs: lostJobAfterMs(config.IMAGE_TIMEOUT_SECONDS),
  };
}

/** What the image worker needs; `signal` is the function's own early-timeout signal. */
export function imageWorkerDeps(signal?: AbortSignal): ImageWorkerDeps {
  const config = getConfig();
  return {
    store: sessionStore(),
    provider: imageProvider(),
    objects: objectStore(signal),
    timeoutMs: config.IMAGE_TIMEOUT_SECONDS * 1000,
    // Generated pictures are made here, but the user photo is the largest source allowed in.
    maxSourceBytes: config.MAX_PHOTO_BYTES,
    imagesSwitch: imagesSwitch(),
    ...(signal ? { signal } : {}),
  };
}
