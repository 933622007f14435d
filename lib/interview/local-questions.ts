import type { Locale } from "../schemas/sessions.ts";
import type { ParseFailure } from "./local-parse.ts";
import {
  MAX_AGE,
  MAX_NAME_LENGTH,
  MAX_TEXT_LENGTH,
  MIN_AGE,
  PARTNER_KEYS,
  personalityTraitCount,
  type ChildGender,
  type PartnerKey,
  type Child,
  type PersonalityTrait,
  type Profile,
} from "./profile.ts";

// What the local interviewer says, in Japanese and English: its questions, acknowledgements and clarifications.
// The step machine that decides which one to say is lib/interview/local-interviewer.ts.

/** The piece of the profile the interviewer is currently asking for. */
export type InterviewStep =
  | { kind: "age" }
  | { kind: "gender" }
  | { kind: "relationshipStatus" }
  | { kind: "location" }
  | { kind: "incomeRange" }
  | { kind: "personality"; trait: PersonalityTrait; first: boolean }
  | { kind: "partner"; key: PartnerKey; current: boolean }
  | { kind: "child" }
  | { kind: "childGender"; name: string }
  | { kind: "done" };

const TRAIT_QUESTIONS: Record<Locale, Record<PersonalityTrait, string>> = {
  ja: {
    openness: "新しいことや未知の体験に、どのくらい興味がありますか？",
    conscientiousness: "物事を計画的に、きちんと進めるほうですか？",
    extraversion: "人と話したり、大勢で集まったりするのはどのくらい好きですか？",
    agreeableness: "周りの人に対して、どのくらい協力的で思いやりがあるほうですか？",
    neuroticism: "不安やストレスをどのくらい感じやすいですか？",
  },
  en: {
    openness: "How curious are you about new ideas and experiences?",
    conscientiousness: "How organized and careful are you when you get things done?",
    extraversion: "How much do you enjoy talking with people and being in groups?",
    agreeableness: "How cooperative and considerate are you toward others?",
    neuroticism: "How easily do you feel stressed or anxious?",
  },
};

const CHILD_GENDER_WORDS: Record<Locale, Record<ChildGender, string>> = {
  ja: { female: "女の子", male: "男の子", either: "お子さん" },
  en: { female: "her", male: "him", either: "them" },
};

function partnerLabel(locale: Locale, current: boolean): string {
  if (locale === "ja") return current ? "パートナー" : "理想のパートナー";
  return current ? "your partner" : "your ideal partner";
}

/** The question for `step` in `locale` (the completion notice for `done`). */
export function questionFor(step: InterviewStep, locale: Locale): string {
  const ja = locale === "ja";
  switch (step.kind) {
    case "age":
      return ja ? "まず、年齢を教えてください。" : "First, how old are you?";
    case "gender":
      return ja ? "性別を教えてください（女性・男性・その他）。" : "What is your gender? (female, male or other)";
    case "relationshipStatus":
      return ja
        ? "今の恋愛・結婚の状況を教えてください（独身・交際中・既婚・その他）。"
        : "What is your relationship status? (single, dating, married or other)";
    case "location":
      return ja
        ? "お住まいの地域を教えてください（都道府県や市区町村で大丈夫です）。"
        : "Where do you live? A prefecture or city is enough.";
    case "incomeRange":
      return ja
        ? "差し支えなければ、だいたいの年収を教えてください（例：400〜600万円）。"
        : "Roughly what is your annual income? A range is fine (for example 4–6 million yen or $40k–60k).";
    case "personality": {
      const question = TRAIT_QUESTIONS[locale][step.trait];
      if (step.first) {
        return ja
          ? `次に、性格について少し伺います。1（まったく当てはまらない）〜5（とても当てはまる）の5段階で答えてください。${question}`
          : `Next, a couple of quick questions about your personality. Answer on a scale from 1 (not at all) to 5 (very much). ${question}`;
      }
      return ja ? `${question}（1〜5）` : `${question} (1–5)`;
    }
    case "partner": {
      const label = partnerLabel(locale, step.current);
      if (step.key === "name") {
        if (ja) {
          return step.current
            ? "次は、パートナーについて教えてください。お名前（呼び名でもOK）は何ですか？"
            : "次は、理想のパートナーを思い描いてみましょう。その人に名前をつけるとしたら、何と呼びたいですか？";
        }
        return step.current
          ? "Now tell me about your partner. What is their name? (A nickname is fine.)"
          : "Now let's imagine your ideal partner. What name would you give them?";
      }
      if (step.key === "temperament") {
        return ja
          ? `${label}はどんな性格ですか？`
          : step.current
            ? "What is your partner like? Describe their temperament."
            : "What kind of temperament would your ideal partner have?";
      }
      return ja
        ? `${label}の見た目の特徴を教えてください（髪型、背の高さ、雰囲気など）。`
        : `What does ${label} look like? (hair, height, style…)`;
    }
    case "child":
      return ja
        ? "最後に、未来のお子さんについてです。お子さんの名前と、女の子・男の子どちらがいいかを教えてください（例：「女の子のさくら」。何人でも大丈夫です）。"
        : "Finally, your future child: what name would you give them, and would you like a girl or a boy? " +
            '(for example "a girl named Sakura"; several children are fine)';
    case "childGender":
      return ja
        ? `「${step.name}」は女の子と男の子、どちらがいいですか？（どちらでもよければ「どちらでも」と答えてください）`
        : `Would you like ${step.name} to be a girl or a boy? (Or say "either".)`;
    case "done":
      return ja
        ? "これでプロフィールが完成しました！写真をアップロードして、未来の家族の画像を生成できます。"
        : "Your profile is complete! You can now upload a photo and generate images of your future family.";
  }
}

export function join(locale: Locale, ...parts: string[]): string {
  return parts.filter((part) => part.length > 0).join(locale === "ja" ? "" : " ");
}

export function greeting(locale: Locale, resumed: boolean): string {
  if (locale === "ja") {
    return resumed
      ? "おかえりなさい！続きから始めましょう。"
      : "こんにちは！あなたの未来の家族を一緒に描くために、いくつか質問させてください。";
  }
  return resumed
    ? "Welcome back! Let's pick up where we left off."
    : "Hi! To picture your future family together, I'd like to ask you a few questions.";
}

const ACKS: Record<Locale, readonly string[]> = {
  ja: ["ありがとうございます。", "なるほど、わかりました。", "教えてくれてありがとうございます。"],
  en: ["Thanks!", "Got it.", "Thank you for sharing."],
};

export function acknowledgement(locale: Locale, step: InterviewStep, extracted: Partial<Profile>, nextProfile: Profile): string {
  if (step.kind === "age" && extracted.age !== undefined) {
    return locale === "ja" ? `${extracted.age}歳ですね、ありがとうございます。` : `Thanks, ${extracted.age} it is.`;
  }
  // Rotating by progress keeps the wording varied yet fully deterministic.
  const filled =
    Object.keys(nextProfile).length +
    personalityTraitCount(nextProfile.personality) +
    PARTNER_KEYS.filter((key) => nextProfile.partner?.[key] !== undefined).length;
  const acks = ACKS[locale];
  return acks[filled % acks.length] ?? acks[0] ?? "";
}

export function alreadyComplete(locale: Locale): string {
  return locale === "ja"
    ? "ありがとうございます。プロフィールはすでに完成しています。写真をアップロードして、未来の家族の画像を生成してみてください。"
    : "Thank you! Your profile is already complete. Go ahead and upload a photo to generate images of your future family.";
}

export function clarification(step: InterviewStep, reason: ParseFailure, locale: Locale): string {
  const ja = locale === "ja";
  if (reason === "too_long") {
    const asksName = (step.kind === "partner" && step.key === "name") || step.kind === "child";
    const max = asksName ? MAX_NAME_LENGTH : MAX_TEXT_LENGTH;
    return ja
      ? `少し長いようです。${max}文字以内で教えていただけますか？`
      : `That's a bit long. Could you keep it under ${max} characters?`;
  }
  switch (step.kind) {
    case "age":
      if (reason === "out_of_range") {
        return ja
          ? `年齢は${MIN_AGE}〜${MAX_AGE}の範囲で、数字で教えてください。`
          : `Please tell me an age between ${MIN_AGE} and ${MAX_AGE}, as a number.`;
      }
      return ja
        ? "すみません、うまく読み取れませんでした。年齢を数字で教えていただけますか？（例：32）"
        : "Sorry, I didn't quite catch that. Could you tell me your exact age as a number? (for example 32)";
    case "gender":
      return ja
        ? "すみません、うまく読み取れませんでした。「女性」「男性」「その他」のどれかで教えてください。"
        : "Sorry, I didn't quite catch that. Please answer female, male or other.";
    case "relationshipStatus":
      return ja
        ? "すみません、うまく読み取れませんでした。「独身」「交際中」「既婚」「その他」のどれかで教えてください。"
        : "Sorry, I didn't quite catch that. Please answer single, dating, married or other.";
    case "personality":
      return ja
        ? `1〜5の数字で教えてください（1＝まったく当てはまらない、5＝とても当てはまる）。${TRAIT_QUESTIONS.ja[step.trait]}`
        : `Please answer with a number from 1 (not at all) to 5 (very much). ${TRAIT_QUESTIONS.en[step.trait]}`;
    case "child":
      return ja
        ? "すみません、うまく読み取れませんでした。お子さんごとに、名前と、女の子・男の子どちらがいいかを教えてください（例：「女の子のさくら」「娘のハナと息子のソラ」）。"
        : "Sorry, I didn't quite catch that. " +
            'For each child, tell me a name and whether you\'d like a girl or a boy (for example "a girl named Sakura").';
    case "childGender":
      return ja
        ? `「女の子」「男の子」「どちらでも」のどれかで教えてください。${questionFor(step, locale)}`
        : `Please answer girl, boy or either. ${questionFor(step, locale)}`;
    case "location":
    case "incomeRange":
    case "partner":
      return join(
        locale,
        ja
          ? "すみません、うまく受け取れませんでした。もう一度教えていただけますか？"
          : "Sorry, I didn't quite get that. Could you tell me again?",
        questionFor(step, locale),
      );
    case "done":
      return alreadyComplete(locale);
  }
}

/** The follow-up used when the user wished one or more genders but gave no names yet. */
export function childNameRequest(genders: readonly ChildGender[], locale: Locale): string {
  const [gender = "either"] = genders;
  if (genders.length > 1) {
    const words = genders.map((wished) => CHILD_NAMES_WORDS[locale][wished]);
    return locale === "ja"
      ? `${words.join("と")}ですね、素敵です！それぞれの名前を、同じ順番で教えてください。`
      : `Lovely: ${listing(words, locale)}! What names would you give them, in the same order?`;
  }
  if (locale === "ja") {
    return gender === "either"
      ? "素敵ですね！その子にはどんな名前をつけたいですか？"
      : `${CHILD_GENDER_WORDS.ja[gender]}ですね、素敵です！その子にはどんな名前をつけたいですか？`;
  }
  return `Lovely! What name would you give ${CHILD_GENDER_WORDS.en[gender]}?`;
}

const CHILD_NAMES_WORDS: Record<Locale, Record<ChildGender, string>> = {
  ja: { female: "女の子", male: "男の子", either: "どちらでもいい子" },
  en: { female: "a girl", male: "a boy", either: "a child either way" },
};

function listing(items: readonly string[], locale: Locale): string {
  if (locale === "ja") return items.join("、");
  if (items.length <= 2) return items.join(" and ");
  return `${items.slice(0, -1).join(", ")} and ${items.at(-1)}`;
}

function describeChild(child: Child, locale: Locale): string {
  if (locale === "ja") {
    const gender = child.desiredGender === undefined ? "" : `（${CHILD_NAMES_WORDS.ja[child.desiredGender]}）`;
    return `「${child.name}」${gender}`;
  }
  const gender =
    child.desiredGender === undefined || child.desiredGender === "either" ? "" : ` (${child.desiredGender === "female" ? "girl" : "boy"})`;
  return `${child.name}${gender}`;
}

/**
 * The short question that asks the user to confirm a guess before it is kept. It is built from the guess alone, so
 * the next turn recognises it by building it again from the same answer.
 */
export function confirmationQuestion(guess: Partial<Profile>, locale: Locale): string {
  const ja = locale === "ja";
  const parts: string[] = [];
  if (guess.age !== undefined) parts.push(ja ? `${guess.age}歳` : `you are ${guess.age}`);
  if (guess.partner?.name !== undefined) parts.push(ja ? `お名前は「${guess.partner.name}」` : `the name is ${guess.partner.name}`);
  if (guess.personality !== undefined) {
    for (const [trait, score] of Object.entries(guess.personality)) {
      const step = Math.round(score * 4 + 1);
      parts.push(
        ja
          ? `${TRAIT_LABELS.ja[trait as PersonalityTrait]}は5段階で${step}`
          : `${TRAIT_LABELS.en[trait as PersonalityTrait]}: ${step} out of 5`,
      );
    }
  }
  if (guess.children !== undefined) {
    const names = guess.children.map((child) => describeChild(child, locale));
    parts.push(
      ja
        ? `お子さんは${names.join("と")}の${guess.children.length}人`
        : `${guess.children.length === 1 ? "one child" : `${guess.children.length} children`}: ${listing(names, locale)}`,
    );
  }
  return ja
    ? `確認させてください。${parts.join("、")}でよろしいですか？（はい／いいえ）`
    : `Just to check: ${parts.join("; ")}. Is that right? (yes or no)`;
}

const TRAIT_LABELS: Record<Locale, Record<PersonalityTrait, string>> = {
  ja: { openness: "好奇心", conscientiousness: "計画性", extraversion: "社交性", agreeableness: "協調性", neuroticism: "不安の感じやすさ" },
  en: {
    openness: "curiosity",
    conscientiousness: "organisation",
    extraversion: "sociability",
    agreeableness: "cooperativeness",
    neuroticism: "anxiety",
  },
};

/** After a "no" to a confirming question: ask the same thing again. */
export function confirmationDeclined(step: InterviewStep, locale: Locale): string {
  return join(
    locale,
    locale === "ja" ? "失礼しました。もう一度教えていただけますか？" : "Sorry about that. Could you tell me again?",
    questionFor(step, locale),
  );
}

// Recognised in the next turn's history: an answer right after one of these may name more children.
const MORE_CHILDREN_MARKER: Record<Locale, string> = {
  ja: "ほかにもお子さんを思い描いていますか？",
  en: "Do you picture any more children?",
};

/** The offer to add more children after the last one, with how many more the profile can hold. */
export function moreChildrenOffer(remaining: number, locale: Locale): string {
  return locale === "ja"
    ? `${MORE_CHILDREN_MARKER.ja}いれば名前と女の子・男の子を教えてください（あと${remaining}人まで）。いなければ「いいえ」で大丈夫です。`
    : `${MORE_CHILDREN_MARKER.en} If so, tell me their names and girl or boy (up to ${remaining} more); if not, just say no.`;
}

const NEXT_CHILD_MARKER: Record<Locale, string> = {
  ja: "次のお子さんについて",
  en: "Tell me about the next child",
};

/** After a bare "yes" to the offer: ask for the next children's names. */
export function nextChildrenRequest(remaining: number, locale: Locale): string {
  return locale === "ja"
    ? `素敵ですね！${NEXT_CHILD_MARKER.ja}、名前と女の子・男の子を教えてください（あと${remaining}人まで）。`
    : `Lovely! ${NEXT_CHILD_MARKER.en}: their name and girl or boy (up to ${remaining} more).`;
}

/** True when `text` (an assistant message) offered to add more children, or asked for the next ones. */
export function offeredMoreChildren(text: string, locale: Locale): boolean {
  return text.includes(MORE_CHILDREN_MARKER[locale]) || text.includes(NEXT_CHILD_MARKER[locale]);
}

/** Said when the answer to the offer was neither a child nor a no. */
export function moreChildrenClarification(remaining: number, locale: Locale): string {
  return locale === "ja"
    ? `すみません、うまく読み取れませんでした。${moreChildrenOffer(remaining, locale)}`
    : `Sorry, I didn't quite catch that. ${moreChildrenOffer(remaining, locale)}`;
}

/** Said when the answer named more children than the profile can hold. */
export function childLimitNote(max: number, kept: number, locale: Locale): string {
  return locale === "ja"
    ? `お子さんは${max}人まで登録できるので、最初の${kept}人を残しました。`
    : `A profile holds up to ${max} children, so I kept the first ${kept}.`;
}
