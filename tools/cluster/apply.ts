/**
 * A rendered plan applied to a real API server as `pulumi up` would: every Kubernetes object
 * (Helm releases and other clouds' resources have no server here) by server-side apply, in an order
 * that puts what others need first; fields under a resource's ignoreChanges kept as first applied;
 * objects that left the plan deleted. Every error and every warning the server answers is kept.
 */
import type { Plan } from "../render-stack";
import { isKubernetesObject } from "../plan-format";
import type { KubeClient, KubeObject } from "./kube-client";

export interface PlannedObject {
  object: KubeObject;
  /** The resource's ignoreChanges option: top-level paths such as "spec". */
  ignoreChanges: string[];
}

export interface Finding {
  object: string;
  text: string;
}

export interface ApplyResult {
  errors: Finding[];
  warnings: Finding[];
  applied: string[];
  pruned: string[];
}

/** "Kind namespace/name", or "Kind name" for cluster-scoped objects. */
export const objectId = (o: Pick<KubeObject, "kind" | "metadata">): string => `${o.kind} ${o.metadata.namespace ? `${o.metadata.namespace}/` : ""}${o.metadata.name}`;

/** The order objects are created in (and deleted in reverse): what others refer to comes first. */
const KIND_ORDER = [
  "Namespace",
  "NetworkPolicy",
  "ResourceQuota",
  "LimitRange",
  "PersistentVolume",
  "ServiceAccount",
  "Secret",
  "ConfigMap",
  "PersistentVolumeClaim",
  "Service",
  "PodDisruptionBudget",
  "Job",
  "StatefulSet",
  "Deployment",
  "HorizontalPodAutoscaler",
  "CronJob",
];

export const kindRank = (kind: string): number => {
  const i = KIND_ORDER.indexOf(kind);
  return i === -1 ? KIND_ORDER.length : i;
};

export const byApplyOrder = (a: KubeObject, b: KubeObject): number => kindRank(a.kind) - kindRank(b.kind) || objectId(a).localeCompare(objectId(b));

/** The plan's Kubernetes objects with their ignoreChanges, in apply order. */
export function plannedObjects(plan: Plan): PlannedObject[] {
  return plan.resources
    .filter(isKubernetesObject)
    .map((r) => ({ object: r.inputs as unknown as KubeObject, ignoreChanges: r.options.ignoreChanges }))
    .sort((a, b) => byApplyOrder(a.object, b.object));
}

/** An object to apply: the planned one, with each ignored top-level field as it was first applied. */
export function withIgnoredFields(planned: PlannedObject, previous: KubeObject | undefined): KubeObject {
  if (!previous || planned.ignoreChanges.length === 0) return planned.object;
  const object = { ...planned.object };
  for (const field of planned.ignoreChanges) {
    if (field.includes(".")) throw new Error(`${objectId(object)}: ignoreChanges path "${field}" is not supported by the cluster tests (top-level fields only)`);
    if (field in previous) object[field] = previous[field];
  }
  return object;
}

/**
 * PersistentVolumes pre-bound to every claim the objects make (PersistentVolumeClaims and the
 * claims of StatefulSets' templates), as a provisioner would supply them: kwok nodes mount nothing.
 */
export function volumesFor(objects: KubeObject[]): KubeObject[] {
  type Claim = { metadata: { name: string }; spec: { accessModes?: string[]; storageClassName?: string; resources?: { requests?: { storage?: string } } } };
  const claims: { namespace: string; name: string; claim: Claim }[] = [];
  for (const o of objects) {
    const namespace = o.metadata.namespace ?? "default";
    if (o.kind === "PersistentVolumeClaim") claims.push({ namespace, name: o.metadata.name, claim: o as unknown as Claim });
    if (o.kind === "StatefulSet") {
      const spec = o.spec as { replicas?: number; volumeClaimTemplates?: Claim[] };
      for (const template of spec.volumeClaimTemplates ?? []) {
        for (let i = 0; i < (spec.replicas ?? 1); i++) claims.push({ namespace, name: `${template.metadata.name}-${o.metadata.name}-${i}`, claim: template });
      }
    }
  }
  return claims.map(({ namespace, name, claim }) => ({
    apiVersion: "v1",
    kind: "PersistentVolume",
    metadata: { name: `pv-${namespace}-${name}`.slice(0, 253) },
    spec: {
      capacity: { storage: claim.spec.resources?.requests?.storage ?? "1Gi" },
      accessModes: claim.spec.accessModes ?? ["ReadWriteOnce"],
      storageClassName: claim.spec.storageClassName ?? "",
      persistentVolumeReclaimPolicy: "Retain",
      claimRef: { namespace, name },
      hostPath: { path: `/var/lib/kwok-volumes/${namespace}/${name}` },
    },
  }));
}

/** Applies successive plans to one cluster, remembering what it applied so the next plan prunes. */
export class Deployer {
  private live = new Map<string, KubeObject>();

  constructor(private readonly client: KubeClient) {}

  /** What this deployer applied last, in apply order. */
  get applied(): KubeObject[] {
    return [...this.live.values()];
  }

  async apply(objects: PlannedObject[], options: { dryRun?: boolean } = {}): Promise<ApplyResult> {
    const result: ApplyResult = { errors: [], warnings: [], applied: [], pruned: [] };
    const next = new Map<string, KubeObject>();
    for (const planned of objects) {
      const id = objectId(planned.object);
      const object = withIgnoredFields(planned, this.live.get(id));
      try {
        const { warnings } = await this.client.apply(object, options);
        result.warnings.push(...warnings.map((text) => ({ object: id, text })));
        result.applied.push(id);
        next.set(id, object);
      } catch (error) {
        result.errors.push({ object: id, text: (error as Error).message });
        const before = this.live.get(id);
        if (before) next.set(id, before);
      }
    }
    if (!options.dryRun) {
      const gone = [...this.live.entries()].filter(([id]) => !next.has(id)).map(([, o]) => o);
      for (const object of gone.sort(byApplyOrder).reverse()) {
        try {
          await this.client.delete(object);
          result.pruned.push(objectId(object));
        } catch (error) {
          result.errors.push({ object: objectId(object), text: `delete: ${(error as Error).message}` });
          next.set(objectId(object), object);
        }
      }
      this.live = next;
    }
    return result;
  }

  /** Deletes everything this deployer applied (as `pulumi destroy` would), newest kinds first. */
  async destroy(): Promise<ApplyResult> {
    return this.apply([]);
  }
}
