import * as appsv1 from "@pulumi/kubernetes/apps/v1";
import * as corev1 from "@pulumi/kubernetes/core/v1";
import * as networkingv1 from "@pulumi/kubernetes/networking/v1";
import * as pulumi from "@pulumi/pulumi";
import type { RedisConfig } from "../../config";
import { generatedPassword } from "../password";
import { renderRedis, type RedisContext } from "./render";
import { type RedisRole } from "./public";

export interface RedisArgs {
  role: RedisRole;
  config: RedisConfig;
  context: RedisContext;
  /** Protect a persistent role's StatefulSet from deletion: production. */
  protect: boolean;
}

/** One Redis role (DB-2) with its generated password, config, StatefulSet, Service and NetworkPolicy. */
export class Redis extends pulumi.ComponentResource {
  constructor(name: string, args: RedisArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mcp-platform:data:Redis", name, {}, opts);
    const child = { parent: this };
    const password = generatedPassword(`${name}-password`, String(args.config.passwordRotation), this);
    const m = renderRedis(args.role, args.config, args.context, password);
    const auth = new corev1.Secret(`${name}-auth`, m.auth, child);
    const config = new corev1.ConfigMap(`${name}-config`, m.config, child);
    new appsv1.StatefulSet(`${name}-statefulset`, m.statefulSet, {
      ...child,
      dependsOn: [auth, config],
      protect: args.protect && args.role === "queue",
    });
    new corev1.Service(`${name}-service`, m.service, child);
    new networkingv1.NetworkPolicy(`${name}-netpol`, m.networkPolicy, child);
    this.registerOutputs({});
  }
}
