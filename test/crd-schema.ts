/**
 * Validation of custom resources against the CRDs their operators ship (../shared/schemas/crds).
 * Stricter than the API server on one point: a field the schema does not know is an error here,
 * where the server would silently prune it (a typo in a field name would otherwise be lost).
 */
import * as fs from "fs";
import * as path from "path";
import type { ValidateFunction } from "ajv";
import { parse } from "yaml";
import { cachedValidators } from "../tools/ajv-cache";

export const SCHEMAS_DIR = path.resolve(process.env.MCP_SCHEMAS_DIR ?? path.join(__dirname, "..", "..", "shared", "schemas"));

/** Whether the CRD folder is here; CI must have it (the tests fail there, and only skip on a workstation without it). */
export function schemasAvailable(): boolean {
  const present = fs.existsSync(path.join(SCHEMAS_DIR, "crds"));
  if (!present && process.env.CI) {
    throw new Error(`CRD schemas not found at ${SCHEMAS_DIR}/crds: CI needs them (set MCP_SCHEMAS_DIR to the shared/schemas folder)`);
  }
  return present;
}

type Schema = Record<string, unknown>;

let validators: Map<string, ValidateFunction> | undefined;

const AJV_OPTIONS = { strict: false, allErrors: true, validateFormats: false } as const;

/** Every version of every CRD, by "group/version/Kind"; each file's validators are compiled once and cached by its text (tools/ajv-cache.ts). */
function load(): Map<string, ValidateFunction> {
  const map = new Map<string, ValidateFunction>();
  const dir = path.join(SCHEMAS_DIR, "crds");
  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith(".yaml"))) {
    const text = fs.readFileSync(path.join(dir, file), "utf8");
    // The key holds closed()'s source too: a change to it must not reuse validators compiled before.
    for (const [id, validate] of Object.entries(cachedValidators(`${closed.toString()}\0${text}`, () => schemasOf(text), AJV_OPTIONS))) map.set(id, validate);
  }
  return map;
}

function schemasOf(text: string): Record<string, object> {
  const crd = parse(text);
  return Object.fromEntries(crd.spec.versions.map((version: { name: string; schema: { openAPIV3Schema: Schema } }) => [`${crd.spec.group}/${version.name}/${crd.spec.names.kind}`, closed(version.schema.openAPIV3Schema)]));
}

/** Forbids unknown fields wherever the schema lists its fields and does not preserve unknown ones. */
function closed(schema: Schema, isRoot = true): Schema {
  if (Array.isArray(schema)) return schema.map((s) => closed(s as Schema, false)) as unknown as Schema;
  if (!schema || typeof schema !== "object") return schema;
  const copy: Schema = {};
  for (const [key, value] of Object.entries(schema)) {
    copy[key] = key === "properties" ? Object.fromEntries(Object.entries(value as Schema).map(([k, v]) => [k, closed(v as Schema, false)])) : closed(value as Schema, false);
  }
  if (copy.properties && copy.additionalProperties === undefined && !copy["x-kubernetes-preserve-unknown-fields"]) {
    copy.additionalProperties = false;
  }
  if (isRoot) (copy.properties as Schema).metadata = { type: "object" };
  return copy;
}

/** Throws with every schema error when the custom resource does not validate. */
export function validateCustomResource(object: { apiVersion: string; kind: string; [field: string]: unknown }): void {
  validators ??= load();
  const { apiVersion, kind } = object;
  const validate = validators.get(`${apiVersion}/${kind}`);
  if (!validate) throw new Error(`no CRD schema for ${apiVersion} ${kind} in ${SCHEMAS_DIR}/crds`);
  if (!validate(object)) {
    throw new Error(`${kind}: ${(validate.errors ?? []).map((e) => `${e.instancePath || "/"} ${e.message}${e.params && "additionalProperty" in e.params ? ` (${e.params.additionalProperty})` : ""}`).join("; ")}`);
  }
}
