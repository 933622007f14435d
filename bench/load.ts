import { setTimeout as sleep } from "node:timers/promises";
import { Recorder } from "./client.ts";
import { FlowClient, wholeFlow, type Locale } from "./flow.ts";
import { sampleTreeRss } from "./proc-memory.ts";
import { quantile } from "./stats.ts";

export interface LoadOptions {
  virtualUsers: number;
  /** No virtual user starts a new flow after this many seconds. */
  durationSeconds: number;
  /** Nor after this many flows of its own. */
  maxFlowsPerUser: number;
  /** The virtual users start this far apart, as visitors arrive. */
  rampMs: number;
}

export interface LoadReport {
  options: LoadOptions;
  flowsCompleted: number;
  flowsFailed: number;
  elapsedSeconds: number;
  flowsPerMinute: number;
  /** Median and 99th percentile of a whole flow's duration. */
  flowP50Seconds: number;
  flowP99Seconds: number;
  endpoints: Array<{ label: string; calls: number; p50Ms: number; p99Ms: number }>;
  errors: Recorder["errors"];
  flowErrors: string[];
  peakRssBytes: number;
  peakProcesses: number;
  memorySamples: number;
}

/**
 * `virtualUsers` visitors at once, each doing whole flows back to back (create, interview, photo, partner, child,
 * complete) until the time or the count is up; the stack's process tree is sampled for memory all along.
 */
export async function runLoad(baseUrl: string, stackPid: number, photo: Buffer, options: LoadOptions): Promise<LoadReport> {
  const recorder = new Recorder();
  const client = new FlowClient(baseUrl, recorder);
  const memory = sampleTreeRss(stackPid, 250);
  const started = performance.now();
  const stopAt = started + options.durationSeconds * 1000;
  const durations: number[] = [];
  const flowErrors: string[] = [];
  let failed = 0;

  await Promise.all(
    Array.from({ length: options.virtualUsers }, async (_, user) => {
      await sleep(Math.round((options.rampMs * user) / options.virtualUsers));
      const locale: Locale = user % 2 === 0 ? "ja" : "en";
      for (let flow = 0; flow < options.maxFlowsPerUser && performance.now() < stopAt; flow++) {
        const flowStarted = performance.now();
        try {
          await wholeFlow(client, photo, locale);
          durations.push((performance.now() - flowStarted) / 1000);
        } catch (error) {
          failed++;
          flowErrors.push(error instanceof Error ? error.message.slice(0, 300) : String(error));
        }
      }
    }),
  );
  const elapsedSeconds = (performance.now() - started) / 1000;
  const peak = memory.stop();
  return {
    options,
    flowsCompleted: durations.length,
    flowsFailed: failed,
    elapsedSeconds,
    flowsPerMinute: (durations.length / elapsedSeconds) * 60,
    flowP50Seconds: quantile(durations, 0.5),
    flowP99Seconds: quantile(durations, 0.99),
    endpoints: [...recorder.latencies].map(([label, values]) => ({
      label,
      calls: values.length,
      p50Ms: quantile(values, 0.5),
      p99Ms: quantile(values, 0.99),
    })),
    errors: recorder.errors,
    flowErrors,
    peakRssBytes: peak.peakBytes,
    peakProcesses: peak.peakProcesses,
    memorySamples: peak.samples,
  };
}
