import { describe, expect, it } from "vitest";
import {
  normalizeAnswer,
  parseAge,
  parseChildAnswer,
  parseChildGender,
  parseDescription,
  parseGender,
  parseIncome,
  parseLocation,
  parseName,
  parseRelationshipStatus,
  parseScale,
  type ChildAnswer,
  type ParseFailure,
} from "../../../lib/interview/local-parse.ts";
import type { ChildGender, Gender, RelationshipStatus } from "../../../lib/interview/profile.ts";

describe("normalizeAnswer", () => {
  it("turns full-width digits and letters into ASCII and collapses spaces", () => {
    expect(normalizeAnswer("　３２歳　です ")).toBe("32歳 です");
    expect(normalizeAnswer("Ｉ’ｍ  ３２")).toBe("I'm 32");
  });
});

describe("parseAge", () => {
  it.each<[string, number]>([
    ["32", 32],
    ["32歳", 32],
    ["32歳です", 32],
    ["３２歳です", 32],
    ["３２", 32],
    ["年齢は32です", 32],
    ["今年で32才になります", 32],
    ["三十二歳", 32],
    ["三十二歳です", 32],
    ["二十歳です", 20],
    ["はたちです", 20],
    ["十六歳", 16],
    ["百二十歳", 120],
    ["I'm 32", 32],
    ["I’m 32.", 32],
    ["I am 45 years old", 45],
    ["32 years old", 32],
    ["32yo", 32],
    ["thirty-two", 32],
    ["I'm thirty two", 32],
    ["forty", 40],
    ["Nineteen", 19],
    ["16", 16],
    ["120", 120],
  ])("%s → %i", (text, age) => {
    expect(parseAge(text)).toEqual({ ok: true, value: age });
  });

  it.each<[string, ParseFailure]>([
    ["", "empty"],
    ["   ", "empty"],
    ["？", "empty"],
    ["わからない", "empty"],
    ["秘密です", "empty"],
    ["I don't know", "empty"],
    ["abc", "not_understood"],
    ["若いです", "not_understood"],
    ["15", "out_of_range"],
    ["十五歳", "out_of_range"],
    ["121", "out_of_range"],
    ["200歳", "out_of_range"],
    ["0", "out_of_range"],
    ["I was born in 1990", "out_of_range"],
    ["30代です", "ambiguous"],
    ["アラサーです", "ambiguous"],
    ["I'm in my 30s", "ambiguous"],
    ["late thirties", "ambiguous"],
    ["32 or 33", "ambiguous"],
    ["32.5", "ambiguous"],
  ])("%j fails as %s", (text, reason) => {
    expect(parseAge(text)).toEqual({ ok: false, reason });
  });
});

describe("parseGender", () => {
  it.each<[string, Gender]>([
    ["女性", "female"],
    ["女性です", "female"],
    ["女", "female"],
    ["女です", "female"],
    ["じょせい", "female"],
    ["woman", "female"],
    ["I'm a woman", "female"],
    ["Female", "female"],
    ["FEMALE", "female"],
    ["f", "female"],
    ["男性", "male"],
    ["男性です", "male"],
    ["男", "male"],
    ["male", "male"],
    ["Male.", "male"],
    ["man", "male"],
    ["I'm a guy", "male"],
    ["M", "male"],
    ["その他", "other"],
    ["その他です", "other"],
    ["ノンバイナリー", "other"],
    ["other", "other"],
    ["non-binary", "other"],
    ["nonbinary", "other"],
    ["I'd prefer not to say", "other"],
    ["答えたくないです", "other"],
  ])("%s → %s", (text, gender) => {
    expect(parseGender(text)).toEqual({ ok: true, value: gender });
  });

  it.each<[string, ParseFailure]>([
    ["", "empty"],
    ["...", "empty"],
    ["banana", "not_understood"],
    ["hello", "not_understood"],
    ["男女", "ambiguous"],
    ["male or female", "ambiguous"],
    ["女性ではないです", "ambiguous"],
    ["I'm not a man", "ambiguous"],
  ])("%j fails as %s", (text, reason) => {
    expect(parseGender(text)).toEqual({ ok: false, reason });
  });
});

describe("parseRelationshipStatus", () => {
  it.each<[string, RelationshipStatus]>([
    ["独身", "single"],
    ["独身です", "single"],
    ["シングルです", "single"],
    ["未婚です", "single"],
    ["恋人はいません", "single"],
    ["彼氏いないです", "single"],
    ["付き合っていません", "single"],
    ["結婚していません", "single"],
    ["single", "single"],
    ["I'm single", "single"],
    ["No, I'm single.", "single"],
    ["I'm not married", "single"],
    ["unmarried", "single"],
    ["I don't have a partner", "single"],
    ["付き合っている", "dating"],
    ["付き合っている人がいます", "dating"],
    ["付き合ってる人がいる", "dating"],
    ["交際中", "dating"],
    ["交際中です", "dating"],
    ["恋人がいます", "dating"],
    ["彼氏がいます", "dating"],
    ["婚約しています", "dating"],
    ["dating", "dating"],
    ["I'm dating someone", "dating"],
    ["in a relationship", "dating"],
    ["I have a girlfriend", "dating"],
    ["engaged", "dating"],
    ["結婚しています", "married"],
    ["結婚してます", "married"],
    ["既婚", "married"],
    ["既婚です", "married"],
    ["夫がいます", "married"],
    ["married", "married"],
    ["I'm married", "married"],
    ["I have a wife", "married"],
    ["その他", "other"],
    ["離婚しました", "other"],
    ["other", "other"],
    ["divorced", "other"],
    ["it's complicated", "other"],
  ])("%s → %s", (text, status) => {
    expect(parseRelationshipStatus(text)).toEqual({ ok: true, value: status });
  });

  it.each<[string, ParseFailure]>([
    ["", "empty"],
    ["yes", "not_understood"],
    ["maybe", "not_understood"],
    ["独身で結婚しています", "ambiguous"],
    ["single or married", "ambiguous"],
    ["独身ではありません", "ambiguous"],
  ])("%j fails as %s", (text, reason) => {
    expect(parseRelationshipStatus(text)).toEqual({ ok: false, reason });
  });
});

describe("parseScale", () => {
  it.each<[string, number]>([
    ["1", 0],
    ["2", 0.25],
    ["3", 0.5],
    ["4", 0.75],
    ["5", 1],
    ["４", 0.75],
    ["4です", 0.75],
    ["４です", 0.75],
    ["4点", 0.75],
    ["4/5", 0.75],
    ["４／５", 0.75],
    ["4 out of 5", 0.75],
    ["5段階で4", 0.75],
    ["5点中4点", 0.75],
    ["I'd say 4", 0.75],
    ["四です", 0.75],
    ["three", 0.5],
    ["3.5", 0.625],
    ["とても高い", 1],
    ["かなり当てはまる", 1],
    ["very high", 1],
    ["very much", 1],
    ["高め", 0.75],
    ["やや高い", 0.75],
    ["high", 0.75],
    ["普通", 0.5],
    ["まあまあ", 0.5],
    ["average", 0.5],
    ["低め", 0.25],
    ["あまり当てはまらない", 0.25],
    ["not really", 0.25],
    ["全然", 0],
    ["まったく当てはまらない", 0],
    ["not at all", 0],
  ])("%s → %d", (text, score) => {
    expect(parseScale(text)).toEqual({ ok: true, value: score });
  });

  it.each<[string, ParseFailure]>([
    ["", "empty"],
    ["わからない", "empty"],
    ["0", "out_of_range"],
    ["6", "out_of_range"],
    ["10", "out_of_range"],
    ["3か4", "ambiguous"],
    ["between 3 and 4", "ambiguous"],
    ["hmm", "not_understood"],
    ["banana", "not_understood"],
  ])("%j fails as %s", (text, reason) => {
    expect(parseScale(text)).toEqual({ ok: false, reason });
  });
});

describe("parseLocation", () => {
  it.each<[string, string]>([
    ["東京都", "東京都"],
    ["東京都に住んでいます", "東京都"],
    ["東京都に住んでます。", "東京都"],
    ["大阪府大阪市です", "大阪府大阪市"],
    ["福岡在住", "福岡"],
    ["神奈川県横浜市在住です", "神奈川県横浜市"],
    ["  札幌  ", "札幌"],
    ["Osaka", "Osaka"],
    ["I live in Yokohama, Kanagawa.", "Yokohama, Kanagawa"],
    ["I'm in Sapporo", "Sapporo"],
    ["I'm based in Kyoto", "Kyoto"],
    ["Living in Nagoya", "Nagoya"],
  ])("%s → %s", (text, location) => {
    expect(parseLocation(text)).toEqual({ ok: true, value: location });
  });

  it.each<[string, ParseFailure]>([
    ["", "empty"],
    ["???", "empty"],
    ["わからない", "empty"],
    ["I don't know", "empty"],
    ["東".repeat(201), "too_long"],
  ])("%j fails as %s", (text, reason) => {
    expect(parseLocation(text)).toEqual({ ok: false, reason });
  });
});

describe("parseIncome", () => {
  it.each<[string, string]>([
    ["500万円", "500万円"],
    ["年収は500万円くらいです", "500万円くらい"],
    ["400〜600万円", "400〜600万円"],
    ["なし", "なし"],
    ["About 5 million yen a year", "About 5 million yen a year"],
    ["my salary is $60k", "$60k"],
    ["I make around $50,000", "around $50,000"],
    ["答えたくないです", "答えたくない"],
  ])("%s → %s", (text, income) => {
    expect(parseIncome(text)).toEqual({ ok: true, value: income });
  });

  it.each<[string, ParseFailure]>([
    ["", "empty"],
    ["？？", "empty"],
    ["わかりません", "empty"],
  ])("%j fails as %s", (text, reason) => {
    expect(parseIncome(text)).toEqual({ ok: false, reason });
  });
});

describe("parseName", () => {
  it.each<[string, string]>([
    ["健太", "健太"],
    ["健太です", "健太"],
    ["健太くん", "健太"],
    ["彼の名前は健太です", "健太"],
    ["名前はゆうき", "ゆうき"],
    ["「みさき」と呼んでいます", "みさき"],
    ["ケンといいます", "ケン"],
    ["Ken", "Ken"],
    ["His name is Ken.", "Ken"],
    ["Her name is Mary Ann", "Mary Ann"],
    ["I'd call her Mia", "Mia"],
    ["Let's go with Alex", "Alex"],
    ["ＡＬＥＸ", "ALEX"],
  ])("%s → %s", (text, name) => {
    expect(parseName(text)).toEqual({ ok: true, value: name });
  });

  it.each<[string, ParseFailure]>([
    ["", "empty"],
    ["まだ決めていない", "empty"],
    ["no idea", "empty"],
    ["I really do not know what to say about this", "not_understood"],
  ])("%j fails as %s", (text, reason) => {
    expect(parseName(text)).toEqual({ ok: false, reason });
  });
});

describe("parseDescription", () => {
  it.each<[string, string]>([
    ["優しくて穏やかな人です", "優しくて穏やかな人"],
    ["彼は明るくて面白いです", "明るくて面白い"],
    ["背が高くて黒髪です", "背が高くて黒髪"],
    ["He's kind and calm", "kind and calm"],
    ["She is cheerful", "cheerful"],
    ["Tall with short black hair and glasses", "Tall with short black hair and glasses"],
  ])("%s → %s", (text, description) => {
    expect(parseDescription(text)).toEqual({ ok: true, value: description });
  });

  it.each<[string, ParseFailure]>([
    ["", "empty"],
    ["特になし", "empty"],
    ["x".repeat(201), "too_long"],
  ])("%j fails as %s", (text, reason) => {
    expect(parseDescription(text)).toEqual({ ok: false, reason });
  });
});

describe("parseChildAnswer", () => {
  it.each<[string, ChildAnswer]>([
    ["娘でさくら", { name: "さくら", desiredGender: "female" }],
    ["女の子のさくら", { name: "さくら", desiredGender: "female" }],
    ["息子の太郎", { name: "太郎", desiredGender: "male" }],
    ["男の子で太郎", { name: "太郎", desiredGender: "male" }],
    ["さくらという女の子", { name: "さくら", desiredGender: "female" }],
    ["女の子で、名前はさくら", { name: "さくら", desiredGender: "female" }],
    ["さくら（女の子）", { name: "さくら", desiredGender: "female" }],
    ["さくらちゃん、女の子", { name: "さくら", desiredGender: "female" }],
    ["さくら、女", { name: "さくら", desiredGender: "female" }],
    ["女の子がほしいです。名前はさくら", { name: "さくら", desiredGender: "female" }],
    ["男の子で名前は太郎がいいです", { name: "太郎", desiredGender: "male" }],
    ["太郎という男の子がほしい", { name: "太郎", desiredGender: "male" }],
    ["女の子ののぞみ", { name: "のぞみ", desiredGender: "female" }],
    ["のぞみという女の子", { name: "のぞみ", desiredGender: "female" }],
    ["女の子でかえで", { name: "かえで", desiredGender: "female" }],
    ["息子の一男", { name: "一男", desiredGender: "male" }],
    ["どちらでもいいです。名前はひかり", { name: "ひかり", desiredGender: "either" }],
    ["ＳＡＫＵＲＡ、女の子", { name: "SAKURA", desiredGender: "female" }],
    ["a girl named Sakura", { name: "Sakura", desiredGender: "female" }],
    ["A girl called Sakura.", { name: "Sakura", desiredGender: "female" }],
    ["a boy called Taro", { name: "Taro", desiredGender: "male" }],
    ["Sakura, a girl", { name: "Sakura", desiredGender: "female" }],
    ["A girl, Sakura", { name: "Sakura", desiredGender: "female" }],
    ["Taro (boy)", { name: "Taro", desiredGender: "male" }],
    ["Taro - boy", { name: "Taro", desiredGender: "male" }],
    ["Mary-Jane, a girl", { name: "Mary-Jane", desiredGender: "female" }],
    ["I'd like a son named Ken", { name: "Ken", desiredGender: "male" }],
    ["We'd love a daughter called Emma", { name: "Emma", desiredGender: "female" }],
    ["Either is fine, name them Alex", { name: "Alex", desiredGender: "either" }],
    ["さくらは女の子がいい", { name: "さくら", desiredGender: "female" }],
    ["Sakura is a girl", { name: "Sakura", desiredGender: "female" }],
    ["Taro would be a boy", { name: "Taro", desiredGender: "male" }],
    ["さくら", { name: "さくら" }],
    ["Sakura", { name: "Sakura" }],
    ["女の子がいいです", { desiredGender: "female" }],
    ["息子がほしい", { desiredGender: "male" }],
    ["どちらでもいい", { desiredGender: "either" }],
    ["a girl", { desiredGender: "female" }],
    ["I don't mind", { desiredGender: "either" }],
  ])("%s → %j", (text, answer) => {
    expect(parseChildAnswer(text)).toEqual({ ok: true, value: answer });
  });

  it.each<[string, ParseFailure]>([
    ["", "empty"],
    ["わからない", "empty"],
    ["a girl and a boy", "ambiguous"],
    ["女の子と男の子", "ambiguous"],
    ["Sakura and Taro", "ambiguous"],
    ["I really want to have a kid someday soon", "not_understood"],
  ])("%j fails as %s", (text, reason) => {
    expect(parseChildAnswer(text)).toEqual({ ok: false, reason });
  });
});

describe("parseChildGender", () => {
  it.each<[string, ChildGender]>([
    ["女の子", "female"],
    ["女の子がいいです", "female"],
    ["娘", "female"],
    ["男の子", "male"],
    ["息子がいいな", "male"],
    ["boy", "male"],
    ["a girl please", "female"],
    ["I think a girl would be nice", "female"],
    ["どちらでも", "either"],
    ["either", "either"],
    ["No preference", "either"],
  ])("%s → %s", (text, gender) => {
    expect(parseChildGender(text)).toEqual({ ok: true, value: gender });
  });

  it.each<[string, ParseFailure]>([
    ["", "empty"],
    ["banana", "not_understood"],
    ["a girl or a boy", "ambiguous"],
  ])("%j fails as %s", (text, reason) => {
    expect(parseChildGender(text)).toEqual({ ok: false, reason });
  });
});
