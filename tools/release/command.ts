/** The release commands behind tools/release.ts: argument handling, reading and writing stack files. */
import * as fs from "fs";
import * as path from "path";
import { parseCli, required, UsageError, type Usage } from "../cli";
import { canary, cutover, outputsOf, promote, retire, rollback, servicesOf, type Stack, type Step } from "./operations";
import { applyEdits, stackDiff } from "./stack-file";
import { StackFileError, validStackConfig } from "../stack-config";

export const PROJECT_DIR = path.resolve(__dirname, "../..");
const COMMON = { dir: { type: "string" }, "dry-run": { type: "boolean" }, service: { type: "string" } } as const;
const COMMON_HELP = `  --dir DIR        the project directory (Pulumi.yaml and the stack files; default: this project)
  --dry-run        print the diff, write nothing

Exit codes: 0 written (or nothing to change), 2 bad input or an unsafe step (the reason and what to
do instead; nothing written). A stack file that is a link out of the project, read-only or not UTF-8
is bad input, refused before anything is printed.`;
const usage = (synopsis: string, what: string, ...options: string[]): Usage => ({ synopsis, help: `${what}\n\n${options.join("\n")}\n${COMMON_HELP}` });
const STACK_OPTION = "  --stack STACK    the stack whose file is edited";
const SERVICES_OPTION = "  --service NAME   one service (default: every blue-green service)";
const USAGE = {
  promote: usage(
    "npm run promote -- --from STACK --to STACK --source-state FILE [--service NAME] [--now ISO] [--dir DIR] [--dry-run]",
    `Promotes the whole release (REL-6): every service of the target gets the image the source stack runs
it with (checked against the source's state), by digest: a blue-green service on its standby colour
at full scale (the colour that serves traffic is never touched), any other service by its rolling
update. Refused when a service of the target is missing from the source's state. Records the source,
the time and the images in the target's mcp-platform:promotion.`,
    "  --from STACK          the stack the release comes from (e.g. staging)",
    "  --to STACK            the stack it goes to (e.g. production)",
    "  --source-state FILE   what the source runs: pulumi stack output --stack STACK --json > FILE",
    "                        (or npm run plan -- --stack STACK --json FILE)",
    "  --service NAME        one service only (default: every service of the target)",
    "  --now ISO             the time recorded in mcp-platform:promotion (default: now)",
  ),
  canary: usage(
    "npm run canary -- --stack STACK --service NAME --weight N [--dir DIR] [--dry-run]",
    "Sends N % of the edge's requests for the service to its standby colour (REL-4); --weight 0 aborts the canary.",
    STACK_OPTION,
    "  --service NAME   the blue-green service",
    "  --weight N       whole percent, 0 to 99",
  ),
  cutover: usage(
    "npm run cutover -- --stack STACK [--service NAME] [--now ISO] [--dir DIR] [--dry-run]",
    "Moves traffic to the standby colour and records cutoverAt (REL-3); the old colour stays at full scale for rollback.",
    STACK_OPTION,
    SERVICES_OPTION,
    "  --now ISO        the time recorded as cutoverAt (default: now)",
  ),
  rollback: usage(
    "npm run rollback -- --stack STACK [--service NAME] [--dir DIR] [--dry-run]",
    "Moves traffic back to the previous colour while it still runs at full scale (REL-3).",
    STACK_OPTION,
    SERVICES_OPTION,
  ),
  retire: usage(
    "npm run retire -- --stack STACK [--service NAME] [--now ISO] [--dir DIR] [--dry-run]",
    "Scales the old colour down to the standby count once blueGreen.rollbackHoldHours have passed since the cutover.",
    STACK_OPTION,
    SERVICES_OPTION,
    "  --now ISO        the time compared with cutoverAt (default: now)",
  ),
};
type Command = keyof typeof USAGE;

export interface StackFile extends Stack {
  file: string;
  text: string;
  /** Read from this file instead of Pulumi.<name>.yaml (--config-file). */
  configFile?: string;
}

/** A stack's validated config and its file's text, as loadStackConfig read it (a stack of the project's, or --config-file; UTF-8). */
export function openStack(dir: string, name: string, configFile?: string): StackFile {
  const { platform, file, text } = validStackConfig(dir, name, configFile);
  return { name, config: platform, file, text, configFile };
}

/**
 * A stack whose file a command edits: openStack's, refused before anything is printed when the
 * edit could not be written where it belongs: a Pulumi.<stack>.yaml that is a link to a file
 * outside the project, or a file without its owner's write permission (checked on the mode bits:
 * root could write it anyway). A --config-file is edited where the operator named it.
 */
export function openStackToEdit(dir: string, name: string, configFile?: string): StackFile {
  const stack = openStack(dir, name, configFile);
  const real = fs.realpathSync(stack.file);
  const project = fs.realpathSync(dir);
  const inside = path.relative(project, real);
  if (!configFile && (inside.startsWith("..") || path.isAbsolute(inside))) {
    throw new StackFileError(`${stack.file} is a link to ${real}, outside the project (${project}): a release edits only the project's own stack files; replace the link with the file itself`);
  }
  const mode = fs.statSync(real).mode;
  if ((mode & 0o200) === 0) throw new StackFileError(`${stack.file}: read-only (mode ${(mode & 0o777).toString(8).padStart(3, "0")}): nothing written; make it writable (chmod u+w ${stack.file}) and run again`);
  return stack;
}

/** Applies a step's edits to the stack file after checking the result still validates; then prints the summary and the diff. */
export function write(dir: string, stack: StackFile, steps: Step[], dryRun: boolean, print: (text: string) => void): void {
  const after = applyEdits(stack.text, steps.flatMap((step) => step.edits));
  if (after !== stack.text) {
    validStackConfig(dir, stack.name, stack.configFile, after, `the edited ${stack.file} would not validate, so it was not written`);
    if (!dryRun) writeStackFile(stack.file, after);
  }
  for (const line of steps.flatMap((step) => step.summary)) print(`${line}\n`);
  if (after === stack.text) print(`${path.relative(process.cwd(), stack.file)}: unchanged\n`);
  else print(stackDiff(path.relative(process.cwd(), stack.file), stack.text, after));
  if (dryRun && after !== stack.text) print("(dry run: nothing written)\n");
}

/** Writes the edited text; a file or file system that refuses the write is bad input, not a crash. */
function writeStackFile(file: string, text: string): void {
  try {
    fs.writeFileSync(file, text);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== "EACCES" && code !== "EPERM" && code !== "EROFS") throw error;
    throw new StackFileError(`${file}: cannot be written (${code}${code === "EROFS" ? ": a read-only file system" : ""}): nothing written; make it writable and run again`);
  }
}

/** --now: the time given (ISO 8601), or now. */
export function timeOf(text: string | undefined): Date {
  if (text === undefined) return new Date();
  const time = new Date(text);
  if (Number.isNaN(time.getTime())) throw new UsageError(`--now: "${text}" is not a time; give ISO 8601, e.g. 2026-11-24T06:00:00Z`);
  return time;
}

/** Runs one release command; `print` receives what it reports. Throws a Refusal, UsageError, ... on bad input. */
export function runRelease(command: string, argv: string[], print: (text: string) => void): void {
  if (!(command in USAGE)) throw new UsageError(`unknown command "${command}"; one of: ${Object.keys(USAGE).join(", ")}`);
  const usage = USAGE[command as Command];
  const args = parseCli(
    { ...COMMON, stack: { type: "string" }, from: { type: "string" }, to: { type: "string" }, "source-state": { type: "string" }, weight: { type: "string" }, now: { type: "string" } },
    usage,
    argv,
  );
  const dir = path.resolve(args.dir ?? PROJECT_DIR);
  const dryRun = args["dry-run"] ?? false;

  if (command === "promote") {
    const from = openStack(dir, required(args.from, "--from", usage));
    const to = openStackToEdit(dir, required(args.to, "--to", usage));
    if (from.name === to.name) throw new UsageError("--from and --to name the same stack");
    const stateFile = required(args["source-state"], "--source-state (what the source stack runs: pulumi stack output --json, or npm run plan -- --json)", usage);
    let state: unknown;
    try {
      state = JSON.parse(fs.readFileSync(stateFile, "utf8"));
    } catch (error) {
      throw new UsageError(`--source-state ${stateFile}: ${(error as Error).message}`);
    }
    const outputs = outputsOf(state, from.name);
    write(dir, to, promote(from, outputs, to, args.service, timeOf(args.now)), dryRun, print);
    return;
  }
  const stack = openStackToEdit(dir, required(args.stack, "--stack", usage));
  if (command === "canary") {
    const service = required(args.service, "--service", usage);
    const weightText = required(args.weight, "--weight", usage);
    if (!/^\d+$/.test(weightText)) throw new UsageError(`--weight must be a whole percent from 0 to 99, got "${weightText}"`);
    write(dir, stack, [canary(stack, service, Number(weightText))], dryRun, print);
    return;
  }
  const now = timeOf(args.now);
  const step = { cutover: (s: string) => cutover(stack, s, now), rollback: (s: string) => rollback(stack, s), retire: (s: string) => retire(stack, s, now) }[
    command as "cutover" | "rollback" | "retire"
  ];
  write(dir, stack, servicesOf(stack, args.service).map(step), dryRun, print);
}

