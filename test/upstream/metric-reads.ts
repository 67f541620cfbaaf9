/**
 * Every metric a stack's alerts, recording rules and dashboards read, checked against what really
 * produces it: the exporters' catalogues at the versions the stack pins (../shared/upstream), the
 * stack's own recording rules, its CloudNativePG custom queries (named by the operator's rule), and
 * the application's own metrics as the stack declares them.
 */
import { parse } from "yaml";
import type { PlatformConfig } from "../../config";
import type { K8sObject } from "../harness";
import { metricCatalogue, unusable, type MetricFact } from "./facts";
import { cataloguesOf } from "./pins";
import { selectorsOf } from "./promql";

/** A PromQL expression the stack ships, and where: "PrometheusRule/mcp-platform AppErrorRate", "dashboard panel Latency". */
export interface MetricRead {
  where: string;
  expr: string;
}

/** Labels Prometheus itself and the prometheus-operator put on every scraped series (job, instance; namespace, pod, container, endpoint, service). */
export const SCRAPE_LABELS = ["job", "instance", "namespace", "pod", "container", "endpoint", "service"];

export function readsOf(objects: Map<string, K8sObject>): MetricRead[] {
  const reads: MetricRead[] = [];
  for (const [id, o] of objects) {
    if (o.kind === "PrometheusRule") {
      for (const group of o.spec.groups as { rules: { alert?: string; record?: string; expr: string }[] }[]) {
        for (const rule of group.rules) reads.push({ where: `${id} ${rule.alert ?? rule.record}`, expr: rule.expr });
      }
    }
    if (o.kind === "ConfigMap" && o.metadata.labels?.grafana_dashboard) {
      for (const json of Object.values(o.data as Record<string, string>)) {
        for (const panel of JSON.parse(json).panels as { title: string; targets: { expr: string }[] }[]) {
          for (const target of panel.targets) reads.push({ where: `${id} panel "${panel.title}"`, expr: target.expr });
        }
      }
    }
  }
  return reads;
}

/**
 * Metric names CloudNativePG derives from a custom queries file: cnpg_<query>_<column> (or the
 * `name:` fields), DURATION columns + _milliseconds, HISTOGRAM columns as _bucket/_sum/_count,
 * LABEL columns become labels (the rule in metrics/cloudnative-pg@1.30.0.json `naming`).
 */
export function customQueryMetrics(queriesYaml: string): Map<string, string[]> {
  const metrics = new Map<string, string[]>();
  const queries = parse(queriesYaml) as Record<string, { name?: string; metrics: Record<string, { usage: string; name?: string }>[] }>;
  for (const [queryKey, query] of Object.entries(queries)) {
    const columns = query.metrics.flatMap((m) => Object.entries(m));
    const labels = columns.filter(([, c]) => c.usage === "LABEL").map(([column, c]) => c.name ?? column);
    for (const [column, c] of columns) {
      const base = `cnpg_${query.name ?? queryKey}_${c.name ?? column}`;
      if (c.usage === "LABEL" || c.usage === "DISCARD") continue;
      if (c.usage === "DURATION") metrics.set(`${base}_milliseconds`, labels);
      else if (c.usage === "HISTOGRAM") for (const suffix of ["_bucket", "_sum", "_count"]) metrics.set(base + suffix, suffix === "_bucket" ? [...labels, "le"] : labels);
      else metrics.set(base, labels);
    }
  }
  return metrics;
}

export interface Producers {
  /** Name -> fact, from the catalogues of the exporters the stack pins. */
  exported: Map<string, MetricFact & { source: string }>;
  recorded: Set<string>;
  /** The stack's CloudNativePG custom queries and other series of its own, with their labels. */
  own: Map<string, string[] | null>;
  /** Labels the stack's own scrape configuration adds (PodMonitor relabelings, Probe static labels). */
  addedLabels: Set<string>;
}

export function producersOf(config: PlatformConfig, objects: Map<string, K8sObject>, extra: Map<string, string[] | null> = new Map()): Producers {
  const exported = new Map<string, MetricFact & { source: string }>();
  for (const ref of cataloguesOf(config)) {
    const catalogue = metricCatalogue(ref.exporter, ref.version);
    for (const [name, fact] of catalogue.metrics) exported.set(name, { ...fact, source: `${ref.exporter}@${ref.version}` });
  }
  const recorded = new Set<string>();
  const own = new Map<string, string[] | null>(extra);
  const addedLabels = new Set<string>();
  for (const o of objects.values()) {
    if (o.kind === "PrometheusRule") for (const g of o.spec.groups as { rules: { record?: string }[] }[]) for (const r of g.rules) if (r.record) recorded.add(r.record);
    if (o.kind === "Cluster" && o.apiVersion.startsWith("postgresql.cnpg.io/")) {
      for (const ref of (o.spec.monitoring?.customQueriesConfigMap ?? []) as { name: string; key: string }[]) {
        const configMap = objects.get(`ConfigMap/${ref.name}`);
        if (!configMap) throw new Error(`Cluster/${o.metadata.name} names custom queries in ConfigMap/${ref.name}, which the stack does not create`);
        for (const [name, labels] of customQueryMetrics(configMap.data[ref.key])) own.set(name, labels);
      }
    }
    if (o.kind === "PodMonitor") for (const e of o.spec.podMetricsEndpoints as { relabelings?: { targetLabel?: string }[] }[]) for (const r of e.relabelings ?? []) if (r.targetLabel) addedLabels.add(r.targetLabel);
    if (o.kind === "Probe") for (const label of Object.keys(o.spec.targets?.staticConfig?.labels ?? {})) addedLabels.add(label);
  }
  // The application's own metrics, as the stack declares them (monitoring.metrics): histograms expand.
  const m = config.monitoring.metrics;
  own.set(m.requests, null);
  for (const suffix of ["_bucket", "_sum", "_count"]) own.set(`${m.duration}${suffix}`, null);
  return { exported, recorded, own, addedLabels };
}

/** Problems of one expression: a metric nothing produces, or one read by a label it does not carry. */
export function problemsOf(read: MetricRead, producers: Producers): string[] {
  const problems: string[] = [];
  for (const selector of selectorsOf(read.expr)) {
    const name = selector.metric;
    if (!name) {
      problems.push(`${read.where}: reads ${selector.text}, a selector without a metric name that no catalogue can vouch for`);
      continue;
    }
    if (producers.recorded.has(name)) continue;
    const ownLabels = producers.own.get(name);
    const fact = producers.exported.get(name);
    if (!fact && ownLabels === undefined) {
      problems.push(`${read.where}: reads ${name}, which no exporter the stack pins exposes and no rule of the stack records`);
      continue;
    }
    if (fact && unusable(fact)) {
      problems.push(`${read.where}: reads ${name} (${fact.source}), ${unusable(fact)}`);
      continue;
    }
    const labels = fact ? fact.labels : ownLabels!;
    if (labels === null) continue;
    const allowed = new Set([...labels, ...SCRAPE_LABELS, ...producers.addedLabels]);
    for (const label of selector.labels.filter((l) => !allowed.has(l))) {
      problems.push(`${read.where}: reads ${name}{${label}=...}, a label ${fact ? fact.source : "the stack's own series"} does not put on it (it has: ${labels.join(", ") || "none"})`);
    }
  }
  return problems;
}
