/**
 * Upstream facts (../shared/upstream, never edited): the metrics each exporter really exposes at a
 * version, and the value keys each Helm chart accepts at a version. Tests take their expectations
 * from here, never from the program's own constants. Formats: ../shared/upstream/README.md.
 */
import * as fs from "fs";
import * as path from "path";

export const UPSTREAM_DIR = path.resolve(process.env.MCP_UPSTREAM_DIR ?? path.join(__dirname, "..", "..", "..", "shared", "upstream"));

/** A fact the tests need is not in ../shared/upstream: the message names the file to add. */
export class MissingFact extends Error {}

export function upstreamAvailable(): boolean {
  const present = fs.existsSync(path.join(UPSTREAM_DIR, "metrics"));
  if (!present && process.env.CI) throw new Error(`upstream facts not found at ${UPSTREAM_DIR}: CI needs them (set MCP_UPSTREAM_DIR to the shared/upstream folder)`);
  return present;
}

export interface MetricFact {
  name: string;
  type: string;
  /** null: the label names could not be read from the definition. */
  labels: string[] | null;
  note?: string;
  deprecated?: boolean;
  not_set_for?: string;
  use_instead?: string;
  dropped_by_stack?: string;
}

export interface MetricCatalogue {
  exporter: string;
  version: string;
  file: string;
  metrics: Map<string, MetricFact>;
  /** The file's own notes on how the stack's monitoring scrapes it. */
  scrape?: string;
}

const catalogues = new Map<string, MetricCatalogue>();

/** `metrics/<exporter>@<version>.json`, or MissingFact naming it. */
export function metricCatalogue(exporter: string, version: string): MetricCatalogue {
  const file = path.join(UPSTREAM_DIR, "metrics", `${exporter}@${version}.json`);
  const cached = catalogues.get(file);
  if (cached) return cached;
  if (!fs.existsSync(file)) throw new MissingFact(`no metric catalogue for ${exporter} ${version}: add ${path.relative(process.cwd(), file)}`);
  const json = JSON.parse(fs.readFileSync(file, "utf8")) as { metrics: MetricFact[]; scrape?: string };
  const catalogue = { exporter, version, file, metrics: new Map(json.metrics.map((m) => [m.name, m])), scrape: json.scrape };
  catalogues.set(file, catalogue);
  return catalogue;
}

/** Why a catalogued metric must not be read anyway: deprecated (with what to use instead) or dropped before storage. */
export function unusable(metric: MetricFact): string | undefined {
  if (metric.deprecated) return `deprecated: not set for ${metric.not_set_for ?? "this setup"}; use ${metric.use_instead ?? "another metric"}`;
  if (metric.dropped_by_stack) return `dropped before storage: ${metric.dropped_by_stack}`;
  return undefined;
}

export interface ChartFacts {
  chart: string;
  version: string;
  dir: string;
  keys: Set<string>;
  /** Paths the templates read; `toYaml` ones pass everything below them through. */
  templateRefs: Map<string, string[]>;
  schema?: Record<string, unknown>;
}

const charts = new Map<string, ChartFacts>();

/** `charts/<chart>@<version>/`, or MissingFact naming it. */
export function chartFacts(chart: string, version: string): ChartFacts {
  const dir = path.join(UPSTREAM_DIR, "charts", `${chart}@${version}`);
  const cached = charts.get(dir);
  if (cached) return cached;
  if (!fs.existsSync(path.join(dir, "values.keys.txt"))) throw new MissingFact(`no value keys for chart ${chart} ${version}: add ${path.relative(process.cwd(), dir)}/values.keys.txt`);
  const lines = (file: string) => (fs.existsSync(path.join(dir, file)) ? fs.readFileSync(path.join(dir, file), "utf8").split("\n").filter(Boolean) : []);
  const schemaFile = path.join(dir, "values.schema.json");
  const facts: ChartFacts = {
    chart,
    version,
    dir,
    keys: new Set(lines("values.keys.txt")),
    templateRefs: new Map(lines("values.template-refs.txt").map((line) => {
      const [key, kinds] = line.split("\t");
      return [key, kinds.split(",")];
    })),
    schema: fs.existsSync(schemaFile) ? (JSON.parse(fs.readFileSync(schemaFile, "utf8")) as Record<string, unknown>) : undefined,
  };
  charts.set(dir, facts);
  return facts;
}
