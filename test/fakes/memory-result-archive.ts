import type { ResultArchive, ResultRecord } from "../../lib/results/model.ts";

/** An in-memory ResultArchive with DynamoDB's put-if-absent semantics, for unit tests. */
export class MemoryResultArchive implements ResultArchive {
  readonly records = new Map<string, ResultRecord>();
  puts = 0;

  async putOnce(record: ResultRecord): Promise<{ created: boolean; record: ResultRecord }> {
    this.puts++;
    const existing = this.records.get(record.sessionId);
    if (existing) return { created: false, record: structuredClone(existing) };
    this.records.set(record.sessionId, structuredClone(record));
    return { created: true, record };
  }

  async get(sessionId: string): Promise<ResultRecord | null> {
    const record = this.records.get(sessionId);
    return record ? structuredClone(record) : null;
  }

  async remove(sessionId: string): Promise<boolean> {
    return this.records.delete(sessionId);
  }
}
