/**
 * The series the restore drill really pushes: what backup/lib.sh's drill_metrics prints, read by
 * running it (the producer itself, not the rules' idea of it), with the grouping label the push
 * adds (cluster; job is the Pushgateway's, kept by honorLabels).
 */
import { execFileSync } from "child_process";
import * as path from "path";
import { PROJECT_DIR } from "../harness";

export function drillMetrics(): Map<string, string[]> {
  const text = execFileSync("bash", ["-c", `. ${JSON.stringify(path.join(PROJECT_DIR, "backup", "lib.sh"))}; drill_metrics 1 60 300`], { encoding: "utf8" });
  const names = text
    .split("\n")
    .filter((line) => line && !line.startsWith("#"))
    .map((line) => line.split(" ")[0]);
  return new Map(names.map((name) => [name, ["cluster"]]));
}
