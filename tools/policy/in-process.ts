/**
 * The policy pack evaluated in this process: its policies loaded directly (the pack's policies.ts,
 * which exports PACK_NAME and PACK_ARGS, the arguments index.ts builds the pack with) and called
 * the way @pulumi/policy's analyzer server calls them (server.js: makeAnalyzeRpcFun,
 * makeAnalyzeStackRpcFun), without the runner's start, gRPC or protobuf. The analyzer-protocol path
 * (analyzer.ts) stays the reference: test/integration/policy-parity.test.ts proves both report the same.
 *
 * What the server does and this does alike: per policy the configured level, else the policy's,
 * else the pack's; disabled policies skipped, remediate reported as mandatory; the properties
 * deserialized by the pack's own @pulumi/policy (deserializeProperties), so secrets and assets are
 * the same; a resource whose properties hold an unknown value gets a fresh copy wrapped by the
 * pack's unknownCheckingProxy for each validation, so unknowns and their errors behave the same;
 * resource options as the protocol carries them; a violation's message is the policy's
 * description, a newline and the reported text; a policy that reads an unknown value gets an
 * advisory diagnostic, one that throws fails the analysis.
 *
 * What differs, for speed: the server deserializes a resource's properties for every validation
 * (a copy per policy, and every stack policy walks every resource), which was most of a large plan's
 * check (1,066 resources: 0.6 s, most of it copying, proxying and collecting garbage). Here a
 * resource without unknown values is deserialized once and frozen, and every policy reads that one
 * copy without a proxy (the proxy only ever throws on an unknown value). A policy that writes to
 * its properties fails here with a TypeError (the server's copy would let it); this pack's never do.
 */
import * as fs from "fs";
import * as path from "path";
import type { PolicyPackArgs } from "@pulumi/policy";
import { isChecked } from "../plan-format";
import type { PlannedResource } from "../render-stack";
import { PolicyPackError, type EnforcementLevel, type PackInfo, type PolicyAnalyzer, type PolicyConfig, type Violation } from "./analyzer";
import { packInfoOf } from "./reference";

/* eslint-disable @typescript-eslint/no-explicit-any */
/** The parts of a pack's own @pulumi/policy the server's evaluation uses (internal modules, so untyped). */
interface PolicySdk {
  deserializeProperties(struct: { toJavaScript(): Record<string, unknown> }, proxySecrets: boolean): Record<string, unknown>;
  unknownCheckingProxy<T>(value: T): T;
  UnknownValueError: new (...args: any[]) => Error;
  isResourcePolicy(policy: unknown): boolean;
  isStackPolicy(policy: unknown): boolean;
  getPulumiType(f: unknown): string | undefined;
}

/** The names of the sentinels @pulumi/policy's proxy reads as unknown values (proxy.js isUnknown). */
const UNKNOWN_SENTINELS = ["unknownBooleanValue", "unknownNumberValue", "unknownStringValue", "unknownArrayValue", "unknownAssetValue", "unknownArchiveValue", "unknownObjectValue"] as const;

/** A pack loaded for evaluation: its name, version (its package.json, as the runner reads it), arguments and SDK. */
export interface LoadedPack {
  name: string;
  version: string;
  args: PolicyPackArgs;
  sdk: PolicySdk;
  /** The values the pack's proxy throws UnknownValueError on. */
  unknowns: ReadonlySet<unknown>;
}

/** Loads the pack in `packDir` without starting it: its policies module and its own @pulumi/policy. */
export function loadPack(packDir: string): LoadedPack {
  const from = (id: string) => {
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      return require(require.resolve(id, { paths: [packDir] }));
    } catch (error) {
      throw new PolicyPackError(`cannot load ${id} for the policy pack in ${packDir}: ${(error as Error).message.split("\n")[0]} (install its dependencies there: npm ci)`);
    }
  };
  const proxy = from("@pulumi/policy/proxy");
  const sdk: PolicySdk = { ...from("@pulumi/policy/deserialize"), ...proxy, ...from("@pulumi/policy/policy") };
  const unknowns = new Set(UNKNOWN_SENTINELS.map((name) => proxy[name]));
  if (unknowns.has(undefined)) throw new PolicyPackError(`the @pulumi/policy of the pack in ${packDir} lacks ${UNKNOWN_SENTINELS.filter((n) => proxy[n] === undefined).join(", ")}: run this pack with --analyzer protocol`);
  let module: { PACK_NAME?: string; PACK_ARGS?: PolicyPackArgs };
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    module = require(path.join(packDir, "policies"));
  } catch (error) {
    throw new PolicyPackError(`cannot load the policies of the pack in ${packDir}: ${(error as Error).message.split("\n")[0]}`);
  }
  if (typeof module.PACK_NAME !== "string" || !Array.isArray(module.PACK_ARGS?.policies)) {
    throw new PolicyPackError(`${path.join(packDir, "policies.ts")} does not export PACK_NAME and PACK_ARGS: run this pack with --analyzer protocol`);
  }
  let version: string;
  try {
    version = (JSON.parse(fs.readFileSync(path.join(packDir, "package.json"), "utf8")) as { version?: string }).version ?? "";
  } catch (error) {
    throw new PolicyPackError(`cannot read the version of the pack in ${packDir}: ${(error as Error).message}`);
  }
  if (!version) throw new PolicyPackError(`the policy pack in ${packDir} has no version in its package.json`);
  return { name: module.PACK_NAME, version, args: module.PACK_ARGS, sdk, unknowns };
}

/** Plain JSON, as the properties are after the protocol's protobuf Struct (no undefined values). */
const json = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

/**
 * Freezes `value`'s plain objects and arrays all through; false (and left partly frozen) when it
 * holds one of `unknowns` anywhere. Other objects (the SDK's assets and archives) are left as made.
 */
export function freezeKnown(value: unknown, unknowns: ReadonlySet<unknown>): boolean {
  if (typeof value === "string") return !unknowns.has(value);
  if (value === null || typeof value !== "object") return true;
  const prototype = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== Array.prototype) return true;
  for (const item of Object.values(value)) if (!freezeKnown(item, unknowns)) return false;
  Object.freeze(value);
  return true;
}

class NotApplicable extends Error {}
const notApplicable = (reason?: string): never => {
  throw new NotApplicable(reason);
};
const NO_STACK_TAGS: ReadonlyMap<string, string> = Object.freeze(new Map<string, string>());

/** The level a policy runs at under `config`: disabled policies are skipped, remediate reports as mandatory. */
function levelOf(pack: LoadedPack, config: PolicyConfig, policy: { name: string; enforcementLevel?: EnforcementLevel }): EnforcementLevel {
  const level = config[policy.name]?.enforcementLevel || policy.enforcementLevel || pack.args.enforcementLevel || "advisory";
  return level === "remediate" ? "mandatory" : level;
}

/** The resource options a policy sees, as the server rebuilds them from the protocol's AnalyzerResourceOptions. */
function optionsOf(resource: PlannedResource) {
  return {
    protect: resource.options.protect,
    ignoreChanges: resource.options.ignoreChanges,
    aliases: [],
    customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
    additionalSecretOutputs: resource.options.additionalSecretOutputs,
    // The protocol's deleteBeforeReplaceDefined is set from the value itself: only true is "defined".
    ...(resource.options.deleteBeforeReplace ? { deleteBeforeReplace: true } : {}),
    ...(resource.parent ? { parent: resource.parent } : {}),
  };
}

/**
 * Every resource analyzed (or only `changed` ones, as a preview of an update does), then the stack:
 * the violations in the order the protocol path reports them. Pure but for the policies themselves.
 */
export async function evaluate(pack: LoadedPack, config: PolicyConfig, resources: PlannedResource[], changed?: Set<string>): Promise<Violation[]> {
  const { sdk } = pack;
  const policies = pack.args.policies as any[];
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  // The properties are built when a policy first reads them, from the inputs made plain JSON once
  // per resource: one frozen copy shared by every validation when they hold no unknown value, else
  // a proxied copy of its own for each validation, as the server deserializes them for each
  // (deserializeProperties copies every object and array, never changing what it reads).
  const plain = new Map<Record<string, unknown>, Record<string, unknown>>();
  const plainOf = (inputs: Record<string, unknown>) => plain.get(inputs) ?? plain.set(inputs, json(inputs)).get(inputs)!;
  const deserialized = (inputs: Record<string, unknown>) => sdk.deserializeProperties({ toJavaScript: () => plainOf(inputs) }, false);
  const shared = new Map<Record<string, unknown>, Record<string, unknown> | undefined>();
  const sharedOf = (inputs: Record<string, unknown>) => {
    if (!shared.has(inputs)) {
      const copy = deserialized(inputs);
      shared.set(inputs, freezeKnown(copy, pack.unknowns) ? copy : undefined);
    }
    return shared.get(inputs);
  };
  const props = (inputs: Record<string, unknown>) => sharedOf(inputs) ?? sdk.unknownCheckingProxy(deserialized(inputs));
  /** `props(inputs)` made on first call, the same object after. */
  const lazyProps = (inputs: Record<string, unknown>) => {
    let made: Record<string, unknown> | undefined;
    return () => (made ??= props(inputs));
  };
  const getConfig = (name: string) => () => {
    const properties = config[name]?.properties;
    return properties ? { ...properties } : {};
  };
  const isTypeOf = (type: string, resourceClass: any) => {
    const pulumiType = sdk.getPulumiType(resourceClass);
    if (pulumiType) return type === pulumiType;
    return typeof resourceClass?.isInstance === "function" && resourceClass.isInstance({ __pulumiType: type }) === true;
  };
  // A provider reference is "<urn>::<id>"; looked up once per reference.
  const providers = new Map<string | null | undefined, PlannedResource | undefined>();
  const providerOf = (resource: PlannedResource) => {
    const reference = resource.options.provider;
    if (!providers.has(reference)) providers.set(reference, byUrn.get(reference?.replace(/::[^:]*$/, "") ?? ""));
    const provider = providers.get(reference);
    if (!provider) return {};
    const providerProps = lazyProps(provider.inputs);
    return {
      provider: {
        type: provider.type,
        get props() {
          return providerProps();
        },
        urn: provider.urn,
        name: provider.name,
      },
    };
  };
  const policyFrom = (name: string) => `policy '${name}' from policy pack '${pack.name}@v${pack.version}'`;

  const violations: Violation[] = [];
  /** Runs one validation: its reports collected, an unknown value an advisory diagnostic, another error fatal. */
  const run = async (policy: any, level: EnforcementLevel, fallbackUrn: string, validate: (report: (message: unknown, urn?: string) => void) => unknown) => {
    const report = (message: unknown, urn?: string) => {
      if (message && typeof message === "object") {
        const info = message as { name?: string; message?: string; description?: string; urn?: string; enforcementLevel?: EnforcementLevel };
        violations.push({ policy: info.name || policy.name, enforcementLevel: info.enforcementLevel || level, urn: info.urn || fallbackUrn, message: info.message || info.description || policy.description });
      } else {
        violations.push({ policy: policy.name, enforcementLevel: level, urn: urn || fallbackUrn, message: message ? `${policy.description}\n${message}` : policy.description });
      }
    };
    try {
      await validate(report);
    } catch (error) {
      if (error instanceof sdk.UnknownValueError) {
        violations.push({ policy: policy.name, enforcementLevel: "advisory", urn: fallbackUrn, message: `can't run ${policyFrom(policy.name)} during preview: ${error.message}` });
      } else if (!(error instanceof NotApplicable)) {
        const wrote = error instanceof TypeError && /read only property|not extensible|Cannot delete property/.test(error.message);
        const hint = wrote ? "\n(npm run check shares one read-only copy of each resource's properties among the policies: a policy must not change them; run a pack whose policies do with --analyzer protocol)" : "";
        throw new PolicyPackError(`Error validating resource with ${policyFrom(policy.name)}: ${(error as Error)?.stack ?? String(error)}${hint}`);
      }
    }
  };

  const analyzed = resources.filter(isChecked);
  for (const resource of changed ? analyzed.filter((r) => changed.has(r.urn)) : analyzed) {
    for (const policy of policies) {
      const level = levelOf(pack, config, policy);
      if (level === "disabled" || !sdk.isResourcePolicy(policy) || !policy.validateResource) continue;
      if (!Array.isArray(policy.validateResource)) {
        const only = sdk.getPulumiType(policy.validateResource);
        if (only && resource.type !== only) continue;
      }
      for (const validation of [policy.validateResource].flat()) {
        await run(policy, level, resource.urn, (report) => {
          const p = lazyProps(resource.inputs);
          const args = {
            type: resource.type,
            get props() {
              return p();
            },
            urn: resource.urn,
            name: resource.name,
            opts: optionsOf(resource),
            stackTags: NO_STACK_TAGS,
            isType: (resourceClass: unknown) => isTypeOf(resource.type, resourceClass),
            asType: (resourceClass: unknown) => (isTypeOf(resource.type, resourceClass) ? p() : undefined),
            getConfig: getConfig(policy.name),
            notApplicable,
            ...providerOf(resource),
          };
          return validation(args, report);
        });
      }
    }
  }

  for (const policy of policies) {
    const level = levelOf(pack, config, policy);
    if (level === "disabled" || !sdk.isStackPolicy(policy)) continue;
    const only = sdk.getPulumiType(policy.validateStack);
    if (only && !analyzed.some((r) => r.type === only)) continue;
    await run(policy, level, "", (report) => {
      // Each policy gets its own copies, as the server deserializes the stack for each.
      const copies = analyzed.map((resource) => {
        const p = lazyProps(resource.inputs);
        return {
          type: resource.type,
          get props() {
            return p();
          },
          urn: resource.urn,
          name: resource.name,
          opts: optionsOf(resource),
          dependencies: [] as unknown[],
          propertyDependencies: {} as Record<string, unknown[]>,
          isType: (resourceClass: unknown) => isTypeOf(resource.type, resourceClass),
          asType: (resourceClass: unknown) => (isTypeOf(resource.type, resourceClass) ? p() : undefined),
          ...providerOf(resource),
        } as Record<string, unknown> & { dependencies: unknown[]; propertyDependencies: Record<string, unknown[]> };
      });
      const inStack = new Map(copies.map((c, i) => [analyzed[i].urn, c]));
      const resolve = (urns: string[]) => urns.map((u) => inStack.get(u)).filter((r) => r);
      analyzed.forEach((resource, i) => {
        const parent = resource.parent ? inStack.get(resource.parent) : undefined;
        if (parent) copies[i].parent = parent;
        copies[i].dependencies = resolve(resource.options.dependsOn);
        for (const [property, urns] of Object.entries(resource.options.propertyDependencies ?? {})) copies[i].propertyDependencies[property] = resolve(urns);
      });
      return policy.validateStack({ resources: copies, getConfig: getConfig(policy.name), stackTags: NO_STACK_TAGS, notApplicable }, report);
    });
  }
  return violations;
}

/** The pack evaluated in process, behind the same interface as the protocol session. */
export class InProcessPack implements PolicyAnalyzer {
  private config: PolicyConfig = {};
  private constructor(private readonly pack: LoadedPack) {}

  static load(packDir: string): InProcessPack {
    return new InProcessPack(loadPack(packDir));
  }

  async info(): Promise<PackInfo> {
    return json(packInfoOf(this.pack.name, this.pack.args, this.pack.version));
  }

  async configure(config: PolicyConfig): Promise<void> {
    this.config = json(config);
  }

  analyze(resources: PlannedResource[], changed?: Set<string>): Promise<Violation[]> {
    return evaluate(this.pack, this.config, resources, changed);
  }

  close(): void {}
}
