/** The GitHub workflows: valid for GitHub (action-validator, the schemas GitHub publishes) and wired to the gate they promise. */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse } from "yaml";
import { PROJECT_DIR } from "../harness";
import { runTool } from "./real-tools";

const WORKFLOWS = path.join(PROJECT_DIR, ".github", "workflows");
const validator = path.join(PROJECT_DIR, "node_modules", ".bin", "action-validator");
type Step = { name?: string; uses?: string; run?: string; shell?: string; with?: Record<string, string> };
type Workflow = { on: Record<string, unknown>; jobs: Record<string, { needs?: string; environment?: string; steps: Step[] }> };
const workflow = (name: string) => parse(fs.readFileSync(path.join(WORKFLOWS, name), "utf8")) as Workflow;

describe("GitHub workflows", () => {
  it.each(fs.readdirSync(WORKFLOWS))("%s validates against GitHub's workflow schema", (file) => {
    const result = runTool(validator, [path.join(WORKFLOWS, file)]);
    expect(result.output).toBe("");
    expect(result.status).toBe(0);
  });

  it("the validator rejects a broken workflow", () => {
    const broken = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "mcp-wf-")), "broken.yml");
    fs.writeFileSync(broken, "on: push\njobs:\n  x:\n    runs-on: ubuntu-24.04\n    stepz: []\n");
    expect(runTool(validator, [broken]).status).not.toBe(0);
  });

  it("pull requests run CI, the offline policy check, and a preview with the pack per stack", () => {
    const pr = workflow("pull-request.yml");
    expect(Object.keys(pr.on)).toEqual(["pull_request"]);
    expect(pr.jobs.ci.steps.map((s) => s.run)).toContain("sudo --preserve-env=PATH bash .ci/run");
    expect(pr.jobs.policy.steps.map((s) => s.run)).toContain("npm run check -- --format github");
    // Code scanning gets the same findings as SARIF, where the repository turns it on.
    expect(pr.jobs.policy.steps.find((s) => s.uses?.startsWith("github/codeql-action/upload-sarif@"))?.with).toMatchObject({ sarif_file: "${{ runner.temp }}/policy.sarif" });
    expect(pr.jobs.policy.steps.map((s) => s.run)).toContain('npm run --silent check -- --format sarif > "$RUNNER_TEMP/policy.sarif" || [ $? -eq 1 ]');
    const preview = pr.jobs.preview.steps.find((s) => s.uses?.startsWith("pulumi/actions@"))!;
    expect(preview.with).toMatchObject({ command: "preview", policyPacks: "policies", policyPackConfigs: "policies/config/${{ matrix.stack }}.json", "comment-on-pr": true });
  });

  it("main deploys staging with the pack, then production behind its protected environment", () => {
    const deploy = workflow("deploy.yml");
    expect(deploy.jobs.production).toMatchObject({ needs: "staging", environment: "production" });
    for (const stack of ["staging", "production"]) {
      const up = deploy.jobs[stack].steps.find((s) => s.uses?.startsWith("pulumi/actions@"))!;
      expect(up.with).toMatchObject({ command: "up", policyPacks: "policies", policyPackConfigs: `policies/config/${stack}.json` });
      expect(fs.existsSync(path.join(PROJECT_DIR, up.with!.policyPackConfigs))).toBe(true);
    }
  });

  it("a manual workflow promotes what the source stack runs and opens a pull request for the target", () => {
    const promote = workflow("promote.yml");
    expect(Object.keys(promote.on)).toEqual(["workflow_dispatch"]);
    const runs = promote.jobs.promote.steps.map((s) => s.run ?? "").join("\n");
    expect(runs).toContain('pulumi stack output --stack "$PULUMI_ORG/mcp-platform/$FROM" --json > "$RUNNER_TEMP/source-state.json"');
    // Inputs only through the environment: no expression spliced into a script.
    expect(runs).not.toContain("${{");
    expect(runs).toContain('npm run promote -- "${args[@]}"');
    expect(promote.jobs.promote.steps.find((s) => s.name === "Promote")?.shell).toBe("bash");
    expect(runs).toContain("--source-state \"$RUNNER_TEMP/source-state.json\"");
    expect(runs).toContain('npm run check -- --stack "$TO"');
    const pr = promote.jobs.promote.steps.find((s) => s.uses?.startsWith("peter-evans/create-pull-request@"))!;
    expect(pr.with).toMatchObject({ "add-paths": "Pulumi.${{ inputs.to }}.yaml" });
    // No deploy from here: the pull request's merge does it, behind production's approval.
    expect(promote.jobs.promote.steps.some((s) => s.with?.command === "up")).toBe(false);
  });

  it("a scheduled workflow analyzes the release on Prometheus and opens or updates the pull request of its next step", () => {
    const advance = workflow("advance.yml");
    expect(Object.keys(advance.on).sort()).toEqual(["schedule", "workflow_dispatch"]);
    const steps = advance.jobs.advance.steps;
    const runs = steps.map((s) => s.run ?? "").join("\n");
    // Inputs only through the environment: no expression spliced into a script.
    expect(runs).not.toContain("${{");
    expect(runs).toContain('npm run --silent analyze -- "${args[@]}" --format json > "$RUNNER_TEMP/verdict.json"');
    expect(runs).toContain("--prometheus http://127.0.0.1:9090");
    // The edit is made on the very observation the verdict reports.
    expect(runs).toContain('npm run --silent advance -- --stack "$STACK" --service "$SVC" --observed "$RUNNER_TEMP/verdict.json"');
    expect(runs).toContain('npm run check -- --stack "$STACK" --format github');
    // Exit 2 (bad input, an unreachable Prometheus) fails the job; 0, 3 and 4 are verdicts.
    expect(runs).toContain('if [ "$code" -ne 0 ] && [ "$code" -ne 3 ] && [ "$code" -ne 4 ]; then');
    const pr = steps.find((s) => s.uses?.startsWith("peter-evans/create-pull-request@"))!;
    expect(pr.with).toMatchObject({ branch: "delivery/${{ env.STACK }}-${{ steps.analyze.outputs.service }}", "add-paths": "Pulumi.${{ env.STACK }}.yaml" });
    expect(steps.some((s) => s.with?.command === "up")).toBe(false);
  });
});
