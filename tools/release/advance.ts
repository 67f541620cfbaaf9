/**
 * A verdict of the analysis (analysis.ts) as the next release step, made of the release operations
 * (operations.ts), so each edit is the one `npm run canary / cutover / rollback / retire` makes:
 *
 *   advance   promoted -> the first canary weight -> the next ... -> cutover -> (after the hold) retire
 *   hold      no change
 *   rollback  a canary (or a promoted colour) is aborted and its colour scaled to the standby count;
 *             after a cutover, traffic goes back to the old colour
 *
 * Traffic moves to the standby colour only while its passing smoke test (blueGreen.smokePassed)
 * names the image it runs; a rollback removes that record, so a rejected release takes traffic
 * again only after it is promoted and smoke-tested anew. Pure.
 */
import { imageReference, type DeliveryConfig } from "../../config";
import type { Phase, Verdict } from "./analysis";
import { bgPath, canary, cutover, otherColor, Refusal, retire, rollback, step, type Stack, type Step } from "./operations";

export interface NextStep {
  /** What the verdict leads to, in words ("canary 25 %", "cutover", "hold: no change"). */
  next: string;
  steps: Step[];
}

/** The edit the verdict asks for; a Refusal when it is unsafe (no passing smoke test of the standby's image). */
export function nextStep(stack: Stack, phase: Phase, verdict: Verdict, delivery: DeliveryConfig, now: Date): NextStep {
  const service = phase.service;
  if (verdict === "hold") return { next: "hold: no change", steps: [] };
  if (verdict === "rollback") {
    if (phase.kind === "cutover") return { next: `rollback to ${phase.stable}`, steps: [rollback(stack, service), forgetSmoke(stack, service)] };
    const aborted = phase.kind === "canary" ? [canary(stack, service, 0)] : [];
    return { next: `abort: ${phase.candidate} out of traffic and scaled down`, steps: [...aborted, retire(withoutCanary(stack, service), service, now), forgetSmoke(stack, service)] };
  }
  if (phase.kind === "cutover") return afterCutover(stack, phase, delivery, now);
  const weight = delivery.steps.find((w) => w > (phase.kind === "canary" ? phase.weight : 0));
  requireSmoke(stack, service);
  if (weight !== undefined) return { next: `canary ${weight} %`, steps: [canary(stack, service, weight)] };
  return { next: `cutover to ${phase.candidate}`, steps: [cutover(stack, service, now)] };
}

/** After a cutover: retire the old colour once the analysis held for holdMinutes and rollbackHoldHours passed. */
function afterCutover(stack: Stack, phase: Extract<Phase, { kind: "cutover" }>, delivery: DeliveryConfig, now: Date): NextStep {
  const bg = stack.config.services[phase.service].blueGreen!;
  const minutes = Math.max(delivery.holdMinutes, bg.rollbackHoldHours * 60);
  const until = new Date(phase.cutoverAt.getTime() + minutes * 60_000);
  if (now < until) {
    const why = minutes === delivery.holdMinutes ? `delivery.holdMinutes: ${delivery.holdMinutes}` : `blueGreen.rollbackHoldHours: ${bg.rollbackHoldHours}`;
    return { next: `wait: ${phase.stable} is kept for rollback until ${until.toISOString()} (${why}); then retire it`, steps: [] };
  }
  return { next: `retire ${phase.stable}`, steps: [retire(stack, phase.service, now)] };
}

function requireSmoke(stack: Stack, service: string): void {
  const bg = stack.config.services[service].blueGreen!;
  const standby = otherColor(bg.activeColor);
  const image = imageReference(bg[standby].image);
  const passed = bg.smokePassed;
  if (passed?.image === image) return;
  throw new Refusal(
    `${service}'s standby colour (${standby}, ${image}) has no passing smoke test${passed ? ` (the last one passed ${passed.image})` : ""}: test it on ${service}-preview and record the result (npm run smoke -- --url URL --stack ${stack.name} --service ${service} --record), then advance (${step("advance", stack, service)})`,
  );
}

/** A rejected release's smoke test no longer counts. */
function forgetSmoke(stack: Stack, service: string): Step {
  const recorded = stack.config.services[service].blueGreen!.smokePassed !== undefined;
  return { edits: recorded ? [{ path: bgPath(service, "smokePassed"), value: undefined }] : [], summary: recorded ? [`${service}: smoke test record removed (the release was rejected)`] : [] };
}

/** The stack as it is once the canary is aborted, for the step that follows in the same edit. */
function withoutCanary(stack: Stack, service: string): Stack {
  const svc = stack.config.services[service];
  return { ...stack, config: { ...stack.config, services: { ...stack.config.services, [service]: { ...svc, blueGreen: { ...svc.blueGreen!, canaryWeight: 0 } } } } };
}

/**
 * A smoke test of the standby colour (what <svc>-preview serves) as stack-file evidence: a pass
 * records its image and the time in blueGreen.smokePassed, a failure removes the record.
 */
export function recordSmoke(stack: Stack, service: string, passed: boolean, now: Date): Step {
  const bg = stack.config.services[service]?.blueGreen;
  if (!bg) throw new Refusal(`--record needs a blue-green service: ${service} of stack "${stack.name}" has no blueGreen settings`);
  const standby = otherColor(bg.activeColor);
  const image = imageReference(bg[standby].image);
  if (!passed) {
    if (!bg.smokePassed) return { edits: [], summary: [`${service}: smoke test of ${standby} (${image}) failed; nothing recorded`] };
    return { edits: [{ path: bgPath(service, "smokePassed"), value: undefined }], summary: [`${service}: smoke test of ${standby} (${image}) failed; the record of the last pass is removed`] };
  }
  return {
    edits: [
      { path: bgPath(service, "smokePassed"), value: undefined },
      { path: bgPath(service, "smokePassed"), value: { image, at: now.toISOString() } },
    ],
    summary: [`${service}: smoke test of ${standby} (${image}) passed at ${now.toISOString()}; recorded in blueGreen.smokePassed`],
  };
}
