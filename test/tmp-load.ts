import * as fs from "fs"; import * as os from "os"; import * as path from "path";
import { loadStackConfig } from "../tools/stack-config";
import { PROJECT_DIR } from "./harness";
const STAGING = fs.readFileSync(path.join(PROJECT_DIR, "Pulumi.staging.yaml"), "utf8");
const lines: string[] = []; let size = 0;
for (let i = 0; size < 5 * 1024 * 1024; i++) { const l = `    KEY_${i}: value-${i}-${"x".repeat(20)}`; lines.push(l); size += l.length + 1; }
const text = `${STAGING.trimEnd()}\n  mcp-platform:bulk:\n${lines.join("\n")}\n`;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "l-")); const f = path.join(dir, "Pulumi.staging.yaml"); fs.writeFileSync(f, text);
const t = Date.now(); loadStackConfig(PROJECT_DIR, "staging", f); console.log("load", Date.now() - t);
