import { describe, expect, it } from "vitest";
import {
  buildSystemInstruction,
  chatThinkingConfig,
  DEFAULT_GEMINI_MODEL,
  INTERVIEW_RESPONSE_SCHEMA,
} from "../../../lib/interview/gemini-interviewer.ts";
import { CHILD_GENDERS, GENDERS, MAX_CHILDREN, RELATIONSHIP_STATUSES, type Profile } from "../../../lib/interview/profile.ts";
import type { Locale } from "../../../lib/schemas/sessions.ts";

type SchemaNode = Record<string, unknown>;

function isRecord(value: unknown): value is SchemaNode {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Every schema node with its depth (objects and arrays each add one). */
function nodes(schema: SchemaNode, depth = 1): Array<{ node: SchemaNode; depth: number }> {
  const children: SchemaNode[] = [];
  if (isRecord(schema.properties)) children.push(...Object.values(schema.properties).filter(isRecord));
  if (isRecord(schema.items)) children.push(schema.items);
  return [{ node: schema, depth }, ...children.flatMap((child) => nodes(child, depth + 1))];
}

describe("the interviewer's response schema", () => {
  // What the API's structured output accepts without "too many states": the OpenAPI subset it documents, and none of
  // the constraints that multiply the states of constrained decoding (numeric and length bounds, item counts).
  const ALLOWED_KEYS = new Set(["type", "description", "enum", "properties", "required", "items", "propertyOrdering"]);
  const all = nodes(INTERVIEW_RESPONSE_SCHEMA as SchemaNode);

  it("uses only the schema fields the API documents, and no bound that multiplies decoding states", () => {
    for (const { node } of all) for (const key of Object.keys(node)) expect(ALLOWED_KEYS, key).toContain(key);
  });

  it("stays small: objects and arrays at most three levels below the root, a dozen enum values, thirty nodes", () => {
    const containers = all.filter(({ node }) => node.type === "OBJECT" || node.type === "ARRAY");
    expect(Math.max(...containers.map(({ depth }) => depth))).toBeLessThanOrEqual(4);
    const enumValues = all.flatMap(({ node }) => (Array.isArray(node.enum) ? node.enum : []));
    expect(enumValues).toEqual([...GENDERS, ...RELATIONSHIP_STATUSES, ...CHILD_GENDERS]);
    expect(enumValues.length).toBeLessThanOrEqual(12);
    expect(all.length).toBeLessThanOrEqual(30);
  });

  it("requires only properties it declares, and orders the reply first", () => {
    for (const { node } of all) {
      const required = Array.isArray(node.required) ? node.required : [];
      for (const name of required) expect(Object.keys(isRecord(node.properties) ? node.properties : {})).toContain(name);
    }
    expect(INTERVIEW_RESPONSE_SCHEMA.propertyOrdering).toEqual(["reply", "extracted"]);
  });
});

describe("chatThinkingConfig", () => {
  it.each<[string, Record<string, unknown>]>([
    [DEFAULT_GEMINI_MODEL, { thinkingLevel: "MINIMAL" }],
    ["gemini-3.1-flash-lite", { thinkingLevel: "MINIMAL" }],
    ["models/gemini-3.5-flash-lite", { thinkingLevel: "MINIMAL" }],
    ["gemini-3.8-flash", { thinkingLevel: "LOW" }],
    ["gemini-4-argon", { thinkingLevel: "LOW" }],
    ["gemini-2.5-flash", { thinkingBudget: 0 }],
    ["gemini-2.5-flash-lite", { thinkingBudget: 0 }],
    ["gemini-2.5-pro", { thinkingBudget: 128 }],
  ])("keeps %s thinking as little as it allows: %j", (model, config) => {
    expect(chatThinkingConfig(model)).toEqual(config);
  });
});

describe("the interviewer's instruction keeps step with the local interviewer", () => {
  const SAMPLE: Profile = { age: 30, gender: "female", relationshipStatus: "married" };

  it.each<[Locale, RegExp[]]>([
    [
      "en",
      [
        /several \("two kids: a girl named Hana and a boy named Sora" is two\), 10 at most/,
        /ask once whether there are more, until there are 10/,
        /"my husband is Ken" or "his name is Ken" gives "Ken"/,
        /also names the partner, set partner\.name too/,
        /A hedged answer \("about 35", "maybe Lily"\) is not stored: ask a short confirming question/,
        /describes several traits/,
        /rarely \/ a little \/ not very = 2/,
      ],
    ],
    [
      "ja",
      [
        /一度に何人でも（「娘のハナと息子のソラ」なら2人）、合計10人まで/,
        /ほかにもいるかを一度たずねます/,
        /「夫はケンです」「彼の名前はケンです」なら「ケン」/,
        /partner\.name にも入れます/,
        /ぼかした答えは extracted に入れず/,
        /触れた特性すべてを入れます/,
        /あまり…ない・少し＝2/,
      ],
    ],
  ])("%s: several children and the offer of more, names alone, confirmations, degree words", (locale, phrases) => {
    const instruction = buildSystemInstruction(locale, SAMPLE);
    for (const phrase of phrases) expect(instruction).toMatch(phrase);
  });

  it("describes the same in the schema: every child named, the name alone, every trait described", () => {
    const extracted = INTERVIEW_RESPONSE_SCHEMA.properties?.extracted?.properties ?? {};
    expect(extracted.children?.description).toBe(
      `Every child the latest message names (several are fine), at most ${MAX_CHILDREN} in the profile.`,
    );
    expect(extracted.partner?.properties?.name?.description).toContain('"my husband is Ken" gives "Ken"');
    expect(extracted.personality?.description).toContain("Every trait the message describes.");
  });
});
