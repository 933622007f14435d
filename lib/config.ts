import { DEFAULT_CHAT_MODEL, DEFAULT_IMAGE_MODEL, GEMINI_MODEL_NAME } from "./providers/gemini-models.ts";
import * as z from "./schemas/zod.ts";
import { describeIssue } from "./schemas/issue-messages.ts";

const intFrom = (fallback: number, min = 0) => z._default(z.coerce.number().check(z.int(), z.minimum(min)), fallback);
const text = (fallback: string) => z._default(z.string().check(z.minLength(1)), fallback);
// An empty variable counts as unset: `.env.example` empties the secrets' parameter names for the local stack.
const emptyIsUnset = z.pipe(
  z.string().check(z.trim()),
  z.transform((value: string) => (value === "" ? undefined : value)),
);
const optionalUrl = z.optional(z.pipe(emptyIsUnset, z.optional(z.url())));
const optionalText = z.optional(emptyIsUnset);
const onOff = z.stringbool({ truthy: ["true"], falsy: ["false"] });
const modelName = (fallback: string) =>
  z._default(z.string().check(z.regex(GEMINI_MODEL_NAME, "must be a Gemini model name such as gemini-3.5-flash-lite")), fallback);

/** The largest photo unless MAX_PHOTO_BYTES says otherwise (also the limit the published OpenAPI document shows). */
export const DEFAULT_MAX_PHOTO_BYTES = 10 * 1024 * 1024;

const envSchema = z.object({
  STAGE: text("dev"),
  SERVICE_NAME: text("hera-api"),
  AWS_REGION: text("ap-northeast-1"),

  // Secrets (lib/secrets.ts): in AWS each comes from the SSM parameter named by `<NAME>_PARAMETER` (read through the
  // Parameters and Secrets Lambda Extension, on the port it documents), and the plain variable is unset; locally the
  // plain variable holds the value. Both are checked when the secrets load.
  UPSTASH_REDIS_REST_URL: optionalUrl,
  UPSTASH_REDIS_REST_URL_PARAMETER: optionalText,
  UPSTASH_REDIS_REST_TOKEN: optionalText,
  UPSTASH_REDIS_REST_TOKEN_PARAMETER: optionalText,
  PARAMETERS_SECRETS_EXTENSION_HTTP_PORT: z._default(z.coerce.number().check(z.int(), z.minimum(1), z.maximum(65_535)), 2773),
  REDIS_TIMEOUT_MS: intFrom(2000, 100),
  REDIS_RETRIES: intFrom(1),
  REDIS_KEY_PREFIX: text("hera"),

  SESSION_TTL_SECONDS: intFrom(86_400, 60),
  // However often it is written, a session ends this long after its creation: what it links to can then be kept for
  // a bounded time (the S3 lifecycle rule of serverless.yml, docs/reliability.md).
  SESSION_MAX_AGE_SECONDS: intFrom(259_200, 60),
  RETENTION_DAYS: intFrom(7, 1),

  PHOTO_BUCKET: z.string().check(z.minLength(3)),
  MAX_PHOTO_BYTES: intFrom(DEFAULT_MAX_PHOTO_BYTES, 1),
  PHOTO_UPLOAD_TTL_SECONDS: intFrom(300, 30),
  DOWNLOAD_URL_TTL_SECONDS: intFrom(600, 30),
  RESULTS_TABLE: z.string().check(z.minLength(1)),
  S3_ENDPOINT: optionalUrl,
  S3_PUBLIC_ENDPOINT: optionalUrl,
  DYNAMODB_ENDPOINT: optionalUrl,
  // The deadline of one call to S3, DynamoDB or Lambda (retries included) and of one readiness check: a request that
  // meets a hung dependency answers 503 well within 3 s.
  DEPENDENCY_TIMEOUT_MS: intFrom(2000, 100),

  CHAT_PROVIDER: z._default(z.enum(["local", "gemini"]), "local"),
  // Per stage in serverless.yml (params.chatModel / imageModel); the defaults are checked against Google's list.
  CHAT_MODEL: modelName(DEFAULT_CHAT_MODEL),
  IMAGE_PROVIDER: z._default(z.enum(["local", "gemini"]), "local"),
  IMAGE_MODEL: modelName(DEFAULT_IMAGE_MODEL),
  IMAGE_TIMEOUT_SECONDS: intFrom(60, 1),
  IMAGE_DAILY_LIMIT: intFrom(5, 1),
  GEMINI_API_KEY: optionalText,
  GEMINI_API_KEY_PARAMETER: optionalText,
  GEMINI_BASE_URL: optionalUrl,
  IMAGE_WORKER_FUNCTION: text("hera-api-dev-imageWorker"),
  LAMBDA_ENDPOINT: optionalUrl,

  SESSION_CREATE_LIMIT: intFrom(30, 1),
  MESSAGE_LIMIT: intFrom(30, 1),
  MAX_USER_MESSAGES: intFrom(100, 1),

  // What costs money, per client address (an hour) and for the whole stage (a UTC day): lib/limits/spend.ts.
  IMAGE_JOBS_PER_CLIENT_PER_HOUR: intFrom(20, 1),
  CHAT_TURNS_PER_CLIENT_PER_HOUR: intFrom(300, 1),
  IMAGE_JOBS_PER_DAY: intFrom(200, 1),
  CHAT_TURNS_PER_DAY: intFrom(5000, 1),
  // The switches (lib/switches.ts): in AWS each is the SSM parameter named by `<NAME>_PARAMETER`, read at run time;
  // locally (the name empty) the plain variable.
  IMAGES_ENABLED: z._default(onOff, true),
  IMAGES_ENABLED_PARAMETER: optionalText,
  GEMINI_CHAT_ENABLED: z._default(onOff, true),
  GEMINI_CHAT_ENABLED_PARAMETER: optionalText,
});

/** The names of every variable the functions' configuration reads (the docs' environment table is checked against them). */
export const CONFIG_VARIABLES = Object.keys(envSchema.shape) as ReadonlyArray<keyof typeof envSchema.shape>;

/** The validated runtime configuration of every function. */
export type Config = z.infer<typeof envSchema>;

/** The secrets a function may use; each is given either as a plain variable or by `<NAME>_PARAMETER` (lib/secrets.ts). */
export const SECRET_NAMES = ["UPSTASH_REDIS_REST_URL", "UPSTASH_REDIS_REST_TOKEN", "GEMINI_API_KEY"] as const;

// Which secrets a function needs is known where it is used (lib/secrets.ts), not here: in AWS each function is
// given only the parameter names it reads. What is always wrong is a secret given both ways.
const checkedEnvSchema = envSchema.check(
  z.superRefine((config, context) => {
    for (const name of SECRET_NAMES) {
      if (config[name] !== undefined && config[`${name}_PARAMETER`] !== undefined) {
        context.addIssue({
          code: "custom",
          path: [name],
          message: `set either ${name} or ${name}_PARAMETER, not both`,
          input: config[name],
        });
      }
    }
  }),
);

/** Parses an environment into a Config, throwing an error that names every bad variable. */
export function parseConfig(env: NodeJS.ProcessEnv): Config {
  const parsed = checkedEnvSchema.safeParse(env, { error: describeIssue });
  if (!parsed.success) {
    const names = parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
    throw new Error(`Invalid configuration: ${names.join("; ")}`);
  }
  return parsed.data;
}

/** The prefix of every Redis key of this stage, so stages can share one Redis without colliding. */
export function stageKeyPrefix(config: Pick<Config, "REDIS_KEY_PREFIX" | "STAGE">): string {
  return `${config.REDIS_KEY_PREFIX}:${config.STAGE}`;
}
