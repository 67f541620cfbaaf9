/** Container resources as Kubernetes spells them, from the config's amounts. Pure. */
import type * as k8s from "@pulumi/kubernetes";
import type { Resources } from "../config";

/** One set of amounts: cpu, memory and ephemeral-storage. */
export const kubernetesAmounts = (a: Resources["requests"]) => ({ cpu: a.cpu, memory: a.memory, "ephemeral-storage": a.ephemeralStorage });

/** requests and limits of CPU, memory and ephemeral-storage (node-local disk: logs, writable layer, emptyDirs). */
export function containerResources(r: Resources): k8s.types.input.core.v1.ResourceRequirements {
  return { requests: kubernetesAmounts(r.requests), limits: kubernetesAmounts(r.limits) };
}

/** A manifest of a custom resource (CloudNativePG kinds have no typed Pulumi inputs). */
export interface CustomResourceManifest {
  apiVersion: string;
  kind: string;
  metadata: k8s.types.input.meta.v1.ObjectMeta;
  spec: Record<string, unknown>;
}
