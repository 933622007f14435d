import type { BundleReport } from "./bundles.ts";
import type { ColdLoad } from "./cold-load.ts";
import type { FirstRequest, FirstRequestRatios } from "./first-request.ts";
import type { LatencyReport } from "./latency.ts";
import type { LoadReport } from "./load.ts";
import type { MachineInfo } from "./machine.ts";
import type { RoundTrips } from "./round-trips.ts";

/** Everything one `npm run bench` measured (bench/results.json). */
export interface BenchResults {
  machine: MachineInfo;
  /** Which code was measured: the commit and whether the work tree differed from it. */
  revision: string;
  bundles?: { functions: Array<Omit<BundleReport, "file">>; minimal: { bytes: number } };
  coldLoad?: { baseline: ColdLoad; functions: Array<ColdLoad & { importRatio: number; processRatio: number }> };
  firstRequest?: { baseline: FirstRequest; functions: FirstRequestRatios[] };
  roundTrips?: RoundTrips[];
  latency?: LatencyReport;
  load?: LoadReport;
  phaseSeconds: Record<string, number>;
}
