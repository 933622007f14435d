import { DEV_PORTS, loadLocalEnv, portsFromEnv } from "../dev/env.ts";
import { startLocalStack } from "../dev/local-stack.ts";

// `npm run dev`: the whole local stack in one process tree; Ctrl-C stops all of it.
const env = loadLocalEnv();
const ports = portsFromEnv(env, DEV_PORTS);
const stack = await startLocalStack({ ports, env, output: "inherit" });

console.log(`
Hera local stack is up
  Web demo   ${stack.webUrl}/
  API        ${stack.baseUrl}/api   (health: ${stack.baseUrl}/api/health)
  Lambda     ${stack.lambdaUrl}
  S3         ${stack.s3Url}${stack.env.S3_PUBLIC_ENDPOINT === stack.s3Url ? "" : ` (browsers are given ${stack.env.S3_PUBLIC_ENDPOINT})`}
  DynamoDB   ${stack.env.DYNAMODB_ENDPOINT}
  Redis REST ${stack.upstash.url} (${stack.upstash.engine})
Providers (CHAT_PROVIDER, IMAGE_PROVIDER)
  chat       ${stack.env.CHAT_PROVIDER || "local"}: postMessage's replies (createSession always opens with the local interviewer's question)
  image      ${stack.env.IMAGE_PROVIDER || "local"}: imageWorker's pictures
Data (all of it goes when the stack stops; nothing is shared with another stack)
  S3         ${stack.s3Directory} (emptied at each start)
  DynamoDB   in memory (dynalite)
  Redis      ${stack.upstash.engine === "redis-server" ? "a redis-server without persistence, in a scratch directory" : "in memory (ioredis-mock)"}
IAM: each function calls S3, DynamoDB and Lambda with its own role from \`sls package\`; a denied call is printed here.
Edits under lib/ and functions/ reach the next request (a rebuild of a second or two, then a cold start).
Press Ctrl-C to stop.`);

let stopping = false;
const shutdown = async () => {
  if (stopping) return;
  stopping = true;
  await stack.stop();
  process.exit(0);
};
process.on("SIGINT", shutdown);
process.on("SIGTERM", shutdown);
