/**
 * How a problem is told: the key path as the stack file spells it (`mcp-platform:services.api...`),
 * the value given there, and zod's schema issues as one line each (with "did you mean" for an
 * unknown key). The domain rules live in rules/; this is only the wording. Pure.
 */
import { z } from "zod";
import { PlatformSchema } from "./schema";

export const NAMESPACE = "mcp-platform";

/** `mcp-platform:services.api.resources.limits.cpu`, `...egress[0].cidr`. */
export function keyPath(path: readonly PropertyKey[]): string {
  const [top, ...rest] = path;
  const tail = rest
    .map((part) =>
      typeof part === "number" ? `[${part}]` : /^[A-Za-z_][\w-]*$/.test(String(part)) ? `.${String(part)}` : `[${JSON.stringify(String(part))}]`,
    )
    .join("");
  return `${NAMESPACE}:${top === undefined ? "" : String(top)}${tail}`;
}

function valueAt(raw: unknown, path: readonly PropertyKey[]): unknown {
  let value = raw;
  for (const part of path) {
    if (value === null || typeof value !== "object") return undefined;
    value = (value as Record<PropertyKey, unknown>)[part];
  }
  return value;
}

export function given(raw: unknown, path: readonly PropertyKey[]): string {
  const value = valueAt(raw, path);
  if (value === undefined) return "nothing (the key is not set)";
  const text = JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

export function describeIssue(issue: z.core.$ZodIssue, raw: unknown): string[] {
  const line = (path: readonly PropertyKey[], expected: string) => `${keyPath(path)}: ${expected}; got ${given(raw, path)}`;
  switch (issue.code) {
    case "unrecognized_keys":
      return issue.keys.map((key) => {
        const known = knownKeys(issue.path);
        const hint = closest(key, known);
        return `${keyPath([...issue.path, key])}: unknown key${hint ? `; did you mean "${hint}"?` : ""} (known here: ${known.join(", ")})`;
      });
    case "invalid_type":
      return [line(issue.path, `expected ${issue.expected === "int" ? "a whole number" : `a value of type ${issue.expected}`}`)];
    case "invalid_value":
      return [line(issue.path, `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}`)];
    case "too_small":
      return [line(issue.path, `expected ${issue.origin === "array" ? `at least ${issue.minimum} item(s)` : issue.origin === "string" ? `at least ${issue.minimum} character(s)` : `a value >= ${issue.minimum}`}`)];
    case "too_big":
      return [line(issue.path, `expected ${issue.origin === "string" ? `at most ${issue.maximum} characters` : issue.origin === "array" ? `at most ${issue.maximum} item(s)` : `a value <= ${issue.maximum}`}`)];
    case "invalid_format":
      return [line(issue.path, `expected ${issue.message.startsWith("Invalid") ? issue.format : issue.message}`)];
    case "invalid_key":
      return [`${keyPath(issue.path)}: expected the name to be ${issue.issues.map((i) => i.message).join("; ")}; got ${JSON.stringify(issue.path[issue.path.length - 1])}`];
    case "invalid_union":
      return [line(issue.path, `expected ${issue.message}`)];
    default:
      return [line(issue.path, issue.message)];
  }
}

/** Keys the schema allows at a path (for "did you mean"). */
function knownKeys(path: readonly PropertyKey[]): string[] {
  let schema: z.core.$ZodType = PlatformSchema;
  for (const part of path) {
    const inner = unwrap(schema);
    if (inner instanceof z.ZodObject) schema = inner.shape[String(part)];
    else if (inner instanceof z.ZodRecord) schema = inner.valueType as z.core.$ZodType;
    else if (inner instanceof z.ZodArray) schema = inner.element as z.core.$ZodType;
    else return [];
    if (!schema) return [];
  }
  const inner = unwrap(schema);
  return inner instanceof z.ZodObject ? Object.keys(inner.shape) : [];
}

function unwrap(schema: z.core.$ZodType): z.core.$ZodType {
  let current = schema;
  for (;;) {
    if (current instanceof z.ZodOptional || current instanceof z.ZodDefault || current instanceof z.ZodPrefault) {
      current = current.unwrap() as z.core.$ZodType;
    } else if (current instanceof z.ZodPipe) {
      current = current.out as z.core.$ZodType;
    } else return current;
  }
}

/** The known key nearest to a typo, if it is near enough to be a likely meaning. */
export function closest(word: string, candidates: string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const d = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  return bestDistance <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}
