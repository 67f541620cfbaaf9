/**
 * Runs the real program under Pulumi's mock runtime with a stack's configuration and captures
 * every resource registration: type, name, parent, inputs (secrets redacted) and resource options.
 * The result is the offline plan that `npm run plan` prints and other tools read.
 */
// Before @pulumi/pulumi: its function serialization loads on first use (every command that renders).
import "./lazy-closure";
import { createHash } from "crypto";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import type { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { PLAIN_KEYS_ANNOTATION } from "../components/labels";
import { loadStackConfig, SECRET_PLACEHOLDER, validStackConfig, type StackConfig } from "./stack-config";

export interface PlannedResource {
  urn: string;
  type: string;
  name: string;
  custom: boolean;
  parent: string | null;
  inputs: Record<string, unknown>;
  options: {
    protect: boolean;
    dependsOn: string[];
    ignoreChanges: string[];
    deleteBeforeReplace: boolean;
    replaceOnChanges: string[];
    retainOnDelete: boolean;
    additionalSecretOutputs: string[];
    provider: string | null;
    /** Per input property, the resources its value came from. */
    propertyDependencies: Record<string, string[]>;
  };
}

export interface Plan {
  project: string;
  stack: string;
  /** The stack file the values came from, relative to the project directory (where reports point). */
  stackFile?: string;
  resources: PlannedResource[];
  outputs: Record<string, unknown>;
}

export interface RenderOptions {
  projectDir: string;
  stack: string;
  configFile?: string;
  /**
   * Keep secret values (generated ones are mock stand-ins) instead of "[secret]": for checks that
   * run in memory and read what the CLI's analyzer would see. Never for plans written to disk.
   */
  keepSecrets?: boolean;
}

// Signatures of Pulumi's wire format for special values.
const SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
const RESOURCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e";

type Program = () => unknown;

/** Resolves once every registration the program started has been answered (internal to the SDK, so untyped). */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const waitForRPCs: () => Promise<void> = require("@pulumi/pulumi/runtime/settings").waitForRPCs;

/** Mock provider behaviour: resources echo their inputs; generated passwords get a fixed stand-in. */
const mocks: pulumi.runtime.Mocks = {
  newResource: (args) => {
    const state = { ...args.inputs };
    if (args.type === "random:index/randomPassword:RandomPassword") state.result = `mock-${args.name}`;
    // AWS computes ARNs and keys: stand-ins of the right shape, so policies built from them are realistic.
    if (args.type === "aws:s3/bucket:Bucket") state.arn = `arn:aws:s3:::${args.inputs.bucket}`;
    if (args.type === "aws:kms/key:Key") state.arn = `arn:aws:kms:${args.inputs.region}:123456789012:key/${args.name}`;
    if (args.type === "aws:iam/role:Role") state.arn = `arn:aws:iam::123456789012:role/${args.name}`;
    if (args.type === "aws:iam/user:User") state.name = args.name;
    if (args.type === "aws:iam/accessKey:AccessKey") state.secret = `mock-${args.name}-secret`;
    // A pushed image's digest: the repository at a digest of the name it was pushed under.
    if (args.type === "docker:index/image:Image") {
      const imageName = String(args.inputs.imageName);
      state.repoDigest = `${imageName.replace(/:[^/:]+$/, "")}@sha256:${createHash("sha256").update(imageName).digest("hex")}`;
    }
    // A bucket's ID is its name, as in AWS: the bucket's companion resources name it.
    return { id: args.type === "aws:s3/bucket:Bucket" ? String(args.inputs.bucket) : `${args.name}-id`, state };
  },
  call: (args) => args.inputs,
};

/** Validates a stack's configuration (ConfigError: one line per problem), then renders it. */
export async function planStack(options: RenderOptions): Promise<Plan> {
  return renderStackConfig(options, validStackConfig(options.projectDir, options.stack, options.configFile));
}

export async function renderStack(options: RenderOptions, program?: Program): Promise<Plan> {
  return renderStackConfig(options, loadStackConfig(options.projectDir, options.stack, options.configFile), program);
}

/** Renders with the stack's configuration already loaded (a large stack file takes a while to parse: once per render). */
export async function renderStackConfig(options: RenderOptions, stackConfig: StackConfig, program?: Program): Promise<Plan> {
  pulumi.runtime.setAllConfig(stackConfig.config, stackConfig.secretKeys);
  await pulumi.runtime.setMocks(mocks, stackConfig.project, options.stack, false);

  const resources: PlannedResource[] = [];
  const monitor = pulumi.runtime.getMonitor() as unknown as {
    registerResource: (req: RegisterRequest, callback: (err: unknown, res?: { getUrn(): string }) => void) => void;
  };
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req, callback) => {
    // The mock monitor reads the inputs as capture does (getObject().toJavaScript()): convert the protobuf Struct once for both.
    const struct = req.getObject();
    if (struct) {
      const inputs = struct.toJavaScript();
      req.getObject = () => ({ toJavaScript: () => inputs }) as unknown as Struct;
    }
    return register(req, (err, res) => {
      if (!err && res) resources.push(capture(req, res.getUrn(), options.keepSecrets ?? false));
      callback(err, res);
    });
  };

  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const main = program ?? (require(path.join(options.projectDir, "index.ts")) as Program);
  // A program that throws inside the stack would surface as an unhandled rejection: hand it back instead.
  let failure: unknown;
  const outputs = await withPlainStackTraces(async () => {
    const result =
      (await pulumi.runtime.runInPulumiStack(async () => {
        try {
          return await main();
        } catch (error) {
          failure = error;
          return {};
        }
      })) ?? {};
    await waitForRPCs();
    return result;
  });
  if (failure) throw failure;
  return {
    project: stackConfig.project,
    stack: options.stack,
    stackFile: path.relative(options.projectDir, stackConfig.file),
    resources,
    outputs: redact(outputs) as Record<string, unknown>,
  };
}

/**
 * The SDK reads `new Error().stack` for every resource and every promise it makes (source
 * positions, leak debugging). Under the loader (tools/ts-loader.cjs) or jest each read maps every frame through source maps,
 * which was half of a render's time; nothing in a plan uses those positions, so while the program
 * runs stacks are formatted as V8 records them. An error the program throws keeps its mapped trace:
 * V8 formats a stack when it is first read, after this has put the formatter back.
 *
 * Even unmapped, capturing those stacks was the largest part of what remained per resource
 * (profiled: about a fifth of a render): the SDK captures one for each promise it wraps for leak
 * reports (debuggablePromise, whose stack only PULUMI_DEBUG_PROMISES prints) and an unbounded one
 * for each resource's source position (Resource.callsites, which only the engine's display reads).
 * While the program runs, neither is captured: the promises are still tracked for leaks, and a
 * resource's registration carries no source position, which no plan records.
 */
async function withPlainStackTraces<T>(run: () => Promise<T>): Promise<T> {
  const formatter = Error.prepareStackTrace;
  const { debuggablePromise } = debuggable;
  const { callsites } = resourceClass;
  Error.prepareStackTrace = (error, frames) => `${String(error)}\n${frames.map((frame) => `    at ${frame.toString()}`).join("\n")}`;
  debuggable.debuggablePromise = (...args) => {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
      return debuggablePromise(...args);
    } finally {
      Error.stackTraceLimit = limit;
    }
  };
  resourceClass.callsites = () => [];
  const { fromJavaScript } = structClass;
  structClass.fromJavaScript = plainStruct;
  try {
    return await run();
  } finally {
    Error.prepareStackTrace = formatter;
    debuggable.debuggablePromise = debuggablePromise;
    resourceClass.callsites = callsites;
    structClass.fromJavaScript = fromJavaScript;
  }
}

/**
 * Every registration's inputs and every mock's answer go from JavaScript to a protobuf Struct and
 * back (profiled: the largest part of a resource's cost after the stacks, and much of the garbage
 * collection). Under the mock monitor nothing is sent over the wire, so while the program runs a
 * Struct is this stand-in: it keeps a copy of the value as protobuf would hold it and answers what
 * the SDK and the mock monitor read (toJavaScript, getFieldsMap), with the same values in the same
 * key order (a Struct's map iterates its keys sorted) and the same error for a value a Struct
 * cannot hold. Nothing may serialize it: serializing it, alone or in a message, throws.
 */
function plainStruct(value: Record<string, unknown>): Struct {
  const fields = structCopy(value);
  // An empty Struct (what a message wrapping it stores), answering with the value it stands in for.
  const standIn = new structClass() as unknown as Record<string, unknown>;
  standIn.toJavaScript = () => structCopy(fields);
  standIn.serializeBinary = () => {
    throw new Error("a plan's stand-in Struct cannot be serialized: only the mock monitor may receive it");
  };
  standIn.getFieldsMap = () => ({
    get: (key: string) => (Object.prototype.hasOwnProperty.call(fields, key) ? { toJavaScript: () => valueCopy(fields[key]) } : undefined),
    forEach: (callback: (value: { toJavaScript(): unknown }, key: string) => void) => {
      for (const key of Object.keys(fields).sort()) callback({ toJavaScript: () => valueCopy(fields[key]) }, key);
    },
  });
  return standIn as unknown as Struct;
}

/** A Struct's value as toJavaScript gives it: keys sorted (integer-like ones first, as any object), values as a Value holds them. */
function structCopy(value: Record<string, unknown>): Record<string, unknown> {
  const keys: string[] = [];
  // A Struct takes every enumerable property for..in sees.
  for (const key in value) keys.push(key);
  const copy: Record<string, unknown> = {};
  for (const key of keys.sort()) copy[key] = valueCopy(value[key]);
  return copy;
}

function valueCopy(value: unknown): unknown {
  switch (typeof value) {
    case "string":
    case "number":
    case "boolean":
      return value;
    case "object":
      if (value === null) return null;
      return Array.isArray(value) ? Array.from({ length: value.length }, (_, i) => valueCopy(value[i])) : structCopy(value as Record<string, unknown>);
    default:
      throw new Error("Unexpected struct type.");
  }
}

/** The SDK's internals the render turns off stack captures in (untyped: not part of its API). */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const debuggable: { debuggablePromise: (...args: unknown[]) => unknown } = require("@pulumi/pulumi/runtime/debuggable");
const resourceClass = pulumi.Resource as unknown as { callsites: () => unknown[] };
// eslint-disable-next-line @typescript-eslint/no-require-imports
const structClass: { new (): Struct; fromJavaScript: (value: Record<string, unknown>) => Struct } = require("google-protobuf/google/protobuf/struct_pb").Struct;

interface RegisterRequest {
  getType(): string;
  getName(): string;
  getParent(): string;
  getCustom(): boolean;
  getObject(): Struct | undefined;
  getProtect(): boolean | undefined;
  getDependenciesList(): string[];
  getIgnorechangesList(): string[];
  getDeletebeforereplace(): boolean;
  getReplaceonchangesList(): string[];
  getRetainondelete(): boolean | undefined;
  getAdditionalsecretoutputsList(): string[];
  getProvider(): string;
  getPropertydependenciesMap(): { forEach(callback: (value: { getUrnsList(): string[] }, key: string) => void): void };
}

function capture(req: RegisterRequest, urn: string, keepSecrets: boolean): PlannedResource {
  const propertyDependencies: Record<string, string[]> = {};
  req.getPropertydependenciesMap().forEach((value, key) => {
    const urns = value.getUrnsList();
    if (urns.length) propertyDependencies[key] = [...urns].sort();
  });
  return {
    urn,
    type: req.getType(),
    name: req.getName(),
    custom: req.getCustom(),
    parent: req.getParent() || null,
    inputs: redactInputs(req.getObject()?.toJavaScript() ?? {}, keepSecrets),
    options: {
      protect: req.getProtect() ?? false,
      dependsOn: [...req.getDependenciesList()].sort(),
      ignoreChanges: req.getIgnorechangesList(),
      deleteBeforeReplace: req.getDeletebeforereplace(),
      replaceOnChanges: req.getReplaceonchangesList(),
      retainOnDelete: req.getRetainondelete() ?? false,
      additionalSecretOutputs: req.getAdditionalsecretoutputsList(),
      provider: req.getProvider() || null,
      propertyDependencies,
    },
  };
}

/**
 * A resource's inputs, redacted. The values of a Secret's stringData keys that its
 * PLAIN_KEYS_ANNOTATION lists (generated configuration without credentials, such as
 * alertmanager.yaml) are kept: the SDK marks all of a Secret's data secret.
 */
function redactInputs(inputs: Record<string, unknown>, keepSecrets: boolean): Record<string, unknown> {
  const redacted = redact(inputs, keepSecrets) as Record<string, unknown>;
  const plainKeys = (redacted.metadata as { annotations?: Record<string, string> } | undefined)?.annotations?.[PLAIN_KEYS_ANNOTATION];
  if (keepSecrets || redacted.kind !== "Secret" || !plainKeys) return redacted;
  const revealed = (redact(inputs, true) as { stringData?: Record<string, unknown> }).stringData ?? {};
  const stringData = { ...(redacted.stringData as Record<string, unknown>) };
  for (const key of plainKeys.split(",")) if (key in revealed) stringData[key] = revealed[key];
  return { ...redacted, stringData };
}

/**
 * Replaces every secret with "[secret]", keeping its shape (a secret mapping keeps its keys, each
 * value "[secret]"), and resource references with their URN.
 */
export function redact(value: unknown, keepSecrets = false): unknown {
  if (Array.isArray(value)) return value.map((v) => redact(v, keepSecrets));
  if (pulumi.Output.isInstance(value)) return "[output]";
  if (value && typeof value === "object") {
    const record = value as Record<string, unknown>;
    if (record[SIG_KEY] === SECRET_SIG) return keepSecrets ? redact(record.value, keepSecrets) : mask(redact(record.value));
    if (record[SIG_KEY] === RESOURCE_SIG) return record.urn;
    return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, redact(v, keepSecrets)]));
  }
  return value;
}

/** A secret value's shape with every leaf "[secret]": keys stay reviewable, values do not appear. */
function mask(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(mask);
  if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mask(v)]));
  return SECRET_PLACEHOLDER;
}
