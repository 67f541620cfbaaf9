/** Pure rendering of the stack's persistent volumes (mcp-platform:volumes) into PersistentVolumeClaims, by claim name. */
import type * as k8s from "@pulumi/kubernetes";
import type { PlatformConfig, VolumeConfig } from "../../config";
import { recommendedLabels } from "../labels";

type Claim = k8s.types.input.core.v1.PersistentVolumeClaim;

export function renderVolumes(config: Pick<PlatformConfig, "namespace" | "environment" | "volumes">): Record<string, Claim> {
  const claim = (name: string, volume: VolumeConfig): Claim => ({
    apiVersion: "v1",
    kind: "PersistentVolumeClaim",
    metadata: { name, namespace: config.namespace, labels: recommendedLabels(name, config.environment, "storage") },
    spec: {
      // Pods of a service overlap during every release, on different nodes (config/volumes.ts).
      accessModes: ["ReadWriteMany"],
      storageClassName: volume.storageClass,
      resources: { requests: { storage: volume.size } },
    },
  });
  return Object.fromEntries(Object.entries(config.volumes).map(([name, volume]) => [name, claim(name, volume)]));
}
