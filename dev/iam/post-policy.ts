// S3's checks of a browser upload form (POST Object with a SigV4 POST policy), for the local S3, which checks none of
// them: the policy's signature with the signing key's secret, its expiry, every condition on the form's fields, that
// no field goes unchecked, and the file's size against content-length-range. The answers are S3's own (status, code
// and message), so a browser or test meets what it would meet in AWS.
// https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-HTTPPOSTConstructPolicy.html

import { createHmac, timingSafeEqual } from "node:crypto";
import busboy from "busboy";

/** A parsed upload form: its fields (names as sent) and the file's size. */
export interface PostForm {
  fields: Array<[string, string]>;
  file?: { size: number };
}

/** The form's parts, parsed with busboy; fields after the file are ignored, as S3 ignores them. */
export function parsePostForm(body: Buffer, contentType: string): Promise<PostForm> {
  return new Promise((resolve, reject) => {
    const form: PostForm = { fields: [] };
    let fileSeen = false;
    const parser = busboy({ headers: { "content-type": contentType }, limits: { fieldSize: 64 * 1024, files: 1 } });
    parser.on("field", (name, value) => {
      if (!fileSeen) form.fields.push([name, value]);
    });
    parser.on("file", (_name, stream) => {
      fileSeen = true;
      let size = 0;
      stream.on("data", (chunk: Buffer) => {
        size += chunk.length;
      });
      stream.on("end", () => {
        form.file = { size };
      });
    });
    parser.on("error", reject);
    parser.on("close", () => resolve(form));
    parser.end(body);
  });
}

/** What S3 answers to a form it refuses. */
export interface PostRefusal {
  status: number;
  code: string;
  message: string;
  /** Further elements of S3's error document. */
  details?: Record<string, string>;
}

/** The form's verdict: the key and signer it writes as, or S3's refusal. */
export type PostVerdict = { ok: true; key: string; accessKeyId: string } | { ok: false; refusal: PostRefusal };

type Condition = Record<string, string> | [string, string | number, string | number];

interface Policy {
  expiration?: string;
  conditions?: Condition[];
}

// Fields S3 does not require a condition for.
const UNCONDITIONED = new Set(["policy", "x-amz-signature", "file"]);

const refuse = (status: number, code: string, message: string, details?: Record<string, string>): PostVerdict => ({
  ok: false,
  refusal: { status, code, message, ...(details ? { details } : {}) },
});
const policyFailure = (message: string) => refuse(403, "AccessDenied", `Invalid according to Policy: ${message}`);

/** SigV4's signing key and signature of a POST policy (the policy's base64 text is the string to sign). */
export function signPolicy(policyBase64: string, secretAccessKey: string, date: string, region: string, service = "s3"): string {
  const hmac = (key: Buffer | string, data: string) => createHmac("sha256", key).update(data, "utf8").digest();
  const signingKey = hmac(hmac(hmac(hmac(`AWS4${secretAccessKey}`, date), region), service), "aws4_request");
  return createHmac("sha256", signingKey).update(policyBase64, "utf8").digest("hex");
}

/**
 * S3's checks of an upload form to `bucket`, in S3's order: the fields it needs, the signature (with the secret of the
 * form's access key; undefined when S3 does not know the key), the expiry, then each condition and the file's size.
 */
export function checkPostForm(
  form: PostForm,
  bucket: string,
  secretOf: (accessKeyId: string) => string | undefined,
  nowMs: number,
): PostVerdict {
  const field = (name: string) => form.fields.find(([candidate]) => candidate.toLowerCase() === name.toLowerCase())?.[1];
  const key = field("key");
  if (key === undefined)
    return refuse(
      400,
      "InvalidArgument",
      "Bucket POST must contain a field named 'key'.  If it is specified, please check the order of the fields.",
    );
  if (!form.file) return refuse(400, "InvalidArgument", "POST requires exactly one file upload per request.");
  const policyText = field("policy");
  const signature = field("x-amz-signature");
  const credential = field("x-amz-credential");
  if (!policyText || !signature || !credential) {
    return refuse(403, "AccessDenied", "Access Denied"); // an anonymous form: the bucket is private
  }
  if (field("x-amz-algorithm") !== "AWS4-HMAC-SHA256")
    return refuse(400, "InvalidArgument", "Unsupported x-amz-algorithm: only AWS4-HMAC-SHA256 is supported");
  const [accessKeyId = "", date = "", region = "", service = ""] = credential.split("/");
  const secret = secretOf(accessKeyId);
  if (secret === undefined)
    return refuse(403, "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records.", {
      AWSAccessKeyId: accessKeyId,
    });
  const expected = Buffer.from(signPolicy(policyText, secret, date, region, service));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
    return refuse(
      403,
      "SignatureDoesNotMatch",
      "The request signature we calculated does not match the signature you provided. Check your key and signing method.",
      {
        AWSAccessKeyId: accessKeyId,
      },
    );
  }

  let policy: Policy;
  try {
    policy = JSON.parse(Buffer.from(policyText, "base64").toString("utf8")) as Policy;
  } catch {
    return refuse(400, "InvalidPolicyDocument", "Invalid Policy: Invalid JSON.");
  }
  const expiration = Date.parse(policy.expiration ?? "");
  if (Number.isNaN(expiration)) return refuse(400, "InvalidPolicyDocument", "Invalid Policy: Policy missing expiration.");
  if (expiration <= nowMs) return policyFailure("Policy expired.");

  const conditioned = new Set<string>();
  let range: [number, number] | undefined;
  for (const condition of policy.conditions ?? []) {
    if (!Array.isArray(condition)) {
      for (const [name, value] of Object.entries(condition)) {
        conditioned.add(name.toLowerCase());
        const actual = name.toLowerCase() === "bucket" ? bucket : field(name);
        if (actual !== value) return policyFailure(`Policy Condition failed: ["eq", "$${name}", "${value}"]`);
      }
      continue;
    }
    const [operator, subject, value] = condition;
    if (String(operator).toLowerCase() === "content-length-range") {
      range = [Number(subject), Number(value)];
      continue;
    }
    const name = String(subject).replace(/^\$/, "");
    conditioned.add(name.toLowerCase());
    const actual = name.toLowerCase() === "bucket" ? bucket : (field(name) ?? "");
    const holds =
      String(operator).toLowerCase() === "eq"
        ? actual === String(value)
        : String(operator).toLowerCase() === "starts-with"
          ? actual.startsWith(String(value))
          : undefined;
    if (holds === undefined)
      return refuse(400, "InvalidPolicyDocument", `Invalid Policy: Invalid Condition: unknown operator ${String(operator)}`);
    if (!holds) return policyFailure(`Policy Condition failed: ["${operator}", "${subject}", "${value}"]`);
  }
  const unchecked = form.fields
    .map(([name]) => name.toLowerCase())
    .filter((name) => !UNCONDITIONED.has(name) && !name.startsWith("x-ignore-") && !conditioned.has(name));
  if (unchecked.length > 0) return policyFailure(`Extra input fields: ${unchecked.join(", ")}`);
  if (range) {
    const size = form.file.size;
    if (size > range[1]) {
      return refuse(400, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed size", {
        ProposedSize: String(size),
        MaxSizeAllowed: String(range[1]),
      });
    }
    if (size < range[0]) {
      return refuse(400, "EntityTooSmall", "Your proposed upload is smaller than the minimum allowed size", {
        ProposedSize: String(size),
        MinSizeAllowed: String(range[0]),
      });
    }
  }
  return { ok: true, key, accessKeyId };
}
