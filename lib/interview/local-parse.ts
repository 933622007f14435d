import { MAX_AGE, MAX_NAME_LENGTH, MAX_TEXT_LENGTH, MIN_AGE, type ChildGender, type Gender, type RelationshipStatus } from "./profile.ts";
import type { PersonalityTrait } from "../schemas/profile-fields.ts";

// Deterministic parsers for the local interviewer's answers, in Japanese and English.
// Each one reads a single kind of answer and either returns a value or says why it could
// not (so the interviewer can ask a fitting clarifying question).

export type ParseFailure =
  /** Nothing usable: blank, punctuation only, or "I don't know". */
  | "empty"
  /** Text present but no value of the expected kind. */
  | "not_understood"
  /** A value of the right kind but outside the allowed range. */
  | "out_of_range"
  /** Several conflicting values, a negation, or a vague value ("30代"). */
  | "ambiguous"
  /** Longer than the stored field allows. */
  | "too_long";

/** A value read; `unsure` when it was hedged or guessed from loose wording, so it must be confirmed before it is kept. */
export type ParseResult<T> = { ok: true; value: T; unsure?: true } | { ok: false; reason: ParseFailure };

const ok = <T>(value: T): ParseResult<T> => ({ ok: true, value });
const guess = <T>(value: T): ParseResult<T> => ({ ok: true, value, unsure: true });
const fail = <T>(reason: ParseFailure): ParseResult<T> => ({ ok: false, reason });

/** One regex source from alternatives written apart (regex literals or sources), so a long alternation can span lines. */
function anyOf(...alternatives: ReadonlyArray<RegExp | string>): string {
  return alternatives.map((alternative) => (typeof alternative === "string" ? alternative : alternative.source)).join("|");
}

/** `anyOf` matched as whole English words only: no letter just before or after. */
function wholeWords(...alternatives: readonly RegExp[]): string {
  return `(?<![a-z])(?:${anyOf(...alternatives)})(?![a-z])`;
}

// Who the name belongs to, as people introduce a partner: "my husband is Ken", "夫はケンです".
const PARTNER_WORDS = anyOf(
  /husband|wife|spouse|boyfriend|girlfriend|partner|fianc[ée]e?|other half|better half|hubby|bf|gf|man|girl|guy|lady/,
  /ideal partner|ideal (?:man|woman|guy|girl|person)|dream (?:man|woman|guy|girl|partner)|future (?:husband|wife|partner)/,
);
// Stands in for text already claimed by a pattern, so shorter patterns cannot re-match it.
const MASK = "\u0000";

/** NFKC (full-width digits/letters become ASCII), curly apostrophes straightened, whitespace collapsed. */
export function normalizeAnswer(text: string): string {
  return text
    .normalize("NFKC")
    .replace(/[\u2018\u2019\u02bc]/g, "'")
    .replace(/\s+/g, " ")
    .trim();
}

function hasContent(text: string): boolean {
  return /[\p{L}\p{N}]/u.test(text);
}

const NON_ANSWER_WORDS = anyOf(
  /わからない|分からない|わかりません|分かりません|わかんない|知らない|知りません|不明|未定/,
  /まだ決めていない|まだ決めてない|決めていない|決めてない|特になし|特にない|ない|なし|無し|ありません|パス|スキップ|秘密|ひみつ/,
  /i don't know|i dont know|don't know|dont know|idk|dunno|no idea|not sure|unknown|n\/a|na|none|nothing|pass|skip/,
  /undecided|not decided|haven't decided|i haven't decided|no comment|\?+/,
);
const NON_ANSWER = new RegExp(`^(?:${NON_ANSWER_WORDS})$`, "i");

function isNonAnswer(text: string): boolean {
  const core = text
    .replace(/[。．.!！?？、,\s]+$/u, "")
    .replace(/(?:です|でした|だよ|かな|かも)$/u, "")
    .replace(/\s+(?:yet|really|honestly|sorry|lol|haha)$/iu, "")
    .replace(/^(?:まだ|正直|うーん)[、,]?/u, "")
    .trim();
  return NON_ANSWER.test(core) || NON_ANSWER.test(text.trim());
}

// ---------------------------------------------------------------------------------------
// Numbers

interface FoundNumber {
  value: number;
  /** Index just after the number in the searched text. */
  end: number;
}

const KANJI_DIGITS: Record<string, number> = {
  〇: 0,
  零: 0,
  一: 1,
  二: 2,
  三: 3,
  四: 4,
  五: 5,
  六: 6,
  七: 7,
  八: 8,
  九: 9,
};

function parseKanjiNumber(run: string): number | undefined {
  let total = 0;
  let current = 0;
  let sawDigit = false;
  for (const char of run) {
    const digit = KANJI_DIGITS[char];
    if (digit !== undefined) {
      // Positional forms such as "二〇" read digit by digit.
      current = sawDigit ? current * 10 + digit : digit;
      sawDigit = true;
    } else if (char === "十") {
      total += (sawDigit ? current : 1) * 10;
      current = 0;
      sawDigit = false;
    } else if (char === "百") {
      total += (sawDigit ? current : 1) * 100;
      current = 0;
      sawDigit = false;
    } else {
      return undefined;
    }
  }
  return total + current;
}

const UNIT_WORDS: Record<string, number> = {
  zero: 0,
  one: 1,
  two: 2,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
  seven: 7,
  eight: 8,
  nine: 9,
  ten: 10,
  eleven: 11,
  twelve: 12,
  thirteen: 13,
  fourteen: 14,
  fifteen: 15,
  sixteen: 16,
  seventeen: 17,
  eighteen: 18,
  nineteen: 19,
};
const TEN_WORDS: Record<string, number> = {
  twenty: 20,
  thirty: 30,
  forty: 40,
  fifty: 50,
  sixty: 60,
  seventy: 70,
  eighty: 80,
  ninety: 90,
};
const UNIT_PATTERN = Object.keys(UNIT_WORDS).join("|");
const TEN_PATTERN = Object.keys(TEN_WORDS).join("|");
const WORD_NUMBER = new RegExp(
  `(?<![a-z])(?:(${TEN_PATTERN})(?:[\\s-]+(one|two|three|four|five|six|seven|eight|nine))?|(${UNIT_PATTERN}))(?![a-z])`,
  "g",
);

/** Every number in `text`: ASCII digits (after NFKC), kanji numerals and English number words. */
function findNumbers(text: string): FoundNumber[] {
  const found: FoundNumber[] = [];
  for (const match of text.matchAll(/-?\d+(?:\.\d+)?/g)) {
    const start = match.index;
    let raw = match[0];
    // A minus only counts as a sign at the start or after a space ("4-5" is a range, not -5).
    if (raw.startsWith("-") && start > 0 && !/\s/.test(text[start - 1] ?? "")) raw = raw.slice(1);
    found.push({ value: Number(raw), end: start + match[0].length });
  }
  // Kanji numerals only count next to a counter or alone, so words like "一緒" stay words.
  for (const match of text.matchAll(/[〇零一二三四五六七八九十百]+(?=\s*(?:歳|才|点|です|$|[。、!?]))/g)) {
    const value = parseKanjiNumber(match[0]);
    if (value !== undefined) found.push({ value, end: match.index + match[0].length });
  }
  // "はたち" is the usual reading of 20 years (二十歳 is read by the kanji rule above).
  if (text.includes("はたち")) found.push({ value: 20, end: text.length });
  const lower = text.toLowerCase();
  for (const match of lower.matchAll(WORD_NUMBER)) {
    const tens = match[1];
    const unit = match[2];
    const single = match[3];
    const value =
      tens !== undefined ? (TEN_WORDS[tens] ?? 0) + (unit !== undefined ? (UNIT_WORDS[unit] ?? 0) : 0) : UNIT_WORDS[single ?? ""];
    if (value !== undefined) found.push({ value, end: match.index + match[0].length });
  }
  return found;
}

function distinctValues(numbers: readonly FoundNumber[]): number[] {
  return [...new Set(numbers.map((number) => number.value))];
}

// A decade rather than an age: "30代", "30s", "アラサー", "thirties".
const DECADE = new RegExp(
  anyOf(
    /\d+\s*(?:代|'?s(?![a-z]))|アラサー|アラフォー|アラフィフ/,
    wholeWords(/twenties|thirties|forties|fifties|sixties|seventies|eighties|nineties/),
  ),
);

/** Reads an age ("32歳です", "三十二歳", "I'm 32", "thirty-two"); 16–120 only, vague decades are ambiguous. */
export function parseAge(text: string): ParseResult<number> {
  const answer = normalizeAnswer(text);
  if (!hasContent(answer) || isNonAnswer(answer)) return fail("empty");
  const lower = answer.toLowerCase();
  // A decade is not an age; asking again gets the exact number.
  if (DECADE.test(lower) || AGE_NEAR.test(lower)) return fail("ambiguous");
  const values = distinctValues(findNumbers(answer));
  if (values.length === 0) return fail("not_understood");
  if (values.length > 1) return fail("ambiguous");
  const age = values[0] ?? Number.NaN;
  if (!Number.isInteger(age)) return fail("ambiguous");
  if (age < MIN_AGE || age > MAX_AGE) return fail("out_of_range");
  // "about 34" / "34くらい": probably right, but a guess until the user says so.
  return AGE_HEDGE.test(lower) ? guess(age) : ok(age);
}

const AGE_HEDGE = new RegExp(
  anyOf(
    wholeWords(/about|around|roughly|approximately|approx|maybe|probably|perhaps|i think|i guess|i believe/),
    /\d\s*-?ish(?![a-z])|くらい|ぐらい|位|約|たぶん|多分|だいたい|大体|おそらく|かな|かも|ほど|程度/,
  ),
);
// "almost 35" is 34 or less: a different number from the one written, so the exact age is asked for.
const AGE_NEAR = new RegExp(anyOf(wholeWords(/almost|nearly|soon to be|turning|about to turn/), /もうすぐ|近く|弱|になる予定/));

// ---------------------------------------------------------------------------------------
// Choices

type PatternTable<T> = ReadonlyArray<readonly [RegExp, T]>;

interface MatchOutcome<T> {
  values: T[];
  /** The text with every matched span replaced by MASK. */
  rest: string;
}

/** Applies patterns in table order; each match is masked so later (shorter) patterns cannot reuse it. */
function matchPatterns<T>(lower: string, table: PatternTable<T>): MatchOutcome<T> {
  let rest = lower;
  const values: T[] = [];
  for (const [pattern, value] of table) {
    const global = new RegExp(pattern.source, pattern.flags.includes("g") ? pattern.flags : `${pattern.flags}g`);
    rest = rest.replace(global, (matched) => {
      if (!values.includes(value)) values.push(value);
      return MASK.repeat(matched.length);
    });
  }
  return { values, rest };
}

const NEGATION = /ない|ません|じゃな|ではな|ちが[うい]|違[うい]|(?<![a-z])(?:not|never|no longer)(?![a-z])|n't(?![a-z])/;

function parseChoice<T>(text: string, table: PatternTable<T>, exact: Readonly<Record<string, T>>): ParseResult<T> {
  const answer = normalizeAnswer(text);
  if (!hasContent(answer) || isNonAnswer(answer)) return fail("empty");
  const lower = answer.toLowerCase();
  const bare = lower.replace(/[。．.!！、,\s]+$/u, "").replace(/です$/u, "");
  const exactValue = exact[bare];
  if (exactValue !== undefined) return ok(exactValue);
  const { values, rest } = matchPatterns(lower, table);
  if (values.length === 0) return fail("not_understood");
  if (values.length > 1) return fail("ambiguous");
  // "女性ではないです" / "I'm not a man": a negated choice is not an answer.
  if (NEGATION.test(rest)) return fail("ambiguous");
  const [value] = values;
  return value === undefined ? fail("not_understood") : ok(value);
}

const GENDER_PATTERNS: PatternTable<Gender> = [
  [/その他|そのほか|ノンバイナリー?|xジェンダー|エックスジェンダー|答えたくない|回答しない|言いたくない|無回答/, "other"],
  [
    new RegExp(
      wholeWords(/other|non-?binary|non binary|enby|genderqueer|gender ?fluid|agender/, /prefer not to (?:say|answer)|rather not say/),
    ),
    "other",
  ],
  [/女性|女子|女の子|女|おんな|じょせい|レディ/, "female"],
  // Common slips of the keyboard count too ("femal", "womn").
  [/(?<![a-z])(?:female|femal|femail|femle|woman|womn|woamn|lady|girl)(?![a-z])/, "female"],
  [/男性|男子|男の子|男|おとこ|だんせい/, "male"],
  [/(?<![a-z])(?:male|man|guy|boy|gentleman)(?![a-z])/, "male"],
];
const GENDER_EXACT: Readonly<Record<string, Gender>> = { f: "female", w: "female", m: "male", x: "other", 他: "other" };

/** Reads a gender choice ("女性", "女", "woman", "male", "その他", "non-binary", ...). */
export function parseGender(text: string): ParseResult<Gender> {
  return parseChoice(text, GENDER_PATTERNS, GENDER_EXACT);
}

const JA_HAVE_NOT = "(?:は|が|も)?(?:い|居)(?:ない|ません|ないです)";
const JA_HAVE = "(?:は|が)?(?:い|居)(?:る|ます)";
const RELATIONSHIP_PATTERNS: PatternTable<RelationshipStatus> = [
  // Negated forms first, so "恋人はいません" is single rather than a negated "dating".
  [new RegExp(`(?:恋人|彼氏|彼女|パートナー|相手|付き合って(?:い)?る人|付き合ってる人|配偶者)${JA_HAVE_NOT}`), "single"],
  [/(?:付き合って|交際して|結婚して)(?:い)?(?:ない|ません)|未婚|独身|シングル|フリー|独り身|一人身|ひとり身/, "single"],
  [
    new RegExp(
      wholeWords(
        /single|unmarried|not (?:dating|married|seeing anyone|in a relationship)/,
        /no (?:partner|boyfriend|girlfriend|spouse)|(?:don't|do not) have an? (?:partner|boyfriend|girlfriend|spouse)/,
      ),
    ),
    "single",
  ],
  [new RegExp(`既婚|結婚して(?:い|る|ま|\\d+年|から)|結婚\\d+年|夫婦|(?:妻|夫|旦那|嫁|主人)${JA_HAVE}|旦那|主人`), "married"],
  [/(?<![a-z])(?:married|have an? (?:husband|wife|spouse)|my (?:husband|wife|spouse))(?![a-z])/, "married"],
  [new RegExp(`付き合って|交際|(?:恋人|彼氏|彼女|パートナー)${JA_HAVE}|婚約|同棲|デート中|恋愛中`), "dating"],
  [
    new RegExp(
      wholeWords(
        /dating|in a relationship|seeing someone|have an? (?:boyfriend|girlfriend|partner)|my (?:boyfriend|girlfriend|bf|gf)/,
        /engaged|living together|live together|taken/,
      ),
    ),
    "dating",
  ],
  [/その他|そのほか|離婚|バツイチ|別居|死別|複雑/, "other"],
  [/(?<![a-z])(?:other|divorced|separated|widowed|(?:it's )?complicated)(?![a-z])/, "other"],
];
const RELATIONSHIP_EXACT: Readonly<Record<string, RelationshipStatus>> = { 他: "other", ほか: "other" };

/** Reads a relationship status ("独身", "交際中", "恋人がいます", "married", "in a relationship", ...). */
export function parseRelationshipStatus(text: string): ParseResult<RelationshipStatus> {
  return parseChoice(text, RELATIONSHIP_PATTERNS, RELATIONSHIP_EXACT);
}

// ---------------------------------------------------------------------------------------
// 1–5 scales and the Big Five in words
//
// An answer is read sentence by sentence. A number is the score; otherwise degree words set it on the scale's own
// steps (1 not at all, 2 a little / rarely, 3 moderately, 4 quite, 5 very), a bare statement ("I'm curious") is a 4
// and a plain negation ("I'm not organised") a 2. Words that name a trait ("curious", "organised", "anxious",
// "人見知り") say which trait a sentence scores, so "I'm pretty curious and organised. I rarely get anxious" sets
// three traits; a sentence that names none answers the trait that was asked.

// Scale descriptors are removed first so "5段階で4" or "4/5" leave a single number.
const SCALE_DESCRIPTORS = [
  /(?:on |in )?(?:a )?scale of 1\s*(?:to|-|〜|~)\s*5/g,
  /1\s*(?:to|-|〜|~|から)\s*5\s*(?:で|の中で|のうち)?/g,
  /5\s*段階\s*(?:評価)?\s*(?:で|中|の)?/g,
  /5\s*点\s*(?:満点)?\s*(?:中|で|のうち)?/g,
  /(?:\/|out of|of)\s*5(?![\d.])/g,
];

interface TraitCue {
  trait: PersonalityTrait;
  pattern: RegExp;
  /** The cue names the trait's opposite ("shy" for extraversion): the score is reversed. */
  reversed?: boolean;
}

const TRAIT_CUES: readonly TraitCue[] = [
  {
    trait: "extraversion",
    reversed: true,
    pattern: new RegExp(
      anyOf(
        wholeWords(/introvert(?:ed)?|shy|quiet|reserved|homebody|loner|keep to myself|(?:prefer|like) being alone/),
        /人見知り|内向的|内向|おとなしい|大人しい|一人が好き|ひとりが好き|一人でいるのが好き|インドア/,
      ),
    ),
  },
  {
    trait: "neuroticism",
    reversed: true,
    pattern: new RegExp(
      anyOf(
        wholeWords(
          /calm|relaxed|laid[- ]back|chill|mellow|even[- ]tempered|(?:handle|deal with|cope with) (?:stress|pressure)(?: \w+)? (?:well|fine)|(?:don't|do not|never) worry/,
        ),
        /落ち着いて|のんびり|楽観的|ストレスに強い|動じない|穏やか/,
      ),
    ),
  },
  {
    trait: "conscientiousness",
    reversed: true,
    pattern: new RegExp(
      anyOf(
        wholeWords(/messy|disorgani[sz]ed|lazy|procrastinat\w*|scatterbrained|forgetful|chaotic|spontaneous|last[- ]minute/),
        /だらしない|ずぼら|ズボラ|めんどくさがり|面倒くさがり|大ざっぱ|大雑把|いい加減|適当/,
      ),
    ),
  },
  {
    trait: "openness",
    reversed: true,
    pattern: new RegExp(
      anyOf(
        wholeWords(/routines?|familiar|the same things?|set in my ways|stick to what i know/),
        /いつも通り|決まった|慣れた|保守的|変化が苦手/,
      ),
    ),
  },
  {
    trait: "openness",
    pattern: new RegExp(
      anyOf(
        wholeWords(/openness|curious|curiosity|open[- ]minded|open to (?:new )?\w+|adventurous|creative|imaginative|novelty/),
        wholeWords(
          /new (?:things|ideas|experiences|stuff|places|people|foods?|hobbies)|explor\w*|try(?:ing)? (?:out )?new|unknown|travel\w*/,
        ),
        /開放性|好奇心|新しい|未知|冒険|挑戦|チャレンジ|興味|知らないこと|新鮮|刺激/,
      ),
    ),
  },
  {
    trait: "conscientiousness",
    pattern: new RegExp(
      anyOf(
        wholeWords(/conscientious(?:ness)?|organi[sz]ed|organi[sz]ing|organi[sz]ation|careful|tidy|neat|planner|planning|plans?|planned/),
        wholeWords(/disciplined|punctual|responsible|methodical|diligent|reliable|on top of things|detail[- ]oriented|structured/),
        /誠実性|計画|きちんと|几帳面|真面目|まじめ|整理|慎重|段取り|ちゃんと|コツコツ|こつこつ|しっかり/,
      ),
    ),
  },
  {
    trait: "extraversion",
    pattern: new RegExp(
      anyOf(
        wholeWords(/extraver(?:sion|ted)|extrover(?:t|ted)|outgoing|sociable|social|talkative|people person|part(?:y|ies)|crowds?/),
        wholeWords(/groups?|meeting (?:new )?people|talking (?:to|with) (?:people|others)|chatting|hanging out/),
        /外向性|外向的|人と話|社交|大勢|人付き合い|おしゃべり|話すのが|集まり|飲み会|にぎやか|賑やか|人と会う/,
      ),
    ),
  },
  {
    trait: "agreeableness",
    pattern: new RegExp(
      anyOf(
        wholeWords(/agreeable(?:ness)?|kind|considerate|cooperative|helpful|friendly|caring|empathetic|trusting|generous/),
        wholeWords(/team player|get along|easy to get along with|help(?:ing)? others|compassionate/),
        /協調性|協力|思いやり|優しい|やさしい|親切|気遣い|気配り|人に合わせ|面倒見|協調/,
      ),
    ),
  },
  {
    trait: "neuroticism",
    pattern: new RegExp(
      anyOf(
        wholeWords(/neuroticism|neurotic|anxious|anxiety|stress(?:ed|ful)?|worr(?:y|ied|ier|ies|ying)|nervous|moody|tense|overthink\w*/),
        wholeWords(/panic\w*|upset|on edge/),
        /神経症|不安|ストレス|心配|緊張|落ち込|気にし|くよくよ|イライラ|いらいら|悩み|悩む|ネガティブ/,
      ),
    ),
  },
];

const NOT = "(?:not|n't|never|no)";
// Degree words in the order they are tried; the first that matches in a sentence sets its step.
const DEGREES: PatternTable<number> = [
  [
    new RegExp(
      anyOf(
        wholeWords(new RegExp(`${NOT}(?: \\w+){0,4} at all|not even a little|never|none at all|zero|very low`)),
        /全然|ぜんぜん|全く|まったく|ちっとも|少しも|一切|(?:とても|すごく|かなり|非常に)低い/,
      ),
    ),
    1,
  ],
  [
    new RegExp(
      anyOf(
        wholeWords(/(?:not|n't) (?:very|really|that|so|too|particularly|especially|overly|much|always|super|quite)/),
        wholeWords(/rarely|seldom|hardly(?: ever)?|barely|not often|(?:quite |rather |pretty |fairly |a bit |slightly )?low/),
        /あまり|あんまり|そんなに|それほど|さほど|めったに|滅多に|ほとんど|低め|低い/,
      ),
    ),
    2,
  ],
  [
    new RegExp(
      anyOf(
        wholeWords(/extremely|incredibly|super|very|really|so|totally|completely|always|a lot|love|loves|huge|definitely|absolutely/),
        wholeWords(/highly|very high|very much|constantly|all the time|100%/),
        /目がない|とても|すごく|凄く|かなり|非常に|めちゃくちゃ|めちゃ|めっちゃ|超|大好き|いつも|常に|本当に|ほんとに|旺盛|すぐ/,
      ),
    ),
    5,
  ],
  [
    new RegExp(
      anyOf(
        wholeWords(/pretty|quite|fairly|rather|often|usually|mostly|generally|reasonably|(?:quite |fairly )?high|like|likes|enjoy|yes/),
        wholeWords(/more than most|above average|easily/),
        /わりと|割と|けっこう|結構|比較的|どちらかというと|どちらかと言えば|よく|好き|強い|高め|高い|当てはまる|あてはまる|やすい|得意/,
      ),
    ),
    4,
  ],
  [
    new RegExp(
      anyOf(
        wholeWords(/somewhat|moderately|kinda|sometimes|average|soso|in the middle|middle|medium|moderate/),
        wholeWords(/neutral|neither|in between|okay|ok|normal|now and then|occasionally|half and half|50\/50/),
        /普通|ふつう|まあまあ|まぁまぁ|時々|ときどき|たまに|どちらとも|半々|そこそこ|人並み|平均/,
      ),
    ),
    3,
  ],
  [new RegExp(anyOf(wholeWords(/a little|a bit|slightly|a tad|a touch/), /少し|すこし|ちょっと|やや|多少/)), 2],
];

const SCALE_NEGATION = new RegExp(
  anyOf(wholeWords(/not|never|no/), /n't(?![a-z])|(?<!少)ない|無い|ません|じゃな|ではな|苦手|嫌い|きらい|しない|なかった/),
);
// "It depends" is a middle score the user did not choose: asked back rather than stored.
const DEPENDS = new RegExp(
  anyOf(wholeWords(/it depends|depends|depending/), /場合によ(?:る|ります)|時と場合|状況によ|相手によ|人によ|気分によ|次第/),
);

// Sentences: a hard stop, or a turn ("but", "けど") that starts a new statement.
const SENTENCE_SPLIT =
  /(?:\.(?!\d)|[!?。！？;；\n…])+|\s+(?:but|though|although|however|whereas|while)\s+|けど|けれど|だが|ですが|が、|一方/u;
// Parts of a sentence: "and"/commas; a part that names no trait belongs to the part before it.
const PART_SPLIT = /,|、|\s+and\s+|\s+&\s+|\s+plus\s+|\s+so\s+|\s+because\s+|し、|で、|ので|から、/u;

interface ScoredPart {
  traits: Array<{ trait: PersonalityTrait; reversed: boolean }>;
  text: string;
}

function traitsIn(text: string): { traits: ScoredPart["traits"]; rest: string } {
  let rest = text;
  const traits: ScoredPart["traits"] = [];
  for (const cue of TRAIT_CUES) {
    const global = new RegExp(cue.pattern.source, "g");
    rest = rest.replace(global, () => {
      const reversed = cue.reversed === true;
      if (!traits.some((found) => found.trait === cue.trait && found.reversed === reversed)) traits.push({ trait: cue.trait, reversed });
      // A placeholder word keeps degree phrases around the cue whole ("not organised at all").
      return "_";
    });
  }
  return { traits, rest };
}

/** The 1–5 step of one part of an answer, if it states one (number, degree word, bare statement or negation). */
function stepOf(text: string): { step?: number; conflicting?: true; numeric: boolean } {
  const numbers = distinctValues(findNumbers(text));
  if (numbers.length > 1) return { conflicting: true, numeric: true };
  const [number] = numbers;
  if (number !== undefined) return { step: number, numeric: true };
  const { values, rest } = matchPatterns(text, DEGREES);
  const negated = SCALE_NEGATION.test(rest);
  const [degree] = values;
  if (degree !== undefined) return { step: negated && degree > 2 ? 2 : degree, numeric: false };
  return negated ? { step: 2, numeric: false } : { numeric: false };
}

/** The statements of an answer; a question the user asks back ("Curious about new ideas?") states nothing. */
function statements(text: string): string[] {
  const sentences = text.match(/[^.!?。！？;；\n…]+(?:\.(?=\d)[^.!?。！？;；\n…]*)*[.!?。！？;；\n…]*/gu) ?? [];
  return sentences
    .filter((sentence) => !/[?？]\s*$/u.test(sentence))
    .flatMap((sentence) => sentence.split(SENTENCE_SPLIT))
    .filter((sentence): sentence is string => sentence !== undefined && hasContent(sentence));
}

function toScore(step: number): number {
  return Math.round(((step - 1) / 4) * 1000) / 1000;
}

/**
 * Reads Big Five answers: a 1–5 number ("4", "４", "4/5", "5段階で4") or words ("pretty curious", "rarely",
 * "あまり…ない", "全然"), mapped to 0–1 as (n-1)/4, for every trait the answer names and otherwise for `asked`.
 */
export function parsePersonality(text: string, asked: PersonalityTrait): ParseResult<Partial<Record<PersonalityTrait, number>>> {
  const answer = normalizeAnswer(text);
  if (!hasContent(answer) || isNonAnswer(answer)) return fail("empty");
  // "kind of" is a degree, not kindness.
  let lower = answer
    .toLowerCase()
    .replace(/(?<![a-z])(?:kind|sort) of(?![a-z])/g, "kinda")
    .replace(/so-so/g, "soso");
  for (const descriptor of SCALE_DESCRIPTORS) lower = lower.replace(descriptor, " ");
  const steps = new Map<PersonalityTrait, Array<{ step: number; numeric: boolean }>>();
  let outOfRange = false;
  let depends = false;
  const record = (trait: PersonalityTrait, step: number, reversed: boolean, numeric: boolean) => {
    if (step < 1 || step > 5) {
      outOfRange = true;
      return;
    }
    const list = steps.get(trait) ?? [];
    list.push({ step: reversed ? 6 - step : step, numeric });
    steps.set(trait, list);
  };
  let conflicting = false;
  const namesTraits = traitsIn(lower).traits.length > 0;
  for (const sentence of statements(lower)) {
    // Parts that name no trait are joined to the part before them ("curious, very much so").
    const parts: ScoredPart[] = [];
    for (const piece of sentence.split(PART_SPLIT)) {
      if (!piece || !hasContent(piece)) continue;
      const { traits } = traitsIn(piece);
      const previous = parts.at(-1);
      if (traits.length === 0 && previous) previous.text = `${previous.text} ${piece}`;
      else parts.push({ traits, text: piece });
    }
    let inherited: number | undefined;
    for (const part of parts) {
      // A statement about something else ("I get bored easily") does not answer the trait asked when the answer
      // names traits elsewhere; a bare degree ("not at all", "yes, definitely") does.
      if (part.traits.length === 0 && namesTraits && part.text.split(/\s+/).filter(Boolean).length > 3) continue;
      const { rest } = traitsIn(part.text);
      if (DEPENDS.test(rest)) depends = true;
      const { step, conflicting: clash, numeric } = stepOf(rest);
      if (clash) conflicting = true;
      // A bare trait word takes the degree of the part before it ("pretty curious and organised"); a statement of
      // its own without a degree ("I'm curious") is a 4.
      const bare = rest.split(/[\s_]+/).filter(Boolean).length <= 2;
      const value = step ?? (bare ? inherited : undefined) ?? (part.traits.length > 0 ? 4 : undefined);
      if (value === undefined) continue;
      if (part.traits.length === 0) record(asked, value, false, numeric);
      for (const { trait, reversed } of part.traits) record(trait, value, reversed, numeric);
      inherited = value;
    }
  }
  if (conflicting) return fail("ambiguous");
  if (steps.size === 0) {
    if (outOfRange) return fail("out_of_range");
    return depends ? guess({ [asked]: 0.5 }) : fail("not_understood");
  }
  const scores: Partial<Record<PersonalityTrait, number>> = {};
  for (const [trait, said] of steps) {
    const [first] = said;
    if (first === undefined) continue;
    // Words that lean the same way ("not at all, I like my routine") agree, and the first one said counts; two
    // different numbers, or words that point both ways, are asked back.
    const values = said.map(({ step }) => step);
    const agree =
      said.every(({ step }) => step === first.step) ||
      (!said.some(({ numeric }) => numeric) &&
        (values.every((step) => step >= 4) || values.every((step) => step <= 2) || Math.max(...values) - Math.min(...values) <= 1));
    if (!agree) return fail("ambiguous");
    scores[trait] = toScore(first.step);
  }
  if (outOfRange && scores[asked] === undefined) return fail("out_of_range");
  return depends ? guess(scores) : ok(scores);
}

/** Reads one 1–5 answer for a single trait ("4", "４です", "4/5", "very high", "not at all"), as (n-1)/4. */
export function parseScale(text: string): ParseResult<number> {
  const parsed = parsePersonality(text, "openness");
  if (!parsed.ok) return parsed;
  const values = Object.values(parsed.value);
  const [value] = values;
  if (values.length !== 1 || value === undefined) return fail("ambiguous");
  return parsed.unsure ? guess(value) : ok(value);
}

// ---------------------------------------------------------------------------------------
// Free text

interface FreeTextRules {
  max: number;
  prefixes: readonly RegExp[];
  suffixes: readonly RegExp[];
  /** Words like "なし"/"none" are a real answer for this field (e.g. no income). */
  allowNone?: boolean;
}

const TRAILING_PUNCTUATION = /[\s。．.!！?？、,]+$/u;
const QUOTES = /^[「『"'“]+|[」』"'”]+$/gu;

function stripAll(text: string, prefixes: readonly RegExp[], suffixes: readonly RegExp[]): string {
  let current = text;
  // Strips repeat until stable ("彼の名前は健太くんです" needs several passes); bounded for safety.
  for (let pass = 0; pass < 6; pass += 1) {
    let next = current.replace(TRAILING_PUNCTUATION, "").replace(QUOTES, "").trim();
    for (const prefix of prefixes) next = next.replace(prefix, "").trim();
    for (const suffix of suffixes) next = next.replace(suffix, "").trim();
    if (next === current) break;
    current = next;
  }
  return current;
}

function parseFreeText(text: string, rules: FreeTextRules): ParseResult<string> {
  const answer = normalizeAnswer(text);
  if (!hasContent(answer)) return fail("empty");
  const lowerCore = answer.replace(TRAILING_PUNCTUATION, "").toLowerCase();
  const noneAnswer = /^(?:なし|無し|ない|ありません|none|nothing|no income|0)$/.test(lowerCore);
  if (isNonAnswer(answer) && !(rules.allowNone && noneAnswer)) return fail("empty");
  const value = stripAll(answer, rules.prefixes, rules.suffixes);
  if (!hasContent(value)) return fail("empty");
  if (isNonAnswer(value) && !(rules.allowNone && noneAnswer)) return fail("empty");
  if (value.length > rules.max) return fail("too_long");
  return ok(value);
}

const POLITE_ENDINGS = /(?:です|でした|だよ|だよね|だと思います|と思います|ですね|かな|です。)$/u;

const LIVE_IN = anyOf(
  /(?:i|we)(?: currently| now)?(?: live|'m living| am living|'re living| are living| reside|'m based| am based|'re based|'m| am|'re| are| stay) (?:in|at|near|around)/,
  /(?:currently |now )?(?:living|based|residing) in|i'm from|i am from|from|in/,
);
// Where the user lives now, when the answer also says where they are from: "from Sendai but I live in Tokyo now".
const LIVES_NOW =
  /(?<![a-z])(?:live|living|based|reside|residing)\s+in\s+([^.!?;]+?)(?:\s+(?:now|currently|at the moment|these days|right now))?[.!?;]*$/i;
const PLACE_AFTERTHOUGHT = /,\s*(?:it's|it is|its|which|that's|that is|where|near|close to|about|so|and|but|i|i'm|we|we're)(?![a-z]).*$/i;
// "near Osaka, in Sakai": the town named last is the one they live in.
const NEAR_THEN_IN = /^(?:near|close to|just outside|outside)\s+[^,]+,\s*(?:in\s+)?(.+)$/i;
// A Japanese answer that names two places says which one is home with 住んで/暮らして/在住.
const JA_HOME_CLAUSE = /(?:^|[、。]|が、|けど、?)([^、。]*?(?:住んで|暮らして|在住)[^、。]*)/u;
const LOCATION_RULES: FreeTextRules = {
  max: MAX_TEXT_LENGTH,
  prefixes: [
    /^(?:住んでいるのは|住んでるのは|住まいは|お住まいは|住所は|場所は|地域は|今は|現在は|現在)/u,
    new RegExp(`^(?:${LIVE_IN})\\s+`, "i"),
  ],
  suffixes: [
    /(?:に|で)(?:住んでいます|住んでます|住んでいる|住んでる|暮らしています|暮らしてます|暮らしている|暮らしてる)(?:よ|ね|よね)?$/u,
    /(?:住んでいます|住んでます|住んでいる|住んでる)(?:よ|ね|よね)?$/u,
    /(?:に)?在住(?:です|してます|しています)?$/u,
    /(?:出身)?(?:です|だよ)$/u,
  ],
};

/** Reads where the user lives ("東京都に住んでいます" → "東京都", "I live in Yokohama" → "Yokohama"). */
export function parseLocation(text: string): ParseResult<string> {
  const answer = normalizeAnswer(text);
  const home = LIVES_NOW.exec(answer)?.[1] ?? NEAR_THEN_IN.exec(answer)?.[1] ?? JA_HOME_CLAUSE.exec(answer)?.[1] ?? answer;
  // "Kawasaki, it's between Tokyo and Yokohama": what follows a comma and a new clause describes the place.
  return parseFreeText(home.replace(PLACE_AFTERTHOUGHT, ""), LOCATION_RULES);
}

const INCOME_RULES: FreeTextRules = {
  max: MAX_TEXT_LENGTH,
  prefixes: [
    /^(?:年収は|年収が|年収|収入は|収入|手取りは)/u,
    /^(?:my (?:annual |yearly )?(?:income|salary|pay) is|i (?:make|earn|get))\s+/i,
  ],
  // Only the framing goes: "くらい", "ほど" and "程度" say how exact the figure is and stay.
  suffixes: [POLITE_ENDINGS, /です$/u],
  allowNone: true,
};

/** Reads an income as free text or a band ("年収は500万円くらいです" → "500万円くらい"). */
export function parseIncome(text: string): ParseResult<string> {
  return parseFreeText(text, INCOME_RULES);
}

const DESCRIPTION_RULES: FreeTextRules = {
  max: MAX_TEXT_LENGTH,
  prefixes: [
    /^(?:性格は|見た目は|外見は|見た目としては|旦那さんは|旦那は|夫は|主人は|奥さんは|嫁は|妻は|彼氏は|彼女は|彼は|恋人は|相手は|パートナーは|理想は|理想の人は)/u,
    new RegExp(
      `^(?:(?:he|she|they)(?:'s|'re| is| are| would be| has| have| would have|'d have| wears| wear)|` +
        `my (?:ideal |future )?(?:${PARTNER_WORDS}) (?:is|has|would be|would have|looks)|i'd like (?:someone|them to be)|ideally)\\s+`,
      "i",
    ),
  ],
  suffixes: [POLITE_ENDINGS, /(?:がいいです|がいい|が理想です|が理想)$/u],
};

/** Reads a partner's temperament or appearance ("He's kind and calm" → "kind and calm"). */
export function parseDescription(text: string): ParseResult<string> {
  return parseFreeText(text, DESCRIPTION_RULES);
}

const NAME_IS = anyOf(
  new RegExp(
    `(?:my|our) (?:current |ideal |future )?(?:${PARTNER_WORDS})(?:'s name(?: is| would be|'s)|'s called|'s| is called| is named| goes by| would be called| would be| is|,)`,
  ),
  /(?:his|her|their|my partner's|my ideal partner's|the|its) name(?:'s| is| would be| will be)/,
  /(?:he|she|they) (?:is|are|would be) called|(?:he|she|they) goes? by|(?:he|she|they)(?:'s| is| are)/,
  /(?:i'd|i would|i'll|i will|we|everyone|people) (?:call|name) (?:him|her|them)|(?:let's )?call (?:him|her|them)|name (?:him|her|them)/,
  /i'd go with|i'll go with|let's go with|let's say|how about|(?:maybe )?something like|maybe|probably|perhaps|it's|it is|named|called|that's|that would be/,
  /(?:oh|well|hmm+|um+|ok|okay|so|yes|yeah)(?:,)?/,
);
const NAME_ENDINGS = anyOf(
  /といいます|と言います|と申します|って言います|っていいます|という名前です|という名前|って名前です|って名前|っていう名前です|っていう名前/,
  /と呼んでいます|と呼んでます|と呼んでる|って呼んでいます|って呼んでます|って呼んでる|と呼びたいです|と呼びたい|って呼びたい/,
  /と名付けたいです|と名付けたい|って感じです|って感じ|っていう人です|という人です|っていう人|という人/,
  /にしたいです|にしたいな|にしたい|にします|がいいです|がいいな|がいい|です|だよ|かな+ぁ?|かなあ|かも|とか|かしら/,
  /(?:,\s*)?(?:i think|i guess|maybe|probably|i suppose|for now)/,
);
const JA_PARTNER_PREFIX =
  /^(?:私の|わたしの|僕の|ぼくの|俺の|うちの)?(?:旦那さん|旦那|夫|主人|彼氏|彼女|彼|奥さん|嫁さん|嫁|妻|パートナー|恋人|婚約者|相手|理想の人|理想のパートナー|理想の相手)(?:の名前|の名)?(?:は|が|、)/u;
const NAME_PREFIXES = [
  /^(?:[^\s、。]{0,12}の)?(?:名前|なまえ|呼び名|呼び方)(?:は|が|を)/u,
  JA_PARTNER_PREFIX,
  /^(?:うーん|えーと|えっと|そうですね|そうだな)[、,]?/u,
  new RegExp(`^(?:${NAME_IS})\\s+`, "i"),
];
const NAME_SUFFIXES = [new RegExp(`(?:${NAME_ENDINGS})$`, "iu"), /(?:さん|くん|君|ちゃん|様)$/u];
// A name given with doubt ("Ken, I think", "ケンかな") is asked back before it is kept.
const NAME_HEDGE = new RegExp(
  anyOf(wholeWords(/maybe|probably|perhaps|i think|i guess|i suppose|not sure|something like/), /かな|かも|とか|たぶん|多分|かしら/),
);
// Capitalised words that start sentences rather than name someone.
const NOT_NAMES = new Set(
  "i i'm i'd i've i'll my we we're we've we'd our you your he he's his she she's her they their it it's the a an and but so oh well yes no hmm ok okay um hi hello that this".split(
    " ",
  ),
);

function checkName(value: string): ParseResult<string> {
  if (!hasContent(value) || isNonAnswer(value)) return fail("empty");
  // "yes" answers a question; it names nobody.
  if (YES.exec(value)?.[0].length === value.length) return fail("not_understood");
  if (value.length > MAX_NAME_LENGTH) return fail("too_long");
  // A name is short; a whole sentence means the answer was something else.
  if (value.split(" ").length > 3 || (!value.includes(" ") && value.length > 20)) return fail("not_understood");
  return ok(value);
}

/** The one word of a longer answer that looks like a name (capitalised, or written in katakana), if exactly one does. */
function nameCandidate(answer: string): string | undefined {
  const latin = [...answer.matchAll(/(?<![\p{L}'])\p{Lu}[\p{Ll}'-]+(?![\p{L}])/gu)]
    .map((match) => match[0])
    .filter((word) => !NOT_NAMES.has(word.toLowerCase()));
  const katakana = [...answer.matchAll(/[ァ-ヶー]{2,}/gu)].map((match) => match[0]);
  const candidates = [...new Set([...latin, ...katakana])];
  return candidates.length === 1 ? candidates[0] : undefined;
}

/**
 * Reads a person's name ("彼の名前は健太です" → "健太", "My husband is Ken" → "Ken"). A hedged name, or one picked
 * out of a longer sentence, is `unsure`.
 */
export function parseName(text: string): ParseResult<string> {
  const answer = normalizeAnswer(text);
  if (!hasContent(answer) || isNonAnswer(answer)) return fail("empty");
  const hedged = NAME_HEDGE.test(answer.toLowerCase());
  const sure = (result: ParseResult<string>) => (result.ok && hedged ? guess(result.value) : result);
  const stripped = stripAll(answer, NAME_PREFIXES, NAME_SUFFIXES);
  const whole = checkName(stripped);
  if (whole.ok || whole.reason !== "not_understood") return sure(whole);
  // "My husband is Ken, he's a teacher": the name is the first phrase once the introduction is gone.
  const [first = ""] = stripped.split(/[,、。.!！?？;；]|\s[-–—]\s/u);
  if (first !== stripped) {
    const phrase = checkName(stripAll(first.trim(), NAME_PREFIXES, NAME_SUFFIXES));
    if (phrase.ok && phrase.value.split(" ").length <= 2) return sure(phrase);
  }
  const candidate = nameCandidate(answer);
  return candidate === undefined ? whole : guess(candidate);
}

// ---------------------------------------------------------------------------------------
// Children

export interface ChildAnswer {
  name?: string;
  desiredGender?: ChildGender;
}

const CHILD_GENDER_PATTERNS: PatternTable<ChildGender> = [
  [
    new RegExp(
      anyOf(
        /(?:男の子|女の子)でも(?:女の子|男の子)でも(?:いい|良い|大丈夫|構わない)?|どちらでも(?:いい|良い|ok|大丈夫|構わない)?|どっちでも(?:いい|良い)?|性別は(?:問わない|気にしない|どちらでも)|こだわらない/,
        wholeWords(
          /(?:i )?(?:don't|do not) (?:mind|care)(?: (?:if|whether) (?:it's |its |they're )?(?:a )?(?:boy|girl) or (?:a )?(?:girl|boy))?/,
          /either(?: is fine| one| way| gender)?|no preference|(?:it )?doesn't matter/,
          /any gender|whichever/,
        ),
      ),
    ),
    "either",
  ],
  [/女の子|女の赤ちゃん|娘|女児|長女|次女|三女|(?<![a-z])(?:an? )?(?:little |baby |sweet )?(?:girl|daughter|female)(?![a-z])/, "female"],
  [/男の子|男の赤ちゃん|息子|男児|長男|次男|三男|(?<![a-z])(?:an? )?(?:little |baby |sweet )?(?:boy|son|male)(?![a-z])/, "male"],
];
// Bare 女/男 only count as a whole segment, because they also end names such as "一男".
const BARE_CHILD_GENDER: Readonly<Record<string, ChildGender>> = { 女: "female", 男: "male" };

const CHILD_SPLIT = /[、。,，.!！?？()（）「」『』:：;；/]+|\s[-–—]\s|\s+and\s+/u;
const CHILD_FILLERS = anyOf(
  /i'd like|i would like|i want|i'd love|i would love|we'd like|we want|we'd love|probably|to be|would be/,
  /with the name|whose name is|another|one more|also|then|is|a|an|the|my|our|and|with|name/,
);
const CHILD_FILLER_PREFIXES = [
  ...NAME_PREFIXES,
  new RegExp(`^(?:${CHILD_FILLERS})(?:\\s+|$)`, "i"),
  /^(?:名前は|名前が|名前を|名前|なまえは)/u,
];
const CHILD_FILLER_SUFFIXES = [
  ...NAME_SUFFIXES,
  /(?:が欲しいです|がほしいです|が欲しい|がほしい|を希望します|を希望|希望です|希望|がいいです|がいいな|がいい|が良い|という|って)$/u,
  /\s+(?:please|sounds good|would be nice|is fine|would be good|is|will be|would be|should be)$/i,
];

// Accepted shapes include "娘でさくら", "女の子のさくら", "息子の太郎", "a girl named Sakura",
// "Sakura, a girl", "either is fine"; two genders or two names are ambiguous (one child per turn).
/** Reads a wished child as a name, a gender, or both. */
export function parseChildAnswer(text: string): ParseResult<ChildAnswer> {
  const answer = normalizeAnswer(text);
  if (!hasContent(answer) || isNonAnswer(answer)) return fail("empty");

  // Gender words are found on the lowercased text but names keep their case, so the mask
  // computed on `lower` is applied back onto `answer` (NFKC output keeps lengths equal).
  const lower = answer.toLowerCase();
  const { values, rest } = matchPatterns(lower, CHILD_GENDER_PATTERNS);
  const genders = [...values];
  const masked =
    lower.length === answer.length
      ? rest
          .split("")
          .map((char, index) => (char === MASK ? MASK : (answer[index] ?? char)))
          .join("")
      : rest;

  const names: string[] = [];
  const pieces = masked.split(new RegExp(`${MASK}+`, "u"));
  pieces.forEach((piece, pieceIndex) => {
    const segments = piece.split(CHILD_SPLIT);
    segments.forEach((segment, segmentIndex) => {
      let value = stripAll(segment.trim(), CHILD_FILLER_PREFIXES, CHILD_FILLER_SUFFIXES);
      // Right after a gender word a single particle joins it to the name ("娘でさくら",
      // "息子の太郎"); only one is removed so names such as "のぞみ" survive.
      if (pieceIndex > 0 && segmentIndex === 0) {
        value = stripAll(value.replace(/^[でのはがを]/u, ""), CHILD_FILLER_PREFIXES, CHILD_FILLER_SUFFIXES);
      }
      // Likewise a topic particle right before a gender word ("さくらは女の子").
      if (pieceIndex < pieces.length - 1 && segmentIndex === segments.length - 1) {
        value = stripAll(value.replace(/[はが]$/u, ""), CHILD_FILLER_PREFIXES, CHILD_FILLER_SUFFIXES);
      }
      if (!hasContent(value) || CHILD_NOISE.test(value)) return;
      const bare = BARE_CHILD_GENDER[value];
      if (bare !== undefined) {
        if (!genders.includes(bare)) genders.push(bare);
        return;
      }
      names.push(value);
    });
  });

  if (genders.length > 1 || names.length > 1) return fail("ambiguous");
  const [desiredGender] = genders;
  const [rawName] = names;
  let name: string | undefined;
  if (rawName !== undefined) {
    const checked = checkName(rawName);
    if (checked.ok) {
      name = checked.value;
    } else if (checked.reason === "too_long") {
      return fail("too_long");
    } else if (desiredGender === undefined) {
      return fail(checked.reason);
    }
  }
  if (name === undefined && desiredGender === undefined) return fail("not_understood");
  const result: ChildAnswer = {};
  if (name !== undefined) result.name = name;
  if (desiredGender !== undefined) result.desiredGender = desiredGender;
  return ok(result);
}

/** Reads only a wished child's gender ("女の子", "boy", "どちらでも"), ignoring any name in the answer. */
export function parseChildGender(text: string): ParseResult<ChildGender> {
  const parsed = parseChildAnswer(text);
  if (parsed.ok) {
    return parsed.value.desiredGender === undefined ? fail("not_understood") : ok(parsed.value.desiredGender);
  }
  if (parsed.reason !== "empty") {
    // The answer may have been a full sentence around the gender word; try the words alone.
    const { values } = matchPatterns(normalizeAnswer(text).toLowerCase(), CHILD_GENDER_PATTERNS);
    if (values.length === 1 && values[0] !== undefined) return ok(values[0]);
  }
  return fail(parsed.reason);
}

// Several children in one answer: "two kids: a girl named Hana and a boy named Sora", "娘のハナと息子のソラ",
// "Hana and Sora, both girls". The answer is cut into one piece per child (by "and", commas, と before a gender word
// or between names in katakana or kanji), each piece is read as one child, and a name-only piece next to a
// gender-only one is joined ("Sakura, a girl").

const NUMBER_WORD = "\\d+|one|two|three|four|five|six|seven|eight|nine|ten|a couple(?: of)?|a few";
const KANJI_COUNT = "[0-9一二三四五六七八九十]+|ふた|ひと|さん|よ";
const GROUP_GENDER: PatternTable<ChildGender> = [
  [
    new RegExp(
      `(?<![a-z])(?:both|all(?: of them)?|(?:${NUMBER_WORD})|twin) (?:girls|daughters)(?![a-z])|(?:二人とも|ふたりとも|どちらも|両方|全員|みんな)(?:女の子|娘)|(?:女の子|娘)(?:が|を)?(?:${KANJI_COUNT})人|女の子の双子|双子の女の子`,
    ),
    "female",
  ],
  [
    new RegExp(
      `(?<![a-z])(?:both|all(?: of them)?|(?:${NUMBER_WORD})|twin) (?:boys|sons)(?![a-z])|(?:二人とも|ふたりとも|どちらも|両方|全員|みんな)(?:男の子|息子)|(?:男の子|息子)(?:が|を)?(?:${KANJI_COUNT})人|男の子の双子|双子の男の子`,
    ),
    "male",
  ],
];
const CHILD_COUNT = new RegExp(
  anyOf(
    `(?<![a-z])(?:${NUMBER_WORD}) (?:kids|children|babies|little ones|of them)(?![a-z])|(?<![a-z])twins(?![a-z])`,
    `(?:子ども|子供|こども|子)?(?:は|が|を|の)?(?:${KANJI_COUNT})人(?:の子ども|の子供|の子)?(?:欲しい|ほしい|希望)?(?:です|で)?(?:ね)?|双子`,
  ),
  "g",
);
const MULTI_CHILD_SPLIT = /[,;:()（）「」『』、。，；：・!！?？\n]+|\s+(?:and|plus|then|also)\s+|\s*&\s*|そして|それと|それから/u;
// と joins two children when a gender word follows or precedes it, or when names in katakana or kanji are on both
// sides ("ハナとソラ", "健太と美咲"); hiragana names may contain と themselves ("まこと"), so they are split only as a guess.
const JA_AND =
  /(?<=娘|息子|女の子|男の子|[ァ-ヶー一-龯）)])と(?=[ァ-ヶー一-龯]|娘|息子|女の子|男の子)|(?<=娘|息子|女の子|男の子|[)）])と|と(?=娘|息子|女の子|男の子)/u;
// Pieces that say nothing about a child ("please", "がいいです").
const CHILD_NOISE = new RegExp(
  `^(?:${anyOf(
    /please|thanks|thank you|i think|maybe|probably|hopefully|if possible|ideally|of course|definitely|yes|i guess|too|as well|both|in that order/,
    new RegExp(`(?:${NUMBER_WORD})(?: (?:kids|children|of them))?|kids|children`),
    /お願いします|かな|です|がいいです|がいい|希望です|希望|だと嬉しい|と思います|がほしいです|が欲しいです|ほしいです|欲しいです|かなと思います|で/,
  )})$`,
  "iu",
);

function splitChildPieces(text: string): string[] {
  return text
    .split(JA_AND)
    .flatMap((piece) => piece.split(MULTI_CHILD_SPLIT))
    .map((piece) => piece.trim())
    .filter((piece) => hasContent(piece) && !CHILD_NOISE.test(piece.replace(TRAILING_PUNCTUATION, "")));
}

const COUNT_WORDS: Readonly<Record<string, number>> = { ひと: 1, ふた: 2, さん: 3, よ: 4, "a couple": 2, "a couple of": 2 };

/** How many children the answer says it names ("two kids", "二人", "娘が二人"), if it says so. */
function statedCount(lower: string): number | undefined {
  const match =
    /(?<![a-z])(\d+|one|two|three|four|five|six|seven|eight|nine|ten|a couple(?: of)?) (?:kids|children|babies|girls|boys|daughters|sons)(?![a-z])/.exec(
      lower,
    ) ?? /([0-9一二三四五六七八九十]+|ひと|ふた|さん|よ)人/u.exec(lower);
  const word = match?.[1];
  if (word === undefined) return undefined;
  return COUNT_WORDS[word] ?? findNumbers(word)[0]?.value;
}

/** Joins "Sakura" + "a girl" (or "a girl" + "Sakura") into one child, pairing in the direction the answer uses. */
function pairNamesWithGenders(entries: ChildAnswer[]): ChildAnswer[] {
  const out: ChildAnswer[] = [];
  let direction: "name-first" | "gender-first" | undefined;
  for (let index = 0; index < entries.length; index += 1) {
    const entry = entries[index] ?? {};
    const next = entries[index + 1];
    const nameOnly = (child: ChildAnswer | undefined) => child?.name !== undefined && child.desiredGender === undefined;
    const genderOnly = (child: ChildAnswer | undefined) => child?.name === undefined && child?.desiredGender !== undefined;
    if (nameOnly(entry) && genderOnly(next) && direction !== "gender-first") {
      direction = "name-first";
      out.push({ name: entry.name, desiredGender: next?.desiredGender });
      index += 1;
    } else if (genderOnly(entry) && nameOnly(next) && direction !== "name-first") {
      direction = "gender-first";
      out.push({ name: next?.name, desiredGender: entry.desiredGender });
      index += 1;
    } else {
      out.push(entry);
    }
  }
  return out;
}

/** Splits "はるととさくら" at the last と of the run, if both sides are two characters or more. */
function splitHiraganaPair(name: string): [string, string] | undefined {
  const match = /^([ぁ-ゖー]{2,}?と*)と([ぁ-ゖー]{2,})$/u.exec(name);
  if (!match?.[1] || !match[2] || match[2].startsWith("と")) return undefined;
  return [match[1], match[2]];
}

/**
 * Reads one or several wished children ("a girl named Sakura", "two kids: a girl named Hana and a boy named Sora",
 * "娘のハナと息子のソラ"). Entries may lack a name (a wished gender, to be named next) or a gender. A split that
 * only guessed where one hiragana name ends is `unsure`.
 */
export function parseChildren(text: string): ParseResult<ChildAnswer[]> {
  const answer = normalizeAnswer(text);
  if (!hasContent(answer) || isNonAnswer(answer)) return fail("empty");
  const lower = answer.toLowerCase();
  const { values: groupGenders } = matchPatterns(lower, GROUP_GENDER);
  const counted = CHILD_COUNT.test(lower);
  CHILD_COUNT.lastIndex = 0;
  const single = parseChildAnswer(answer);
  if (single.ok && groupGenders.length === 0 && !counted) {
    const name = single.value.name;
    const pair = name === undefined ? undefined : splitHiraganaPair(name);
    if (pair === undefined && !(name !== undefined && JA_AND.test(name))) return single.ok ? { ...single, value: [single.value] } : single;
  }
  if (!single.ok && single.reason === "too_long") return fail("too_long");

  // Group phrases and counts are read once and removed, so "both girls" does not become a third child.
  let rest = answer;
  for (const [pattern] of GROUP_GENDER) rest = rest.replace(new RegExp(pattern.source, "giu"), ",");
  rest = rest.replace(new RegExp(CHILD_COUNT.source, "giu"), ",");
  let unsure = false;
  let hiraganaSplit = false;
  const entries: ChildAnswer[] = [];
  for (const piece of splitChildPieces(rest)) {
    const parsed = parseChildAnswer(piece);
    if (!parsed.ok) {
      if (parsed.reason === "too_long") return fail("too_long");
      continue;
    }
    const pair = parsed.value.name === undefined ? undefined : splitHiraganaPair(parsed.value.name);
    if (pair && parsed.value.desiredGender === undefined) {
      hiraganaSplit = true;
      entries.push({ name: pair[0] }, { name: pair[1] });
    } else {
      entries.push(parsed.value);
    }
  }
  const paired = pairNamesWithGenders(entries);
  const [group] = groupGenders;
  const children = paired.map((child) =>
    groupGenders.length === 1 && group !== undefined && child.desiredGender === undefined ? { ...child, desiredGender: group } : child,
  );
  if (children.length === 0) return single.ok ? fail("not_understood") : fail(single.reason);
  // Where a hiragana name ends is a guess, unless the answer said how many children there are and the split agrees.
  if (hiraganaSplit && statedCount(lower) !== children.length) unsure = true;
  return unsure ? guess(children) : ok(children);
}

// ---------------------------------------------------------------------------------------
// Yes / no, and a partner named while telling the relationship

const YES = new RegExp(
  anyOf(
    /^(?:yes|yeah|yep|yup|yea|ya|correct|right|that's right|that's correct|exactly|sure|ok|okay|y|absolutely|indeed|true|uh-huh|affirmative)(?![a-z])/,
    /^(?:はい|うん|ええ|そうです|そうだよ|そう|合って(?:い)?ます|あって(?:い)?ます|合ってる|正解|その通り|そのとおり|オッケー|大丈夫|お願いします)/,
  ),
  "iu",
);
const NO = new RegExp(
  anyOf(
    /^(?:no|nope|nah|n|wrong|not quite|incorrect|not really|not right|that's wrong|actually)(?![a-z])/,
    /^(?:いいえ|いえ|いや|違います|ちがいます|違う|ちがう|ノー|間違い|まちがい|じゃない|ではない|実は)/,
  ),
  "iu",
);

/** Reads a yes or a no at the start of an answer, with whatever follows it ("No, it's 35" → no, "it's 35"). */
export function parseYesNo(text: string): { answer: "yes" | "no"; rest: string } | undefined {
  const answer = normalizeAnswer(text);
  for (const [pattern, value] of [
    [NO, "no"],
    [YES, "yes"],
  ] as const) {
    const match = pattern.exec(answer);
    if (match) return { answer: value, rest: answer.slice(match[0].length).replace(/^[\s,、。.!！:：-]+/u, "") };
  }
  return undefined;
}

const NO_MORE = new RegExp(
  anyOf(
    /^(?:no|nope|nah|that's (?:it|all|everyone|everybody)|nobody else|no one else|no more|none|just (?:one|the one|that one|those|them|these|him|her)|that's enough|i'm done|done|all done)(?![a-z])/,
    /^(?:いいえ|いえ|以上|それだけ|もういない|もういません|もう大丈夫|大丈夫です|いません|いない|ないです|なし|それで全部|全部です|十分|一人で十分|ひとりで十分|これで全部|これだけ|もうない|結構です)/,
  ),
  "iu",
);

/** True when the answer says there are no more children to add ("no", "that's all", "以上です"). */
export function saysNoMore(text: string): boolean {
  return NO_MORE.test(normalizeAnswer(text));
}

const INTRODUCED_PARTNER = new RegExp(
  anyOf(
    new RegExp(
      `(?:[Mm]y|[Oo]ur) (?:${PARTNER_WORDS})(?:'s name is|'s name's| is called| is named| goes by|'s| is|,)? (\\p{Lu}[\\p{L}'-]+(?: \\p{Lu}[\\p{L}'-]+)?)`,
    ),
    new RegExp(`(?:have|got) an? (?:${PARTNER_WORDS}) (?:called|named) (\\p{Lu}[\\p{L}'-]+(?: \\p{Lu}[\\p{L}'-]+)?)`, "u"),
    /(?:[Hh]is|[Hh]er|[Tt]heir) name(?: is|'s) (\p{Lu}[\p{L}'-]+(?: \p{Lu}[\p{L}'-]+)?)/u,
    /(?:旦那さん|旦那|夫|主人|彼氏|彼女|奥さん|嫁さん|嫁|妻|パートナー|恋人|婚約者|相手)(?:の名前)?は「?([^\s、。,.!！「」]{1,12}?)」?(?:さん|くん|君|ちゃん)?(?:です|といいます|と言います|って言います|っていいます|だよ|。|$)/,
  ),
  "u",
);

/** A partner's name introduced in passing ("Married — my husband is Ken", "交際中で、彼氏はたけしです"), if any. */
export function introducedPartnerName(text: string): string | undefined {
  const match = INTRODUCED_PARTNER.exec(normalizeAnswer(text));
  const name = match?.slice(1).find((group) => group !== undefined);
  if (name === undefined) return undefined;
  const checked = checkName(name);
  return checked.ok && !NOT_NAMES.has(checked.value.toLowerCase()) ? checked.value : undefined;
}
