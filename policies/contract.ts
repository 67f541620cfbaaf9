/**
 * The contract between the program and this policy pack: the labels, annotations and markers the
 * program puts on what it renders and the pack reads. A leaf module the pack owns (it imports
 * nothing), so the pack stays self-contained when published; the program imports these from here.
 */

/** The blue-green colour of a service's pods (set by the service component, read by the availability and rollback policies). */
export const COLOR_LABEL = "mcp-platform.io/color";

/** Kubernetes' name label: the service a workload belongs to. */
export const NAME_LABEL = "app.kubernetes.io/name";

/** On the Namespace: the stack's capacity plan (mcp-platform:capacity) as the capacity policies read it (CAP-4). */
export const CAPACITY_PLAN_ANNOTATION = "mcp-platform.io/capacity-plan";

/** What a secret value reads as where it cannot be shown: in plan files, and for `secure:` config without its secrets provider. */
export const SECRET_PLACEHOLDER = "[secret]";

/** Image tags that always move and so never identify a release. */
export const MOVING_TAGS = new Set(["latest", "stable", "main", "master", "edge", "nightly"]);

/** CAP-4's capacity plan: the base without tenants and what each tenant adds (the stack config's defaults and the capacity policies'). */
export const CAP4_PLAN = {
  base: { cpu: "2", memory: "4Gi", database: "20Gi" },
  perTenant: { cpu: "100m", memory: "256Mi", database: "1Gi" },
} as const;
