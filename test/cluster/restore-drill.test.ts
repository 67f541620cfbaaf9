/**
 * The restore drill's script (backup/restore-drill.sh) against the real API server, as its CronJob
 * runs it: with a token of its own ServiceAccount (TokenRequest), the environment the production
 * plan gives its container, the scratch cluster template from its ConfigMap. The real server
 * decides what its Role allows. No CloudNativePG operator runs here, so the test plays its part:
 * once the scratch Cluster is created it adds the superuser Secret and sets the status the
 * operator sets (phases as cloudnative-pg api/v1 cluster_types.go names them), with a real
 * PostgreSQL on loopback standing in for the recovered instance and moto for the bucket.
 */
import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { Deployer } from "../../tools/cluster/apply";
import { runningCluster } from "../../tools/cluster/cluster";
import type { KubeClient, KubeObject } from "../../tools/cluster/kube-client";
import { waitFor } from "../../tools/cluster/control-plane";
import { PROJECT_DIR, render, type K8sObject } from "../harness";
import { freePort, runTool, startPostgres, startS3, tempDir, type Postgres, type S3 } from "../integration/real-tools";
import { clusterObjects, connect, lines, teardown } from "./cluster";

const SCRIPTS = path.join(PROJECT_DIR, "backup");
/** CloudNativePG's phases (api/v1 cluster_types.go): healthy, and one it never leaves by itself. */
const PHASE_HEALTHY = "Cluster in healthy state";
const PHASE_UNKNOWN_PLUGIN = "Cluster cannot proceed to reconciliation due to an unknown plugin being required";

let client: KubeClient;
let deployer: Deployer;
let pg: Postgres;
let s3: S3;
let cronJob: K8sObject;
let namespace: string;
/** The drill container's environment as the plan renders it, pointed at the loopback stand-ins. */
let drillEnv: NodeJS.ProcessEnv;

const containerEnv = (job: K8sObject): Record<string, string> =>
  Object.fromEntries((job.spec.jobTemplate.spec.template.spec.containers[0].env as { name: string; value?: string }[]).filter((e) => e.value !== undefined).map((e) => [e.name, e.value!]));

beforeAll(async () => {
  client = connect();
  deployer = new Deployer(client);
  const plan = await render("production");
  const planned = clusterObjects(plan);
  cronJob = planned.find((p) => p.object.kind === "CronJob" && p.object.metadata.name === "restore-drill")!.object as K8sObject;
  namespace = cronJob.metadata.namespace!;
  const account = cronJob.spec.jobTemplate.spec.template.spec.serviceAccountName as string;
  const template = (cronJob.spec.jobTemplate.spec.template.spec.volumes as { name: string; configMap?: { name: string } }[]).find((v) => v.name === "template")!.configMap!.name;
  // The drill's namespace, account and template, and the live cluster it must not touch.
  const wanted = (o: KubeObject) =>
    (o.kind === "Namespace" && o.metadata.name === namespace) ||
    (["ServiceAccount", "Role", "RoleBinding"].includes(o.kind) && o.metadata.name === account) ||
    (o.kind === "ConfigMap" && o.metadata.name === template) ||
    (o.kind === "Cluster" && o.metadata.namespace === namespace);
  const applied = await deployer.apply(planned.filter((p) => wanted(p.object)));
  expect(lines(applied.errors)).toEqual([]);

  // The account's own token, where a pod's projected token would be.
  const token = await client.request<{ status: { token: string } }>("POST", `/api/v1/namespaces/${namespace}/serviceaccounts/${account}/token`, {
    apiVersion: "authentication.k8s.io/v1",
    kind: "TokenRequest",
    spec: { expirationSeconds: 600 },
  });
  const sa = tempDir("mcp-drill-sa-");
  fs.writeFileSync(path.join(sa, "token"), token.body.status.token);
  fs.copyFileSync(runningCluster()!.pki.caCert, path.join(sa, "ca.crt"));
  const templateFile = path.join(sa, "cluster.json");
  const configMap = planned.find((p) => p.object.kind === "ConfigMap" && p.object.metadata.name === template)!.object as K8sObject;
  fs.writeFileSync(templateFile, configMap.data["cluster.json"]);

  const rendered = containerEnv(cronJob);
  // The bucket the plan names, with a logical backup whose manifest lists the tables the drill checks.
  const endpoint = startS3({ buckets: [rendered.BACKUP_BUCKET] });
  pg = startPostgres(await freePort());
  s3 = await endpoint;
  const psql = (sql: string, database = rendered.PGDATABASE) => {
    const result = runTool("psql", ["-X", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", String(pg.port), "-U", "postgres", "-d", database, "-c", sql]);
    if (result.status !== 0) throw new Error(result.output);
  };
  psql(`CREATE DATABASE ${rendered.PGDATABASE}`, "postgres");
  psql("CREATE TABLE orders (id bigint PRIMARY KEY, created_at timestamptz NOT NULL DEFAULT now()); INSERT INTO orders (id) SELECT generate_series(1, 500)");
  const base = { ...process.env, ...s3.env, BACKUP_BUCKET: rendered.BACKUP_BUCKET, BACKUP_PREFIX: rendered.BACKUP_PREFIX };
  const backup = runTool(path.join(SCRIPTS, "logical-backup.sh"), [], { ...base, PGHOST: "127.0.0.1", PGPORT: String(pg.port), PGUSER: "postgres", PGDATABASE: rendered.PGDATABASE }, 120000);
  expect(backup).toMatchObject({ status: 0 });

  drillEnv = { ...process.env, ...rendered, ...s3.env, CLUSTER_TEMPLATE: templateFile, KUBE_API: runningCluster()!.server, KUBE_SA_DIR: sa, DRILL_PGHOST: "127.0.0.1", DRILL_PGPORT: String(pg.port), PGSSLMODE: "disable", POLL_SECONDS: "1" };
  // The in-cluster Pushgateway is not here (pushing is tested in test/integration/restore-drill.test.ts).
  delete drillEnv.PUSHGATEWAY_URL;
}, 180000);

afterAll(async () => {
  pg?.stop();
  await s3?.stop();
  if (client) {
    const removed = await teardown(client, deployer);
    client.close();
    expect(lines(removed.errors)).toEqual([]);
  }
}, 120000);

/** Runs the drill as its CronJob would; `operator` plays CloudNativePG once the scratch Cluster exists. */
async function drill(operator: (scratch: K8sObject) => Promise<void>, env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; output: string; scratch: K8sObject; seconds: number }> {
  const started = Date.now();
  const child = spawn("bash", [path.join(SCRIPTS, "restore-drill.sh")], { env: { ...drillEnv, ...env } });
  let output = "";
  child.stdout.on("data", (d) => (output += d));
  child.stderr.on("data", (d) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
  const name = drillEnv.DRILL_CLUSTER!;
  const scratch = await waitFor(`the drill to create Cluster ${name}`, async () => (await client.get<K8sObject>("postgresql.cnpg.io/v1", "Cluster", name, namespace)) ?? (child.exitCode !== null ? ({} as K8sObject) : undefined), 60000);
  if (scratch.metadata) await operator(scratch);
  const code = await exited;
  return { code, output, scratch, seconds: (Date.now() - started) / 1000 };
}

/** What CloudNativePG writes on the Cluster's status subresource. */
async function setPhase(scratch: K8sObject, phase: string, readyInstances: number): Promise<void> {
  const object = await client.objectPath("postgresql.cnpg.io/v1", "Cluster", scratch.metadata.name, namespace);
  await client.request("PATCH", `${object}/status`, { status: { phase, readyInstances } }, "application/merge-patch+json");
}

/** A request with the drill's own token through lib.sh's kube_api: exit 0 for 2xx, 4 for 404, 1 otherwise. */
const asDrill = (method: string, apiPath: string) => runTool("bash", ["-c", `. "${SCRIPTS}/lib.sh"; kube_api ${method} ${apiPath}`], drillEnv);

describe("the restore drill on the real API server, as its own account", () => {
  it("creates the scratch cluster with a recovery target, checks the stand-in for the recovered instance and deletes the scratch cluster", async () => {
    const run = await drill(async (scratch) => {
      const password = Buffer.from("drill").toString("base64");
      await client.apply({ apiVersion: "v1", kind: "Secret", metadata: { name: `${scratch.metadata.name}-superuser`, namespace }, type: "kubernetes.io/basic-auth", data: { username: Buffer.from("postgres").toString("base64"), password } } as KubeObject);
      await setPhase(scratch, PHASE_HEALTHY, 1);
    });
    expect({ code: run.code, output: run.output }).toMatchObject({ code: 0 });
    expect(run.scratch.spec.bootstrap.recovery.recoveryTarget.targetTime).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\+00:00$/);
    expect(JSON.parse(run.output.trim().split("\n").pop()!)).toMatchObject({ result: "ok", tables: 1 });
    expect(await client.get("postgresql.cnpg.io/v1", "Cluster", run.scratch.metadata.name, namespace)).toBeUndefined();
    process.stdout.write(`restore drill on the API server: ${run.seconds.toFixed(1)} s\n`);
  });

  it("fails at once, and deletes the scratch cluster, when the operator cannot proceed", async () => {
    const run = await drill((scratch) => setPhase(scratch, PHASE_UNKNOWN_PLUGIN, 0), { TIMEOUT_MINUTES: "2" });
    expect(run.code).toBe(1);
    expect(run.output).toContain(`the scratch cluster cannot recover: ${PHASE_UNKNOWN_PLUGIN}`);
    expect(run.seconds).toBeLessThan(60);
    expect(await client.get("postgresql.cnpg.io/v1", "Cluster", run.scratch.metadata.name, namespace)).toBeUndefined();
  });

  it("may not read, change or delete the live cluster or its Secrets, nor list Secrets", () => {
    const live = `/apis/postgresql.cnpg.io/v1/namespaces/${namespace}/clusters/${drillEnv.SOURCE_CLUSTER}`;
    const refused = [
      asDrill("GET", live),
      asDrill("DELETE", live),
      asDrill("GET", `/api/v1/namespaces/${namespace}/secrets/${drillEnv.SOURCE_CLUSTER}-superuser`),
      asDrill("GET", `/api/v1/namespaces/${namespace}/secrets/${drillEnv.SOURCE_CLUSTER}-app`),
      asDrill("GET", `/api/v1/namespaces/${namespace}/secrets`),
      asDrill("GET", `/apis/postgresql.cnpg.io/v1/namespaces/${namespace}/clusters`),
    ];
    for (const result of refused) expect(result).toMatchObject({ status: 1, output: expect.stringMatching(/HTTP 403/) });
    // What it may do: read its scratch cluster (absent now: 404, not 403).
    expect(asDrill("GET", `/apis/postgresql.cnpg.io/v1/namespaces/${namespace}/clusters/${drillEnv.DRILL_CLUSTER}`).status).toBe(4);
  });
});
