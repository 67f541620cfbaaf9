/** Every policy of the pack, in the order reports list them, and the pack's settings. Importing this starts nothing. */
import type { Policies, PolicyPackArgs } from "@pulumi/policy";
import { availabilityPolicies } from "./availability";
import { checklistPolicies } from "./checklists";
import { dataPolicies } from "./data";
import { networkPolicies } from "./network";
import { s3Policies } from "./s3";
import { workloadPolicies } from "./workloads";

export const PACK_NAME = "mcp-platform";

export const policies: Policies = [...workloadPolicies, ...availabilityPolicies, ...networkPolicies, ...dataPolicies, ...s3Policies, ...checklistPolicies];

/** What index.ts builds the pack with; `npm run check` evaluates the same policies in process (tools/policy/in-process.ts). */
export const PACK_ARGS: PolicyPackArgs = {
  description: "mcp-platform: the production runbooks' checklists and resource limits.",
  enforcementLevel: "mandatory",
  policies,
};
