import * as appsv1 from "@pulumi/kubernetes/apps/v1";
import * as corev1 from "@pulumi/kubernetes/core/v1";
import * as networkingv1 from "@pulumi/kubernetes/networking/v1";
import * as policyv1 from "@pulumi/kubernetes/policy/v1";
import { CustomResource } from "@pulumi/kubernetes/apiextensions";
import * as pulumi from "@pulumi/pulumi";
import type { EdgeConfig } from "../../config";
import { renderEdge, type EdgeContext } from "./render";

export interface EdgeArgs {
  config: EdgeConfig;
  context: EdgeContext;
}

/** The nginx edge (EDGE-1..5): the stack's public entry point. */
export class Edge extends pulumi.ComponentResource {
  constructor(name: string, args: EdgeArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mcp-platform:edge:Edge", name, {}, opts);
    const child = { parent: this };
    const m = renderEdge(args.config, args.context);
    const config = new corev1.ConfigMap(`${name}-config`, m.config, child);
    const issuer = m.issuer && new CustomResource(`${name}-acme-issuer`, m.issuer, child);
    // nginx resolves the solver's Service at start: it comes first.
    const solver = m.solverService && new corev1.Service(`${name}-acme-solver`, m.solverService, child);
    if (m.solverPolicy) new networkingv1.NetworkPolicy(`${name}-acme-solver-netpol`, m.solverPolicy, child);
    const certificate = m.certificate && new CustomResource(`${name}-certificate`, m.certificate, { ...child, dependsOn: issuer ? [issuer] : [] });
    const deployment = new appsv1.Deployment(`${name}-deployment`, m.deployment, {
      ...child,
      dependsOn: [config, ...(certificate ? [certificate] : []), ...(solver ? [solver] : [])],
    });
    new corev1.Service(`${name}-service`, m.service, { ...child, dependsOn: [deployment] });
    new policyv1.PodDisruptionBudget(`${name}-pdb`, m.disruptionBudget, child);
    new networkingv1.NetworkPolicy(`${name}-netpol`, m.networkPolicy, child);
    this.registerOutputs({});
  }
}
