/** Pieces of NetworkPolicies shared by the components. Pure. */
import type * as k8s from "@pulumi/kubernetes";

type NetworkPolicy = k8s.types.input.networking.v1.NetworkPolicy;
type IngressRule = k8s.types.input.networking.v1.NetworkPolicyIngressRule;
type EgressRule = k8s.types.input.networking.v1.NetworkPolicyEgressRule;

export const tcpPorts = (...ports: number[]) => ports.map((port) => ({ protocol: "TCP", port }));

/** A policy that lets the selected pods receive and send exactly the given traffic (DNS is allowed namespace-wide). */
export function podPolicy(
  metadata: k8s.types.input.meta.v1.ObjectMeta,
  selector: Record<string, string>,
  rules: { ingress: IngressRule[]; egress: EgressRule[] },
): NetworkPolicy {
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata,
    spec: { podSelector: { matchLabels: selector }, policyTypes: ["Ingress", "Egress"], ingress: rules.ingress, egress: rules.egress },
  };
}

/** Admits the pods matching any of `clients` on the ports; no rule when there are no clients. */
export function clientsRule(clients: Record<string, string>[], ...ports: number[]): IngressRule[] {
  return clients.length ? [{ from: clients.map((matchLabels) => ({ podSelector: { matchLabels } })), ports: tcpPorts(...ports) }] : [];
}

/** Lets Prometheus, in its namespace, scrape the given ports (MON-16). */
export function scrapeRule(monitoringNamespace: string, ...ports: number[]): IngressRule {
  return {
    from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": monitoringNamespace } } }],
    ports: tcpPorts(...ports),
  };
}
