/**
 * The cluster tests' harness: the running control plane (npm run test:cluster starts it), plans
 * turned into objects to apply (with the volumes a provisioner would supply), and the checks made
 * after every apply: no error, no warning, every workload Ready, every Service's EndpointSlices
 * pointing at exactly the Ready pods it selects.
 */
import * as fs from "fs";
import * as path from "path";
import { clientFor, runningCluster } from "../../tools/cluster/cluster";
import { Deployer, plannedObjects, volumesFor, type ApplyResult, type PlannedObject } from "../../tools/cluster/apply";
import type { KubeClient, KubeObject } from "../../tools/cluster/kube-client";
import { serviceEndpoints, waitForWorkloads, type WorkloadState } from "../../tools/cluster/readiness";
import { waitFor } from "../../tools/cluster/control-plane";
import type { Plan } from "../../tools/render-stack";
import { PROJECT_DIR } from "../harness";

export const EXAMPLES = fs
  .readdirSync(path.join(PROJECT_DIR, "examples"))
  .filter((f) => f.endsWith(".yaml"))
  .sort()
  .map((f) => path.join(PROJECT_DIR, "examples", f));

/** A client of the running cluster; fails loudly when there is none. */
export function connect(): KubeClient {
  const state = runningCluster();
  if (!state) throw new Error("no cluster is running: run the cluster tests with `npm run test:cluster` (or start one with `npm run cluster -- up`)");
  return clientFor(state);
}

/** A plan's objects, with PersistentVolumes for its claims, in apply order. */
export function clusterObjects(plan: Plan): PlannedObject[] {
  const planned = plannedObjects(plan);
  return [...volumesFor(planned.map((p) => p.object)).map((object) => ({ object, ignoreChanges: [] })), ...planned];
}

/** One line per finding, so a failing expectation prints the server's own words. */
export const lines = (findings: { object: string; text: string }[]): string[] => findings.map((f) => `${f.object}: ${f.text}`);
export const notReady = (states: WorkloadState[]): string[] => states.map((s) => `${s.id}: ${s.detail}`);

type Selectable = KubeObject & { spec?: { selector?: Record<string, string> } };

/** For each Service with a selector: the Ready pods it selects and the ready pods of its EndpointSlices, once they agree (or the last seen). */
export async function endpointsMatch(client: KubeClient, objects: KubeObject[]): Promise<Record<string, { selected: string[]; endpoints: string[] }>> {
  const services = objects.filter((o): o is Selectable => o.kind === "Service" && !!(o as Selectable).spec?.selector);
  const result: Record<string, { selected: string[]; endpoints: string[] }> = {};
  for (const service of services) {
    const namespace = service.metadata.namespace as string;
    const selector = Object.entries(service.spec!.selector!).map(([k, v]) => `${k}=${v}`).join(",");
    const compare = async () => {
      type Pod = KubeObject & { status?: { conditions?: { type: string; status: string }[] } };
      const pods = await client.list<Pod>("v1", "Pod", namespace, { labelSelector: selector });
      const selected = pods.filter((p) => !p.metadata.deletionTimestamp && p.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True")).map((p) => p.metadata.name).sort();
      const endpoints = (await serviceEndpoints(client, namespace, service.metadata.name)).filter((e) => e.ready).map((e) => e.pod).sort();
      return { selected, endpoints };
    };
    let last = await compare();
    try {
      await waitFor(`EndpointSlices of ${service.metadata.name}`, async () => {
        last = await compare();
        return JSON.stringify(last.selected) === JSON.stringify(last.endpoints) || undefined;
      }, 20000);
    } catch {
      // the mismatch is reported by the caller's expectation
    }
    result[`${namespace}/${service.metadata.name}`] = last;
  }
  return result;
}

export interface Rollout {
  result: ApplyResult;
  waiting: WorkloadState[];
}

/** Applies the objects (pruning what left), then waits for the workloads. */
export async function rollout(client: KubeClient, deployer: Deployer, objects: PlannedObject[], timeoutMs?: number): Promise<Rollout> {
  const result = await deployer.apply(objects);
  const waiting = result.errors.length ? [] : await waitForWorkloads(client, objects.map((p) => p.object), timeoutMs);
  return { result, waiting };
}

/** Deletes what the deployer applied and waits until its namespaces are gone (the next stack reuses them). */
export async function teardown(client: KubeClient, deployer: Deployer): Promise<ApplyResult> {
  const namespaces = deployer.applied.filter((o) => o.kind === "Namespace").map((o) => o.metadata.name);
  const result = await deployer.destroy();
  await waitFor(`namespaces ${namespaces.join(", ")} to be deleted`, async () => {
    const left = await Promise.all(namespaces.map((n) => client.get("v1", "Namespace", n)));
    return left.every((n) => n === undefined) || undefined;
  }, 90000);
  return result;
}
