/** Pieces of NetworkPolicy rules shared by the components. Pure. */
import type * as k8s from "@pulumi/kubernetes";

type Rule = k8s.types.input.networking.v1.NetworkPolicyIngressRule;

export const tcpPorts = (...ports: number[]) => ports.map((port) => ({ protocol: "TCP", port }));

/** Lets Prometheus, in its namespace, scrape the given ports (MON-16). */
export function scrapeRule(monitoringNamespace: string, ...ports: number[]): Rule {
  return {
    from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": monitoringNamespace } } }],
    ports: tcpPorts(...ports),
  };
}
