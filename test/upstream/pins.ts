/**
 * Which upstream facts apply to a stack: from the versions its configuration pins (chart versions,
 * exporter image tags) to the metric catalogues and chart value keys of ../shared/upstream.
 *
 * A chart pins the exporter it installs; the table below is how ../shared/upstream/README.md
 * ("Versions resolved") and each catalogue's `installed_by` / `pinned` resolve them. A pinned
 * version the table does not know has no facts yet: the tests say so and fail, never guess.
 */
import { issuedByCertManager, type PlatformConfig } from "../../config";
import { MissingFact } from "./facts";

export interface CatalogueRef {
  exporter: string;
  version: string;
  /** The stack setting that pins it, for messages. */
  pinnedBy: string;
}

export interface ChartRef {
  chart: string;
  version: string;
  pinnedBy: string;
}

/** Chart version -> the exporters it runs, at the catalogue version that covers them. */
const CHART_EXPORTERS: Record<string, Record<string, { exporter: string; version: string }[]>> = {
  // README "Versions resolved": 66.3.1 -> kube-state-metrics chart 5.27.0 (appVersion 2.14.0), Prometheus v2.55.1;
  // the kubelet's cAdvisor and volume stats are not pinned by the chart (catalogues "pinned").
  "kube-prometheus-stack": {
    "66.3.1": [
      { exporter: "kube-state-metrics", version: "v2.14.0" },
      { exporter: "prometheus", version: "v2.55.1" },
      { exporter: "kubelet-cadvisor", version: "v0.49.0" },
      { exporter: "kubelet-volume-stats", version: "unpinned" },
    ],
  },
  // README: "prometheus-blackbox-exporter 9.1.0: appVersion v0.25.0".
  "prometheus-blackbox-exporter": { "9.1.0": [{ exporter: "blackbox_exporter", version: "v0.25.0" }] },
  // README: "cloudnative-pg chart 0.29.0: appVersion 1.30.0 (operator and instance manager)".
  "cloudnative-pg": { "0.29.0": [{ exporter: "cloudnative-pg", version: "1.30.0" }] },
  // README: chart 0.7.0 = plugin v0.13.0; the catalogue's `pinned`: "Names below are identical at v0.13.0, v0.14.0 and main".
  "plugin-barman-cloud": { "0.7.0": [{ exporter: "barman-cloud-plugin", version: "v0.14.0" }] },
  // README: "cert-manager chart v1.16.2 -> cert-manager v1.16.2".
  "cert-manager": { "v1.16.2": [{ exporter: "cert-manager", version: "v1.16.2" }] },
};

function exportersOf(chart: ChartRef): CatalogueRef[] {
  const exporters = CHART_EXPORTERS[chart.chart]?.[chart.version];
  if (!exporters) {
    throw new MissingFact(
      `${chart.pinnedBy} pins chart ${chart.chart} ${chart.version}, whose exporters have no catalogue in ../shared/upstream/metrics yet: add the facts for that version (and a row in test/upstream/pins.ts)`,
    );
  }
  return exporters.map((e) => ({ ...e, pinnedBy: chart.pinnedBy }));
}

/** The Helm charts a stack installs, at the versions it pins. */
export function chartsOf(config: PlatformConfig): ChartRef[] {
  const addons = config.clusterAddons;
  const monitoring = config.monitoring;
  const needsCertManager = (!!config.edge && issuedByCertManager(config.edge.tls)) || (!!config.postgres && !!config.backups);
  return [
    ...(monitoring.stack.install
      ? [
          { chart: "kube-prometheus-stack", version: monitoring.stack.version, pinnedBy: "monitoring.stack.version" },
          { chart: "prometheus-blackbox-exporter", version: monitoring.stack.blackboxVersion, pinnedBy: "monitoring.stack.blackboxVersion" },
          ...(monitoring.logs.enabled
            ? [
                { chart: "loki", version: monitoring.logs.lokiVersion, pinnedBy: "monitoring.logs.lokiVersion" },
                { chart: "promtail", version: monitoring.logs.promtailVersion, pinnedBy: "monitoring.logs.promtailVersion" },
              ]
            : []),
          ...(monitoring.tracing.enabled ? [{ chart: "tempo", version: monitoring.tracing.tempoVersion, pinnedBy: "monitoring.tracing.tempoVersion" }] : []),
        ]
      : []),
    ...(config.postgres && addons.cloudnativePg.install ? [{ chart: "cloudnative-pg", version: addons.cloudnativePg.version, pinnedBy: "clusterAddons.cloudnativePg.version" }] : []),
    ...(config.postgres && config.backups && addons.barmanCloud.install
      ? [{ chart: "plugin-barman-cloud", version: addons.barmanCloud.version, pinnedBy: "clusterAddons.barmanCloud.version" }]
      : []),
    ...(needsCertManager && addons.certManager.install ? [{ chart: "cert-manager", version: addons.certManager.version, pinnedBy: "clusterAddons.certManager.version" }] : []),
  ];
}

/**
 * The exporters whose metrics a stack's rules may read, at the versions the stack pins. Charts a
 * stack does not install itself (install: false) still pin the version it expects of them.
 */
export function cataloguesOf(config: PlatformConfig): CatalogueRef[] {
  const addons = config.clusterAddons;
  const monitoring = config.monitoring;
  const charts: ChartRef[] = [
    { chart: "kube-prometheus-stack", version: monitoring.stack.version, pinnedBy: "monitoring.stack.version" },
    ...(config.edge ? [{ chart: "prometheus-blackbox-exporter", version: monitoring.stack.blackboxVersion, pinnedBy: "monitoring.stack.blackboxVersion" }] : []),
    ...(config.postgres ? [{ chart: "cloudnative-pg", version: addons.cloudnativePg.version, pinnedBy: "clusterAddons.cloudnativePg.version" }] : []),
    ...(config.postgres && config.backups ? [{ chart: "plugin-barman-cloud", version: addons.barmanCloud.version, pinnedBy: "clusterAddons.barmanCloud.version" }] : []),
    ...(config.edge && issuedByCertManager(config.edge.tls) ? [{ chart: "cert-manager", version: addons.certManager.version, pinnedBy: "clusterAddons.certManager.version" }] : []),
  ];
  return [
    ...charts.flatMap(exportersOf),
    // The exporters' images are pinned directly; catalogue versions are their tags.
    ...(config.redis ? [{ exporter: "redis_exporter", version: config.redis.exporterImage.tag ?? "(digest only)", pinnedBy: "redis.exporterImage" }] : []),
    ...(config.edge ? [{ exporter: "nginx-prometheus-exporter", version: config.edge.exporterImage.tag ?? "(digest only)", pinnedBy: "edge.exporterImage" }] : []),
  ];
}
