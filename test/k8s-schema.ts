/**
 * Validation of every Kubernetes object against its upstream schema: core kinds with
 * kubernetes-models, cert-manager kinds with @kubernetes-models/cert-manager, CloudNativePG kinds
 * with the operator's CRDs (crd-schema.ts).
 */
import { validateCustomResource } from "./crd-schema";

interface Model {
  validate(): void;
}
type ModelClass = new (data: unknown) => Model;

/** Packages of kubernetes-models by API group (others are core groups). */
const MODEL_PACKAGES: Record<string, string> = {
  "cert-manager.io": "@kubernetes-models/cert-manager",
  "monitoring.coreos.com": "@kubernetes-models/prometheus-operator",
};

/** The kubernetes-models class of an object's apiVersion and kind. */
export function modelFor(apiVersion: string, kind: string): ModelClass {
  const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : ["", apiVersion];
  const modulePath = [MODEL_PACKAGES[group] ?? "kubernetes-models", group, version, kind].filter(Boolean).join("/");
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const module = require(modulePath) as Record<string, ModelClass>;
  const model = module[kind];
  if (!model) throw new Error(`no ${kind} model in ${modulePath}`);
  return model;
}

/** Whether the object is a CloudNativePG resource, checked against the CRDs in ../shared/schemas. */
export const isCloudNativePg = (object: { apiVersion: string }) => /\.cnpg\.io\//.test(object.apiVersion);

/** Throws with the schema's message when the object does not validate. */
export function validateObject(object: { apiVersion: string; kind: string }): void {
  if (isCloudNativePg(object)) return validateCustomResource(object);
  const Model = modelFor(object.apiVersion, object.kind);
  new Model(object).validate();
}
