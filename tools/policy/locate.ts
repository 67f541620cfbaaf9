/**
 * Where in the stack file a policy violation is caused: the line of the setting that produces the
 * violating value, found with the yaml document's source ranges; where no single setting is to
 * blame (or the setting is left at its default), the line of the entry of the service, data
 * service or area the resource belongs to. Pure.
 */
import { isMap, isScalar, LineCounter, parseDocument, type Node, type Pair } from "yaml";
import { NAMESPACE } from "../../config";
import { COLOR_LABEL } from "../../policies/contract";
import type { Plan, PlannedResource } from "../render-stack";
import type { Violation } from "./analyzer";

/** A place in a file, 1-based, as annotations and SARIF take it. */
export interface SourceLocation {
  file: string;
  line: number;
  column: number;
  /** The stack setting found there, as `mcp-platform:services.worker.replicas`. */
  setting: string;
}

/** The stack file a plan was rendered from: its path as reports name it, and its text. */
export interface StackFile {
  file: string;
  text: string;
}

type SettingPath = string[];

/** The config entry a component renders, by its type (and name). */
const ENTRIES: Record<string, (name: string) => SettingPath> = {
  "mcp-platform:app:AppService": (name) => ["services", name],
  "mcp-platform:app:AppSecrets": () => ["secrets"],
  "mcp-platform:data:Postgres": () => ["postgres"],
  "mcp-platform:data:Redis": (name) => ["redis", name.replace(/^redis-/, "")],
  "mcp-platform:edge:Edge": () => ["edge"],
  "mcp-platform:monitoring:Monitoring": () => ["monitoring"],
  "mcp-platform:monitoring:MonitoringStack": () => ["monitoring"],
  "mcp-platform:backup:BackupStorage": () => ["backups"],
  "mcp-platform:backup:BackupJobs": () => ["backups", "jobs"],
  "mcp-platform:platform:ClusterAddons": () => ["clusterAddons"],
  "mcp-platform:platform:StackNamespace": () => ["namespace"],
  "mcp-platform:storage:Volumes": () => ["volumes"],
};

interface Culprit {
  /** The entry of what the resource belongs to (services.api, postgres, ...). */
  entry: SettingPath;
  /** The blue-green colour of a workload's pods. */
  color?: string;
}

/**
 * Per policy, the settings that cause its violations, most specific first: relative to the
 * entry, or from the top of the config when they start with "/". The first one the stack file
 * sets is the line; when it sets none of them, the entry's line.
 */
const SETTINGS: Record<string, (culprit: Culprit) => string[]> = {
  "replicas-minimum": () => ["autoscaling.minReplicas", "replicas", "instances"],
  "autoscaling-bounds": () => ["autoscaling.minReplicas", "autoscaling"],
  "container-resources": () => ["resources", "jobs.resources"],
  "container-probes": () => ["probes"],
  "image-pinned": ({ color }) => [...(color ? [`blueGreen.${color}.image`] : []), "image", "imageName", "jobs.image", "stack.version"],
  "pod-security-restricted": () => ["runAsUser"],
  "no-secret-literals": () => ["env"],
  "not-default-namespace": () => ["/namespace"],
  "pod-disruption-budget": () => ["disruptionMaxUnavailable", "replicas"],
  "topology-spread": () => ["topologySpread", "antiAffinity"],
  "rolling-update-zero-downtime": () => ["maxSurge"],
  "service-exposure": () => ["port"],
  "edge-tls": () => ["/edge.tls", "/edge"],
  "backup-configured-and-verified": () => ["/backups", "/postgres"],
  "pre-release-backup": () => ["/backups.preReleaseBackup", "/backups"],
  "rollback-ready": () => ["blueGreen.standbyScale", "blueGreen"],
  "monitoring-alerts-active": () => ["/monitoring"],
  "alert-receivers-configured": () => ["/monitoring.alerting", "/monitoring"],
  "capacity-plan": () => ["/capacity", "/quota"],
  "capacity-plan-warning": () => ["/capacity", "/quota"],
  "s3-retention": () => ["/backups.retention"],
  "s3-replication": () => ["/backups.drBucket", "/backups"],
};

/** What a resource belongs to: the nearest component of the program above it, and its pods' colour. */
function culpritOf(resource: PlannedResource, byUrn: Map<string, PlannedResource>): Culprit | undefined {
  const labels = (resource.inputs as { spec?: { template?: { metadata?: { labels?: Record<string, string> } } } }).spec?.template?.metadata?.labels;
  for (let r: PlannedResource | undefined = resource; r; r = r.parent ? byUrn.get(r.parent) : undefined) {
    const entry = ENTRIES[r.type]?.(r.name);
    if (entry) return { entry, color: labels?.[COLOR_LABEL] };
  }
  return undefined;
}

/** The line of a stack file where a violation's cause is set; its `config:` line when nothing more precise is there. */
export function locateViolation(violation: Violation, plan: Plan, stackFile: StackFile): SourceLocation | undefined {
  const byUrn = new Map(plan.resources.map((r) => [r.urn, r]));
  const resource = byUrn.get(violation.urn);
  const culprit = (resource && culpritOf(resource, byUrn)) ?? { entry: [] };
  const candidates = (SETTINGS[violation.policy]?.(culprit) ?? []).map((setting) =>
    setting.startsWith("/") ? setting.slice(1).split(".") : [...culprit.entry, ...setting.split(".")],
  );
  const lines = new LineCounter();
  const doc = parseDocument(stackFile.text, { lineCounter: lines });
  for (const setting of [...candidates, culprit.entry].filter((p) => p.length > 0)) {
    const key = settingKey(doc.contents, setting);
    if (key) {
      const { line, col } = lines.linePos(key.range![0]);
      return { file: stackFile.file, line, column: col, setting: `${NAMESPACE}:${setting.join(".")}` };
    }
  }
  const config = pairOf(doc.contents, "config")?.key as Node | undefined;
  if (!config) return undefined;
  const { line, col } = lines.linePos(config.range![0]);
  return { file: stackFile.file, line, column: col, setting: "config" };
}

/** The key node of a setting under `config:`, its top-level key namespaced or not. */
function settingKey(contents: unknown, [top, ...rest]: SettingPath): Node | undefined {
  const config = pairOf(contents, "config")?.value;
  const first = pairOf(config, `${NAMESPACE}:${top}`) ?? pairOf(config, top);
  let pair = first;
  for (const part of rest) {
    const next = pairOf(pair?.value, part);
    if (!next) return undefined;
    pair = next;
  }
  return pair?.key as Node | undefined;
}

function pairOf(node: unknown, key: string): Pair | undefined {
  if (!isMap(node)) return undefined;
  return node.items.find((item) => isScalar(item.key) && String(item.key.value) === key) as Pair | undefined;
}
