import { DynamoDBClient, ScanCommand } from "@aws-sdk/client-dynamodb";
import { describe, expect, inject, it } from "vitest";
import { DynamoResultArchive } from "../../lib/results/dynamo-result-archive.ts";
import type { ResultRecord } from "../../lib/results/model.ts";
import { newSessionId } from "../../lib/sessions/tokens.ts";
import { INTERVIEWS } from "../fixtures/interviews.ts";

const services = inject("services");
const client = new DynamoDBClient({
  endpoint: services.dynamoEndpoint,
  region: "ap-northeast-1",
  credentials: { accessKeyId: "local", secretAccessKey: "local" },
});
const archive = new DynamoResultArchive(client, services.table);

const record = (sessionId: string, completedAt: string): ResultRecord => ({
  sessionId,
  tokenHash: "ab".repeat(32),
  locale: "ja",
  completedAt,
  profile: INTERVIEWS.ja.profile,
  photoKey: `sessions/${sessionId}/uploads/x/user-photo`,
  photoContentType: "image/webp",
  partnerImageKey: `sessions/${sessionId}/images/partner.png`,
  expiresAt: 1_800_000_000,
});

describe("DynamoResultArchive on dynalite", () => {
  it("round-trips a record, Japanese profile included", async () => {
    const id = newSessionId();
    const put = await archive.putOnce(record(id, "2026-11-22T00:00:00.000Z"));
    expect(put.created).toBe(true);
    expect(await archive.get(id)).toEqual(record(id, "2026-11-22T00:00:00.000Z"));
  });

  it("keeps one record when ten writers race, and every writer sees the winner's completedAt", async () => {
    const id = newSessionId();
    const outcomes = await Promise.all(Array.from({ length: 10 }, (_, i) => archive.putOnce(record(id, `2026-11-22T00:00:0${i}.000Z`))));
    expect(outcomes.filter((o) => o.created)).toHaveLength(1);
    const winner = outcomes.find((o) => o.created)!.record.completedAt;
    for (const outcome of outcomes) expect(outcome.record.completedAt).toBe(winner);
    const scan = await client.send(
      new ScanCommand({ TableName: services.table, FilterExpression: "sessionId = :id", ExpressionAttributeValues: { ":id": { S: id } } }),
    );
    expect(scan.Count).toBe(1);
  });

  it("removes a record once", async () => {
    const id = newSessionId();
    await archive.putOnce(record(id, "2026-11-22T00:00:00.000Z"));
    expect(await archive.remove(id)).toBe(true);
    expect(await archive.get(id)).toBeNull();
    expect(await archive.remove(id)).toBe(false);
  });
});
