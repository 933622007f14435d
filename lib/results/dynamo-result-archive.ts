import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  DescribeTableCommand,
  GetItemCommand,
  PutItemCommand,
  type AttributeValue,
  type DynamoDBClient,
} from "@aws-sdk/client-dynamodb";
import { deadlineSignal } from "../abort.ts";
import { httpStatusOf } from "../clients/aws.ts";
import type { CallDeadline } from "../storage/s3-object-store.ts";
import { DependencyUnavailableError } from "../errors.ts";
import type { Profile } from "../interview/profile.ts";
import type { Locale } from "../sessions/model.ts";
import type { ResultArchive, ResultRecord } from "./model.ts";

type Item = Record<string, AttributeValue>;

/** A ResultArchive on one DynamoDB table keyed by `sessionId`; the profile is kept as one JSON string. */
export class DynamoResultArchive implements ResultArchive {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly table: string,
    private readonly deadline: CallDeadline = { timeoutMs: 2000 },
  ) {}

  /** The same archive, each of its calls also ended by `signal` (the request's own, shortly before Lambda's timeout). */
  forRequest(signal: AbortSignal | undefined): DynamoResultArchive {
    return signal ? new DynamoResultArchive(this.client, this.table, { ...this.deadline, signal }) : this;
  }

  /** The options of one call: ended at its deadline, or sooner by the request's signal. */
  private call(): { abortSignal: AbortSignal } {
    return { abortSignal: deadlineSignal(this.deadline.timeoutMs, this.deadline.signal) };
  }

  async putOnce(record: ResultRecord): Promise<{ created: boolean; record: ResultRecord }> {
    try {
      await dynamoCall(() =>
        this.client.send(
          new PutItemCommand({
            TableName: this.table,
            Item: toItem(record),
            // One record per session whatever the retries: the first writer wins, the others read it.
            ConditionExpression: "attribute_not_exists(sessionId)",
          }),
          this.call(),
        ),
      );
      return { created: true, record };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const existing = await this.get(record.sessionId);
      if (!existing) throw error;
      return { created: false, record: existing };
    }
  }

  async get(sessionId: string): Promise<ResultRecord | null> {
    const response = await dynamoCall(() =>
      this.client.send(
        new GetItemCommand({ TableName: this.table, Key: { sessionId: { S: sessionId } }, ConsistentRead: true }),
        this.call(),
      ),
    );
    return response.Item ? fromItem(response.Item) : null;
  }

  async remove(sessionId: string): Promise<boolean> {
    const response = await dynamoCall(() =>
      this.client.send(
        new DeleteItemCommand({ TableName: this.table, Key: { sessionId: { S: sessionId } }, ReturnValues: "ALL_OLD" }),
        this.call(),
      ),
    );
    return Boolean(response.Attributes);
  }

  /** Whether the table answers (DescribeTable), for the readiness check. */
  async ping(signal?: AbortSignal): Promise<void> {
    await this.client.send(new DescribeTableCommand({ TableName: this.table }), signal ? { abortSignal: signal } : {});
  }
}

function toItem(record: ResultRecord): Item {
  const item: Item = {
    sessionId: { S: record.sessionId },
    tokenHash: { S: record.tokenHash },
    locale: { S: record.locale },
    completedAt: { S: record.completedAt },
    profile: { S: JSON.stringify(record.profile) },
    expiresAt: { N: String(record.expiresAt) },
  };
  if (record.photoKey) item.photoKey = { S: record.photoKey };
  if (record.photoContentType) item.photoContentType = { S: record.photoContentType };
  if (record.partnerImageKey) item.partnerImageKey = { S: record.partnerImageKey };
  if (record.childImageKey) item.childImageKey = { S: record.childImageKey };
  return item;
}

function fromItem(item: Item): ResultRecord {
  const text = (name: string) => item[name]?.S;
  return {
    sessionId: text("sessionId") ?? "",
    tokenHash: text("tokenHash") ?? "",
    locale: (text("locale") ?? "ja") as Locale,
    completedAt: text("completedAt") ?? "",
    profile: JSON.parse(text("profile") ?? "{}") as Profile,
    ...(text("photoKey") ? { photoKey: text("photoKey") } : {}),
    ...(text("photoContentType") ? { photoContentType: text("photoContentType") } : {}),
    ...(text("partnerImageKey") ? { partnerImageKey: text("partnerImageKey") } : {}),
    ...(text("childImageKey") ? { childImageKey: text("childImageKey") } : {}),
    expiresAt: Number(item.expiresAt?.N ?? "0"),
  };
}

/** What DynamoDB answers when it sheds load; retried by the SDK, and past that a 503 like an outage. */
const THROTTLING = /Throttl|ProvisionedThroughputExceeded|RequestLimitExceeded/;

/** Runs a DynamoDB call; a network failure, throttling or a 5xx becomes a 503, any other refusal stays itself for the caller. */
async function dynamoCall<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    const status = httpStatusOf(error);
    const throttled = error instanceof Error && THROTTLING.test(error.name);
    if (status !== undefined && status < 500 && !throttled) throw error;
    throw new DependencyUnavailableError("dynamodb", error);
  }
}
