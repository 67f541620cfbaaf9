/** Building blocks of the configuration schema, shared by every part of it. */
import { z } from "zod";
import { DIGEST_PATTERN, MOVING_TAGS } from "./image";
import { QUANTITY_PATTERN } from "./quantity";
import { parseQuantity } from "../policies/quantity";
import {
  DNS1123_LABEL_MAX,
  DNS1123_SUBDOMAIN_MAX,
  IMAGE_NAME_MAX,
  POSTGRES_MAX_MILLISECONDS,
  PROMETHEUS_MAX_DURATION_MS,
  S3_BUCKET_PREFIXES_RESERVED,
  S3_BUCKET_SUFFIXES_RESERVED,
} from "./limits";

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
export const memory = z
  .string()
  .regex(QUANTITY_PATTERN, { message: 'a memory quantity such as "256Mi" or "1Gi"', abort: true })
  .refine((text) => Number.isInteger(parseQuantity(text)), 'a whole number of bytes (the API server warns of a fractional byte value: "0.5" is half a byte; "512Mi")');

/** A DNS-1123 subdomain (StorageClass and other cluster-scoped names): lowercase labels joined by dots, at most 253 characters. */
export const dnsSubdomain = z
  .string()
  .max(DNS1123_SUBDOMAIN_MAX)
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/, "a DNS subdomain (lowercase letters, digits, '-' and '.')");
/** A volume size: a quantity above zero (a claim of 0 bytes is refused by the API server). */
export const volumeSize = memory.refine((text) => parseQuantity(text)! > 0, "a size above zero, such as \"20Gi\"");

/** A container mount path: absolute, no ':' (the API server refuses one), no ".." segment. */
export const mountPath = z
  .string()
  .regex(/^\/[^:]*$/, "an absolute path without ':'")
  .refine((path) => !path.split("/").includes(".."), "a path without '..'");
/** One character of a URL path segment (RFC 3986 pchar: unreserved, sub-delims, ':' and '@', or %XX). */
const PCHAR = "(?:[A-Za-z0-9._~!$&'()*+,;=:@-]|%[0-9A-Fa-f]{2})";
/**
 * A request path as the kubelet's probes, the smoke test and the uptime prober send it: "/" first,
 * RFC 3986 path characters, optionally a "?query". A space, '#', a quote or a control character
 * would make the URL another one (or none) where it is used: a probe's httpGet.path, a Probe's target.
 */
export const requestPath = z
  .string()
  .regex(
    new RegExp(`^/(?:${PCHAR}|/)*(?:\\?(?:${PCHAR}|[/?])*)?$`),
    'a URL path such as "/health/ready" or "/status?full=1": "/" first, then letters, digits, - . _ ~ ! $ & \' ( ) * + , ; = : @ / or %XX (a space is %20); no "#", quotes or spaces',
  );
export const port = z.int().min(1).max(65535);
export const command = z.array(z.string().min(1)).min(1);

/** Empty text in a primitive key means "not set": Pulumi.yaml declares such keys with default "". */
export const optionalText = <T extends z.ZodType>(schema: T) =>
  z.preprocess((value) => (value === "" ? undefined : value), schema.optional());

/** A public DNS name: labels of a-z, 0-9 and '-' (at most 63 each), at most 253 in all, a top-level domain of letters. */
export const hostname = z
  .string()
  .max(DNS1123_SUBDOMAIN_MAX)
  .regex(/^([a-z0-9]([-a-z0-9]*[a-z0-9])?\.)+[a-z]{2,}$/, "a DNS name such as mcp.example.com")
  .refine((name) => name.split(".").every((label) => label.length <= DNS1123_LABEL_MAX), `a DNS name whose labels have at most ${DNS1123_LABEL_MAX} characters`);

/** An S3 bucket name by AWS's naming rules (see S3_BUCKET_PREFIXES_RESERVED). */
export const bucketName = z
  .string()
  .min(3)
  .max(63)
  .regex(/^[a-z0-9][a-z0-9.-]*[a-z0-9]$/, "an S3 bucket name (lowercase letters, digits, '.', '-')")
  .superRefine((name, ctx) => {
    const problem = /\.\.|\.-|-\./.test(name)
      ? "no '..', '.-' or '-.'"
      : /^\d+\.\d+\.\d+\.\d+$/.test(name)
        ? "not formatted as an IP address"
        : S3_BUCKET_PREFIXES_RESERVED.find((prefix) => name.startsWith(prefix))
          ? `not starting with a reserved prefix (${S3_BUCKET_PREFIXES_RESERVED.join(", ")})`
          : S3_BUCKET_SUFFIXES_RESERVED.find((suffix) => name.endsWith(suffix))
            ? `not ending with a reserved suffix (${S3_BUCKET_SUFFIXES_RESERVED.join(", ")})`
            : undefined;
    if (problem) ctx.addIssue({ code: "custom", message: `expected an S3 bucket name: ${problem}` });
  });

/**
 * An image repository as distribution/reference reads one: an optional registry host (with a port),
 * then path components of lowercase alphanumerics joined by '.', '_', '__' or dashes.
 */
const PATH_COMPONENT = "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*";
const DOMAIN = "(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::[0-9]+)?";
export const IMAGE_REPOSITORY = new RegExp(`^(?:${DOMAIN}/)?${PATH_COMPONENT}(?:/${PATH_COMPONENT})*$`);

/** PostgreSQL time settings: a number and a unit, at most INT_MAX milliseconds. */
const POSTGRES_UNIT_MS: Record<string, number> = { ms: 1, s: 1000, min: 60_000, h: 3_600_000 };
export const postgresDuration = z
  .string()
  .regex(/^\d+(ms|s|min|h)$/, 'a Postgres duration such as "30s", "500ms" or "5min"')
  .refine((text) => {
    const [, n, unit] = /^(\d+)(\D+)$/.exec(text)!;
    return Number(n) * POSTGRES_UNIT_MS[unit] <= POSTGRES_MAX_MILLISECONDS;
  }, `a Postgres duration of at most ${POSTGRES_MAX_MILLISECONDS} ms (about 24.8 days)`);

/** Prometheus durations: a number and a unit, within model.Duration's int64 nanoseconds. */
const PROMETHEUS_UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
export const prometheusDuration = z
  .string()
  .regex(/^\d+[smhd]$/, 'a Prometheus duration such as "5m" or "1h"')
  .refine((text) => Number(text.slice(0, -1)) * PROMETHEUS_UNIT_MS[text.slice(-1)] <= PROMETHEUS_MAX_DURATION_MS, "a Prometheus duration of at most about 292 years (int64 nanoseconds)");

export const ImageSchema = z
  .strictObject({
    repository: z
      .string()
      .max(IMAGE_NAME_MAX)
      .regex(IMAGE_REPOSITORY, "an image repository such as ghcr.io/acme/orderdesk (no tag, no digest)")
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

/** A container's requests and limits, as every resources setting holds them. */
export type Resources = z.output<ReturnType<typeof ContainerResourcesSchema>>;

/** Indices of the values that appeared earlier in the list (for "listed twice" checks). */
export function repeats(values: readonly string[]): number[] {
  return values.flatMap((value, i) => (values.indexOf(value) !== i ? [i] : []));
}
