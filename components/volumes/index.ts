import * as corev1 from "@pulumi/kubernetes/core/v1";
import * as pulumi from "@pulumi/pulumi";
import type { PlatformConfig } from "../../config";
import { renderVolumes } from "./render";

export interface VolumesArgs {
  config: Pick<PlatformConfig, "namespace" | "environment" | "volumes">;
  /** Protect the claims from deletion: production. */
  protect: boolean;
}

/** The stack's PersistentVolumeClaims for the services' mounts (uploads, logs). */
export class Volumes extends pulumi.ComponentResource {
  constructor(name: string, args: VolumesArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mcp-platform:storage:Volumes", name, {}, opts);
    for (const [claimName, claim] of Object.entries(renderVolumes(args.config))) {
      // The provider waits until the claim is Bound, so a storage class that cannot provide it fails
      // here, by name; under WaitForFirstConsumer binding it waits for Pending only, and the pods wait.
      new corev1.PersistentVolumeClaim(`${name}-${claimName}`, claim, { parent: this, protect: args.protect });
    }
    this.registerOutputs({});
  }
}
