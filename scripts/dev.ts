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
