/** The progressive-delivery commands behind tools/delivery.ts: npm run analyze and npm run advance. */
import * as fs from "fs";
import * as path from "path";
import { httpUrl, parseCli, positiveInteger, required, UsageError, type Usage } from "../cli";
import { decide, describePhase, milliseconds, percent, onlyBlueGreenService, parseObservation, phaseOf, VERDICT_EXIT, type Decision, type Observation, type Phase } from "./analysis";
import { nextStep, type NextStep } from "./advance";
import { openStack, openStackToEdit, PROJECT_DIR, timeOf, write } from "./command";
import { Refusal } from "./operations";
import { observe } from "./prometheus";

const OPTIONS = `  --stack STACK        the stack (Pulumi.STACK.yaml)
  --service NAME       the blue-green service (default: the stack's only one)
  --prometheus URL     Prometheus's base URL, e.g. http://127.0.0.1:9090 (kubectl -n monitoring
                       port-forward svc/kube-prometheus-stack-prometheus 9090)
  --observed FILE      instead of --prometheus: replay a saved observation (the "observed" of
                       --format json: {"stable": {...}, "candidate": {...}, "baselineP95Seconds": N})
  --now ISO            the time judged (default: now)
  --timeout-ms N       per Prometheus query (default 5000)
  --dir DIR            the project directory (Pulumi.yaml and the stack files; default: this project)`;
const THRESHOLDS = `The decision matrix (mcp-platform:delivery, the RAG runbook's defaults) on the candidate colour (the
canary, or the colour just cut over to): error rate above 1 % rollback, from 0.5 % hold; p95 above
2x the baseline (the stable colour's p95, or the old colour's when traffic switched) rollback, above
1.5x hold; more than 3 restarts in 5 minutes rollback; fewer than minRequests requests in the window
hold. During a canary the window is the last 5 minutes; after a cutover, everything since it.`;
const EXITS = "Exit codes: 0 advance, 3 hold, 4 rollback, 2 bad input (an unreachable Prometheus included: never an advance).";
const USAGE: Record<"analyze" | "advance", Usage> = {
  analyze: {
    synopsis: "npm run analyze -- --stack STACK [--service NAME] (--prometheus URL | --observed FILE) [--format text|json] [--now ISO] [--dir DIR]",
    help: `Judges a release in progress (REL-3, REL-4, MON-3, MON-4, MON-9) on live metrics, through the stack's
per-colour recording rules, and prints the verdict (advance, hold or rollback), the reasons with their
figures, and the step npm run advance would take. Writes nothing.

${THRESHOLDS}

${OPTIONS}
  --format text|json   json: {"verdict", "step", "next", "reasons": [...], "observed": {...}, ...}

${EXITS}`,
  },
  advance: {
    synopsis: "npm run advance -- --stack STACK [--service NAME] (--prometheus URL | --observed FILE) [--now ISO] [--dir DIR] [--dry-run]",
    help: `Analyzes the release as npm run analyze does, then makes the verdict's step as the reviewed stack-file
edit the release commands make, and prints its diff: advance steps the canary through
mcp-platform:delivery.steps (5, 25, 50 %), then cuts over, and after the cutover retires the old colour
once delivery.holdMinutes (30) and blueGreen.rollbackHoldHours passed with the analysis advance since
the cutover; hold changes nothing; rollback aborts the canary (its colour scaled down) or rolls the
cutover back. Traffic moves to the standby only after a recorded passing smoke test of its image
(npm run smoke -- --record); without one the step is refused (exit 2).

${THRESHOLDS}

${OPTIONS}
  --dry-run            print the diff, write nothing

${EXITS} Refused steps exit 2 with the reason, nothing written.`,
  },
};

export interface Analysis {
  stack: string;
  service: string;
  at: string;
  verdict: Decision["verdict"];
  step: string;
  phase: Phase["kind"];
  candidate: string;
  stable: string;
  next: string;
  reasons: Decision["reasons"];
  observed: Observation;
}

/** Runs analyze or advance; returns the exit code. Throws a UsageError, Refusal, ... on bad input. */
export async function runDelivery(command: string, argv: string[], print: (text: string) => void): Promise<number> {
  if (command !== "analyze" && command !== "advance") throw new UsageError(`unknown command "${command}"; one of: analyze, advance`);
  const usage = USAGE[command];
  const args = parseCli(
    {
      stack: { type: "string" },
      service: { type: "string" },
      prometheus: { type: "string" },
      observed: { type: "string" },
      format: { type: "string", default: "text" },
      now: { type: "string" },
      "timeout-ms": { type: "string", default: "5000" },
      dir: { type: "string" },
      ...(command === "advance" ? { "dry-run": { type: "boolean" } } : {}),
    },
    usage,
    argv,
  );
  if (args.format !== "text" && args.format !== "json") throw new UsageError(`--format must be text or json, got "${args.format}"`);
  if (command === "advance" && args.format !== "text") throw new UsageError("advance prints text; for the verdict as JSON run npm run analyze -- --format json");
  if ((args.prometheus === undefined) === (args.observed === undefined)) throw new UsageError(`give exactly one of --prometheus URL (live metrics) and --observed FILE (a saved observation)\nusage: ${usage.synopsis}`);
  const timeoutMs = positiveInteger("--timeout-ms", args["timeout-ms"]);
  const dir = path.resolve(args.dir ?? PROJECT_DIR);
  const now = timeOf(args.now);
  // advance edits the stack file: refused before the analysis is printed when it could not be written.
  const stack = (command === "advance" ? openStackToEdit : openStack)(dir, required(args.stack, "--stack", usage));
  const service = args.service ?? onlyBlueGreenService(stack.config, stack.name);
  const phase = phaseOf(stack, service, now);
  const observed = args.observed !== undefined ? readObservation(args.observed) : await observe(httpUrl("--prometheus", args.prometheus!, "http://127.0.0.1:9090"), stack.config.namespace, phase, stack.config.delivery.minRequests, now, timeoutMs);
  const decision = decide(observed, stack.config.delivery, phase.kind);

  let next: NextStep | Refusal;
  try {
    next = nextStep(stack, phase, decision.verdict, stack.config.delivery, now);
  } catch (error) {
    if (!(error instanceof Refusal)) throw error;
    next = error;
  }
  const analysis: Analysis = {
    stack: stack.name,
    service,
    at: now.toISOString(),
    verdict: decision.verdict,
    step: describePhase(phase),
    phase: phase.kind,
    candidate: phase.candidate,
    stable: phase.stable,
    next: next instanceof Refusal ? `refused: ${next.message}` : next.next,
    reasons: decision.reasons,
    observed,
  };
  if (args.format === "json") print(`${JSON.stringify(analysis, null, 2)}\n`);
  else print(report(analysis));
  if (command === "advance") {
    if (next instanceof Refusal) throw next;
    if (next.steps.length > 0) write(dir, stack, next.steps, args["dry-run"] === true, print);
  }
  return VERDICT_EXIT[decision.verdict];
}

function readObservation(file: string): Observation {
  let value: unknown;
  try {
    value = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (error) {
    throw new UsageError(`--observed ${file}: ${(error as Error).message}`);
  }
  try {
    // The whole --format json output works too: its "observed".
    return parseObservation(value && typeof value === "object" && "observed" in value ? (value as { observed: unknown }).observed : value);
  } catch (error) {
    throw new UsageError(`--observed ${file}: ${(error as Error).message}`);
  }
}

/** The text report: the verdict, each reason, the figures. */
function report(a: Analysis): string {
  const pct = (n: number | null) => (n === null ? "none" : percent(n));
  const ms = (n: number | null) => (n === null ? "none" : milliseconds(n));
  const side = (name: string, color: string, f: Observation["stable"]) =>
    `  ${name.padEnd(9)} ${color.padEnd(5)}  ${String(f.requests).padStart(7)} requests  error rate ${pct(f.errorRate)}  p95 ${ms(f.p95Seconds)}  ${f.restarts5m} restarts in 5 min\n`;
  return [
    `${a.stack} ${a.service}: ${a.step}: ${a.verdict}\n`,
    ...a.reasons.map((r) => `  ${r.verdict.padEnd(8)}  ${r.check.padEnd(9)}  ${r.message}\n`),
    side("candidate", a.candidate, a.observed.candidate),
    side("stable", a.stable, a.observed.stable),
    `  baseline p95 ${ms(a.observed.baselineP95Seconds)}\n`,
    `next: ${a.next}\n`,
  ].join("");
}
