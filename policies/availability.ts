/**
 * Availability: enough replicas (production: 2, 3 for public services), a disruption budget that
 * lets a node drain, spreading over nodes, sane autoscaling bounds (CAP-2) and rolling updates
 * that never take a pod down before its replacement is ready (REL-2).
 */
import type { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { COLOR_LABEL, describe, kubeObject, kubeObjects, NAME_LABEL, podLabelsOf, podSpecOf, reportOn, selects, specOf, type KubeObject } from "./lib";


/** Autoscalers by the Deployment or StatefulSet they scale ("Deployment/api-blue"). */
export function autoscalers(objects: KubeObject[]): Map<string, { minReplicas?: number; maxReplicas: number }> {
  return new Map(
    objects
      .filter((o) => o.kind === "HorizontalPodAutoscaler")
      .map((o) => {
        const spec = specOf(o) as { scaleTargetRef: { kind: string; name: string }; minReplicas?: number; maxReplicas: number };
        return [`${spec.scaleTargetRef.kind}/${spec.scaleTargetRef.name}`, spec];
      }),
  );
}

/** The replicas a workload runs at rest: its autoscaler's minimum, else spec.replicas (default 1). */
export function restingReplicas(object: KubeObject, hpas: ReturnType<typeof autoscalers>): number {
  const hpa = hpas.get(describe(object));
  return hpa ? (hpa.minReplicas ?? 1) : ((specOf(object).replicas as number | undefined) ?? 1);
}

/**
 * The standby colour of a blue-green service: a Deployment with a colour label that the service's
 * main Service (named after it) does not select. It rests at zero by design.
 */
function isStandby(object: KubeObject, objects: KubeObject[]): boolean {
  const labels = podLabelsOf(object);
  const color = labels[COLOR_LABEL];
  if (!color) return false;
  const main = objects.find((o) => o.kind === "Service" && o.metadata.name === labels[NAME_LABEL]);
  const selected = (specOf(main ?? object).selector as Record<string, string> | undefined)?.[COLOR_LABEL];
  return main !== undefined && selected !== color;
}

/**
 * Public workloads: those the edge may send traffic to. The edge is what a LoadBalancer or
 * NodePort Service selects; its NetworkPolicy's egress names the pods it reaches.
 */
function publicWorkloads(objects: KubeObject[]): Set<KubeObject> {
  const workloads = objects.filter((o) => o.kind === "Deployment" || o.kind === "StatefulSet");
  const exposed = objects.filter((o) => o.kind === "Service" && ["LoadBalancer", "NodePort"].includes(String(specOf(o).type)));
  const edges = workloads.filter((w) => exposed.some((s) => selects(specOf(s).selector as Record<string, string>, podLabelsOf(w))));
  const reachable = objects
    .filter((o) => o.kind === "NetworkPolicy" && edges.some((edge) => selects((specOf(o).podSelector as { matchLabels?: Record<string, string> })?.matchLabels, podLabelsOf(edge))))
    .flatMap((policy) => ((specOf(policy).egress as { to?: { podSelector?: { matchLabels?: Record<string, string> } }[] }[]) ?? []).flatMap((rule) => rule.to ?? []))
    .map((peer) => peer.podSelector?.matchLabels)
    .filter((selector): selector is Record<string, string> => !!selector);
  return new Set([...edges, ...workloads.filter((w) => reachable.some((selector) => selects(selector, podLabelsOf(w))))]);
}

interface ReplicasConfig {
  minReplicas: number;
  minPublicReplicas: number;
}

export const replicasMinimum: StackValidationPolicy = {
  name: "replicas-minimum",
  description: "Deployments and Postgres clusters run at least the environment's minimum replicas (production: 2, and 3 for what the edge serves); a blue-green standby colour may rest at zero.",
  enforcementLevel: "mandatory",
  configSchema: {
    properties: {
      minReplicas: { type: "integer", minimum: 1, default: 1, description: "Fewest replicas of a Deployment or Postgres instances." },
      minPublicReplicas: { type: "integer", minimum: 1, default: 1, description: "Fewest replicas of the edge and the services it routes to." },
    },
  },
  validateStack: (args, report) => {
    const config = args.getConfig<ReplicasConfig>();
    const all = kubeObjects(args);
    const objects = all.map((o) => o.object);
    const hpas = autoscalers(objects);
    const exposed = publicWorkloads(objects);
    for (const { resource, object } of all) {
      if (object.kind === "Cluster" && object.apiVersion.startsWith("postgresql.cnpg.io/")) {
        const instances = (specOf(object).instances as number | undefined) ?? 1;
        if (instances < config.minReplicas) reportOn(report, resource, `${describe(object)} has ${instances} instance(s): this environment needs at least ${config.minReplicas} (postgres.instances).`);
      }
      if (object.kind !== "Deployment" || isStandby(object, objects)) continue;
      const replicas = restingReplicas(object, hpas);
      const needed = exposed.has(object) ? config.minPublicReplicas : config.minReplicas;
      if (replicas < needed) {
        const what = exposed.has(object) ? "it serves public traffic, so this environment needs" : "this environment needs";
        reportOn(report, resource, `${describe(object)} runs ${replicas} replica(s); ${what} at least ${needed}: raise replicas (or autoscaling.minReplicas).`);
      }
    }
  },
};

export const podDisruptionBudget: StackValidationPolicy = {
  name: "pod-disruption-budget",
  description: "Every workload with more than one replica has a PodDisruptionBudget, and the budget lets at least one pod be evicted (or node drains hang).",
  enforcementLevel: "mandatory",
  validateStack: (args, report) => {
    const all = kubeObjects(args);
    const objects = all.map((o) => o.object);
    const hpas = autoscalers(objects);
    const budgets = objects.filter((o) => o.kind === "PodDisruptionBudget");
    for (const { resource, object } of all) {
      if (object.kind !== "Deployment" && object.kind !== "StatefulSet") continue;
      const replicas = Math.max(restingReplicas(object, hpas), hpas.get(describe(object))?.maxReplicas ?? 0);
      if (replicas <= 1) continue;
      const budget = budgets.find((b) => selects((specOf(b).selector as { matchLabels?: Record<string, string> })?.matchLabels, podLabelsOf(object)));
      if (!budget) {
        reportOn(report, resource, `${describe(object)} runs ${replicas} replicas without a PodDisruptionBudget: add one with maxUnavailable: 1.`);
        continue;
      }
      const { maxUnavailable, minAvailable } = specOf(budget) as { maxUnavailable?: number | string; minAvailable?: number | string };
      const blocks =
        maxUnavailable === 0 || maxUnavailable === "0%" || (minAvailable !== undefined && (minAvailable === "100%" || (typeof minAvailable === "number" && minAvailable >= restingReplicas(object, hpas))));
      if (blocks) reportOn(report, resource, `${describe(budget)} allows no disruption of ${describe(object)}: node drains would hang; use maxUnavailable: 1.`);
    }
  },
};

export const topologySpread: ResourceValidationPolicy = {
  name: "topology-spread",
  description: "Workloads with more than one replica spread over nodes (topology spread constraints or pod anti-affinity), so one node's loss does not take them all.",
  enforcementLevel: "mandatory",
  validateResource: (args, report) => {
    const object = kubeObject(args.type, args.props);
    if (!object || (object.kind !== "Deployment" && object.kind !== "StatefulSet")) return;
    const replicas = (specOf(object).replicas as number | undefined) ?? 1;
    const pod = podSpecOf(object);
    // An autoscaled Deployment leaves replicas to its autoscaler: check it whenever it may grow.
    if (replicas <= 1 && specOf(object).replicas !== undefined) return;
    if (!pod?.topologySpreadConstraints?.length && !pod?.affinity?.podAntiAffinity) {
      report(`${describe(object)} may run several replicas on one node: add topologySpreadConstraints over kubernetes.io/hostname (or pod anti-affinity).`);
    }
  },
};

export const autoscalingBounds: ResourceValidationPolicy = {
  name: "autoscaling-bounds",
  description: "A HorizontalPodAutoscaler's minimum is at most its maximum and at least the environment's floor (CAP-2).",
  enforcementLevel: "mandatory",
  configSchema: { properties: { minReplicasFloor: { type: "integer", minimum: 1, default: 1, description: "Lowest minReplicas an autoscaler may have." } } },
  validateResource: (args, report) => {
    const object = kubeObject(args.type, args.props);
    if (object?.kind !== "HorizontalPodAutoscaler") return;
    const { minReplicas = 1, maxReplicas } = specOf(object) as { minReplicas?: number; maxReplicas: number };
    const floor = args.getConfig<{ minReplicasFloor: number }>().minReplicasFloor;
    if (minReplicas > maxReplicas) report(`${describe(object)} has minReplicas ${minReplicas} above maxReplicas ${maxReplicas}: swap or fix them.`);
    if (minReplicas < floor) report(`${describe(object)} may scale down to ${minReplicas}: this environment's floor is ${floor} (autoscaling.minReplicas).`);
  },
};

export const rollingUpdate: ResourceValidationPolicy = {
  name: "rolling-update-zero-downtime",
  description: "Deployments roll out with maxUnavailable 0: no pod goes before its replacement is ready (REL-2).",
  enforcementLevel: "mandatory",
  validateResource: (args, report) => {
    const object = kubeObject(args.type, args.props);
    if (object?.kind !== "Deployment") return;
    const strategy = specOf(object).strategy as { type?: string; rollingUpdate?: { maxUnavailable?: number | string } } | undefined;
    const maxUnavailable = strategy?.rollingUpdate?.maxUnavailable;
    if (strategy?.type === "Recreate") report(`${describe(object)} uses the Recreate strategy, which stops every pod first: use RollingUpdate with maxUnavailable: 0.`);
    else if (maxUnavailable !== 0 && maxUnavailable !== "0%") {
      report(`${describe(object)} may take pods down before their replacements are ready (maxUnavailable ${maxUnavailable ?? "25% by default"}): set strategy.rollingUpdate.maxUnavailable: 0.`);
    }
  },
};

export const availabilityPolicies = [replicasMinimum, podDisruptionBudget, topologySpread, autoscalingBounds, rollingUpdate];
