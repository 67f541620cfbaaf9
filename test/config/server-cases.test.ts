/**
 * The validation refuses, naming the key, what the platform would refuse later (test/config/server-cases.ts:
 * the API server's, etcd's, CloudNativePG's, PostgreSQL's, Prometheus's and Redis's rules, and the
 * runbooks' production minimums), and accepts the values at the edge of what they accept.
 */
import { parsePlatformConfig, rawPlatformConfig } from "../../config";
import { COMPONENT_OBJECT_NAMES, serviceObjectNames } from "../../config/rules/names";
import { cronProblem } from "../../config/cron";
import { loadStackConfig } from "../../tools/stack-config";
import { EXAMPLE_FILES, objects, PROJECT_DIR, readStackValues, render, renderExample, STACKS, writeStackFile } from "../harness";
import { ACCEPTED, changeOf, REJECTED, type Row } from "./server-cases";

const fileFor = (row: Row) => {
  const values = readStackValues(row.stack ?? "staging");
  changeOf(row)(values);
  return writeStackFile(values);
};

const errorsOf = (row: Row): string[] => {
  const parsed = parsePlatformConfig(rawPlatformConfig(loadStackConfig(PROJECT_DIR, row.stack ?? "staging", fileFor(row)).config));
  return parsed.ok ? [] : parsed.errors;
};

const describeRow = (row: Row) => `${row.key} = ${JSON.stringify(row.value).slice(0, 60)} (${row.field})`;

describe("refused by the validation, naming the key", () => {
  it.each(REJECTED.map((row) => [describeRow(row), row] as const))("%s", (_name, row) => {
    const errors = errorsOf(row);
    expect(errors).toEqual(expect.arrayContaining([expect.stringMatching(new RegExp(`^${row.key.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: `))]));
  });
});

describe("the server's refusals of the closed gaps (run by the cluster test): each puts the value into an object of a valid plan", () => {
  it.each(REJECTED.filter((row) => row.server).map((row) => [describeRow(row), row.server!] as const))("%s", async (_name, server) => {
    // The program renders only a valid configuration: the base is one.
    const object = objects(await render("staging", server.base)).get(server.object);
    expect(object).toBeDefined();
    const before = JSON.stringify(object);
    server.set(object!);
    expect(JSON.stringify(object)).not.toBe(before);
  });
});

describe("accepted at the edge of what the platform accepts", () => {
  it.each(ACCEPTED.map((row) => [describeRow(row), row] as const))("%s", (_name, row) => {
    expect(errorsOf(row)).toEqual([]);
  });
});

describe("cron schedules as robfig/cron ParseStandard reads them", () => {
  it.each(["* * * * *", "0 2 * * *", "0-59/5 0-23 1-31 1-12 0-6", "0 0 * * MON-fri", "1,2,3 * * * *"])("accepts %j", (schedule) => expect(cronProblem(schedule)).toBeUndefined());
  it.each([
    ["60 * * * *", /minute "60": 60 is outside 0-59/],
    ["* * 32 * *", /day of month "32": 32 is outside 1-31/],
    ["* * * * 7", /day of week "7": 7 is outside 0-6/],
    ["* * * * MONDAY", /is not a number or a name/],
    ["1-2-3 * * * *", /too many hyphens/],
    ["*/2/3 * * * *", /too many slashes/],
    ["* * * * * *", /five fields/],
  ])("refuses %j", (schedule, reason) => expect(cronProblem(schedule)).toMatch(reason));
});

describe("the names the components reserve", () => {
  /** Kinds a service makes an object of under its own name. */
  const SERVICE_KINDS = new Set(["Deployment", "Service", "ServiceAccount", "NetworkPolicy", "PodMonitor", "PodDisruptionBudget", "HorizontalPodAutoscaler"]);
  it("cover every object of those kinds in every stack and example that no service makes", async () => {
    const plans = [...(await Promise.all(STACKS.map((stack) => render(stack)))), ...(await Promise.all(EXAMPLE_FILES.map((file) => renderExample(file))))];
    const unlisted = new Set<string>();
    for (const plan of plans) {
      const found = [...objects(plan).values()];
      const services = found.filter((o) => o.kind === "ServiceAccount").map((o) => o.metadata.name);
      const ofServices = new Set(services.flatMap((name) => serviceObjectNames(name, true)));
      for (const o of found) {
        if (SERVICE_KINDS.has(o.kind) && !ofServices.has(o.metadata.name) && !(COMPONENT_OBJECT_NAMES as readonly string[]).includes(o.metadata.name)) unlisted.add(`${o.kind}/${o.metadata.name}`);
      }
    }
    expect([...unlisted]).toEqual([]);
  }, 120000);
});
