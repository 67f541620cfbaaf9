/**
 * Pulumi hands a program its configuration as a flat map of "namespace:key" to text, structured
 * values as JSON. This turns the mcp-platform part of it back into the raw object the schema reads.
 */
import { ConfigError, NAMESPACE, secrecyProblem } from "./validate";

/**
 * `isSecret`: whether the CLI marked a key secret (a `secure:` value, decrypted to plain text here).
 * No mcp-platform key but SECRET_SETTINGS takes a secret (the stack generates its own), and a value the
 * program would put into an env var or a config file must not come from one; a SECRET_SETTINGS key
 * must be one (or empty, its default): either is a ConfigError. The offline tools leave `isSecret`
 * out: loadStackConfig (tools/stack-config.ts) has refused both in the stack file already.
 */
export function rawPlatformConfig(all: Record<string, string>, isSecret?: (key: string) => boolean): Record<string, unknown> {
  const raw: Record<string, unknown> = {};
  const prefix = `${NAMESPACE}:`;
  if (isSecret) {
    const problems = Object.entries(all).flatMap(([key, text]) => secrecyProblem(key, isSecret(key), text) ?? []);
    if (problems.length) throw new ConfigError(problems);
  }
  for (const [fullKey, text] of Object.entries(all)) {
    if (!fullKey.startsWith(prefix)) continue;
    raw[fullKey.slice(prefix.length)] = /^\s*[[{]/.test(text) ? parseStructured(text) : text;
  }
  return raw;
}

function parseStructured(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text; // the schema then names the key and what it expected
  }
}
