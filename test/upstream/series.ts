/**
 * Input series for promtool tests, as the exporters really expose them: `series(exporter, name,
 * labels)` names a metric of the exporter's catalogue at the version the production stack pins,
 * and every label it is given must be the metric's own or one its scrape adds. Tests of the rules
 * then feed what Prometheus would really store, not the rules' own picture of it; `checkSeries`
 * fails on any series that is not so (a wrong name cannot hide in a fixture).
 */
import { parsePlatformConfig, rawPlatformConfig } from "../../config";
import { loadStackConfig } from "../../tools/stack-config";
import { PROJECT_DIR } from "../harness";
import { metricCatalogue, unusable } from "./facts";
import { cataloguesOf } from "./pins";

interface Used {
  exporter: string;
  name: string;
  labels: string[];
}

const used: Used[] = [];

/** `name{label="value",...}` for promtool's input_series. */
export function series(exporter: string, name: string, labels: Record<string, string>): string {
  used.push({ exporter, name, labels: Object.keys(labels) });
  return `${name}{${Object.entries(labels)
    .map(([k, v]) => `${k}="${v}"`)
    .join(",")}}`;
}

/** Every series made so far, checked against the catalogues; `addedLabels`: what the stack's scrape configuration adds (from its rendered monitors). */
export function checkSeries(addedLabels: Set<string>, scrapeLabels: string[]): string[] {
  const parsed = parsePlatformConfig(rawPlatformConfig(loadStackConfig(PROJECT_DIR, "production").config));
  if (!parsed.ok) throw new Error(parsed.errors.join("\n"));
  const refs = cataloguesOf(parsed.config);
  return used.flatMap(({ exporter, name, labels }) => {
    const ref = refs.find((r) => r.exporter === exporter);
    if (!ref) return [`${name}: the production stack pins no ${exporter}`];
    const fact = metricCatalogue(ref.exporter, ref.version).metrics.get(name);
    if (!fact) return [`${name}: not exposed by ${exporter} ${ref.version}`];
    if (unusable(fact)) return [`${name}: ${unusable(fact)}`];
    const allowed = new Set([...(fact.labels ?? labels), ...scrapeLabels, ...addedLabels]);
    return labels.filter((l) => !allowed.has(l)).map((l) => `${name}{${l}}: ${exporter} ${ref.version} has no label ${l} and no scrape adds it`);
  });
}
