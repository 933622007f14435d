import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { ChatMessage } from "../../../lib/interview/chat-provider.ts";
import { createLocalInterviewer, pendingStep } from "../../../lib/interview/local-interviewer.ts";
import { confirmationQuestion } from "../../../lib/interview/local-questions.ts";
import { PROFILE_FIELDS, mergeProfile, type Profile, type ProfileField } from "../../../lib/interview/profile.ts";
import type { Locale } from "../../../lib/schemas/sessions.ts";
import { INTERVIEWER_CORPUS, type CorpusCase, type CorpusQuestion } from "../../fixtures/interviewer-corpus.ts";

// Extraction accuracy of the local interviewer over the corpus, per field and per language. Every value an answer
// must yield is one item (a trait, a partner key and a child each count once); a value stored that the answer did
// not give counts as one more item, wrong; an answer that must store nothing counts once, for the field asked.
// The figures are written to test-artifacts/interviewer-accuracy.md.

const REQUIRED_ACCURACY = 0.95;
const MIN_CASES = 150;

/** The profile right before `asked` is the pending question. */
function profileBefore(asked: CorpusQuestion, status: CorpusCase["status"]): Profile {
  const steps: Array<[CorpusQuestion, Profile]> = [
    ["age", {}],
    ["gender", { age: 30 }],
    ["relationshipStatus", { gender: "female" }],
    ["location", { relationshipStatus: status ?? "single" }],
    ["incomeRange", { location: "Tokyo" }],
    ["openness", { incomeRange: "5M yen" }],
    ["conscientiousness", { personality: { openness: 0.5 } }],
    ["partner.name", { personality: { openness: 0.5, conscientiousness: 0.5 } }],
    ["partner.temperament", { partner: { name: "Sam" } }],
    ["partner.appearance", { partner: { name: "Sam", temperament: "gentle" } }],
    ["children", { partner: { name: "Sam", temperament: "gentle", appearance: "tall" } }],
  ];
  let profile: Profile = {};
  for (const [question, adds] of steps) {
    profile = mergeProfile(profile, adds);
    if (question === asked) return profile;
  }
  throw new Error(`unknown question ${asked}`);
}

/** The items of an extraction: one per scalar field, trait, partner key and child, keyed by where they are. */
function items(extracted: Partial<Profile>): Map<string, { field: ProfileField; value: string }> {
  const out = new Map<string, { field: ProfileField; value: string }>();
  for (const field of PROFILE_FIELDS) {
    const value = extracted[field];
    if (value === undefined) continue;
    if (field === "children" && Array.isArray(value)) {
      for (const [index, child] of value.entries()) out.set(`children.${index}`, { field, value: JSON.stringify(child) });
    } else if (typeof value === "object" && value !== null) {
      for (const [key, inner] of Object.entries(value)) out.set(`${field}.${key}`, { field, value: JSON.stringify(inner) });
    } else {
      out.set(field, { field, value: JSON.stringify(value) });
    }
  }
  return out;
}

function askedField(asked: CorpusQuestion): ProfileField {
  if (asked === "openness" || asked === "conscientiousness") return "personality";
  if (asked.startsWith("partner.")) return "partner";
  return asked as ProfileField;
}

interface Outcome {
  field: ProfileField;
  right: boolean;
  detail: string;
}

const YES: Record<Locale, string> = { en: "yes", ja: "はい" };

/** Plays one case: the answer, and for a guess the user's yes; returns one outcome per item. */
async function play(locale: Locale, testCase: CorpusCase): Promise<Outcome[]> {
  const profile = profileBefore(testCase.asked, testCase.status);
  const interviewer = createLocalInterviewer();
  const question = await interviewer.firstQuestion({ locale, profile });
  const history: ChatMessage[] = [{ role: "assistant", text: question }];
  const first = await interviewer.reply({ locale, profile, history, text: testCase.text });
  let stored = first.extracted;
  let confirmedRight = true;
  if ("confirms" in testCase) {
    // A guess is asked back with nothing stored; a yes stores it.
    confirmedRight = Object.keys(first.extracted).length === 0 && first.reply === confirmationQuestion(testCase.confirms, locale);
    history.push({ role: "user", text: testCase.text }, { role: "assistant", text: first.reply });
    stored = (await interviewer.reply({ locale, profile, history, text: YES[locale] })).extracted;
  }
  const expected = "confirms" in testCase ? testCase.confirms : testCase.yields;
  const want = items(expected);
  const got = items(stored);
  const outcomes: Outcome[] = [];
  for (const [key, { field, value }] of want) {
    const right = got.get(key)?.value === value && confirmedRight;
    outcomes.push({
      field,
      right,
      detail: `${key}: want ${value}, got ${got.get(key)?.value ?? "nothing"}${confirmedRight ? "" : " (not confirmed first)"}`,
    });
  }
  for (const [key, { field, value }] of got) {
    if (!want.has(key)) outcomes.push({ field, right: false, detail: `${key}: stored ${value} that the answer did not give` });
  }
  if (want.size === 0 && got.size === 0) {
    // Must store nothing and ask again: the same question stays pending.
    const right = pendingStep(mergeProfile(profile, stored)).kind === pendingStep(profile).kind;
    outcomes.push({ field: askedField(testCase.asked), right, detail: "stores nothing" });
  }
  return outcomes;
}

interface Tally {
  right: number;
  total: number;
}

const results: Record<Locale, { byField: Map<ProfileField, Tally>; misses: string[] }> = {
  en: { byField: new Map(), misses: [] },
  ja: { byField: new Map(), misses: [] },
};

function rate({ right, total }: Tally): string {
  return total === 0 ? "–" : `${((right / total) * 100).toFixed(1)} % (${right}/${total})`;
}

function overall(locale: Locale): Tally {
  return [...results[locale].byField.values()].reduce(
    (sum, tally) => ({ right: sum.right + tally.right, total: sum.total + tally.total }),
    {
      right: 0,
      total: 0,
    },
  );
}

describe.each(["en", "ja"] as const)("the local interviewer's corpus in %s", (locale) => {
  const corpus = INTERVIEWER_CORPUS[locale];

  it(`holds at least ${MIN_CASES} answers, covering every field`, () => {
    expect(corpus.length).toBeGreaterThanOrEqual(MIN_CASES);
    expect(new Set(corpus.map((testCase) => askedField(testCase.asked)))).toEqual(new Set(PROFILE_FIELDS));
  });

  it(`extracts at least ${REQUIRED_ACCURACY * 100} % of the fields right`, async () => {
    const { byField, misses } = results[locale];
    for (const testCase of corpus) {
      for (const outcome of await play(locale, testCase)) {
        const tally = byField.get(outcome.field) ?? { right: 0, total: 0 };
        byField.set(outcome.field, { right: tally.right + (outcome.right ? 1 : 0), total: tally.total + 1 });
        if (!outcome.right) misses.push(`${JSON.stringify(testCase.text)} → ${outcome.detail}`);
      }
    }
    const { right, total } = overall(locale);
    expect(right / total, misses.join("\n")).toBeGreaterThanOrEqual(REQUIRED_ACCURACY);
  });
});

describe("docs/providers.md", () => {
  it("states the corpus's size and today's figures", () => {
    const doc = readFileSync(resolve("docs", "providers.md"), "utf8").replace(/\s+/g, " ");
    expect(doc).toContain(`hold ${INTERVIEWER_CORPUS.en.length} English and ${INTERVIEWER_CORPUS.ja.length} Japanese answers`);
    const en = overall("en");
    const ja = overall("ja");
    expect(doc).toContain(`**${en.right} of ${en.total} English and ${ja.right} of ${ja.total} Japanese fields** right`);
  });
});

afterAll(() => {
  const lines = [
    "# Local interviewer: extraction accuracy",
    "",
    "Written by test/unit/interview/interviewer-corpus.test.ts over test/fixtures/interviewer-corpus.*.ts.",
    "",
    "| field | en | ja |",
    "|---|---|---|",
    ...PROFILE_FIELDS.map(
      (field) =>
        `| ${field} | ${rate(results.en.byField.get(field) ?? { right: 0, total: 0 })} | ${rate(results.ja.byField.get(field) ?? { right: 0, total: 0 })} |`,
    ),
    `| **all fields** | **${rate(overall("en"))}** | **${rate(overall("ja"))}** |`,
    "",
    ...(["en", "ja"] as const).flatMap((locale) => [
      `## Misread (${locale})`,
      "",
      ...(results[locale].misses.length === 0 ? ["none"] : results[locale].misses.map((miss) => `- ${miss}`)),
      "",
    ]),
  ];
  const report = lines.join("\n");
  mkdirSync(resolve("test-artifacts"), { recursive: true });
  writeFileSync(resolve("test-artifacts", "interviewer-accuracy.md"), report);
  console.log(report);
});
