/**
 * The stack's topology as the validated configuration sets it, worked out once for every part that
 * needs it: which services the edge routes to (and so may split a canary, and take the edge's
 * connections). Pure.
 */
import type { EdgeConfig } from "./edge";

/** The services the edge routes to, each once, in the order of their first route. */
export function routedServices(edge: EdgeConfig | undefined): string[] {
  return [...new Set((edge?.routes ?? []).map((route) => route.service))];
}
