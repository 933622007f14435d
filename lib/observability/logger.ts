import { Logger } from "@aws-lambda-powertools/logger";

/**
 * The one logger of a function. What it may carry: ids, statuses, codes, counts, durations.
 * What it never carries: a token, a message text, a profile value, a presigned URL, a raw error message
 * (a Redis client error quotes the command it ran).
 */
export const logger = new Logger({
  serviceName: process.env.SERVICE_NAME ?? "hera-api",
  persistentKeys: { stage: process.env.STAGE ?? "dev" },
});

/** The log-safe description of an error: its class and code, never its message. */
export function describeError(error: unknown): { errorName: string; errorCode?: string } {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return { errorName: error.name, ...(typeof code === "string" ? { errorCode: code } : {}) };
  }
  return { errorName: typeof error };
}
