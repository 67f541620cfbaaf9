import { SECRET_PLACEHOLDER } from "../tools/stack-config";

/** Validation of Kubernetes objects against the upstream OpenAPI schemas (kubernetes-models). */

interface Model {
  validate(): void;
}
type ModelClass = new (data: unknown) => Model;

/** The kubernetes-models class of an object's apiVersion and kind. */
export function modelFor(apiVersion: string, kind: string): ModelClass {
  const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : ["", apiVersion];
  const modulePath = ["kubernetes-models", group, version, kind].filter(Boolean).join("/");
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const module = require(modulePath) as Record<string, ModelClass>;
  const model = module[kind];
  if (!model) throw new Error(`kubernetes-models has no ${kind} in ${modulePath}`);
  return model;
}

/** Throws with the schema's message when the object does not validate. */
export function validateObject(object: { apiVersion: string; kind: string }): void {
  const Model = modelFor(object.apiVersion, object.kind);
  new Model(withoutRedactions(object)).validate();
}

/** A Secret's data is one secret in the plan ("[secret]"): validate the rest of the object. */
function withoutRedactions(object: Record<string, unknown>): Record<string, unknown> {
  if (object.kind !== "Secret") return object;
  const copy = { ...object };
  for (const key of ["data", "stringData"]) if (copy[key] === SECRET_PLACEHOLDER) delete copy[key];
  return copy;
}
