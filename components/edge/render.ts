/**
 * Pure rendering of the nginx edge: its nginx.conf in a ConfigMap, the Deployment (nginx and the
 * Prometheus exporter), the stack's only LoadBalancer Service, the cert-manager Certificate, a
 * disruption budget and its NetworkPolicy.
 */
import type * as k8s from "@pulumi/kubernetes";
import { ACME_SERVERS, type EdgeConfig, imageReference, issuedByCertManager, NGINX_EXPORTER_RESOURCES, routedServices, type ServiceConfig } from "../../config";
import { selectorLabels, shortHash } from "../labels";
import { podPolicy, scrapeRule, tcpPorts } from "../network";
import { HEALTH_PATH, renderNginxConf, STATUS_PATH } from "./nginx-conf";
import { containerResources, type CustomResourceManifest } from "../resources";
import { RESTRICTED_CONTAINER, restrictedPod } from "../security";
import { ACME_SOLVER, acmeIssuerName, EDGE_PORTS, edgeNames } from "./public";

/** The unprivileged nginx image's user. */
const NGINX_UID = 101;

export interface EdgeManifests {
  /** The stack's ACME ClusterIssuer ({ acme }). */
  issuer?: CustomResourceManifest;
  /** The fixed address and network path of cert-manager's HTTP-01 solver pods (certificates from cert-manager). */
  solverService?: k8s.types.input.core.v1.Service;
  solverPolicy?: k8s.types.input.networking.v1.NetworkPolicy;
  config: k8s.types.input.core.v1.ConfigMap;
  deployment: k8s.types.input.apps.v1.Deployment;
  service: k8s.types.input.core.v1.Service;
  certificate?: CustomResourceManifest;
  disruptionBudget: k8s.types.input.policy.v1.PodDisruptionBudget;
  networkPolicy: k8s.types.input.networking.v1.NetworkPolicy;
  nginxConf: string;
}

export interface EdgeContext {
  namespace: string;
  monitoringNamespace: string;
  environment: string;
  services: Record<string, ServiceConfig>;
}

export function renderEdge(edge: EdgeConfig, ctx: EdgeContext): EdgeManifests {
  const names = edgeNames();
  const labels = { ...names.selector, "app.kubernetes.io/component": "edge", "app.kubernetes.io/managed-by": "pulumi" };
  const metadata = (name: string) => ({ name, namespace: ctx.namespace, labels });
  const routed = routedServices(edge);
  const address = (service: string, port = ctx.services[service].port) => `${service}.${ctx.namespace}.svc.cluster.local:${port}`;
  const nginxConf = renderNginxConf(edge, {
    upstreams: Object.fromEntries(routed.map((svc) => [svc, address(svc)])),
    canaries: Object.fromEntries(
      routed.flatMap((svc) => {
        const weight = ctx.services[svc].blueGreen?.canaryWeight ?? 0;
        return weight > 0 ? [[svc, { upstream: address(`${svc}-preview`, ctx.services[svc].port), weight }]] : [];
      }),
    ),
    httpPort: EDGE_PORTS.http,
    httpsPort: EDGE_PORTS.https,
    statusPort: EDGE_PORTS.status,
    certificate: "/etc/nginx/tls/tls.crt",
    certificateKey: "/etc/nginx/tls/tls.key",
    acmeSolver: issuedByCertManager(edge.tls) ? `${ACME_SOLVER.service}.${ctx.namespace}.svc.cluster.local:${ACME_SOLVER.port}` : undefined,
    tempDir: "/tmp",
  });
  const tls = edge.tls;
  const tlsSecret = "secretName" in tls ? tls.secretName : names.tlsSecret;
  const issuerRef =
    "acme" in tls
      ? { name: acmeIssuerName(ctx.namespace), kind: "ClusterIssuer", group: "cert-manager.io" }
      : "issuer" in tls
        ? { name: tls.issuer.name, kind: tls.issuer.kind, group: "cert-manager.io" }
        : undefined;

  return {
    nginxConf,
    config: { apiVersion: "v1", kind: "ConfigMap", metadata: metadata("edge-nginx"), data: { "nginx.conf": nginxConf } },
    deployment: {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: metadata(names.name),
      spec: {
        replicas: edge.replicas,
        revisionHistoryLimit: 5,
        selector: { matchLabels: names.selector },
        strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
        template: {
          metadata: {
            labels,
            // A new nginx.conf rolls the pods; nginx is never reloaded in place (EDGE-1).
            annotations: { "mcp-platform.io/config-hash": shortHash(nginxConf) },
          },
          spec: {
            automountServiceAccountToken: false,
            terminationGracePeriodSeconds: 30,
            securityContext: restrictedPod(NGINX_UID),
            topologySpreadConstraints: [
              { maxSkew: 1, topologyKey: "kubernetes.io/hostname", whenUnsatisfiable: "ScheduleAnyway", labelSelector: { matchLabels: names.selector } },
              { maxSkew: 1, topologyKey: "topology.kubernetes.io/zone", whenUnsatisfiable: "ScheduleAnyway", labelSelector: { matchLabels: names.selector } },
            ],
            containers: [
              {
                name: "nginx",
                image: imageReference(edge.image),
                ports: [
                  { name: "http", containerPort: EDGE_PORTS.http, protocol: "TCP" },
                  { name: "https", containerPort: EDGE_PORTS.https, protocol: "TCP" },
                ],
                resources: containerResources(edge.resources),
                securityContext: RESTRICTED_CONTAINER,
                readinessProbe: { httpGet: { path: HEALTH_PATH, port: "http" }, periodSeconds: 5, timeoutSeconds: 2 },
                livenessProbe: { tcpSocket: { port: "http" }, periodSeconds: 10, timeoutSeconds: 3, failureThreshold: 3 },
                startupProbe: { tcpSocket: { port: "http" }, periodSeconds: 2, failureThreshold: 30 },
                // Let the load balancer stop sending new connections before nginx quits.
                lifecycle: { preStop: { sleep: { seconds: 10 } } },
                volumeMounts: [
                  { name: "config", mountPath: "/etc/nginx/nginx.conf", subPath: "nginx.conf", readOnly: true },
                  { name: "tls", mountPath: "/etc/nginx/tls", readOnly: true },
                  { name: "tmp", mountPath: "/tmp" },
                ],
              },
              {
                name: "exporter",
                image: imageReference(edge.exporterImage),
                args: [`--nginx.scrape-uri=http://127.0.0.1:${EDGE_PORTS.status}${STATUS_PATH}`],
                ports: [{ name: "metrics", containerPort: EDGE_PORTS.metrics, protocol: "TCP" }],
                resources: containerResources(NGINX_EXPORTER_RESOURCES),
                securityContext: RESTRICTED_CONTAINER,
                readinessProbe: { httpGet: { path: "/metrics", port: "metrics" }, periodSeconds: 10 },
                livenessProbe: { tcpSocket: { port: "metrics" }, periodSeconds: 10 },
              },
            ],
            volumes: [
              { name: "config", configMap: { name: "edge-nginx" } },
              // Optional: the pods start before cert-manager has issued anything (nginx reads the files at each handshake).
              { name: "tls", secret: { secretName: tlsSecret, optional: true } },
              { name: "tmp", emptyDir: { sizeLimit: "256Mi" } },
            ],
          },
        },
      },
    },
    service: {
      apiVersion: "v1",
      kind: "Service",
      metadata: metadata(names.name),
      spec: {
        type: "LoadBalancer",
        // Keep client addresses, for rate limiting and isolation.
        externalTrafficPolicy: "Local",
        selector: names.selector,
        ports: [
          { name: "http", port: 80, targetPort: "http", protocol: "TCP" },
          { name: "https", port: 443, targetPort: "https", protocol: "TCP" },
        ],
        ...(edge.isolation.enabled && edge.isolation.allowedCidrs.length ? { loadBalancerSourceRanges: edge.isolation.allowedCidrs } : {}),
      },
    },
    issuer:
      "acme" in tls
        ? {
            apiVersion: "cert-manager.io/v1",
            kind: "ClusterIssuer",
            metadata: { name: acmeIssuerName(ctx.namespace), labels },
            spec: {
              acme: {
                email: tls.acme.email,
                server: tls.acme.server in ACME_SERVERS ? ACME_SERVERS[tls.acme.server as keyof typeof ACME_SERVERS] : tls.acme.server,
                privateKeySecretRef: { name: `${acmeIssuerName(ctx.namespace)}-account` },
                // HTTP-01 through the edge: no ingress controller serves this class, the edge routes
                // /.well-known/acme-challenge/ to the solver pods itself; their Service stays in-cluster.
                solvers: [{ http01: { ingress: { ingressClassName: "mcp-platform-edge", serviceType: "ClusterIP" } } }],
              },
            },
          }
        : undefined,
    solverService: issuerRef && {
      apiVersion: "v1",
      kind: "Service",
      metadata: metadata(ACME_SOLVER.service),
      spec: { type: "ClusterIP", selector: ACME_SOLVER.selector, ports: [{ name: "http", port: ACME_SOLVER.port, targetPort: "http", protocol: "TCP" }] },
    },
    solverPolicy:
      issuerRef &&
      podPolicy(metadata(ACME_SOLVER.service), ACME_SOLVER.selector, {
        ingress: [{ from: [{ podSelector: { matchLabels: names.selector } }], ports: tcpPorts(ACME_SOLVER.port) }],
        egress: [],
      }),
    certificate: issuerRef && {
      apiVersion: "cert-manager.io/v1",
      kind: "Certificate",
      metadata: {
        ...metadata(names.name),
        annotations: {
          // cert-manager stores a temporary self-signed certificate in the Secret until the issuer's arrives.
          "cert-manager.io/issue-temporary-certificate": "true",
          // Ready needs the edge up and DNS pointed at it: the provider must not wait for it.
          "pulumi.com/skipAwait": "true",
        },
      },
      spec: {
        secretName: names.tlsSecret,
        dnsNames: [edge.hostname],
        issuerRef,
        duration: "2160h", // 90 days (MON-12)
        renewBefore: `${("renewBeforeDays" in tls ? tls.renewBeforeDays : 30) * 24}h`,
        privateKey: { algorithm: "ECDSA", size: 256, rotationPolicy: "Always" },
      },
    },
    disruptionBudget: {
      apiVersion: "policy/v1",
      kind: "PodDisruptionBudget",
      metadata: metadata(names.name),
      spec: { maxUnavailable: 1, selector: { matchLabels: names.selector } },
    },
    // From anywhere: the edge is public (isolation is enforced by nginx and the load balancer).
    networkPolicy: podPolicy(metadata(names.name), names.selector, {
      ingress: [{ ports: tcpPorts(EDGE_PORTS.http, EDGE_PORTS.https) }, scrapeRule(ctx.monitoringNamespace, EDGE_PORTS.metrics)],
      egress: [
        ...routed.map((svc) => ({
          to: [{ podSelector: { matchLabels: selectorLabels(svc, ctx.environment) } }],
          ports: tcpPorts(ctx.services[svc].port!),
        })),
        ...(issuerRef ? [{ to: [{ podSelector: { matchLabels: ACME_SOLVER.selector } }], ports: tcpPorts(ACME_SOLVER.port) }] : []),
      ],
    }),
  };
}
