/**
 * nginx.conf of the edge, rendered from config. Pure: the same function serves the cluster (upstreams
 * are the services' Services) and the integration tests (upstreams on loopback).
 *
 * Blue-green switches happen at the Service, so this file does not change with a release and nginx is
 * never reloaded for one; when the file does change, the pods roll (config hash on the pod template).
 */
import type { EdgeConfig } from "../../config";

export interface NginxLayout {
  /** host:port of each routed service. */
  upstreams: Record<string, string>;
  /** Services in a canary: host:port of their standby colour and the percent of requests it gets (REL-4). */
  canaries?: Record<string, { upstream: string; weight: number }>;
  httpPort: number;
  httpsPort: number;
  /** stub_status for the exporter, on loopback only. */
  statusPort: number;
  certificate: string;
  certificateKey: string;
  /** host:port of cert-manager's HTTP-01 solver pods, when cert-manager issues the certificate. */
  acmeSolver?: string;
  /** Writable directory for the pid file and temporary files (the root filesystem is read-only). */
  tempDir: string;
}

export const HEALTH_PATH = "/healthz";
/** Where an ACME server fetches HTTP-01 tokens (RFC 8555, section 8.3). */
export const ACME_CHALLENGE_PATH = "/.well-known/acme-challenge/";
export const STATUS_PATH = "/stub_status";

/** JSON access log with the request id, searchable in the log store (MON-14). */
const LOG_FORMAT = [
  '"time":"$time_iso8601"',
  '"request_id":"$req_id"',
  '"remote_addr":"$remote_addr"',
  '"method":"$request_method"',
  '"uri":"$request_uri"',
  '"status":$status',
  '"bytes_sent":$body_bytes_sent',
  '"request_time":$request_time',
  '"upstream":"$upstream_addr"',
  '"upstream_status":"$upstream_status"',
  '"upstream_response_time":"$upstream_response_time"',
  '"user_agent":"$http_user_agent"',
].join(",");

const SECURITY_HEADERS = [
  'add_header Strict-Transport-Security "max-age=31536000; includeSubDomains" always;',
  "add_header X-Content-Type-Options nosniff always;",
  "add_header X-Frame-Options DENY always;",
  "add_header Referrer-Policy strict-origin-when-cross-origin always;",
  "add_header X-Request-ID $req_id always;",
];

/** Zone names must be identifiers in nginx. */
const zoneName = (name: string) => `rl_${name.replace(/-/g, "_")}`;

export function renderNginxConf(edge: EdgeConfig, layout: NginxLayout): string {
  const t = layout.tempDir;
  const lines: string[] = [
    "# nginx.conf of the mcp-platform edge. Generated from the stack configuration: do not edit.",
    "worker_processes auto;",
    `pid ${t}/nginx.pid;`,
    "error_log /dev/stderr warn;",
    "events { worker_connections 4096; }",
    "http {",
    `  client_body_temp_path ${t}/client_body;`,
    `  proxy_temp_path ${t}/proxy;`,
    `  fastcgi_temp_path ${t}/fastcgi;`,
    `  uwsgi_temp_path ${t}/uwsgi;`,
    `  scgi_temp_path ${t}/scgi;`,
    "  default_type application/octet-stream;",
    "  server_tokens off;",
    "  sendfile on;",
    "  keepalive_timeout 65s;",
    "  # The client's request id if it sent one, else a new one; passed upstream and logged.",
    "  map $http_x_request_id $req_id { default $http_x_request_id; \"\" $request_id; }",
    `  log_format json escape=json '{${LOG_FORMAT}}';`,
    "  access_log /dev/stdout json;",
    "  gzip on;",
    "  gzip_min_length 1024;",
    "  gzip_proxied any;",
    "  gzip_types application/json application/javascript text/css text/plain text/xml application/xml;",
    "  limit_req_status 429;",
    "  limit_req_log_level warn;",
    ...Object.entries(edge.rateLimits).map(
      ([name, zone]) => `  limit_req_zone $binary_remote_addr zone=${zoneName(name)}:10m rate=${zone.requestsPerSecond}r/s;`,
    ),
    ...edge.routes
      .map((r) => r.service)
      .filter((svc, i, all) => all.indexOf(svc) === i)
      .flatMap((svc) => [`  upstream svc_${svc.replace(/-/g, "_")} {`, ...upstreamServers(layout, svc), `    keepalive ${edge.keepaliveConnections};`, "  }"]),
    "",
    "  # The certificate is read at each handshake (a variable path): nginx starts before it exists, and",
    "  # a renewed one is served as soon as its Secret's files change, without a reload (EDGE-3).",
    `  map $ssl_server_name $edge_certificate { default ${layout.certificate}; }`,
    `  map $ssl_server_name $edge_certificate_key { default ${layout.certificateKey}; }`,
    "",
    "  # Plain HTTP: health checks, the ACME challenge, and a permanent redirect to HTTPS for everything else (EDGE-3).",
    "  server {",
    `    listen ${layout.httpPort} default_server;`,
    ...isolation(edge, "    "),
    `    location = ${HEALTH_PATH} { access_log off; default_type text/plain; return 200 "ok\\n"; }`,
    ...(layout.acmeSolver ? acmeChallenge(layout.acmeSolver) : []),
    `    location / { return 308 https://$host$request_uri; }`,
    "  }",
    "",
    "  server {",
    `    listen ${layout.httpsPort} ssl http2 default_server;`,
    `    server_name ${edge.hostname};`,
    "    ssl_certificate $edge_certificate;",
    "    ssl_certificate_key $edge_certificate_key;",
    "    ssl_protocols TLSv1.2 TLSv1.3;",
    "    ssl_prefer_server_ciphers off;",
    "    ssl_session_cache shared:TLS:10m;",
    "    ssl_session_timeout 1d;",
    `    client_max_body_size ${edge.maxBodySize};`,
    ...SECURITY_HEADERS.map((h) => `    ${h}`),
    ...isolation(edge, "    "),
    `    location = ${HEALTH_PATH} { access_log off; default_type text/plain; return 200 "ok\\n"; }`,
    ...(edge.maintenance.enabled ? maintenance(edge) : routes(edge)),
    "  }",
    "",
    "  # stub_status for the Prometheus exporter sidecar: loopback only.",
    "  server {",
    `    listen 127.0.0.1:${layout.statusPort};`,
    `    location = ${STATUS_PATH} { stub_status; access_log off; }`,
    "  }",
    "}",
    "",
  ];
  return lines.join("\n");
}

/** One server, or for a canary the active and standby colours weighted (smooth weighted round robin). */
function upstreamServers(layout: NginxLayout, svc: string): string[] {
  const canary = layout.canaries?.[svc];
  if (!canary || canary.weight <= 0) return [`    server ${layout.upstreams[svc]};`];
  return [
    `    # Canary (REL-4): ${canary.weight} % of requests to the standby colour.`,
    `    server ${layout.upstreams[svc]} weight=${100 - canary.weight};`,
    `    server ${canary.upstream} weight=${canary.weight};`,
  ];
}

/**
 * The HTTP-01 challenge, over plain HTTP as the ACME server asks for it, to cert-manager's solver
 * pods; open during incident isolation too, so a renewal never fails for it (only tokens are served).
 */
function acmeChallenge(solver: string): string[] {
  return [
    `    location ^~ ${ACME_CHALLENGE_PATH} {`,
    "      allow all;",
    `      proxy_pass http://${solver};`,
    "      proxy_set_header Host $host;",
    "      proxy_connect_timeout 5s;",
    "      proxy_read_timeout 10s;",
    "    }",
  ];
}

function isolation(edge: EdgeConfig, indent: string): string[] {
  if (!edge.isolation.enabled) return [];
  return [
    `${indent}# Incident isolation (SEC-2): only these addresses get through.`,
    ...edge.isolation.allowedCidrs.map((cidr) => `${indent}allow ${cidr};`),
    `${indent}deny all;`,
  ];
}

function maintenance(edge: EdgeConfig): string[] {
  const page = `<!doctype html><html><head><title>Maintenance</title></head><body><h1>Maintenance</h1><p>${maintenanceText(edge.maintenance.message)}</p></body></html>`;
  return [
    "    # Maintenance mode (EDGE-5): every request gets the maintenance page.",
    "    location / {",
    `      add_header Retry-After ${edge.maintenance.retryAfterSeconds} always;`,
    ...SECURITY_HEADERS.map((h) => `      ${h}`),
    "      default_type text/html;",
    `      return 503 '${page}';`,
    "    }",
  ];
}

function routes(edge: EdgeConfig): string[] {
  // Longest first, for the reader: nginx picks an exact match (location =), else the longest prefix, anyway.
  const sorted = [...edge.routes].sort((a, b) => b.path.length - a.path.length);
  return sorted.flatMap((route) => {
    const zone = edge.rateLimits[route.rateLimit ?? "default"];
    const timeout = route.readTimeoutSeconds ?? edge.readTimeoutSeconds;
    return [
      `    location ${route.path.endsWith("/") ? "" : "= "}${route.path} {`,
      `      limit_req zone=${zoneName(route.rateLimit ?? "default")} burst=${zone.burst} nodelay;`,
      ...(route.maxBodySize ? [`      client_max_body_size ${route.maxBodySize};`] : []),
      `      proxy_pass http://svc_${route.service.replace(/-/g, "_")};`,
      "      proxy_http_version 1.1;",
      '      proxy_set_header Connection "";',
      "      proxy_set_header Host $host;",
      "      proxy_set_header X-Request-ID $req_id;",
      "      proxy_set_header X-Real-IP $remote_addr;",
      "      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;",
      "      proxy_set_header X-Forwarded-Proto $scheme;",
      `      proxy_connect_timeout ${edge.connectTimeoutSeconds}s;`,
      `      proxy_send_timeout ${timeout}s;`,
      `      proxy_read_timeout ${timeout}s;`,
      "      proxy_next_upstream error timeout;",
      ...(route.streaming ? ["      proxy_request_buffering off;", "      proxy_buffering off;"] : []),
      "    }",
    ];
  });
}

/**
 * Text for the body of nginx's `return 503 '...'`: HTML-escaped, and with the characters nginx itself
 * reads inside a quoted string written as HTML character references: `$` (a variable there: "$price"
 * fails `nginx -t` as an unknown variable), a backslash (an escape), `'` (the quote) and control characters.
 * The browser shows the same text.
 */
export function maintenanceText(text: string): string {
  return text.replace(/[&<>"'$\\\u0000-\u001f\u007f]/g, (c) => HTML_REFERENCES[c] ?? `&#${c.charCodeAt(0)};`);
}

const HTML_REFERENCES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
