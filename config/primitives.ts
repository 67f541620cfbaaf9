/** Building blocks of the configuration schema, shared by every part of it. */
import { z } from "zod";
import { DIGEST_PATTERN, MOVING_TAGS } from "./image";
import { QUANTITY_PATTERN } from "./quantity";

export const DNS_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

/** Longest service name: leaves room for "-preview", "-green" and "-migrate-<hash>" within 63 characters. */
export const MAX_SERVICE_NAME = 40;

export const serviceName = z
  .string()
  .max(MAX_SERVICE_NAME)
  .regex(DNS_LABEL, "a lowercase DNS label (a-z, 0-9, '-'; starting with a letter)");

export const secretName = z
  .string()
  .max(63)
  .regex(DNS_LABEL, "a lowercase DNS label (a-z, 0-9, '-'; starting with a letter)");

export const cpu = z.string().regex(QUANTITY_PATTERN, 'a CPU quantity such as "500m" or "2"');
export const memory = z.string().regex(QUANTITY_PATTERN, 'a memory quantity such as "256Mi" or "1Gi"');
export const port = z.int().min(1).max(65535);
export const command = z.array(z.string().min(1)).min(1);

/** Empty text in a primitive key means "not set": Pulumi.yaml declares such keys with default "". */
export const optionalText = <T extends z.ZodType>(schema: T) =>
  z.preprocess((value) => (value === "" ? undefined : value), schema.optional());

export const ImageSchema = z
  .strictObject({
    repository: z
      .string()
      .regex(/^[a-z0-9]+([._/:-][a-z0-9]+)*$/, "an image repository such as ghcr.io/acme/orderdesk (no tag, no digest)")
      .describe("Image repository, registry host included, without tag or digest."),
    tag: z
      .string()
      .regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/, "a Docker tag")
      .optional()
      .describe("Image tag. Moving tags (latest, stable, main, ...) are rejected."),
    digest: z
      .string()
      .regex(DIGEST_PATTERN, "sha256:<64 lowercase hex digits>")
      .optional()
      .describe("Image digest (sha256:...). Required in stacks whose imagePinning is digest."),
  })
  .superRefine((image, ctx) => {
    if (!image.tag && !image.digest) {
      ctx.addIssue({ code: "custom", message: "an image needs a tag or a digest (or both)" });
    }
    if (image.tag && MOVING_TAGS.has(image.tag)) {
      ctx.addIssue({
        code: "custom",
        path: ["tag"],
        message: `tag "${image.tag}" moves with every push; pin a release tag or a digest`,
      });
    }
  })
  .describe("A container image: repository plus tag and/or digest.");

export const ResourceAmountsSchema = (defaults: { cpu: string; memory: string; ephemeralStorage: string }) =>
  z.strictObject({
    cpu: cpu.default(defaults.cpu).describe('CPU in cores ("2") or millicores ("500m").'),
    memory: memory.default(defaults.memory).describe('Memory with a binary suffix ("512Mi", "1Gi").'),
    ephemeralStorage: memory
      .default(defaults.ephemeralStorage)
      .describe("Node-local disk (ephemeral-storage): the writable layer, logs and emptyDir volumes. Past the pod's limits the kubelet evicts it, instead of the node filling up."),
  });

/** Node-local disk of a container that says nothing else: enough for logs and a bounded /tmp. */
export const DEFAULT_EPHEMERAL = { requests: "64Mi", limits: "1Gi" } as const;

export const DEFAULT_LIMITS = { cpu: "2", memory: "1Gi" } as const; // CAP-3
export const DEFAULT_REQUESTS = { cpu: "250m", memory: "256Mi" } as const;

type Amounts = { cpu: string; memory: string; ephemeralStorage?: string };

/** Requests and limits of a container, with the given defaults (ephemeral storage: DEFAULT_EPHEMERAL unless given). */
export const ContainerResourcesSchema = (requests: Amounts, limits: Amounts) =>
  z
    .strictObject({
      requests: ResourceAmountsSchema({ ephemeralStorage: DEFAULT_EPHEMERAL.requests, ...requests })
        .prefault({})
        .describe("CPU, memory and ephemeral storage the scheduler reserves for each pod."),
      limits: ResourceAmountsSchema({ ephemeralStorage: DEFAULT_EPHEMERAL.limits, ...limits }).prefault({}).describe("CPU, memory and ephemeral-storage ceiling of each container."),
    })
    .describe("Container resources.");

/** Indices of the values that appeared earlier in the list (for "listed twice" checks). */
export function repeats(values: readonly string[]): number[] {
  return values.flatMap((value, i) => (values.indexOf(value) !== i ? [i] : []));
}
