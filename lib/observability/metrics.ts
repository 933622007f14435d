import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";

/** The EMF metrics of a function, namespaced per product and dimensioned per stage. */
export const metrics = new Metrics({
  namespace: "Hera",
  serviceName: process.env.SERVICE_NAME ?? "hera-api",
  defaultDimensions: { stage: process.env.STAGE ?? "dev" },
  // Requests that count nothing (reads, refusals) are normal; the library's warning about them is noise.
  logger: { debug: () => undefined, info: () => undefined, warn: () => undefined, error: console.error },
});

/** The names of the product's own metrics (documented in docs/operations.md); each counts occurrences of an event. */
export type MetricName =
  | "SessionsCreated"
  | "MessagesPosted"
  | "PhotosReady"
  | "PhotosRejected"
  | "ImagesGenerated"
  | "ImagesFailed"
  | "SessionsCompleted"
  | "SessionsDeleted"
  | "RateLimited"
  | "DependencyErrors";

/** Counts one occurrence of a named event. */
export function countMetric(name: MetricName, value = 1): void {
  metrics.addMetric(name, MetricUnit.Count, value);
}
