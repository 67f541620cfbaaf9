/**
 * The release procedures (REL-3, REL-4, REL-6) as pure functions of validated stack configs: each
 * returns the stack-file edits it makes, or throws a Refusal that says why it is unsafe and what
 * to do instead. The commands in tools/release.ts apply the edits; `pulumi up` applies the file.
 */
import { imageReference, NAMESPACE, pinningProblem, routedServices, type Color, type PlatformConfig, type ServiceConfig } from "../../config";
import type { Edit } from "./stack-file";
import { InputError } from "../../config/errors";

/** An unsafe or impossible step: exit 2, nothing written. */
export class Refusal extends InputError {}

export interface Stack {
  name: string;
  config: PlatformConfig;
}

type BlueGreen = NonNullable<ServiceConfig["blueGreen"]>;

export interface Step {
  edits: Edit[];
  /** One line per service on what changed, or why nothing had to. */
  summary: string[];
}

/** Stack outputs as `pulumi stack output --json` prints them (or an offline plan's outputs). */
export interface StackOutputs {
  services?: Record<string, { activeColor: Color | null; images: Record<string, string> }>;
}

export const otherColor = (color: Color): Color => (color === "blue" ? "green" : "blue");

/** A release step on one service as the operator types it: refusals' hints are runnable as printed. */
export const step = (command: string, stack: Stack, service: string, ...rest: string[]) => ["npm run", command, "--", "--stack", stack.name, "--service", service, ...rest].join(" ");
/** Promotion needs the source stack and its state, which a target stack does not know: its usage says how. */
const PROMOTE_HINT = "npm run promote -- --help";
/** The path of a service's blueGreen settings (or one of them) in its stack file. */
export const bgPath = (service: string, ...rest: string[]) => ["config", `${NAMESPACE}:services`, service, "blueGreen", ...rest];

/** The services a command acts on: the one named, or every blue-green service of the stack. */
export function servicesOf(stack: Stack, service: string | undefined): string[] {
  if (service) {
    blueGreenOf(stack, service);
    return [service];
  }
  const all = Object.entries(stack.config.services).filter(([, svc]) => svc.blueGreen).map(([name]) => name);
  if (all.length === 0) throw new Refusal(`stack "${stack.name}" has no blue-green service (services.<name>.blueGreen)`);
  return all;
}

function blueGreenOf(stack: Stack, service: string): BlueGreen {
  const svc = stack.config.services[service];
  if (!svc) throw new Refusal(`stack "${stack.name}" has no service "${service}" (services: ${Object.keys(stack.config.services).join(", ")})`);
  if (!svc.blueGreen) throw new Refusal(`service "${service}" of stack "${stack.name}" is not blue-green: add services.${service}.blueGreen to release it by colour`);
  return svc.blueGreen;
}

/** The image a source stack serves a service with, checked against its state (what it really runs). */
function liveImage(source: Stack, sourceOutputs: StackOutputs, service: string) {
  const from = source.config.services[service];
  const image = from.blueGreen ? from.blueGreen[from.blueGreen.activeColor].image : from.image!;
  const reference = imageReference(image);
  const deployed = sourceOutputs.services?.[service]?.images?.[from.blueGreen?.activeColor ?? "default"];
  if (deployed !== reference) {
    throw new Refusal(
      `${source.name}'s stack file runs ${reference} on ${service}, but its state shows ${deployed ?? "nothing"}: deploy and verify ${source.name} first (pulumi up --stack ${source.name}), then promote what it runs`,
    );
  }
  return { image, reference };
}

/**
 * REL-6: a release is every service's image. Each service of the target gets the image the source
 * stack runs it with (checked against the source's state): a blue-green service on its standby
 * colour at full scale, for smoke tests on <svc>-preview, never touching the colour that serves;
 * any other service through its rolling update. Refused as a whole when a service of the target is
 * missing from the source or its state, so a release never goes out half. The promotion is recorded
 * in the target's stack file (mcp-platform:promotion) as evidence for the review.
 */
export function promote(source: Stack, sourceOutputs: StackOutputs, target: Stack, only: string | undefined, now: Date): Step[] {
  const services = only ? [only] : Object.keys(target.config.services);
  if (only && !target.config.services[only]) throw new Refusal(`stack "${target.name}" has no service "${only}" (services: ${Object.keys(target.config.services).join(", ")})`);
  const missing = services.filter((service) => !source.config.services[service] || !sourceOutputs.services?.[service]);
  if (missing.length) {
    throw new Refusal(
      `${target.name}'s ${missing.join(", ")} ${missing.length === 1 ? "is" : "are"} not in ${source.name}${missing.some((s) => source.config.services[s]) ? "'s state" : ""}: a release promotes every service, so verify ${missing.length === 1 ? "it" : "them"} in ${source.name} first (or pass --service to promote one), and give its current state (pulumi stack output --stack ${source.name} --json > ${source.name}.json)`,
    );
  }
  const images = new Map(services.map((service) => [service, liveImage(source, sourceOutputs, service)]));
  for (const [service, { image, reference }] of images) {
    const pinning = pinningProblem(image, target.config.imagePinning);
    if (pinning) throw new Refusal(`${target.name} refuses ${reference} for ${service}: ${pinning}; pin it in ${source.name} and deploy it there first`);
  }
  const steps = services.map((service) => promoteService(target, service, images.get(service)!.image));
  const evidence: Step = {
    edits: [
      { path: ["config", `${NAMESPACE}:promotion`], value: { from: source.name, at: now.toISOString() } },
      { path: ["config", `${NAMESPACE}:promotion`, "images"], value: undefined },
      { path: ["config", `${NAMESPACE}:promotion`, "images"], value: Object.fromEntries([...images].map(([service, { reference }]) => [service, reference])) },
    ],
    summary: [`recorded in ${NAMESPACE}:promotion: from ${source.name} at ${now.toISOString()}`],
  };
  return steps.some((step) => step.edits.length > 0) ? [...steps, evidence] : steps;
}

/** One service of a promotion: its new image, where the target runs it. */
function promoteService(target: Stack, service: string, image: ServiceConfig["image"] & object): Step {
  const reference = imageReference(image);
  const value = { repository: image.repository, tag: image.tag, digest: image.digest };
  const svc = target.config.services[service];
  if (!svc.blueGreen) {
    if (imageReference(svc.image!) === reference) return { edits: [], summary: [`${service}: ${reference} already runs in ${target.name}; unchanged`] };
    return {
      edits: [{ path: ["config", `${NAMESPACE}:services`, service, "image"], value }],
      summary: [`${service}: ${imageReference(svc.image!)} -> ${reference} (rolling update: no colours)`],
    };
  }
  const bg = svc.blueGreen;
  const standby = otherColor(bg.activeColor);
  if (bg.canaryWeight > 0) {
    throw new Refusal(`${service} in ${target.name} is in a canary (${bg.canaryWeight} % on ${standby}): finish it (${step("cutover", target, service)}) or abort it (${step("canary", target, service, "--weight", "0")}) first`);
  }
  if (bg.cutoverAt) {
    throw new Refusal(
      `${service} in ${target.name}: ${standby} is still serving as the rollback target of the cutover at ${bg.cutoverAt}: roll back (${step("rollback", target, service)}), or retire it (${step("retire", target, service)}) first`,
    );
  }
  if (imageReference(bg[bg.activeColor].image) === reference) {
    return { edits: [], summary: [`${service}: ${reference} is already live in ${target.name} (${bg.activeColor}); unchanged`] };
  }
  return {
    edits: [
      { path: bgPath(service, standby, "image"), value },
      { path: bgPath(service, "standbyScale"), value: "full" },
    ],
    summary: [`${service}: ${imageReference(bg[bg.activeColor].image)} -> ${reference} on ${standby} (standby, full scale; ${bg.activeColor} keeps serving)`],
  };
}

/** REL-4: a share of the edge's requests to the standby colour; 0 aborts. */
export function canary(stack: Stack, service: string, weight: number): Step {
  if (!Number.isInteger(weight) || weight < 0 || weight > 100) throw new Refusal(`--weight must be a whole percent from 0 to 99, got ${weight}`);
  if (weight === 100) throw new Refusal(`--weight 100 would send all traffic to the standby colour: that is a cutover (${step("cutover", stack, service)})`);
  const bg = blueGreenOf(stack, service);
  const standby = otherColor(bg.activeColor);
  if (!routedServices(stack.config.edge).includes(service)) {
    throw new Refusal(`${service} has no edge route in ${stack.name}: the canary split happens in the nginx edge (edge.routes)`);
  }
  if (weight === 0) {
    if (bg.canaryWeight === 0) return { edits: [], summary: [`${service}: no canary running; nothing to abort`] };
    return { edits: [{ path: bgPath(service, "canaryWeight"), value: undefined }], summary: [`${service}: canary aborted, all traffic to ${bg.activeColor}`] };
  }
  if (bg.standbyScale !== "full") {
    throw new Refusal(`${service}'s standby colour (${standby}) runs ${bg.standbyReplicas} pods (standbyScale: idle): promote a release to it first (${PROMOTE_HINT})`);
  }
  if (bg.cutoverAt) {
    throw new Refusal(`${service}'s standby colour (${standby}) is the previous release, kept for rollback since ${bg.cutoverAt}: promote a new release first`);
  }
  return {
    edits: [{ path: bgPath(service, "canaryWeight"), value: weight }],
    summary: [`${service}: ${weight} % of requests to ${standby} (${imageReference(bg[standby].image)}), ${100 - weight} % to ${bg.activeColor}`],
  };
}

/** REL-3: the standby colour takes all traffic; the old one stays at full scale for rollback. */
export function cutover(stack: Stack, service: string, now: Date): Step {
  const bg = blueGreenOf(stack, service);
  const standby = otherColor(bg.activeColor);
  if (bg.cutoverAt) {
    throw new Refusal(`${service} was cut over at ${bg.cutoverAt} and ${bg.activeColor} is live: to switch back, roll back (${step("rollback", stack, service)}); to release again, retire it after the hold time (${step("retire", stack, service)}) and promote (${PROMOTE_HINT})`);
  }
  if (bg.standbyScale !== "full") {
    throw new Refusal(`${service}'s standby colour (${standby}) runs ${bg.standbyReplicas} pods (standbyScale: idle): promote a release to it first (${PROMOTE_HINT}), deploy and smoke-test it`);
  }
  return {
    edits: [
      { path: bgPath(service, "activeColor"), value: standby },
      ...(bg.canaryWeight > 0 ? [{ path: bgPath(service, "canaryWeight"), value: undefined }] : []),
      { path: bgPath(service, "cutoverAt"), value: now.toISOString() },
    ],
    summary: [`${service}: traffic -> ${standby} (${imageReference(bg[standby].image)}); ${bg.activeColor} kept at full scale for rollback`],
  };
}

/** REL-3: back to the previous colour, while it still runs at full scale. */
export function rollback(stack: Stack, service: string): Step {
  const bg = blueGreenOf(stack, service);
  const previous = otherColor(bg.activeColor);
  if (!bg.cutoverAt) {
    throw new Refusal(
      bg.standbyScale === "full"
        ? `${service} has no cutover to roll back (${bg.activeColor} has served since before the last release): abort a canary with ${step("canary", stack, service, "--weight", "0")}`
        : `${service}'s previous colour (${previous}) was retired (scaled to ${bg.standbyReplicas}): roll back by promoting the previous release again (${PROMOTE_HINT})`,
    );
  }
  return {
    edits: [
      { path: bgPath(service, "activeColor"), value: previous },
      { path: bgPath(service, "cutoverAt"), value: undefined },
    ],
    summary: [`${service}: traffic -> ${previous} (${imageReference(bg[previous].image)}); ${bg.activeColor} stays at full scale for diagnosis`],
  };
}

/** REL-3: after the hold time, the old colour scales down to the standby count. */
export function retire(stack: Stack, service: string, now: Date): Step {
  const bg = blueGreenOf(stack, service);
  const old = otherColor(bg.activeColor);
  if (!bg.cutoverAt) {
    if (bg.standbyScale === "idle") return { edits: [], summary: [`${service}: ${old} already runs at the standby count (${bg.standbyReplicas})`] };
    // A release that never took all traffic (being tested, or rolled back) needs no hold time.
    if (bg.canaryWeight > 0) throw new Refusal(`${service}'s standby colour (${old}) takes ${bg.canaryWeight} % of requests: abort the canary first (${step("canary", stack, service, "--weight", "0")})`);
    return {
      edits: [{ path: bgPath(service, "standbyScale"), value: "idle" }],
      summary: [`${service}: ${old} (${imageReference(bg[old].image)}, not serving) scaled to ${bg.standbyReplicas}`],
    };
  }
  const since = new Date(bg.cutoverAt);
  const hours = (now.getTime() - since.getTime()) / 3_600_000;
  if (hours < bg.rollbackHoldHours) {
    const until = new Date(since.getTime() + bg.rollbackHoldHours * 3_600_000).toISOString();
    throw new Refusal(
      `${service} was cut over ${hours.toFixed(1)} h ago (${bg.cutoverAt}); ${old} is kept for rollback for ${bg.rollbackHoldHours} h, until ${until}. To shorten that, lower blueGreen.rollbackHoldHours in a reviewed change`,
    );
  }
  return {
    edits: [
      { path: bgPath(service, "standbyScale"), value: "idle" },
      { path: bgPath(service, "cutoverAt"), value: undefined },
    ],
    summary: [`${service}: ${old} scaled to ${bg.standbyReplicas} (cut over ${hours.toFixed(1)} h ago)`],
  };
}

/** Reads stack outputs from `pulumi stack output --json` or from an offline plan (`npm run plan -- --json`). */
export function outputsOf(state: unknown, stack: string): StackOutputs {
  if (!state || typeof state !== "object") throw new Refusal(`the state of "${stack}" is not a JSON object`);
  const plan = state as { stack?: string; resources?: unknown; outputs?: StackOutputs };
  if (Array.isArray(plan.resources)) {
    if (plan.stack !== stack) throw new Refusal(`the plan given is of stack "${plan.stack}", not "${stack}"`);
    return plan.outputs ?? {};
  }
  return state as StackOutputs;
}
