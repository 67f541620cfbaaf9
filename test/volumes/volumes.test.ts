/** The stack's persistent volumes (mcp-platform:volumes) and the services' mounts: rendering, validation and wiring. */
import { parsePlatformConfig } from "../../config";
import { renderVolumes } from "../../components/volumes/render";
import { objects, render, resource, type K8sObject, type StackValues } from "../harness";
import { validateObject } from "../k8s-schema";
import { stagingConfig } from "../fixtures";

const config = (extra: Record<string, unknown>) => stagingConfig({ volumes: VOLUMES, ...extra }, IMAGE);

const IMAGE = { repository: "ghcr.io/example/mcp-server", tag: "1.4.2" };
const VOLUMES = { uploads: { size: "20Gi", storageClass: "efs-sc" }, logs: { size: "5Gi", storageClass: "efs-sc" } };


/** Adds the volumes to a stack file, api mounting uploads and logs and worker uploads, and backs uploads up. */
const withVolumes = (v: StackValues) => {
  v["mcp-platform:volumes"] = VOLUMES;
  v["mcp-platform:services"].api.mounts = [
    { volume: "uploads", path: "/app/uploads" },
    { volume: "logs", path: "/app/logs" },
  ];
  v["mcp-platform:services"].worker.mounts = [{ volume: "uploads", path: "/app/uploads", readOnly: true }];
  (v["mcp-platform:backups"] as { volumes: unknown[] }).volumes = [{ claim: "uploads" }];
};

describe("renderVolumes", () => {
  it("renders one ReadWriteMany claim per volume, of its class and size, that validates against the schema", () => {
    const claims = renderVolumes(config({}));
    expect(Object.keys(claims)).toEqual(["uploads", "logs"]);
    expect(claims.uploads).toMatchObject({
      metadata: { name: "uploads", namespace: "mcp-staging", labels: { "app.kubernetes.io/name": "uploads", "app.kubernetes.io/component": "storage", "app.kubernetes.io/part-of": "mcp-platform" } },
      spec: { accessModes: ["ReadWriteMany"], storageClassName: "efs-sc", resources: { requests: { storage: "20Gi" } } },
    });
    for (const claim of Object.values(claims)) expect(() => validateObject(claim as never)).not.toThrow();
  });

  it("renders nothing for a stack without volumes", () => {
    expect(renderVolumes(config({ volumes: {} }))).toEqual({});
  });
});

describe("mounts and volumes in the configuration", () => {
  const errorsOf = (mounts: unknown[], extra: Record<string, unknown> = {}) => {
    const result = parsePlatformConfig({ environment: "staging", volumes: VOLUMES, services: { api: { image: IMAGE, port: 8000, writablePaths: ["/app/cache"], mounts } }, ...extra });
    return result.ok ? [] : result.errors;
  };

  it("accepts mounts of declared volumes, read-write by default", () => {
    expect(errorsOf([{ volume: "uploads", path: "/app/uploads" }, { volume: "logs", path: "/var/log/app", readOnly: true }])).toEqual([]);
    expect(config({ services: { api: { image: IMAGE, port: 8000, mounts: [{ volume: "uploads", path: "/data" }] } } }).services.api.mounts).toEqual([{ volume: "uploads", path: "/data", readOnly: false }]);
  });

  it("names a volume that is not declared, with the ones that are", () => {
    expect(errorsOf([{ volume: "upload", path: "/app/uploads" }])).toEqual([
      'mcp-platform:services.api.mounts[0].volume: no volume "upload": declare it under mcp-platform:volumes (have: uploads, logs); got "upload"',
    ]);
    expect(errorsOf([{ volume: "uploads", path: "/app/uploads" }], { volumes: {} })).toEqual([
      'mcp-platform:services.api.mounts[0].volume: no volume "uploads": declare it under mcp-platform:volumes; got "uploads"',
    ]);
  });

  it("refuses two mounts at one path, or a mount over /tmp or a writable path", () => {
    expect(
      errorsOf([
        { volume: "uploads", path: "/app/uploads" },
        { volume: "logs", path: "/app/uploads" },
        { volume: "logs", path: "/tmp" },
        { volume: "logs", path: "/app/cache" },
      ]),
    ).toEqual([
      'mcp-platform:services.api.mounts[1].path: /app/uploads is already mounts[0]: mount each volume at a path of its own; got "/app/uploads"',
      'mcp-platform:services.api.mounts[2].path: /tmp is already the writable /tmp: mount each volume at a path of its own; got "/tmp"',
      'mcp-platform:services.api.mounts[3].path: /app/cache is already writablePaths[0]: mount each volume at a path of its own; got "/app/cache"',
    ]);
  });

  it("refuses a relative path, an unknown key and a claim name too long for its backup CronJob", () => {
    expect(errorsOf([{ volume: "uploads", path: "uploads" }])).toEqual([expect.stringMatching(/^mcp-platform:services\.api\.mounts\[0\]\.path: expected an absolute path without ':'; got "uploads"$/)]);
    expect(errorsOf([{ volume: "uploads", path: "/u", readonly: true }])).toEqual([expect.stringMatching(/^mcp-platform:services\.api\.mounts\[0\]\.readonly: unknown key; did you mean "readOnly"\?/)]);
    const long = "u".repeat(39);
    expect(errorsOf([], { volumes: { [long]: VOLUMES.uploads } })).toEqual([
      expect.stringMatching(/^mcp-platform:volumes\.u{39}: expected the name to be at most 38 characters \(its backup CronJob, volume-backup-<claim>, may have 52\)/),
    ]);
    expect(errorsOf([], { volumes: { Uploads: VOLUMES.uploads } })).toEqual([expect.stringMatching(/^mcp-platform:volumes\.Uploads: expected the name to be a PersistentVolumeClaim name: a lowercase DNS label/)]);
    expect(errorsOf([], { volumes: { uploads: { size: "20Gi" } } })).toEqual([expect.stringMatching(/^mcp-platform:volumes\.uploads\.storageClass: expected a value of type string; got nothing/)]);
  });
});

describe("volumes in a stack under the mock runtime", () => {
  it("creates the claims in a Volumes component, protected in production, before the services that mount them", async () => {
    for (const stack of ["staging", "production"] as const) {
      const plan = await render(stack, withVolumes);
      const component = resource(plan, "mcp-platform:storage:Volumes", "volumes");
      const claim = resource(plan, "kubernetes:core/v1:PersistentVolumeClaim", "volumes-uploads");
      expect(claim.parent).toBe(component.urn);
      expect(claim.options.protect).toBe(stack === "production");
      expect(resource(plan, "kubernetes:core/v1:PersistentVolumeClaim", "volumes-logs").inputs).toMatchObject({ metadata: { namespace: `mcp-${stack}` }, spec: { storageClassName: "efs-sc" } });
      expect(resource(plan, "mcp-platform:app:AppService", "api").options.dependsOn).toContain(claim.urn);

      const spec = (name: string) => (objects(plan).get(`Deployment/${name}`) as K8sObject).spec.template.spec;
      for (const deployment of ["api-blue", "api-green"]) {
        expect(spec(deployment).volumes).toEqual(
          expect.arrayContaining([
            { name: "volume-uploads", persistentVolumeClaim: { claimName: "uploads" } },
            { name: "volume-logs", persistentVolumeClaim: { claimName: "logs" } },
          ]),
        );
        expect(spec(deployment).containers[0].volumeMounts).toEqual(
          expect.arrayContaining([
            { name: "volume-uploads", mountPath: "/app/uploads" },
            { name: "volume-logs", mountPath: "/app/logs" },
          ]),
        );
      }
      expect(spec("worker").containers[0].volumeMounts).toContainEqual({ name: "volume-uploads", mountPath: "/app/uploads", readOnly: true });
      // The database migrations mount none of the service's volumes.
      const migration = [...objects(plan).values()].find((o) => o.kind === "Job" && o.metadata.name.startsWith("api-migrate-"))!;
      expect(JSON.stringify(migration.spec.template.spec)).not.toContain("persistentVolumeClaim");
      // The backup job of a stack volume mounts it read-only.
      expect((objects(plan).get("CronJob/volume-backup-uploads") as K8sObject).spec.jobTemplate.spec.template.spec.volumes).toContainEqual({
        name: "data",
        persistentVolumeClaim: { claimName: "uploads", readOnly: true },
      });
      for (const o of objects(plan).values()) if (o.kind === "PersistentVolumeClaim" || o.kind === "Deployment") expect(() => validateObject(o)).not.toThrow();
    }
  });
});
