/**
 * npm run docs            writes docs/config-reference.md from the schema
 * npm run docs -- --check exits 1 when the committed file differs (CI)
 */
import * as fs from "fs";
import * as path from "path";
import { configReference } from "../config/reference";
import { parseCli, runMain } from "./cli";

const FILE = path.resolve(__dirname, "..", "docs", "config-reference.md");

runMain(async () => {
  const args = parseCli({ check: { type: "boolean" } }, "npm run docs [-- --check]");
  const text = `${configReference()}\n`;
  if (args.check) {
    const current = fs.existsSync(FILE) ? fs.readFileSync(FILE, "utf8") : "";
    if (current === text) return 0;
    process.stderr.write(`${path.relative(process.cwd(), FILE)} is out of date: run \`npm run docs\` and commit it\n`);
    return 1;
  }
  fs.writeFileSync(FILE, text);
  process.stdout.write(`wrote ${path.relative(process.cwd(), FILE)}\n`);
  return 0;
});
