import { spawn } from "node:child_process";
import { resolve } from "node:path";
import { PassThrough } from "node:stream";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { pipeWithoutRouteBox } from "../../dev/offline-output.ts";

// The route box of the installed serverless-offline, printed by its own code as `npm run dev` runs it (output piped,
// COLUMNS set), and what the dev stack prints instead.

const LOG_ROUTES = pathToFileURL(resolve("node_modules/serverless-offline/src/utils/logRoutes.js")).href;
const ROUTES = [
  ["POST", "/api/sessions", "createSession"],
  ["POST", "/api/sessions/{sessionId}/photos/user", "requestPhotoUpload"],
  ["DELETE", "/api/sessions/{sessionId}", "deleteSession"],
].map(([method, path, name]) => ({
  method,
  path,
  server: "http://localhost:3000",
  invokePath: `/2015-03-31/functions/${name}/invocations`,
}));

async function printedRoutes(): Promise<string[]> {
  const script = `const { default: logRoutes } = await import(${JSON.stringify(LOG_ROUTES)}); logRoutes(${JSON.stringify(ROUTES)});`;
  const child = spawn(process.execPath, ["--input-type=module", "-e", script], {
    env: { PATH: process.env.PATH ?? "", COLUMNS: "1000" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on("data", (chunk: Buffer) => chunks.push(chunk));
  if (child.stdout) pipeWithoutRouteBox(child.stdout, out);
  await new Promise((done) => child.once("close", done));
  await new Promise((done) => setImmediate(done));
  return Buffer.concat(chunks).toString("utf8").split("\n");
}

describe("the dev stack's route list", () => {
  it("prints serverless-offline's routes one short line each, without the box that wrapped mid-word", async () => {
    // Act
    const lines = await printedRoutes();
    // Assess
    const text = lines.filter((line) => line.trim() !== "");
    expect(text).toEqual([
      "Routes (http://localhost:3000):",
      "  POST   /api/sessions",
      "  POST   /api/sessions/{sessionId}/photos/user",
      "  DELETE /api/sessions/{sessionId}",
    ]);
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(80);
  });
});
