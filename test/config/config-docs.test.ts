import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { z } from "zod";
import { PlatformSchema } from "../../config";
import { configReference } from "../../config/reference";
import { generatedDocs } from "../../tools/config-docs";
import { PROJECT_DIR } from "../harness";

describe("documentation of the configuration", () => {
  it.each(["config-reference.md", "policies.md", "runbook.md"])("docs/%s is the one generated (run `npm run docs`)", (name) => {
    const file = path.join(PROJECT_DIR, "docs", name);
    expect(fs.readFileSync(file, "utf8")).toBe(generatedDocs()[file]);
  });

  it("documents every key of the schema", () => {
    const reference = configReference();
    for (const key of Object.keys(PlatformSchema.shape)) expect(reference).toContain(`\`mcp-platform:${key}\``);
    expect(reference).toContain("`mcp-platform:services.<service>.blueGreen.activeColor`");
  });

  it("Pulumi.yaml declares each primitive key with the schema's description", () => {
    const project = parse(fs.readFileSync(path.join(PROJECT_DIR, "Pulumi.yaml"), "utf8"));
    const json = z.toJSONSchema(PlatformSchema, { io: "input" }) as { properties: Record<string, { type?: string; description: string }>; required: string[] };
    const primitive = Object.entries(json.properties).filter(([, s]) => s.type === "string");
    expect(Object.keys(project.config).sort()).toEqual(primitive.map(([key]) => key).sort());
    for (const [key, schema] of primitive) {
      const declared = project.config[key];
      expect({ key, type: declared.type, description: declared.description }).toEqual({ key, type: "string", description: schema.description });
      // A declared key without a default is required by the CLI: only the schema's required keys may lack one.
      expect({ key, hasDefault: "default" in declared }).toEqual({ key, hasDefault: !json.required.includes(key) });
      if ("default" in declared) expect(declared.default).toBe("");
    }
  });
});

describe("docs/runbook.md", () => {
  const catalogue = fs.readFileSync(path.join(PROJECT_DIR, "..", "shared", "RUNBOOK-REQUIREMENTS.md"), "utf8");
  const runbook = fs.readFileSync(path.join(PROJECT_DIR, "docs", "runbook.md"), "utf8");
  const rows = new Map(
    runbook
      .split("\n")
      .filter((line) => /^\| [A-Z]+-\d+ \|/.test(line))
      .map((line) => {
        const [id, status, how, provedBy] = line.split(" | ").map((cell) => cell.replace(/^\| |\s*\|$/g, ""));
        return [id, { status, how, provedBy }] as const;
      }),
  );

  it("maps every id of RUNBOOK-REQUIREMENTS.md, once, with a status and how it is covered", () => {
    const ids = [...catalogue.matchAll(/^- ([A-Z]+-\d+) /gm)].map((m) => m[1]);
    expect(ids.length).toBeGreaterThan(50);
    expect([...rows.keys()].sort()).toEqual([...ids].sort());
    for (const [id, row] of rows) {
      expect({ id, status: row.status }).toEqual({ id, status: expect.stringMatching(/^(covered|partly|not covered)$/) });
      expect(row.how.length).toBeGreaterThan(10);
      if (row.status !== "not covered") expect({ id, provedBy: row.provedBy }).toEqual({ id, provedBy: expect.stringMatching(/test\//) });
    }
  });

  it("names only test files that exist", () => {
    const named = new Set([...runbook.matchAll(/test\/[\w/.-]+\.test\.ts/g)].map((m) => m[0]));
    expect(named.size).toBeGreaterThan(10);
    for (const file of named) expect({ file, exists: fs.existsSync(path.join(PROJECT_DIR, file)) }).toEqual({ file, exists: true });
  });
});
