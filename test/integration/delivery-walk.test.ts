/**
 * A whole release driven by `npm run advance` as separate processes on a copy of the project:
 * promote, a refused advance without a smoke test, `npm run smoke -- --record` against a local HTTP
 * server, then 5 -> 25 -> 50 -> cutover, a wait through the hold time and the retirement; and a
 * canary aborted on a bad observation. Each edit is compared byte for byte with the file the release
 * command of that step writes on a twin copy. Observations are replayed (--observed); the real
 * Prometheus test (delivery-prometheus.test.ts) shows where live ones come from.
 */
import * as fs from "fs";
import * as http from "http";
import * as path from "path";
import { parse } from "yaml";
import { projectCopy, runScript } from "../harness";
import { tempDir } from "./real-tools";

const STATE = {
  environment: "staging",
  services: {
    api: { activeColor: "blue", images: { blue: "ghcr.io/example/mcp-server:1.4.2@sha256:5d41402abc4b2a76b9719d911017c592ae2f9b7c6a1e0d3f4b5c6d7e8f90a1b2", green: "x" } },
    worker: { activeColor: null, images: { default: "ghcr.io/example/mcp-server:1.4.2@sha256:5d41402abc4b2a76b9719d911017c592ae2f9b7c6a1e0d3f4b5c6d7e8f90a1b2" } },
  },
};
const figures = (errorRate: number, p95Seconds: number, requests = 5000) => ({ errorRate, p95Seconds, restarts5m: 0, requests });
/** Under every line of the runbook's matrix: 0.1 % errors (< 0.5 %), p95 1.05x its baseline (< 1.5x). */
const HEALTHY = { stable: figures(0.001, 0.2, 50_000), candidate: figures(0.001, 0.21), baselineP95Seconds: 0.2 };
/** 0.7 % errors: the matrix's 0.5-1 % band. */
const WATCH = { ...HEALTHY, candidate: figures(0.007, 0.21) };
/** 2 % errors: above 1 %, immediate rollback. */
const FAILING = { ...HEALTHY, candidate: figures(0.02, 0.21) };

let work: string;
let healthy: http.Server;
let smokeUrl: string;
const observed: Record<string, string> = {};
const timings: string[] = [];

beforeAll(async () => {
  work = tempDir("mcp-walk-");
  fs.writeFileSync(path.join(work, "staging.json"), JSON.stringify(STATE));
  for (const [name, o] of Object.entries({ HEALTHY, WATCH, FAILING })) fs.writeFileSync((observed[name] = path.join(work, `${name}.json`)), JSON.stringify(o));
  const routes: Record<string, string> = { "/health": "ok", "/health/ready": '{"status":"ready"}', "/version": '{"version":"1.4.2"}' };
  healthy = http.createServer((req, res) => {
    res.statusCode = routes[req.url ?? ""] ? 200 : 404;
    res.end(routes[req.url ?? ""] ?? "not found");
  });
  await new Promise<void>((resolve) => healthy.listen(0, "127.0.0.1", resolve));
  smokeUrl = `http://127.0.0.1:${(healthy.address() as { port: number }).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => healthy.close(resolve));
  process.stderr.write(`the walk, one process per step:\n  ${timings.join("\n  ")}\n`);
});

const fileOf = (dir: string) => path.join(dir, "Pulumi.production.yaml");
const read = (dir: string) => fs.readFileSync(fileOf(dir), "utf8");
const blueGreen = (dir: string) => (parse(read(dir)).config["mcp-platform:services"].api.blueGreen as Record<string, unknown>);

async function run(label: string, script: string, ...args: string[]) {
  const started = Date.now();
  const result = await runScript(script, ...args);
  timings.push(`${label}: exit ${result.code}, ${Date.now() - started} ms`);
  return result;
}
const advance = (dir: string, o: string, ...rest: string[]) => run(`advance ${path.basename(o, ".json")} ${rest.join(" ")}`.trim(), "tools/delivery.ts", "advance", "--stack", "production", "--service", "api", "--observed", o, "--dir", dir, ...rest);
const release = (dir: string, command: string, ...args: string[]) => runScript("tools/release.ts", command, "--stack", "production", ...args, "--dir", dir);

/** A twin of `dir` as it is now: the release command runs on it, and advance's file must equal its result. */
function twinOf(dir: string): string {
  const twin = projectCopy("mcp-walk-twin-");
  fs.copyFileSync(fileOf(dir), fileOf(twin));
  return twin;
}

async function promoteAndSmoke(dir: string) {
  const promoted = await run("promote", "tools/release.ts", "promote", "--from", "staging", "--to", "production", "--source-state", path.join(work, "staging.json"), "--dir", dir);
  expect(promoted.code).toBe(0);
  const smoke = await run("smoke --record", "tools/smoke.ts", "--url", smokeUrl, "--expect-version", "1.4.2", "--stack", "production", "--service", "api", "--config-file", fileOf(dir), "--record", "--now", "2026-12-03T08:00:00Z");
  expect(smoke.stdout).toContain("all 3 checks passed");
  expect(smoke.stdout).toContain("+        smokePassed:\n");
  expect(smoke.code).toBe(0);
  expect(blueGreen(dir).smokePassed).toEqual({ image: STATE.services.api.images.blue, at: "2026-12-03T08:00:00.000Z" });
}

describe("npm run advance through a whole release", () => {
  it("5 -> 25 -> 50 -> cutover -> (hold) -> retire, each edit the release command's", async () => {
    const dir = projectCopy("mcp-walk-");
    const promoted = await run("promote", "tools/release.ts", "promote", "--from", "staging", "--to", "production", "--source-state", path.join(work, "staging.json"), "--dir", dir);
    expect(promoted.code).toBe(0);

    // No traffic to a colour without a passing smoke test: refused, nothing written.
    const before = read(dir);
    const refused = await advance(dir, observed.HEALTHY);
    expect(refused.stderr).toMatch(/^error: api's standby colour \(green, ghcr\.io\/example\/mcp-server:1\.4\.2@sha256:5d41.*\) has no passing smoke test: .*--record/);
    expect(refused.code).toBe(2);
    expect(read(dir)).toBe(before);
    const failedSmoke = await run("smoke --record (failing)", "tools/smoke.ts", "--url", smokeUrl, "--expect-version", "1.4.3", "--stack", "production", "--service", "api", "--config-file", fileOf(dir), "--record");
    expect(failedSmoke.code).toBe(1);
    expect(read(dir)).toBe(before);
    const unversioned = await runScript("tools/smoke.ts", "--url", smokeUrl, "--stack", "production", "--service", "api", "--config-file", fileOf(dir), "--record");
    expect(unversioned.stderr).toBe("error: --record needs --expect-version: the recorded pass must show which release <service>-preview served\n");
    expect(unversioned.code).toBe(2);

    const smoke = await run("smoke --record", "tools/smoke.ts", "--url", smokeUrl, "--expect-version", "1.4.2", "--stack", "production", "--service", "api", "--config-file", fileOf(dir), "--record", "--now", "2026-12-03T08:00:00Z");
    expect(smoke.code).toBe(0);
    expect(blueGreen(dir).smokePassed).toEqual({ image: STATE.services.api.images.blue, at: "2026-12-03T08:00:00.000Z" });

    const steps: [string, string[], string][] = [
      ["canary", ["--service", "api", "--weight", "5"], "next: canary 5 %"],
      ["canary", ["--service", "api", "--weight", "25"], "next: canary 25 %"],
      ["canary", ["--service", "api", "--weight", "50"], "next: canary 50 %"],
      ["cutover", ["--service", "api", "--now", "2026-12-03T09:00:00Z"], "next: cutover to green"],
    ];
    for (const [command, args, next] of steps) {
      const twin = twinOf(dir);
      const step = await advance(dir, observed.HEALTHY, "--now", "2026-12-03T09:00:00Z");
      expect(step.stdout).toContain(`${next}\n`);
      expect(step.code).toBe(0);
      expect((await release(twin, command, ...args)).code).toBe(0);
      expect(read(dir)).toBe(read(twin));
    }
    expect(blueGreen(dir)).toMatchObject({ activeColor: "green", standbyScale: "full", cutoverAt: "2026-12-03T09:00:00.000Z" });

    // A hold changes nothing; so does an advance within the hold time (30 min, then 24 h of blueGreen.rollbackHoldHours).
    const held = read(dir);
    const watch = await advance(dir, observed.WATCH, "--now", "2026-12-03T09:10:00Z");
    expect(watch.stdout).toMatch(/after the cutover to green \(10 min ago\): hold\n {2}advance {3}restarts .*\n {2}hold {6}errorRate {2}error rate 0\.7 %, from 0\.5 % to 1 %: monitor closely, prepare a rollback\n/);
    expect(watch.code).toBe(3);
    const early = await advance(dir, observed.HEALTHY, "--now", "2026-12-03T09:40:00Z");
    expect(early.stdout).toContain("next: wait: blue is kept for rollback until 2026-12-04T09:00:00.000Z (blueGreen.rollbackHoldHours: 24); then retire it\n");
    expect(early.code).toBe(0);
    expect(read(dir)).toBe(held);

    const twin = twinOf(dir);
    const retired = await advance(dir, observed.HEALTHY, "--now", "2026-12-04T09:00:00Z");
    expect(retired.stdout).toContain("next: retire blue\n");
    expect(retired.code).toBe(0);
    expect((await release(twin, "retire", "--service", "api", "--now", "2026-12-04T09:00:00Z")).code).toBe(0);
    expect(read(dir)).toBe(read(twin));
    expect(blueGreen(dir)).toMatchObject({ activeColor: "green", standbyScale: "idle" });
    expect(blueGreen(dir).cutoverAt).toBeUndefined();

    // Nothing is in progress any more.
    const done = await advance(dir, observed.HEALTHY);
    expect(done.stderr).toMatch(/^error: api in production has no release in progress/);
    expect(done.code).toBe(2);
  }, 180000);

  it("aborts a canary on a failing observation: traffic back, the colour scaled down, its smoke test forgotten", async () => {
    const dir = projectCopy("mcp-walk-abort-");
    await promoteAndSmoke(dir);
    for (const weight of ["5", "25"]) expect((await advance(dir, observed.HEALTHY)).stdout).toContain(`next: canary ${weight} %\n`);
    const twin = twinOf(dir);
    const aborted = await advance(dir, observed.FAILING);
    expect(aborted.stdout).toMatch(/^production api: canary 25 % on green: rollback\n/);
    expect(aborted.stdout).toContain("  rollback  errorRate  error rate 2 %, above 1 %: immediate rollback\n");
    expect(aborted.stdout).toContain("next: abort: green out of traffic and scaled down\n");
    expect(aborted.code).toBe(4);
    // What canary --weight 0 then retire write, and the smoke record removed.
    expect((await release(twin, "canary", "--service", "api", "--weight", "0")).code).toBe(0);
    expect((await release(twin, "retire", "--service", "api")).code).toBe(0);
    expect(read(dir)).toBe(read(twin).replace(/ {8}smokePassed:\n {10}image: .*\n {10}at: .*\n/, ""));
    expect(blueGreen(dir)).toMatchObject({ activeColor: "blue", standbyScale: "idle" });
    expect(blueGreen(dir).canaryWeight).toBeUndefined();
    expect(blueGreen(dir).smokePassed).toBeUndefined();

    // The rejected release takes no traffic again until it is promoted anew.
    const again = await advance(dir, observed.HEALTHY);
    expect(again.stderr).toMatch(/no release in progress/);
    expect(again.code).toBe(2);
  }, 180000);

  it("replays a saved verdict and names what is wrong with a bad one", async () => {
    const dir = projectCopy("mcp-walk-replay-");
    await promoteAndSmoke(dir);
    const analysis = await run("analyze --format json", "tools/delivery.ts", "analyze", "--stack", "production", "--observed", observed.HEALTHY, "--format", "json", "--dir", dir);
    expect(analysis.code).toBe(0);
    const saved = path.join(work, "verdict.json");
    fs.writeFileSync(saved, analysis.stdout);
    expect(JSON.parse(analysis.stdout)).toMatchObject({ verdict: "advance", step: "promoted to green, no traffic yet", next: "canary 5 %", observed: HEALTHY });
    const replay = await run("analyze --observed verdict.json", "tools/delivery.ts", "analyze", "--stack", "production", "--observed", saved, "--format", "json", "--dir", dir);
    expect(JSON.parse(replay.stdout).observed).toEqual(HEALTHY);
    const bad = path.join(work, "bad.json");
    fs.writeFileSync(bad, JSON.stringify({ ...HEALTHY, candidate: { ...HEALTHY.candidate, errorRate: 1.5 } }));
    const refused = await run("analyze bad observation", "tools/delivery.ts", "analyze", "--stack", "production", "--observed", bad, "--dir", dir);
    expect(refused.stderr).toMatch(/^error: --observed .*bad\.json: not an observation .*\n {2}candidate\.errorRate: expected a number from 0 to 1 or null, got 1\.5\n$/);
    expect(refused.code).toBe(2);
    const both = await run("analyze, both sources", "tools/delivery.ts", "analyze", "--stack", "production", "--observed", bad, "--prometheus", "http://127.0.0.1:9", "--dir", dir);
    expect(both.stderr).toMatch(/^error: give exactly one of --prometheus URL \(live metrics\) and --observed FILE/);
    expect(both.code).toBe(2);
  }, 120000);
});
