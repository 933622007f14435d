import { AwsResponseError, AwsUnreachableError } from "../clients/aws-http.ts";
import { isDynamoError, type DynamoDbApi } from "../clients/dynamodb.ts";
import { DependencyUnavailableError } from "../http/errors.ts";
import type { Profile } from "../interview/profile.ts";
import type { Locale } from "../sessions/model.ts";
import type { ResultArchive, ResultRecord } from "./model.ts";

/** A ResultArchive on one DynamoDB table keyed by `sessionId`; the profile is kept as one JSON string. */
/** A DynamoDB attribute value, as the JSON API spells it (only the types the archive uses). */
type AttributeValue = { S: string } | { N: string };
type Item = Record<string, AttributeValue>;

export class DynamoResultArchive implements ResultArchive {
  constructor(
    private readonly api: DynamoDbApi,
    private readonly table: string,
  ) {}

  async putOnce(record: ResultRecord): Promise<{ created: boolean; record: ResultRecord }> {
    try {
      await dynamoCall(() =>
        this.api.call("PutItem", {
          TableName: this.table,
          Item: toItem(record),
          // One record per session whatever the retries: the first writer wins, the others read it.
          ConditionExpression: "attribute_not_exists(sessionId)",
        }),
      );
      return { created: true, record };
    } catch (error) {
      if (!isDynamoError(error, "ConditionalCheckFailedException")) throw error;
      const existing = await this.get(record.sessionId);
      if (!existing) throw error;
      return { created: false, record: existing };
    }
  }

  async get(sessionId: string): Promise<ResultRecord | null> {
    const response = await dynamoCall(() =>
      this.api.call<{ Item?: Item }>("GetItem", { TableName: this.table, Key: { sessionId: { S: sessionId } }, ConsistentRead: true }),
    );
    return response.Item ? fromItem(response.Item) : null;
  }

  async remove(sessionId: string): Promise<boolean> {
    const response = await dynamoCall(() =>
      this.api.call<{ Attributes?: Item }>("DeleteItem", { TableName: this.table, Key: { sessionId: { S: sessionId } }, ReturnValues: "ALL_OLD" }),
    );
    return Boolean(response.Attributes);
  }

  /** Whether the table answers (DescribeTable), for the readiness check. */
  async ping(signal?: AbortSignal): Promise<void> {
    await this.api.call("DescribeTable", { TableName: this.table }, signal);
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
  if (record.partnerImageKey) item.partnerImageKey = { S: record.partnerImageKey };
  if (record.childImageKey) item.childImageKey = { S: record.childImageKey };
  return item;
}

function fromItem(item: Item): ResultRecord {
  const text = (name: string) => {
    const value = item[name];
    return value && "S" in value ? value.S : undefined;
  };
  return {
    sessionId: text("sessionId") ?? "",
    tokenHash: text("tokenHash") ?? "",
    locale: (text("locale") ?? "ja") as Locale,
    completedAt: text("completedAt") ?? "",
    profile: JSON.parse(text("profile") ?? "{}") as Profile,
    ...(text("photoKey") ? { photoKey: text("photoKey") } : {}),
    ...(text("partnerImageKey") ? { partnerImageKey: text("partnerImageKey") } : {}),
    ...(text("childImageKey") ? { childImageKey: text("childImageKey") } : {}),
    expiresAt: Number(item.expiresAt && "N" in item.expiresAt ? item.expiresAt.N : "0"),
  };
}

/** Runs a DynamoDB call; a network failure, throttling or a 5xx becomes a 503, any other refusal stays itself for the caller. */
async function dynamoCall<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    if (error instanceof AwsUnreachableError) throw new DependencyUnavailableError("dynamodb", error);
    if (error instanceof AwsResponseError && (error.status >= 500 || /Throttl|ProvisionedThroughputExceeded|RequestLimitExceeded/.test(error.code ?? ""))) {
      throw new DependencyUnavailableError("dynamodb", error);
    }
    throw error;
  }
}
