import { readFileSync } from "node:fs";
import { parseEnv } from "node:util";
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../lib/config.ts";
import { ClientLimitError, DependencyUnavailableError, StageBudgetError } from "../../lib/errors.ts";
import { createLocalInterviewer } from "../../lib/interview/local-interviewer.ts";
import type { ChatProvider } from "../../lib/interview/chat-provider.ts";
import { clientAddressKey } from "../../lib/limits/client-address.ts";
import { createSpendLimiter, SPEND_SCRIPT, spendKeys, type ScriptRunner } from "../../lib/limits/spend.ts";
import { buildOpenApiDocument } from "../../lib/openapi/document.ts";
import { createRuntimeSwitch } from "../../lib/switches.ts";
import { switchedInterviewer } from "../../lib/wiring/interview.ts";

const HOUR = 3_600_000;
const DAY = 86_400_000;

/** Runs SPEND_SCRIPT's rule on a Map (the script itself runs on real Redis in test/integration/spend-limits.test.ts). */
class MapRedis implements ScriptRunner {
  readonly counts = new Map<string, number>();
  readonly calls: Array<{ keys: string[]; args: unknown[] }> = [];
  async eval<TData>(script: string, keys: string[], args: unknown[]): Promise<TData> {
    expect(script).toBe(SPEND_SCRIPT);
    this.calls.push({ keys, args });
    for (const [i, key] of keys.entries()) if ((this.counts.get(key) ?? 0) >= Number(args[2 * i])) return [i + 1] as TData;
    return [0, ...keys.map((key) => this.counts.set(key, (this.counts.get(key) ?? 0) + 1).get(key))] as TData;
  }
}

describe("the client address a cost is counted under", () => {
  it.each([
    ["203.0.113.7", "203.0.113.7"],
    ["::ffff:203.0.113.7", "203.0.113.7"],
    ["2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"],
    ["2001:db8:1:2::9", "2001:db8:1:2::/64"],
    ["2001:0db8:0000:0002::1", "2001:db8:0:2::/64"],
    ["::1", "0:0:0:0::/64"],
    ["", "unknown"],
    ["unknown", "unknown"],
  ])("%s counts as %s", (address, key) => {
    expect(clientAddressKey(address)).toBe(key);
  });
});

describe("a spend limiter", () => {
  const limiter = (redis: ScriptRunner, now: number, onUnavailable: "open" | "closed" = "closed") =>
    createSpendLimiter(redis, { kind: "image", prefix: "p", perClientPerHour: 2, perStagePerDay: 3, onUnavailable, now: () => now });

  it("counts the client's hour and the stage's UTC day, each key living until its window ends", async () => {
    // Prepare
    const redis = new MapRedis();
    const now = Date.UTC(2026, 11, 4, 5, 30, 0);

    // Act
    await limiter(redis, now).spend("203.0.113.7");

    // Assess
    const keys = spendKeys("p", "image", "203.0.113.7", now);
    expect(redis.calls).toEqual([{ keys: [keys.client, keys.stage], args: [2, 30 * 60_000, 3, 18.5 * HOUR] }]);
    expect(keys.client).toBe(`p:image:client:203.0.113.7:${Math.floor(now / HOUR)}`);
    expect(keys.stage).toBe(`p:image:stage:${Math.floor(now / DAY)}`);
  });

  it("refuses past the client's cap with 429 until the hour ends, without spending the stage's day", async () => {
    // Prepare
    const redis = new MapRedis();
    const now = Date.UTC(2026, 11, 4, 5, 59, 30);
    const spend = limiter(redis, now);
    await spend.spend("203.0.113.7");
    await spend.spend("203.0.113.7");

    // Act
    const refused = await spend.spend("203.0.113.7").catch((error: unknown) => error);
    await spend.spend("198.51.100.1");

    // Assess
    expect(refused).toBeInstanceOf(ClientLimitError);
    expect(refused).toMatchObject({ status: 429, code: "client_image_limit", headers: { "Retry-After": "30" } });
    expect(redis.counts.get(spendKeys("p", "image", "x", now).stage)).toBe(3);
  });

  it("refuses everyone past the stage's budget with 503 until the UTC day ends", async () => {
    // Prepare
    const redis = new MapRedis();
    const now = Date.UTC(2026, 11, 4, 23, 0, 0);
    const spend = limiter(redis, now);
    for (const address of ["192.0.2.1", "192.0.2.2", "192.0.2.3"]) await spend.spend(address);

    // Act
    const refused = await spend.spend("192.0.2.4").catch((error: unknown) => error);

    // Assess
    expect(refused).toBeInstanceOf(StageBudgetError);
    expect(refused).toMatchObject({ status: 503, code: "image_budget_exhausted", headers: { "Retry-After": "3600" } });
  });

  it("refuses with 503 when Redis cannot answer for image jobs, and lets a chat turn through", async () => {
    const down: ScriptRunner = { eval: () => Promise.reject(new Error("ECONNREFUSED")) };
    await expect(limiter(down, 0).spend("192.0.2.1")).rejects.toBeInstanceOf(DependencyUnavailableError);
    await expect(limiter(down, 0, "open").spend("192.0.2.1")).resolves.toBeUndefined();
  });
});

describe("a runtime switch", () => {
  const source = (values: Record<string, string>, reads: string[]) => () => ({
    async getSecureStrings(names: readonly string[]) {
      reads.push(...names);
      if (values.fail) throw new Error("the extension did not answer");
      return Object.fromEntries(names.filter((name) => name in values).map((name) => [name, values[name]!]));
    },
  });

  it("reads its parameter at most once per cache period, and sees a flip after it", async () => {
    // Prepare
    const values: Record<string, string> = { "/hera/dev/images-enabled": "true" };
    const reads: string[] = [];
    let now = 0;
    const images = createRuntimeSwitch({
      name: "images",
      parameter: "/hera/dev/images-enabled",
      fixed: true,
      source: source(values, reads),
      cacheMs: 20_000,
      now: () => now,
    });

    // Act
    const first = await images.isOn();
    values["/hera/dev/images-enabled"] = "false";
    now = 19_999;
    const cached = await images.isOn();
    now = 20_000;
    const flipped = await images.isOn();
    values.fail = "yes";
    now = 40_000;
    const storeDown = await images.isOn();

    // Assess
    expect([first, cached, flipped, storeDown]).toEqual([true, true, false, false]);
    expect(reads).toHaveLength(3);
  });

  it("is off for a missing parameter or any value but true; fixed when no parameter is named", async () => {
    const off = async (value?: string) =>
      createRuntimeSwitch({
        name: "images",
        parameter: "/p",
        fixed: true,
        source: source(value === undefined ? {} : { "/p": value }, []),
      }).isOn();
    expect(await off()).toBe(false);
    expect(await off("TRUE ")).toBe(false);
    expect(await off("true")).toBe(true);
    expect(await createRuntimeSwitch({ name: "x", parameter: undefined, fixed: false, source: source({}, []) }).isOn()).toBe(false);
  });
});

describe("the Gemini chat switch", () => {
  const gemini: ChatProvider = {
    firstQuestion: async () => "gemini",
    reply: async () => ({ reply: "from gemini", extracted: {}, extractedFields: [] }),
  };
  const input = { locale: "en" as const, profile: {}, history: [], text: "I'm 30" };

  it("lets Gemini answer while on, and the local interviewer while off or unreadable", async () => {
    const on = await switchedInterviewer({ isOn: async () => true }, gemini).reply(input);
    const off = await switchedInterviewer({ isOn: async () => false }, gemini).reply(input);
    const unreadable = await switchedInterviewer({ isOn: () => Promise.reject(new Error("down")) }, gemini).reply(input);
    const local = await createLocalInterviewer().reply(input);
    expect(on.reply).toBe("from gemini");
    expect(off).toEqual(local);
    expect(unreadable).toEqual(local);
  });
});

describe("the limits as documented and configured", () => {
  it("lists the five variables in .env.example, which the configuration reads", () => {
    const example = parseEnv(readFileSync(".env.example", "utf8"));
    const config = parseConfig({ PHOTO_BUCKET: "bucket", RESULTS_TABLE: "t", ...example });
    expect(config).toMatchObject({
      IMAGE_JOBS_PER_CLIENT_PER_HOUR: Number(example.IMAGE_JOBS_PER_CLIENT_PER_HOUR),
      CHAT_TURNS_PER_CLIENT_PER_HOUR: Number(example.CHAT_TURNS_PER_CLIENT_PER_HOUR),
      IMAGE_JOBS_PER_DAY: Number(example.IMAGE_JOBS_PER_DAY),
      CHAT_TURNS_PER_DAY: Number(example.CHAT_TURNS_PER_DAY),
      IMAGES_ENABLED: true,
    });
    expect(parseConfig({ PHOTO_BUCKET: "bucket", RESULTS_TABLE: "t", IMAGES_ENABLED: "false" }).IMAGES_ENABLED).toBe(false);
    expect(() => parseConfig({ PHOTO_BUCKET: "bucket", RESULTS_TABLE: "t", IMAGES_ENABLED: "no" })).toThrow(/IMAGES_ENABLED/);
  });

  it("documents every refusal of these limits in docs/api.md and in the OpenAPI document", () => {
    const api = readFileSync("docs/api.md", "utf8");
    const documented = JSON.stringify(buildOpenApiDocument({ maxPhotoBytes: 1 }));
    const codes = [
      new ClientLimitError("image", 1, 1).code,
      new ClientLimitError("chat", 1, 1).code,
      new StageBudgetError("image", 1).code,
      new StageBudgetError("chat", 1).code,
      "images_paused",
    ];
    for (const code of codes) {
      expect(api, code).toMatch(new RegExp(`\\| (429|503) \\| \`${code}\` \\|`));
      expect(documented, code).toContain(`"${code}"`);
    }
  });
});
