/**
 * A policy-pack config file, as `pulumi preview --policy-pack-config FILE` takes it: per policy an
 * enforcement level, or an object with `enforcementLevel` and the policy's settings; "all" sets
 * every policy's level. Checked against the pack's own schemas (unknown policies and settings are
 * errors, not silently ignored), with the schemas' defaults filled in as the CLI does.
 */
import * as fs from "fs";
import type { EnforcementLevel, PackInfo, PolicyConfig } from "./analyzer";
import { InputError } from "../../config/errors";
import { cachedValidators } from "../ajv-cache";

export class PolicyConfigError extends InputError {}

const LEVELS = new Set<EnforcementLevel>(["advisory", "mandatory", "disabled", "remediate"]);

export function readPolicyConfig(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (error) {
    throw new PolicyConfigError(`cannot read policy config ${file}: ${(error as Error).message}`);
  }
  try {
    const value = JSON.parse(text) as unknown;
    if (!value || typeof value !== "object" || Array.isArray(value)) throw new Error("expected a JSON object of policy names");
    return value as Record<string, unknown>;
  } catch (error) {
    throw new PolicyConfigError(`policy config ${file} is not valid: ${(error as Error).message}`);
  }
}

const AJV_OPTIONS = { useDefaults: true, allErrors: true, strict: false } as const;

/** Each policy's settings schema as the CLI applies it: its properties, its required ones, nothing else. */
function settingsSchemas(info: PackInfo): Record<string, object> {
  return Object.fromEntries(
    info.policies.flatMap((p) => (p.configSchema ? [[p.name, { type: "object", properties: p.configSchema.properties, required: p.configSchema.required, additionalProperties: false }]] : [])),
  );
}

/** The settings to send to the pack: every policy's level and properties, defaults filled in. */
export function resolvePolicyConfig(raw: Record<string, unknown>, info: PackInfo, file: string): PolicyConfig {
  const problems: string[] = [];
  const known = new Map(info.policies.map((p) => [p.name, p]));
  const level = (value: unknown, where: string): EnforcementLevel | undefined => {
    if (value === undefined) return undefined;
    if (typeof value === "string" && LEVELS.has(value as EnforcementLevel)) return value as EnforcementLevel;
    problems.push(`${where}: enforcement level must be one of ${[...LEVELS].join(", ")}; got ${JSON.stringify(value)}`);
    return undefined;
  };
  const all = level(raw.all, "all");
  for (const name of Object.keys(raw)) {
    if (name !== "all" && !known.has(name)) problems.push(`${name}: no such policy in pack ${info.name} (policies: ${[...known.keys()].join(", ")})`);
  }

  const schemas = settingsSchemas(info);
  const validators = cachedValidators(JSON.stringify(schemas), () => schemas, AJV_OPTIONS);
  const config: PolicyConfig = {};
  for (const policy of info.policies) {
    const value = raw[policy.name];
    const { enforcementLevel, ...properties } = typeof value === "object" && value !== null ? (value as Record<string, unknown>) : { enforcementLevel: value };
    const resolved = level(enforcementLevel, `${policy.name}.enforcementLevel`) ?? all ?? policy.enforcementLevel;
    if (policy.configSchema) {
      const validate = validators[policy.name];
      if (!validate(properties)) {
        for (const e of validate.errors ?? []) {
          const key = e.keyword === "additionalProperties" ? `.${(e.params as { additionalProperty: string }).additionalProperty}` : e.instancePath.replace(/\//g, ".");
          const known = e.keyword === "additionalProperties" ? ` (settings: ${Object.keys(policy.configSchema.properties).join(", ")})` : "";
          problems.push(`${policy.name}${key}: ${e.message}${known}`);
        }
      }
    } else if (Object.keys(properties).length) {
      problems.push(`${policy.name}: takes no settings, only enforcementLevel; got ${Object.keys(properties).join(", ")}`);
    }
    config[policy.name] = { enforcementLevel: resolved, properties };
  }
  if (problems.length) throw new PolicyConfigError(`policy config ${file}:\n${problems.map((p) => `  ${p}`).join("\n")}`);
  return config;
}
