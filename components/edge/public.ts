/** The public face of the edge component: its names, ports and selector, and the ACME solver and issuer it answers for. */

export const EDGE_PORTS = { http: 8080, https: 8443, status: 8081, metrics: 9113 } as const;
import { partSelector } from "../labels";

export function edgeNames() {
  return {
    name: "edge",
    tlsSecret: "edge-tls",
    selector: partSelector("edge"),
  };
}

/**
 * cert-manager's HTTP-01 solver pods, as cert-manager v1.16 makes them (pkg/issuer/acme/http/pod.go:
 * label acme.cert-manager.io/http01-solver "true", port 8089 named http), in the Certificate's
 * namespace. A Service of the stack selects them, so the edge has a fixed address to send challenges to.
 */
export const ACME_SOLVER = { service: "acme-solver", port: 8089, selector: { "acme.cert-manager.io/http01-solver": "true" } } as const;

/** The ClusterIssuer a stack creates for { acme } (cluster-scoped: named after the stack's namespace). */
export const acmeIssuerName = (namespace: string) => `acme-${namespace}`;
export { edgeRules } from "./monitoring";
