import { Logger } from "@aws-lambda-powertools/logger";
import { vi } from "vitest";

export interface CapturedLogs {
  /** A real Powertools logger whose JSON lines are kept here instead of being printed. */
  logger: Logger;
  /** Everything written, as the log stream would hold it. */
  text(): string;
  /** The JSON lines, parsed. */
  records(): Array<Record<string, unknown>>;
  restore(): void;
}

/** Captures what a Powertools logger writes to stdout/stderr, serialized exactly as in CloudWatch. */
export function captureLogs(): CapturedLogs {
  const chunks: string[] = [];
  const keep = (chunk: string | Uint8Array): boolean => {
    chunks.push(typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8"));
    return true;
  };
  const out = vi.spyOn(process.stdout, "write").mockImplementation(keep);
  const err = vi.spyOn(process.stderr, "write").mockImplementation(keep);
  const logger = new Logger({ serviceName: "hera-test", logLevel: "DEBUG" });
  const text = () => chunks.join("");
  return {
    logger,
    text,
    records: () =>
      text()
        .split("\n")
        .filter((line) => line.trim().startsWith("{"))
        .map((line) => JSON.parse(line) as Record<string, unknown>),
    restore: () => {
      out.mockRestore();
      err.mockRestore();
    },
  };
}
