import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { loadLocalEnv } from "../dev/env.ts";
import {
  defaultEventFile,
  fillPlaceholders,
  functionSources,
  invocationResult,
  needsOf,
  placeholdersIn,
  prepareState,
  runInvokeLocal,
  sessionOutcome,
  startInvokeServices,
  writeFilledEvent,
} from "../dev/invoke-local.ts";

// `npm run invoke -- <function> [event.json]`: one function's real bundle (`sls invoke local`) on a sample event,
// against throwaway local services, with the event's REPLACE_WITH_… placeholders filled by a session made for it.
// Prints the function's answer and exits: 0 when it ran, 1 when it failed or did not end within INVOKE_TIMEOUT_MS.
const [name, eventArgument] = process.argv.slice(2);
const sources = functionSources();
if (!name || !sources[name]) {
  console.error(`usage: npm run invoke -- <function> [event.json]\nfunctions: ${Object.keys(sources).join(", ")}`);
  process.exit(2);
}
const eventFile = eventArgument ? resolve(eventArgument) : defaultEventFile(sources[name]);
if (!existsSync(eventFile)) {
  console.error(`No event file ${eventFile}`);
  process.exit(2);
}
const template = readFileSync(eventFile, "utf8");
const timeoutMs = Number(process.env.INVOKE_TIMEOUT_MS) || 180_000;
const say = (line: string) => console.error(`[invoke] ${line}`);

const services = await startInvokeServices(loadLocalEnv());
let exitCode = 1;
try {
  // The preparing handlers run in this process: the same environment, quieter logs and no metrics lines.
  Object.assign(process.env, services.env, { POWERTOOLS_LOG_LEVEL: "WARN", POWERTOOLS_METRICS_DISABLED: "true" });
  const locale = /-ja\.json$/.test(eventFile) ? "ja" : "en";
  const values = await prepareState(needsOf(name, placeholdersIn(template)), locale, services.queuedJobs, say);
  const filled = writeFilledEvent(name, fillPlaceholders(template, values));
  say(`sls invoke local -f ${name} -p ${filled}`);
  const outcome = await runInvokeLocal(name, filled, services.env, timeoutMs);
  if (outcome.timedOut) {
    say(`${name} did not end within ${timeoutMs} ms`);
  } else {
    const result = invocationResult(outcome.output) as { statusCode?: number } | undefined;
    if (typeof result?.statusCode === "number") say(`${name} → statusCode ${result.statusCode}`);
    else if (values.SESSION_ID && outcome.exitCode === 0)
      say(`${name} → session ${JSON.stringify(await sessionOutcome(values.SESSION_ID))}`);
    for (const job of services.queuedJobs) say(`queued for imageWorker (not run here): ${JSON.stringify(job)}`);
    exitCode = outcome.exitCode ?? 1;
  }
} catch (error) {
  say(error instanceof Error ? error.message : String(error));
} finally {
  await services.close();
}
process.exit(exitCode);
