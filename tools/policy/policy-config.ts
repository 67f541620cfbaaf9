/**
 * A policy-pack config file, as `pulumi preview --policy-pack-config FILE` takes it: per policy an
 * enforcement level, or an object with `enforcementLevel` and the policy's settings; "all" sets
 * every policy's level. Checked against the pack's own schemas (unknown policies and settings are
 * errors, not silently ignored), with the schemas' defaults filled in as the CLI does.
 */
import * as fs from "fs";
import Ajv, { type ValidateFunction } from "ajv";
import type { EnforcementLevel, PackInfo, PolicyConfig } from "./analyzer";
import { InputError } from "../../config/errors";

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

/** One validator per distinct settings schema, for the process (a new Ajv compiles its meta-schema again: most of a resolve's time). */
const validators = new Map<string, ValidateFunction>();
let ajv: Ajv | undefined;
function validatorOf(schema: Record<string, unknown>): ValidateFunction {
  const key = JSON.stringify(schema);
  let validate = validators.get(key);
  if (!validate) {
    ajv ??= new Ajv({ useDefaults: true, allErrors: true, strict: false });
    validate = ajv.compile(schema);
    validators.set(key, validate);
  }
  return validate;
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

  const config: PolicyConfig = {};
  for (const policy of info.policies) {
    const value = raw[policy.name];
    const { enforcementLevel, ...properties } = typeof value === "object" && value !== null ? (value as Record<string, unknown>) : { enforcementLevel: value };
    const resolved = level(enforcementLevel, `${policy.name}.enforcementLevel`) ?? all ?? policy.enforcementLevel;
    if (policy.configSchema) {
      const validate = validatorOf({ type: "object", properties: policy.configSchema.properties, required: policy.configSchema.required, additionalProperties: false });
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
