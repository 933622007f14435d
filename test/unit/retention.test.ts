import { describe, expect, it } from "vitest";
import { parseConfig } from "../../lib/config.ts";
import { stageParams } from "../helpers/serverless-config.ts";

const DAY = 86_400;
const STAGES = ["dev", "staging", "prod"] as const;

// The worst case of what links to an object under sessions/, in seconds after its upload. An object is uploaded at
// the earliest when its session is created. The session links to it until its end, at most SESSION_MAX_AGE_SECONDS
// after creation (its sliding TTL never reaches further); a completion happens before that end, and its result
// links to the object for RETENTION_DAYS; a presigned URL handed out in the last second of either works for
// DOWNLOAD_URL_TTL_SECONDS more.
function longestLinkSeconds(values: { sessionMaxAgeSeconds: number; retentionDays: number; urlTtlSeconds: number }) {
  const sessionEnd = values.sessionMaxAgeSeconds;
  const resultEnd = values.sessionMaxAgeSeconds + values.retentionDays * DAY;
  return Math.max(sessionEnd, resultEnd) + values.urlTtlSeconds;
}

describe("object lifetimes cover whatever links to them", () => {
  it.each(STAGES)("expires %s's objects no sooner than the longest link, and no later than the day after it", (stage) => {
    const params = stageParams(stage);
    const config = parseConfig({
      PHOTO_BUCKET: "bucket",
      RESULTS_TABLE: "table",
      SESSION_TTL_SECONDS: String(params.sessionTtlSeconds),
      SESSION_MAX_AGE_SECONDS: String(params.sessionMaxAgeSeconds),
      RETENTION_DAYS: String(params.retentionDays),
    });
    const longest = longestLinkSeconds({
      sessionMaxAgeSeconds: config.SESSION_MAX_AGE_SECONDS,
      retentionDays: config.RETENTION_DAYS,
      urlTtlSeconds: config.DOWNLOAD_URL_TTL_SECONDS,
    });
    const expiration = Number(params.objectExpirationDays);

    // S3 counts ExpirationInDays from the upload (and rounds up to the next midnight UTC, which only adds time).
    expect(expiration * DAY).toBeGreaterThanOrEqual(longest);
    expect((expiration - 1) * DAY).toBeLessThan(longest);
  });

  it("defaults, without serverless.yml, to values whose longest link is 10 days and 10 minutes", () => {
    const config = parseConfig({ PHOTO_BUCKET: "bucket", RESULTS_TABLE: "table" });
    expect(
      longestLinkSeconds({
        sessionMaxAgeSeconds: config.SESSION_MAX_AGE_SECONDS,
        retentionDays: config.RETENTION_DAYS,
        urlTtlSeconds: config.DOWNLOAD_URL_TTL_SECONDS,
      }),
    ).toBe(10 * DAY + 600);
  });
});
