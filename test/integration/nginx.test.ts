/**
 * The edge's rendered nginx.conf in a real nginx on loopback: `nginx -t` for both stacks, then a live
 * nginx in front of two small HTTP servers: routing by prefix, body-size limits (413), rate limiting
 * (429), request ids, health checks, the HTTPS redirect, maintenance mode (503) and isolation (403).
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as http from "http";
import * as https from "https";
import * as os from "os";
import * as path from "path";
import { parsePlatformConfig, rawPlatformConfig, type EdgeConfig } from "../../config";
import { renderNginxConf, type NginxLayout } from "../../components/edge/nginx-conf";
import { loadStackConfig } from "../../tools/stack-config";
import { PROJECT_DIR, STACKS } from "../harness";
import { freePort, hasBinary, runTool, startProcess, tempDir, waitForPort } from "./real-tools";

const installed = hasBinary("nginx") && hasBinary("openssl");
const describeWithNginx = installed ? describe : describe.skip;

function edgeOf(raw: Record<string, unknown>): EdgeConfig {
  const result = parsePlatformConfig(raw);
  if (!result.ok) throw new Error(result.errors.join("\n"));
  return result.config.edge!;
}

function certificate(dir: string): { certificate: string; certificateKey: string } {
  const certificate = path.join(dir, "tls.crt");
  const certificateKey = path.join(dir, "tls.key");
  const made = spawnSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=mcp.test", "-keyout", certificateKey, "-out", certificate], { encoding: "utf8" });
  if (made.status !== 0) throw new Error(made.stderr);
  // As a Secret volume projects them (defaultMode 0644): nginx's workers, not root, read them at each handshake.
  for (const file of [certificate, certificateKey]) fs.chmodSync(file, 0o644);
  return { certificate, certificateKey };
}

async function layout(dir: string, upstreams: Record<string, string>): Promise<NginxLayout> {
  return { upstreams, httpPort: await freePort(), httpsPort: await freePort(), statusPort: await freePort(), tempDir: dir, ...certificate(dir) };
}

function nginxTest(conf: string, dir: string) {
  const file = path.join(dir, "nginx.conf");
  fs.writeFileSync(file, conf);
  return runTool("nginx", ["-t", "-p", dir, "-c", file, "-e", "stderr"]);
}

describeWithNginx("nginx -t accepts the edge config", () => {
  it.each(STACKS)("of the %s stack", async (stack) => {
    const stackConfig = loadStackConfig(PROJECT_DIR, stack);
    const edge = edgeOf(rawPlatformConfig(stackConfig.config));
    const dir = tempDir("mcp-nginx-t-");
    const upstreams = Object.fromEntries(edge.routes.map((r, i) => [r.service, `127.0.0.1:${20000 + i}`]));
    const result = nginxTest(renderNginxConf(edge, await layout(dir, upstreams)), dir);
    expect(result.output).toMatch(/syntax is ok[\s\S]*test is successful/);
    expect(result.status).toBe(0);
  });

  it("and rejects a broken one (the check can fail)", async () => {
    const dir = tempDir("mcp-nginx-t-");
    const edge = edgeOf(baseConfig());
    const conf = renderNginxConf(edge, await layout(dir, { api: "127.0.0.1:1", web: "127.0.0.1:2" })).replace("proxy_http_version 1.1;", "proxy_http_version 1.1");
    expect(nginxTest(conf, dir).status).not.toBe(0);
  });
});

function baseConfig(edge: Record<string, unknown> = {}): Record<string, unknown> {
  const image = { repository: "r/app", tag: "1.0.0" };
  return {
    environment: "staging",
    services: { api: { image, port: 8000 }, web: { image, port: 3000 } },
    edge: {
      hostname: "mcp.test",
      tls: { secretName: "edge-tls" },
      routes: [
        { path: "/", service: "web" },
        { path: "/api/", service: "api" },
        { path: "/api/upload/", service: "api", maxBodySize: "50m", streaming: true },
        { path: "/api/limited/", service: "api", rateLimit: "strict" },
        { path: "/api/import", service: "api", maxBodySize: "50m" },
      ],
      rateLimits: { default: { requestsPerSecond: 1000, burst: 1000 }, strict: { requestsPerSecond: 2, burst: 3 } },
      ...edge,
    },
  };
}

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

function request(
  port: number,
  options: { path: string; method?: string; body?: Buffer; headers?: Record<string, string>; tls?: boolean; agent?: http.Agent },
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const client = options.tls === false ? http : https;
    const req = client.request(
      { host: "127.0.0.1", port, path: options.path, method: options.method ?? "GET", headers: { host: "mcp.test", ...options.headers }, rejectUnauthorized: false, servername: "mcp.test", timeout: 5000, agent: options.agent },
      (res) => {
        let body = "";
        res.on("data", (d) => (body += d));
        res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers, body }));
      },
    );
    req.on("error", reject);
    req.end(options.body);
  });
}

/** A stand-in app service: says who it is, what it was asked and what it got. */
function backend(name: string): Promise<{ server: http.Server; port: number }> {
  const server = http.createServer((req, res) => {
    let received = 0;
    req.on("data", (chunk: Buffer) => (received += chunk.length));
    req.on("end", () => {
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify({ service: name, path: req.url, requestId: req.headers["x-request-id"], received }));
    });
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve({ server, port: (server.address() as { port: number }).port })));
}

describeWithNginx("a live nginx with the edge config", () => {
  const backends: { server: http.Server; port: number }[] = [];
  const servers: ReturnType<typeof startProcess>[] = [];

  /** Starts nginx with the edge config rendered from `edge` settings; returns its ports. */
  async function startEdge(edge: Record<string, unknown> = {}, canaries?: NginxLayout["canaries"]): Promise<NginxLayout> {
    const dir = tempDir("mcp-nginx-");
    // nginx's workers buffer large bodies under it as another user (nobody, when started as root),
    // as the pod's nginx does in its emptyDir /tmp, which is world-writable too.
    fs.chmodSync(dir, 0o777);
    const [api, web] = backends;
    const l = { ...(await layout(dir, { api: `127.0.0.1:${api.port}`, web: `127.0.0.1:${web.port}` })), canaries };
    const file = path.join(dir, "nginx.conf");
    fs.writeFileSync(file, renderNginxConf(edgeOf(baseConfig(edge)), l));
    const server = startProcess("nginx", ["-p", dir, "-c", file, "-e", "stderr", "-g", "daemon off;"]);
    servers.push(server);
    await waitForPort(l.httpsPort).catch((e) => {
      throw new Error(`${e.message}\n${server.output()}`);
    });
    return l;
  }

  let edge: NginxLayout;
  beforeAll(async () => {
    backends.push(await backend("api"), await backend("web"), await backend("api-preview"));
    edge = await startEdge();
  });
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()));
    for (const b of backends) b.server.close();
  });

  it("routes by the longest matching prefix", async () => {
    const api = await request(edge.httpsPort, { path: "/api/tools?x=1" });
    expect(api.status).toBe(200);
    expect(JSON.parse(api.body)).toMatchObject({ service: "api", path: "/api/tools?x=1" });
    expect(JSON.parse((await request(edge.httpsPort, { path: "/index.html" })).body)).toMatchObject({ service: "web" });
  });

  it("answers /healthz on both ports and redirects plain HTTP to HTTPS", async () => {
    expect((await request(edge.httpPort, { path: "/healthz", tls: false })).status).toBe(200);
    expect((await request(edge.httpsPort, { path: "/healthz" })).body).toBe("ok\n");
    const redirect = await request(edge.httpPort, { path: "/api/tools", tls: false });
    expect(redirect.status).toBe(308);
    expect(redirect.headers.location).toBe("https://mcp.test/api/tools");
  });

  it("passes the client's request id upstream and back, or makes one", async () => {
    const given = await request(edge.httpsPort, { path: "/api/x", headers: { "x-request-id": "req-12345" } });
    expect(JSON.parse(given.body).requestId).toBe("req-12345");
    expect(given.headers["x-request-id"]).toBe("req-12345");
    const made = await request(edge.httpsPort, { path: "/api/x" });
    expect(JSON.parse(made.body).requestId).toMatch(/^[0-9a-f]{32}$/);
    expect(made.headers["x-request-id"]).toBe(JSON.parse(made.body).requestId);
  });

  it("sends the security headers", async () => {
    const reply = await request(edge.httpsPort, { path: "/api/x" });
    expect(reply.headers).toMatchObject({ "strict-transport-security": expect.stringContaining("max-age="), "x-content-type-options": "nosniff", "x-frame-options": "DENY" });
    expect(reply.headers.server).toBe("nginx");
  });

  it("limits bodies: 1m by default (413), 50m on the upload route", async () => {
    const twoMegabytes = Buffer.alloc(2 * 1024 * 1024, 97);
    expect((await request(edge.httpsPort, { path: "/api/items", method: "POST", body: twoMegabytes })).status).toBe(413);
    const upload = await request(edge.httpsPort, { path: "/api/upload/file", method: "POST", body: twoMegabytes });
    expect(upload.status).toBe(200);
    expect(JSON.parse(upload.body).received).toBe(twoMegabytes.length);
  });

  it("gives an exact path its own limits, and nothing below or beside it", async () => {
    const twoMegabytes = Buffer.alloc(2 * 1024 * 1024, 97);
    const exact = await request(edge.httpsPort, { path: "/api/import?format=csv", method: "POST", body: twoMegabytes });
    expect(exact.status).toBe(200);
    expect(JSON.parse(exact.body)).toMatchObject({ service: "api", path: "/api/import?format=csv", received: twoMegabytes.length });
    for (const other of ["/api/import/x", "/api/imports"]) expect((await request(edge.httpsPort, { path: other, method: "POST", body: twoMegabytes })).status).toBe(413);
  });

  it("rate-limits past the zone's burst with 429", async () => {
    const replies = await Promise.all(Array.from({ length: 20 }, () => request(edge.httpsPort, { path: "/api/limited/x" })));
    const statuses = replies.map((r) => r.status);
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThanOrEqual(1);
    expect(statuses.filter((s) => s === 200).length).toBeLessThanOrEqual(5);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(15);
    // Other routes are not affected.
    expect((await request(edge.httpsPort, { path: "/api/x" })).status).toBe(200);
  });

  it("serves stub_status to the exporter on loopback", async () => {
    const reply = await request(edge.statusPort, { path: "/stub_status", tls: false });
    expect(reply.body).toMatch(/^Active connections: \d+/);
  });

  it("answers 503 with the maintenance page in maintenance mode, and stays healthy", async () => {
    const maintenance = await startEdge({ maintenance: { enabled: true, retryAfterSeconds: 120, message: "Back at 3 a.m." } });
    const reply = await request(maintenance.httpsPort, { path: "/api/tools" });
    expect(reply.status).toBe(503);
    expect(reply.headers["retry-after"]).toBe("120");
    expect(reply.body).toContain("Back at 3 a.m.");
    expect((await request(maintenance.httpsPort, { path: "/healthz" })).status).toBe(200);
  });

  it("closes to all but the allowed addresses when isolated", async () => {
    const closed = await startEdge({ isolation: { enabled: true, allowedCidrs: ["198.51.100.0/24"] } });
    expect((await request(closed.httpsPort, { path: "/api/x" })).status).toBe(403);
    const open = await startEdge({ isolation: { enabled: true, allowedCidrs: ["127.0.0.0/8"] } });
    expect((await request(open.httpsPort, { path: "/api/x" })).status).toBe(200);
  });

  it("splits a canary by weight: 10,000 requests at 5 % land 5 % +- 1 % on the standby colour, no errors (REL-4)", async () => {
    const preview = backends[2];
    const canary = await startEdge(
      { rateLimits: { default: { requestsPerSecond: 100000, burst: 100000 }, strict: { requestsPerSecond: 2, burst: 3 } } },
      { api: { upstream: `127.0.0.1:${preview.port}`, weight: 5 } },
    );
    const agent = new https.Agent({ keepAlive: true, maxSockets: 16, rejectUnauthorized: false });
    const counts: Record<string, number> = {};
    let errors = 0;
    const total = 10000;
    let next = 0;
    const worker = async () => {
      while (next < total) {
        next += 1;
        const reply = await request(canary.httpsPort, { path: "/api/tools", agent }).catch(() => undefined);
        if (reply?.status !== 200) errors += 1;
        else counts[JSON.parse(reply.body).service] = (counts[JSON.parse(reply.body).service] ?? 0) + 1;
      }
    };
    await Promise.all(Array.from({ length: 16 }, worker));
    agent.destroy();
    expect(errors).toBe(0);
    expect(counts.api + counts["api-preview"]).toBe(total);
    expect(Math.abs(counts["api-preview"] / total - 0.05)).toBeLessThanOrEqual(0.01);
    // The web route has no canary: all of it stays on web.
    expect(JSON.parse((await request(canary.httpsPort, { path: "/" })).body)).toMatchObject({ service: "web" });
  }, 60000);
});

/**
 * The first deploy with an ACME issuer (EDGE-3): the edge starts before any certificate exists,
 * answers Let's Encrypt's HTTP-01 request over plain HTTP through cert-manager's own solver code
 * (test/acmesolver: cert-manager's pkg/issuer/acme/http/solver at the chart's version, run with the
 * flags its solver pods get), redirects everything else, and serves the certificate once its files
 * appear, without a reload.
 */
const describeWithSolver = installed && hasBinary("go") ? describe : describe.skip;

/** Builds cert-manager's solver once per machine, into a cache outside the repository. */
function acmesolver(): string {
  const cache = path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), ".cache"), "mcp-platform", "acmesolver");
  const binary = path.join(cache, `acmesolver-${fs.readFileSync(path.join(PROJECT_DIR, "test", "acmesolver", "go.sum"), "utf8").length}`);
  if (!fs.existsSync(binary)) {
    fs.mkdirSync(cache, { recursive: true });
    const built = runTool("bash", ["-c", `cd "${path.join(PROJECT_DIR, "test", "acmesolver")}" && go build -mod=readonly -o "${binary}" .`], process.env, 300000);
    if (built.status !== 0) throw new Error(`go build of test/acmesolver failed: ${built.output}`);
  }
  return binary;
}

describeWithSolver("the first deploy: the ACME challenge before any certificate", () => {
  const token = "evaGxfADs6pSRb2LAv9IZf17Dt3juxGJ-PCt92wr-oA";
  const key = `${token}.9jg46WB3rR_AHD-EBXdN7cBkH1WOu0tA3M9fm21mqTI`;
  let edge: NginxLayout;
  let tlsDir: string;
  const servers: ReturnType<typeof startProcess>[] = [];

  beforeAll(async () => {
    const solverPort = await freePort();
    const binary = acmesolver();
    servers.push(startProcess(binary, [`--listen-port=${solverPort}`, "--domain=mcp.test", `--token=${token}`, `--key=${key}`]));
    await waitForPort(solverPort, 10000);
    const dir = tempDir("mcp-nginx-acme-");
    fs.chmodSync(dir, 0o777);
    tlsDir = tempDir("mcp-nginx-tls-");
    edge = {
      upstreams: { api: "127.0.0.1:1", web: "127.0.0.1:1" },
      httpPort: await freePort(),
      httpsPort: await freePort(),
      statusPort: await freePort(),
      tempDir: dir,
      // No certificate yet: the optional Secret volume is empty until cert-manager writes it.
      certificate: path.join(tlsDir, "tls.crt"),
      certificateKey: path.join(tlsDir, "tls.key"),
      acmeSolver: `127.0.0.1:${solverPort}`,
    };
    const file = path.join(dir, "nginx.conf");
    fs.writeFileSync(file, renderNginxConf(edgeOf(baseConfig({ tls: { acme: { email: "ops@mcp.test" } } })), edge));
    const nginx = startProcess("nginx", ["-p", dir, "-c", file, "-e", "stderr", "-g", "daemon off;"]);
    servers.push(nginx);
    await waitForPort(edge.httpPort).catch((e) => {
      throw new Error(`${e.message}\n${nginx.output()}`);
    });
  }, 360000);
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()));
  });

  it("starts with no TLS Secret present and answers the solver's token over plain HTTP", async () => {
    const challenge = await request(edge.httpPort, { path: `/.well-known/acme-challenge/${token}`, tls: false });
    expect(challenge.status).toBe(200);
    expect(challenge.body).toBe(key);
    // The solver's own checks still apply: another token is not found (cert-manager's handler).
    expect((await request(edge.httpPort, { path: "/.well-known/acme-challenge/another-token", tls: false })).status).toBe(404);
  });

  it("redirects every other plain-HTTP path with 308", async () => {
    for (const p of ["/", "/api/tools", "/.well-known/other"]) {
      const reply = await request(edge.httpPort, { path: p, tls: false });
      expect(reply.status).toBe(308);
      expect(reply.headers.location).toBe(`https://mcp.test${p}`);
    }
  });

  it("refuses TLS until the certificate exists, then serves it without a reload", async () => {
    await expect(request(edge.httpsPort, { path: "/healthz" })).rejects.toThrow();
    const made = certificate(tlsDir);
    expect(made.certificate).toBe(edge.certificate);
    fs.chmodSync(tlsDir, 0o755);
    const reply = await request(edge.httpsPort, { path: "/healthz" });
    expect(reply.status).toBe(200);
    expect(reply.body).toBe("ok\n");
  });
});
