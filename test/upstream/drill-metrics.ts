/**
 * The series the restore drill really pushes: what backup/lib.sh's drill_metrics prints, read by
 * running it (the producer itself, not the rules' idea of it), with the grouping label the push
 * adds (cluster; job is the Pushgateway's, kept by honorLabels).
 */
import { execFileSync } from "child_process";
import * as path from "path";
import { PROJECT_DIR } from "../harness";

let names: string[] | undefined;

/** Runs the producer once per test file (a spawn from a test worker measured about 0.1 s): each call gets its own map. */
export function drillMetrics(): Map<string, string[]> {
  names ??= pushedNames();
  return new Map(names.map((name) => [name, ["cluster"]]));
}

function pushedNames(): string[] {
  const text = execFileSync("bash", ["-c", `. ${JSON.stringify(path.join(PROJECT_DIR, "backup", "lib.sh"))}; drill_metrics 1 60 300`], { encoding: "utf8" });
  return text
    .split("\n")
    .filter((line) => line && !line.startsWith("#"))
    .map((line) => line.split(" ")[0]);
}
