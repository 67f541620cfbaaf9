/**
 * What a part of the stack may run at the worst moment of a release, in pods and resources: each
 * part's settings file adds its own (postgresDemand in data.ts, edgeDemand in edge.ts, ...) and
 * capacity.ts sums them. Pure.
 */
import type { Resources } from "./primitives";
import { quantity } from "./quantity";

export interface Demand {
  pods: number;
  cpuRequests: number;
  memoryRequests: number;
  cpuLimits: number;
  memoryLimits: number;
}

/** `pods` pods of these resources; a sidecar is `{ ...podsDemand(n, sidecar), pods: 0 }`. */
export function podsDemand(pods: number, { requests, limits }: Resources): Demand {
  return {
    pods,
    cpuRequests: pods * quantity(requests.cpu),
    memoryRequests: pods * quantity(requests.memory),
    cpuLimits: pods * quantity(limits.cpu),
    memoryLimits: pods * quantity(limits.memory),
  };
}

/** A sidecar container of `pods` pods: its resources, no pods of its own. */
export const sidecarDemand = (pods: number, resources: Resources): Demand => ({ ...podsDemand(pods, resources), pods: 0 });

/** The sum of the parts' demands, in their order. */
export function sumDemands(parts: readonly Demand[]): Demand {
  const total: Demand = { pods: 0, cpuRequests: 0, memoryRequests: 0, cpuLimits: 0, memoryLimits: 0 };
  for (const part of parts) for (const key of Object.keys(total) as (keyof Demand)[]) total[key] += part[key];
  return total;
}
