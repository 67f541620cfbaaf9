/**
 * Progressive delivery's decision: the RAG runbook's rollback decision matrix as a table at its
 * boundaries (error rate 1 % and 0.5 %, p95 2x and 1.5x the baseline, 3 restarts in 5 minutes, the
 * minimum traffic), the phases of a release and the step each verdict leads to. The numbers in the
 * expectations are the runbook's (seeds/mcp-rag-demo-deployment-runbook.md, "Decision Matrix"), not
 * the program's constants.
 */
import { parsePlatformConfig, rawPlatformConfig, type DeliveryConfig, type PlatformConfig } from "../../config";
import { loadStackConfig } from "../../tools/stack-config";
import { decide, parseObservation, phaseOf, type ColorFigures, type Observation, type Phase } from "../../tools/release/analysis";
import { nextStep, recordSmoke } from "../../tools/release/advance";
import { Refusal, type Stack } from "../../tools/release/operations";
import { PROJECT_DIR } from "../harness";

/** The runbook's matrix: > 1 % rollback, 0.5-1 % monitor, > 2x baseline rollback, > 1.5x monitor, > 3 restarts in 5 min. */
const RUNBOOK = { errorRollback: 0.01, errorHold: 0.005, latencyRollback: 2, latencyHold: 1.5, restarts: 3, holdMinutes: 30, steps: [5, 25, 50] };

const productionValues = () => rawPlatformConfig(loadStackConfig(PROJECT_DIR, "production").config) as Record<string, unknown>;

function config(change: (values: Record<string, unknown>) => void = () => {}): PlatformConfig {
  const raw = productionValues();
  change(raw);
  const result = parsePlatformConfig(raw);
  if (!result.ok) throw new Error(result.errors.join("\n"));
  return result.config;
}
const DEFAULTS: DeliveryConfig = config().delivery;

const BASELINE = 0.5;
const side = (figures: Partial<ColorFigures> = {}): ColorFigures => ({ errorRate: 0.001, p95Seconds: BASELINE, restarts5m: 0, requests: 10_000, ...figures });
const observation = (candidate: Partial<ColorFigures>, baseline: number | null = BASELINE): Observation => ({ stable: side(), candidate: side(candidate), baselineP95Seconds: baseline });

describe("the decision matrix", () => {
  it("defaults to the runbook's thresholds", () => {
    expect(DEFAULTS.errorRate).toEqual({ hold: RUNBOOK.errorHold, rollback: RUNBOOK.errorRollback });
    expect(DEFAULTS.latencyVsBaseline).toEqual({ hold: RUNBOOK.latencyHold, rollback: RUNBOOK.latencyRollback });
    expect(DEFAULTS.restarts5m).toBe(RUNBOOK.restarts);
    expect(DEFAULTS.holdMinutes).toBe(RUNBOOK.holdMinutes);
    expect(DEFAULTS.steps).toEqual(RUNBOOK.steps);
  });

  // [case, candidate figures, baseline, verdict, the check that decides]
  const table: [string, Partial<ColorFigures>, number | null, string, string | undefined][] = [
    ["a healthy candidate", {}, BASELINE, "advance", undefined],
    ["error rate just above 1 %", { errorRate: 0.0101 }, BASELINE, "rollback", "errorRate"],
    ["error rate exactly 1 % (the matrix: > 1 %)", { errorRate: RUNBOOK.errorRollback }, BASELINE, "hold", "errorRate"],
    ["error rate 0.7 %", { errorRate: 0.007 }, BASELINE, "hold", "errorRate"],
    ["error rate exactly 0.5 % (the matrix: 0.5-1 % monitor)", { errorRate: RUNBOOK.errorHold }, BASELINE, "hold", "errorRate"],
    ["error rate just under 0.5 %", { errorRate: 0.0049 }, BASELINE, "advance", undefined],
    ["no errors at all", { errorRate: 0 }, BASELINE, "advance", undefined],
    ["p95 just above 2x the baseline", { p95Seconds: 1.001 }, BASELINE, "rollback", "latency"],
    ["p95 exactly 2x the baseline (the matrix: > 2x)", { p95Seconds: RUNBOOK.latencyRollback * BASELINE }, BASELINE, "hold", "latency"],
    ["p95 just above 1.5x the baseline", { p95Seconds: 0.751 }, BASELINE, "hold", "latency"],
    ["p95 exactly 1.5x the baseline (the matrix: > 1.5x)", { p95Seconds: RUNBOOK.latencyHold * BASELINE }, BASELINE, "advance", undefined],
    ["p95 faster than the baseline", { p95Seconds: 0.1 }, BASELINE, "advance", undefined],
    ["4 restarts in 5 minutes", { restarts5m: 4 }, BASELINE, "rollback", "restarts"],
    ["exactly 3 restarts in 5 minutes (the matrix: > 3)", { restarts5m: RUNBOOK.restarts }, BASELINE, "advance", undefined],
    ["too little traffic, however healthy", { requests: DEFAULTS.minRequests - 1, errorRate: 0 }, BASELINE, "hold", "traffic"],
    ["exactly the minimum traffic", { requests: DEFAULTS.minRequests }, BASELINE, "advance", undefined],
    ["too little traffic does not hide restarts", { requests: 3, restarts5m: 5 }, BASELINE, "rollback", "restarts"],
    ["no latency figure", { p95Seconds: null }, BASELINE, "hold", "latency"],
    ["no baseline", {}, null, "hold", "latency"],
    ["a rollback outweighs a hold", { errorRate: 0.02, p95Seconds: 0.8 }, BASELINE, "rollback", "errorRate"],
  ];
  it.each(table)("%s", (_name, candidate, baseline, verdict, check) => {
    const decision = decide(observation(candidate, baseline), DEFAULTS, "canary");
    expect(decision.verdict).toBe(verdict);
    if (check) expect(decision.reasons.filter((r) => r.verdict === verdict).map((r) => r.check)).toContain(check);
    else expect(decision.reasons.every((r) => r.verdict === "advance")).toBe(true);
  });

  it("names each figure and threshold in its reasons", () => {
    const { reasons } = decide(observation({ errorRate: 0.012, p95Seconds: 0.8, restarts5m: 4 }), DEFAULTS, "canary");
    expect(reasons.map((r) => r.message)).toEqual([
      "the candidate's containers restarted 4 times in 5 minutes, more than 3",
      "error rate 1.2 %, above 1 %: immediate rollback",
      "p95 800 ms, 1.6x the baseline 500 ms: above 1.5x, monitor",
    ]);
  });

  it("judges a promoted colour, which takes no traffic yet, on its restarts", () => {
    expect(decide(observation({ requests: 0, errorRate: null, p95Seconds: null }), DEFAULTS, "promoted").verdict).toBe("advance");
    expect(decide(observation({ requests: 0, errorRate: null, p95Seconds: null, restarts5m: 4 }), DEFAULTS, "promoted").verdict).toBe("rollback");
    expect(decide(observation({ requests: 0, errorRate: null, p95Seconds: null }), DEFAULTS, "canary").verdict).toBe("hold");
  });

  it("takes the stack's thresholds", () => {
    const strict = config((v) => (v.delivery = { errorRate: { hold: 0.001, rollback: 0.002 }, minRequests: 10 })).delivery;
    expect(decide(observation({ errorRate: 0.003, requests: 10 }), strict, "canary").verdict).toBe("rollback");
    expect(decide(observation({ errorRate: 0.003, requests: 10 }), DEFAULTS, "canary").verdict).toBe("hold");
  });

  it("refuses invalid thresholds and steps, naming the key", () => {
    const invalid = (delivery: unknown) => {
      const result = parsePlatformConfig({ ...productionValues(), delivery });
      return result.ok ? [] : result.errors;
    };
    expect(invalid({ steps: [25, 5] }).join("\n")).toMatch(/delivery\.steps: the weights must increase/);
    expect(invalid({ errorRate: { hold: 0.02, rollback: 0.01 } }).join("\n")).toMatch(/delivery\.errorRate\.rollback: rollback must be above hold/);
    expect(invalid({ latencyVsBaseline: { hold: 1 } }).join("\n")).toMatch(/delivery\.latencyVsBaseline\.hold/);
    expect(invalid({ step: [5] }).join("\n")).toMatch(/delivery\.step: unknown key; did you mean "steps"/);
  });
});

describe("an observation read back", () => {
  it("round-trips and names each wrong value", () => {
    const o = observation({ errorRate: 0.002 });
    expect(parseObservation(JSON.parse(JSON.stringify(o)))).toEqual(o);
    expect(() => parseObservation({ stable: side(), candidate: { ...side(), errorRate: "1%", extra: 1 }, baselineP95Seconds: -1 })).toThrow(
      /candidate\.extra: unknown key[\s\S]*candidate\.errorRate: expected a number from 0 to 1 or null, got "1%"[\s\S]*baselineP95Seconds: expected a number from 0 or null, got -1/,
    );
  });
});

describe("the step a verdict leads to", () => {
  const NOW = new Date("2026-12-03T08:00:00Z");
  const GREEN = { repository: "ghcr.io/example/mcp-server", tag: "1.4.2", digest: `sha256:${"5".repeat(64)}` };
  const GREEN_REF = `ghcr.io/example/mcp-server:1.4.2@sha256:${"5".repeat(64)}`;
  /** Production's api with a release on green, as the blueGreen settings given. */
  const stack = (bg: Record<string, unknown>): Stack => ({
    name: "production",
    config: config((v) => {
      const services = v.services as Record<string, { blueGreen: Record<string, unknown> }>;
      Object.assign(services.api.blueGreen, { green: { image: GREEN }, standbyScale: "full", ...bg });
    }),
  });
  const edits = (s: Stack, phase: Phase, verdict: "advance" | "hold" | "rollback", now = NOW) => {
    const next = nextStep(s, phase, verdict, s.config.delivery, now);
    return { next: next.next, edits: next.steps.flatMap((step) => step.edits).map((e) => `${e.path.slice(3).join(".")}=${JSON.stringify(e.value)}`) };
  };
  const smoked = { smokePassed: { image: GREEN_REF, at: "2026-12-03T07:00:00Z" } };

  it("steps the canary 5 -> 25 -> 50 -> cutover while the verdict is advance", () => {
    const promoted = stack(smoked);
    expect(edits(promoted, phaseOf(promoted, "api", NOW), "advance")).toEqual({ next: "canary 5 %", edits: ["blueGreen.canaryWeight=5"] });
    for (const [from, to] of [[5, 25], [25, 50]]) {
      const s = stack({ ...smoked, canaryWeight: from });
      expect(edits(s, phaseOf(s, "api", NOW), "advance")).toEqual({ next: `canary ${to} %`, edits: [`blueGreen.canaryWeight=${to}`] });
    }
    const last = stack({ ...smoked, canaryWeight: 50 });
    expect(edits(last, phaseOf(last, "api", NOW), "advance")).toEqual({
      next: "cutover to green",
      edits: ['blueGreen.activeColor="green"', "blueGreen.canaryWeight=undefined", `blueGreen.cutoverAt="${NOW.toISOString()}"`],
    });
  });

  it("refuses to move traffic without a passing smoke test of the standby's image", () => {
    for (const bg of [{}, { canaryWeight: 50 }, { canaryWeight: 5, smokePassed: { image: "ghcr.io/example/mcp-server:1.4.1", at: "2026-12-01T00:00:00Z" } }]) {
      const s = stack(bg);
      expect(() => nextStep(s, phaseOf(s, "api", NOW), "advance", s.config.delivery, NOW)).toThrow(Refusal);
    }
    const s = stack({ canaryWeight: 50 });
    expect(() => nextStep(s, phaseOf(s, "api", NOW), "advance", s.config.delivery, NOW)).toThrow(/no passing smoke test: test it on api-preview and record the result \(npm run smoke -- .*--record\)/);
  });

  it("holds: no change", () => {
    const s = stack({ ...smoked, canaryWeight: 25 });
    expect(edits(s, phaseOf(s, "api", NOW), "hold")).toEqual({ next: "hold: no change", edits: [] });
  });

  it("rolls back: aborts a canary and scales its colour down, or switches back after a cutover", () => {
    const s = stack({ ...smoked, canaryWeight: 25 });
    expect(edits(s, phaseOf(s, "api", NOW), "rollback")).toEqual({
      next: "abort: green out of traffic and scaled down",
      edits: ["blueGreen.canaryWeight=undefined", 'blueGreen.standbyScale="idle"', "blueGreen.smokePassed=undefined"],
    });
    const cut = stack({ activeColor: "green", cutoverAt: "2026-12-03T07:50:00Z" });
    expect(edits(cut, phaseOf(cut, "api", NOW), "rollback")).toEqual({ next: "rollback to blue", edits: ['blueGreen.activeColor="blue"', "blueGreen.cutoverAt=undefined"] });
  });

  it("retires the old colour only after the hold time and blueGreen.rollbackHoldHours", () => {
    const cutoverAt = new Date(NOW.getTime() - (RUNBOOK.holdMinutes - 1) * 60_000).toISOString();
    const early = stack({ activeColor: "green", cutoverAt, rollbackHoldHours: 0 });
    expect(edits(early, phaseOf(early, "api", NOW), "advance").next).toMatch(/^wait: blue is kept for rollback until .* \(delivery\.holdMinutes: 30\); then retire it$/);
    const later = new Date(NOW.getTime() + 60_000);
    expect(edits(early, phaseOf(early, "api", later), "advance", later)).toEqual({ next: "retire blue", edits: ['blueGreen.standbyScale="idle"', "blueGreen.cutoverAt=undefined"] });
    const day = stack({ activeColor: "green", cutoverAt });
    expect(edits(day, phaseOf(day, "api", later), "advance", later).next).toMatch(/\(blueGreen\.rollbackHoldHours: 24\)/);
  });

  it("has no phase without a release in progress", () => {
    expect(() => phaseOf({ name: "production", config: config() }, "api", NOW)).toThrow(/api in production has no release in progress \(green is idle, no canary, no cutover\): promote one first/);
    expect(() => phaseOf({ name: "production", config: config() }, "worker", NOW)).toThrow(/service "worker" of stack "production" is not blue-green/);
  });

  it("records a smoke test of the standby's image, and forgets it when one fails", () => {
    const s = stack({});
    expect(recordSmoke(s, "api", true, NOW).edits.at(-1)).toEqual({ path: ["config", "mcp-platform:services", "api", "blueGreen", "smokePassed"], value: { image: GREEN_REF, at: NOW.toISOString() } });
    expect(recordSmoke(stack(smoked), "api", false, NOW).edits).toEqual([{ path: ["config", "mcp-platform:services", "api", "blueGreen", "smokePassed"], value: undefined }]);
    expect(() => recordSmoke(s, "worker", true, NOW)).toThrow(/--record needs a blue-green service/);
  });
});
