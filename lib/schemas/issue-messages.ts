import type * as z from "./zod.ts";

// The words of a validation issue, for the developer who sent the request: what the field expected (type, allowed
// values, bounds) and the type of what it received, never the value (a message text or a profile value must not come
// back in an error, nor reach a log through one). Passed explicitly to every parse that answers a person
// (`validate` in lib/http/middlewares.ts, the configuration): a global `config()` call is a side effect a bundler
// may drop, and a locale's words name neither the allowed values of an enum nor the fields of an object.

const ARTICLE: Record<string, string> = {
  string: "a string",
  number: "a number",
  int: "an integer",
  bigint: "a big integer",
  boolean: "a boolean",
  object: "an object",
  array: "an array",
  null: "null",
  undefined: "nothing",
  nan: "NaN",
  date: "a date",
  function: "a function",
  symbol: "a symbol",
};

/** The JSON type of a value, with its article ("a string", "an array", "null"), never the value itself. */
export function typeOfValue(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "number") {
    if (Number.isNaN(value)) return "NaN";
    return Number.isInteger(value) ? "an integer" : "a number with a fraction";
  }
  return ARTICLE[typeof value] ?? typeof value;
}

const quoted = (values: readonly unknown[]) => values.map((value) => JSON.stringify(value) ?? String(value)).join(", ");

const UNITS: Record<string, string> = { string: "characters", array: "items", set: "items", map: "entries", file: "bytes" };

function bound(kind: "at least" | "at most" | "more than" | "less than" | "exactly", limit: unknown, origin: string | undefined) {
  const unit = origin ? UNITS[origin] : undefined;
  return unit ? `${kind} ${String(limit)} ${unit}` : `${origin === "date" ? "a date " : ""}${kind} ${String(limit)}`;
}

/** What a value out of bounds was, by its size and type alone: "a longer string", "an integer below that". */
function beyond(side: "below" | "above", origin: string | undefined, received: string): string {
  if (origin === "string") return side === "below" ? "a shorter string" : "a longer string";
  if (origin && UNITS[origin]) return `${received} with ${side === "below" ? "fewer" : "more"} ${UNITS[origin]}`;
  return `${received} ${side} that`;
}

/** The fields an object schema takes, for the message about a key it does not. */
function fieldsOf(inst: unknown): string[] {
  const shape = (inst as { _zod?: { def?: { shape?: Record<string, unknown> } } } | undefined)?._zod?.def?.shape;
  return shape ? Object.keys(shape) : [];
}

/** zod error map: one English sentence per issue, naming what was expected and the received value's type. */
export const describeIssue: z.core.$ZodErrorMap = (issue) => {
  const received = typeOfValue(issue.input);
  switch (issue.code) {
    case "invalid_type":
      if (issue.input === undefined) return `Required: expected ${ARTICLE[issue.expected] ?? issue.expected}, but it is missing.`;
      return `Expected ${ARTICLE[issue.expected] ?? issue.expected}, received ${received}.`;
    case "invalid_value": {
      const allowed = issue.values.length === 1 ? quoted(issue.values) : `one of ${quoted(issue.values)}`;
      if (issue.input === undefined) return `Required: expected ${allowed}, but it is missing.`;
      const other = typeof issue.input === "string" && issue.values.every((value) => typeof value === "string");
      return `Expected ${allowed}; received ${other ? "a string that is not one of them" : received}.`;
    }
    case "too_small": {
      const kind = issue.exact ? "exactly" : issue.inclusive === false ? "more than" : "at least";
      return `Expected ${bound(kind, issue.minimum, issue.origin)}; received ${beyond("below", issue.origin, received)}.`;
    }
    case "too_big": {
      const kind = issue.exact ? "exactly" : issue.inclusive === false ? "less than" : "at most";
      return `Expected ${bound(kind, issue.maximum, issue.origin)}; received ${beyond("above", issue.origin, received)}.`;
    }
    case "invalid_format": {
      const pattern = (issue as { pattern?: string }).pattern;
      return pattern
        ? `Expected a string matching ${pattern}; received ${received} that does not.`
        : `Expected a string in the format ${issue.format}; received ${received} that is not.`;
    }
    case "not_multiple_of":
      return `Expected a multiple of ${String(issue.divisor)}; received ${received} that is not.`;
    case "unrecognized_keys": {
      const fields = fieldsOf(issue.inst);
      return fields.length === 0
        ? "Unknown field: this object takes no fields."
        : `Unknown field: this object takes only ${quoted(fields)}.`;
    }
    case "invalid_union":
      return `Expected one of the allowed forms; received ${received} that matches none.`;
    case "invalid_key":
      return `Expected valid keys in the ${issue.origin}; received one that is not.`;
    case "invalid_element":
      return `Expected valid values in the ${issue.origin}; received one that is not.`;
    default:
      return `Invalid value: received ${received}.`;
  }
};
