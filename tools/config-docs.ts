/**
 * npm run docs            writes docs/config-reference.md from the config schema and
 *                         docs/policies.md from the policy pack and its per-environment config
 * npm run docs -- --check exits 1 when a committed file differs (CI)
 */
import * as fs from "fs";
import * as path from "path";
import { configReference } from "../config/reference";
import { PACK_NAME, policies } from "../policies/policies";
import { parseCli, runMain, type Usage } from "./cli";
import { readPolicyConfig } from "./policy/policy-config";
import { packInfoOf, policyReference } from "./policy/reference";

const ROOT = path.resolve(__dirname, "..");
const POLICY_CONFIG_DIR = path.join(ROOT, "policies", "config");
const USAGE: Usage = {
  synopsis: "npm run docs [-- --check]",
  help: `Writes the generated documents: docs/config-reference.md (from the config schema), docs/policies.md
(from the policy pack and policies/config/*.json) and the table of contents of docs/runbook.md.

  --check    write nothing; exit 1 when a committed document differs from what would be written (CI)`,
};

/** Every generated document, by path, with its text. */
export function generatedDocs(): Record<string, string> {
  const environments = Object.fromEntries(
    fs
      .readdirSync(POLICY_CONFIG_DIR)
      .filter((f) => f.endsWith(".json"))
      .sort()
      .map((f) => [path.basename(f, ".json"), readPolicyConfig(path.join(POLICY_CONFIG_DIR, f))]),
  );
  return {
    [path.join(ROOT, "docs", "config-reference.md")]: `${configReference()}\n`,
    [path.join(ROOT, "docs", "policies.md")]: `${policyReference(packInfoOf(PACK_NAME, policies), environments)}\n`,
  };
}

if (require.main === module) {
  runMain(async () => {
    const args = parseCli({ check: { type: "boolean" } }, USAGE);
    let stale = 0;
    for (const [file, text] of Object.entries(generatedDocs())) {
      const current = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "";
      if (current === text) continue;
      if (args.check) {
        process.stderr.write(`${path.relative(process.cwd(), file)} is out of date: run \`npm run docs\` and commit it\n`);
        stale++;
      } else {
        fs.writeFileSync(file, text);
        process.stdout.write(`wrote ${path.relative(process.cwd(), file)}\n`);
      }
    }
    return stale ? 1 : 0;
  });
}
