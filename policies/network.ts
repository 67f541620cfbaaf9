/** Network: only the edge is reachable from outside, every namespace denies by default, the edge speaks TLS (EDGE-3). */
import type { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { describe, kubeObject, kubeObjects, podLabelsOf, podSpecOf, reportOn, selects, specOf, type KubeObject } from "./lib";


export const serviceExposure: ResourceValidationPolicy = {
  name: "service-exposure",
  description: "Only the edge's Service may be of type LoadBalancer or NodePort; everything else is reached through it.",
  enforcementLevel: "mandatory",
  configSchema: { properties: { edgeServices: { type: "array", items: { type: "string" }, default: ["edge"], description: "Names of the Services that may be exposed." } } },
  validateResource: (args, report) => {
    const object = kubeObject(args.type, args.props);
    if (object?.kind !== "Service") return;
    const type = String(specOf(object).type ?? "ClusterIP");
    const allowed = args.getConfig<{ edgeServices: string[] }>().edgeServices;
    if ((type === "LoadBalancer" || type === "NodePort") && !allowed.includes(String(object.metadata.name))) {
      report(`${describe(object)} is of type ${type}: only ${allowed.join(", ")} may be; make it ClusterIP and route to it through the edge (mcp-platform:edge.routes).`);
    }
  },
};

/** A NetworkPolicy that selects every pod and allows nothing in or out. */
function isDefaultDeny(object: KubeObject): boolean {
  const spec = specOf(object) as { podSelector?: { matchLabels?: object; matchExpressions?: unknown[] }; policyTypes?: string[]; ingress?: unknown[]; egress?: unknown[] };
  const everyPod = !Object.keys(spec.podSelector?.matchLabels ?? {}).length && !(spec.podSelector?.matchExpressions ?? []).length;
  const types = spec.policyTypes ?? [];
  return everyPod && types.includes("Ingress") && types.includes("Egress") && !(spec.ingress ?? []).length && !(spec.egress ?? []).length;
}

export const namespaceDefaultDeny: StackValidationPolicy = {
  name: "namespace-default-deny",
  description: "Every namespace the stack creates has a default-deny NetworkPolicy (ingress and egress), so only declared traffic flows.",
  enforcementLevel: "mandatory",
  configSchema: {
    properties: {
      exemptNamespaces: { type: "array", items: { type: "string" }, default: [], description: "Namespaces of third-party charts whose traffic the chart manages (reviewed exceptions)." },
    },
  },
  validateStack: (args, report) => {
    const exempt = args.getConfig<{ exemptNamespaces: string[] }>().exemptNamespaces;
    const all = kubeObjects(args);
    for (const { resource, object } of all) {
      if (object.kind !== "Namespace" || exempt.includes(String(object.metadata.name))) continue;
      const denied = all.some(({ object: o }) => o.kind === "NetworkPolicy" && o.metadata.namespace === object.metadata.name && isDefaultDeny(o));
      if (!denied) reportOn(report, resource, `${describe(object)} has no default-deny NetworkPolicy: add one with podSelector: {} and policyTypes [Ingress, Egress].`);
    }
  },
};

export const edgeTls: StackValidationPolicy = {
  name: "edge-tls",
  description: "The edge terminates TLS (1.2 or later) with a certificate from a Secret, and redirects plain HTTP to HTTPS (EDGE-3).",
  enforcementLevel: "mandatory",
  configSchema: { properties: { edgeServices: { type: "array", items: { type: "string" }, default: ["edge"], description: "Names of the edge's Services." } } },
  validateStack: (args, report) => {
    const names = args.getConfig<{ edgeServices: string[] }>().edgeServices;
    const all = kubeObjects(args);
    for (const { resource, object: service } of all) {
      if (service.kind !== "Service" || !names.includes(String(service.metadata.name))) continue;
      const edge = all.find(({ object }) => object.kind === "Deployment" && selects(specOf(service).selector as Record<string, string>, podLabelsOf(object)));
      const pod = edge && podSpecOf(edge.object);
      if (!edge || !pod) {
        reportOn(report, resource, `${describe(service)} selects no Deployment: the edge's pods are missing.`);
        continue;
      }
      const configMaps = (pod.volumes ?? []).flatMap((v) => (v.configMap?.name ? [v.configMap.name] : []));
      const conf = all
        .filter(({ object }) => object.kind === "ConfigMap" && configMaps.includes(String(object.metadata.name)))
        .map(({ object }) => Object.values((object.data ?? {}) as Record<string, string>).join("\n"))
        .join("\n");
      const problems = [
        !/listen\s+[^;]*\bssl\b/.test(conf) && "no server listens with ssl",
        !/ssl_certificate\s/.test(conf) && "no ssl_certificate",
        !/ssl_protocols\s+TLSv1\.[23](\s+TLSv1\.3)?\s*;/.test(conf) && "ssl_protocols allows versions older than TLSv1.2 (or is unset)",
        !/return\s+30[178]\s+https:\/\//.test(conf) && "plain HTTP is not redirected to HTTPS",
        !(pod.volumes ?? []).some((v) => v.secret?.secretName) && "no certificate Secret is mounted",
      ].filter((p): p is string => typeof p === "string");
      if (problems.length) reportOn(report, edge.resource, `the edge ${describe(edge.object)} (behind ${describe(service)}): ${problems.join("; ")}: use the edge component's nginx.conf (mcp-platform:edge.tls).`);
    }
  },
};

export const networkPolicies = [serviceExposure, namespaceDefaultDeny, edgeTls];
