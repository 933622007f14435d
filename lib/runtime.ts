import { S3ObjectStore } from "./storage/s3-object-store.ts";
import type { ObjectStore } from "./storage/objects.ts";
import type { PhotoDeps } from "./photos/photos.ts";
import { publicS3Client, s3Client } from "./clients/s3.ts";
import type { ChatProvider } from "./interview/chat-provider.ts";
import { createLocalInterviewer } from "./interview/local-interviewer.ts";
import { getConfig, type Config } from "./config.ts";
import { redisClient } from "./clients/redis.ts";
import { RedisSessionStore } from "./sessions/redis-session-store.ts";
import type { SessionStore } from "./sessions/model.ts";

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
  const provider = import("./interview/gemini-interviewer.ts").then(({ createGeminiInterviewer }) =>
    createGeminiInterviewer({ apiKey: config.GEMINI_API_KEY ?? "", model: config.CHAT_MODEL, baseUrl: config.GEMINI_BASE_URL }),
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
