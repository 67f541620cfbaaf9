/** Rules of mcp-platform:tenants that span keys (TEN-1, TEN-2): what onboarding needs, and removal only after a verified final backup. */
import { repeats } from "../primitives";
import { activeTenants } from "../tenants";
import type { Problem } from "../types";
import type { Rule } from "./rule";

/** What to run for a tenant's final backup (TEN-2): named in the refusal and in the runbook. */
export function finalBackupCommand(id: string, namespace: string): string {
  return `kubectl -n ${namespace} create job tenant-backups-final-${id} --from=cronjob/tenant-backups (or backup/tenant-backup.sh --tenant ${id}) once the tenant takes no more writes, then put the tenantArchives record it prints for ${id} under mcp-platform:tenantArchives`;
}

export const tenantsOnboarding: Rule = {
  name: "tenants",
  summary: "TEN-1, TEN-2: tenants need Postgres (a schema each) and Keycloak (a realm each, with the client secret); each role once; a removal only after a verified final backup in the stack's bucket, recorded under tenantArchives.",
  check: (config) => {
    const tenants = config.tenants ?? {};
    const problems: Problem[] = [];
    if (activeTenants(tenants).length > 0) {
      if (!config.postgres) problems.push({ path: ["tenants"], message: "each tenant gets a schema in the app database: add mcp-platform:postgres" });
      if (!config.identity) problems.push({ path: ["identity"], message: "each tenant gets a Keycloak realm: set mcp-platform:identity.url (and the client secret, mcp-platform:identityClientSecret)" });
      else if (!config.identityClientSecret) {
        problems.push({ path: ["identityClientSecret"], message: `the Keycloak provider logs in as ${config.identity.clientId}: pulumi config set --secret mcp-platform:identityClientSecret <its secret>` });
      }
    }
    for (const [id, tenant] of Object.entries(tenants)) {
      for (const i of repeats(tenant.realm.roles)) problems.push({ path: ["tenants", id, "realm", "roles", i], message: `role "${tenant.realm.roles[i]}" is listed twice` });
      const archive = config.tenantArchives[id];
      if (tenant.remove && !archive) {
        problems.push({
          path: ["tenants", id, "remove"],
          message: `refused: tenant "${id}" has no verified final backup of its schema; run ${finalBackupCommand(id, config.namespace)}`,
        });
      }
      if (tenant.remove && !config.backups) problems.push({ path: ["tenants", id, "remove"], message: "a removal needs the final backup in the stack's bucket: configure mcp-platform:backups" });
      if (!tenant.remove && archive) {
        problems.push({ path: ["tenantArchives", id], message: `tenant "${id}" is active: set mcp-platform:tenants.${id}.remove: true to remove it, or drop this record` });
      }
    }
    for (const [id, archive] of Object.entries(config.tenantArchives)) {
      const prefix = config.backups ? `s3://${config.backups.bucket}/tenants/${id}/` : undefined;
      if (prefix && !archive.backup.startsWith(prefix)) {
        problems.push({ path: ["tenantArchives", id, "backup"], message: `not a backup of tenant "${id}" in this stack's bucket: expected ${prefix}...` });
      }
    }
    return problems;
  },
};
