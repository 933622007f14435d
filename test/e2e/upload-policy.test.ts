import { HeadObjectCommand, S3Client } from "@aws-sdk/client-s3";
import sharp from "sharp";
import { afterAll, describe, expect, inject, it } from "vitest";
import { LOCAL_SECRET_ACCESS_KEY } from "../../dev/iam/identities.mjs";
import { signPolicy } from "../../dev/iam/post-policy.ts";
import type { Schemas } from "../../client/index.ts";
import { heraClient } from "../helpers/api.ts";
import { asOwner, openSessionOverHttp, pollSession, postPresignedForm } from "../helpers/flows.ts";

// The upload form the API hands a browser meets S3's POST-policy checks on the local stack (dev/iam/post-policy.ts,
// in front of s3rver, which checks none): each way a form can break its policy is refused with S3's own answer, and
// stores nothing.

const stack = inject("stack");
const client = heraClient(stack.baseUrl);
const s3 = new S3Client({
  endpoint: stack.s3Url,
  region: "ap-northeast-1",
  forcePathStyle: true,
  credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" },
});
afterAll(() => s3.destroy());

type UploadForm = Schemas["PhotoUploadForm"];

async function grantFor(bytes: Buffer, contentType: "image/jpeg" | "image/png" = "image/jpeg"): Promise<UploadForm> {
  const session = await openSessionOverHttp(stack.baseUrl, "en");
  const grant = await client.POST("/api/sessions/{sessionId}/photos/user", {
    ...asOwner(session),
    body: { contentType, contentLength: bytes.length },
  });
  expect(grant.response.status).toBe(201);
  return grant.data!.upload;
}

async function stored(upload: UploadForm, key = upload.fields.key!): Promise<boolean> {
  const bucket = new URL(upload.url).pathname.split("/").filter(Boolean)[0]!;
  try {
    await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return true;
  } catch (error) {
    if ((error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404) return false;
    throw error;
  }
}

/** The form with its policy replaced and signed again with the signer's key, as a form signed at another time would be. */
function resigned(upload: UploadForm, change: (policy: { expiration: string; conditions: unknown[] }) => void): UploadForm {
  const policy = JSON.parse(Buffer.from(upload.fields.Policy!, "base64").toString("utf8")) as { expiration: string; conditions: unknown[] };
  change(policy);
  const encoded = Buffer.from(JSON.stringify(policy)).toString("base64");
  const [, date = "", region = ""] = upload.fields["X-Amz-Credential"]!.split("/");
  return {
    ...upload,
    fields: { ...upload.fields, Policy: encoded, "X-Amz-Signature": signPolicy(encoded, LOCAL_SECRET_ACCESS_KEY, date, region) },
  };
}

async function s3Error(response: Response): Promise<{ status: number; code: string; message: string }> {
  const text = await response.text();
  return {
    status: response.status,
    code: /<Code>(.*?)<\/Code>/.exec(text)?.[1] ?? "",
    message: /<Message>(.*?)<\/Message>/.exec(text)?.[1] ?? "",
  };
}

const photo = await sharp({ create: { width: 64, height: 64, channels: 3, background: "#a07050" } })
  .jpeg()
  .toBuffer();

describe("presigned POST forms against the local S3", () => {
  it("stores the photo the form was signed for", async () => {
    const session = await openSessionOverHttp(stack.baseUrl, "en");
    const grant = await client.POST("/api/sessions/{sessionId}/photos/user", {
      ...asOwner(session),
      body: { contentType: "image/jpeg", contentLength: photo.length },
    });
    const posted = await postPresignedForm(grant.data!.upload, photo, "image/jpeg");
    expect(posted.status).toBe(204);
    // Stored: the check read it and kept its copy (and then deleted the upload, which is why the key may be empty now).
    const view = await pollSession(stack.baseUrl, session, (seen) => seen.photo?.status !== "pending", "the photo's check");
    expect(view.photo).toMatchObject({ status: "ready" });
  });

  it("refuses a body one byte over the declared length (EntityTooLarge) and stores nothing", async () => {
    const upload = await grantFor(photo);
    const posted = await postPresignedForm(upload, Buffer.concat([photo, Buffer.from([0])]), "image/jpeg");
    expect(await s3Error(posted)).toEqual({
      status: 400,
      code: "EntityTooLarge",
      message: "Your proposed upload exceeds the maximum allowed size",
    });
    expect(await stored(upload)).toBe(false);
  });

  it("refuses another key and stores nothing", async () => {
    const upload = await grantFor(photo);
    const other = upload.fields.key!.replace(/user-photo$/, "other-photo");
    const posted = await postPresignedForm({ ...upload, fields: { ...upload.fields, key: other } }, photo, "image/jpeg");
    expect(await s3Error(posted)).toEqual({
      status: 403,
      code: "AccessDenied",
      message: `Invalid according to Policy: Policy Condition failed: ["eq", "$key", "${upload.fields.key}"]`,
    });
    expect(await stored(upload, other)).toBe(false);
    expect(await stored(upload)).toBe(false);
  });

  it("refuses another Content-Type and stores nothing", async () => {
    const upload = await grantFor(photo);
    const posted = await postPresignedForm({ ...upload, fields: { ...upload.fields, "Content-Type": "image/png" } }, photo, "image/png");
    expect(await s3Error(posted)).toMatchObject({
      status: 403,
      code: "AccessDenied",
      message: expect.stringContaining('"$Content-Type", "image/jpeg"'),
    });
    expect(await stored(upload)).toBe(false);
  });

  it("refuses an expired form and stores nothing", async () => {
    const upload = resigned(await grantFor(photo), (policy) => {
      policy.expiration = new Date(Date.now() - 1000).toISOString();
    });
    const posted = await postPresignedForm(upload, photo, "image/jpeg");
    expect(await s3Error(posted)).toEqual({ status: 403, code: "AccessDenied", message: "Invalid according to Policy: Policy expired." });
    expect(await stored(upload)).toBe(false);
  });

  it("refuses a policy changed after signing (a wider size) and stores nothing", async () => {
    const upload = await grantFor(photo);
    const policy = JSON.parse(Buffer.from(upload.fields.Policy!, "base64").toString("utf8")) as { conditions: unknown[] };
    policy.conditions = policy.conditions.map((condition) =>
      Array.isArray(condition) && condition[0] === "content-length-range" ? ["content-length-range", 0, 10_000_000] : condition,
    );
    const tampered = { ...upload, fields: { ...upload.fields, Policy: Buffer.from(JSON.stringify(policy)).toString("base64") } };
    const posted = await postPresignedForm(tampered, Buffer.concat([photo, photo]), "image/jpeg");
    expect(await s3Error(posted)).toMatchObject({ status: 403, code: "SignatureDoesNotMatch" });
    expect(await stored(upload)).toBe(false);
  });
});
