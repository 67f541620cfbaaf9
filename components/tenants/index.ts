import * as batchv1 from "@pulumi/kubernetes/batch/v1";
import * as corev1 from "@pulumi/kubernetes/core/v1";
import * as networkingv1 from "@pulumi/kubernetes/networking/v1";
import * as keycloak from "@pulumi/keycloak";
import * as pulumi from "@pulumi/pulumi";
import { activeTenants, tenantSchemaName, type PlatformConfig, type PostgresConfig } from "../../config";
import { PART_OF } from "../labels";
import { generatedPassword } from "../password";
import { renderTenants, TENANT_KEYS_SECRET, tenantRoleSecret } from "./render";

export interface TenantsArgs {
  config: Pick<PlatformConfig, "tenants" | "namespace" | "identity" | "identityClientSecret" | "environment">;
  postgres: PostgresConfig;
  /** The database: the Jobs run once it is ready. */
  database: pulumi.Resource;
  /** Protect what a tenant cannot lose (realm, encryption key): production. */
  protect: boolean;
}

/**
 * The stack's tenants (TEN-1, TEN-2): per tenant a Keycloak realm with its RBAC roles and audit
 * events, an encryption key (generated, in the tenant-keys Secret the app reads by secretKeyRef),
 * the password of its role when it logs in, and a Job that applies its SQL (or its removal, after
 * a verified final backup) once per config change. A removed tenant keeps its key (its final backup
 * may hold data encrypted with it) and a disabled realm.
 */
export class Tenants extends pulumi.ComponentResource {
  constructor(name: string, args: TenantsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mcp-platform:tenants:Tenants", name, {}, opts);
    const child = { parent: this };
    const { config, protect } = args;
    const tenants = Object.entries(config.tenants ?? {});
    const labels = { "app.kubernetes.io/part-of": PART_OF, "app.kubernetes.io/managed-by": "pulumi" };

    // Protected where the tenant's data is: a new key would make its encrypted data unreadable.
    const keys = Object.fromEntries(tenants.map(([id]) => [id, generatedPassword(`${name}-${id}-key`, "0", this, 64, protect)]));
    const keySecret = new corev1.Secret(
      `${name}-keys`,
      { metadata: { name: TENANT_KEYS_SECRET, namespace: config.namespace, labels }, type: "Opaque", stringData: keys },
      { ...child, additionalSecretOutputs: ["data", "stringData"], protect },
    );
    const roleSecrets = activeTenants(config.tenants)
      .filter(([, tenant]) => tenant.database.login)
      .map(
        ([id]) =>
          new corev1.Secret(
            `${name}-${id}-db`,
            {
              metadata: { name: tenantRoleSecret(id), namespace: config.namespace, labels: { ...labels, "cnpg.io/reload": "true" } },
              type: "kubernetes.io/basic-auth",
              stringData: { username: tenantSchemaName(id), password: generatedPassword(`${name}-${id}-db-password`, "0", this) },
            },
            { ...child, additionalSecretOutputs: ["data", "stringData"] },
          ),
      );

    if (config.identity && tenants.length > 0) {
      const provider = new keycloak.Provider(
        `${name}-keycloak`,
        {
          url: config.identity.url,
          realm: config.identity.adminRealm,
          clientId: config.identity.clientId,
          clientSecret: pulumi.secret(config.identityClientSecret ?? ""),
        },
        child,
      );
      for (const [id, tenant] of tenants) {
        const realm = new keycloak.Realm(
          `${name}-${id}-realm`,
          {
            realm: id,
            displayName: tenant.displayName ?? id,
            // A removed tenant's realm stays, disabled: nobody logs in, its audit trail is kept.
            enabled: !tenant.remove,
            accessTokenLifespan: `${tenant.realm.accessTokenLifespanSeconds}s`,
            ssoSessionIdleTimeout: `${tenant.realm.ssoSessionIdleSeconds}s`,
            sslRequired: "all",
          },
          { ...child, provider, protect },
        );
        // Audit logging: login and admin events of the realm.
        new keycloak.RealmEvents(`${name}-${id}-events`, { realmId: realm.id, eventsEnabled: true, adminEventsEnabled: true, adminEventsDetailsEnabled: false, eventsExpiration: 90 * 86400 }, { ...child, provider });
        for (const role of tenant.realm.roles) {
          new keycloak.Role(`${name}-${id}-role-${role}`, { realmId: realm.id, name: role, description: `${role} of tenant ${id} (mcp-platform)` }, { ...child, provider });
        }
      }
    }

    const m = renderTenants(config, args.postgres);
    const sql = new corev1.ConfigMap(`${name}-sql`, m.sql, child);
    const policy = new networkingv1.NetworkPolicy(`${name}-netpol`, m.networkPolicy, child);
    for (const { job } of m.jobs) {
      new batchv1.Job(String((job.metadata as { name: string }).name), job, { ...child, dependsOn: [args.database, sql, policy, keySecret, ...roleSecrets] });
    }
    this.registerOutputs({});
  }
}
