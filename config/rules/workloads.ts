/** Pod specs the API server and etcd accept: drains within the grace period, mounts at distinct paths, objects within etcd's limit. */
import { ETCD_MAX_REQUEST_BYTES } from "../limits";
import { repeats } from "../primitives";
import type { Rule } from "./rule";

export const preStopWithinGrace: Rule = {
  name: "prestop-within-grace",
  summary: "services.<svc>.preStopSleepSeconds is below terminationGracePeriodSeconds: the kubelet kills the container when the grace period ends, so a longer sleep never reaches SIGTERM.",
  check: (config) =>
    Object.entries(config.services)
      .filter(([, svc]) => svc.preStopSleepSeconds >= svc.terminationGracePeriodSeconds)
      .map(([name, svc]) => ({
        path: ["services", name, "preStopSleepSeconds"],
        message: `must be below terminationGracePeriodSeconds (${svc.terminationGracePeriodSeconds}), which also has to leave time for the shutdown after it`,
      })),
};

export const distinctWritablePaths: Rule = {
  name: "distinct-writable-paths",
  summary: "services.<svc>.writablePaths lists each path once and not /tmp: the API server refuses two mounts at one path.",
  check: (config) =>
    Object.entries(config.services).flatMap(([name, svc]) => [
      ...repeats(svc.writablePaths).map((i) => ({ path: ["services", name, "writablePaths", i], message: `${svc.writablePaths[i]} is listed twice` })),
      ...svc.writablePaths.flatMap((p, i) => (p.replace(/\/+$/, "") === "/tmp" ? [{ path: ["services", name, "writablePaths", i], message: "/tmp is always writable: leave it out" }] : [])),
    ]),
};

/**
 * What a service puts into each of its Deployments, beyond a fixed few kilobytes: env, command and
 * args, in JSON (the stored object also carries managedFields with each value's key once more, so twice).
 */
export function deploymentBytesEstimate(svc: { env: Record<string, unknown>; command?: string[]; args?: string[] }): number {
  const own = JSON.stringify({ env: svc.env, command: svc.command ?? [], args: svc.args ?? [] }).length;
  return 16 * 1024 + 2 * own;
}

export const deploymentSize: Rule = {
  name: "deployment-size",
  summary: `A service's Deployment stays under etcd's request limit (${ETCD_MAX_REQUEST_BYTES / 1024 / 1024} MiB), estimated from its env, command and args: larger ones are refused when stored. Put big values in a ConfigMap or Secret.`,
  check: (config) =>
    Object.entries(config.services)
      .filter(([, svc]) => deploymentBytesEstimate(svc) > ETCD_MAX_REQUEST_BYTES)
      .map(([name, svc]) => ({
        path: ["services", name, "env"],
        message: `makes a Deployment of about ${Math.round(deploymentBytesEstimate(svc) / 1024)} KiB, over etcd's ${ETCD_MAX_REQUEST_BYTES / 1024} KiB: move large values into a Secret or ConfigMap`,
      })),
};
