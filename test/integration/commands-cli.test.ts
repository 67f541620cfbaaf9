/**
 * What every command of the project shares, run as a user types it (`npm run NAME -- ...`): --help
 * prints the usage and exits 0; an unknown stack gets one message everywhere; configuration
 * problems are printed in one layout by plan, check and the release commands.
 */
import { spawn, type ChildProcessWithoutNullStreams } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { PROJECT_DIR } from "../harness";
import { tempDir } from "./real-tools";

const pkg = JSON.parse(fs.readFileSync(path.join(PROJECT_DIR, "package.json"), "utf8")) as { scripts: Record<string, string> };
/** The project's own commands: every npm script run by the TypeScript loader or bash (jest, tsc and eslint have their own --help). */
const COMMANDS = Object.entries(pkg.scripts)
  .filter(([, command]) => /^(node --require \.\/tools\/ts-loader\.cjs|bash) /.test(command))
  .map(([name]) => name);

type Result = { code: number | null; stdout: string; stderr: string };

function collect(child: ChildProcessWithoutNullStreams): Promise<Result> {
  return new Promise((resolve) => {
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/**
 * `npm run --silent NAME -- ARGS` without npm's own start (a fifth of a second each, for 29
 * commands here): the script's command line run by sh with the arguments after it and
 * node_modules/.bin first on PATH, as npm runs it. A test below shows npm prints the same.
 */
function npmRun(script: string, ...args: string[]): Promise<Result> {
  const env = { ...process.env, PATH: `${path.join(PROJECT_DIR, "node_modules", ".bin")}${path.delimiter}${process.env.PATH}` };
  return collect(spawn("sh", ["-c", `${pkg.scripts[script]} "$@"`, script, ...args], { cwd: PROJECT_DIR, env }));
}

describe("every command", () => {
  it("is covered here: plan, check, the release commands, smoke, analyze, advance, bench, docs, bench:backup, cluster, test:cluster", () => {
    expect(COMMANDS.sort()).toEqual(["advance", "analyze", "bench", "bench:backup", "canary", "check", "cluster", "cutover", "docs", "plan", "promote", "retire", "rollback", "smoke", "test:cluster"]);
  });

  it("runs as npm runs it: npm run --silent prints the same, arguments passed through", async () => {
    const [viaNpm, direct] = await Promise.all([collect(spawn("npm", ["run", "--silent", "plan", "--", "--stack", "prod"], { cwd: PROJECT_DIR })), npmRun("plan", "--stack", "prod")]);
    expect(direct.code).toBe(2);
    expect(viaNpm).toEqual(direct);
  }, 30000);

  it.each(COMMANDS)("%s --help prints its usage and exits 0", async (command) => {
    const result = await npmRun(command, "--help");
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`^usage: npm run ${command}\\b`));
    expect(result.stdout.split("\n").length).toBeGreaterThan(3);
  }, 30000);

  const UNKNOWN = 'error: no stack "prod": this project has production, staging (Pulumi.<stack>.yaml)\n';
  it.each([
    ["plan", ["--stack", "prod"]],
    ["check", ["--stack", "prod"]],
    ["promote", ["--from", "prod", "--to", "production", "--source-state", "x.json"]],
    ["canary", ["--stack", "prod", "--service", "api", "--weight", "5"]],
    ["cutover", ["--stack", "prod"]],
    ["rollback", ["--stack", "prod"]],
    ["retire", ["--stack", "prod"]],
    ["smoke", ["--url", "http://127.0.0.1:9", "--stack", "prod"]],
    ["analyze", ["--stack", "prod", "--prometheus", "http://127.0.0.1:9"]],
    ["advance", ["--stack", "prod", "--prometheus", "http://127.0.0.1:9"]],
  ])("%s names an unknown stack with the one message that lists the stacks, exit 2", async (command, args) => {
    const result = await npmRun(command, ...args);
    expect(result.stderr).toBe(UNKNOWN);
    expect(result.code).toBe(2);
  }, 30000);

  it("plan, check and the release commands print configuration problems in the same layout", async () => {
    // A project folder whose production stack has two problems; plan and check read it with --config-file, the release commands with --dir.
    const dir = tempDir("mcp-bad-config-");
    fs.copyFileSync(path.join(PROJECT_DIR, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
    const text = fs.readFileSync(path.join(PROJECT_DIR, "Pulumi.production.yaml"), "utf8").replace("    replicas: 3\n", '    replicas: "three"\n').replace("    worker:\n", "    worker:\n      imagee: {}\n");
    fs.writeFileSync(path.join(dir, "Pulumi.production.yaml"), text);
    const file = path.join(dir, "Pulumi.production.yaml");
    const outputs = await Promise.all([
      npmRun("plan", "--stack", "production", "--config-file", file),
      npmRun("check", "--stack", "production", "--config-file", file),
      npmRun("cutover", "--stack", "production", "--dir", dir),
      npmRun("smoke", "--url", "http://127.0.0.1:9", "--stack", "production", "--config-file", file),
    ]);
    const expected = [
      "error: invalid stack configuration:",
      '  mcp-platform:edge.replicas: expected a value of type number; got "three"',
      expect.stringMatching(/^ {2}mcp-platform:services\.worker\.imagee: unknown key; did you mean "image"\?/),
    ];
    for (const result of outputs) {
      expect(result.stderr.trimEnd().split("\n")).toEqual(expected);
      expect(result.code).toBe(2);
    }
  }, 60000);
});
