import { setTimeout as sleep } from "node:timers/promises";
import { Recorder } from "./client.ts";
import { answersFor, FlowClient, isImageReady, isPhotoReady, LABELS, wholeFlow, type Session } from "./flow.ts";
import type { BenchStack } from "./stack.ts";

/** Upstash REST requests counted for one step of the flow. */
export interface RoundTrips {
  step: string;
  /** Requests per call: every call's count when they differ (the messages of one interview). */
  counts: number[];
  /** The most a call took. */
  max: number;
  /** The target, where one is set. */
  target?: number;
  note?: string;
}

/** Waits until no request has reached the Upstash endpoint for `quietMs` (background work such as a worker has ended). */
async function settle(stack: BenchStack, quietMs: number, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = await stack.redisRequests();
  let since = Date.now();
  while (Date.now() - since < quietMs) {
    if (Date.now() > deadline) throw new Error("the stack did not settle");
    await sleep(100);
    const now = await stack.redisRequests();
    if (now !== last) {
      last = now;
      since = Date.now();
    }
  }
}

/**
 * Walks one whole flow alone on the stack and counts, for each call, the HTTP requests that reach the Upstash REST
 * endpoint (`requestCount()`, counted at the endpoint). Synchronous calls are counted from the request to the
 * answer; asynchronous work (the S3 event, the image worker) until the endpoint has been quiet for a while.
 */
export async function measureRoundTrips(stack: BenchStack, photo: Buffer): Promise<RoundTrips[]> {
  const client = new FlowClient(stack.baseUrl, new Recorder(), 250);
  const results: RoundTrips[] = [];
  // One whole flow first, uncounted: Redis then holds every script (a first EVALSHA misses and is followed by an
  // EVAL, once per script and Redis), and every function has a warm worker.
  await wholeFlow(client, photo, "ja");
  await settle(stack, 2000);

  const counted = async <T>(action: () => Promise<T>, quietMs = 0): Promise<{ value: T; count: number }> => {
    await stack.resetRedisRequests();
    const value = await action();
    if (quietMs > 0) await settle(stack, quietMs);
    return { value, count: await stack.redisRequests() };
  };
  const add = (step: string, counts: number[], target?: number, note?: string) =>
    results.push({ step, counts, max: Math.max(...counts), ...(target === undefined ? {} : { target }), ...(note ? { note } : {}) });

  const created = await counted(() => client.createSession("en"));
  const session: Session = created.value;
  add(LABELS.create, [created.count], 2, "rate limiter + create script");

  add(`${LABELS.read} (no photo yet)`, [(await counted(() => client.read(session))).count], 1);

  const messageCounts: number[] = [];
  for (const text of answersFor("en")) messageCounts.push((await counted(() => client.postMessage(session, text))).count);
  add(
    LABELS.message,
    messageCounts,
    2,
    `each of the ${messageCounts.length} answers of the interview; the session, client and stage limits included`,
  );

  const photo1 = await counted(() => client.requestPhotoUpload(session, photo, "image/jpeg"));
  add(LABELS.photo, [photo1.count]);

  const uploaded = await counted(() => client.upload(photo1.value.body, photo, "image/jpeg"), 2000);
  add(
    "S3 upload → photoUploaded (async, until settled)",
    [uploaded.count],
    undefined,
    "the S3 event's function reads, inspects and saves the photo",
  );
  await client.pollUntil(session, isPhotoReady, "photo ready", 30_000);

  add(`${LABELS.read} (photo ready)`, [(await counted(() => client.read(session))).count], 1);
  add(`${LABELS.picture} (user)`, [(await counted(() => client.picture(session, "user"))).count]);

  for (const kind of ["partner", "child"] as const) {
    const asked = await counted(() => client.requestImage(session, kind), 3000);
    add(
      `${LABELS.images} (${kind}) + worker (async, until settled)`,
      [asked.count],
      undefined,
      "request (read, limiter, job) and the worker's claim, reads and final write",
    );
    await client.pollUntil(session, isImageReady(kind), `${kind} image`, 60_000);
  }
  add(
    `${LABELS.images} (partner again, ready)`,
    [(await counted(() => client.requestImage(session, "partner"))).count],
    undefined,
    "same inputs: answered from the session",
  );
  add(`${LABELS.read} (photo + 2 images)`, [(await counted(() => client.read(session))).count], 1);
  add(LABELS.complete, [(await counted(() => client.complete(session))).count]);
  add(`${LABELS.complete} (repeat)`, [(await counted(() => client.complete(session))).count]);
  add(LABELS.result, [(await counted(() => client.result(session))).count], undefined, "from DynamoDB");
  add(LABELS.erase, [(await counted(() => client.erase(session))).count]);
  add(LABELS.health, [(await counted(() => client.health())).count]);
  return results;
}
