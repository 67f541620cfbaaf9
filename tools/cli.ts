/** Shared plumbing of the command-line tools: argument parsing, --help and the exit-code contract. */
import { parseArgs, type ParseArgsConfig } from "util";
import { InputError } from "../config/errors";

/** Bad arguments: the message names what is wrong and how to fix it; the process exits 2. */
export class UsageError extends InputError {}

/** How a command is called: one line for errors, and the text --help prints. */
export interface Usage {
  /** `npm run NAME -- OPTIONS`, one line. */
  synopsis: string;
  /** What the command does, its options and its exit codes. */
  help: string;
}

/** `--help` / `-h`: the usage goes to stdout and the command exits 0, whatever else was given. */
class HelpRequested {
  constructor(readonly usage: Usage) {}
}

/** Stops the command with its usage on stdout (exit 0) when the arguments ask for --help or -h. */
export function answerHelp(argv: string[], usage: Usage): void {
  if (argv.includes("--help") || argv.includes("-h")) throw new HelpRequested(usage);
}

export function parseCli<T extends NonNullable<ParseArgsConfig["options"]>>(options: T, usage: Usage, argv = process.argv.slice(2)) {
  answerHelp(argv, usage);
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values;
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\nusage: ${usage.synopsis}`);
  }
}

/** Throws the UsageError of a missing option, with the command's synopsis. */
export function required<V>(value: V | undefined, option: string, usage: Usage): V {
  if (value === undefined) throw new UsageError(`${option} is required\nusage: ${usage.synopsis}`);
  return value;
}

/** Runs a tool's main: exit 2 with its message for bad input (every InputError: config/errors.ts), 1 with the stack for anything unexpected, 0 after --help. */
export function runMain(main: () => Promise<number | void>): void {
  main().then(
    (code) => process.exit(code ?? 0),
    (error: unknown) => {
      if (error instanceof HelpRequested) {
        process.stdout.write(`usage: ${error.usage.synopsis}\n\n${error.usage.help.trimEnd()}\n`);
        return process.exit(0);
      }
      if (error instanceof InputError) {
        process.stderr.write(`error: ${(error as Error).message}\n`);
        return process.exit(2);
      }
      process.stderr.write(`unexpected failure: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      return process.exit(1);
    },
  );
}


/** An http:// or https:// URL given as an option's value. */
export function httpUrl(option: string, text: string, example: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`${option} "${text}" is not a URL; give e.g. ${example}`);
  }
  if (!/^https?:$/.test(url.protocol)) throw new UsageError(`${option} must be http:// or https://, got ${url.protocol}`);
  return url;
}

/** A positive whole number given as an option's value. */
export function positiveInteger(option: string, text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value <= 0) throw new UsageError(`${option} must be a positive whole number, got "${text}"`);
  return value;
}
