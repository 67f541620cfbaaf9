import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { z } from "zod";
import { PlatformSchema } from "../config";
import { configReference } from "../config/reference";
import { generatedDocs } from "../tools/config-docs";
import { PROJECT_DIR } from "./harness";

describe("documentation of the configuration", () => {
  it.each(["config-reference.md", "policies.md"])("docs/%s is the one generated (run `npm run docs`)", (name) => {
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
