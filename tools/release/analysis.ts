/**
 * Progressive delivery's decision (REL-3, REL-4, MON-3, MON-4, MON-9), as pure functions: where a
 * blue-green service is in its release (phaseOf), and what the runbook's rollback decision matrix
 * says about the candidate colour's figures (decide). tools/release/prometheus.ts gathers the
 * figures; tools/release/advance.ts turns a verdict into the next release step.
 */
import type { Color, DeliveryConfig, PlatformConfig } from "../../config";
import { otherColor, Refusal, type Stack } from "./operations";

export type Verdict = "advance" | "hold" | "rollback";

/** What a verdict exits with: 0 advance, 3 hold, 4 rollback (2 is bad input). */
export const VERDICT_EXIT: Record<Verdict, number> = { advance: 0, hold: 3, rollback: 4 };

/** One colour's figures over the analysis window. null: Prometheus had no figure. */
export interface ColorFigures {
  /** Share of 5xx responses (a fraction). */
  errorRate: number | null;
  p95Seconds: number | null;
  /** Container restarts in 5 minutes (after a cutover: the most in any 5 minutes since). */
  restarts5m: number;
  /** Requests served in the window. */
  requests: number;
}

/** What the verdict is decided on: `--observed FILE` replays one. */
export interface Observation {
  /** The colour serving the rest of the traffic (after a cutover: the old colour). */
  stable: ColorFigures;
  /** The canary, or the newly cut-over colour. */
  candidate: ColorFigures;
  baselineP95Seconds: number | null;
}

export type Phase =
  | { kind: "promoted"; service: string; candidate: Color; stable: Color }
  | { kind: "canary"; service: string; candidate: Color; stable: Color; weight: number }
  | { kind: "cutover"; service: string; candidate: Color; stable: Color; cutoverAt: Date; minutesSince: number };

export interface Reason {
  verdict: Verdict;
  /** The figure judged: errorRate, latency, restarts, traffic. */
  check: "errorRate" | "latency" | "restarts" | "traffic";
  message: string;
}

export interface Decision {
  verdict: Verdict;
  reasons: Reason[];
}

/** A fraction as the reports print it: 0.012 -> "1.2 %". */
export const percent = (fraction: number) => `${Number((fraction * 100).toFixed(3))} %`;
/** Seconds as the reports print them: 0.195 -> "195 ms". */
export const milliseconds = (seconds: number) => `${Number((seconds * 1000).toFixed(1))} ms`;

/** Where a blue-green service is in a release; a Refusal when no release is in progress. */
export function phaseOf(stack: Stack, service: string, now: Date): Phase {
  const svc = stack.config.services[service];
  if (!svc) throw new Refusal(`stack "${stack.name}" has no service "${service}" (services: ${Object.keys(stack.config.services).join(", ")})`);
  const bg = svc.blueGreen;
  if (!bg) throw new Refusal(`service "${service}" of stack "${stack.name}" is not blue-green: add services.${service}.blueGreen to release it by colour`);
  const standby = otherColor(bg.activeColor);
  if (bg.cutoverAt) {
    const cutoverAt = new Date(bg.cutoverAt);
    return { kind: "cutover", service, candidate: bg.activeColor, stable: standby, cutoverAt, minutesSince: (now.getTime() - cutoverAt.getTime()) / 60_000 };
  }
  if (bg.canaryWeight > 0) return { kind: "canary", service, candidate: standby, stable: bg.activeColor, weight: bg.canaryWeight };
  if (bg.standbyScale === "full") return { kind: "promoted", service, candidate: standby, stable: bg.activeColor };
  throw new Refusal(`${service} in ${stack.name} has no release in progress (${standby} is idle, no canary, no cutover): promote one first (npm run promote -- --help)`);
}

/** The one blue-green service of a stack, when --service is left out. */
export function onlyBlueGreenService(config: PlatformConfig, stack: string): string {
  const names = Object.entries(config.services).filter(([, svc]) => svc.blueGreen).map(([name]) => name);
  if (names.length === 1) return names[0];
  throw new Refusal(
    names.length === 0 ? `stack "${stack}" has no blue-green service (services.<name>.blueGreen)` : `stack "${stack}" has ${names.length} blue-green services (${names.join(", ")}): name one with --service`,
  );
}

/** A short name of the phase, for reports: "canary 25 %", "after the cutover to green (12 min)". */
export function describePhase(phase: Phase): string {
  if (phase.kind === "promoted") return `promoted to ${phase.candidate}, no traffic yet`;
  if (phase.kind === "canary") return `canary ${phase.weight} % on ${phase.candidate}`;
  return `after the cutover to ${phase.candidate} (${Math.max(0, Math.floor(phase.minutesSince))} min ago)`;
}

/**
 * The rollback decision matrix of the RAG runbook on the candidate colour: error rate above
 * `errorRate.rollback` (1 %) rolls back, from `errorRate.hold` (0.5 %) up to it holds; p95 above
 * `latencyVsBaseline.rollback` (2x) the baseline rolls back, above `.hold` (1.5x) holds; more than
 * `restarts5m` (3) restarts in 5 minutes rolls back. Fewer requests than `minRequests`, or a figure
 * missing, holds: never an advance on too little to judge. Before the first canary step the
 * candidate takes no traffic by design, so only its restarts are judged (and its error rate and
 * latency when it served enough, e.g. smoke tests). Pure.
 */
export function decide(observed: Observation, delivery: DeliveryConfig, phase: Phase["kind"]): Decision {
  const reasons: Reason[] = [];
  const c = observed.candidate;
  const add = (verdict: Verdict, check: Reason["check"], message: string) => reasons.push({ verdict, check, message });

  if (c.restarts5m > delivery.restarts5m) add("rollback", "restarts", `the candidate's containers restarted ${c.restarts5m} times in 5 minutes, more than ${delivery.restarts5m}`);
  else add("advance", "restarts", `${c.restarts5m} restarts in 5 minutes (at most ${delivery.restarts5m})`);

  const enough = c.requests >= delivery.minRequests;
  if (!enough && phase === "promoted") {
    add("advance", "traffic", `${Math.round(c.requests)} requests: the candidate takes no traffic before the first canary step, so it is judged on its smoke test and restarts`);
  } else if (!enough) {
    add("hold", "traffic", `only ${Math.round(c.requests)} requests on the candidate in the window, fewer than ${delivery.minRequests} (delivery.minRequests): too few to judge`);
  }
  if (enough) {
    if (c.errorRate === null) add("hold", "errorRate", "no error-rate figure for the candidate");
    else if (c.errorRate > delivery.errorRate.rollback) add("rollback", "errorRate", `error rate ${percent(c.errorRate)}, above ${percent(delivery.errorRate.rollback)}: immediate rollback`);
    else if (c.errorRate >= delivery.errorRate.hold)
      add("hold", "errorRate", `error rate ${percent(c.errorRate)}, from ${percent(delivery.errorRate.hold)} to ${percent(delivery.errorRate.rollback)}: monitor closely, prepare a rollback`);
    else add("advance", "errorRate", `error rate ${percent(c.errorRate)}, below ${percent(delivery.errorRate.hold)}`);

    const baseline = observed.baselineP95Seconds;
    if (c.p95Seconds === null) add("hold", "latency", "no p95 figure for the candidate");
    else if (baseline === null || baseline <= 0) add("hold", "latency", `p95 ${milliseconds(c.p95Seconds)}, but no baseline p95 to compare it with`);
    else {
      const ratio = `${Number((c.p95Seconds / baseline).toFixed(2))}x the baseline ${milliseconds(baseline)}`;
      if (c.p95Seconds > delivery.latencyVsBaseline.rollback * baseline) add("rollback", "latency", `p95 ${milliseconds(c.p95Seconds)}, ${ratio}: above ${delivery.latencyVsBaseline.rollback}x`);
      else if (c.p95Seconds > delivery.latencyVsBaseline.hold * baseline) add("hold", "latency", `p95 ${milliseconds(c.p95Seconds)}, ${ratio}: above ${delivery.latencyVsBaseline.hold}x, monitor`);
      else add("advance", "latency", `p95 ${milliseconds(c.p95Seconds)}, ${ratio} (at most ${delivery.latencyVsBaseline.hold}x)`);
    }
  }
  const verdict: Verdict = reasons.some((r) => r.verdict === "rollback") ? "rollback" : reasons.some((r) => r.verdict === "hold") ? "hold" : "advance";
  return { verdict, reasons };
}

/** Reads an observation as `--observed FILE` gives it; every problem named with its path. */
export function parseObservation(value: unknown): Observation {
  const problems: string[] = [];
  const obj = (v: unknown, at: string): Record<string, unknown> => {
    if (v && typeof v === "object" && !Array.isArray(v)) return v as Record<string, unknown>;
    problems.push(`${at}: expected an object`);
    return {};
  };
  const number = (v: unknown, at: string, nullable: boolean, max = Infinity): number | null => {
    if (v === null && nullable) return null;
    if (typeof v === "number" && Number.isFinite(v) && v >= 0 && v <= max) return v;
    problems.push(`${at}: expected a number from 0${max === Infinity ? "" : ` to ${max}`}${nullable ? " or null" : ""}, got ${JSON.stringify(v)}`);
    return 0;
  };
  const root = obj(value, "observation");
  const side = (name: "stable" | "candidate"): ColorFigures => {
    const s = obj(root[name], name);
    for (const key of Object.keys(s)) if (!["errorRate", "p95Seconds", "restarts5m", "requests"].includes(key)) problems.push(`${name}.${key}: unknown key (known: errorRate, p95Seconds, restarts5m, requests)`);
    return {
      errorRate: number(s.errorRate, `${name}.errorRate`, true, 1),
      p95Seconds: number(s.p95Seconds, `${name}.p95Seconds`, true),
      restarts5m: number(s.restarts5m, `${name}.restarts5m`, false) ?? 0,
      requests: number(s.requests, `${name}.requests`, false) ?? 0,
    };
  };
  const observation = { stable: side("stable"), candidate: side("candidate"), baselineP95Seconds: number(root.baselineP95Seconds, "baselineP95Seconds", true) };
  for (const key of Object.keys(root)) if (!["stable", "candidate", "baselineP95Seconds"].includes(key)) problems.push(`${key}: unknown key (known: stable, candidate, baselineP95Seconds)`);
  if (problems.length) throw new Refusal(`not an observation ({"stable": {...}, "candidate": {...}, "baselineP95Seconds": N}):\n  ${problems.join("\n  ")}`);
  return observation;
}
