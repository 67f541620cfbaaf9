/**
 * Violations mapped to the stack-file line of the setting that causes them (tools/policy/locate.ts),
 * on the production plan and its real stack file: the setting itself where the file sets it, the
 * entry of the service (or data service) where it is left at its default, the area's top-level
 * key for stack-wide policies. Pure: no policy pack runs here (check-cli.test.ts runs it).
 */
import * as fs from "fs";
import * as path from "path";
import type { Violation } from "../../tools/policy/analyzer";
import { locateViolation } from "../../tools/policy/locate";
import type { Plan } from "../../tools/render-stack";
import { PROJECT_DIR, render } from "../harness";

const FILE = "Pulumi.production.yaml";
const text = fs.readFileSync(path.join(PROJECT_DIR, FILE), "utf8");
const lines = text.split("\n");
/** The 1-based line of `key:` that follows the line `after` (both as in the file, indentation included). */
function lineOf(key: string, ...after: string[]): number {
  let from = 0;
  for (const line of after) from = lines.indexOf(line, from) + 1;
  const found = lines.findIndex((line, i) => i >= from && line.startsWith(`${key}:`));
  if (found < 0) throw new Error(`no "${key}:" after ${after.join(" / ")} in ${FILE}`);
  return found + 1;
}

let plan: Plan;
beforeAll(async () => {
  plan = await render("production");
});

const violation = (policy: string, name?: string): Violation => {
  const resource = name === undefined ? undefined : plan.resources.find((r) => r.name === name);
  if (name !== undefined && !resource) throw new Error(`no resource ${name}`);
  return { policy, enforcementLevel: "mandatory", urn: resource?.urn ?? "", message: "" };
};
const locate = (v: Violation) => locateViolation(v, plan, { file: FILE, text });

describe("a violation's line in the stack file", () => {
  it("is the setting's own line where the file sets it", () => {
    expect(locate(violation("replicas-minimum", "worker"))).toEqual({ file: FILE, line: lineOf("      replicas", "    worker:"), column: 7, setting: "mcp-platform:services.worker.replicas" });
    expect(locate(violation("replicas-minimum", "postgres-cluster"))).toMatchObject({ line: lineOf("    instances", "  mcp-platform:postgres:"), setting: "mcp-platform:postgres.instances" });
  });

  it("follows the colour of a blue-green Deployment to that colour's image", () => {
    expect(locate(violation("image-pinned", "api-green"))).toMatchObject({ line: lineOf("          image", "    api:", "        green:"), setting: "mcp-platform:services.api.blueGreen.green.image" });
    expect(locate(violation("image-pinned", "api-blue"))).toMatchObject({ setting: "mcp-platform:services.api.blueGreen.blue.image" });
  });

  it("is the service's entry where the setting is left at its default", () => {
    // No probes under api in the file: its defaults are to blame, so the annotation goes on `api:`.
    expect(lines.slice(lineOf("    api", "  mcp-platform:services:") - 1, lineOf("    worker", "  mcp-platform:services:") - 1).some((l) => l.startsWith("      probes:"))).toBe(false);
    expect(locate(violation("container-probes", "api-blue"))).toMatchObject({ line: lineOf("    api", "  mcp-platform:services:"), column: 5, setting: "mcp-platform:services.api" });
  });

  it("is the area's top-level key for a stack-wide policy, and the config: line when nothing is more precise", () => {
    expect(locate(violation("capacity-plan"))).toMatchObject({ line: lineOf("  mcp-platform:quota"), setting: "mcp-platform:quota" });
    expect(locate(violation("no-such-policy"))).toEqual({ file: FILE, line: lineOf("config"), column: 1, setting: "config" });
  });
});
