/**
 * Validation of a whole stack's configuration: the schema, then the rules that span keys
 * (image pinning per environment, references between services and secrets, resource ceilings,
 * quota). Every problem becomes one line naming the key path, what was expected and what was given.
 */
import { z } from "zod";
import { PlatformSchema, type Image, type PlatformParsed, type Resources, type ServiceConfig } from "./schema";
import { pinningProblem, postgresMajor, type ImagePinning } from "./image";
import { quantity } from "./quantity";
import { repeats } from "./primitives";
import { capacityBudget, plannedTenants, totalDemand, type Demand } from "./capacity";
import { tenantProblems } from "./tenant-rules";
import type { DataUse } from "./data";
import { RULES } from "./rules";

export const NAMESPACE = "mcp-platform";
/**
 * The only settings that take a `secure:` value: credentials the program hands to a provider wrapped
 * as Pulumi secrets and never renders into an object, env var or file. Every other setting is
 * refused as secure, since the stack would render it in plain text.
 */
export const SECRET_SETTINGS: readonly string[] = ["identityClientSecret"];

/** Why a SECRET_SETTINGS key (`mcp-platform:<setting>`) given as a plain, non-empty value is refused: the stack file would hold the credential unencrypted. */
export const plainSecretProblem = (key: string) =>
  `${key}: a plain value, but it is a secret the stack file must hold encrypted: run pulumi config set --secret ${key} <value>`;

/** The validated configuration with every default resolved. */
export type PlatformConfig = Omit<PlatformParsed, "namespace" | "imagePinning"> & {
  namespace: string;
  imagePinning: ImagePinning;
};

export type Problem = { path: PropertyKey[]; message: string };

export type ParseResult = { ok: true; config: PlatformConfig } | { ok: false; errors: string[] };

/** Invalid configuration: a heading, then one indented line per problem (the layout every command prints). */
export class ConfigError extends Error {
  constructor(
    readonly errors: string[],
    heading = "invalid stack configuration",
  ) {
    super(`${heading}:\n${errors.map((error) => `  ${error}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

/** Validates raw configuration (top-level keys without the namespace prefix). Pure. */
export function parsePlatformConfig(raw: Record<string, unknown>): ParseResult {
  const parsed = PlatformSchema.safeParse(raw);
  if (!parsed.success) {
    return { ok: false, errors: parsed.error.issues.flatMap((issue) => describeIssue(issue, raw)) };
  }
  const config = resolveDefaults(parsed.data);
  const problems = crossKeyProblems(config);
  if (problems.length > 0) {
    return { ok: false, errors: problems.map((p) => `${keyPath(p.path)}: ${p.message}; got ${given(raw, p.path)}`) };
  }
  return { ok: true, config };
}

/** Like parsePlatformConfig, but throws a ConfigError. */
export function requirePlatformConfig(raw: Record<string, unknown>): PlatformConfig {
  const result = parsePlatformConfig(raw);
  if (!result.ok) throw new ConfigError(result.errors);
  return result.config;
}

function resolveDefaults(parsed: PlatformParsed): PlatformConfig {
  const production = parsed.environment === "production";
  return {
    ...parsed,
    namespace: parsed.namespace ?? `mcp-${parsed.environment}`,
    imagePinning: parsed.imagePinning ?? (production ? "digest" : "tag"),
  };
}

/** The configurable containers of the data services, with their key paths. */
function dataContainers(config: PlatformConfig): { path: string[]; resources: Resources }[] {
  const found: { path: string[]; resources: Resources }[] = [];
  if (config.postgres) found.push({ path: ["postgres", "resources"], resources: config.postgres.resources });
  if (config.edge) found.push({ path: ["edge", "resources"], resources: config.edge.resources });
  if (config.backups) found.push({ path: ["backups", "jobs", "resources"], resources: config.backups.jobs.resources });
  for (const role of ["cache", "queue"] as const) {
    const settings = config.redis?.[role];
    if (settings) found.push({ path: ["redis", role, "resources"], resources: settings.resources });
  }
  return found;
}

/** Every image a service runs, with its key path. */
export function serviceImages(svc: ServiceConfig): { path: string[]; image: Image }[] {
  if (svc.blueGreen) {
    return [
      { path: ["blueGreen", "blue", "image"], image: svc.blueGreen.blue.image },
      { path: ["blueGreen", "green", "image"], image: svc.blueGreen.green.image },
    ];
  }
  return svc.image ? [{ path: ["image"], image: svc.image }] : [];
}

function crossKeyProblems(config: PlatformConfig): Problem[] {
  const problems: Problem[] = [];
  if (config.environment === "production" && config.imagePinning === "tag") {
    problems.push({ path: ["imagePinning"], message: 'production needs "digest" or "immutable-tag"' });
  }
  const maxCpu = quantity(config.containerLimits.max.cpu);
  const maxMemory = quantity(config.containerLimits.max.memory);
  for (const [name, svc] of Object.entries(config.services)) {
    const at = (...rest: PropertyKey[]) => ["services", name, ...rest];
    for (const { path, image } of serviceImages(svc)) {
      const problem = pinningProblem(image, config.imagePinning);
      if (problem) problems.push({ path: at(...path), message: problem });
    }
    svc.connectsTo.forEach((target, i) => {
      const other = config.services[target];
      if (target === name) problems.push({ path: at("connectsTo", i), message: "a service need not list itself" });
      else if (!other) {
        problems.push({ path: at("connectsTo", i), message: `no service "${target}" (services: ${Object.keys(config.services).join(", ")})` });
      } else if (other.port === undefined) {
        problems.push({ path: at("connectsTo", i), message: `service "${target}" has no port to connect to` });
      }
    });
    for (const [variable, value] of Object.entries(svc.env)) {
      if (typeof value === "object" && "secret" in value && !config.secrets.generated[value.secret]) {
        const known = Object.keys(config.secrets.generated);
        problems.push({
          path: at("env", variable, "secret"),
          message: `no generated secret "${value.secret}": add it under mcp-platform:secrets.generated${known.length ? ` (have: ${known.join(", ")})` : ""}`,
        });
      }
    }
    problems.push(...mountProblems(config, svc).map((p) => ({ ...p, path: at(...p.path) })));
    svc.uses.forEach((use, i) => {
      const missing = missingDataService(config, use);
      if (missing) problems.push({ path: at("uses", i), message: missing });
    });
    if (svc.uses.includes("postgres") && svc.uses.includes("postgres-pooled")) {
      problems.push({ path: at("uses"), message: "use postgres or postgres-pooled, not both (they set the same DATABASE_* variables)" });
    }
    const { limits } = svc.resources;
    if (svc.blueGreen?.canaryWeight && !config.edge?.routes.some((route) => route.service === name)) {
      problems.push({ path: at("blueGreen", "canaryWeight"), message: "the canary split happens at the edge: route this service in mcp-platform:edge.routes, or set 0" });
    }
    if (quantity(limits.cpu) > maxCpu) {
      problems.push({ path: at("resources", "limits", "cpu"), message: `above containerLimits.max.cpu (${config.containerLimits.max.cpu})` });
    }
    if (quantity(limits.memory) > maxMemory) {
      problems.push({
        path: at("resources", "limits", "memory"),
        message: `above containerLimits.max.memory (${config.containerLimits.max.memory})`,
      });
    }
  }
  config.edge?.routes.forEach((route, i) => {
    const target = config.services[route.service];
    if (!target) {
      problems.push({ path: ["edge", "routes", i, "service"], message: `no service "${route.service}" (services: ${Object.keys(config.services).join(", ")})` });
    } else if (target.port === undefined) {
      problems.push({ path: ["edge", "routes", i, "service"], message: `service "${route.service}" has no port to route to` });
    }
  });
  if (config.postgres?.restoreFrom && !config.backups) {
    problems.push({ path: ["postgres", "restoreFrom"], message: "needs mcp-platform:backups (the bucket to restore from)" });
  }
  problems.push(...backupProblems(config));
  for (const { path, resources } of dataContainers(config)) {
    if (quantity(resources.limits.cpu) > maxCpu) {
      problems.push({ path: [...path, "limits", "cpu"], message: `above containerLimits.max.cpu (${config.containerLimits.max.cpu})` });
    }
    if (quantity(resources.limits.memory) > maxMemory) {
      problems.push({ path: [...path, "limits", "memory"], message: `above containerLimits.max.memory (${config.containerLimits.max.memory})` });
    }
  }
  if (config.quota) problems.push(...quotaProblems(config.quota, totalDemand(config)));
  problems.push(...capacityProblems(config));
  problems.push(...tenantProblems(config));
  problems.push(...ephemeralStorageProblems(config));
  for (const rule of RULES) problems.push(...rule.check(config));
  return problems;
}

/**
 * Node-local disk: a pod's emptyDirs count against the sum of its containers' ephemeral-storage
 * limits, past which the kubelet evicts it; so what a pod's emptyDirs may hold must fit the limit.
 */
function ephemeralStorageProblems(config: PlatformConfig): Problem[] {
  const problems: Problem[] = [];
  const max = quantity(config.containerLimits.max.ephemeralStorage);
  for (const [name, svc] of Object.entries(config.services)) {
    const dirs = 1 + svc.writablePaths.length;
    const limit = svc.resources.limits.ephemeralStorage;
    if (dirs * quantity(svc.writableSize) > quantity(limit)) {
      problems.push({
        path: ["services", name, "resources", "limits", "ephemeralStorage"],
        message: `below what /tmp and the writable paths may hold (${dirs} x writableSize ${svc.writableSize}): the kubelet would evict the pod first; raise it or lower writableSize`,
      });
    }
    if (quantity(limit) > max) problems.push({ path: ["services", name, "resources", "limits", "ephemeralStorage"], message: `above containerLimits.max.ephemeralStorage (${config.containerLimits.max.ephemeralStorage})` });
  }
  const jobs = config.backups?.jobs;
  if (jobs && quantity(jobs.scratchSize) > quantity(jobs.resources.limits.ephemeralStorage)) {
    problems.push({
      path: ["backups", "jobs", "resources", "limits", "ephemeralStorage"],
      message: `below jobs.scratchSize (${jobs.scratchSize}), the emptyDir the jobs work in: the kubelet would evict them mid-backup; raise it`,
    });
  }
  if (jobs && quantity(jobs.resources.limits.ephemeralStorage) > max) {
    problems.push({ path: ["backups", "jobs", "resources", "limits", "ephemeralStorage"], message: `above containerLimits.max.ephemeralStorage (${config.containerLimits.max.ephemeralStorage})` });
  }
  return problems;
}

/** CAP-4: tenants listed once, and a database volume that holds the plan's database budget. */
function capacityProblems(config: PlatformConfig): Problem[] {
  const plan = config.capacity;
  if (!plan) return [];
  const problems: Problem[] = [];
  const listed = plan.tenants ?? [];
  for (const i of repeats(listed)) problems.push({ path: ["capacity", "tenants", i], message: `tenant "${listed[i]}" is listed twice` });
  if (config.tenants && plan.tenants) {
    problems.push({ path: ["capacity", "tenants"], message: "the plan counts the tenants of mcp-platform:tenants: remove capacity.tenants (one list of tenants, not two)" });
  } else if (!config.tenants && !plan.tenants) {
    problems.push({ path: ["capacity", "tenants"], message: "the plan needs its tenants: onboard them under mcp-platform:tenants, or list them here" });
  }
  const tenants = plannedTenants(plan, config.tenants);
  const database = capacityBudget(plan, tenants).database;
  if (config.postgres && quantity(config.postgres.storage.size) < database) {
    problems.push({
      path: ["postgres", "storage", "size"],
      message: `below the capacity plan's database budget for ${tenants.length} tenants (capacity.base.database + each tenant's database figure, capacity.perTenant.database unless its quota sets one = ${round(database / 2 ** 30)}Gi, CAP-4); raise it`,
    });
  }
  return problems;
}

/** A service's mounts name declared volumes, each at a path of its own (relative to the service's key). */
function mountProblems(config: PlatformConfig, svc: ServiceConfig): Problem[] {
  const problems: Problem[] = [];
  const paths = new Map<string, string>([["/tmp", "the writable /tmp"], ...svc.writablePaths.map((p, i): [string, string] => [p, `writablePaths[${i}]`])]);
  svc.mounts.forEach((mount, i) => {
    if (!config.volumes[mount.volume]) {
      const known = Object.keys(config.volumes);
      problems.push({ path: ["mounts", i, "volume"], message: `no volume "${mount.volume}": declare it under mcp-platform:volumes${known.length ? ` (have: ${known.join(", ")})` : ""}` });
    }
    const taken = paths.get(mount.path);
    if (taken) problems.push({ path: ["mounts", i, "path"], message: `${mount.path} is already ${taken}: mount each volume at a path of its own` });
    paths.set(mount.path, `mounts[${i}]`);
  });
  return problems;
}

function missingDataService(config: PlatformConfig, use: DataUse): string | undefined {
  switch (use) {
    case "postgres":
      return config.postgres ? undefined : "needs mcp-platform:postgres to be configured";
    case "postgres-pooled":
      return config.postgres?.pooler ? undefined : "needs mcp-platform:postgres.pooler to be configured";
    case "redis-cache":
      return config.redis?.cache ? undefined : "needs mcp-platform:redis.cache to be configured";
    case "redis-queue":
      return config.redis?.queue ? undefined : "needs mcp-platform:redis.queue to be configured";
  }
}

function backupProblems(config: PlatformConfig): Problem[] {
  const backups = config.backups;
  if (!backups) return [];
  const problems: Problem[] = [];
  if (!config.postgres) problems.push({ path: ["backups"], message: "backs up Postgres: add mcp-platform:postgres, or remove mcp-platform:backups" });
  // A built image is pinned by the digest the push returns.
  const pinning = !backups.jobs.build && pinningProblem(backups.jobs.image, config.imagePinning);
  if (pinning) problems.push({ path: ["backups", "jobs", "image"], message: pinning });
  if (backups.jobs.build && !backups.jobs.image.tag) {
    problems.push({ path: ["backups", "jobs", "image", "tag"], message: "build: true pushes under a tag: set one (e.g. the PostgreSQL major, \"17-1\")" });
  }
  if (backups.jobs.build && config.postgres && !postgresMajor(config.postgres.imageName)) {
    problems.push({ path: ["postgres", "imageName"], message: "backups.jobs.build needs the PostgreSQL major version from this image's tag (e.g. :17.5)" });
  }
  for (const i of repeats(backups.volumes.map((v) => v.claim))) {
    problems.push({ path: ["backups", "volumes", i, "claim"], message: `"${backups.volumes[i].claim}" is listed twice` });
  }
  return problems;
}

function quotaProblems(quota: NonNullable<PlatformConfig["quota"]>, demand: Demand): Problem[] {
  const checks: [keyof Demand, number, string][] = [
    ["pods", quota.pods, String(demand.pods)],
    ["cpuRequests", quantity(quota.cpuRequests), `${round(demand.cpuRequests)} CPU`],
    ["memoryRequests", quantity(quota.memoryRequests), `${round(demand.memoryRequests / 2 ** 30)}Gi`],
    ["cpuLimits", quantity(quota.cpuLimits), `${round(demand.cpuLimits)} CPU`],
    ["memoryLimits", quantity(quota.memoryLimits), `${round(demand.memoryLimits / 2 ** 30)}Gi`],
  ];
  return checks
    .filter(([key, allowed]) => demand[key] > allowed + 1e-9)
    .map(([key, , needed]) => ({
      path: ["quota", key],
      message: `too small for a release: the stack may need ${needed} (every colour at full scale, at max replicas, plus surge, migrations, the data services and the backup jobs); raise it or lower replicas`,
    }));
}

const round = (n: number) => Math.round(n * 100) / 100;

/** `mcp-platform:services.api.resources.limits.cpu`, `...egress[0].cidr`. */
export function keyPath(path: readonly PropertyKey[]): string {
  const [top, ...rest] = path;
  const tail = rest
    .map((part) =>
      typeof part === "number" ? `[${part}]` : /^[A-Za-z_][\w-]*$/.test(String(part)) ? `.${String(part)}` : `[${JSON.stringify(String(part))}]`,
    )
    .join("");
  return `${NAMESPACE}:${top === undefined ? "" : String(top)}${tail}`;
}

function valueAt(raw: unknown, path: readonly PropertyKey[]): unknown {
  let value = raw;
  for (const part of path) {
    if (value === null || typeof value !== "object") return undefined;
    value = (value as Record<PropertyKey, unknown>)[part];
  }
  return value;
}

function given(raw: unknown, path: readonly PropertyKey[]): string {
  const value = valueAt(raw, path);
  if (value === undefined) return "nothing (the key is not set)";
  const text = JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function describeIssue(issue: z.core.$ZodIssue, raw: unknown): string[] {
  const line = (path: readonly PropertyKey[], expected: string) => `${keyPath(path)}: ${expected}; got ${given(raw, path)}`;
  switch (issue.code) {
    case "unrecognized_keys":
      return issue.keys.map((key) => {
        const known = knownKeys(issue.path);
        const hint = closest(key, known);
        return `${keyPath([...issue.path, key])}: unknown key${hint ? `; did you mean "${hint}"?` : ""} (known here: ${known.join(", ")})`;
      });
    case "invalid_type":
      return [line(issue.path, `expected ${issue.expected === "int" ? "a whole number" : `a value of type ${issue.expected}`}`)];
    case "invalid_value":
      return [line(issue.path, `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}`)];
    case "too_small":
      return [line(issue.path, `expected ${issue.origin === "array" ? `at least ${issue.minimum} item(s)` : issue.origin === "string" ? `at least ${issue.minimum} character(s)` : `a value >= ${issue.minimum}`}`)];
    case "too_big":
      return [line(issue.path, `expected ${issue.origin === "string" ? `at most ${issue.maximum} characters` : issue.origin === "array" ? `at most ${issue.maximum} item(s)` : `a value <= ${issue.maximum}`}`)];
    case "invalid_format":
      return [line(issue.path, `expected ${issue.message.startsWith("Invalid") ? issue.format : issue.message}`)];
    case "invalid_key":
      return [`${keyPath(issue.path)}: expected the name to be ${issue.issues.map((i) => i.message).join("; ")}; got ${JSON.stringify(issue.path[issue.path.length - 1])}`];
    case "invalid_union":
      return [line(issue.path, `expected ${issue.message}`)];
    default:
      return [line(issue.path, issue.message)];
  }
}

/** Keys the schema allows at a path (for "did you mean"). */
function knownKeys(path: readonly PropertyKey[]): string[] {
  let schema: z.core.$ZodType = PlatformSchema;
  for (const part of path) {
    const inner = unwrap(schema);
    if (inner instanceof z.ZodObject) schema = inner.shape[String(part)];
    else if (inner instanceof z.ZodRecord) schema = inner.valueType as z.core.$ZodType;
    else if (inner instanceof z.ZodArray) schema = inner.element as z.core.$ZodType;
    else return [];
    if (!schema) return [];
  }
  const inner = unwrap(schema);
  return inner instanceof z.ZodObject ? Object.keys(inner.shape) : [];
}

function unwrap(schema: z.core.$ZodType): z.core.$ZodType {
  let current = schema;
  for (;;) {
    if (current instanceof z.ZodOptional || current instanceof z.ZodDefault || current instanceof z.ZodPrefault) {
      current = current.unwrap() as z.core.$ZodType;
    } else if (current instanceof z.ZodPipe) {
      current = current.out as z.core.$ZodType;
    } else return current;
  }
}

/** The known key nearest to a typo, if it is near enough to be a likely meaning. */
export function closest(word: string, candidates: string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const d = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  return bestDistance <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}
