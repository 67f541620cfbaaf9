/**
 * Pulumi hands a program its configuration as a flat map of "namespace:key" to text, structured
 * values as JSON. This turns the mcp-platform part of it back into the raw object the schema reads.
 */
import { NAMESPACE } from "./validate";

export function rawPlatformConfig(all: Record<string, string>): Record<string, unknown> {
  const raw: Record<string, unknown> = {};
  const prefix = `${NAMESPACE}:`;
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
