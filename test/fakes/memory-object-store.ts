import type { ObjectStore, UploadSigner } from "../../lib/storage/objects.ts";

export interface PresignUploadCall {
  key: string;
  contentType: string;
  contentLength: number;
  expiresInSeconds: number;
}

/** An in-memory ObjectStore for unit tests: keeps objects in a map and records every presign and removal. */
export class MemoryObjectStore implements ObjectStore, UploadSigner {
  readonly objects = new Map<string, { bytes: Buffer; contentType?: string; storedAt: Date }>();
  readonly presignedUploads: PresignUploadCall[] = [];
  readonly presignedDownloads: Array<{ key: string; expiresInSeconds: number; contentType: string }> = [];
  readonly removed: string[] = [];

  constructor(
    private readonly baseUrl = "http://objects.test/bucket",
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Puts an object as if a browser had uploaded it (at `storedAt`, by default now); `null` stores it without a type. */
  put(key: string, bytes: Buffer, contentType: string | null = "application/octet-stream", storedAt = this.now()): void {
    this.objects.set(key, { bytes, ...(contentType === null ? {} : { contentType }), storedAt });
  }

  async presignUpload(input: PresignUploadCall): Promise<{ url: string; fields: Record<string, string> }> {
    this.presignedUploads.push({ ...input });
    return { url: this.baseUrl, fields: { key: input.key, "Content-Type": input.contentType, Policy: "fake-policy" } };
  }

  async read(key: string, maxBytes: number): Promise<{ bytes: Buffer; size: number; contentType?: string } | null> {
    const object = this.objects.get(key);
    if (!object) return null;
    const bytes = object.bytes.subarray(0, maxBytes + 1);
    return { bytes, size: object.bytes.length, ...(object.contentType ? { contentType: object.contentType } : {}) };
  }

  async exists(key: string): Promise<boolean> {
    return this.objects.has(key);
  }

  async storedAt(key: string): Promise<Date | null> {
    return this.objects.get(key)?.storedAt ?? null;
  }

  async write(key: string, body: Buffer, contentType: string): Promise<void> {
    this.objects.set(key, { bytes: Buffer.from(body), contentType, storedAt: this.now() });
  }

  async remove(key: string): Promise<void> {
    this.removed.push(key);
    this.objects.delete(key);
  }

  async removePrefix(prefix: string): Promise<number> {
    const keys = [...this.objects.keys()].filter((key) => key.startsWith(prefix));
    for (const key of keys) await this.remove(key);
    return keys.length;
  }

  async presignDownload(key: string, expiresInSeconds: number, served: { contentType: string }): Promise<string> {
    this.presignedDownloads.push({ key, expiresInSeconds, contentType: served.contentType });
    const response = `response-content-type=${encodeURIComponent(served.contentType)}&response-content-disposition=inline`;
    return `${this.baseUrl}/${key}?expires=${expiresInSeconds}&${response}&signature=fake`;
  }
}
