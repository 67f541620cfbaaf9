import * as appsv1 from "@pulumi/kubernetes/apps/v1";
import * as autoscalingv2 from "@pulumi/kubernetes/autoscaling/v2";
import * as batchv1 from "@pulumi/kubernetes/batch/v1";
import * as corev1 from "@pulumi/kubernetes/core/v1";
import * as networkingv1 from "@pulumi/kubernetes/networking/v1";
import * as policyv1 from "@pulumi/kubernetes/policy/v1";
import * as pulumi from "@pulumi/pulumi";
import type { ServiceConfig } from "../../config";
import { renderService, type StackContext } from "./render";

export { colourPlan, stackContext } from "./render";

export interface AppServiceArgs {
  context: StackContext;
  service: ServiceConfig;
  /** What must complete before a release's migration Job and rollout (the pre-release backup's gate), given the release. */
  beforeRelease?: (release: { service: string; version: string }, parent: pulumi.Resource) => pulumi.Resource;
}

/**
 * One app service. Blue-green services get a Deployment per colour; the Service `<svc>` selects the
 * active colour and depends on its Deployment, so traffic moves only after the provider has seen
 * that colour's rollout complete (REL-3). Migration Jobs run before the Deployment that uses their
 * image (REL-5); with backups.preReleaseBackup both wait for the release's base backup (BAK-6).
 */
export class AppService extends pulumi.ComponentResource {
  constructor(name: string, args: AppServiceArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mcp-platform:app:AppService", name, {}, opts);
    const m = renderService(args.context, name, args.service);
    const child = { parent: this };

    const account = new corev1.ServiceAccount(`${name}-sa`, m.serviceAccount, child);
    // One gate per release (version) of the service, whichever colours and Jobs it serves.
    const gates = new Map<string, pulumi.Resource>();
    const gateOf = (version: string | undefined): pulumi.Resource[] => {
      if (!version || !args.beforeRelease) return [];
      if (!gates.has(version)) gates.set(version, args.beforeRelease({ service: name, version }, this));
      return [gates.get(version)!];
    };
    const jobs = new Map(
      m.migrations.map((job) => {
        const { name: jobName, labels } = job.metadata as { name: string; labels: Record<string, string> };
        // The name carries the image and command: a Job never re-runs for the same release, and
        // later edits to its (immutable) template are not applied to a finished migration.
        const resource = new batchv1.Job(jobName, job, { ...child, dependsOn: [account, ...gateOf(labels["app.kubernetes.io/version"])], ignoreChanges: ["spec"] });
        return [jobName, resource] as const;
      }),
    );

    const deployments = m.workloads.map((w) => {
      const key = w.color ? `${name}-${w.color}` : name;
      const migration = w.migration ? jobs.get(w.migration) : undefined;
      const deployment = new appsv1.Deployment(key, w.deployment, {
        ...child,
        dependsOn: [account, ...(migration ? [migration] : []), ...gateOf(w.release)],
      });
      if (w.autoscaler) new autoscalingv2.HorizontalPodAutoscaler(`${key}-hpa`, w.autoscaler, { ...child, dependsOn: [deployment] });
      new policyv1.PodDisruptionBudget(`${key}-pdb`, w.disruptionBudget, child);
      return { workload: w, deployment };
    });

    const active = deployments.find((d) => d.workload.active)!;
    const standby = deployments.find((d) => !d.workload.active);
    m.services.forEach((service, i) => {
      const target = i === 0 ? active : standby!;
      new corev1.Service(i === 0 ? `${name}-service` : `${name}-preview`, service, { ...child, dependsOn: [target.deployment] });
    });
    new networkingv1.NetworkPolicy(`${name}-netpol`, m.networkPolicy, child);

    this.registerOutputs({});
  }
}
