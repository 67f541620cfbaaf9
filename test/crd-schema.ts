/**
 * Validation of custom resources against the CRDs their operators ship (../shared/schemas/crds).
 * Stricter than the API server on one point: a field the schema does not know is an error here,
 * where the server would silently prune it (a typo in a field name would otherwise be lost).
 */
import { createHash } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import Ajv, { type ValidateFunction } from "ajv";
import standaloneCode from "ajv/dist/standalone";
import { version as AJV_VERSION } from "ajv/package.json";
import { parse } from "yaml";

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
/** Compiled validators, one module per CRD file, keyed by the file's text and ajv's version (compiling them was most of a test file's time). */
const CACHE_DIR = path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), ".cache"), "mcp-platform", "crd-validators");

function load(): Map<string, ValidateFunction> {
  const map = new Map<string, ValidateFunction>();
  const dir = path.join(SCHEMAS_DIR, "crds");
  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith(".yaml"))) {
    const text = fs.readFileSync(path.join(dir, file), "utf8");
    const key = createHash("sha256").update(`${AJV_VERSION}\0${JSON.stringify(AJV_OPTIONS)}\0${closed.toString()}\0${text}`).digest("hex");
    const cached = path.join(CACHE_DIR, `${key}.js`);
    const code = fs.existsSync(cached) ? fs.readFileSync(cached, "utf8") : compiled(text, cached);
    const module = { exports: {} as Record<string, ValidateFunction> };
    new Function("require", "module", "exports", code)(require, module, module.exports);
    for (const [id, validate] of Object.entries(module.exports)) map.set(id, validate);
  }
  return map;
}

/** A module of standalone validators for each version of the CRD in `text`, by "group/version/Kind", written to `cached`. */
function compiled(text: string, cached: string): string {
  const crd = parse(text);
  const ajv = new Ajv({ ...AJV_OPTIONS, code: { source: true } });
  const ids: Record<string, string> = {};
  for (const version of crd.spec.versions) {
    const id = `${crd.spec.group}/${version.name}/${crd.spec.names.kind}`;
    ajv.addSchema(closed(version.schema.openAPIV3Schema), id);
    ids[id] = id;
  }
  const code = standaloneCode(ajv, ids);
  fs.mkdirSync(CACHE_DIR, { recursive: true });
  const partial = `${cached}.${process.pid}`;
  fs.writeFileSync(partial, code);
  fs.renameSync(partial, cached);
  return code;
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
