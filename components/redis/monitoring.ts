/** Redis's rules: the cache's hit rate (MON-5) and the queue's backlog and failed jobs (MON-11, DB-3). */
import type { AlertingRule, DashboardContext, Panel, PartRules, RecordingRule, RuleKit } from "../monitoring/public";

export function redisRules(kit: RuleKit): PartRules {
  const { ns, has, alert } = kit;
  const t = kit.thresholds;
  const recording: RecordingRule[] = [
    ...(has.redisCache
      ? [
          {
            record: "redis:cache_hit_ratio:rate5m",
            expr: `sum by (namespace) (rate(redis_keyspace_hits_total{${ns},app="redis-cache"}[5m])) / (sum by (namespace) (rate(redis_keyspace_hits_total{${ns},app="redis-cache"}[5m])) + sum by (namespace) (rate(redis_keyspace_misses_total{${ns},app="redis-cache"}[5m])))`,
          },
        ]
      : []),
  ];
  const alerts: AlertingRule[] = [
    ...(has.redisCache
      ? [
          alert(
            "CacheHitRateLow",
            "warning",
            `redis:cache_hit_ratio:rate5m{${ns}} < ${t.cacheHitRateMin}`,
            "15m",
            "Cache hit rate {{ $value | humanizePercentage }}",
            `The Redis cache in {{ $labels.namespace }} answers only {{ $value | humanizePercentage }} of lookups (threshold ${t.cacheHitRateMin * 100} %, MON-5).`,
          ),
        ]
      : []),
    ...(has.redisQueue
      ? [
          alert(
            "QueueBacklog",
            "warning",
            `sum by (namespace) (redis_key_size{${ns},app="redis-queue",key=~".*:wait"}) > ${t.queueWaiting}`,
            "10m",
            "{{ $value | humanize }} jobs waiting",
            `More than ${t.queueWaiting} jobs have waited in the queue of {{ $labels.namespace }} for 10 minutes: are the workers up (MON-11)?`,
          ),
          alert(
            "QueueFailedJobs",
            "warning",
            `sum by (namespace) (redis_key_size{${ns},app="redis-queue",key=~".*:failed"}) > ${t.queueFailed}`,
            "5m",
            "{{ $value | humanize }} failed jobs",
            `More than ${t.queueFailed} failed jobs in the queue of {{ $labels.namespace }} (MON-11, DB-3).`,
          ),
        ]
      : []),
  ];
  return { recording, alerts };
}

/** Redis's panels: the cache's hit rate and the queue's depth. */
export function redisPanels({ namespace, has }: DashboardContext): Panel[] {
  const ns = `namespace="${namespace}"`;
  return [
    ...(has.redisCache ? [{ title: "Cache hit rate", unit: "percentunit", targets: [{ expr: `redis:cache_hit_ratio:rate5m{${ns}}`, legend: "cache" }] }] : []),
    ...(has.redisQueue
      ? [{ title: "Queue depth", unit: "short", targets: [{ expr: `sum by (key) (redis_key_size{${ns},app="redis-queue"})`, legend: "{{key}}" }] }]
      : []),
  ];
}
