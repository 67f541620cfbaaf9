import * as corev1 from "@pulumi/kubernetes/core/v1";
import * as networkingv1 from "@pulumi/kubernetes/networking/v1";
import * as pulumi from "@pulumi/pulumi";
import type { PlatformConfig } from "../../config";
import { renderNamespace } from "./render";

export interface StackNamespaceArgs {
  config: PlatformConfig;
}

/** The stack's namespace with its default-deny network policy, quota and limit range. */
export class StackNamespace extends pulumi.ComponentResource {
  readonly name: string;
  readonly namespace: corev1.Namespace;

  constructor(name: string, args: StackNamespaceArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mcp-platform:platform:StackNamespace", name, {}, opts);
    const m = renderNamespace(args.config);
    this.name = args.config.namespace;
    // Deleting the namespace deletes everything in it: production's is protected.
    this.namespace = new corev1.Namespace(`${name}-namespace`, m.namespace, {
      parent: this,
      protect: args.config.environment === "production",
    });
    const inNamespace = { parent: this, dependsOn: [this.namespace] };
    new networkingv1.NetworkPolicy(`${name}-default-deny`, m.defaultDeny, inNamespace);
    new networkingv1.NetworkPolicy(`${name}-allow-dns`, m.allowDns, inNamespace);
    if (m.quota) new corev1.ResourceQuota(`${name}-quota`, m.quota, inNamespace);
    new corev1.LimitRange(`${name}-limits`, m.limitRange, inNamespace);
    this.registerOutputs({ name: this.name });
  }
}
