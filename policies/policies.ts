/** Every policy of the pack, in the order reports list them. Importing this starts nothing. */
import type { Policies } from "@pulumi/policy";
import { availabilityPolicies } from "./availability";
import { checklistPolicies } from "./checklists";
import { dataPolicies } from "./data";
import { networkPolicies } from "./network";
import { s3Policies } from "./s3";
import { workloadPolicies } from "./workloads";

export const PACK_NAME = "mcp-platform";

export const policies: Policies = [...workloadPolicies, ...availabilityPolicies, ...networkPolicies, ...dataPolicies, ...s3Policies, ...checklistPolicies];
