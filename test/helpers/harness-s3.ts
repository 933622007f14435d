import { GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";

/**
 * Reads an object of the local S3 as the tests' harness (the emulator's own key, which the local stack's IAM proxy
 * lets through unchecked): its bytes, or undefined when it is not there. `url` is an upload form's URL (the bucket's).
 * A plain unsigned GET would be refused, as S3 refuses an anonymous read of a private bucket.
 */
export async function readStoredObject(url: string, key: string): Promise<Buffer | undefined> {
  const { s3, bucket } = harnessBucket(url);
  try {
    const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return Buffer.from(await object.Body!.transformToByteArray());
  } catch (error) {
    if ((error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404) return undefined;
    throw error;
  } finally {
    s3.destroy();
  }
}

/** Stores an object as the harness, past any upload form: what an upload that broke its policy would leave in a lenient S3. */
export async function storeObjectAsHarness(url: string, key: string, bytes: Buffer, contentType: string): Promise<void> {
  const { s3, bucket } = harnessBucket(url);
  try {
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: bytes, ContentType: contentType }));
  } finally {
    s3.destroy();
  }
}

function harnessBucket(url: string): { s3: S3Client; bucket: string } {
  const bucketUrl = new URL(url);
  const s3 = new S3Client({
    endpoint: bucketUrl.origin,
    region: "ap-northeast-1",
    forcePathStyle: true,
    credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" },
  });
  return { s3, bucket: bucketUrl.pathname.split("/").filter(Boolean)[0] ?? "" };
}
