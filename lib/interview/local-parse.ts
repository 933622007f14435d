import { MAX_AGE, MAX_NAME_LENGTH, MAX_TEXT_LENGTH, MIN_AGE, type ChildGender, type Gender, type RelationshipStatus } from "./profile.ts";

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

export type ParseResult<T> = { ok: true; value: T } | { ok: false; reason: ParseFailure };

const ok = <T>(value: T): ParseResult<T> => ({ ok: true, value });
const fail = <T>(reason: ParseFailure): ParseResult<T> => ({ ok: false, reason });

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

const NON_ANSWER =
  /^(?:わからない|分からない|わかりません|分かりません|わかんない|知らない|知りません|不明|未定|まだ決めていない|まだ決めてない|決めていない|決めてない|特になし|特にない|ない|なし|無し|ありません|パス|スキップ|秘密|ひみつ|i don't know|i dont know|don't know|dont know|idk|dunno|no idea|not sure|unknown|n\/a|na|none|nothing|pass|skip|undecided|not decided|haven't decided|i haven't decided|no comment|\?+)$/i;

function isNonAnswer(text: string): boolean {
  const core = text
    .replace(/[。．.!！?？、,\s]+$/u, "")
    .replace(/(?:です|でした|だよ|かな|かも)$/u, "")
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

/** Reads an age ("32歳です", "三十二歳", "I'm 32", "thirty-two"); 16–120 only, vague decades are ambiguous. */
export function parseAge(text: string): ParseResult<number> {
  const answer = normalizeAnswer(text);
  if (!hasContent(answer) || isNonAnswer(answer)) return fail("empty");
  const lower = answer.toLowerCase();
  // A decade is not an age; asking again gets the exact number.
  if (
    /\d+\s*(?:代|'?s(?![a-z]))|アラサー|アラフォー|アラフィフ|(?<![a-z])(?:twenties|thirties|forties|fifties|sixties|seventies|eighties|nineties)(?![a-z])/.test(
      lower,
    )
  ) {
    return fail("ambiguous");
  }
  const values = distinctValues(findNumbers(answer));
  if (values.length === 0) return fail("not_understood");
  if (values.length > 1) return fail("ambiguous");
  const age = values[0] ?? Number.NaN;
  if (!Number.isInteger(age)) return fail("ambiguous");
  if (age < MIN_AGE || age > MAX_AGE) return fail("out_of_range");
  return ok(age);
}

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
    /(?<![a-z])(?:other|non-?binary|non binary|enby|genderqueer|gender ?fluid|agender|prefer not to (?:say|answer)|rather not say)(?![a-z])/,
    "other",
  ],
  [/女性|女子|女の子|女|おんな|じょせい|レディ/, "female"],
  [/(?<![a-z])(?:female|woman|lady|girl)(?![a-z])/, "female"],
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
    /(?<![a-z])(?:single|unmarried|not (?:dating|married|seeing anyone|in a relationship)|no (?:partner|boyfriend|girlfriend|spouse)|(?:don't|do not) have an? (?:partner|boyfriend|girlfriend|spouse))(?![a-z])/,
    "single",
  ],
  [new RegExp(`既婚|結婚して(?:い|る|ま)|夫婦|(?:妻|夫|旦那|嫁|主人)${JA_HAVE}|旦那|主人`), "married"],
  [/(?<![a-z])(?:married|have an? (?:husband|wife|spouse)|my (?:husband|wife|spouse))(?![a-z])/, "married"],
  [new RegExp(`付き合って|交際|(?:恋人|彼氏|彼女|パートナー)${JA_HAVE}|婚約|同棲|デート中|恋愛中`), "dating"],
  [
    /(?<![a-z])(?:dating|in a relationship|seeing someone|have an? (?:boyfriend|girlfriend|partner)|engaged|living together|taken)(?![a-z])/,
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
// 1–5 scales

// Scale descriptors are removed first so "5段階で4" or "4/5" leave a single number.
const SCALE_DESCRIPTORS = [
  /(?:on |in )?(?:a )?scale of 1\s*(?:to|-|〜|~)\s*5/g,
  /1\s*(?:to|-|〜|~|から)\s*5\s*(?:で|の中で|のうち)?/g,
  /5\s*段階\s*(?:評価)?\s*(?:で|中|の)?/g,
  /5\s*点\s*(?:満点)?\s*(?:中|で|のうち)?/g,
  /(?:\/|out of|of)\s*5(?![\d.])/g,
];

const SCALE_WORDS: PatternTable<number> = [
  [/(?:とても|すごく|かなり|非常に)低い|全く|まったく|全然|ぜんぜん|(?<![a-z])(?:not at all|very low|never)(?![a-z])/, 1],
  [/(?:少し|やや|ちょっと)高い|高め|(?<![a-z])(?:(?:slightly|somewhat|a bit|fairly|quite) high)(?![a-z])/, 4],
  [
    /(?:少し|やや|ちょっと)低い|低め|あまり|低い|(?<![a-z])(?:(?:slightly|somewhat|a bit|fairly|quite) low|not (?:very|really|much|so)|rarely|low)(?![a-z])/,
    2,
  ],
  [/(?:とても|すごく|かなり|非常に|めちゃくちゃ)|(?<![a-z])(?:very(?: much| high)?|extremely|totally|definitely|always)(?![a-z])/, 5],
  [
    /普通|ふつう|まあまあ|どちらとも|中くらい|半々|時々|ときどき|(?<![a-z])(?:average|medium|moderate|neutral|so-so|in the middle|middle|sometimes)(?![a-z])/,
    3,
  ],
  [/高い|当てはまる|あてはまる|(?<![a-z])(?:high|quite|fairly|often|mostly|yes)(?![a-z])/, 4],
];

/** Reads a 1–5 answer ("4", "４", "4です", "4/5", "5段階で4", "very high") and maps it to 0–1 as (n-1)/4. */
export function parseScale(text: string): ParseResult<number> {
  const answer = normalizeAnswer(text);
  if (!hasContent(answer) || isNonAnswer(answer)) return fail("empty");
  let lower = answer.toLowerCase();
  for (const descriptor of SCALE_DESCRIPTORS) lower = lower.replace(descriptor, " ");
  const values = distinctValues(findNumbers(lower));
  if (values.length > 1) return fail("ambiguous");
  const [value] = values;
  if (value !== undefined) {
    if (value < 1 || value > 5) return fail("out_of_range");
    return ok(Math.round(((value - 1) / 4) * 1000) / 1000);
  }
  const { values: words } = matchPatterns(lower, SCALE_WORDS);
  const [word] = words;
  if (word === undefined) return fail("not_understood");
  return ok((word - 1) / 4);
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

const TRAILING_PUNCTUATION = /[\s。．.!！、,]+$/u;
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

const LOCATION_RULES: FreeTextRules = {
  max: MAX_TEXT_LENGTH,
  prefixes: [
    /^(?:住んでいるのは|住んでるのは|住まいは|お住まいは|住所は|場所は|地域は|今は|現在は|現在)/u,
    /^(?:i(?: currently)?(?: live|'m living| am living| reside|'m based| am based|'m| am| stay) (?:in|at|near|around)|i'm from|i am from|living in|based in|from|in)\s+/i,
  ],
  suffixes: [
    /(?:に|で)(?:住んでいます|住んでます|住んでいる|住んでる|暮らしています|暮らしてます|暮らしている|暮らしてる)$/u,
    /(?:住んでいます|住んでます|住んでいる|住んでる)$/u,
    /(?:に)?在住(?:です|してます|しています)?$/u,
    /(?:出身)?(?:です|だよ)$/u,
  ],
};

/** Reads where the user lives ("東京都に住んでいます" → "東京都", "I live in Yokohama" → "Yokohama"). */
export function parseLocation(text: string): ParseResult<string> {
  return parseFreeText(text, LOCATION_RULES);
}

const INCOME_RULES: FreeTextRules = {
  max: MAX_TEXT_LENGTH,
  prefixes: [
    /^(?:年収は|年収が|年収|収入は|収入|手取りは)/u,
    /^(?:my (?:annual |yearly )?(?:income|salary|pay) is|i (?:make|earn|get))\s+/i,
  ],
  suffixes: [POLITE_ENDINGS, /(?:です|ほど|程度です)$/u],
  allowNone: true,
};

/** Reads an income as free text or a band ("年収は500万円くらいです" → "500万円くらい"). */
export function parseIncome(text: string): ParseResult<string> {
  return parseFreeText(text, INCOME_RULES);
}

const DESCRIPTION_RULES: FreeTextRules = {
  max: MAX_TEXT_LENGTH,
  prefixes: [
    /^(?:性格は|見た目は|外見は|見た目としては|彼は|彼女は|相手は|パートナーは|理想は|理想の人は)/u,
    /^(?:(?:he|she|they)(?:'s|'re| is| are| would be)|my (?:ideal )?partner (?:is|would be)|i'd like (?:someone|them to be)|ideally)\s+/i,
  ],
  suffixes: [POLITE_ENDINGS, /(?:がいいです|がいい|が理想です|が理想)$/u],
};

/** Reads a partner's temperament or appearance ("He's kind and calm" → "kind and calm"). */
export function parseDescription(text: string): ParseResult<string> {
  return parseFreeText(text, DESCRIPTION_RULES);
}

const NAME_PREFIXES = [
  /^(?:[^\s、。]{0,12}の)?(?:名前|なまえ|呼び名|呼び方)(?:は|が|を)/u,
  /^(?:(?:his|her|their|my partner's|my ideal partner's|the|its) name (?:is|would be|will be)|(?:he|she|they) (?:is|are|would be) called|(?:he|she|they)(?:'s| is| are)|i'd call (?:him|her|them)|i would call (?:him|her|them)|(?:let's )?call (?:him|her|them)|name (?:him|her|them)|let's go with|let's say|how about|maybe|it's|it is|named|called)\s+/i,
];
const NAME_SUFFIXES = [
  /(?:といいます|と言います|と申します|って言います|っていいます|という名前です|という名前|って名前です|って名前|と呼んでいます|と呼んでます|と呼びたいです|と呼びたい|と名付けたいです|と名付けたい|にしたいです|にしたい|にします|がいいです|がいいな|がいい|です|だよ)$/u,
  /(?:さん|くん|君|ちゃん|様)$/u,
];

function checkName(value: string): ParseResult<string> {
  if (!hasContent(value) || isNonAnswer(value)) return fail("empty");
  if (value.length > MAX_NAME_LENGTH) return fail("too_long");
  // A name is short; a whole sentence means the answer was something else.
  if (value.split(" ").length > 4 || (!value.includes(" ") && value.length > 20)) return fail("not_understood");
  return ok(value);
}

/** Reads a person's name ("彼の名前は健太です" → "健太", "His name is Ken." → "Ken"). */
export function parseName(text: string): ParseResult<string> {
  const answer = normalizeAnswer(text);
  if (!hasContent(answer) || isNonAnswer(answer)) return fail("empty");
  return checkName(stripAll(answer, NAME_PREFIXES, NAME_SUFFIXES));
}

// ---------------------------------------------------------------------------------------
// Children

export interface ChildAnswer {
  name?: string;
  desiredGender?: ChildGender;
}

const CHILD_GENDER_PATTERNS: PatternTable<ChildGender> = [
  [
    /どちらでも(?:いい|良い|ok|大丈夫|構わない)?|どっちでも(?:いい|良い)?|性別は(?:問わない|気にしない|どちらでも)|こだわらない|(?<![a-z])(?:either(?: is fine| one| way| gender)?|no preference|(?:i )?(?:don't|do not) mind|(?:it )?doesn't matter|any gender|whichever)(?![a-z])/,
    "either",
  ],
  [/女の子|女の赤ちゃん|娘|女児|(?<![a-z])(?:an? )?(?:baby girl|girl|daughter|female)(?![a-z])/, "female"],
  [/男の子|男の赤ちゃん|息子|男児|(?<![a-z])(?:an? )?(?:baby boy|boy|son|male)(?![a-z])/, "male"],
];
// Bare 女/男 only count as a whole segment, because they also end names such as "一男".
const BARE_CHILD_GENDER: Readonly<Record<string, ChildGender>> = { 女: "female", 男: "male" };

const CHILD_SPLIT = /[、。,，.!！?？()（）「」『』:：;；/]+|\s[-–—]\s|\s+and\s+/u;
const CHILD_FILLER_PREFIXES = [
  ...NAME_PREFIXES,
  /^(?:i'd like|i would like|i want|i'd love|i would love|we'd like|we want|we'd love|probably|to be|would be|with the name|whose name is|is|a|an|the|my|our|and|with|name)(?:\s+|$)/i,
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
      if (!hasContent(value)) return;
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
