import { z } from "zod";

const intFrom = (fallback: number, min = 0) => z.coerce.number().int().min(min).default(fallback);
const optionalUrl = z
  .string()
  .trim()
  .transform((value) => (value === "" ? undefined : value))
  .pipe(z.url().optional())
  .optional();

const envSchema = z.object({
  STAGE: z.string().min(1).default("dev"),
  SERVICE_NAME: z.string().min(1).default("hera-api"),
  AWS_REGION: z.string().min(1).default("ap-northeast-1"),

  UPSTASH_REDIS_REST_URL: z.url(),
  UPSTASH_REDIS_REST_TOKEN: z.string().min(1),
  REDIS_TIMEOUT_MS: intFrom(2000, 100),
  REDIS_RETRIES: intFrom(1),
  REDIS_KEY_PREFIX: z.string().min(1).default("hera"),

  SESSION_TTL_SECONDS: intFrom(86_400, 60),
  RETENTION_DAYS: intFrom(7, 1),

  PHOTO_BUCKET: z.string().min(3),
  MAX_PHOTO_BYTES: intFrom(10 * 1024 * 1024, 1),
  PHOTO_UPLOAD_TTL_SECONDS: intFrom(300, 30),
  DOWNLOAD_URL_TTL_SECONDS: intFrom(600, 30),
  RESULTS_TABLE: z.string().min(1),
  S3_ENDPOINT: optionalUrl,
  S3_PUBLIC_ENDPOINT: optionalUrl,
  DYNAMODB_ENDPOINT: optionalUrl,
  DEPENDENCY_TIMEOUT_MS: intFrom(3000, 100),

  ALLOWED_ORIGINS: z
    .string()
    .default("*")
    .transform((value) =>
      value
        .split(",")
        .map((origin) => origin.trim())
        .filter((origin) => origin.length > 0),
    ),
});

/** The validated runtime configuration of every function. */
export type Config = z.infer<typeof envSchema>;

/** Parses an environment into a Config, throwing an error that names every bad variable. */
export function parseConfig(env: NodeJS.ProcessEnv): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const names = parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
    throw new Error(`Invalid configuration: ${names.join("; ")}`);
  }
  return parsed.data;
}

let cached: Config | undefined;

/** The process configuration, read and validated once; fails at start-up on a missing variable. */
export function getConfig(): Config {
  cached ??= parseConfig(process.env);
  return cached;
}
