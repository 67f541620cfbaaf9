/**
 * Persistent volumes of the app (uploaded files, logs): claims the stack creates, and where the
 * services mount them. Every pod of a service overlaps another during a release (maxUnavailable 0,
 * blue-green colours side by side), so a volume is ReadWriteMany: a ReadWriteOnce claim would pin
 * the new pods to the old pods' node or leave them waiting.
 */
import { z } from "zod";
import { DNS_LABEL, dnsSubdomain, mountPath, volumeSize } from "./primitives";

/**
 * A PersistentVolumeClaim name short enough for its backup CronJob (`volume-backup-<claim>`):
 * Kubernetes limits CronJob names to 52 characters.
 */
export const claimName = z
  .string()
  .max(38, "at most 38 characters (its backup CronJob, volume-backup-<claim>, may have 52)")
  .regex(DNS_LABEL, "a PersistentVolumeClaim name: a lowercase DNS label");

export const VolumeSchema = z
  .strictObject({
    size: volumeSize.describe('Requested capacity ("20Gi"). The VolumeUsage alert watches it (MON-6).'),
    storageClass: dnsSubdomain.describe("A StorageClass that provides ReadWriteMany volumes (EFS, Filestore, Azure Files, CephFS, NFS, Longhorn RWX). A ReadWriteOnce-only class leaves the claim Pending."),
  })
  .describe("A PersistentVolumeClaim of the stack (ReadWriteMany), named as its key; production's are protected from deletion.");

export const VolumesSchema = z
  .record(claimName, VolumeSchema)
  .default({})
  .describe("Persistent volumes the stack creates, by claim name, for services to mount (services.<svc>.mounts) and backups.volumes to back up (BAK-7).");

export const MountSchema = z
  .strictObject({
    volume: claimName.describe("A volume of mcp-platform:volumes."),
    path: mountPath.describe("Where the container sees it."),
    readOnly: z.boolean().default(false).describe("Mount it read-only."),
  })
  .describe("A volume mounted into the service's pods (not into its migration Jobs).");

export type VolumeConfig = z.output<typeof VolumeSchema>;
export type Mount = z.output<typeof MountSchema>;
