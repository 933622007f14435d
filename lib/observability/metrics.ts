import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";

/** The EMF metrics of a function, namespaced per product and dimensioned per stage. */
export const metrics = new Metrics({
  namespace: "Hera",
  serviceName: process.env.SERVICE_NAME ?? "hera-api",
  defaultDimensions: { stage: process.env.STAGE ?? "dev" },
  // Requests that count nothing (reads, refusals) are normal; the library's warning about them is noise.
  logger: { debug: () => undefined, info: () => undefined, warn: () => undefined, error: console.error },
});

/** Metric names, documented in the README. */
export const MetricName = {
  SessionsCreated: "SessionsCreated",
  MessagesPosted: "MessagesPosted",
  PhotosReady: "PhotosReady",
  PhotosRejected: "PhotosRejected",
  ImagesGenerated: "ImagesGenerated",
  ImagesFailed: "ImagesFailed",
  SessionsCompleted: "SessionsCompleted",
  SessionsDeleted: "SessionsDeleted",
  RateLimited: "RateLimited",
  DependencyErrors: "DependencyErrors",
} as const;

/** Counts one occurrence of a named event. */
export function countMetric(name: (typeof MetricName)[keyof typeof MetricName], value = 1): void {
  metrics.addMetric(name, MetricUnit.Count, value);
}
