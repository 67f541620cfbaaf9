/** Shared plumbing of the command-line tools: argument parsing and the exit-code contract. */
import { parseArgs, type ParseArgsConfig } from "util";

/** Bad input: the message names what is wrong and how to fix it; the process exits 2. */
export class UsageError extends Error {}

export function parseCli<T extends NonNullable<ParseArgsConfig["options"]>>(options: T, usage: string, argv = process.argv.slice(2)) {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values;
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\nusage: ${usage}`);
  }
}

/** Runs a tool's main: exit 2 with one line per problem for bad input, 1 for anything unexpected. */
export function runMain(main: () => Promise<number | void>, isBadInput: (error: unknown) => boolean = () => false): void {
  main().then(
    (code) => process.exit(code ?? 0),
    (error: unknown) => {
      if (error instanceof UsageError || isBadInput(error)) {
        process.stderr.write(`error: ${(error as Error).message}\n`);
        process.exit(2);
      }
      process.stderr.write(`unexpected failure: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exit(1);
    },
  );
}
