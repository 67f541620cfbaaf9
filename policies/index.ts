/**
 * The mcp-platform CrossGuard pack: the runbooks' checklists and limits. This file only constructs
 * the pack (which starts the analyzer server `pulumi preview --policy-pack policies` talks to);
 * the policies and the pack's settings live in modules of their own (policies.ts). Per-environment
 * settings: policies/config/*.json, given with --policy-pack-config.
 */
import { PolicyPack } from "@pulumi/policy";
import { PACK_ARGS, PACK_NAME } from "./policies";

new PolicyPack(PACK_NAME, PACK_ARGS);
