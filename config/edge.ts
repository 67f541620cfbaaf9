/** Configuration of the nginx edge: the stack's only public entry point (EDGE-1..5, SEC-2). */
import { z } from "zod";
import { DNS1123_SUBDOMAIN_MAX, INT32_MAX } from "./limits";
import { ContainerResourcesSchema, DNS_LABEL, hostname, ImageSchema, repeats, serviceName } from "./primitives";
import { podsDemand, sidecarDemand, type Demand } from "./demand";
import type { Resources } from "./primitives";

const bodySize = z.string().regex(/^\d+[kmg]?$/i, 'an nginx size such as "1m" or "50m"');
const seconds = z.int().min(1).max(3600);

const RouteSchema = z.strictObject({
  path: z
    .string()
    .regex(/^\/([A-Za-z0-9._~-]+\/)*([A-Za-z0-9._~-]+)?$/, 'a path such as "/", "/api/" (a prefix: it ends with "/") or "/api/upload" (that path only)')
    .describe(
      'Path routed to the service: ending in "/", a prefix ("/api/" and everything below; "/" for everything else); otherwise that exact path ("/api/upload", one endpoint with its own limits).',
    ),
  service: serviceName.describe("The service that answers it (its Service, so blue-green switches need no nginx reload)."),
  maxBodySize: bodySize.optional().describe("client_max_body_size for this route; default: edge.maxBodySize (EDGE-2: 50m for upload routes)."),
  readTimeoutSeconds: seconds.optional().describe("proxy_read_timeout and proxy_send_timeout for this route; default: edge.readTimeoutSeconds."),
  rateLimit: z.string().regex(DNS_LABEL).optional().describe("Name of the rate-limit zone (edge.rateLimits) for this route; default: the zone named default."),
  streaming: z
    .boolean()
    .default(false)
    .describe("Stream request and response bodies (uploads, server-sent events): proxy buffering off."),
});

const RateLimitSchema = z.strictObject({
  requestsPerSecond: z.int().min(1).max(INT32_MAX).describe("Sustained requests per second per client address (EDGE-4)."),
  burst: z.int().min(0).max(INT32_MAX).describe("Requests above the rate accepted at once before 429s."),
});

const renewBeforeDays = z.int().min(1).max(60).default(30).describe("cert-manager renews this long before expiry (EDGE-3, MON-12).");

/** Let's Encrypt's ACME directories. */
export const ACME_SERVERS = {
  production: "https://acme-v02.api.letsencrypt.org/directory",
  staging: "https://acme-staging-v02.api.letsencrypt.org/directory",
} as const;

export const EdgeSchema = z
  .strictObject({
    hostname: hostname.describe("Public host name the edge serves and its certificate covers."),
    replicas: z.int().min(1).max(INT32_MAX).default(2).describe("nginx pods."),
    image: ImageSchema.default({
      repository: "nginxinc/nginx-unprivileged",
      tag: "1.27.3-alpine",
      digest: "sha256:9e7238f579a54582263a960d1b0094b4a3ecce641342eda3f8e2ff82b1703d2b",
    }).describe(
      "nginx image; the unprivileged variant (listens on 8080/8443 as a non-root user).",
    ),
    exporterImage: ImageSchema.default({ repository: "nginx/nginx-prometheus-exporter", tag: "1.4.0" }).describe(
      "nginx-prometheus-exporter sidecar image (reads stub_status).",
    ),
    resources: ContainerResourcesSchema({ cpu: "100m", memory: "128Mi" }, { cpu: "1", memory: "256Mi" }).prefault({}),
    routes: z.array(RouteSchema).min(1).describe("Routes by path: an exact path wins, then the longest prefix."),
    maxBodySize: bodySize.default("1m").describe("Default client_max_body_size."),
    connectTimeoutSeconds: seconds.default(5).describe("proxy_connect_timeout."),
    readTimeoutSeconds: seconds.default(60).describe("Default proxy_read_timeout and proxy_send_timeout."),
    keepaliveConnections: z.int().min(1).max(INT32_MAX).default(32).describe("Idle keep-alive connections kept to each upstream."),
    rateLimits: z
      .record(z.string().regex(DNS_LABEL), RateLimitSchema)
      .default({ default: { requestsPerSecond: 20, burst: 40 } })
      .describe("Rate-limit zones by name, per client address; raise them here (EDGE-4). Routes use the zone named default unless they name one."),
    tls: z
      .union([
        z.strictObject({
          issuer: z.strictObject({
            name: z.string().min(1).describe("Issuer or ClusterIssuer name."),
            kind: z.enum(["ClusterIssuer", "Issuer"]).default("ClusterIssuer").describe("Kind of the issuer."),
          }),
          renewBeforeDays: renewBeforeDays,
        }),
        z.strictObject({
          acme: z
            .strictObject({
              email: z.email().describe("Contact of the ACME account: expiry and problem notices go there."),
              server: z
                .union([z.enum(["production", "staging"]), z.url()])
                .default("production")
                .describe("Let's Encrypt's production or staging directory (staging: untrusted certificates, generous rate limits, for first tries), or another ACME directory URL."),
            })
            .describe("The stack creates its ACME ClusterIssuer (acme-<namespace>) solving HTTP-01 through the edge itself: no ingress controller needed."),
          renewBeforeDays: renewBeforeDays,
        }),
        z.strictObject({ secretName: z.string().max(DNS1123_SUBDOMAIN_MAX).regex(DNS_LABEL).describe("An existing kubernetes.io/tls Secret in the namespace.") }),
      ])
      .describe(
        "TLS certificate: issued by cert-manager through an issuer you have ({ issuer }) or one the stack creates for Let's Encrypt ({ acme }), or an existing Secret ({ secretName }). HTTP redirects to HTTPS except the ACME challenge path (EDGE-3).",
      ),
    maintenance: z
      .strictObject({
        enabled: z.boolean().default(false).describe("Answer every request with 503 and the maintenance page (EDGE-5)."),
        retryAfterSeconds: z.int().min(1).max(INT32_MAX).default(600).describe("Retry-After sent with the 503."),
        message: z.string().min(1).max(500).default("We are doing maintenance and will be back shortly.").describe("Text of the maintenance page."),
      })
      .prefault({})
      .describe("Maintenance mode, while writes are stopped (EDGE-5)."),
    isolation: z
      .strictObject({
        enabled: z.boolean().default(false).describe("Close the edge to everyone but allowedCidrs (SEC-2, incident isolation)."),
        allowedCidrs: z.array(z.cidrv4()).default([]).describe("Addresses that keep access while isolated (the operators' VPN)."),
      })
      .prefault({})
      .describe("Incident isolation: one setting blocks external traffic (SEC-2)."),
  })
  .superRefine((edge, ctx) => {
    for (const i of repeats(edge.routes.map((r) => r.path))) {
      ctx.addIssue({ code: "custom", path: ["routes", i, "path"], message: `path "${edge.routes[i].path}" is routed twice` });
    }
    edge.routes.forEach((route, i) => {
      const zone = route.rateLimit ?? "default";
      if (!edge.rateLimits[zone]) {
        ctx.addIssue({ code: "custom", path: ["routes", i, "rateLimit"], message: `no rate-limit zone "${zone}" in edge.rateLimits (have: ${Object.keys(edge.rateLimits).join(", ") || "none"})` });
      }
    });
  })
  .describe("The nginx edge in front of the services: routes, TLS, limits, maintenance and isolation switches.");

export type EdgeConfig = z.output<typeof EdgeSchema>;

/** Whether cert-manager issues the edge's certificate (through a given issuer or the stack's ACME one), rather than a Secret given. */
export const issuedByCertManager = (tls: EdgeConfig["tls"]): tls is Exclude<EdgeConfig["tls"], { secretName: string }> => !("secretName" in tls);

/** The nginx exporter sidecar of each edge pod. */
export const NGINX_EXPORTER_RESOURCES: Resources = { requests: { cpu: "20m", memory: "16Mi", ephemeralStorage: "16Mi" }, limits: { cpu: "100m", memory: "32Mi", ephemeralStorage: "128Mi" } };

/** The edge's pods and their exporters; a rolling restart of the edge surges one pod. */
export function edgeDemand(edge: EdgeConfig | undefined): Demand[] {
  if (!edge) return [];
  const pods = edge.replicas + 1;
  return [podsDemand(pods, edge.resources), sidecarDemand(pods, NGINX_EXPORTER_RESOURCES)];
}
