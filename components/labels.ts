/** Kubernetes recommended labels and the annotations this project puts on its objects. Pure. */
import { createHash } from "crypto";
import type { Image } from "../config";

export const PART_OF = "mcp-platform";
export const COLOR_LABEL = "mcp-platform.io/color";
export const RESTART_ALL_ANNOTATION = "mcp-platform.io/restart-all";
export const RESTART_ANNOTATION = "mcp-platform.io/restart";
export const SECRETS_ROTATION_ANNOTATION = "mcp-platform.io/secrets-rotation";
/** On the Namespace: the stack's capacity plan (mcp-platform:capacity) as the capacity policies read it (CAP-4). */
export const CAPACITY_PLAN_ANNOTATION = "mcp-platform.io/capacity-plan";

/** Labels every pod of a service carries, its migration Jobs' included (the NetworkPolicy selects on these). */
export function selectorLabels(service: string, environment: string): Record<string, string> {
  return {
    "app.kubernetes.io/name": service,
    "app.kubernetes.io/instance": `${service}-${environment}`,
  };
}

/** The full set of recommended labels. */
export function recommendedLabels(
  service: string,
  environment: string,
  component: string,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    ...selectorLabels(service, environment),
    "app.kubernetes.io/component": component,
    "app.kubernetes.io/part-of": PART_OF,
    "app.kubernetes.io/managed-by": "pulumi",
    ...extra,
  };
}

/** A label-safe version: the tag, else the first 12 hex digits of the digest. */
export function versionLabel(image: Image): string {
  return image.tag ?? (image.digest ?? "").replace(/^sha256:/, "").slice(0, 12);
}

/** Eight hex digits that change whenever any of the parts does. */
export function shortHash(...parts: string[]): string {
  return createHash("sha256").update(parts.join("\0")).digest("hex").slice(0, 8);
}
