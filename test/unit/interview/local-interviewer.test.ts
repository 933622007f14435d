import { describe, expect, it } from "vitest";
import { INTERVIEWS } from "../../fixtures/interviews.ts";
import type { ChatMessage, ChatTurnResult } from "../../../lib/interview/chat-provider.ts";
import type { Locale } from "../../../lib/schemas/sessions.ts";
import { createLocalInterviewer, pendingStep, type InterviewStep } from "../../../lib/interview/local-interviewer.ts";
import * as z from "../../../lib/schemas/zod.ts";
import { isProfileComplete, mergeProfile, missingFields, profileSchema, type Profile } from "../../../lib/interview/profile.ts";

interface Turn {
  text: string;
  /** A fragment the reply must contain (the next question or the completion notice). */
  expect: string;
}

interface WalkResult {
  profile: Profile;
  replies: ChatTurnResult[];
  messages: number;
}

/** Pairs each answer with the reply fragment expected after it. */
function zipTurns(answers: readonly string[], expects: readonly string[]): Turn[] {
  expect(expects).toHaveLength(answers.length);
  return answers.map((text, i) => ({ text, expect: expects[i] ?? "" }));
}

/** Plays a session the way the API would: every turn uses a fresh provider, so no hidden state can help. */
async function walk(locale: Locale, turns: readonly Turn[]): Promise<WalkResult> {
  let profile: Profile = {};
  const history: ChatMessage[] = [];
  const opening = await createLocalInterviewer().firstQuestion({ locale, profile });
  history.push({ role: "assistant", text: opening });
  const replies: ChatTurnResult[] = [];
  for (const turn of turns) {
    const result = await createLocalInterviewer().reply({ locale, profile, history: [...history], text: turn.text });
    expect(result.reply, `reply to ${JSON.stringify(turn.text)}`).toContain(turn.expect);
    expect(result.reply).not.toMatch(/undefined|null|NaN|\[object/);
    expect(Object.keys(result.extracted)).toEqual(result.extractedFields);
    expect(z.partial(profileSchema).safeParse(result.extracted).success).toBe(true);
    profile = mergeProfile(profile, result.extracted);
    expect(profileSchema.safeParse(profile).success).toBe(true);
    history.push({ role: "user", text: turn.text }, { role: "assistant", text: result.reply });
    replies.push(result);
  }
  return { profile, replies, messages: turns.length };
}

describe("local interviewer: full walks", () => {
  it("completes a Japanese interview in 11 natural messages", async () => {
    const { profile, replies, messages } = await walk(
      "ja",
      // The fixture's answers, each with a fragment of the question that must follow it.
      zipTurns(INTERVIEWS.ja.answers, [
        "性別",
        "恋愛・結婚の状況",
        "お住まいの地域",
        "年収",
        "新しいことや未知の体験",
        "計画的",
        "パートナーについて教えてください",
        "パートナーはどんな性格",
        "パートナーの見た目",
        "お子さんの名前",
        "プロフィールが完成しました",
      ]),
    );
    expect(messages).toBe(11);
    expect(profile).toEqual(INTERVIEWS.ja.profile);
    expect(isProfileComplete(profile)).toBe(true);
    const last = replies.at(-1)?.reply ?? "";
    expect(last).toContain("写真をアップロード");
    expect(last).toContain("画像を生成");
    expect(replies.map((reply) => reply.extractedFields)).toEqual([
      ["age"],
      ["gender"],
      ["relationshipStatus"],
      ["location"],
      ["incomeRange"],
      ["personality"],
      ["personality"],
      ["partner"],
      ["partner"],
      ["partner"],
      ["children"],
    ]);
    expect(replies.some((reply) => reply.reply.includes("理想のパートナー"))).toBe(false);
  });

  it("completes an English interview in 12 natural messages", async () => {
    const { profile, replies, messages } = await walk(
      "en",
      // The fixture's answers, each with a fragment of the question that must follow it.
      zipTurns(INTERVIEWS.en.answers, [
        "gender",
        "relationship status",
        "Where do you live",
        "annual income",
        "new ideas and experiences",
        "organized",
        "your ideal partner",
        "temperament would your ideal partner",
        "What does your ideal partner look like",
        "girl or a boy",
        "Would you like Sakura to be a girl or a boy",
        "Your profile is complete",
      ]),
    );
    expect(messages).toBe(12);
    expect(profile).toEqual(INTERVIEWS.en.profile);
    const last = replies.at(-1)?.reply ?? "";
    expect(last).toMatch(/upload a photo/);
    expect(last).toMatch(/generate images/);
    expect(replies[10]?.extracted).toEqual({ children: [{ name: "Sakura" }] });
    expect(replies[11]?.extracted).toEqual({ children: [{ name: "Sakura", desiredGender: "female" }] });
  });

  it("combines a wished gender with the name given in the next message (ja)", async () => {
    const start: Profile = {
      age: 40,
      gender: "male",
      relationshipStatus: "married",
      location: "大阪",
      incomeRange: "700万円",
      personality: { openness: 0.5, conscientiousness: 1 },
      partner: { name: "美咲", temperament: "明るい", appearance: "ショートカット" },
    };
    const interviewer = createLocalInterviewer();
    const history: ChatMessage[] = [{ role: "assistant", text: "…" }];
    const first = await interviewer.reply({ locale: "ja", profile: start, history, text: "男の子がいいです" });
    expect(first.extracted).toEqual({});
    expect(first.reply).toContain("名前");
    history.push({ role: "user", text: "男の子がいいです" }, { role: "assistant", text: first.reply });
    const second = await interviewer.reply({ locale: "ja", profile: start, history, text: "太郎" });
    expect(second.extracted).toEqual({ children: [{ name: "太郎", desiredGender: "male" }] });
    expect(isProfileComplete(mergeProfile(start, second.extracted))).toBe(true);
  });
});

const BEFORE_PARTNER: Profile = {
  age: 30,
  gender: "female",
  location: "Tokyo",
  incomeRange: "5M yen",
  personality: { openness: 0.5, extraversion: 0.75 },
};

describe("local interviewer: questions follow the profile", () => {
  it.each<[string, Profile, InterviewStep["kind"]]>([
    ["empty", {}, "age"],
    ["age only", { age: 30 }, "gender"],
    ["up to income", { age: 30, gender: "male", relationshipStatus: "single", location: "x", incomeRange: "y" }, "personality"],
    ["two traits", { ...BEFORE_PARTNER, relationshipStatus: "single" }, "partner"],
    [
      "partner done",
      { ...BEFORE_PARTNER, relationshipStatus: "single", partner: { name: "a", temperament: "b", appearance: "c" } },
      "child",
    ],
    [
      "named child",
      {
        ...BEFORE_PARTNER,
        relationshipStatus: "single",
        partner: { name: "a", temperament: "b", appearance: "c" },
        children: [{ name: "Sakura" }],
      },
      "childGender",
    ],
  ])("%s → asks %s", (_label, profile, kind) => {
    expect(pendingStep(profile).kind).toBe(kind);
  });

  it("asks personality one trait at a time, skipping traits already set", () => {
    expect(pendingStep({ ...BEFORE_PARTNER, relationshipStatus: "single", personality: {} })).toMatchObject({
      kind: "personality",
      trait: "openness",
      first: true,
    });
    expect(pendingStep({ ...BEFORE_PARTNER, relationshipStatus: "single", personality: { openness: 1 } })).toMatchObject({
      kind: "personality",
      trait: "conscientiousness",
      first: false,
    });
  });

  it.each<[Locale, Profile["relationshipStatus"], string, string | undefined]>([
    ["en", "dating", "your partner", "ideal"],
    ["en", "married", "your partner", "ideal"],
    ["en", "single", "your ideal partner", undefined],
    ["en", "other", "your ideal partner", undefined],
    ["ja", "dating", "パートナー", "理想"],
    ["ja", "married", "パートナー", "理想"],
    ["ja", "single", "理想のパートナー", undefined],
  ])("%s, %s: partner questions say %j", async (locale, relationshipStatus, phrase, absent) => {
    const interviewer = createLocalInterviewer();
    for (const partner of [{}, { name: "Ken" }, { name: "Ken", temperament: "calm" }]) {
      const profile: Profile = { ...BEFORE_PARTNER, relationshipStatus, partner };
      const opening = await interviewer.firstQuestion({ locale, profile });
      expect(opening).toContain(phrase);
      if (absent !== undefined) expect(opening).not.toContain(absent);
    }
  });

  it("greets a new session and resumes an old one in its locale", async () => {
    const interviewer = createLocalInterviewer();
    expect(await interviewer.firstQuestion({ locale: "ja", profile: {} })).toMatch(/^こんにちは！.*年齢/);
    expect(await interviewer.firstQuestion({ locale: "en", profile: {} })).toMatch(/^Hi!.*how old are you\?$/);
    expect(await interviewer.firstQuestion({ locale: "en", profile: { age: 30 } })).toMatch(/^Welcome back!.*gender/);
  });

  it("asks for a named child's gender by name", async () => {
    const profile: Profile = {
      ...BEFORE_PARTNER,
      relationshipStatus: "single",
      partner: { name: "a", temperament: "b", appearance: "c" },
      children: [{ name: "ひかり" }],
    };
    const interviewer = createLocalInterviewer();
    expect(await interviewer.firstQuestion({ locale: "ja", profile })).toContain("「ひかり」は女の子と男の子");
    const result = await interviewer.reply({ locale: "ja", profile, history: [], text: "どちらでもいいです" });
    expect(result.extracted).toEqual({ children: [{ name: "ひかり", desiredGender: "either" }] });
    expect(result.reply).toContain("プロフィールが完成しました");
  });
});

const COMPLETE: Profile = {
  age: 30,
  gender: "other",
  relationshipStatus: "other",
  location: "Kyoto",
  incomeRange: "none",
  personality: { agreeableness: 1, neuroticism: 0 },
  partner: { name: "Sam", temperament: "gentle", appearance: "curly hair" },
  children: [{ name: "Robin", desiredGender: "either" }],
};

describe("local interviewer: unusable answers store nothing", () => {
  it.each<[string, Locale, Profile, string, string]>([
    ["age as words it cannot read", "en", {}, "old enough", "exact age as a number"],
    ["age out of range", "ja", {}, "15歳", "16〜120"],
    ["age too high", "en", {}, "130", "between 16 and 120"],
    ["vague decade", "ja", {}, "30代です", "年齢を数字で"],
    ["empty age", "en", {}, "   ", "as a number"],
    ["nonsense gender", "ja", { age: 30 }, "バナナ", "「女性」「男性」「その他」"],
    ["negated gender", "en", { age: 30 }, "I'm not a man", "female, male or other"],
    ["nonsense status", "en", { age: 30, gender: "male" }, "yes", "single, dating, married or other"],
    ["unknown location", "ja", { age: 30, gender: "male", relationshipStatus: "single" }, "わからない", "お住まいの地域"],
    [
      "scale out of range",
      "en",
      { age: 30, gender: "male", relationshipStatus: "single", location: "x", incomeRange: "y" },
      "7",
      "from 1 (not at all) to 5",
    ],
    [
      "scale nonsense",
      "ja",
      { age: 30, gender: "male", relationshipStatus: "single", location: "x", incomeRange: "y" },
      "うーん",
      "1〜5の数字",
    ],
    ["empty partner name", "en", { ...BEFORE_PARTNER, relationshipStatus: "single" }, "no idea", "What name would you give them"],
    [
      "too long temperament",
      "ja",
      { ...BEFORE_PARTNER, relationshipStatus: "dating", partner: { name: "Ken" } },
      "優".repeat(250),
      "200文字以内",
    ],
    [
      "two wished children without names",
      "en",
      { ...BEFORE_PARTNER, relationshipStatus: "single", partner: { name: "a", temperament: "b", appearance: "c" } },
      "a girl and a boy",
      "What names would you give them, in the same order?",
    ],
    [
      "gender without name",
      "en",
      { ...BEFORE_PARTNER, relationshipStatus: "single", partner: { name: "a", temperament: "b", appearance: "c" } },
      "a boy",
      "What name would you give him?",
    ],
    [
      "child gender nonsense",
      "ja",
      {
        ...BEFORE_PARTNER,
        relationshipStatus: "single",
        partner: { name: "a", temperament: "b", appearance: "c" },
        children: [{ name: "さくら" }],
      },
      "うーん",
      "「女の子」「男の子」「どちらでも」",
    ],
    ["already complete (en)", "en", COMPLETE, "I'm 45 now", "already complete"],
    ["already complete (ja)", "ja", COMPLETE, "こんにちは", "すでに完成"],
  ])("%s", async (_label, locale, profile, text, fragment) => {
    const result = await createLocalInterviewer().reply({ locale, profile, history: [], text });
    expect(result.extracted).toEqual({});
    expect(result.extractedFields).toEqual([]);
    expect(result.reply).toContain(fragment);
    // Nothing stored means the same question is still pending.
    expect(pendingStep(mergeProfile(profile, result.extracted))).toEqual(pendingStep(profile));
  });

  it("clarifies in the session's locale", async () => {
    const ja = await createLocalInterviewer().reply({ locale: "ja", profile: {}, history: [], text: "???" });
    const en = await createLocalInterviewer().reply({ locale: "en", profile: {}, history: [], text: "???" });
    expect(ja.reply).toMatch(/[ぁ-ん]/);
    expect(en.reply).not.toMatch(/[ぁ-んァ-ン一-龯]/);
  });

  it("does not join a name to a gender wished for in an unrelated earlier exchange", async () => {
    const profile: Profile = { ...BEFORE_PARTNER, relationshipStatus: "single", partner: { name: "a", temperament: "b", appearance: "c" } };
    const history: ChatMessage[] = [
      { role: "user", text: "a boy" },
      { role: "assistant", text: "Something else entirely." },
    ];
    const result = await createLocalInterviewer().reply({ locale: "en", profile, history, text: "Taro" });
    expect(result.extracted).toEqual({ children: [{ name: "Taro" }] });
    expect(missingFields(mergeProfile(profile, result.extracted))).toEqual(["children"]);
  });
});
