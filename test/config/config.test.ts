import { parsePlatformConfig, rawPlatformConfig, type PlatformConfig } from "../../config";
import { loadStackConfig } from "../../tools/stack-config";
import { PROJECT_DIR, readStackValues, STACKS, writeStackFile, type StackValues } from "../harness";

/** Validates a stack file after `change`, as the program and `npm run plan` do. */
function validate(stack: string, change?: (values: StackValues) => void) {
  const values = readStackValues(stack);
  change?.(values);
  const file = writeStackFile(values);
  return parsePlatformConfig(rawPlatformConfig(loadStackConfig(PROJECT_DIR, stack, file).config));
}

function errorsOf(stack: string, change: (values: StackValues) => void): string[] {
  const result = validate(stack, change);
  if (result.ok) throw new Error("expected the configuration to be rejected");
  return result.errors;
}

function configOf(stack: string, change?: (values: StackValues) => void): PlatformConfig {
  const result = validate(stack, change);
  if (!result.ok) throw new Error(result.errors.join("\n"));
  return result.config;
}

const services = (v: StackValues) => v["mcp-platform:services"];

describe("the stack files", () => {
  it.each(STACKS)("%s validates", (stack) => {
    const config = configOf(stack);
    expect(config.environment).toBe(stack);
    expect(config.namespace).toBe(`mcp-${stack}`);
  });

  it("fills the runbooks' defaults", () => {
    const api = configOf("production").services.api;
    expect(api.resources.limits).toEqual({ cpu: "2", memory: "1Gi", ephemeralStorage: "1Gi" }); // CAP-3, and node-local disk bounded
    expect(api.autoscaling).toMatchObject({ cpuUtilization: 70, memoryUtilization: 80, scaleUpPods: 2, scaleDownStabilizationSeconds: 600 }); // CAP-2
    expect(api.probes).toMatchObject({ readinessPath: "/health/ready", livenessPath: "/health" }); // MON-1
  });

  it("resolves the environment's defaults when keys are left empty", () => {
    const config = configOf("production", (v) => {
      v["mcp-platform:namespace"] = "";
      delete v["mcp-platform:imagePinning"];
    });
    expect(config.namespace).toBe("mcp-production");
    expect(config.imagePinning).toBe("digest");
    expect(configOf("staging", (v) => delete v["mcp-platform:imagePinning"]).imagePinning).toBe("tag");
  });
});

describe("invalid configuration names the key, what was expected and what was given", () => {
  it("rejects an unknown key and suggests the known one", () => {
    expect(errorsOf("staging", (v) => (services(v).api.replcas = 2))).toEqual([
      expect.stringMatching(/^mcp-platform:services\.api\.replcas: unknown key; did you mean "replicas"\? \(known here: .*replicas/),
    ]);
  });

  it("rejects an unknown top-level key", () => {
    expect(errorsOf("staging", (v) => (v["mcp-platform:enviroment"] = "staging"))).toEqual([
      expect.stringMatching(/^mcp-platform:enviroment: unknown key; did you mean "environment"\?/),
    ]);
  });

  it("rejects a wrong type", () => {
    expect(errorsOf("staging", (v) => (services(v).api.replicas = "three"))).toEqual([
      'mcp-platform:services.api.replicas: expected a value of type number; got "three"',
    ]);
  });

  it("rejects a value outside its enum", () => {
    expect(errorsOf("staging", (v) => (v["mcp-platform:environment"] = "prod"))).toEqual([
      'mcp-platform:environment: expected one of "staging", "production"; got "prod"',
    ]);
  });

  it("rejects a missing required key", () => {
    expect(errorsOf("staging", (v) => delete v["mcp-platform:environment"])).toEqual([
      expect.stringMatching(/^mcp-platform:environment: expected one of "staging", "production"; got nothing \(the key is not set\)$/),
    ]);
  });

  it("rejects a malformed quantity", () => {
    expect(errorsOf("staging", (v) => ((services(v).worker.resources as { limits: { memory: string } }).limits.memory = "512MB"))).toEqual([
      'mcp-platform:services.worker.resources.limits.memory: expected a memory quantity such as "256Mi" or "1Gi"; got "512MB"',
    ]);
  });

  it("rejects a service name that is not a DNS label", () => {
    expect(
      errorsOf("staging", (v) => {
        services(v).Web_App = services(v).worker;
      }),
    ).toEqual([expect.stringMatching(/^mcp-platform:services\.Web_App: expected the name to be a lowercase DNS label.*; got "Web_App"$/)]);
  });

  it("rejects a request path that would be another URL where it is sent (a probe, the smoke test, the uptime prober)", () => {
    const errors = errorsOf("staging", (v) => {
      (services(v).api.probes as Record<string, unknown>) = { ...(services(v).api.probes as object), readinessPath: "/health ready" };
      services(v).api.smoke = { paths: ["/status?full=1", "status"] };
      v["mcp-platform:monitoring"] = { ...(v["mcp-platform:monitoring"] as object), uptime: { paths: ["/health/ready#x"] } };
    });
    const expected = (key: string, got: string) => `${key}: expected a URL path such as "/health/ready" or "/status?full=1": "/" first, then letters, digits, - . _ ~ ! $ & ' ( ) * + , ; = : @ / or %XX (a space is %20); no "#", quotes or spaces; got ${JSON.stringify(got)}`;
    expect(errors).toEqual([
      expected("mcp-platform:monitoring.uptime.paths[0]", "/health/ready#x"),
      expected("mcp-platform:services.api.probes.readinessPath", "/health ready"),
      expected("mcp-platform:services.api.smoke.paths[1]", "status"),
    ]);
  });

  it("accepts a request path that a URL parser keeps as written (WHATWG URL, as a reference outside the program)", () => {
    const accepted = ["/", "/health/ready", "/status?full=1&verbose", "/a%20b/c", "/v1/items:batch", "/~user/@me"];
    for (const path of accepted) {
      const url = new URL(path, "https://mcp.example.com");
      expect(url.pathname + url.search).toBe(path);
      expect(configOf("staging", (v) => (services(v).api.smoke = { paths: [path] })).services.api.smoke.paths).toEqual([path]);
    }
    // ...and each refused one is rewritten or cut by the parser: what was configured is not what is sent.
    for (const path of ["/health ready", "/health#x", '/a"b', "/a<b>"]) {
      const url = new URL(path, "https://mcp.example.com");
      expect(url.pathname + url.search).not.toBe(path);
      expect(() => configOf("staging", (v) => (services(v).api.smoke = { paths: [path] }))).toThrow(/expected a URL path/);
    }
  });

  it("reports every problem, one line each", () => {
    const errors = errorsOf("staging", (v) => {
      services(v).api.port = 0;
      services(v).worker.replicas = -1;
    });
    expect(errors).toEqual([
      "mcp-platform:services.api.port: expected a value >= 1; got 0",
      "mcp-platform:services.worker.replicas: expected a value >= 0; got -1",
    ]);
  });
});

describe("images", () => {
  it("never accepts latest", () => {
    const errors = errorsOf("staging", (v) => ((services(v).worker.image as { tag: string }).tag = "latest"));
    expect(errors).toEqual([expect.stringMatching(/^mcp-platform:services\.worker\.image\.tag: tag "latest" moves with every push/)]);
  });

  it("requires a tag or a digest", () => {
    const errors = errorsOf("staging", (v) => (services(v).worker.image = { repository: "ghcr.io/example/mcp-server" }));
    expect(errors).toEqual(['mcp-platform:services.worker.image: an image needs a tag or a digest (or both); got {"repository":"ghcr.io/example/mcp-server"}']);
  });

  it("requires a digest in production", () => {
    const errors = errorsOf("production", (v) => delete (services(v).worker.image as { digest?: string }).digest);
    expect(errors).toEqual([
      expect.stringMatching(/^mcp-platform:services\.worker\.image: imagePinning is "digest": add digest: sha256:<64 hex> \(tag "1\.4\.1" alone is not enough\); got /),
    ]);
  });

  it("accepts a release tag without digest where immutable tags are allowed, but not a branch name", () => {
    const immutable = (v: StackValues) => {
      v["mcp-platform:imagePinning"] = "immutable-tag";
      delete (services(v).worker.image as { digest?: string }).digest;
    };
    expect(configOf("production", immutable).services.worker.image?.tag).toBe("1.4.1");
    const errors = errorsOf("production", (v) => {
      immutable(v);
      (services(v).worker.image as { tag: string }).tag = "release-candidate";
    });
    expect(errors).toEqual([expect.stringMatching(/^mcp-platform:services\.worker\.image: imagePinning is "immutable-tag": tag "release-candidate" is not a release version/)]);
  });

  it("refuses to relax production to mutable tags", () => {
    expect(errorsOf("production", (v) => (v["mcp-platform:imagePinning"] = "tag"))).toEqual([
      'mcp-platform:imagePinning: production needs "digest" or "immutable-tag"; got "tag"',
    ]);
  });

  it("takes image or blueGreen, not both", () => {
    const errors = errorsOf("staging", (v) => (services(v).api.image = { repository: "ghcr.io/example/mcp-server", tag: "1.0.0" }));
    expect(errors).toEqual([expect.stringMatching(/^mcp-platform:services\.api\.image: set either image or blueGreen\.<colour>\.image, not both/)]);
  });
});

describe("release state (blueGreen.canaryWeight, cutoverAt)", () => {
  const blueGreen = (v: StackValues) => services(v).api.blueGreen as Record<string, unknown>;

  it("accepts a canary on a standby at full scale, and a recorded cutover", () => {
    expect(configOf("production", (v) => Object.assign(blueGreen(v), { standbyScale: "full", canaryWeight: 5 })).services.api.blueGreen?.canaryWeight).toBe(5);
    expect(configOf("production", (v) => Object.assign(blueGreen(v), { standbyScale: "full", cutoverAt: "2026-11-24T07:00:00.000Z" })).services.api.blueGreen?.cutoverAt).toBe(
      "2026-11-24T07:00:00.000Z",
    );
  });

  it("refuses a canary to an idle standby, and 100 %", () => {
    expect(errorsOf("production", (v) => (blueGreen(v).canaryWeight = 5))).toEqual([
      expect.stringMatching(/^mcp-platform:services\.api\.blueGreen\.canaryWeight: a canary needs the standby colour at full scale/),
    ]);
    expect(errorsOf("production", (v) => Object.assign(blueGreen(v), { standbyScale: "full", canaryWeight: 100 }))).toEqual([
      expect.stringMatching(/^mcp-platform:services\.api\.blueGreen\.canaryWeight: .*99/),
    ]);
  });

  it("refuses a canary on a service the edge does not route", () => {
    const errors = errorsOf("production", (v) => {
      Object.assign(blueGreen(v), { standbyScale: "full", canaryWeight: 5 });
      (v["mcp-platform:edge"] as { routes: unknown[] }).routes = [{ path: "/", service: "worker" }];
    });
    expect(errors).toContainEqual(expect.stringMatching(/^mcp-platform:services\.api\.blueGreen\.canaryWeight: the canary split happens at the edge/));
  });

  it("refuses a cutover time that is not ISO 8601, or with the old colour scaled down", () => {
    expect(errorsOf("production", (v) => Object.assign(blueGreen(v), { standbyScale: "full", cutoverAt: "yesterday" }))).toEqual([
      expect.stringMatching(/^mcp-platform:services\.api\.blueGreen\.cutoverAt: .*; got "yesterday"/),
    ]);
    expect(errorsOf("production", (v) => (blueGreen(v).cutoverAt = "2026-11-24T07:00:00Z"))).toEqual([
      expect.stringMatching(/^mcp-platform:services\.api\.blueGreen\.cutoverAt: set while the old colour is kept for rollback/),
    ]);
  });
});

describe("rules across keys", () => {
  it("needs exec probes and a metrics port for a worker", () => {
    const errors = errorsOf("staging", (v) => {
      delete services(v).worker.probes;
      delete services(v).worker.metrics;
    });
    expect(errors).toEqual([
      expect.stringMatching(/^mcp-platform:services\.worker\.probes\.readinessCommand: required for a service without a port/),
      expect.stringMatching(/^mcp-platform:services\.worker\.probes\.livenessCommand: required for a service without a port/),
      expect.stringMatching(/^mcp-platform:services\.worker\.metrics\.port: a service without a port needs metrics\.port/),
    ]);
  });

  it("needs readiness and liveness checks that differ", () => {
    const errors = errorsOf("staging", (v) => {
      const probes = services(v).worker.probes as { livenessCommand: string[]; readinessCommand: string[] };
      probes.livenessCommand = probes.readinessCommand;
    });
    expect(errors).toEqual([expect.stringMatching(/^mcp-platform:services\.worker\.probes\.livenessCommand: must differ from readinessCommand/)]);
  });

  it("checks connectsTo against the stack's services", () => {
    const errors = errorsOf("staging", (v) => (services(v).worker.connectsTo = ["apii"]));
    expect(errors).toEqual(['mcp-platform:services.worker.connectsTo[0]: no service "apii" (services: api, worker); got "apii"']);
  });

  it("checks secret references against the generated secrets", () => {
    const errors = errorsOf("staging", (v) => ((services(v).worker.env as Record<string, unknown>).DB_PASSWORD = { secret: "db-password" }));
    expect(errors).toEqual([
      expect.stringMatching(/^mcp-platform:services\.worker\.env\.DB_PASSWORD\.secret: no generated secret "db-password": add it under mcp-platform:secrets\.generated \(have: jwt-signing-key, api-token\); got "db-password"$/),
    ]);
  });

  it("keeps requests within limits and limits within the namespace maximum", () => {
    const errors = errorsOf("staging", (v) => {
      services(v).worker.resources = { requests: { cpu: "2" }, limits: { cpu: "1", memory: "16Gi" } };
    });
    expect(errors).toEqual([
      'mcp-platform:services.worker.resources.limits.memory: above containerLimits.max.memory (8Gi); got "16Gi"',
      expect.stringMatching(/^mcp-platform:quota\.memoryLimits: too small for a release: the stack may need 48Gi /),
      // The checks across keys (config/rules/) come after the per-area ones.
      'mcp-platform:services.worker.resources.requests.cpu: must not exceed resources.limits.cpu (1); got "2"',
    ]);
  });

  it("rejects a quota too small for a release at full scale", () => {
    const errors = errorsOf("production", (v) => ((v["mcp-platform:quota"] as { pods: number }).pods = 20));
    // api: 10 (max) x 2 colours + 3 surge + 1 migration = 24; worker: 2 + 1 surge = 3; postgres 3, pooler 2, redis 2, edge 3 + 1;
    // backup jobs 2; the restore drill's Job, scratch instance and Pushgateway 3; a pre-release backup gate per service 2.
    expect(errors).toEqual([expect.stringMatching(/^mcp-platform:quota\.pods: too small for a release: the stack may need 45 /)]);
  });

  it("refuses a restored cluster that would archive into the archive it restores from", () => {
    const errors = errorsOf("production", (v) => ((v["mcp-platform:postgres"] as Record<string, unknown>).restoreFrom = { serverName: "postgres" }));
    expect(errors).toEqual([expect.stringMatching(/^mcp-platform:postgres\.archiveServerName: a restored cluster must archive under a new archiveServerName/)]);
  });

  it("rejects a latency baseline whose critical ratio is not above its warning, or not above 1", () => {
    const baseline = (value: unknown) => (v: StackValues) => (v["mcp-platform:monitoring"] = { thresholds: { latencyP95Baseline: value } });
    expect(errorsOf("staging", baseline({ warning: 2, critical: 1.5 }))).toEqual([
      expect.stringMatching(/^mcp-platform:monitoring\.thresholds\.latencyP95Baseline\.critical: critical must be above warning/),
    ]);
    expect(errorsOf("staging", baseline({ warning: 0.9 }))).toEqual([expect.stringMatching(/^mcp-platform:monitoring\.thresholds\.latencyP95Baseline\.warning: /)]);
    expect(configOf("staging", baseline({})).monitoring.thresholds.latencyP95Baseline).toEqual({ warning: 1.5, critical: 2, offset: "1d" });
  });

  it("takes log error codes and phrases, but not one that would break out of the LogQL string", () => {
    const codes = (value: unknown) => (v: StackValues) => (v["mcp-platform:monitoring"] = { logs: { enabled: true, errorCodes: value } });
    expect(configOf("staging", codes(["AUTH_FAILED", "authentication failed"])).monitoring.logs.errorCodes).toEqual(["AUTH_FAILED", "authentication failed"]);
    expect(errorsOf("staging", codes(['login "failed"']))).toEqual([expect.stringMatching(/^mcp-platform:monitoring\.logs\.errorCodes\[0\]: expected an error code or phrase .* without quotes, backslashes or line breaks/)]);
    expect(errorsOf("staging", codes(["x"]))).toEqual([expect.stringMatching(/^mcp-platform:monitoring\.logs\.errorCodes\[0\]: expected at least 3 character/)]);
  });

  it("takes a capacity plan with the runbook's per-tenant defaults, each tenant once, within the database volume (CAP-4)", () => {
    const plan = (value: unknown) => (v: StackValues) => (v["mcp-platform:capacity"] = value);
    expect(configOf("production", plan({ tenants: ["acme", "globex"] })).capacity).toEqual({
      tenants: ["acme", "globex"],
      base: { cpu: "2", memory: "4Gi", database: "20Gi" },
      perTenant: { cpu: "100m", memory: "256Mi", database: "1Gi" },
    });
    expect(errorsOf("production", plan({ tenants: ["acme", "globex", "acme"] }))).toEqual(['mcp-platform:capacity.tenants[2]: tenant "acme" is listed twice; got "acme"']);
    expect(errorsOf("production", plan({ tenants: ["Acme"] }))).toEqual([expect.stringMatching(/^mcp-platform:capacity\.tenants\[0\]: .*tenant id/)]);
    // Production's 50Gi volume holds 20Gi + 30 x 1Gi, not 31 tenants.
    const tenants = (n: number) => Array.from({ length: n }, (_, i) => `tenant${i}`);
    expect(configOf("production", plan({ tenants: tenants(30) })).capacity?.tenants).toHaveLength(30);
    expect(errorsOf("production", plan({ tenants: tenants(31) }))).toEqual([
      "mcp-platform:postgres.storage.size: below the capacity plan's database budget for 31 tenants (capacity.base.database + each tenant's database figure, capacity.perTenant.database unless its quota sets one = 51Gi, CAP-4); raise it; got \"50Gi\"",
    ]);
  });


  it("rejects an autoscaler whose minimum exceeds its maximum", () => {
    const errors = errorsOf("production", (v) => ((services(v).api.autoscaling as { minReplicas: number }).minReplicas = 11));
    expect(errors).toEqual(["mcp-platform:services.api.autoscaling.minReplicas: must not exceed autoscaling.maxReplicas; got 11"]);
  });
});

describe("backup jobs", () => {
  const backups = (v: StackValues) => v["mcp-platform:backups"] as Record<string, unknown> & { jobs: Record<string, unknown> };

  it("need a digest for a tools image the stack does not build, in production", () => {
    expect(errorsOf("production", (v) => (backups(v).jobs.build = false))).toEqual([
      expect.stringMatching(/^mcp-platform:backups\.jobs\.image: imagePinning is "digest": add digest/),
    ]);
  });

  it("need a tag to push a built image under", () => {
    expect(errorsOf("staging", (v) => (backups(v).jobs.image = { repository: "ghcr.io/example/tools", digest: `sha256:${"a".repeat(64)}` }))).toEqual([
      expect.stringMatching(/^mcp-platform:backups\.jobs\.image\.tag: build: true pushes under a tag/),
    ]);
  });

  it("reject a schedule that is not cron, and a volume listed twice", () => {
    expect(errorsOf("staging", (v) => (backups(v).volumes = [{ claim: "uploads", schedule: "daily" }]))).toEqual([
      'mcp-platform:backups.volumes[0].schedule: expected a cron schedule such as "0 3 * * *": five fields (minute hour day-of-month month day-of-week), not 1; got "daily"',
    ]);
    expect(errorsOf("staging", (v) => (backups(v).volumes = [{ claim: "uploads" }, { claim: "uploads" }]))).toEqual([
      expect.stringMatching(/^mcp-platform:backups\.volumes\[1\]\.claim: "uploads" is listed twice/),
    ]);
  });

  it("back up Postgres, so they need it", () => {
    expect(errorsOf("staging", (v) => delete v["mcp-platform:postgres"])).toContainEqual(
      expect.stringMatching(/^mcp-platform:backups: backs up Postgres: add mcp-platform:postgres/),
    );
  });
});

describe("ephemeral storage (node-local disk)", () => {
  it("rejects a limit below what /tmp and the writable paths may hold, and a backup limit below the scratch space", () => {
    const errors = errorsOf("staging", (v) => {
      const worker = services(v).worker;
      worker.writablePaths = ["/cache", "/spool"];
      worker.writableSize = "512Mi";
      (v["mcp-platform:backups"] as { jobs: Record<string, unknown> }).jobs.scratchSize = "30Gi";
    });
    expect(errors).toEqual([
      expect.stringMatching(/^mcp-platform:services\.worker\.resources\.limits\.ephemeralStorage: below what \/tmp and the writable paths may hold \(3 x writableSize 512Mi\)/),
      expect.stringMatching(/^mcp-platform:backups\.jobs\.resources\.limits\.ephemeralStorage: below jobs\.scratchSize \(30Gi\)/),
    ]);
  });
});

describe("tenants (TEN-1, TEN-2)", () => {
  const identity = (v: StackValues) => {
    v["mcp-platform:identity"] = { url: "https://auth.example.com" };
    v["mcp-platform:identityClientSecret"] = { secure: "AAABAKx0ZXN0" };
  };
  const onboard = (tenants: unknown, extra: (v: StackValues) => void = () => undefined) => (v: StackValues) => {
    identity(v);
    v["mcp-platform:tenants"] = tenants;
    const capacity = v["mcp-platform:capacity"] as Record<string, unknown> | undefined;
    v["mcp-platform:capacity"] = { ...(capacity ?? {}), tenants: undefined };
    extra(v);
  };

  it("takes tenants by DNS-label id with defaults, and the capacity plan counts them with their own figures", () => {
    const config = configOf("production", onboard({ acme: {}, globex: { quota: { database: "5Gi" }, realm: { roles: ["admin"] } } }));
    expect(config.tenants?.acme).toEqual({
      quota: {},
      realm: { roles: ["tenant-admin", "tenant-operator", "tenant-viewer"], accessTokenLifespanSeconds: 300, ssoSessionIdleSeconds: 1800 },
      database: { login: false, connectionLimit: 20 },
      settings: {},
      remove: false,
    });
    expect(config.tenantArchives).toEqual({});
    // 20Gi + 1Gi + 5Gi fits production's 50Gi; 30 tenants of 1Gi plus one of 5Gi do not.
    const many = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`tenant${i}`, {}]));
    expect(errorsOf("production", onboard({ ...many, big: { quota: { database: "5Gi" } } }))).toEqual([
      expect.stringMatching(/^mcp-platform:postgres\.storage\.size: below the capacity plan's database budget for 31 tenants .*= 55Gi/),
    ]);
  });

  it("names the key path of a bad tenant id or setting, and wants one list of tenants", () => {
    expect(errorsOf("production", onboard({ Acme: {} }))).toEqual([expect.stringMatching(/^mcp-platform:tenants\.Acme: expected the name to be a tenant id: a lowercase DNS label/)]);
    expect(errorsOf("production", onboard({ acme: { quota: { cpu: "lots" } } }))).toEqual([expect.stringMatching(/^mcp-platform:tenants\.acme\.quota\.cpu: expected a CPU quantity/)]);
    expect(errorsOf("production", onboard({ acme: { realm: { roles: ["a", "a"] } } }))).toEqual([expect.stringMatching(/^mcp-platform:tenants\.acme\.realm\.roles\[1\]: role "a" is listed twice/)]);
    expect(errorsOf("production", onboard({ acme: { quotas: {} } }))).toEqual([expect.stringMatching(/^mcp-platform:tenants\.acme\.quotas: unknown key; did you mean "quota"\?/)]);
    expect(errorsOf("production", onboard({ acme: {} }, (v) => ((v["mcp-platform:capacity"] as Record<string, unknown>).tenants = ["acme"])))).toEqual([
      expect.stringMatching(/^mcp-platform:capacity\.tenants: the plan counts the tenants of mcp-platform:tenants: remove capacity\.tenants/),
    ]);
    expect(errorsOf("production", (v) => (v["mcp-platform:tenants"] = { acme: {} }))).toEqual([expect.stringMatching(/^mcp-platform:identity: each tenant gets a Keycloak realm/)]);
  });

  it("refuses a removal without a verified final backup, and says what to run", () => {
    expect(errorsOf("production", onboard({ acme: { remove: true }, globex: {} }))).toEqual([
      expect.stringMatching(
        /^mcp-platform:tenants\.acme\.remove: refused: tenant "acme" has no verified final backup of its schema; run kubectl -n mcp-production create job tenant-backups-final-acme --from=cronjob\/tenant-backups \(or backup\/tenant-backup\.sh --tenant acme\) once the tenant takes no more writes, then put the tenantArchives record it prints for acme under mcp-platform:tenantArchives/,
      ),
    ]);
    const bucket = (readStackValues("production")["mcp-platform:backups"] as { bucket: string }).bucket;
    const archive = { backup: `s3://${bucket}/tenants/acme/2026/12/03/app-20261203T080000Z.dump`, sha256: "a".repeat(64), verifiedAt: "2026-12-03T08:01:00Z" };
    const archived = (v: StackValues) => (v["mcp-platform:tenantArchives"] = { acme: archive });
    expect(configOf("production", onboard({ acme: { remove: true }, globex: {} }, archived)).tenantArchives.acme).toEqual(archive);
    expect(errorsOf("production", onboard({ acme: {}, globex: {} }, archived))).toEqual([expect.stringMatching(/^mcp-platform:tenantArchives\.acme: tenant "acme" is active/)]);
    const elsewhere = (v: StackValues) => (v["mcp-platform:tenantArchives"] = { acme: { ...archive, backup: "s3://other-bucket/tenants/acme/x.dump" } });
    expect(errorsOf("production", onboard({ acme: { remove: true } }, elsewhere))).toEqual([expect.stringMatching(/^mcp-platform:tenantArchives\.acme\.backup: not a backup of tenant "acme" in this stack's bucket/)]);
  });
});
