/** Redis: the cache's and the queue's redis.conf and objects, rendered directly. */
import { redisConf, renderRedis } from "../../components/redis/render";
import { stagingConfig as config } from "../fixtures";

describe("Redis", () => {
  const redis = config({ redis: { cache: {}, queue: {} } }).redis!;

  it("configures the cache to evict and keep nothing, the queue to keep everything", () => {
    const cache = redisConf("cache", redis);
    expect(cache).toMatch(/^maxmemory-policy allkeys-lru$/m);
    expect(cache).toMatch(/^appendonly no$/m);
    expect(cache).toMatch(/^save ""$/m);
    const queue = redisConf("queue", redis);
    expect(queue).toMatch(/^maxmemory-policy noeviction$/m);
    expect(queue).toMatch(/^appendonly yes$/m);
    expect(queue).toMatch(/^appendfsync everysec$/m);
    for (const conf of [cache, queue]) expect(conf).toMatch(/^include \/etc\/redis-auth\/auth\.conf$/m);
  });

  it("keeps the password out of the config and the environment, in a Secret", () => {
    const m = renderRedis("queue", redis, { namespace: "ns", monitoringNamespace: "monitoring", clients: [] }, "s3cret");
    expect(JSON.stringify(m.config)).not.toContain("s3cret");
    expect(JSON.stringify(m.statefulSet)).not.toContain("s3cret");
    expect(m.auth.stringData).toMatchObject({ password: "s3cret" });
  });

  it("persists only the queue", () => {
    const queue = renderRedis("queue", redis, { namespace: "ns", monitoringNamespace: "monitoring", clients: [] }, "pw").statefulSet.spec as { volumeClaimTemplates?: unknown[] };
    const cache = renderRedis("cache", redis, { namespace: "ns", monitoringNamespace: "monitoring", clients: [] }, "pw").statefulSet.spec as { volumeClaimTemplates?: unknown[] };
    expect(queue.volumeClaimTemplates).toHaveLength(1);
    expect(cache.volumeClaimTemplates).toBeUndefined();
  });

  it("governs each StatefulSet with a headless Service of its serviceName", () => {
    for (const role of ["cache", "queue"] as const) {
      const m = renderRedis(role, redis, { namespace: "ns", monitoringNamespace: "monitoring", clients: [] }, "pw");
      expect((m.statefulSet.spec as { serviceName: string }).serviceName).toBe((m.service.metadata as { name: string }).name);
      expect((m.service.spec as { clusterIP: string }).clusterIP).toBe("None");
    }
  });
});

