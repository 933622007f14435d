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

/** Plays answers from `profile` on, each turn on a fresh provider with the history so far, as the API does. */
async function converse(
  locale: Locale,
  profile: Profile,
  answers: readonly string[],
): Promise<{ profile: Profile; results: ChatTurnResult[] }> {
  let current = profile;
  const history: ChatMessage[] = [{ role: "assistant", text: await createLocalInterviewer().firstQuestion({ locale, profile }) }];
  const results: ChatTurnResult[] = [];
  for (const text of answers) {
    const result = await createLocalInterviewer().reply({ locale, profile: current, history: [...history], text });
    current = mergeProfile(current, result.extracted);
    history.push({ role: "user", text }, { role: "assistant", text: result.reply });
    results.push(result);
  }
  return { profile: current, results };
}

const BEFORE_PERSONALITY: Profile = { age: 30, gender: "female", relationshipStatus: "married", location: "Tokyo", incomeRange: "5M yen" };
const BEFORE_CHILDREN: Profile = {
  ...BEFORE_PARTNER,
  relationshipStatus: "single",
  partner: { name: "a", temperament: "b", appearance: "c" },
};

describe("local interviewer: the phrasings it used to misread", () => {
  it('stores "My husband is Ken" as the name Ken', async () => {
    const profile: Profile = { ...BEFORE_PERSONALITY, personality: { openness: 0.5, conscientiousness: 0.5 } };
    const { results } = await converse("en", profile, ["My husband is Ken"]);
    expect(results[0]?.extracted).toEqual({ partner: { name: "Ken" } });
    expect(results[0]?.reply).toContain("What is your partner like?");
  });

  it('scores every trait named in "I\'m pretty curious and organised … I rarely get anxious"', async () => {
    const { results } = await converse("en", BEFORE_PERSONALITY, ["I'm pretty curious and organised … I rarely get anxious"]);
    expect(results[0]?.extracted).toEqual({ personality: { openness: 0.75, conscientiousness: 0.75, neuroticism: 0.25 } });
    // Two traits are enough, so the interview moves on to the partner.
    expect(results[0]?.reply).toContain("tell me about your partner");
  });

  it('keeps both children of "two kids: a girl named Hana and a boy named Sora" and asks whether there are more', async () => {
    const { results } = await converse("en", BEFORE_CHILDREN, ["two kids: a girl named Hana and a boy named Sora"]);
    expect(results[0]?.extracted).toEqual({
      children: [
        { name: "Hana", desiredGender: "female" },
        { name: "Sora", desiredGender: "male" },
      ],
    });
    expect(results[0]?.reply).toContain("Your profile is complete!");
    expect(results[0]?.reply).toContain("Do you picture any more children? If so, tell me their names and girl or boy (up to 8 more)");
  });

  it("reads the same in Japanese: 夫はケンです, degree words, 娘のハナと息子のソラ", async () => {
    const partner = await converse("ja", { ...BEFORE_PERSONALITY, personality: { openness: 0.5, conscientiousness: 0.5 } }, [
      "夫はケンです",
    ]);
    expect(partner.results[0]?.extracted).toEqual({ partner: { name: "ケン" } });
    const traits = await converse("ja", BEFORE_PERSONALITY, ["好奇心はとても強いけど、計画性は全然ないです"]);
    expect(traits.results[0]?.extracted).toEqual({ personality: { openness: 1, conscientiousness: 0 } });
    const children = await converse("ja", BEFORE_CHILDREN, ["娘のハナと息子のソラ"]);
    expect(children.results[0]?.extracted).toEqual({
      children: [
        { name: "ハナ", desiredGender: "female" },
        { name: "ソラ", desiredGender: "male" },
      ],
    });
    expect(children.results[0]?.reply).toContain("ほかにもお子さんを思い描いていますか？");
    expect(children.results[0]?.reply).toContain("あと8人まで");
  });
});

describe("local interviewer: more children, up to the limit", () => {
  it("adds the children named after the offer, then ends on a no", async () => {
    const { profile, results } = await converse("en", BEFORE_CHILDREN, ["a girl named Hana", "Yes, a boy named Sora", "no, that's all"]);
    expect(results[1]?.extracted).toEqual({ children: [{ name: "Sora", desiredGender: "male" }] });
    expect(results[1]?.reply).toContain("up to 8 more");
    expect(results[2]?.extracted).toEqual({});
    expect(results[2]?.reply).toContain("Your profile is complete!");
    expect(results[2]?.reply).not.toContain("any more children");
    expect(profile.children).toEqual([
      { name: "Hana", desiredGender: "female" },
      { name: "Sora", desiredGender: "male" },
    ]);
  });

  it("asks for the next names after a bare yes, and reads them", async () => {
    const { profile, results } = await converse("en", BEFORE_CHILDREN, ["a girl named Hana", "yes!", "Sora, a boy", "that's all"]);
    expect(results[1]?.extracted).toEqual({});
    expect(results[1]?.reply).toBe("Lovely! Tell me about the next child: their name and girl or boy (up to 9 more).");
    expect(results[2]?.extracted).toEqual({ children: [{ name: "Sora", desiredGender: "male" }] });
    expect(results[3]?.reply).toContain("Your profile is complete!");
    expect(profile.children).toHaveLength(2);
  });

  it("asks each new child's gender by name before offering again", async () => {
    const { profile, results } = await converse("ja", BEFORE_CHILDREN, ["女の子のさくら", "ハナとソラ", "女の子", "男の子", "いいえ"]);
    expect(results[1]?.extracted).toEqual({ children: [{ name: "ハナ" }, { name: "ソラ" }] });
    expect(results[1]?.reply).toContain("「ハナ」は女の子と男の子");
    expect(results[2]?.reply).toContain("「ソラ」は女の子と男の子");
    expect(results[3]?.reply).toContain("あと7人まで");
    expect(results[4]?.reply).toContain("プロフィールが完成しました");
    expect(profile.children).toHaveLength(3);
  });

  it("keeps ten children at most, says so, and stops offering", async () => {
    const names = ["Ann", "Ben", "Cal", "Dee", "Eve", "Fay", "Gus", "Hal", "Ivy", "Jon", "Kai", "Lea"];
    const { profile, results } = await converse("en", BEFORE_CHILDREN, [
      `${names.slice(0, 9).join(", ")}, all girls`,
      `${names.slice(9).join(" and ")}, all boys`,
      "one more: Max, a boy",
    ]);
    expect(profile.children).toHaveLength(10);
    expect(profile.children?.at(-1)).toEqual({ name: "Jon", desiredGender: "male" });
    expect(results[1]?.reply).toContain("A profile holds up to 10 children, so I kept the first 1.");
    expect(results[1]?.reply).not.toContain("any more children");
    expect(results[2]?.extracted).toEqual({});
    expect(results[2]?.reply).toContain("already complete");
  });

  it("pairs names given after a request with the genders wished just before, in order", async () => {
    const { profile } = await converse("en", BEFORE_CHILDREN, ["a girl and a boy", "Hana and Sora", "no"]);
    expect(profile.children).toEqual([
      { name: "Hana", desiredGender: "female" },
      { name: "Sora", desiredGender: "male" },
    ]);
  });
});

describe("local interviewer: a guess is confirmed before it is stored", () => {
  it.each<[Locale, Profile, string, string, Partial<Profile>]>([
    ["en", {}, "about 35", "Just to check: you are 35. Is that right? (yes or no)", { age: 35 }],
    ["ja", {}, "35歳くらいです", "確認させてください。35歳でよろしいですか？（はい／いいえ）", { age: 35 }],
    [
      "en",
      { ...BEFORE_PERSONALITY, relationshipStatus: "single", personality: { openness: 0.5, conscientiousness: 0.5 } },
      "Ethan I think",
      "Just to check: the name is Ethan. Is that right? (yes or no)",
      { partner: { name: "Ethan" } },
    ],
    [
      "ja",
      BEFORE_CHILDREN,
      "はるととさくら",
      "確認させてください。お子さんは「はると」と「さくら」の2人でよろしいですか？（はい／いいえ）",
      {
        children: [{ name: "はると" }, { name: "さくら" }],
      },
    ],
  ])("%s: %j asks back, stores nothing, and stores the guess on a yes", async (locale, profile, text, question, stored) => {
    const { results } = await converse(locale, profile, [text, locale === "ja" ? "はい、そうです" : "yes"]);
    expect(results[0]?.extracted).toEqual({});
    expect(results[0]?.reply).toBe(question);
    expect(results[1]?.extracted).toEqual(stored);
  });

  it("asks again on a no, and reads a correction that follows the no", async () => {
    const declined = await converse("en", {}, ["around 40", "no"]);
    expect(declined.results[1]?.extracted).toEqual({});
    expect(declined.results[1]?.reply).toContain("Could you tell me again? First, how old are you?");
    const corrected = await converse("ja", {}, ["たぶん33", "いいえ、34歳です"]);
    expect(corrected.results[1]?.extracted).toEqual({ age: 34 });
  });

  it("does not take a yes for a guess it did not ask about", async () => {
    const { results } = await converse("en", { age: 30 }, ["yes"]);
    expect(results[0]?.extracted).toEqual({});
  });

  it("reads a fresh answer instead of a yes or no as the answer to the question", async () => {
    const { results } = await converse("en", {}, ["about 35", "I'm 36"]);
    expect(results[1]?.extracted).toEqual({ age: 36 });
  });

  it("takes the partner's name given with the relationship", async () => {
    const { results } = await converse("en", { age: 30, gender: "female" }, ["Married — my husband is Ken"]);
    expect(results[0]?.extracted).toEqual({ relationshipStatus: "married", partner: { name: "Ken" } });
  });
});
