/**
 * The example stack files (examples/*.yaml, one per runbook in ../shared/seeds): each is a
 * production stack that validates, renders and passes the policy pack with production's config,
 * as `npm run plan` and `npm run check -- --config-file` see it.
 */
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { CAPACITY_PLAN_ANNOTATION } from "../components/labels";
import type { PackInfo, PolicyAnalyzer } from "../tools/policy/analyzer";
import { InProcessPack } from "../tools/policy/in-process";
import { readPolicyConfig, resolvePolicyConfig } from "../tools/policy/policy-config";
import type { Plan } from "../tools/render-stack";
import { EXAMPLE_FILES, EXAMPLES_DIR, objects, PROJECT_DIR, renderExample, type K8sObject } from "./harness";
import { schemasAvailable } from "./crd-schema";
import { isCloudNativePg, validateObject } from "./k8s-schema";

const files = EXAMPLE_FILES;

/** The pack as npm run check runs it, in process (its parity with Pulumi's runner on every example: test/integration/policy-parity.test.ts). */
let session: PolicyAnalyzer;
let info: PackInfo;
beforeAll(async () => {
  session = InProcessPack.load(path.join(PROJECT_DIR, "policies"));
  info = await session.info();
}, 60000);
afterAll(() => session?.close());

it("has one example per runbook", () => {
  expect(files).toEqual(["ecommerce.yaml", "go-commerce.yaml", "orderdesk.yaml", "rag-demo.yaml", "swagger2mcp.yaml"]);
});

/** What each example's header says it shows, as the rendered stack has it. */
const shows: Record<string, (get: (id: string) => K8sObject, plan: Plan) => void> = {
  "orderdesk.yaml": (get) => {
    const mcp = get("Deployment/mcp").spec;
    expect(mcp.replicas).toBe(3);
    expect(mcp.template.spec.containers[0]).toMatchObject({ args: expect.arrayContaining(["--workers", "4"]), resources: { limits: { cpu: "2", memory: "1Gi" } } });
    expect(envOf(get("Deployment/mcp"))).toMatchObject({ CACHE_TTL_ORDERS: "15", CACHE_TTL_PRODUCTS: "60", CACHE_TTL_CUSTOMERS: "300", REDIS_URL: "$(REDIS_CACHE_URL)" });
    expect(JSON.stringify(get("PrometheusRule/mcp-platform"))).toContain('status_code=~\\"5..\\"');
  },
  "go-commerce.yaml": (get) => {
    expect(get("HorizontalPodAutoscaler/api").spec.behavior.scaleUp.policies).toEqual([{ type: "Pods", value: 2, periodSeconds: 600 }]);
    // Two tenants onboarded, acme with figures of its own: the plan counts their mean per tenant.
    expect(JSON.parse(get("Namespace/gocommerce").metadata.annotations![CAPACITY_PLAN_ANNOTATION])).toMatchObject({ tenants: 2, perTenantCpu: "150m", perTenantDatabase: String(2.5 * 2 ** 30) });
    expect(get("ConfigMap/tenants").data["acme.sql"]).toMatch(/ALTER TABLE tenant_acme\.tenant_settings FORCE ROW LEVEL SECURITY/);
    expect(get("CronJob/tenant-backups").spec.jobTemplate.spec.template.spec.containers[0].args).toEqual(["--tenant", "acme", "--tenant", "globex"]);
    expect(get("Deployment/api").spec.template.spec.containers[0].readinessProbe.httpGet.path).toBe("/q/health/ready");
  },
  "ecommerce.yaml": (get) => {
    for (const colour of ["blue", "green"]) {
      expect(get(`Deployment/api-${colour}`).spec.template.spec.volumes).toEqual(
        expect.arrayContaining([expect.objectContaining({ persistentVolumeClaim: { claimName: "api-uploads" } }), expect.objectContaining({ persistentVolumeClaim: { claimName: "api-logs" } })]),
      );
    }
    expect(get("CronJob/volume-backup-api-uploads")).toBeDefined();
    const logRules = parse(get("ConfigMap/loki-rules").data["ecommerce.yaml"]).groups[0].rules as { expr: string }[];
    expect(logRules.map((r) => r.expr)).toContainEqual(expect.stringContaining('|= "authentication failed"'));
    expect(get("Probe/uptime").spec.targets.staticConfig.static).toEqual(["https://production.domain.com/api/health", "https://production.domain.com/health"]);
  },
  "swagger2mcp.yaml": (get) => {
    expect(get("ConfigMap/edge-nginx").data["nginx.conf"]).toMatch(/location = \/api\/upload \{[^}]*client_max_body_size 50m;/);
    for (const service of ["backend", "worker"]) expect(get(`Deployment/${service}`).spec.template.spec.containers[0].volumeMounts).toContainEqual({ name: "volume-uploads", mountPath: "/app/uploads" });
    expect(get("ConfigMap/redis-queue-config").data["redis.conf"]).toMatch(/maxmemory-policy noeviction[\s\S]*appendonly yes/);
  },
  "rag-demo.yaml": (get, plan) => {
    const alerts = (get("PrometheusRule/mcp-platform").spec.groups as { rules: { alert?: string }[] }[]).flatMap((g) => g.rules.map((r) => r.alert));
    expect(alerts).toEqual(expect.arrayContaining(["AppLatencyRegression", "PodRestarting"]));
    const migration = [...objects(plan).values()].find((o) => o.kind === "Job" && o.metadata.labels?.["app.kubernetes.io/component"] === "migration");
    expect(migration?.spec.template.spec.containers[0].command).toEqual(["python", "-m", "alembic", "upgrade", "head"]);
    expect(plan.resources.map((r) => r.name)).toEqual(expect.arrayContaining(["monitoring-stack-loki", "monitoring-stack-tempo"]));
  },
};

const envOf = (deployment: K8sObject) => Object.fromEntries((deployment.spec.template.spec.containers[0].env as { name: string; value?: string }[]).map((e) => [e.name, e.value]));

describe.each(files)("examples/%s", (file) => {
  const text = fs.readFileSync(path.join(EXAMPLES_DIR, file), "utf8");

  it("starts with a header comment saying what it shows and how to check it", () => {
    expect(text).toMatch(/^# Example: .*\(seeds: [\w-]+\.md\)/);
    expect(text).toContain(`npm run check -- --stack production --config-file examples/${file}`);
  });

  let plan: Plan;
  beforeAll(async () => {
    plan = await renderExample(file);
  });

  it("renders objects that validate against the upstream schemas (CloudNativePG's CRDs too, where ../shared/schemas is)", () => {
    const all = [...objects(plan).values()].filter((o) => schemasAvailable() || !isCloudNativePg(o));
    expect(all.length).toBeGreaterThan(30);
    for (const o of all) expect(() => validateObject(o)).not.toThrow();
  });

  it("shows what its header says", () => {
    const all = objects(plan);
    shows[file]((id) => {
      const found = all.get(id);
      if (!found) throw new Error(`no ${id} in examples/${file}`);
      return found;
    }, plan);
  });

  it("renders as a production stack and passes every mandatory policy with production's policy config", async () => {
    expect(plan.outputs.environment).toBe("production");
    const config = path.join(PROJECT_DIR, "policies", "config", "production.json");
    await session.configure(resolvePolicyConfig(readPolicyConfig(config), info, config));
    const mandatory = (await session.analyze(plan.resources)).filter((v) => v.enforcementLevel === "mandatory");
    expect(mandatory.map((v) => `${v.policy}: ${v.message}`)).toEqual([]);
  });
});
