/**
 * The one typed model of a stack's configuration: every key under the `mcp-platform:` namespace.
 * Descriptions here are the documentation (docs/config-reference.md is generated from them);
 * defaults are the runbooks' numbers (ids from RUNBOOK-REQUIREMENTS.md in brackets).
 */
import { z } from "zod";
import { DNS1123_SUBDOMAIN_MAX, HPA_MAX_PERIOD_SECONDS, HPA_MAX_STABILIZATION_SECONDS, INT32_MAX } from "./limits";
import {
  command,
  ContainerResourcesSchema,
  cpu,
  DEFAULT_EPHEMERAL,
  DEFAULT_LIMITS,
  DEFAULT_REQUESTS,
  DNS_LABEL,
  ImageSchema,
  memory,
  mountPath,
  optionalText,
  port,
  requestPath,
  ResourceAmountsSchema,
  secretName,
  serviceName,
  volumeSize,
} from "./primitives";
import { ClusterAddonsSchema, DATA_USES, PostgresSchema, RedisSchema } from "./data";
import { BackupsSchema } from "./backups";
import { EdgeSchema } from "./edge";
import { MonitoringSchema } from "./monitoring";
import { DeliverySchema } from "./delivery";
import { CapacityPlanSchema } from "./capacity-plan";
import { MountSchema, VolumesSchema } from "./volumes";
import { TenantArchivesSchema, TenantsSchema } from "./tenants";

const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "an environment variable name ([A-Za-z_][A-Za-z0-9_]*)");

const EnvValueSchema = z.union([
  z.union([z.string(), z.number(), z.boolean()]).transform(String),
  z.strictObject({
    secret: secretName.describe("Name of a generated secret (a key of secrets.generated)."),
  }),
  z.strictObject({
    secretKeyRef: z.strictObject({
      name: secretName.describe("An existing Kubernetes Secret in the stack's namespace."),
      key: z
        .string()
        .max(DNS1123_SUBDOMAIN_MAX)
        .regex(/^[-._a-zA-Z0-9]+$/, "a Secret key (letters, digits, '-', '_', '.')")
        .describe("Key within that Secret."),
    }),
  }),
]);

const ResourcesSchema = ContainerResourcesSchema(DEFAULT_REQUESTS, DEFAULT_LIMITS).describe(
  "Container resources; limits default to 2 CPU / 1 GiB (CAP-3).",
);

const AutoscalingSchema = z
  .strictObject({
    minReplicas: z.int().min(1).max(INT32_MAX).describe("Fewest pods the autoscaler keeps."),
    maxReplicas: z.int().min(1).max(INT32_MAX).describe("Most pods the autoscaler may run."),
    cpuUtilization: z.int().min(1).max(100).default(70).describe("Scale out above this average CPU %, of requests (CAP-2)."),
    memoryUtilization: z
      .int()
      .min(1)
      .max(100)
      .default(80)
      .describe("Scale out above this average memory %, of requests (CAP-2)."),
    scaleUpPods: z.int().min(1).max(INT32_MAX).default(2).describe("Pods added per scale-out step (CAP-2: +2)."),
    scaleUpPeriodSeconds: z.int().min(15).max(HPA_MAX_PERIOD_SECONDS).default(60).describe("At most one scale-out step per this many seconds."),
    scaleDownStabilizationSeconds: z
      .int()
      .min(0)
      .max(HPA_MAX_STABILIZATION_SECONDS)
      .default(600)
      .describe("Cool-down before scaling in (CAP-2: 10 min)."),
  })
  .describe("HorizontalPodAutoscaler. Omit for a fixed replica count.");

const ProbesSchema = z
  .strictObject({
    readinessPath: requestPath.default("/health/ready").describe("HTTP readiness path (MON-1)."),
    livenessPath: requestPath.default("/health").describe("HTTP liveness path (MON-1)."),
    readinessCommand: command.optional().describe("Exec readiness probe; required for a service without a port."),
    livenessCommand: command.optional().describe("Exec liveness probe; required for a service without a port."),
    periodSeconds: z.int().min(1).max(INT32_MAX).default(10).describe("Seconds between readiness and liveness checks."),
    timeoutSeconds: z.int().min(1).max(INT32_MAX).default(3).describe("Seconds before a check counts as failed."),
    failureThreshold: z.int().min(1).max(INT32_MAX).default(3).describe("Failed checks in a row before unready / restart."),
    startupFailureThreshold: z
      .int()
      .min(1)
      .max(INT32_MAX)
      .default(30)
      .describe("Startup probe: checks (every 5 s) allowed before the container counts as failed to start."),
  })
  .describe("Health checks. HTTP services default to /health/ready and /health.");

const MetricsSchema = z
  .strictObject({
    enabled: z.boolean().default(true).describe("Expose the pod to Prometheus scraping (MON-16)."),
    path: z.string().startsWith("/").default("/metrics").describe("Metrics path."),
    port: port.optional().describe("Metrics port; defaults to the service port."),
  })
  .describe("Prometheus metrics endpoint.");

const COLORS = ["blue", "green"] as const;
export type Color = (typeof COLORS)[number];

const BlueGreenSchema = z
  .strictObject({
    activeColor: z.enum(COLORS).describe("The colour the service's Service sends traffic to (REL-3)."),
    blue: z.strictObject({ image: ImageSchema }).describe("The blue Deployment's image."),
    green: z.strictObject({ image: ImageSchema }).describe("The green Deployment's image."),
    standbyScale: z
      .enum(["idle", "full"])
      .default("idle")
      .describe(
        "idle: the standby colour runs standbyReplicas pods; full: it runs like the active colour (while a new release is smoke-tested, and for the rollback window after a cutover).",
      ),
    standbyReplicas: z.int().min(0).max(INT32_MAX).default(0).describe("Pods of the standby colour while it is idle."),
    canaryWeight: z
      .int()
      .min(0)
      .max(99)
      .default(0)
      .describe(
        "Percent of the edge's requests for this service sent to the standby colour (<svc>-preview) instead of the active one (REL-4). Set by npm run canary; needs standbyScale: full and an edge route. 0: no canary.",
      ),
    cutoverAt: optionalText(z.iso.datetime({ offset: true })).describe(
      "When traffic last switched colour (ISO 8601), recorded by npm run cutover; cleared by npm run retire. While set, the old colour is the rollback target and takes no new release.",
    ),
    rollbackHoldHours: z
      .int()
      .min(0)
      .default(24)
      .describe("Hours after a cutover during which the old colour stays at full scale: npm run retire is refused before (REL-3)."),
    smokePassed: z
      .strictObject({
        image: z.string().min(1).describe("The standby colour's image (repository:tag@digest) that <svc>-preview served when the smoke test passed."),
        at: z.iso.datetime({ offset: true }).describe("When it passed (ISO 8601)."),
      })
      .optional()
      .describe(
        "The last passing smoke test of the standby colour (REL-7), recorded by npm run smoke -- --record (a failing one removes it). npm run advance moves traffic to the standby only while this names the image it runs.",
      ),
  })
  .superRefine((bg, ctx) => {
    if (bg.canaryWeight > 0 && bg.standbyScale !== "full") {
      ctx.addIssue({
        code: "custom",
        path: ["canaryWeight"],
        message: "a canary needs the standby colour at full scale: set blueGreen.standbyScale: full (npm run promote does), or canaryWeight: 0",
      });
    }
    if (bg.cutoverAt && bg.standbyScale !== "full") {
      ctx.addIssue({
        code: "custom",
        path: ["cutoverAt"],
        message: "set while the old colour is kept for rollback, which needs standbyScale: full; npm run retire clears it when scaling down",
      });
    }
  })
  .describe("Blue-green releases: two Deployments, the Service selects the active colour, <svc>-preview the other.");

const MigrationsSchema = z
  .strictObject({
    command: command.describe("Migration command, run once per release image before it takes traffic (REL-5)."),
    args: z.array(z.string()).optional().describe("Arguments to the migration command."),
    backoffLimit: z.int().min(0).max(6).default(0).describe("Retries of a failed migration."),
    activeDeadlineSeconds: z.int().min(30).max(INT32_MAX).default(900).describe("A migration running longer is stopped and fails."),
  })
  .describe("Database migrations as a Job per release.");

export const ServiceSchema = z
  .strictObject({
    image: ImageSchema.optional().describe("The image. Required unless blueGreen names one per colour."),
    command: command.optional().describe("Overrides the image's entrypoint."),
    args: z.array(z.string()).optional().describe("Overrides the image's arguments."),
    port: port.optional().describe("Port the container serves HTTP on. Omit for a worker (queue consumer)."),
    replicas: z.int().min(0).max(INT32_MAX).default(1).describe("Pods when not autoscaled (CAP-1)."),
    env: z.record(envName, EnvValueSchema).default({}).describe("Environment: plain values or secret references."),
    resources: ResourcesSchema.prefault({}),
    autoscaling: AutoscalingSchema.optional(),
    maxSurge: z
      .union([z.int().min(1).max(INT32_MAX), z.string().regex(/^[1-9]\d*%$/, 'a percentage above 0 such as "25%" (maxUnavailable is 0, so a surge of 0 could never roll out)')])
      .default("25%")
      .describe("Extra pods during a rolling update. maxUnavailable is always 0 (REL-2)."),
    disruptionMaxUnavailable: z.int().min(1).max(INT32_MAX).default(1).describe("PodDisruptionBudget: pods a voluntary disruption may take."),
    topologySpread: z
      .enum(["preferred", "required"])
      .default("preferred")
      .describe("Spread pods across nodes and zones: preferred (ScheduleAnyway) or required across nodes (DoNotSchedule)."),
    probes: ProbesSchema.prefault({}),
    metrics: MetricsSchema.prefault({}),
    runAsUser: z.int().min(1).max(INT32_MAX).default(10001).describe("Non-root user (and group) the containers run as."),
    terminationGracePeriodSeconds: z.int().min(1).max(INT32_MAX).default(30).describe("Time a pod gets to finish in-flight work."),
    preStopSleepSeconds: z
      .int()
      .min(0)
      .default(5)
      .describe("Pause before SIGTERM so endpoints are removed first (drain)."),
    writablePaths: z
      .array(mountPath)
      .default([])
      .describe("Extra writable emptyDir mounts; the root filesystem is read-only and /tmp is always writable."),
    writableSize: volumeSize
      .default("256Mi")
      .describe("Size limit of /tmp and of each writable path (an emptyDir each): a runaway file fills it, not the node. They count against resources.limits.ephemeralStorage."),
    mounts: z
      .array(MountSchema)
      .default([])
      .describe("Persistent volumes (mcp-platform:volumes) mounted into every pod of the service, e.g. uploads shared by an API and its worker."),
    connectsTo: z
      .array(serviceName)
      .default([])
      .describe("Other services of this stack this one calls; the network allows exactly these."),
    uses: z
      .array(z.enum(DATA_USES))
      .default([])
      .describe(
        "Data services this service uses: postgres (direct), postgres-pooled (through PgBouncer), redis-cache, redis-queue. Each adds its connection settings as environment variables (DATABASE_URL, REDIS_CACHE_URL, ...) and opens the network path.",
      ),
    egress: z
      .array(
        z.strictObject({
          cidr: z.cidrv4().describe("Destination network, e.g. 203.0.113.10/32."),
          ports: z.array(port).min(1).describe("TCP ports."),
        }),
      )
      .default([])
      .describe("External destinations (identity provider, third-party APIs) the service may reach."),
    blueGreen: BlueGreenSchema.optional(),
    migrations: MigrationsSchema.optional(),
    restartedAt: optionalText(z.string()).describe("Change this value (e.g. to the current time) to restart the service's pods (REL-9)."),
    smoke: z
      .strictObject({
        versionPath: requestPath.default("/version").describe("Answers the running version; npm run smoke -- --expect-version compares it (REL-7)."),
        paths: z
          .array(requestPath)
          .default([])
          .describe("Key endpoints npm run smoke checks after a deploy (GET, expects 2xx), besides the health paths and the version (REL-7)."),
      })
      .prefault({})
      .describe("Post-deploy smoke test of the service (npm run smoke)."),
  })
  .superRefine((svc, ctx) => {
    if (svc.image && svc.blueGreen) {
      ctx.addIssue({ code: "custom", path: ["image"], message: "set either image or blueGreen.<colour>.image, not both" });
    }
    if (!svc.image && !svc.blueGreen) {
      ctx.addIssue({ code: "custom", path: ["image"], message: "required: set image (or blueGreen with an image per colour)" });
    }
    if (svc.port === undefined) {
      for (const probe of ["readinessCommand", "livenessCommand"] as const) {
        if (!svc.probes[probe]) {
          ctx.addIssue({
            code: "custom",
            path: ["probes", probe],
            message: "required for a service without a port (a worker): give a command that checks it is healthy",
          });
        }
      }
      if (svc.metrics.enabled && svc.metrics.port === undefined) {
        ctx.addIssue({
          code: "custom",
          path: ["metrics", "port"],
          message: "a service without a port needs metrics.port, or metrics.enabled: false",
        });
      }
    }
    const { readinessCommand, livenessCommand } = svc.probes;
    if (readinessCommand && livenessCommand && readinessCommand.join(" ") === livenessCommand.join(" ")) {
      ctx.addIssue({
        code: "custom",
        path: ["probes", "livenessCommand"],
        message: "must differ from readinessCommand: a failing dependency should stop traffic, not restart the pod",
      });
    }
    if (svc.autoscaling && svc.autoscaling.minReplicas > svc.autoscaling.maxReplicas) {
      ctx.addIssue({ code: "custom", path: ["autoscaling", "minReplicas"], message: "must not exceed autoscaling.maxReplicas" });
    }
  })
  .describe("One of the app's services.");

const GeneratedSecretSchema = z.strictObject({
  length: z.int().min(16).max(256).default(32).describe("Characters in the generated value."),
  rotation: z.int().min(0).default(0).describe("Increase to rotate this secret alone (SEC-1)."),
});

const QuotaSchema = z
  .strictObject({
    cpuRequests: cpu.describe("Sum of CPU requests in the namespace."),
    memoryRequests: memory.describe("Sum of memory requests in the namespace."),
    cpuLimits: cpu.describe("Sum of CPU limits in the namespace."),
    memoryLimits: memory.describe("Sum of memory limits in the namespace."),
    pods: z.int().min(1).max(INT32_MAX).describe("Pods in the namespace."),
  })
  .describe("ResourceQuota of the stack's namespace. The worst case of a release (every colour at full scale, surge, migrations) must fit.");

const ContainerLimitsSchema = z
  .strictObject({
    defaultRequest: ResourceAmountsSchema({ cpu: "100m", memory: "128Mi", ephemeralStorage: DEFAULT_EPHEMERAL.requests })
      .prefault({})
      .describe("Requests of containers that set none."),
    default: ResourceAmountsSchema({ ...DEFAULT_LIMITS, ephemeralStorage: DEFAULT_EPHEMERAL.limits }).prefault({}).describe("Limits of containers that set none (CAP-3)."),
    // Ephemeral storage up to the backup jobs' (their scratch emptyDir holds a dump or a restored database).
    max: ResourceAmountsSchema({ cpu: "4", memory: "8Gi", ephemeralStorage: "64Gi" }).prefault({}).describe("Largest limits any container may have."),
  })
  .describe("LimitRange of the stack's namespace.");

const IdentitySchema = z
  .strictObject({
    url: z.url({ protocol: /^https$/ }).describe("Keycloak's base URL, e.g. https://auth.example.com (the Keycloak provider and the app's issuer URLs)."),
    adminRealm: z.string().min(1).default("master").describe("The realm of the client the provider logs in with."),
    clientId: z.string().min(1).default("mcp-platform").describe("A confidential client with the realm-management roles to create realms (its secret: mcp-platform:identityClientSecret)."),
  })
  .describe("The identity provider (Keycloak) where each tenant gets a realm (TEN-1). Required with mcp-platform:tenants.");

export const PlatformSchema = z
  .strictObject({
    environment: z.enum(["staging", "production"]).describe("Which environment this stack is. Production applies the strict rules."),
    namespace: optionalText(z.string().max(63).regex(DNS_LABEL, "a lowercase DNS label")).describe(
      'Kubernetes namespace of the stack. Default: "mcp-<environment>".',
    ),
    kubeContext: optionalText(z.string()).describe("kubeconfig context to deploy to. Default: the current context."),
    imagePinning: optionalText(z.enum(["digest", "immutable-tag", "tag"])).describe(
      'How images must be pinned: digest, immutable-tag (release version or git SHA) or tag. Default: digest in production, tag in staging. Production accepts digest or immutable-tag only.',
    ),
    restartedAt: optionalText(z.string()).describe("Change this value to restart every service's pods (REL-9)."),
    quota: QuotaSchema.optional(),
    capacity: CapacityPlanSchema.optional(),
    tenants: TenantsSchema,
    tenantArchives: TenantArchivesSchema,
    identity: IdentitySchema.optional(),
    identityClientSecret: optionalText(z.string().min(1)).describe(
      "Secret (pulumi config set --secret): the client secret of identity.clientId, with which the Keycloak provider manages the tenants' realms.",
    ),
    promotion: z
      .strictObject({
        from: z.string().min(1).describe("The stack the release was verified in."),
        at: z.iso.datetime({ offset: true }).describe("When it was promoted (ISO 8601)."),
        images: z.record(serviceName, z.string().min(1)).describe("Every service's image as the source stack ran it, by digest where it had one."),
      })
      .optional()
      .describe(
        "What npm run promote last brought here (REL-6): the source stack, the time and the images it ran, as evidence in the pull request. Written by the command; on the Namespace as annotations and in the stack outputs.",
      ),
    containerLimits: ContainerLimitsSchema.prefault({}),
    volumes: VolumesSchema,
    secrets: z
      .strictObject({
        rotation: z.int().min(0).default(0).describe("Increase to rotate every generated secret at once (SEC-1)."),
        generated: z
          .record(secretName, GeneratedSecretSchema.prefault({}))
          .default({})
          .describe("Secrets generated with @pulumi/random and stored in the app-secrets Secret; env refers to them as { secret: <name> }."),
      })
      .prefault({})
      .describe("Generated application secrets (SEC-1)."),
    clusterAddons: ClusterAddonsSchema.prefault({}),
    postgres: PostgresSchema.optional(),
    redis: RedisSchema.optional(),
    edge: EdgeSchema.optional(),
    backups: BackupsSchema.optional(),
    monitoring: MonitoringSchema.prefault({}),
    delivery: DeliverySchema,
    services: z
      .record(serviceName, ServiceSchema)
      .refine((services) => Object.keys(services).length > 0, "at least one service")
      .describe("The app's services, by name."),
  })
  .describe("mcp-platform stack configuration.");

export type PlatformInput = z.input<typeof PlatformSchema>;
export type PlatformParsed = z.output<typeof PlatformSchema>;
export type ServiceConfig = z.output<typeof ServiceSchema>;
export type Image = z.output<typeof ImageSchema>;
export type EnvValue = z.output<typeof EnvValueSchema>;
export type { Resources } from "./primitives";
export type Quota = z.output<typeof QuotaSchema>;
export type ContainerLimits = z.output<typeof ContainerLimitsSchema>;
