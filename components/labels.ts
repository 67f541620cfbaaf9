/** Kubernetes recommended labels and the annotations this project puts on its objects. Pure. */
import { createHash } from "crypto";
import type { Image } from "../config";

import { NAME_LABEL } from "../policies/contract";

export { CAPACITY_PLAN_ANNOTATION, COLOR_LABEL } from "../policies/contract";

export const PART_OF = "mcp-platform";
/** What every object the stack manages carries. */
export const MANAGED_LABELS = { "app.kubernetes.io/part-of": PART_OF, "app.kubernetes.io/managed-by": "pulumi" } as const;
/** The selector of a part's pods: its name within the platform. */
export const partSelector = (name: string) => ({ "app.kubernetes.io/name": name, "app.kubernetes.io/part-of": PART_OF });
export const RESTART_ALL_ANNOTATION = "mcp-platform.io/restart-all";
export const RESTART_ANNOTATION = "mcp-platform.io/restart";
export const SECRETS_ROTATION_ANNOTATION = "mcp-platform.io/secrets-rotation";
/** On a Secret: its stringData keys (comma-separated) that hold generated configuration without credentials, shown in full in plans. */
export const PLAIN_KEYS_ANNOTATION = "mcp-platform.io/plain-keys";

/** Labels every pod of a service carries, its migration Jobs' included (the NetworkPolicy selects on these). */
export function selectorLabels(service: string, environment: string): Record<string, string> {
  return {
    [NAME_LABEL]: service,
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
