/**
 * The values a stack passes to a Helm chart, checked against the chart's own facts
 * (../shared/upstream/charts/<chart>@<version>/): every key path must be a key of the chart's
 * default values, or read by its templates, or sit below a path its templates render whole with
 * toYaml; where the chart ships values.schema.json, the values must also satisfy it (as Helm
 * checks them). The path format is the catalogue's (README "Formats").
 */
import Ajv from "ajv";
import Ajv2020 from "ajv/dist/2020";
import type { ChartFacts } from "./facts";

/** `a.b`, `list[]`, `list[].name`, `nodeSelector["kubernetes.io/os"]`: every path of a value, intermediate ones included. */
export function keyPaths(value: unknown, prefix = ""): string[] {
  if (Array.isArray(value)) {
    const here = `${prefix}[]`;
    return [here, ...value.flatMap((item) => (item && typeof item === "object" ? keyPaths(item, here).filter((p) => p !== here) : []))];
  }
  if (value && typeof value === "object") {
    return Object.entries(value).flatMap(([key, child]) => {
      const segment = /[.[\]" ]/.test(key) ? `["${key}"]` : `${prefix ? "." : ""}${key}`;
      const here = `${prefix}${segment}`;
      return child && typeof child === "object" ? (Array.isArray(child) ? keyPaths(child, here) : [here, ...keyPaths(child, here)]) : [here];
    });
  }
  return [];
}

/** The strict prefixes of a path, longest last (`a`, `a.b` for `a.b.c`; `x` for `x[]`). */
function prefixes(keyPath: string): string[] {
  const cuts: number[] = [];
  for (let i = 1; i < keyPath.length; i++) if (keyPath[i] === "." || keyPath[i] === "[") cuts.push(i);
  return cuts.map((i) => keyPath.slice(0, i));
}

/** Key paths of `values` the chart does not know, each with why. */
export function unknownKeys(values: Record<string, unknown>, facts: ChartFacts): string[] {
  const known = (p: string) => facts.keys.has(p) || facts.templateRefs.has(p);
  const passedWhole = (p: string) => prefixes(p).some((q) => facts.templateRefs.get(q)?.includes("toYaml"));
  return keyPaths(values).filter((p) => !known(p) && !passedWhole(p));
}

/** Schema violations of the values, where the chart ships a schema (Helm validates it at install). */
export function schemaErrors(values: Record<string, unknown>, facts: ChartFacts): string[] {
  if (!facts.schema) return [];
  const draft2020 = String(facts.schema.$schema ?? "").includes("2020-12");
  const ajv = draft2020 ? new Ajv2020({ strict: false, allErrors: true }) : new Ajv({ strict: false, allErrors: true });
  const validate = ajv.compile(facts.schema);
  if (validate(values)) return [];
  return (validate.errors ?? []).map((e) => `${e.instancePath || "/"} ${e.message}${e.params && "additionalProperty" in e.params ? ` (${String(e.params.additionalProperty)})` : ""}`);
}
