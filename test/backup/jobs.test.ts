/** The backup CronJobs (BAK-4, BAK-7, BAK-8) and the pre-release backup (BAK-6): rendering and wiring. */
import * as fs from "fs";
import * as path from "path";
import { BACKUP_SCRIPTS } from "../../components/backup/jobs-render";
import { objects, PROJECT_DIR, render, resource, STACKS, type K8sObject } from "../harness";
import type { Plan } from "../../tools/render-stack";
import { JOB_NAMES } from "../../components/backup/public";

const plans = new Map<string, Plan>();
beforeAll(async () => {
  for (const stack of STACKS) plans.set(stack, await render(stack));
});

type Container = { name: string; image: string; command?: string[]; env: { name: string; value?: string; valueFrom?: unknown }[]; volumeMounts?: { name: string; readOnly?: boolean }[] };
const podSpec = (cronJob: K8sObject) => cronJob.spec.jobTemplate.spec.template.spec;
const cronJobs = (plan: Plan) => [...objects(plan).values()].filter((o) => o.kind === "CronJob");

/** The variables a script demands (its require_env line), read from the script itself. */
function requiredEnv(script: string): string[] {
  const text = fs.readFileSync(path.join(PROJECT_DIR, "backup", script), "utf8");
  return [...text.matchAll(/^require_env (.+)$/gm)].flatMap((m) => m[1].split(/\s+/));
}

describe.each(STACKS)("backup jobs of the %s stack", (stack) => {
  const plan = () => plans.get(stack)!;

  it("runs a logical backup, a restore check and a restore drill, never two at once, with deadlines and history", () => {
    expect(cronJobs(plan()).map((c) => c.metadata.name).sort()).toEqual([JOB_NAMES.logical, JOB_NAMES.restoreCheck, JOB_NAMES.restoreDrill]);
    for (const cronJob of cronJobs(plan())) {
      expect(cronJob.spec).toMatchObject({ concurrencyPolicy: "Forbid", timeZone: "Etc/UTC", startingDeadlineSeconds: 3600, successfulJobsHistoryLimit: 3, failedJobsHistoryLimit: 3 });
      expect(cronJob.spec.jobTemplate.spec.activeDeadlineSeconds).toBe(10800);
    }
  });

  it("gives every script the environment it demands, and runs the scripts of this repository", () => {
    const configMap = objects(plan()).get(`ConfigMap/${BACKUP_SCRIPTS}`)!;
    for (const cronJob of cronJobs(plan())) {
      const [main] = podSpec(cronJob).containers as Container[];
      const script = main.command![1].split("/").pop()!;
      expect(configMap.data[script]).toBe(fs.readFileSync(path.join(PROJECT_DIR, "backup", script), "utf8"));
      const names = main.env.map((e) => e.name);
      expect(requiredEnv(script).filter((name) => !names.includes(name))).toEqual([]);
      // The pushed digest of the built tools image, never a tag alone.
      expect(main.image).toMatch(/^ghcr\.io\/example\/mcp-platform-backup-tools@sha256:[a-f0-9]{64}$/);
    }
    expect(resource(plan(), "docker:index/image:Image", "backup-jobs-tools").inputs).toMatchObject({
      imageName: "ghcr.io/example/mcp-platform-backup-tools:17-1",
      build: { context: "backup", dockerfile: "backup/Dockerfile", args: { PG_MAJOR: "17" } },
    });
  });

  it("restores into a scratch server inside the check's own pod, with no access to the production database", () => {
    const check = objects(plan()).get(`CronJob/${JOB_NAMES.restoreCheck}`)!;
    const spec = podSpec(check);
    expect(spec.initContainers).toHaveLength(1);
    expect(spec.initContainers[0]).toMatchObject({ name: "scratch-postgres", restartPolicy: "Always", startupProbe: { exec: { command: ["pg_isready", "-h", "127.0.0.1", "-U", "postgres"] } } });
    const env = Object.fromEntries((spec.containers[0] as Container).env.map((e) => [e.name, e.value]));
    expect(env).toMatchObject({ PGHOST: "127.0.0.1", PGUSER: "postgres", RESTORE_CHECK_SQL: "SELECT count(*) > 0 FROM pg_tables WHERE schemaname = 'public'" });
    expect(JSON.stringify(spec)).not.toContain("postgres-app-credentials");
    expect(spec.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 999, seccompProfile: { type: "RuntimeDefault" } });
  });

  it("is the restore-check that the staleness and failure alerts watch", () => {
    const rules = [...objects(plan()).values()].find((o) => o.kind === "PrometheusRule")!;
    const exprs = rules.spec.groups.flatMap((g: { rules: { alert?: string; expr: string }[] }) => g.rules).filter((r: { alert?: string }) => r.alert?.startsWith("RestoreCheck"));
    expect(exprs.map((r: { expr: string }) => r.expr).join("\n")).toContain(`cronjob="${JOB_NAMES.restoreCheck}"`);
    expect(exprs.map((r: { expr: string }) => r.expr).join("\n")).toContain(`job_name=~"${JOB_NAMES.restoreCheck}-.*"`);
  });

  it("lets the backup jobs reach Postgres, and Postgres admit them", () => {
    const o = objects(plan());
    const jobsPolicy = o.get("NetworkPolicy/backup-jobs")!;
    expect(jobsPolicy.spec.egress[0]).toEqual({ to: [{ podSelector: { matchLabels: { "cnpg.io/cluster": "postgres" } } }], ports: [{ protocol: "TCP", port: 5432 }] });
    const admitted = o.get("NetworkPolicy/postgres")!.spec.ingress.flatMap((r: { from: { podSelector?: { matchLabels: Record<string, string> } }[] }) => r.from);
    expect(admitted).toContainEqual({ podSelector: { matchLabels: jobsPolicy.spec.podSelector.matchLabels } });
    expect(podSpec(o.get(`CronJob/${JOB_NAMES.logical}`)!).containers).toBeDefined();
  });
});

describe("pre-release backup (BAK-6, REL-8)", () => {
  it("in production, takes a base backup named after each release and gates its migration and rollout on a Job that waits for it", () => {
    const plan = plans.get("production")!;
    const backup = resource(plan, "kubernetes:postgresql.cnpg.io/v1:Backup", "pre-release-api-1-4-1");
    // The gate waits: the provider must not (a failed backup never reaches "completed").
    expect(backup.inputs.metadata).toMatchObject({ annotations: { "pulumi.com/skipAwait": "true" } });
    expect(backup.inputs.spec).toEqual({ cluster: { name: "postgres" }, method: "plugin", pluginConfiguration: { name: "barman-cloud.cloudnative-pg.io" } });
    const gate = resource(plan, "kubernetes:batch/v1:Job", "pre-release-api-1-4-1-gate");
    expect(gate.options.dependsOn).toContain(backup.urn);
    const gateJob = gate.inputs as unknown as K8sObject;
    expect(gateJob.metadata.name).toBe("pre-release-api-1-4-1");
    expect(gateJob.spec.backoffLimit).toBe(0);
    const pod = gateJob.spec.template.spec;
    expect(pod).toMatchObject({ serviceAccountName: "backup-gate", automountServiceAccountToken: true });
    expect(pod.containers[0].command).toEqual(["bash", "/opt/backup/wait-backup.sh"]);
    expect(requiredEnv("wait-backup.sh").filter((name) => !pod.containers[0].env.some((e: { name: string }) => e.name === name))).toEqual([]);
    const migration = plan.resources.find((r) => r.type === "kubernetes:batch/v1:Job" && r.name.startsWith("api-migrate-"))!;
    expect(migration.options.dependsOn).toContain(gate.urn);
    expect(resource(plan, "kubernetes:apps/v1:Deployment", "api-blue").options.dependsOn).toContain(gate.urn);
  });

  it("takes one for releases without migrations too: the worker's (BAK-6: before every deployment)", () => {
    const plan = plans.get("production")!;
    const worker = resource(plan, "kubernetes:apps/v1:Deployment", "worker");
    expect(worker.options.dependsOn.filter((u) => u.endsWith("-gate"))).toHaveLength(1);
    expect(plan.resources.filter((r) => r.type === "kubernetes:postgresql.cnpg.io/v1:Backup").map((r) => r.name)).toContain(
      `pre-release-worker-${(worker.inputs as unknown as K8sObject).spec.template.metadata.labels["app.kubernetes.io/version"].replace(/\./g, "-")}`,
    );
  });

  it("is off in staging", () => {
    expect(plans.get("staging")!.resources.filter((r) => r.type === "kubernetes:postgresql.cnpg.io/v1:Backup")).toEqual([]);
  });
});

describe("volume backups (BAK-7)", () => {
  it("back up each declared volume, mounted read-only, to its own prefix", async () => {
    const plan = await render("staging", (v) => {
      (v["mcp-platform:backups"] as Record<string, unknown>).volumes = [{ claim: "uploads" }, { claim: "logs", schedule: "0 4 * * *" }];
    });
    const o = objects(plan);
    const uploads = o.get("CronJob/volume-backup-uploads")!;
    expect(uploads.spec.schedule).toBe("30 3 * * *");
    expect(o.get("CronJob/volume-backup-logs")!.spec.schedule).toBe("0 4 * * *");
    const spec = podSpec(uploads);
    expect(spec.volumes).toContainEqual({ name: "data", persistentVolumeClaim: { claimName: "uploads", readOnly: true } });
    const main = spec.containers[0] as Container;
    expect(main.volumeMounts).toContainEqual({ name: "data", mountPath: "/data", readOnly: true });
    expect(main.env).toContainEqual({ name: "BACKUP_PREFIX", value: "volumes/uploads" });
    expect(requiredEnv("volume-backup.sh").filter((name) => !main.env.some((e) => e.name === name))).toEqual([]);
  });
});
