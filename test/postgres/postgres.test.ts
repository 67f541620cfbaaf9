/** Postgres (CloudNativePG): pure renders, wiring of the data services under mocks, schema conformance, the operator's add-ons. */
import { parsePlatformConfig } from "../../config";
import { renderPostgres } from "../../components/postgres/render";
import { objects, render, resource, STACKS, type K8sObject } from "../harness";
import { schemasAvailable, validateCustomResource } from "../crd-schema";
import { stagingConfig as config } from "../fixtures";
import { validateObject } from "../k8s-schema";
import type { Plan } from "../../tools/render-stack";

const plans = new Map<string, Plan>();
beforeAll(async () => {
  for (const stack of STACKS) plans.set(stack, await render(stack));
});

const describeWithSchemas = schemasAvailable() ? describe : describe.skip;

describeWithSchemas("CloudNativePG resources conform to the operator's CRDs", () => {
  it.each(STACKS)("every CloudNativePG resource of %s validates", (stack) => {
    const custom = [...objects(plans.get(stack)!).values()].filter((o) => o.apiVersion.includes("cnpg.io"));
    // The stack's own ObjectStore and the restore drill's read-only one; in production a pre-release Backup per release (api and worker).
    expect(custom.map((o) => o.kind).sort()).toEqual(
      stack === "production" ? ["Backup", "Backup", "Cluster", "ObjectStore", "ObjectStore", "Pooler", "ScheduledBackup"] : ["Cluster", "ObjectStore", "ObjectStore", "Pooler", "ScheduledBackup"],
    );
    for (const o of custom) expect(() => validateCustomResource(o)).not.toThrow();
  });

  it("a point-in-time recovery from the bucket validates too (BAK-5)", async () => {
    const plan = await render("production", (v) => {
      const pg = v["mcp-platform:postgres"] as Record<string, unknown>;
      pg.archiveServerName = "postgres-2";
      pg.restoreFrom = { serverName: "postgres", targetTime: "2026-11-22T09:30:00Z" };
    });
    const cluster = objects(plan).get("Cluster/postgres")!;
    expect(cluster.spec.bootstrap).toEqual({
      // In PostgreSQL's format: an RFC 3339 "...Z" can reach recovery_target_time unchanged, which PostgreSQL refuses (test/integration/restore-drill.test.ts).
      recovery: { source: "origin", database: "app", owner: "app", secret: { name: "postgres-app-credentials" }, recoveryTarget: { targetTime: "2026-11-22 09:30:00+00:00" } },
    });
    expect(cluster.spec.externalClusters).toEqual([
      { name: "origin", plugin: { name: "barman-cloud.cloudnative-pg.io", parameters: { barmanObjectName: "backups", serverName: "postgres" } } },
    ]);
    expect(cluster.spec.plugins[0]).toMatchObject({ isWALArchiver: true, parameters: { serverName: "postgres-2" } });
    expect(() => validateCustomResource(cluster)).not.toThrow();
  });

  it("a failover restores from the disaster-recovery bucket, read-only, in its region (BAK-3)", async () => {
    const plan = await render("production", (v) => {
      const pg = v["mcp-platform:postgres"] as Record<string, unknown>;
      pg.archiveServerName = "postgres-dr-1";
      pg.restoreFrom = { serverName: "postgres", bucket: "example-mcp-platform-production-backups-dr", region: "eu-central-1" };
    });
    const source = objects(plan).get("ObjectStore/restore-source")!;
    expect(source.spec.configuration).toMatchObject({
      destinationPath: "s3://example-mcp-platform-production-backups-dr/postgres",
      endpointURL: "https://s3.eu-central-1.amazonaws.com",
    });
    expect(() => validateCustomResource(source)).not.toThrow();
    const cluster = objects(plan).get("Cluster/postgres")!;
    expect(cluster.spec.externalClusters[0].plugin.parameters).toEqual({ barmanObjectName: "restore-source", serverName: "postgres" });
    expect(resource(plan, "kubernetes:barmancloud.cnpg.io/v1:ObjectStore", "postgres-restore-source").options.dependsOn).toEqual([]);
    const clusterDeps = resource(plan, "kubernetes:postgresql.cnpg.io/v1:Cluster", "postgres-cluster").options.dependsOn;
    expect(clusterDeps.some((urn) => urn.endsWith("::postgres-restore-source"))).toBe(true);
    // The writer may read the DR bucket's archive, and nothing more of it.
    const policy = JSON.parse(String(resource(plan, "aws:iam/userPolicy:UserPolicy", "backups-writer").inputs.policy));
    const dr = policy.Statement.filter((st: { Sid: string }) => st.Sid.endsWith("RestoreSource"));
    expect(dr.flatMap((st: { Action: string[] }) => st.Action).sort()).toEqual(["kms:Decrypt", "s3:GetObject", "s3:ListBucket"]);
    expect(dr[1].Resource).toEqual(["arn:aws:s3:::example-mcp-platform-production-backups-dr/postgres/*"]);
  });

  it("needs the region of a bucket it restores from", async () => {
    const result = parsePlatformConfig({
      environment: "staging",
      services: { api: { image: { repository: "r/api", tag: "1.0.0" }, port: 8000 } },
      postgres: { archiveServerName: "postgres-2", restoreFrom: { serverName: "postgres", bucket: "dr-bucket" } },
    });
    expect(result.ok ? [] : result.errors).toContainEqual(expect.stringMatching(/^mcp-platform:postgres\.restoreFrom\.region: bucket and region go together/));
  });

  it("catches a misspelt field and a wrong type", () => {
    const cluster = objects(plans.get("production")!).get("Cluster/postgres")!;
    expect(() => validateCustomResource({ ...cluster, spec: { ...cluster.spec, instance: 3 } })).toThrow(/must NOT have additional properties \(instance\)/);
    expect(() => validateCustomResource({ ...cluster, spec: { ...cluster.spec, instances: "3" } })).toThrow(/\/spec\/instances must be integer/);
  });
});

describe("Postgres", () => {
  const pg = (extra: Record<string, unknown> = {}) => config({ postgres: { pooler: {}, ...extra } }).postgres!;
  const ctx = { namespace: "ns", monitoringNamespace: "monitoring", operatorNamespace: "cnpg-system", directClients: [{ app: "worker" }], pooledClients: [{ app: "api" }] };

  it("sets the runbooks' limits and statistics", () => {
    const m = renderPostgres(pg(), ctx, "pw");
    expect(m.cluster.spec).toMatchObject({
      instances: 1,
      enableSuperuserAccess: false,
      postgresql: {
        parameters: {
          max_connections: "200",
          statement_timeout: "30s",
          idle_in_transaction_session_timeout: "60s",
          log_min_duration_statement: "200ms",
          "pg_stat_statements.track": "all",
        },
      },
      bootstrap: { initdb: { database: "app", owner: "app", secret: { name: "postgres-app-credentials" } } },
    });
    expect(m.credentials).toMatchObject({ type: "kubernetes.io/basic-auth", stringData: { username: "app", password: "pw" } });
  });

  it("spreads PgBouncer over nodes as the instances are, strictly where they must be", () => {
    const spread = (antiAffinity: string) => (renderPostgres(pg({ antiAffinity }), ctx, "pw").pooler!.spec.template as { spec: { topologySpreadConstraints: { topologyKey: string; whenUnsatisfiable: string; labelSelector: unknown }[] } }).spec.topologySpreadConstraints;
    expect(spread("preferred")[0]).toEqual({ maxSkew: 1, topologyKey: "kubernetes.io/hostname", whenUnsatisfiable: "ScheduleAnyway", labelSelector: { matchLabels: { "cnpg.io/poolerName": "postgres-pooler-rw" } } });
    expect(spread("required")[0].whenUnsatisfiable).toBe("DoNotSchedule");
    expect(spread("required")[1].topologyKey).toBe("topology.kubernetes.io/zone");
  });

  it("lets the stack override parameters", () => {
    const m = renderPostgres(pg({ maxConnections: 500, parameters: { work_mem: "16MB" } }), ctx, "pw");
    expect((m.cluster.spec.postgresql as { parameters: Record<string, string> }).parameters).toMatchObject({ max_connections: "500", work_mem: "16MB" });
  });

  it("admits the replicas, the operator, direct clients and the pooler, and nothing else", () => {
    const m = renderPostgres(pg(), ctx, "pw");
    const ingress = (m.clusterPolicy.spec as { ingress: { from: unknown[]; ports: { port: number }[] }[] }).ingress;
    expect(ingress).toEqual([
      { from: [{ podSelector: { matchLabels: { "cnpg.io/cluster": "postgres" } } }], ports: [{ protocol: "TCP", port: 5432 }] },
      { from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "cnpg-system" } } }], ports: [{ protocol: "TCP", port: 8000 }, { protocol: "TCP", port: 5432 }] },
      { from: [{ podSelector: { matchLabels: { app: "worker" } } }, { podSelector: { matchLabels: { "cnpg.io/poolerName": "postgres-pooler-rw" } } }], ports: [{ protocol: "TCP", port: 5432 }] },
      { from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } } }], ports: [{ protocol: "TCP", port: 9187 }] },
    ]);
    expect((m.poolerPolicy!.spec as { ingress: unknown[] }).ingress).toEqual([
      { from: [{ podSelector: { matchLabels: { app: "api" } } }], ports: [{ protocol: "TCP", port: 5432 }] },
      { from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } } }], ports: [{ protocol: "TCP", port: 9127 }] },
    ]);
  });

  it("lets the instances reach the backup bucket only when the stack has one", () => {
    const https = { to: [{ ipBlock: { cidr: "0.0.0.0/0" } }], ports: [{ protocol: "TCP", port: 443 }] };
    const egress = (m: ReturnType<typeof renderPostgres>) => (m.clusterPolicy.spec as { egress: unknown[] }).egress;
    expect(egress(renderPostgres(pg(), ctx, "pw"))).not.toContainEqual(https);
    const backups = config({ postgres: {}, backups: { bucket: "b-primary", region: "eu-west-1", drBucket: "b-dr", drRegion: "eu-central-1", jobs: { image: { repository: "r/tools", tag: "17-1" } } } }).backups!;
    expect(egress(renderPostgres(pg(), ctx, "pw", backups))).toContainEqual(https);
  });

  it("renders policies and the credentials Secret that validate against the Kubernetes schemas", () => {
    const m = renderPostgres(pg(), ctx, "pw");
    for (const o of [m.credentials, m.clusterPolicy, m.poolerPolicy!]) expect(() => validateObject(o as never)).not.toThrow();
  });
});

describe.each(STACKS)("data services in the %s stack", (stack) => {
  const plan = () => plans.get(stack)!;

  it("hands services their connection settings by secretKeyRef and $(VAR) expansion", () => {
    const api = objects(plan()).get("Deployment/api-blue") as K8sObject;
    const env = api.spec.template.spec.containers[0].env as { name: string; value?: string; valueFrom?: unknown }[];
    const byName = new Map(env.map((e) => [e.name, e]));
    expect(byName.get("DATABASE_PASSWORD")).toEqual({ name: "DATABASE_PASSWORD", valueFrom: { secretKeyRef: { name: "postgres-app-credentials", key: "password" } } });
    expect(byName.get("DATABASE_URL")?.value).toBe("postgresql://$(DATABASE_USER):$(DATABASE_PASSWORD)@postgres-pooler-rw:5432/app");
    expect(byName.get("REDIS_CACHE_URL")?.value).toBe("redis://:$(REDIS_CACHE_PASSWORD)@redis-cache:6379/0");
    // $(VAR) expands only variables defined before it.
    expect(env.findIndex((e) => e.name === "DATABASE_PASSWORD")).toBeLessThan(env.findIndex((e) => e.name === "DATABASE_URL"));
  });

  it("lets each service reach exactly the data services it uses", () => {
    const egress = (name: string) => (objects(plan()).get(`NetworkPolicy/${name}`) as K8sObject).spec.egress.map((e: { to: { podSelector?: { matchLabels: object } }[] }) => e.to[0].podSelector?.matchLabels);
    expect(egress("worker")).toEqual(
      expect.arrayContaining([{ "cnpg.io/cluster": "postgres" }, { "app.kubernetes.io/name": "redis-queue", "app.kubernetes.io/part-of": "mcp-platform" }]),
    );
    expect(egress("worker")).not.toContainEqual({ "app.kubernetes.io/name": "redis-cache", "app.kubernetes.io/part-of": "mcp-platform" });
  });

  it(`protects the Postgres cluster and the queue ${stack === "production" ? "" : "only "}in production`, () => {
    const production = stack === "production";
    expect(resource(plan(), "kubernetes:postgresql.cnpg.io/v1:Cluster", "postgres-cluster").options.protect).toBe(production);
    expect(resource(plan(), "kubernetes:apps/v1:StatefulSet", "redis-queue-statefulset").options.protect).toBe(production);
    expect(resource(plan(), "kubernetes:apps/v1:StatefulSet", "redis-cache-statefulset").options.protect).toBe(false);
  });

  it("installs the operator before the Cluster", () => {
    const release = resource(plan(), "kubernetes:helm.sh/v3:Release", "cluster-addons-cloudnative-pg");
    const postgres = plan().resources.find((r) => r.type === "mcp-platform:data:Postgres")!;
    expect(postgres.options.dependsOn).toContain(release.urn);
  });
});

describe("cluster add-ons", () => {
  it("are skipped where another stack on the cluster owns them", async () => {
    const plan = await render("staging", (v) => (v["mcp-platform:clusterAddons"] = { cloudnativePg: { install: false } }));
    expect(plan.resources.some((r) => r.name === "cluster-addons-cloudnative-pg")).toBe(false);
    expect(plan.resources.some((r) => r.type === "kubernetes:postgresql.cnpg.io/v1:Cluster")).toBe(true);
  });
});
