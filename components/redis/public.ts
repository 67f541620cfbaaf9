/** The public face of the Redis component: each role's names, selector and ports. */
import { PART_OF } from "../labels";

export const REDIS_PORT = 6379;

export const REDIS_EXPORTER_PORT = 9121;

/** Where the auth Secret's `auth.conf` (requirepass) is mounted; redis.conf includes it. */
export const AUTH_CONF = "/etc/redis-auth/auth.conf";

export type RedisRole = "cache" | "queue";

export function redisNames(role: RedisRole) {
  const name = `redis-${role}`;
  return {
    name,
    service: name,
    auth: `${name}-auth`,
    config: `${name}-config`,
    selector: { "app.kubernetes.io/name": name, "app.kubernetes.io/part-of": PART_OF },
  };
}
