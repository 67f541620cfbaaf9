/**
 * Tenants under Pulumi's mock runtime (TEN-1, TEN-2): per tenant a Keycloak realm with its roles and
 * audit events, an encryption key, a Job applying its SQL once per config change after the
 * database, CloudNativePG managed roles, the app's tenant settings; removal after a final backup.
 * Keycloak and the keys are only exercised here, under mocks: no Keycloak server runs in the tests.
 */
import { objects, readStackValues, render, resource, runScript, writeStackFile, type K8sObject, type StackValues } from "../harness";
import type { Plan } from "../../tools/render-stack";

const bucket = (readStackValues("production")["mcp-platform:backups"] as { bucket: string }).bucket;
const archive = { backup: `s3://${bucket}/tenants/acme/2026/12/03/app-20261203T080000Z.dump`, sha256: "b".repeat(64), verifiedAt: "2026-12-03T08:01:00Z" };

function withTenants(tenants: Record<string, unknown>, extra: (v: StackValues) => void = () => undefined) {
  return (v: StackValues) => {
    v["mcp-platform:tenants"] = tenants;
    v["mcp-platform:identity"] = { url: "https://auth.example.com" };
    v["mcp-platform:identityClientSecret"] = { secure: "AAABAKx0ZXN0" };
    v["mcp-platform:capacity"] = { ...(v["mcp-platform:capacity"] as object), tenants: undefined };
    extra(v);
  };
}

const jobsOf = (plan: Plan) => [...objects(plan).values()].filter((o) => o.kind === "Job" && o.metadata.name.startsWith("tenant-"));
const envOf = (o: K8sObject) => Object.fromEntries((o.spec.template.spec.containers[0].env as { name: string; value?: string; valueFrom?: unknown }[]).map((e) => [e.name, e.value ?? e.valueFrom]));

describe("tenants of a production stack", () => {
  let plan: Plan;
  beforeAll(async () => {
    plan = await render("production", withTenants({ acme: { database: { login: true }, settings: { plan: "gold" } }, "dunder-mifflin": {} }));
  }, 60000);

  it("gives each tenant a protected realm with its RBAC roles and audit events, through a provider from the stack's settings", () => {
    const provider = resource(plan, "pulumi:providers:keycloak", "tenants-keycloak");
    expect(provider.inputs).toMatchObject({ url: "https://auth.example.com", realm: "master", clientId: "mcp-platform", clientSecret: "[secret]" });
    for (const id of ["acme", "dunder-mifflin"]) {
      const realm = resource(plan, "keycloak:index/realm:Realm", `tenants-${id}-realm`);
      expect(realm.inputs).toMatchObject({ realm: id, enabled: true, accessTokenLifespan: "300s", sslRequired: "all" });
      expect(realm.options.protect).toBe(true);
      expect(realm.options.provider).toMatch(/tenants-keycloak/);
      expect(resource(plan, "keycloak:index/realmEvents:RealmEvents", `tenants-${id}-events`).inputs).toMatchObject({ eventsEnabled: true, adminEventsEnabled: true });
      for (const role of ["tenant-admin", "tenant-operator", "tenant-viewer"]) expect(resource(plan, "keycloak:index/role:Role", `tenants-${id}-role-${role}`).inputs.name).toBe(role);
    }
  });

  it("generates a protected encryption key per tenant, kept secret, and the app reads it by secretKeyRef", () => {
    const keys = resource(plan, "kubernetes:core/v1:Secret", "tenants-keys");
    expect(keys.options.protect).toBe(true);
    expect(keys.inputs.stringData).toEqual({ acme: "[secret]", "dunder-mifflin": "[secret]" });
    expect(resource(plan, "random:index/randomPassword:RandomPassword", "tenants-acme-key").options.protect).toBe(true);
    expect(JSON.stringify(plan)).not.toMatch(/mock-tenants-acme-key/);
    const api = objects(plan).get("Deployment/api") ?? [...objects(plan).values()].find((o) => o.kind === "Deployment" && o.metadata.name.startsWith("api"))!;
    expect(envOf(api)).toMatchObject({
      TENANTS: "acme,dunder-mifflin",
      TENANT_ACME_SCHEMA: "tenant_acme",
      TENANT_DUNDER_MIFFLIN_REALM_URL: "https://auth.example.com/realms/dunder-mifflin",
      TENANT_ACME_ENCRYPTION_KEY: { secretKeyRef: { name: "tenant-keys", key: "acme" } },
    });
  });

  it("applies each tenant's SQL with a restricted Job named by its config hash, after the database", () => {
    const jobs = jobsOf(plan);
    expect(jobs.map((j) => j.metadata.name).sort()).toEqual([expect.stringMatching(/^tenant-acme-[0-9a-f]{10}$/), expect.stringMatching(/^tenant-dunder-mifflin-[0-9a-f]{10}$/)]);
    for (const job of jobs) {
      const pod = job.spec.template.spec;
      expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } });
      expect(pod.containers[0].securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } });
      expect(pod.containers[0].command).toEqual(["psql", "-X", "-v", "ON_ERROR_STOP=1", "-f", expect.stringMatching(/^\/sql\/[a-z-]+\.sql$/)]);
      const registered = resource(plan, "kubernetes:batch/v1:Job", job.metadata.name);
      expect(registered.options.dependsOn).toEqual(expect.arrayContaining([expect.stringMatching(/postgresql.cnpg.io\/v1:Cluster::postgres-cluster$/)]));
    }
    const sql = objects(plan).get("ConfigMap/tenants")!.data;
    expect(Object.keys(sql).sort()).toEqual(["acme.sql", "dunder-mifflin.sql"]);
    expect(sql["dunder-mifflin.sql"]).toMatch(/CREATE SCHEMA IF NOT EXISTS tenant_dunder_mifflin;/);
    // The tenant's Jobs reach the database, and the database admits them.
    expect(JSON.stringify(objects(plan).get("NetworkPolicy/postgres")!.spec.ingress)).toContain("tenant-provisioning");
  });

  it("has CloudNativePG manage the tenants' roles: a login role's password from its Secret, the owner a member that bypasses RLS", () => {
    const roles = objects(plan).get("Cluster/postgres")!.spec.managed.roles as Record<string, unknown>[];
    expect(roles).toEqual([
      expect.objectContaining({ name: "app", bypassrls: true, inRoles: ["tenant_acme", "tenant_dunder_mifflin"] }),
      expect.objectContaining({ name: "tenant_acme", ensure: "present", login: true, bypassrls: false, passwordSecret: { name: "tenant-acme-db" } }),
      expect.objectContaining({ name: "tenant_dunder_mifflin", ensure: "present", login: false, disablePassword: true }),
    ]);
    expect(objects(plan).get("Secret/tenant-acme-db")!.stringData).toEqual({ username: "[secret]", password: "[secret]" });
  });

  it("runs a tenant's Job again only when its configuration changes", async () => {
    const changed = await render("production", withTenants({ acme: { database: { login: true }, settings: { plan: "platinum" } }, "dunder-mifflin": {} }));
    const names = (p: Plan) => jobsOf(p).map((j) => j.metadata.name).sort();
    expect(names(changed)[1]).toBe(names(plan)[1]);
    expect(names(changed)[0]).not.toBe(names(plan)[0]);
  }, 60000);

  it("removes a tenant after its verified final backup: a removal Job, its role absent, its realm disabled and key kept", async () => {
    const removed = await render("production", withTenants({ acme: { remove: true }, "dunder-mifflin": {} }, (v) => (v["mcp-platform:tenantArchives"] = { acme: archive })));
    expect(jobsOf(removed).map((j) => j.metadata.name).sort()).toEqual([expect.stringMatching(/^tenant-acme-remove-[0-9a-f]{10}$/), expect.stringMatching(/^tenant-dunder-mifflin-/)]);
    expect(objects(removed).get("ConfigMap/tenants")!.data["acme.remove.sql"]).toMatch(/DROP SCHEMA IF EXISTS tenant_acme CASCADE;/);
    const roles = objects(removed).get("Cluster/postgres")!.spec.managed.roles as { name: string; ensure: string; inRoles?: string[] }[];
    expect(roles.find((r) => r.name === "tenant_acme")!.ensure).toBe("absent");
    expect(roles[0].inRoles).toEqual(["tenant_dunder_mifflin"]);
    expect(resource(removed, "keycloak:index/realm:Realm", "tenants-acme-realm").inputs.enabled).toBe(false);
    expect(resource(removed, "kubernetes:core/v1:Secret", "tenants-keys").inputs.stringData).toHaveProperty("acme");
    expect(envOf(objects(removed).get("Deployment/api") ?? [...objects(removed).values()].find((o) => o.kind === "Deployment" && o.metadata.name.startsWith("api"))!).TENANTS).toBe("dunder-mifflin");
  }, 60000);

  it("watches the Jobs of a tenant being removed, the last one too: TenantJobFailed matches its removal Job and the tenants' backups, TenantErrorRate is gone", async () => {
    const removed = await render("production", withTenants({ acme: { remove: true } }, (v) => (v["mcp-platform:tenantArchives"] = { acme: archive })));
    const rules = (objects(removed).get("PrometheusRule/mcp-platform")!.spec.groups as { rules: { alert?: string; record?: string; expr: string }[] }[]).flatMap((g) => g.rules);
    expect(rules.filter((r) => r.alert === "TenantErrorRate" || r.record?.startsWith("tenant:"))).toEqual([]);
    const [failed] = rules.filter((r) => r.alert === "TenantJobFailed");
    // Prometheus anchors the regular expression of a =~ matcher.
    const watched = new RegExp(`^(?:${/job_name=~"([^"]+)"/.exec(failed.expr)![1]})$`);
    const cronJob = [...objects(removed).values()].find((o) => o.kind === "CronJob" && JSON.stringify(o.spec.jobTemplate).includes("tenant-backup.sh"))!;
    expect(jobsOf(removed).map((j) => j.metadata.name)).toEqual([expect.stringMatching(/^tenant-acme-remove-/)]);
    const names = [...jobsOf(removed).map((j) => j.metadata.name), `${cronJob.metadata.name}-29412960`, `${cronJob.metadata.name}-final-acme`];
    expect(names.filter((name) => !watched.test(name))).toEqual([]);
    // Not the stack's other Jobs.
    const others = [...objects(removed).values()].filter((o) => o.kind === "CronJob" && o !== cronJob).map((o) => `${o.metadata.name}-29412960`);
    expect(others.length).toBeGreaterThan(1);
    expect(others.filter((name) => watched.test(name))).toEqual([]);
  }, 60000);
});

it("npm run plan refuses a removal without a verified final backup: exit 2, saying what to run", async () => {
  const values = readStackValues("production");
  withTenants({ acme: { remove: true }, globex: {} })(values);
  const result = await runScript("tools/plan.ts", "--stack", "production", "--config-file", writeStackFile(values));
  expect(result.code).toBe(2);
  expect(result.stderr).toMatch(/mcp-platform:tenants\.acme\.remove: refused: tenant "acme" has no verified final backup of its schema; run kubectl -n mcp-production create job tenant-backups-final-acme --from=cronjob\/tenant-backups/);
}, 60000);
