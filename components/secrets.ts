import * as corev1 from "@pulumi/kubernetes/core/v1";
import * as pulumi from "@pulumi/pulumi";
import type { PlatformConfig } from "../config";
import { generatedPassword } from "./password";
import { APP_SECRETS } from "./service/public";
import { MANAGED_LABELS } from "./labels";

export interface AppSecretsArgs {
  namespace: string;
  secrets: PlatformConfig["secrets"];
}

/**
 * Generated application secrets (SEC-1): one random value per configured name, all in the
 * `app-secrets` Secret that services reference by secretKeyRef. Raising `secrets.rotation` (all)
 * or `secrets.generated.<name>.rotation` (one) replaces the value; services that use it restart.
 */
export class AppSecrets extends pulumi.ComponentResource {
  readonly secretName = APP_SECRETS;

  constructor(name: string, args: AppSecretsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mcp-platform:app:AppSecrets", name, {}, opts);
    const values: Record<string, pulumi.Output<string>> = {};
    for (const [key, settings] of Object.entries(args.secrets.generated)) {
      values[key] = generatedPassword(`${name}-${key}`, `${args.secrets.rotation}.${settings.rotation}`, this, settings.length);
    }
    new corev1.Secret(
      `${name}-secret`,
      {
        metadata: {
          name: APP_SECRETS,
          namespace: args.namespace,
          labels: MANAGED_LABELS,
        },
        type: "Opaque",
        stringData: values,
      },
      { parent: this, additionalSecretOutputs: ["data", "stringData"] },
    );
    this.registerOutputs({ secretName: this.secretName });
  }
}
