/**
 * Pure rendering of the physical restore drill (BAK-4, BAK-5, BAK-8): a CronJob that recovers a
 * throw-away CloudNativePG cluster from the stack's own base backups and WAL to a point in time
 * (backup/restore-drill.sh), checks it, records the result on the Pushgateway and deletes it.
 *
 * The scratch cluster is the live one's twin (image, volumes, resources, parameters), recovered
 * through a read-only ObjectStore and credentials that cannot write, with no WAL archiver: it
 * never writes to the bucket. The drill's account may create and delete only that cluster.
 */
import type * as k8s from "@pulumi/kubernetes";
import type { BackupsConfig } from "../../config";
import { podPolicy, tcpPorts } from "../network";
import { BARMAN_PLUGIN, objectStore } from "./cnpg-render";
import { type BackupJobsContext, jobKit } from "./jobs-render";
import { BACKUP_READER_CREDENTIALS, DRILL, drillPodLabels, JOB_NAMES } from "./names";
import { PREFIXES } from "./storage-render";
import { PUSHGATEWAY, pushgatewayUrl } from "../monitoring/public";
import { instancePolicyRules, instanceSpec, POSTGRES_PORT, postgresNames } from "../postgres/public";
import { type CustomResourceManifest } from "../resources";

const TEMPLATE_DIR = "/etc/restore-drill";

export interface RestoreDrillContext extends BackupJobsContext {
  monitoringNamespace: string;
  operatorNamespace: string;
}

export interface RestoreDrillManifests {
  /** The read-only ObjectStore the scratch cluster recovers from. */
  source: CustomResourceManifest;
  /** The scratch Cluster as the drill creates it (the script adds the recovery target). */
  cluster: CustomResourceManifest;
  template: k8s.types.input.core.v1.ConfigMap;
  serviceAccount: k8s.types.input.core.v1.ServiceAccount;
  role: k8s.types.input.rbac.v1.Role;
  roleBinding: k8s.types.input.rbac.v1.RoleBinding;
  cronJob: k8s.types.input.batch.v1.CronJob;
  drillPolicy: k8s.types.input.networking.v1.NetworkPolicy;
  scratchPolicy: k8s.types.input.networking.v1.NetworkPolicy;
}

export function renderRestoreDrill(backups: BackupsConfig, ctx: RestoreDrillContext): RestoreDrillManifests {
  const drill = backups.drill;
  const pg = ctx.postgres;
  const kit = jobKit(backups, ctx, drillPodLabels);
  const metadata = (name: string) => kit.metadata(name, "restore-drill");
  const labels = kit.labels("restore-drill");
  // With IRSA, the drill and its scratch cluster read the bucket as a read-only role; else with the reader's key.
  const readerRole = backups.irsaRoleArn ? drill.readerRoleArn : undefined;
  const roleAnnotation = readerRole ? { annotations: { "eks.amazonaws.com/role-arn": readerRole } } : {};
  const scratchSelector = { "cnpg.io/cluster": DRILL.cluster };

  const own = objectStore(backups, ctx.namespace, labels);
  const configuration = own.spec.configuration as Record<string, unknown>;
  // No retention policy: the plugin applies it for a cluster that archives here, and this one never does.
  const source: CustomResourceManifest = {
    ...own,
    metadata: metadata(DRILL.source),
    spec: {
      configuration: {
        ...configuration,
        s3Credentials: readerRole
          ? { inheritFromIAMRole: true }
          : { accessKeyId: { name: BACKUP_READER_CREDENTIALS, key: "ACCESS_KEY_ID" }, secretAccessKey: { name: BACKUP_READER_CREDENTIALS, key: "ACCESS_SECRET_KEY" } },
      },
    },
  };

  const cluster: CustomResourceManifest = {
    apiVersion: "postgresql.cnpg.io/v1",
    kind: "Cluster",
    metadata: metadata(DRILL.cluster),
    spec: {
      instances: 1,
      // The drill connects as the superuser: it checks every table, whoever owns it.
      enableSuperuserAccess: true,
      ...instanceSpec(pg),
      bootstrap: { recovery: { source: "origin", database: pg.database, owner: pg.owner } },
      externalClusters: [{ name: "origin", plugin: { name: BARMAN_PLUGIN, parameters: { barmanObjectName: DRILL.source, serverName: pg.archiveServerName } } }],
      ...(readerRole ? { serviceAccountTemplate: { metadata: roleAnnotation } } : {}),
    },
  };

  const cronJob = kit.cronJob(
    JOB_NAMES.restoreDrill,
    "restore-drill",
    drill.schedule,
    {
      containers: [
        kit.tool(
          "drill",
          "restore-drill.sh",
          [
            { name: "NAMESPACE", value: ctx.namespace },
            { name: "SOURCE_CLUSTER", value: postgresNames().cluster },
            { name: "DRILL_CLUSTER", value: DRILL.cluster },
            { name: "CLUSTER_TEMPLATE", value: `${TEMPLATE_DIR}/cluster.json` },
            { name: "TARGET_LAG_MINUTES", value: String(drill.targetLagMinutes) },
            { name: "TIMEOUT_MINUTES", value: String(drill.timeoutMinutes) },
            { name: "PGDATABASE", value: pg.database },
            { name: "PUSHGATEWAY_URL", value: pushgatewayUrl(ctx.namespace) },
            { name: "BACKUP_PREFIX", value: PREFIXES.logical.replace(/\/$/, "") },
            ...(backups.jobs.restoreCheckSql.length ? [{ name: "RESTORE_CHECK_SQL", value: backups.jobs.restoreCheckSql.join("\n") }] : []),
            ...(drill.recoveryPointSql ? [{ name: "RECOVERY_POINT_SQL", value: drill.recoveryPointSql }] : []),
            ...kit.s3Env(readerRole ? undefined : BACKUP_READER_CREDENTIALS),
          ],
          [{ name: "template", mountPath: TEMPLATE_DIR, readOnly: true }],
        ),
      ],
      volumes: [{ name: "template", configMap: { name: DRILL.template } }],
    },
    { name: DRILL.account, token: true },
  );

  const apiServer = pg.apiServerCidrs.map((cidr) => ({ ipBlock: { cidr } }));
  const rules = instancePolicyRules({ ...ctx, apiServerCidrs: pg.apiServerCidrs, s3Cidrs: backups.endpointCidrs }, scratchSelector);
  const drillPods = { podSelector: { matchLabels: drillPodLabels } };
  return {
    source,
    cluster,
    template: { apiVersion: "v1", kind: "ConfigMap", metadata: metadata(DRILL.template), data: { "cluster.json": JSON.stringify(cluster, null, 2) } },
    serviceAccount: { apiVersion: "v1", kind: "ServiceAccount", metadata: { ...metadata(DRILL.account), ...roleAnnotation }, automountServiceAccountToken: false },
    role: {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "Role",
      metadata: metadata(DRILL.account),
      rules: [
        // create cannot be limited by name; get and delete are limited to the scratch cluster.
        { apiGroups: ["postgresql.cnpg.io"], resources: ["clusters"], verbs: ["create"] },
        { apiGroups: ["postgresql.cnpg.io"], resources: ["clusters"], resourceNames: [DRILL.cluster], verbs: ["get", "delete"] },
        { apiGroups: [""], resources: ["secrets"], resourceNames: [`${DRILL.cluster}-superuser`], verbs: ["get"] },
      ],
    },
    roleBinding: {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "RoleBinding",
      metadata: metadata(DRILL.account),
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: DRILL.account },
      subjects: [{ kind: "ServiceAccount", name: DRILL.account, namespace: ctx.namespace }],
    },
    cronJob,
    drillPolicy: podPolicy(metadata("restore-drill"), drillPodLabels, {
      ingress: [],
      egress: [
        { to: apiServer, ports: tcpPorts(443, 6443) },
        { to: [{ podSelector: { matchLabels: scratchSelector } }], ports: tcpPorts(POSTGRES_PORT) },
        { to: backups.endpointCidrs.map((cidr) => ({ ipBlock: { cidr } })), ports: tcpPorts(443) },
        { to: [{ podSelector: { matchLabels: PUSHGATEWAY.selector } }], ports: tcpPorts(PUSHGATEWAY.port) },
      ],
    }),
    scratchPolicy: podPolicy(metadata(`${DRILL.cluster}-instances`), scratchSelector, {
      ingress: [...rules.peers, { from: [drillPods], ports: tcpPorts(POSTGRES_PORT) }],
      egress: rules.egress,
    }),
  };
}
