/**
 * The release tools as operators run them, as separate processes: `smoke` against two small local
 * HTTP servers (one healthy, one failing each check), and a release command's exit codes, and
 * stack files they must not edit.
 */
import * as fs from "fs";
import * as http from "http";
import * as os from "os";
import * as path from "path";
import { PROJECT_DIR, projectCopy, runScript } from "../harness";
import { freePort } from "./real-tools";

type Routes = Record<string, { status: number; body: string; delayMs?: number }>;

function server(routes: Routes): Promise<{ server: http.Server; url: string }> {
  const s = http.createServer((req, res) => {
    const route = routes[req.url ?? ""] ?? { status: 404, body: "not found" };
    setTimeout(() => {
      res.statusCode = route.status;
      res.end(route.body);
    }, route.delayMs ?? 0);
  });
  return new Promise((resolve) => s.listen(0, "127.0.0.1", () => resolve({ server: s, url: `http://127.0.0.1:${(s.address() as { port: number }).port}` })));
}

describe("npm run smoke", () => {
  let healthy: { server: http.Server; url: string };
  let failing: { server: http.Server; url: string };
  beforeAll(async () => {
    healthy = await server({
      "/health": { status: 200, body: "ok" },
      "/health/ready": { status: 200, body: '{"status":"ready"}' },
      "/version": { status: 200, body: '{"version":"1.4.2","commit":"abc1234"}' },
      "/health/detailed": { status: 200, body: "{}" },
      "/mcp/tools": { status: 200, body: "[]" },
    });
    failing = await server({
      "/health": { status: 500, body: "boom" },
      "/health/ready": { status: 503, body: "postgres unreachable" },
      "/version": { status: 200, body: '{"version":"1.4.1"}' },
      "/health/detailed": { status: 200, body: "{}", delayMs: 3000 },
    });
  });
  afterAll(() => {
    healthy.server.close();
    failing.server.close();
  });

  it("passes a healthy service with the expected version and key endpoints", async () => {
    const config = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "mcp-smoke-")), "Pulumi.smoke.yaml");
    fs.writeFileSync(
      config,
      fs
        .readFileSync(path.join(PROJECT_DIR, "Pulumi.staging.yaml"), "utf8")
        .replace("      migrations:\n        command: [\"alembic\"", '      smoke:\n        paths: [/health/detailed, /mcp/tools]\n      migrations:\n        command: ["alembic"'),
    );
    const run = await runScript("tools/smoke.ts", "--url", healthy.url, "--expect-version", "1.4.2", "--stack", "staging", "--service", "api", "--config-file", config);
    expect(run.stderr).toBe("");
    expect(run.stdout).toMatch(/ok {4}liveness {2}GET \/health: 200 in \d+ ms/);
    expect(run.stdout).toMatch(/ok {4}endpoint {2}GET \/mcp\/tools: 200/);
    expect(run.stdout).toContain("all 5 checks passed");
    expect(run.code).toBe(0);
  }, 30000);

  it("fails a service failing each check, naming what failed", async () => {
    const run = await runScript("tools/smoke.ts", "--url", failing.url, "--expect-version", "1.4.2", "--timeout-ms", "1000");
    expect(run.stdout).toMatch(/FAIL {2}liveness {2}GET \/health: 500 \(expected 200\) boom/);
    expect(run.stdout).toMatch(/FAIL {2}readiness GET \/health\/ready: 503 \(expected 200\) postgres unreachable/);
    expect(run.stdout).toMatch(/FAIL {2}version {3}GET \/version: version "1\.4\.1", expected "1\.4\.2"/);
    expect(run.stdout).toContain("3 of 3 checks failed");
    expect(run.code).toBe(1);
  }, 30000);

  it("fails on a timeout and on nothing listening", async () => {
    const config = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "mcp-smoke-")), "Pulumi.smoke.yaml");
    fs.writeFileSync(
      config,
      fs.readFileSync(path.join(PROJECT_DIR, "Pulumi.staging.yaml"), "utf8").replace("      migrations:\n        command: [\"alembic\"", '      smoke:\n        paths: [/health/detailed]\n      migrations:\n        command: ["alembic"'),
    );
    const slow = await runScript("tools/smoke.ts", "--url", failing.url, "--stack", "staging", "--service", "api", "--config-file", config, "--timeout-ms", "500");
    expect(slow.stdout).toMatch(/FAIL {2}endpoint {2}GET \/health\/detailed: no answer within 500 ms/);
    expect(slow.code).toBe(1);
    const closed = await runScript("tools/smoke.ts", "--url", `http://127.0.0.1:${await freePort()}`);
    expect(closed.stdout).toMatch(/FAIL {2}liveness {2}GET \/health: .*ECONNREFUSED/);
    expect(closed.code).toBe(1);
  }, 30000);

  it("exits 2 on bad input", async () => {
    const run = await runScript("tools/smoke.ts", "--url", "localhost:8000");
    expect(run.stderr).toMatch(/error: --url must be http:\/\/ or https:\/\/, got localhost:/);
    expect(run.code).toBe(2);
    const many = await runScript("tools/smoke.ts", "--url", "http://127.0.0.1:8000", "--stack", "production", "--service", "worker");
    expect(many.stderr).toContain('error: service "worker" has no HTTP port to smoke-test');
    expect(many.code).toBe(2);
  }, 30000);
});

describe("a release command as a process", () => {
  it("prints the diff and exits 0, or refuses with exit 2 and writes nothing", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mcp-release-cli-"));
    for (const file of ["Pulumi.yaml", "Pulumi.staging.yaml", "Pulumi.production.yaml"]) fs.copyFileSync(path.join(PROJECT_DIR, file), path.join(dir, file));
    const before = fs.readFileSync(path.join(dir, "Pulumi.production.yaml"), "utf8");
    const refused = await runScript("tools/release.ts", "cutover", "--stack", "production", "--dir", dir);
    expect(refused.stderr).toMatch(/^error: api's standby colour \(green\) runs 0 pods/);
    expect(refused.code).toBe(2);
    expect(fs.readFileSync(path.join(dir, "Pulumi.production.yaml"), "utf8")).toBe(before);

    // What `pulumi stack output --stack staging --json` prints.
    const state = path.join(dir, "staging-outputs.json");
    const image = "ghcr.io/example/mcp-server:1.4.2@sha256:5d41402abc4b2a76b9719d911017c592ae2f9b7c6a1e0d3f4b5c6d7e8f90a1b2";
    fs.writeFileSync(state, JSON.stringify({ environment: "staging", services: { api: { activeColor: "blue", images: { blue: image, green: "x" } }, worker: { activeColor: null, images: { default: image } } } }));
    const dryRun = await runScript("tools/release.ts", "promote", "--from", "staging", "--to", "production", "--source-state", state, "--dir", dir, "--dry-run");
    expect(dryRun.stdout).toContain("-            tag: 1.4.0\n");
    expect(dryRun.stdout).toContain("+            tag: 1.4.2\n");
    expect(dryRun.stdout).toContain("(dry run: nothing written)");
    expect(dryRun.code).toBe(0);
    expect(fs.readFileSync(path.join(dir, "Pulumi.production.yaml"), "utf8")).toBe(before);

    const promoted = await runScript("tools/release.ts", "promote", "--from", "staging", "--to", "production", "--source-state", state, "--dir", dir);
    expect(promoted.code).toBe(0);
    expect(fs.readFileSync(path.join(dir, "Pulumi.production.yaml"), "utf8")).toContain("tag: 1.4.2");
  }, 30000);
});

describe("stack files the commands must not edit, as processes", () => {
  it("a climbing --stack, a read-only file (the tests run as root too) and smoke --record on one: exit 2, one line, nothing printed or written", async () => {
    const dir = projectCopy();
    const file = path.join(dir, "Pulumi.production.yaml");
    const outside = path.join(dir, "..", `${path.basename(dir)}-evil.yaml`);
    fs.copyFileSync(file, outside);
    fs.chmodSync(file, 0o444);
    const before = [file, outside].map((f) => fs.readFileSync(f, "latin1"));

    const climbing = await runScript("tools/release.ts", "rollback", "--stack", `x/../../${path.basename(dir)}-evil`, "--dir", dir);
    expect(climbing.stderr).toBe(`error: no stack "x/../../${path.basename(dir)}-evil": this project has production, staging (Pulumi.<stack>.yaml)\n`);
    const readOnly = await runScript("tools/release.ts", "retire", "--stack", "production", "--dir", dir);
    expect(readOnly.stderr).toBe(`error: ${file}: read-only (mode 444): nothing written; make it writable (chmod u+w ${file}) and run again\n`);
    // smoke --record refuses before it tests (nothing listens on the URL: it would fail every check).
    const smoke = await runScript("tools/smoke.ts", "--url", `http://127.0.0.1:${await freePort()}`, "--expect-version", "1.4.2", "--stack", "production", "--service", "api", "--config-file", file, "--record");
    expect(smoke.stderr).toBe(`error: ${file}: read-only (mode 444): nothing written; make it writable (chmod u+w ${file}) and run again\n`);
    for (const run of [climbing, readOnly, smoke]) expect({ code: run.code, stdout: run.stdout }).toEqual({ code: 2, stdout: "" });
    expect([file, outside].map((f) => fs.readFileSync(f, "latin1"))).toEqual(before);
  }, 60000);
});
