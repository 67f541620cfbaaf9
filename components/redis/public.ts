/** The public face of the Redis component: each role's names, selector and ports. */

export const REDIS_PORT = 6379;
import { partSelector } from "../labels";

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
    selector: partSelector(name),
  };
}
export { redisPanels, redisRules } from "./monitoring";
