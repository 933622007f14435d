import { CHECKED_PHOTO_MAX_SIDE, MAX_PHOTO_PIXELS } from "../../lib/photos/inspect.ts";
import { execFile } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { DEV_PORTS } from "../../dev/env.ts";
import { CONFIG_VARIABLES, parseConfig } from "../../lib/config.ts";
import type { ValidationError } from "../../lib/errors.ts";
import { MAX_BODY_BYTES, validate } from "../../lib/http/middlewares.ts";
import { MAX_MESSAGE_LENGTH } from "../../lib/schemas/messages.ts";
import { createSessionBody } from "../../lib/schemas/sessions.ts";

// The docs say what the code does because this test reads them: the environment table against the configuration's
// schema and defaults, docs/api.md's limits and deadlines and its error codes against the code and the OpenAPI
// document, and the README's TypeScript examples through the compiler and the linter. Tables are found by their
// heading, wherever they live, so moving one to another page changes nothing here.

const DOCS = ["README.md", ...readdirSync("docs").map((name) => join("docs", name))].filter((path) => path.endsWith(".md"));

/** The first Markdown table under a heading (any level) of that title, in whichever doc holds it: rows of cells. */
function tableUnder(heading: string): { path: string; rows: string[][] } {
  for (const path of DOCS) {
    const lines = readFileSync(path, "utf8").split("\n");
    const at = lines.findIndex((line) => new RegExp(`^#+ ${heading}\\s*$`).test(line));
    if (at < 0) continue;
    const start = lines.findIndex((line, index) => index > at && line.startsWith("|"));
    const rows: string[][] = [];
    for (let index = start + 2; lines[index]?.startsWith("|"); index++) {
      // A `|` inside backticks or escaped is part of a cell.
      const cells = (lines[index] ?? "").replace(/\\\|/g, "\uE000").split(/\|(?=(?:[^`]*`[^`]*`)*[^`]*$)/);
      rows.push(cells.slice(1, -1).map((cell) => cell.replace(/\uE000/g, "|").trim()));
    }
    return { path, rows };
  }
  throw new Error(`no doc has a "${heading}" heading`);
}

const backticked = (cell: string) => [...cell.matchAll(/`([^`]+)`/g)].map((match) => match[1] ?? "");
const defaults = parseConfig({ PHOTO_BUCKET: "doc-bucket", RESULTS_TABLE: "doc-table" }) as unknown as Record<string, unknown>;

describe("the environment table", () => {
  const { path, rows } = tableUnder("Environment variables");
  const PORT_VARIABLES: Record<string, number> = {
    OFFLINE_HTTP_PORT: DEV_PORTS.http,
    OFFLINE_LAMBDA_PORT: DEV_PORTS.lambda,
    S3_LOCAL_PORT: DEV_PORTS.s3,
    DYNAMODB_LOCAL_PORT: DEV_PORTS.dynamodb,
    UPSTASH_LOCAL_PORT: DEV_PORTS.upstash,
    WEB_PORT: DEV_PORTS.web,
  };
  // Read by libraries rather than by lib/config.ts.
  const LIBRARY_VARIABLES = ["POWERTOOLS_LOG_LEVEL", "POWERTOOLS_METRICS_DISABLED"];
  const documented = rows.flatMap(([names = ""]) => backticked(names.replace(/^ports:/, "")));
  const portsRow = rows.find(([names = ""]) => names.startsWith("ports:"));
  const portNames = portsRow ? ((portsRow[0] ?? "").match(/[A-Z0-9_]+_PORT\b/g) ?? []) : [];

  it(`names every variable the configuration reads (${path})`, () => {
    expect(CONFIG_VARIABLES).toContain("DEPENDENCY_TIMEOUT_MS");
    expect(CONFIG_VARIABLES.filter((name) => !documented.includes(name))).toEqual([]);
  });

  it("names no variable that nothing reads", () => {
    const known = new Set<string>([...CONFIG_VARIABLES, ...LIBRARY_VARIABLES, ...Object.keys(PORT_VARIABLES)]);
    expect([...documented, ...portNames].filter((name) => !known.has(name))).toEqual([]);
  });

  it("gives each variable the default the code has", () => {
    let compared = 0;
    for (const [names = "", cell = ""] of rows) {
      if (names.startsWith("ports:")) {
        const numbers = cell.split(",").map((value) => Number(value.trim()));
        expect(numbers, "ports").toEqual(portNames.map((name) => PORT_VARIABLES[name]));
        compared += numbers.length;
        continue;
      }
      const variables = backticked(names);
      const values = cell.split(" / ").map((value) => value.trim());
      if (values.length !== variables.length) continue;
      variables.forEach((name, index) => {
        const written = values[index] ?? "";
        const literal = /^`([^`]+)`$/.exec(written)?.[1] ?? (/^\d+$/.test(written) ? written : undefined);
        if (literal === undefined || !(name in defaults) || defaults[name] === undefined) return;
        expect(literal, name).toBe(String(defaults[name]));
        compared += 1;
      });
    }
    // The table's plain defaults (numbers and literals) are all compared, not a lucky few.
    expect(compared).toBeGreaterThanOrEqual(25);
  });
});

describe("docs/api.md", () => {
  const api = readFileSync("docs/api.md", "utf8");

  it("states each limit and deadline the code has", () => {
    const { rows } = tableUnder("Limits");
    const minutes = (seconds: unknown) => Number(seconds) / 60;
    const expected: Record<string, string[]> = {
      "body size": [`${MAX_BODY_BYTES / 1024} KiB`],
      "message length": [`${MAX_MESSAGE_LENGTH} characters`],
      "user messages per session": [`\`MAX_USER_MESSAGES\`, ${defaults.MAX_USER_MESSAGES}`],
      "new sessions per client IP": [`\`SESSION_CREATE_LIMIT\`, ${defaults.SESSION_CREATE_LIMIT} a minute`],
      "messages per session": [`\`MESSAGE_LIMIT\`, ${defaults.MESSAGE_LIMIT} a minute`],
      "new image jobs per session": [`\`IMAGE_DAILY_LIMIT\`, ${defaults.IMAGE_DAILY_LIMIT} a day`],
      "new image jobs per client address, across its sessions": [
        `\`IMAGE_JOBS_PER_CLIENT_PER_HOUR\`, ${defaults.IMAGE_JOBS_PER_CLIENT_PER_HOUR} an hour`,
      ],
      "messages per client address, across its sessions": [
        `\`CHAT_TURNS_PER_CLIENT_PER_HOUR\`, ${defaults.CHAT_TURNS_PER_CLIENT_PER_HOUR} an hour`,
      ],
      "new image jobs of the whole stage": [`\`IMAGE_JOBS_PER_DAY\`, ${defaults.IMAGE_JOBS_PER_DAY} a UTC day`],
      "messages of the whole stage": [`\`CHAT_TURNS_PER_DAY\`, ${defaults.CHAT_TURNS_PER_DAY} a UTC day`],
      "photo dimensions": [`${MAX_PHOTO_PIXELS.toLocaleString("en-US")} pixels`],
      "the photo kept (the checked copy)": [`fits ${CHECKED_PHOTO_MAX_SIDE} × ${CHECKED_PHOTO_MAX_SIDE} pixels`],
      "photo size": [`\`MAX_PHOTO_BYTES\`, ${Number(defaults.MAX_PHOTO_BYTES) / 1024 / 1024} MiB`],
      "upload form / picture URL life": [
        `${minutes(defaults.PHOTO_UPLOAD_TTL_SECONDS)} / ${minutes(defaults.DOWNLOAD_URL_TTL_SECONDS)} minutes`,
      ],
      "live session": [defaults.SESSION_TTL_SECONDS === 86_400 ? "a day after the last write" : "(SESSION_TTL_SECONDS changed)"],
      "archived result and objects": [`\`RETENTION_DAYS\`, ${defaults.RETENTION_DAYS} days`],
      "a dependency's answer": [
        `${Number(defaults.DEPENDENCY_TIMEOUT_MS) / 1000} s (\`DEPENDENCY_TIMEOUT_MS\`)`,
        `Redis ${Number(defaults.REDIS_TIMEOUT_MS) / 1000} s (\`REDIS_TIMEOUT_MS\`)`,
      ],
    };
    // Every row is checked: a new limit needs its expectation here.
    expect(rows.map(([what]) => what).sort()).toEqual(Object.keys(expected).sort());
    for (const [what = "", limit = ""] of rows) for (const text of expected[what] ?? []) expect(limit, what).toContain(text);
  });

  it("lists exactly the error codes the OpenAPI document answers with", () => {
    const { rows } = tableUnder("Errors");
    const documented = rows.map(([, code = ""]) => backticked(code)[0]);
    const codes = new Set<string>();
    const walk = (node: unknown): void => {
      if (typeof node !== "object" || node === null) return;
      const code = (node as { properties?: { error?: { properties?: { code?: { enum?: string[] } } } } }).properties?.error?.properties
        ?.code;
      for (const value of code?.enum ?? []) codes.add(value);
      for (const child of Object.values(node)) walk(child);
    };
    walk(JSON.parse(readFileSync("openapi.json", "utf8")));
    expect(codes.size).toBeGreaterThan(10);
    expect([...documented].sort()).toEqual([...codes].sort());
  });

  it("shows the validation details the code sends", () => {
    let details: unknown;
    try {
      validate(createSessionBody, { locale: "fr", mood: 1 });
    } catch (error) {
      details = (error as ValidationError).details;
    }
    expect(api).toContain(JSON.stringify(details));
  });
});

describe("the README's TypeScript examples", () => {
  const scratch = resolve(".scratch", "readme-examples");
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));
  const run = promisify(execFile);

  it("type-check and pass the lint, as if saved in the repository", { timeout: 120_000 }, async () => {
    // Prepare: each ```ts block as a module two folders down, its imports of the repository rewritten to match.
    const readme = readFileSync("README.md", "utf8");
    const blocks = [...readme.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((match) => match[1] ?? "");
    expect(blocks.length).toBeGreaterThan(0);
    rmSync(scratch, { recursive: true, force: true });
    mkdirSync(scratch, { recursive: true });
    const examples = blocks.map((block, index) => {
      const file = join(scratch, `readme-${index + 1}.ts`);
      writeFileSync(file, block.replace(/"\.\/(?=[\w-]+\/)/g, '"../../'));
      return file;
    });
    writeFileSync(join(scratch, "tsconfig.json"), JSON.stringify({ extends: "../../tsconfig.json", include: ["*.ts"] }));
    // Act + Assess: the project's compiler and linter, with its settings (the scratch folder is git-ignored, so the
    // linter is told to look anyway).
    const bin = (name: string) => resolve("node_modules", ".bin", name);
    await expect(run(bin("tsc"), ["-p", join(scratch, "tsconfig.json"), "--noEmit"])).resolves.toBeDefined();
    await expect(run(bin("biome"), ["check", "--error-on-warnings", "--vcs-use-ignore-file=false", ...examples])).resolves.toBeDefined();
  });
});
