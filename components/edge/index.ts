import * as k8s from "@pulumi/kubernetes";
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
    const config = new k8s.core.v1.ConfigMap(`${name}-config`, m.config, child);
    const issuer = m.issuer && new k8s.apiextensions.CustomResource(`${name}-acme-issuer`, m.issuer, child);
    // nginx resolves the solver's Service at start: it comes first.
    const solver = m.solverService && new k8s.core.v1.Service(`${name}-acme-solver`, m.solverService, child);
    if (m.solverPolicy) new k8s.networking.v1.NetworkPolicy(`${name}-acme-solver-netpol`, m.solverPolicy, child);
    const certificate = m.certificate && new k8s.apiextensions.CustomResource(`${name}-certificate`, m.certificate, { ...child, dependsOn: issuer ? [issuer] : [] });
    const deployment = new k8s.apps.v1.Deployment(`${name}-deployment`, m.deployment, {
      ...child,
      dependsOn: [config, ...(certificate ? [certificate] : []), ...(solver ? [solver] : [])],
    });
    new k8s.core.v1.Service(`${name}-service`, m.service, { ...child, dependsOn: [deployment] });
    new k8s.policy.v1.PodDisruptionBudget(`${name}-pdb`, m.disruptionBudget, child);
    new k8s.networking.v1.NetworkPolicy(`${name}-netpol`, m.networkPolicy, child);
    this.registerOutputs({});
  }
}
