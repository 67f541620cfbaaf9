/**
 * The policy pack as the Pulumi CLI runs it: started by @pulumi/pulumi's own policy-pack runner
 * (the one `pulumi preview --policy-pack` starts), spoken to over the analyzer gRPC protocol:
 * GetAnalyzerInfo, Configure, Analyze for each resource, AnalyzeStack for the whole stack. The
 * reference for the in-process path (in-process.ts), which `npm run check` uses by default.
 */
import { spawn, type ChildProcess } from "child_process";
import * as path from "path";
import { isChecked } from "../plan-format";
import type { PlannedResource } from "../render-stack";
import { InputError } from "../../config/errors";

// The protocol's modules, from the same copy of @pulumi/pulumi (and its gRPC and protobuf) the pack uses.
const PULUMI_DIR = path.dirname(require.resolve("@pulumi/pulumi/package.json"));
/* eslint-disable @typescript-eslint/no-require-imports, @typescript-eslint/no-explicit-any */
const fromPulumi = (id: string) => require(require.resolve(id, { paths: [PULUMI_DIR] }));
const grpc = fromPulumi("@grpc/grpc-js");
const pb = require("@pulumi/pulumi/proto/analyzer_pb");
const rpc = require("@pulumi/pulumi/proto/analyzer_grpc_pb");
const { Struct } = fromPulumi("google-protobuf/google/protobuf/struct_pb");
const { Empty } = fromPulumi("google-protobuf/google/protobuf/empty_pb");
/* eslint-enable @typescript-eslint/no-require-imports */

export type EnforcementLevel = "advisory" | "mandatory" | "disabled" | "remediate";
const LEVELS: EnforcementLevel[] = ["advisory", "mandatory", "disabled", "remediate"];

export interface PolicyInfo {
  name: string;
  description: string;
  type: "resource" | "stack";
  enforcementLevel: EnforcementLevel;
  /** JSON schema of the policy's settings (properties and required), when it has any. */
  configSchema?: { properties: Record<string, Record<string, unknown>>; required: string[] };
}

export interface PackInfo {
  name: string;
  version: string;
  policies: PolicyInfo[];
}

export interface Violation {
  policy: string;
  enforcementLevel: EnforcementLevel;
  urn: string;
  message: string;
}

/** Settings sent to the pack: per policy, its enforcement level and properties. */
export type PolicyConfig = Record<string, { enforcementLevel: EnforcementLevel; properties: Record<string, unknown> }>;

export class PolicyPackError extends InputError {}

/** A policy pack ready to analyze plans: through the analyzer protocol (PolicyPackSession) or in process (in-process.ts). */
export interface PolicyAnalyzer {
  info(): Promise<PackInfo>;
  configure(config: PolicyConfig): Promise<void>;
  /** The violations of the plan's resources (only `changed` ones, when given) and of the whole stack, in plan order. */
  analyze(resources: PlannedResource[], changed?: Set<string>): Promise<Violation[]>;
  close(): void;
}

export class PolicyPackSession implements PolicyAnalyzer {
  private readonly structs = new StructCache();

  private constructor(
    private readonly child: ChildProcess,
    private readonly client: any,
  ) {}

  /**
   * Starts the pack in `packDir` with Pulumi's runner, as the CLI does, and connects to it. The
   * runner is the one the pack's own @pulumi/pulumi provides, resolved from the pack's folder as
   * the CLI's pulumi-analyzer-policy script resolves it (`require.resolve('@pulumi/pulumi/cmd/run-policy-pack')`
   * there): a pack installed on its own runs on its own dependencies.
   */
  static async start(packDir: string): Promise<PolicyPackSession> {
    let runner: string;
    try {
      runner = require.resolve("@pulumi/pulumi/cmd/run-policy-pack", { paths: [packDir] });
    } catch {
      throw new PolicyPackError(`no @pulumi/pulumi for the policy pack in ${packDir}: install its dependencies there (npm ci)`);
    }
    // The runner takes the engine's address first; the analyzer never calls it back.
    const child = spawn(process.execPath, [runner, "127.0.0.1:0", "."], { cwd: packDir, stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stderr!.on("data", (chunk) => (stderr += chunk));
    const port = await new Promise<string>((resolve, reject) => {
      let stdout = "";
      child.stdout!.on("data", (chunk) => {
        stdout += chunk;
        const line = /^(\d+)\s*$/m.exec(stdout);
        if (line) resolve(line[1]);
      });
      child.on("exit", (code) => reject(new PolicyPackError(`the policy pack in ${packDir} exited (${code}) before serving:\n${stderr.trim()}`)));
    });
    const client = new rpc.AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), { "grpc.max_receive_message_length": 1024 * 1024 * 400 });
    return new PolicyPackSession(child, client);
  }

  private call<T>(method: string, request: unknown): Promise<T> {
    return new Promise((resolve, reject) => this.client[method](request, (error: Error | null, response: T) => (error ? reject(new PolicyPackError(error.message)) : resolve(response))));
  }

  async info(): Promise<PackInfo> {
    const info = await this.call<any>("getAnalyzerInfo", new Empty());
    return {
      name: info.getName(),
      version: info.getVersion(),
      policies: info.getPoliciesList().map((p: any) => {
        const schema = p.getConfigschema();
        return {
          name: p.getName(),
          description: p.getDescription(),
          type: p.getPolicyType() === pb.PolicyType.POLICY_TYPE_STACK ? "stack" : "resource",
          enforcementLevel: LEVELS[p.getEnforcementlevel()],
          ...(schema ? { configSchema: { properties: schema.getProperties()?.toJavaScript() ?? {}, required: schema.getRequiredList() } } : {}),
        };
      }),
    };
  }

  async configure(config: PolicyConfig): Promise<void> {
    const request = new pb.ConfigureAnalyzerRequest();
    const map = request.getPolicyconfigMap();
    for (const [name, { enforcementLevel, properties }] of Object.entries(config)) {
      const policyConfig = new pb.PolicyConfig();
      policyConfig.setEnforcementlevel(LEVELS.indexOf(enforcementLevel));
      policyConfig.setProperties(Struct.fromJavaScript(properties));
      map.set(name, policyConfig);
    }
    await this.call("configure", request);
  }

  /**
   * Every resource through Analyze (as `pulumi preview` does), then the stack through AnalyzeStack.
   * `changed` limits Analyze to those resources, as a preview of an update does (unchanged ones
   * were analyzed before); the stack is always analyzed whole.
   */
  async analyze(resources: PlannedResource[], changed?: Set<string>): Promise<Violation[]> {
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    const analyzed = resources.filter(isChecked);
    const violations: Violation[] = [];
    const collect = (response: any, urn?: string) => {
      for (const d of response.getDiagnosticsList()) {
        violations.push({ policy: d.getPolicyname(), enforcementLevel: LEVELS[d.getEnforcementlevel()], urn: d.getUrn() || urn || "", message: d.getMessage() });
      }
    };
    // Concurrent, as the engine analyzes resources as their steps come; reported in plan order.
    const toAnalyze = changed ? analyzed.filter((r) => changed.has(r.urn)) : analyzed;
    const responses = await Promise.all(
      toAnalyze.map((resource) => this.call("analyze", describeTo(new pb.AnalyzeRequest(), resource, byUrn, this.structs))),
    );
    responses.forEach((response, i) => collect(response, toAnalyze[i].urn));
    const request = new pb.AnalyzeStackRequest();
    request.setResourcesList(
      analyzed.map((resource) => {
        const r = describeTo(new pb.AnalyzerResource(), resource, byUrn, this.structs);
        if (resource.parent) r.setParent(resource.parent);
        r.setDependenciesList(resource.options.dependsOn);
        const dependencies = r.getPropertydependenciesMap();
        for (const [property, urns] of Object.entries(resource.options.propertyDependencies ?? {})) {
          const list = new pb.AnalyzerPropertyDependencies();
          list.setUrnsList(urns);
          dependencies.set(property, list);
        }
        return r;
      }),
    );
    collect(await this.call("analyzeStack", request));
    return violations;
  }

  close(): void {
    this.client.close();
    this.child.kill();
  }
}

/** Fills what an AnalyzeRequest and an AnalyzerResource share: the resource, its options and provider. */
function describeTo<T>(message: T, resource: PlannedResource, byUrn: Map<string, PlannedResource>, structs: StructCache): T {
  const m = message as any;
  m.setType(resource.type);
  m.setName(resource.name);
  m.setUrn(resource.urn);
  m.setProperties(structs.of(resource.inputs));
  m.setOptions(options(resource));
  const provider = providerOf(resource, byUrn, structs);
  if (provider) m.setProvider(provider);
  return message;
}

/**
 * Protobuf Structs of plain JSON (no undefined values, which Struct cannot hold), one per distinct
 * JSON text for a session: a resource goes out twice per analysis (Analyze, AnalyzeStack), its
 * provider's properties with every resource of that provider, and an unchanged resource again in
 * the next analysis; building Structs was most of the client's time. A message is never changed
 * once built, so requests share it.
 */
class StructCache {
  private readonly built = new Map<string, unknown>();

  of(value: Record<string, unknown>): unknown {
    const json = JSON.stringify(value);
    let message = this.built.get(json);
    if (message === undefined) this.built.set(json, (message = Struct.fromJavaScript(JSON.parse(json))));
    return message;
  }
}

function options(resource: PlannedResource): unknown {
  const o = new pb.AnalyzerResourceOptions();
  o.setProtect(resource.options.protect);
  o.setIgnorechangesList(resource.options.ignoreChanges);
  o.setDeletebeforereplace(resource.options.deleteBeforeReplace);
  o.setDeletebeforereplacedefined(resource.options.deleteBeforeReplace);
  o.setAdditionalsecretoutputsList(resource.options.additionalSecretOutputs);
  if (resource.parent) o.setParent(resource.parent);
  return o;
}

function providerOf(resource: PlannedResource, byUrn: Map<string, PlannedResource>, structs: StructCache): unknown {
  // A provider reference is "<urn>::<id>".
  const urn = resource.options.provider?.replace(/::[^:]*$/, "");
  const provider = urn ? byUrn.get(urn) : undefined;
  if (!provider) return undefined;
  const p = new pb.AnalyzerProviderResource();
  p.setType(provider.type);
  p.setName(provider.name);
  p.setUrn(provider.urn);
  p.setProperties(structs.of(provider.inputs));
  return p;
}
