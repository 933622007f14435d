import type { Locale } from "../schemas/sessions.ts";
import type { ChatMessage, ChatProvider, ChatTurnInput, ChatTurnResult } from "./chat-provider.ts";
import {
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
  type ParseResult,
} from "./local-parse.ts";
import {
  MIN_PERSONALITY_TRAITS,
  PARTNER_KEYS,
  PERSONALITY_TRAITS,
  extractionChanges,
  mergeProfile,
  personalityTraitCount,
  type ChildGender,
  type Profile,
} from "./profile.ts";
import {
  acknowledgement,
  alreadyComplete,
  childNameRequest,
  clarification,
  greeting,
  join,
  questionFor,
  type InterviewStep,
} from "./local-questions.ts";

// A deterministic, offline interviewer. What to ask is always derived from the profile (the
// first missing piece in PROFILE_FIELDS order), so the provider keeps no state of its own and
// any instance can continue any session. Its wording is in lib/interview/local-questions.ts.

export type { InterviewStep };

/** The first missing piece of `profile`, i.e. the question that is pending. */
export function pendingStep(profile: Profile): InterviewStep {
  if (profile.age === undefined) return { kind: "age" };
  if (profile.gender === undefined) return { kind: "gender" };
  if (profile.relationshipStatus === undefined) return { kind: "relationshipStatus" };
  if (profile.location === undefined) return { kind: "location" };
  if (profile.incomeRange === undefined) return { kind: "incomeRange" };
  const traits = personalityTraitCount(profile.personality);
  if (traits < MIN_PERSONALITY_TRAITS) {
    const trait = PERSONALITY_TRAITS.find((candidate) => profile.personality?.[candidate] === undefined) ?? "openness";
    return { kind: "personality", trait, first: traits === 0 };
  }
  const key = PARTNER_KEYS.find((candidate) => profile.partner?.[candidate] === undefined);
  if (key !== undefined) {
    const current = profile.relationshipStatus === "dating" || profile.relationshipStatus === "married";
    return { kind: "partner", key, current };
  }
  const children = profile.children ?? [];
  if (!children.some((child) => child.desiredGender !== undefined)) {
    const named = children.find((child) => child.desiredGender === undefined);
    return named ? { kind: "childGender", name: named.name } : { kind: "child" };
  }
  return { kind: "done" };
}

// ---------------------------------------------------------------------------------------
// Turn handling

type Interpretation = { extracted: Partial<Profile> } | { clarify: string };

function fromParse<T>(
  parsed: ParseResult<T>,
  step: InterviewStep,
  locale: Locale,
  toExtracted: (value: T) => Partial<Profile>,
): Interpretation {
  return parsed.ok ? { extracted: toExtracted(parsed.value) } : { clarify: clarification(step, parsed.reason, locale) };
}

/**
 * The gender the user wished in their previous message when we then asked only for a name
 * (recognised by our own deterministic follow-up), so "女の子がいい" + "さくら" make one child.
 */
function genderAwaitingName(history: readonly ChatMessage[], locale: Locale): ChildGender | undefined {
  const lastAssistant = history.findLastIndex((message) => message.role === "assistant");
  const asked = history[lastAssistant];
  if (!asked) return undefined;
  const answered = history.slice(0, lastAssistant).findLast((message) => message.role === "user");
  if (!answered) return undefined;
  const parsed = parseChildAnswer(answered.text);
  if (!parsed.ok || parsed.value.name !== undefined) return undefined;
  const gender = parsed.value.desiredGender;
  return gender !== undefined && asked.text === childNameRequest(gender, locale) ? gender : undefined;
}

function interpretChild(answer: ChildAnswer, history: readonly ChatMessage[], locale: Locale): Interpretation {
  if (answer.name === undefined) {
    const gender = answer.desiredGender ?? "either";
    return { clarify: childNameRequest(gender, locale) };
  }
  const desiredGender = answer.desiredGender ?? genderAwaitingName(history, locale);
  return { extracted: { children: [desiredGender === undefined ? { name: answer.name } : { name: answer.name, desiredGender }] } };
}

function interpret(step: InterviewStep, input: ChatTurnInput): Interpretation {
  const { text, locale } = input;
  switch (step.kind) {
    case "age":
      return fromParse(parseAge(text), step, locale, (age) => ({ age }));
    case "gender":
      return fromParse(parseGender(text), step, locale, (gender) => ({ gender }));
    case "relationshipStatus":
      return fromParse(parseRelationshipStatus(text), step, locale, (relationshipStatus) => ({ relationshipStatus }));
    case "location":
      return fromParse(parseLocation(text), step, locale, (location) => ({ location }));
    case "incomeRange":
      return fromParse(parseIncome(text), step, locale, (incomeRange) => ({ incomeRange }));
    case "personality":
      return fromParse(parseScale(text), step, locale, (score) => ({ personality: { [step.trait]: score } }));
    case "partner": {
      const parsed = step.key === "name" ? parseName(text) : parseDescription(text);
      return fromParse(parsed, step, locale, (value) => ({ partner: { [step.key]: value } }));
    }
    case "child": {
      const parsed = parseChildAnswer(text);
      return parsed.ok ? interpretChild(parsed.value, input.history, locale) : { clarify: clarification(step, parsed.reason, locale) };
    }
    case "childGender":
      return fromParse(parseChildGender(text), step, locale, (desiredGender) => ({
        children: [{ name: step.name, desiredGender }],
      }));
    case "done":
      return { clarify: alreadyComplete(locale) };
  }
}

/** One deterministic interview turn: reads the answer to the pending question and asks the next one. */
export function localTurn(input: ChatTurnInput): ChatTurnResult {
  const step = pendingStep(input.profile);
  if (step.kind === "done") return { reply: alreadyComplete(input.locale), extracted: {}, extractedFields: [] };
  const interpretation = interpret(step, input);
  if ("clarify" in interpretation) return { reply: interpretation.clarify, extracted: {}, extractedFields: [] };
  const { extracted, extractedFields } = extractionChanges(input.profile, interpretation.extracted);
  const next = mergeProfile(input.profile, extracted);
  const nextStep = pendingStep(next);
  const reply = join(input.locale, acknowledgement(input.locale, step, extracted, next), questionFor(nextStep, input.locale));
  return { reply, extracted, extractedFields };
}

/** The opening message: a greeting and the first pending question (or the completion notice). */
export function localFirstQuestion(input: { locale: Locale; profile: Profile }): string {
  const step = pendingStep(input.profile);
  if (step.kind === "done") return alreadyComplete(input.locale);
  const resumed = Object.keys(input.profile).length > 0;
  return join(input.locale, greeting(input.locale, resumed), questionFor(step, input.locale));
}

/** A deterministic, offline `ChatProvider` that interviews in Japanese or English without any network call. */
export function createLocalInterviewer(): ChatProvider {
  return {
    firstQuestion: async (input) => localFirstQuestion(input),
    reply: async (input) => localTurn(input),
  };
}
