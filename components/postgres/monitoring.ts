/** Postgres's rules: connections and statement time (MON-8), replicas and their lag (DB-1). */
import type { AlertingRule, DashboardContext, Panel, PartRules, RecordingRule, RuleKit } from "../monitoring/public";

export function postgresRules(kit: RuleKit): PartRules {
  const { ns, has, alert, pair } = kit;
  const t = kit.thresholds;
  const recording: RecordingRule[] = [
    ...(has.postgres
      ? [
          {
            record: "postgres:connections_ratio",
            expr: `max by (namespace) (sum by (namespace, pod) (cnpg_backends_total{${ns}}) / max by (namespace, pod) (cnpg_pg_settings_setting{${ns},name="max_connections"}))`,
          },
          {
            record: "postgres:statement_mean_seconds:rate5m",
            expr: `sum by (namespace) (rate(cnpg_mcp_statements_exec_seconds{${ns}}[5m])) / sum by (namespace) (rate(cnpg_mcp_statements_calls{${ns}}[5m]))`,
          },
        ]
      : []),
  ];
  const alerts: AlertingRule[] = [
    ...(has.postgres
      ? [
          ...pair(
            "PostgresConnections",
            `postgres:connections_ratio{${ns}}`,
            t.databaseConnections,
            "5m",
            "Postgres uses {{ $value | humanizePercentage }} of max_connections",
            "Postgres in {{ $labels.namespace }} has {{ $value | humanizePercentage }} of max_connections in use (MON-8).",
          ),
          ...pair(
            "PostgresQueryTime",
            `postgres:statement_mean_seconds:rate5m{${ns}}`,
            t.queryTimeSeconds,
            "10m",
            "Postgres statements take {{ $value | humanizeDuration }} on average",
            "The mean statement time in {{ $labels.namespace }} is {{ $value | humanizeDuration }} over 5 minutes; see pg_stat_statements (MON-8).",
          ),
        ]
      : []),
    ...(has.postgres && has.postgresInstances > 1
      ? [
          alert(
            "PostgresReplicaMissing",
            "high",
            // The primary counts its streaming replicas (cnpg_pg_replication_streaming_replicas is 0 on replicas).
            `max by (namespace, cluster) (cnpg_pg_replication_streaming_replicas{${ns}}) < ${has.postgresInstances - 1}`,
            "5m",
            "{{ $labels.cluster }} streams to {{ $value }} replicas",
            `Postgres cluster {{ $labels.cluster }} in {{ $labels.namespace }} has fewer than the ${has.postgresInstances - 1} streaming replicas it is configured with: a failover now has less to fail over to (DB-1).`,
          ),
          ...pair(
            "PostgresReplicationLag",
            `max by (namespace, cluster) (cnpg_pg_replication_lag{${ns}})`,
            t.replicationLagSeconds,
            "5m",
            "{{ $labels.cluster }}: a replica is {{ $value | humanizeDuration }} behind",
            "A replica of Postgres cluster {{ $labels.cluster }} in {{ $labels.namespace }} replays WAL {{ $value | humanizeDuration }} behind the primary: a failover now loses that much (DB-1).",
          ),
        ]
      : []),
  ];
  return { recording, alerts };
}

/** Postgres's panels: connections and statement time. */
export function postgresPanels({ namespace, has }: DashboardContext): Panel[] {
  const ns = `namespace="${namespace}"`;
  return [
    ...(has.postgres
      ? [
          { title: "Database connections (share of max_connections)", unit: "percentunit", targets: [{ expr: `postgres:connections_ratio{${ns}}`, legend: "postgres" }] },
          { title: "Mean statement time", unit: "s", targets: [{ expr: `postgres:statement_mean_seconds:rate5m{${ns}}`, legend: "postgres" }] },
        ]
      : []),
  ];
}
