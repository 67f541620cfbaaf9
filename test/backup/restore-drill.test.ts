/**
 * The physical restore drill as the stacks render it (BAK-4, BAK-5, BAK-8): a weekly CronJob that
 * may create and delete only its scratch cluster, a scratch cluster that is the live one's twin but
 * recovers read-only and archives nothing, and network paths that never reach the live cluster.
 */
import { execFileSync } from "child_process";
import * as path from "path";
import { BACKUP_READER_CREDENTIALS } from "../../components/backup/names";
import { objects, PROJECT_DIR, render, STACKS, type K8sObject } from "../harness";
import { schemasAvailable, validateCustomResource } from "../crd-schema";
import type { Plan } from "../../tools/render-stack";
import { postgresNames } from "../../components/postgres/public";
import { DRILL, drillPodLabels } from "../../components/backup/public";

const plans = new Map<string, Plan>();
beforeAll(async () => {
  for (const stack of STACKS) plans.set(stack, await render(stack));
});

/** The scratch Cluster as restore-drill.sh sends it: the template with the recovery target its lib.sh adds. */
function scratchCluster(template: K8sObject, epoch: number): K8sObject {
  const lib = path.join(PROJECT_DIR, "backup", "lib.sh");
  const out = execFileSync("bash", ["-c", `. "${lib}"; with_recovery_target "$(recovery_time ${epoch})"`], { input: template.data["cluster.json"], encoding: "utf8" });
  return JSON.parse(out);
}

describe.each(STACKS)("the restore drill of the %s stack", (stack) => {
  const get = (id: string) => {
    const found = objects(plans.get(stack)!).get(id);
    if (!found) throw new Error(`no ${id} in ${stack}`);
    return found;
  };

  it("runs weekly, as its own account, with the API token only it mounts", () => {
    const cronJob = get("CronJob/restore-drill");
    expect(cronJob.spec.schedule).toBe("0 4 * * 0");
    const pod = cronJob.spec.jobTemplate.spec.template.spec;
    expect(pod).toMatchObject({ serviceAccountName: DRILL.account, automountServiceAccountToken: true });
    expect(pod.containers[0].command).toEqual(["bash", "/opt/backup/restore-drill.sh"]);
    expect(cronJob.spec.jobTemplate.metadata.labels).toMatchObject(drillPodLabels);
  });

  it("may create clusters and get or delete only its scratch cluster and read only its superuser Secret", () => {
    const role = get(`Role/${DRILL.account}`);
    expect(role.rules).toEqual([
      { apiGroups: ["postgresql.cnpg.io"], resources: ["clusters"], verbs: ["create"] },
      { apiGroups: ["postgresql.cnpg.io"], resources: ["clusters"], resourceNames: ["restore-drill-scratch"], verbs: ["get", "delete"] },
      { apiGroups: [""], resources: ["secrets"], resourceNames: ["restore-drill-scratch-superuser"], verbs: ["get"] },
    ]);
    expect(get(`RoleBinding/${DRILL.account}`).subjects).toEqual([{ kind: "ServiceAccount", name: DRILL.account, namespace: get(`Role/${DRILL.account}`).metadata.namespace }]);
  });

  it("recovers a twin of the live cluster through the read-only ObjectStore and archives nothing", () => {
    const live = get(`Cluster/${postgresNames().cluster}`);
    const scratch = scratchCluster(get(`ConfigMap/${DRILL.template}`), Date.UTC(2026, 10, 22, 9, 30) / 1000);
    expect(scratch.metadata.name).toBe(DRILL.cluster);
    for (const field of ["imageName", "storage", "resources", "postgresql"]) expect(scratch.spec[field]).toEqual(live.spec[field]);
    expect(scratch.spec.instances).toBe(1);
    expect(scratch.spec.plugins).toBeUndefined();
    expect(scratch.spec.bootstrap.recovery).toMatchObject({ source: "origin", recoveryTarget: { targetTime: "2026-11-22 09:30:00+00:00" } });
    expect(scratch.spec.externalClusters).toEqual([
      { name: "origin", plugin: { name: "barman-cloud.cloudnative-pg.io", parameters: { barmanObjectName: DRILL.source, serverName: live.spec.plugins[0].parameters.serverName } } },
    ]);
    if (schemasAvailable()) expect(() => validateCustomResource(scratch)).not.toThrow();
  });

  it("reads the bucket with the reader's key, and leaves retention to the live cluster's store", () => {
    const source = get(`ObjectStore/${DRILL.source}`);
    const own = get("ObjectStore/backups");
    expect(source.spec.configuration.destinationPath).toBe(own.spec.configuration.destinationPath);
    expect(source.spec.configuration.s3Credentials).toEqual({
      accessKeyId: { name: BACKUP_READER_CREDENTIALS, key: "ACCESS_KEY_ID" },
      secretAccessKey: { name: BACKUP_READER_CREDENTIALS, key: "ACCESS_SECRET_KEY" },
    });
    expect(source.spec.retentionPolicy).toBeUndefined();
    const env = get("CronJob/restore-drill").spec.jobTemplate.spec.template.spec.containers[0].env as { name: string; valueFrom?: { secretKeyRef: { name: string } } }[];
    expect(env.filter((e) => e.valueFrom).map((e) => e.valueFrom!.secretKeyRef.name)).toEqual([BACKUP_READER_CREDENTIALS, BACKUP_READER_CREDENTIALS]);
  });

  it("reaches the API server, its scratch cluster, S3 and the Pushgateway, never the live cluster", () => {
    const policy = get("NetworkPolicy/restore-drill");
    const peers = JSON.stringify(policy.spec.egress);
    expect(peers).toContain(JSON.stringify({ "cnpg.io/cluster": DRILL.cluster }));
    expect(peers).not.toContain(JSON.stringify(postgresNames().clusterSelector));
    expect(policy.spec.ingress).toEqual([]);
    const scratch = get(`NetworkPolicy/${DRILL.cluster}-instances`);
    expect(scratch.spec.podSelector.matchLabels).toEqual({ "cnpg.io/cluster": DRILL.cluster });
    expect(scratch.spec.ingress).toContainEqual({ from: [{ podSelector: { matchLabels: drillPodLabels } }], ports: [{ protocol: "TCP", port: 5432 }] });
    const live = get(`NetworkPolicy/${postgresNames().cluster}`);
    expect(JSON.stringify(live.spec.ingress)).not.toContain(JSON.stringify(drillPodLabels));
  });

  it("has a Pushgateway that admits only the drill and Prometheus, scraped with the pushed labels kept", () => {
    expect(get("PodMonitor/pushgateway").spec.podMetricsEndpoints[0].honorLabels).toBe(true);
    const ingress = get("NetworkPolicy/pushgateway").spec.ingress;
    expect(ingress[0].from).toEqual([{ podSelector: { matchLabels: drillPodLabels } }]);
    expect(get("StatefulSet/pushgateway").spec.replicas).toBe(1);
  });
});

it("a drill without a read-only role under IRSA is refused before anything renders", async () => {
  await expect(
    render("staging", (v) => {
      (v["mcp-platform:backups"] as Record<string, unknown>).irsaRoleArn = "arn:aws:iam::123456789012:role/backup";
    }),
  ).rejects.toThrow("mcp-platform:backups.drill.readerRoleArn: with irsaRoleArn the restore drill needs a read-only role");
});

it("no drill, no drill objects and no Pushgateway", async () => {
  const plan = await render("staging", (v) => ((v["mcp-platform:backups"] as Record<string, unknown>).drill = { enabled: false }));
  const ids = [...objects(plan).keys()];
  expect(ids.filter((id) => /restore-drill|pushgateway/.test(id))).toEqual([]);
  const rules = objects(plan).get("PrometheusRule/mcp-platform")!.spec.groups[1].rules.map((r: { alert: string }) => r.alert);
  expect(rules).not.toContain("RestoreDrillFailed");
});
