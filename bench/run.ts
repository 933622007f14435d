// `npm run bench`: bundle sizes, cold load, first requests, Redis round trips, warm latency and a load test of the whole
// flow, in one run on this machine; writes bench/results.json and bench/results.md. Options (all optional):
//   --phases=bundles,cold,first,roundtrips,latency,load   run only some phases (then results go to bench/partial.*)
//   --save-before                                   also save this run as bench/before.json (the "before" figures)
//   --render                                        measure nothing: write bench/results.md again from bench/results.json
// Environment: BENCH_COLD_RUNS (12), BENCH_FIRST_RUNS (8), BENCH_LATENCY_SAMPLES (200), BENCH_LOAD_USERS (50), BENCH_LOAD_SECONDS (120),
// BENCH_LOAD_FLOWS (per user, 10), BENCH_RAMP_MS (5000), BENCH_PORT_OFFSET (0: added to each port of the bench's stack).
import { execSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import sharp from "sharp";
import { buildBundles } from "./bundles.ts";
import { measureColdLoads } from "./cold-load.ts";
import { measureFirstRequests } from "./first-request.ts";
import { measureLatency } from "./latency.ts";
import { runLoad } from "./load.ts";
import { machineInfo } from "./machine.ts";
import { renderReport } from "./report.ts";
import type { BenchResults } from "./results.ts";
import { measureRoundTrips } from "./round-trips.ts";
import { startBenchStack, type BenchStack } from "./stack.ts";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const BENCH = resolve(ROOT, "bench");
const ALL_PHASES = ["bundles", "cold", "first", "roundtrips", "latency", "load"] as const;
type Phase = (typeof ALL_PHASES)[number];

const arg = (name: string) => process.argv.find((a) => a.startsWith(`--${name}`))?.split("=")[1];
const phases = new Set<Phase>((arg("phases")?.split(",") as Phase[] | undefined) ?? ALL_PHASES);
const partial = ALL_PHASES.some((phase) => !phases.has(phase));
const intFromEnv = (name: string, fallback: number) => {
  const value = Number(process.env[name]);
  return Number.isInteger(value) && value > 0 ? value : fallback;
};

function revision(): string {
  try {
    const commit = execSync("git rev-parse --short HEAD", { cwd: ROOT, encoding: "utf8" }).trim();
    const dirty = execSync("git status --porcelain --untracked-files=no", { cwd: ROOT, encoding: "utf8" }).trim() !== "";
    return dirty ? `${commit} + uncommitted changes` : commit;
  } catch {
    return "unknown";
  }
}

/** A photo that passes the checks (JPEG magic bytes, decodable by sharp), as a phone would send a small one. */
async function samplePhoto(): Promise<Buffer> {
  return sharp({ create: { width: 480, height: 640, channels: 3, background: { r: 214, g: 180, b: 150 } } })
    .composite([
      {
        input: Buffer.from(
          '<svg xmlns="http://www.w3.org/2000/svg" width="480" height="640"><circle cx="240" cy="250" r="120" fill="#2b1d14"/></svg>',
        ),
      },
    ])
    .jpeg({ quality: 85 })
    .toBuffer();
}

const rendering = process.argv.includes("--render");
if (rendering) phases.clear();
const results: BenchResults = rendering
  ? (JSON.parse(readFileSync(resolve(BENCH, "results.json"), "utf8")) as BenchResults)
  : { machine: machineInfo(), revision: process.env.BENCH_REVISION ?? revision(), phaseSeconds: {} };
const phase = async <T>(name: string, work: () => Promise<T>): Promise<T> => {
  const started = performance.now();
  console.log(`[bench] ${name}...`);
  try {
    return await work();
  } finally {
    results.phaseSeconds[name] = (performance.now() - started) / 1000;
    console.log(`[bench] ${name} done in ${Math.round(results.phaseSeconds[name]!)} s`);
  }
};

const minimal = { name: "minimal handler", entry: "bench/fixtures/minimal-handler.ts" };

if (phases.has("bundles") || phases.has("cold") || phases.has("first")) {
  const built = await phase("build", () => buildBundles(ROOT, resolve(ROOT, ".bench", "bundles"), [minimal]));
  const functions = built.filter((b) => b.name !== minimal.name);
  const baseline = built.find((b) => b.name === minimal.name)!;
  if (phases.has("bundles")) {
    results.bundles = {
      functions: functions.map(({ file: _file, packages, ...rest }) => ({ ...rest, packages: packages.slice(0, 12) })),
      minimal: { bytes: baseline.bytes },
    };
  }
  if (phases.has("cold")) {
    const runs = intFromEnv("BENCH_COLD_RUNS", 12);
    const loads = await phase("cold load", () =>
      measureColdLoads(
        built.map(({ name, file }) => ({ name, file })),
        runs,
      ),
    );
    const base = loads.find((l) => l.name === minimal.name)!;
    results.coldLoad = {
      baseline: base,
      functions: loads
        .filter((l) => l.name !== minimal.name)
        .map((l) => ({ ...l, importRatio: l.importMs / base.importMs, processRatio: l.processMs / base.processMs })),
    };
  }
  if (phases.has("first")) {
    const runs = intFromEnv("BENCH_FIRST_RUNS", 8);
    const photo = await samplePhoto();
    const bundles = functions.map(({ name, file }) => ({ name, file }));
    results.firstRequest = await phase("first request", () =>
      measureFirstRequests(ROOT, bundles, { name: baseline.name, file: baseline.file }, photo, runs),
    );
  }
}

if (phases.has("roundtrips") || phases.has("latency") || phases.has("load")) {
  const photo = await samplePhoto();
  const limits = {
    SESSION_CREATE_LIMIT: "1000000",
    MESSAGE_LIMIT: "1000000",
    IMAGE_DAILY_LIMIT: "1000000",
    IMAGE_JOBS_PER_CLIENT_PER_HOUR: "1000000",
    CHAT_TURNS_PER_CLIENT_PER_HOUR: "1000000",
    IMAGE_JOBS_PER_DAY: "1000000",
    CHAT_TURNS_PER_DAY: "1000000",
  };
  const stack: BenchStack = await phase("stack start", () => startBenchStack(limits));
  results.machine.redisEngine = stack.engine;
  try {
    if (phases.has("roundtrips")) results.roundTrips = await phase("round trips", () => measureRoundTrips(stack, photo));
    if (phases.has("latency")) {
      results.latency = await phase("warm latency", () => measureLatency(stack.baseUrl, photo, intFromEnv("BENCH_LATENCY_SAMPLES", 200)));
    }
    if (phases.has("load")) {
      results.load = await phase("load", () =>
        runLoad(stack.baseUrl, stack.pid, photo, {
          virtualUsers: intFromEnv("BENCH_LOAD_USERS", 50),
          durationSeconds: intFromEnv("BENCH_LOAD_SECONDS", 120),
          maxFlowsPerUser: intFromEnv("BENCH_LOAD_FLOWS", 10),
          rampMs: intFromEnv("BENCH_RAMP_MS", 5000),
        }),
      );
    }
  } finally {
    await phase("stack stop", () => stack.stop());
  }
}

const name = partial && !rendering ? "partial" : "results";
const beforeFile = resolve(BENCH, "before.json");
const before = existsSync(beforeFile) ? (JSON.parse(readFileSync(beforeFile, "utf8")) as BenchResults) : undefined;
const notesFile = resolve(BENCH, "notes.md");
const notes = existsSync(notesFile) ? readFileSync(notesFile, "utf8") : undefined;
if (!rendering) writeFileSync(resolve(BENCH, `${name}.json`), `${JSON.stringify(results, null, 2)}\n`);
if (process.argv.includes("--save-before")) writeFileSync(beforeFile, `${JSON.stringify(results, null, 2)}\n`);
writeFileSync(resolve(BENCH, `${name}.md`), renderReport(results, process.argv.includes("--save-before") ? undefined : before, notes));
console.log(rendering ? `[bench] wrote bench/${name}.md` : `[bench] wrote bench/${name}.md and bench/${name}.json`);
