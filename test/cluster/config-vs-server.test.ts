/**
 * The configuration validation as the API server's equal, field by field (names and their
 * lengths, quantities, cron schedules, ports, durations, host names):
 * - a bad value the validation rejects is rejected first: `npm run plan` exits 2 naming its key; and
 *   where it was a known gap, the server refuses it too (put into the object of a valid plan);
 * - a value at the edge of what the validation accepts is accepted by the server too (every object
 *   of the plan created with dryRun=All: no error, no warning);
 * - a known gap (the validation accepts it, only the server refuses it, at `pulumi up`) is a test
 *   that holds while the gap is open: when the validation learns to reject the value, it fails and
 *   says to move the row to the rejected table.
 */
import { Deployer, plannedObjects } from "../../tools/cluster/apply";
import type { KubeClient } from "../../tools/cluster/kube-client";
import { parsePlatformConfig, rawPlatformConfig } from "../../config";
import { loadStackConfig } from "../../tools/stack-config";
import type { Plan } from "../../tools/render-stack";
import { objects, PROJECT_DIR, readStackValues, renderFile, runScript, writeStackFile, type StackValues } from "../harness";
import { ACCEPTED as SHARED_ACCEPTED, changeOf, REJECTED as SHARED_REJECTED, type Row } from "../config/server-cases";
import { clusterObjects, connect, lines, teardown } from "./cluster";

/** The rows of the staging stack file (the server sees only what a plan of it holds). */
const REJECTED = SHARED_REJECTED.filter((row) => !row.stack);
const ACCEPTED = SHARED_ACCEPTED.filter((row) => !row.stack);

/** Known gaps: the validation accepts these today; the server refuses them (its words as the pattern). */
// Closed by the validation (now rows of test/config/server-cases.ts' REJECTED, each with its server refusal):
// cron ranges, Secret key names, StorageClass names, zero sizes, fractional bytes, int32 overflows,
// maxSurge 0 %, preStop against the grace period, HPA periods. Add a row here for the next value found
// that only the server refuses; when the validation rejects it, move it to REJECTED with a `server`.
const GAPS: (Row & { refuses: RegExp })[] = [];

/** A copy of the staging stack file with the changes made. */
function stackFile(...changes: ((values: StackValues) => void)[]): string {
  const values = readStackValues("staging");
  for (const change of changes) change(values);
  return writeStackFile(values);
}

const validationErrors = (file: string): string[] => {
  const parsed = parsePlatformConfig(rawPlatformConfig(loadStackConfig(PROJECT_DIR, "staging", file).config));
  return parsed.ok ? [] : parsed.errors;
};

let client: KubeClient;
/** Holds the namespaces the dry runs need (a namespaced object cannot be created, even dry, in a missing namespace). */
let namespaces: Deployer;

beforeAll(() => {
  client = connect();
  namespaces = new Deployer(client);
});
afterAll(async () => {
  if (client) {
    await teardown(client, namespaces);
    client.close();
  }
}, 120000);

/** Every object of the plan created with dryRun=All (its namespaces for real): the server's errors and warnings. */
async function serverFindings(plan: Plan): Promise<string[]> {
  const planned = plannedObjects(plan);
  const created = await namespaces.apply([...namespaces.applied.map((object) => ({ object, ignoreChanges: [] })), ...planned.filter((p) => p.object.kind === "Namespace")]);
  expect(lines(created.errors)).toEqual([]);
  const dry = await new Deployer(client).apply(planned.filter((p) => p.object.kind !== "Namespace"), { dryRun: true });
  return [...lines(dry.errors), ...lines(dry.warnings)];
}

const describeRow = (row: Row) => `${row.key} = ${JSON.stringify(row.value)} (${row.field})`;

describe("bad values the validation rejects first: npm run plan exits 2 naming the key", () => {
  it.each(REJECTED.map((row) => [describeRow(row), row] as const))("%s", async (_name, row) => {
    const file = stackFile(changeOf(row));
    const run = await runScript("tools/plan.ts", "--stack", "staging", "--config-file", file);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`  ${row.key}`);
  }, 60000);
});

describe("closed gaps: the validation rejects the value (above), and the server refuses it in the object it lands in", () => {
  it.each(REJECTED.filter((row) => row.server).map((row) => [describeRow(row), row.server!] as const))("%s", async (_name, server) => {
    const plan = await renderFile("staging", stackFile(server.base ?? (() => undefined)), true);
    server.set(objects(plan).get(server.object)!);
    expect(await serverFindings(plan)).toEqual(expect.arrayContaining([expect.stringMatching(server.refuses)]));
  });
});

describe("values the validation accepts are accepted by the server", () => {
  it.each(ACCEPTED.map((row) => [describeRow(row), row] as const))("%s", async (_name, row) => {
    const file = stackFile(changeOf(row));
    expect(validationErrors(file)).toEqual([]);
    expect(await serverFindings(await renderFile("staging", file, true))).toEqual([]);
  });
});

// jest refuses it.each over an empty table.
(GAPS.length ? describe : () => undefined)("known gaps: the validation accepts the value, only the server refuses it (at pulumi up)", () => {
  it.each(GAPS.map((row) => [describeRow(row), row] as const))("gap: %s", async (_name, row) => {
    const file = stackFile(changeOf(row));
    const errors = validationErrors(file);
    if (errors.length) throw new Error(`the validation rejects this value now (${errors.join("; ")}): move the row to REJECTED`);
    const findings = await serverFindings(await renderFile("staging", file, true));
    expect(findings).toEqual(expect.arrayContaining([expect.stringMatching(row.refuses)]));
  });
});

/**
 * Changes of a deployed stack that the server refuses as an update (immutable fields): `pulumi up`
 * would have to replace the object (a StatefulSet's pods, or a claim and its data) instead.
 * Known limitations, held by these tests until the program handles them.
 */
describe("changes of a deployed stack that the server refuses as an update", () => {
  const withVolume = (values: StackValues) => void (values["mcp-platform:volumes"] = { uploads: { size: "5Gi", storageClass: "efs-sc" } });
  let deployed: Deployer;
  beforeAll(async () => {
    deployed = new Deployer(client);
    const result = await deployed.apply(clusterObjects(await renderFile("staging", stackFile(withVolume), true)));
    expect(lines(result.errors)).toEqual([]);
  }, 60000);
  afterAll(async () => {
    if (deployed) await teardown(client, deployed);
  }, 120000);

  const UPDATES: (Row & { refuses: RegExp })[] = [
    { key: "mcp-platform:redis.queue.storage.size", value: "4Gi", field: "StatefulSet volumeClaimTemplates", refuses: /StatefulSet mcp-staging\/redis-queue: .*spec\.volumeClaimTemplates: Invalid value/ },
    { key: "mcp-platform:redis.queue.storage.storageClass", value: "fast", field: "StatefulSet volumeClaimTemplates", refuses: /StatefulSet mcp-staging\/redis-queue: .*spec\.volumeClaimTemplates: Invalid value/ },
    { key: "mcp-platform:volumes.uploads.storageClass", value: "other-sc", field: "a bound claim's spec", refuses: /PersistentVolumeClaim mcp-staging\/uploads: .*spec is immutable after creation/ },
  ];
  it.each(UPDATES.map((row) => [describeRow(row), row] as const))("%s", async (_name, row) => {
    const file = stackFile(withVolume, changeOf(row));
    expect(validationErrors(file)).toEqual([]);
    const dry = await deployed.apply(clusterObjects(await renderFile("staging", file, true)), { dryRun: true });
    expect(lines(dry.errors)).toEqual([expect.stringMatching(row.refuses)]);
  });
});
