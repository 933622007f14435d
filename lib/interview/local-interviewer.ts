import type { Locale } from "../schemas/sessions.ts";
import type { ChatMessage, ChatProvider, ChatTurnInput, ChatTurnResult } from "./chat-provider.ts";
import {
  introducedPartnerName,
  parseAge,
  parseChildGender,
  parseChildren,
  parseDescription,
  parseGender,
  parseIncome,
  parseLocation,
  parseName,
  parsePersonality,
  parseRelationshipStatus,
  parseYesNo,
  saysNoMore,
  type ChildAnswer,
  type ParseResult,
} from "./local-parse.ts";
import {
  MAX_CHILDREN,
  MIN_PERSONALITY_TRAITS,
  PARTNER_KEYS,
  PERSONALITY_TRAITS,
  extractionChanges,
  mergeProfile,
  personalityTraitCount,
  type Child,
  type ChildGender,
  type Profile,
} from "./profile.ts";
import {
  acknowledgement,
  alreadyComplete,
  childLimitNote,
  childNameRequest,
  clarification,
  confirmationDeclined,
  confirmationQuestion,
  greeting,
  join,
  moreChildrenClarification,
  moreChildrenOffer,
  nextChildrenRequest,
  offeredMoreChildren,
  questionFor,
  type InterviewStep,
} from "./local-questions.ts";

// A deterministic, offline interviewer. What to ask is always derived from the profile (the
// first missing piece in PROFILE_FIELDS order) and, for a pending confirmation or offer, from
// its own previous message in the history, so the provider keeps no state of its own and any
// instance can continue any session. Its wording is in lib/interview/local-questions.ts.

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
  if (children.length === 0) return { kind: "child" };
  // Every named child gets a gender, also the second and third of an answer that named several.
  const unsexed = children.find((child) => child.desiredGender === undefined);
  return unsexed ? { kind: "childGender", name: unsexed.name } : { kind: "done" };
}

// ---------------------------------------------------------------------------------------
// Turn handling

type Interpretation =
  /** Values to store now. */
  | { extracted: Partial<Profile>; note?: string }
  /** Nothing stored: ask this instead. */
  | { clarify: string }
  /** Nothing stored yet: ask the user to confirm this guess (kept when they say yes). */
  | { confirm: Partial<Profile> }
  /** The user has no more children to add. */
  | { finished: true };

function fromParse<T>(
  parsed: ParseResult<T>,
  step: InterviewStep,
  locale: Locale,
  toExtracted: (value: T) => Partial<Profile>,
): Interpretation {
  if (!parsed.ok) return { clarify: clarification(step, parsed.reason, locale) };
  return parsed.unsure ? { confirm: toExtracted(parsed.value) } : { extracted: toExtracted(parsed.value) };
}

/** The previous exchange: our last message and the user's answer just before it. */
function previousExchange(
  history: readonly ChatMessage[],
): { asked: ChatMessage; answered: ChatMessage; before: ChatMessage[] } | undefined {
  const lastAssistant = history.findLastIndex((message) => message.role === "assistant");
  const asked = history[lastAssistant];
  if (!asked) return undefined;
  const answeredIndex = history.slice(0, lastAssistant).findLastIndex((message) => message.role === "user");
  const answered = history[answeredIndex];
  return answered ? { asked, answered, before: history.slice(0, answeredIndex) } : undefined;
}

/**
 * The genders the user wished in their previous message when we then asked only for names (recognised by our own
 * deterministic follow-up), so "a girl and a boy" + "Hana and Sora" make two children.
 */
function gendersAwaitingNames(history: readonly ChatMessage[], locale: Locale): ChildGender[] | undefined {
  const exchange = previousExchange(history);
  if (!exchange) return undefined;
  const parsed = parseChildren(exchange.answered.text);
  if (!parsed.ok || parsed.value.some((child) => child.name !== undefined)) return undefined;
  const genders = parsed.value.flatMap((child) => (child.desiredGender === undefined ? [] : [child.desiredGender]));
  return genders.length > 0 && exchange.asked.text === childNameRequest(genders, locale) ? genders : undefined;
}

function interpretChildren(answers: readonly ChildAnswer[], unsure: boolean, input: ChatTurnInput, room: number): Interpretation {
  const { history, locale } = input;
  const named = answers.filter((child): child is ChildAnswer & { name: string } => child.name !== undefined);
  if (named.length === 0) {
    const genders = answers.map((child) => child.desiredGender ?? "either");
    return { clarify: childNameRequest(genders, locale) };
  }
  // Names given after we asked for them, matched to the genders wished one message earlier, in order.
  const awaited = gendersAwaitingNames(history, locale);
  const pairUp = awaited !== undefined && named.length === awaited.length && named.every((child) => child.desiredGender === undefined);
  const children: Child[] = named.map((child, index) => {
    const desiredGender = child.desiredGender ?? (pairUp ? awaited[index] : undefined);
    return desiredGender === undefined ? { name: child.name } : { name: child.name, desiredGender };
  });
  const kept = children.slice(0, Math.max(room, 0));
  const note = kept.length < children.length ? childLimitNote(MAX_CHILDREN, kept.length, locale) : undefined;
  if (unsure) return { confirm: { children: kept } };
  return note === undefined ? { extracted: { children: kept } } : { extracted: { children: kept }, note };
}

function roomForChildren(profile: Profile): number {
  return MAX_CHILDREN - (profile.children ?? []).length;
}

/** An answer to our offer of more children: more names, or a no. */
function interpretMoreChildren(input: ChatTurnInput): Interpretation {
  const room = roomForChildren(input.profile);
  if (saysNoMore(input.text)) return { finished: true };
  const yesNo = parseYesNo(input.text);
  if (yesNo?.answer === "yes" && !/[\p{L}\p{N}]/u.test(yesNo.rest)) return { clarify: nextChildrenRequest(room, input.locale) };
  const text = yesNo?.answer === "yes" ? yesNo.rest : input.text;
  const parsed = parseChildren(text);
  if (!parsed.ok) return { clarify: moreChildrenClarification(room, input.locale) };
  return interpretChildren(parsed.value, parsed.unsure === true, { ...input, text }, room);
}

function interpret(step: InterviewStep, input: ChatTurnInput): Interpretation {
  const { text, locale } = input;
  switch (step.kind) {
    case "age":
      return fromParse(parseAge(text), step, locale, (age) => ({ age }));
    case "gender":
      return fromParse(parseGender(text), step, locale, (gender) => ({ gender }));
    case "relationshipStatus":
      return fromParse(parseRelationshipStatus(text), step, locale, (relationshipStatus) => {
        // "Married, my husband is Ken" answers the partner's name too.
        const name = relationshipStatus === "dating" || relationshipStatus === "married" ? introducedPartnerName(text) : undefined;
        return name === undefined ? { relationshipStatus } : { relationshipStatus, partner: { name } };
      });
    case "location":
      return fromParse(parseLocation(text), step, locale, (location) => ({ location }));
    case "incomeRange":
      return fromParse(parseIncome(text), step, locale, (incomeRange) => ({ incomeRange }));
    case "personality":
      return fromParse(parsePersonality(text, step.trait), step, locale, (personality) => ({ personality }));
    case "partner": {
      const parsed = step.key === "name" ? parseName(text) : parseDescription(text);
      return fromParse(parsed, step, locale, (value) => ({ partner: { [step.key]: value } }));
    }
    case "child": {
      const parsed = parseChildren(text);
      if (!parsed.ok) return { clarify: clarification(step, parsed.reason, locale) };
      return interpretChildren(parsed.value, parsed.unsure === true, input, roomForChildren(input.profile));
    }
    case "childGender":
      return fromParse(parseChildGender(text), step, locale, (desiredGender) => ({
        children: [{ name: step.name, desiredGender }],
      }));
    case "done": {
      const asked = input.history.findLast((message) => message.role === "assistant");
      const offered = asked !== undefined && offeredMoreChildren(asked.text, locale) && roomForChildren(input.profile) > 0;
      return offered ? interpretMoreChildren(input) : { clarify: alreadyComplete(locale) };
    }
  }
}

/** The guess our previous message asked the user to confirm, if it did (rebuilt from the answer it asked about). */
function pendingConfirmation(step: InterviewStep, input: ChatTurnInput): Partial<Profile> | undefined {
  const exchange = previousExchange(input.history);
  if (!exchange) return undefined;
  const earlier = interpret(step, { ...input, text: exchange.answered.text, history: exchange.before });
  if (!("confirm" in earlier)) return undefined;
  return exchange.asked.text === confirmationQuestion(earlier.confirm, input.locale) ? earlier.confirm : undefined;
}

/** Reads the answer: a yes/no to a pending confirmation, else the answer to the pending question. */
function interpretTurn(step: InterviewStep, input: ChatTurnInput): Interpretation {
  const guessed = pendingConfirmation(step, input);
  if (guessed === undefined) return interpret(step, input);
  const yesNo = parseYesNo(input.text);
  if (yesNo?.answer === "yes") return { extracted: guessed };
  if (yesNo?.answer === "no") {
    // "No, it's 35": what follows the no is a new answer.
    return yesNo.rest.length > 0 ? interpret(step, { ...input, text: yesNo.rest }) : { clarify: confirmationDeclined(step, input.locale) };
  }
  return interpret(step, input);
}

/** What to say once the profile is complete after a children answer: the notice, and the offer of more while room is left. */
function completionAfterChildren(profile: Profile, locale: Locale): string {
  const room = roomForChildren(profile);
  return room > 0
    ? join(locale, questionFor({ kind: "done" }, locale), moreChildrenOffer(room, locale))
    : questionFor({ kind: "done" }, locale);
}

function nextQuestion(step: InterviewStep, next: Profile, locale: Locale): string {
  const nextStep = pendingStep(next);
  const childrenStep = step.kind === "child" || step.kind === "childGender" || step.kind === "done";
  return nextStep.kind === "done" && childrenStep ? completionAfterChildren(next, locale) : questionFor(nextStep, locale);
}

function turnWithoutChanges(reply: string): ChatTurnResult {
  return { reply, extracted: {}, extractedFields: [] };
}

/** One deterministic interview turn: reads the answer to the pending question and asks the next one. */
export function localTurn(input: ChatTurnInput): ChatTurnResult {
  const { locale, profile } = input;
  const step = pendingStep(profile);
  const interpretation = interpretTurn(step, input);
  if ("finished" in interpretation)
    return turnWithoutChanges(join(locale, acknowledgement(locale, step, {}, profile), questionFor(step, locale)));
  if ("clarify" in interpretation) return turnWithoutChanges(interpretation.clarify);
  if ("confirm" in interpretation) return turnWithoutChanges(confirmationQuestion(interpretation.confirm, locale));
  const { extracted, extractedFields } = extractionChanges(profile, interpretation.extracted);
  const next = mergeProfile(profile, extracted);
  const reply = join(locale, acknowledgement(locale, step, extracted, next), interpretation.note ?? "", nextQuestion(step, next, locale));
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
