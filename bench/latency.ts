import { getOutsideApi, measure, Recorder, timed } from "./client.ts";
import { answersFor, FlowClient, LABELS, wholeFlow, type Session } from "./flow.ts";
import { quantile } from "./stats.ts";

export interface LatencyRow {
  label: string;
  samples: number;
  p50Ms: number;
  p99Ms: number;
  /** p50 and p99 over the baseline's p50 and p99. */
  p50Ratio: number;
  p99Ratio: number;
  note?: string;
}

export interface LatencyReport {
  baseline: string;
  rows: LatencyRow[];
  errors: Recorder["errors"];
}

async function pool<T>(items: readonly T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) await work(items[next++]!);
    }),
  );
}

/**
 * Warm latency of every endpoint under serverless-offline: one request at a time (so one warm worker thread per
 * function serves them all), `warmup` unrecorded calls first, then `samples` recorded ones.
 */
export async function measureLatency(baseUrl: string, photo: Buffer, samples: number, warmup = 10): Promise<LatencyReport> {
  const recorder = new Recorder();
  const client = new FlowClient(baseUrl, recorder);
  const setup = new FlowClient(baseUrl, new Recorder(), 250);
  const notes = new Map<string, string>();
  // Baselines: the API's dependency-free functions (the whole middy chain, no Redis, S3 or DynamoDB): the OpenAPI
  // document, and the `$default` route's 404 (the smallest answer a function gives; before that route existed,
  // serverless-offline answered it without any function).
  const getOpenApi = () => measure(() => client.api.GET("/api/openapi.json"));
  const openapi = await getOpenApi();
  const baseline = openapi.status === 200 ? LABELS.openapi : LABELS.notFound;
  if (openapi.status === 200) {
    for (let i = 0; i < warmup; i++) await getOpenApi();
    for (let i = 0; i < samples; i++) await timed(recorder, LABELS.openapi, [200], getOpenApi);
    notes.set(LABELS.openapi, "baseline: the full middleware chain, no dependency");
  }
  for (let i = 0; i < samples; i++)
    await timed(recorder, LABELS.notFound, [404], () => getOutsideApi(client.api, "/api/bench-no-such-route"));
  notes.set(LABELS.notFound, "the smallest function: no body read, no dependency");

  for (let i = 0; i < warmup; i++) await setup.health();
  for (let i = 0; i < samples; i++) await client.health();

  // Warm every function once with a whole flow; its session (photo and both images ready, not completed) is read below.
  const full = await wholeFlow(setup, photo, "en", false);

  const created: Session[] = [];
  for (let i = 0; i < warmup; i++) await setup.createSession("en");
  for (let i = 0; i < samples; i++) created.push(await client.createSession("en"));

  const answers = answersFor("en");
  const chatting = created.slice(0, Math.ceil(samples / (answers.length - 2)));
  for (let i = 0; i < warmup; i++) await setup.postMessage(created[created.length - 1 - i]!, answers[0]!);
  let posted = 0;
  for (let turn = 0; turn < answers.length && posted < samples; turn++) {
    for (const session of chatting) {
      if (posted++ >= samples) break;
      await client.postMessage(session, answers[turn]!);
    }
  }
  notes.set(LABELS.message, `${chatting.length} sessions answered in turns, so every call is a real interview step`);

  for (let i = 0; i < warmup; i++) await setup.read(full);
  for (let i = 0; i < samples; i++) await client.read(full);
  notes.set(LABELS.read, "a session with photo and both images ready: three presigned GET URLs");

  for (let i = 0; i < warmup; i++) await setup.picture(full, "partner");
  for (let i = 0; i < samples; i++) await client.picture(full, (["user", "partner", "child"] as const)[i % 3]!);

  for (let i = 0; i < warmup; i++) await setup.requestImage(full, "partner");
  for (let i = 0; i < samples; i++) await client.requestImage(full, i % 2 === 0 ? "partner" : "child");
  notes.set(LABELS.images, "asked again for ready pictures with unchanged inputs (the worker's own time is in the load test)");

  const uploader = created[created.length - 1]!;
  for (let i = 0; i < warmup; i++) await setup.requestPhotoUpload(uploader, photo, "image/jpeg");
  for (let i = 0; i < samples; i++) await client.requestPhotoUpload(uploader, photo, "image/jpeg");

  // Completion, the archived result and erasure each need sessions whose interview is done.
  const finishing = Math.min(samples, 100);
  const ready: Session[] = [];
  await pool(
    Array.from({ length: finishing + warmup }, (_, i) => i),
    4,
    async () => {
      const session = await setup.createSession("en");
      for (const text of answers) await setup.postMessage(session, text);
      ready.push(session);
    },
  );
  for (const session of ready.slice(0, warmup)) await setup.complete(session);
  const measured = ready.slice(warmup);
  for (const session of measured) await client.complete(session);
  for (const session of measured) await client.result(session);
  for (const session of measured) await client.erase(session);
  notes.set(LABELS.complete, "first completion of each session: conditional put to DynamoDB and the Redis write");
  notes.set(LABELS.erase, "a completed session: Redis keys, S3 prefix and the archived result");

  const base = recorder.latencies.get(baseline) ?? [];
  const base50 = quantile(base, 0.5);
  const base99 = quantile(base, 0.99);
  const rows = [...recorder.latencies].map(([label, values]) => {
    const p50Ms = quantile(values, 0.5);
    const p99Ms = quantile(values, 0.99);
    const note = notes.get(label);
    return { label, samples: values.length, p50Ms, p99Ms, p50Ratio: p50Ms / base50, p99Ratio: p99Ms / base99, ...(note ? { note } : {}) };
  });
  return { baseline, rows, errors: recorder.errors };
}
