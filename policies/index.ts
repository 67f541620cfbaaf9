/**
 * The mcp-platform CrossGuard pack: the runbooks' checklists and limits. This file only constructs
 * the pack (which starts the analyzer server `pulumi preview --policy-pack policies` talks to);
 * the policies live in modules of their own. Per-environment settings: policies/config/*.json,
 * given with --policy-pack-config.
 */
import { PolicyPack } from "@pulumi/policy";
import { PACK_NAME, policies } from "./policies";

new PolicyPack(PACK_NAME, {
  description: "mcp-platform: the production runbooks' checklists and resource limits.",
  enforcementLevel: "mandatory",
  policies,
});
