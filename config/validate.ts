/**
 * Validation of a whole stack's configuration: the schema (each zod issue worded by issues.ts), then
 * the named rules that span keys (rules/), each problem one line naming the key path, what was
 * expected and what was given.
 */
import { PlatformSchema, type PlatformParsed } from "./schema";
import { InputError } from "./errors";
import { describeIssue, given, keyPath, NAMESPACE } from "./issues";
import { RULES } from "./rules";
import type { PlatformConfig } from "./types";

export type { PlatformConfig, Problem } from "./types";
export { closest, keyPath, NAMESPACE } from "./issues";

/**
 * The only settings that take a `secure:` value: credentials the program hands to a provider wrapped
 * as Pulumi secrets and never renders into an object, env var or file. Every other setting is
 * refused as secure, since the stack would render it in plain text.
 */
export const SECRET_SETTINGS: readonly string[] = ["identityClientSecret"];

/**
 * Why a setting's value is refused for how it is given, or undefined: an mcp-platform key other than
 * SECRET_SETTINGS given `secure:` (the stack would render it in plain text), or a SECRET_SETTINGS key
 * given as a plain, non-empty value (the stack file would hold the credential unencrypted; empty is
 * its default). The one rule of both readers: the offline tools' (tools/stack-config.ts) and the program's (load.ts).
 */
export function secrecyProblem(key: string, secure: boolean, text: string): string | undefined {
  if (!key.startsWith(`${NAMESPACE}:`)) return undefined;
  const takesSecret = SECRET_SETTINGS.includes(key.slice(NAMESPACE.length + 1));
  if (secure && !takesSecret) {
    return `${key}: a secure value: ${NAMESPACE} generates its secrets itself and takes none from the stack file, so it would render this one in plain text; remove it (or set the setting it belongs to in plain text)`;
  }
  if (!secure && takesSecret && text !== "") return `${key}: a plain value, but it is a secret the stack file must hold encrypted: run pulumi config set --secret ${key} <value>`;
  return undefined;
}

export type ParseResult = { ok: true; config: PlatformConfig } | { ok: false; errors: string[] };

/** Invalid configuration: a heading, then one indented line per problem (the layout every command prints). */
export class ConfigError extends InputError {
  constructor(
    readonly errors: string[],
    heading = "invalid stack configuration",
  ) {
    super(`${heading}:\n${errors.map((error) => `  ${error}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

/**
 * The last raw configuration validated and its result: `npm run plan` validates the stack before it
 * runs the program (to answer bad input before loading the SDKs), and the program validates what the
 * runtime hands it, the same values: validated once, each caller given its own copy.
 */
let lastParse: { key: string; result: ParseResult } | undefined;

/** Validates raw configuration (top-level keys without the namespace prefix). Pure. */
export function parsePlatformConfig(raw: Record<string, unknown>): ParseResult {
  const key = JSON.stringify(raw);
  if (lastParse?.key !== key) lastParse = { key, result: validate(raw) };
  return copy(lastParse.result);
}

/** A deep copy of plain data, in this realm's arrays and objects (keys with undefined values kept). */
function copy<T>(value: T): T {
  if (Array.isArray(value)) return value.map(copy) as T;
  if (value !== null && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, copy(v)])) as T;
  return value;
}

function validate(raw: Record<string, unknown>): ParseResult {
  const parsed = PlatformSchema.safeParse(raw);
  if (!parsed.success) {
    return { ok: false, errors: parsed.error.issues.flatMap((issue) => describeIssue(issue, raw)) };
  }
  const config = resolveDefaults(parsed.data);
  const problems = RULES.flatMap((rule) => rule.check(config));
  if (problems.length > 0) {
    return { ok: false, errors: problems.map((p) => `${keyPath(p.path)}: ${p.message}; got ${given(raw, p.path)}`) };
  }
  return { ok: true, config };
}

/** Like parsePlatformConfig, but throws a ConfigError. */
export function requirePlatformConfig(raw: Record<string, unknown>): PlatformConfig {
  const result = parsePlatformConfig(raw);
  if (!result.ok) throw new ConfigError(result.errors);
  return result.config;
}

function resolveDefaults(parsed: PlatformParsed): PlatformConfig {
  const production = parsed.environment === "production";
  return {
    ...parsed,
    namespace: parsed.namespace ?? `mcp-${parsed.environment}`,
    imagePinning: parsed.imagePinning ?? (production ? "digest" : "tag"),
  };
}
