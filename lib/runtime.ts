import { DynamoResultArchive } from "./results/dynamo-result-archive.ts";
import type { ResultArchive } from "./results/model.ts";
import type { ResultDeps } from "./results/results.ts";
import { dynamoClient } from "./clients/dynamodb.ts";
import { S3ObjectStore } from "./storage/s3-object-store.ts";
import type { ObjectStore } from "./storage/objects.ts";
import type { PhotoDeps } from "./photos/photos.ts";
import { publicS3Client, s3Client } from "./clients/s3.ts";
import type { ChatProvider } from "./interview/chat-provider.ts";
import { createLocalInterviewer } from "./interview/local-interviewer.ts";
import { getConfig, type Config } from "./config.ts";
import { requireSecret, secret } from "./secrets.ts";
import { redisClient } from "./clients/redis.ts";
import { RedisSessionStore } from "./sessions/redis-session-store.ts";
import type { SessionStore } from "./sessions/model.ts";
import { lambdaClient } from "./clients/lambda.ts";
import { createLambdaDispatcher } from "./images/dispatch.ts";
import { LOST_JOB_MARGIN_SECONDS, type ImageRequestDeps, type ImageWorkerDeps } from "./images/jobs.ts";
import type { ImageProvider } from "./images/provider.ts";
import { selectImageProvider } from "./images/select.ts";
import { createUpstashRateLimiter, type RateLimiter } from "./limits/rate-limiter.ts";

// The real collaborators of the domain, built once per container. Handlers take them from here;
// tests build the domain with fakes instead.
let store: SessionStore | undefined;

/** The process-wide session store on Redis. */
export function sessionStore(): SessionStore {
  const config = getConfig();
  store ??= new RedisSessionStore(redisClient(), {
    ttlSeconds: config.SESSION_TTL_SECONDS,
    keyPrefix: `${config.REDIS_KEY_PREFIX}:${config.STAGE}`,
  });
  return store;
}

let chat: ChatProvider | undefined;

/** The interviewer chosen by CHAT_PROVIDER (local unless configured otherwise). */
export function chatProvider(): ChatProvider {
  const config = getConfig();
  chat ??= config.CHAT_PROVIDER === "gemini" ? lazyGeminiInterviewer(config) : createLocalInterviewer();
  return chat;
}

// The Gemini SDK is evaluated only when a deployment selects it, so the local default never pays its start-up cost.
function lazyGeminiInterviewer(config: Config): ChatProvider {
  const apiKey = requireSecret("GEMINI_API_KEY");
  const provider = import("./interview/gemini-interviewer.ts").then(({ createGeminiInterviewer }) =>
    createGeminiInterviewer({ apiKey, model: config.CHAT_MODEL, baseUrl: config.GEMINI_BASE_URL }),
  );
  return {
    firstQuestion: async (input) => (await provider).firstQuestion(input),
    reply: async (input, signal) => (await provider).reply(input, signal),
  };
}

let objects: ObjectStore | undefined;

/** The process-wide object store on the photo bucket. */
export function objectStore(): ObjectStore {
  objects ??= new S3ObjectStore(s3Client(), publicS3Client(), getConfig().PHOTO_BUCKET);
  return objects;
}

/** What the photo domain needs, from the real clients and the configured limits. */
export function photoDeps(): PhotoDeps {
  const config = getConfig();
  return {
    store: sessionStore(),
    objects: objectStore(),
    maxPhotoBytes: config.MAX_PHOTO_BYTES,
    uploadTtlSeconds: config.PHOTO_UPLOAD_TTL_SECONDS,
  };
}

let archive: ResultArchive | undefined;

/** The process-wide archive of results on DynamoDB. */
export function resultArchive(): ResultArchive {
  archive ??= new DynamoResultArchive(dynamoClient(), getConfig().RESULTS_TABLE);
  return archive;
}

/** What the results domain needs, from the real clients and configuration. */
export function resultDeps(): ResultDeps {
  const config = getConfig();
  return {
    store: sessionStore(),
    archive: resultArchive(),
    objects: objectStore(),
    retentionDays: config.RETENTION_DAYS,
    urlTtlSeconds: config.DOWNLOAD_URL_TTL_SECONDS,
  };
}

let images: ImageProvider | undefined;

/** The image provider chosen by IMAGE_PROVIDER (local unless configured otherwise). */
export function imageProvider(): ImageProvider {
  const config = getConfig();
  images ??= selectImageProvider({
    provider: config.IMAGE_PROVIDER,
    model: config.IMAGE_MODEL,
    // Only the worker generates (and is given the key); the request side reads the provider's traits.
    apiKey: secret("GEMINI_API_KEY"),
    baseUrl: config.GEMINI_BASE_URL,
  });
  return images;
}

let imageLimiter: RateLimiter | undefined;

/** IMAGE_DAILY_LIMIT new image jobs per session a day; fails closed, since a generation costs money. */
export function imageRateLimiter(): RateLimiter {
  const config = getConfig();
  imageLimiter ??= createUpstashRateLimiter(redisClient(), {
    prefix: `${config.REDIS_KEY_PREFIX}:${config.STAGE}:ratelimit:images`,
    limit: config.IMAGE_DAILY_LIMIT,
    window: "1 d",
    onUnavailable: "closed",
  });
  return imageLimiter;
}

/** What a request for a picture needs: the store, the limiter and the async invocation of the image worker. */
export function imageRequestDeps(): ImageRequestDeps {
  const config = getConfig();
  return {
    store: sessionStore(),
    objects: objectStore(),
    dispatcher: createLambdaDispatcher(lambdaClient(), config.IMAGE_WORKER_FUNCTION, config.DEPENDENCY_TIMEOUT_MS),
    limiter: imageRateLimiter(),
    traits: imageProvider(),
    downloadTtlSeconds: config.DOWNLOAD_URL_TTL_SECONDS,
    staleAfterMs: (config.IMAGE_TIMEOUT_SECONDS + LOST_JOB_MARGIN_SECONDS) * 1000,
  };
}

/** What the image worker needs; `signal` is the function's own early-timeout signal. */
export function imageWorkerDeps(signal?: AbortSignal): ImageWorkerDeps {
  const config = getConfig();
  return {
    store: sessionStore(),
    objects: objectStore(),
    provider: imageProvider(),
    timeoutMs: config.IMAGE_TIMEOUT_SECONDS * 1000,
    // Generated pictures are made here, but the user photo is the largest source allowed in.
    maxSourceBytes: config.MAX_PHOTO_BYTES,
    ...(signal ? { signal } : {}),
  };
}
