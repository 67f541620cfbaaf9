/**
 * Release commands that edit stack files, so every release is a reviewed diff the policy gate
 * checks and `pulumi up` applies (REL-3, REL-4, REL-6):
 *
 *   npm run promote  -- --from staging --to production [--service NAME] --source-state FILE
 *   npm run canary   -- --stack production --service NAME --weight N
 *   npm run cutover  -- --stack production [--service NAME]
 *   npm run rollback -- --stack production [--service NAME]
 *   npm run retire   -- --stack production [--service NAME]
 *
 * Common options: --dir DIR (the project directory holding Pulumi.yaml and the stack files;
 * default: this project), --dry-run (print the diff, write nothing), --now ISO (the time cutover
 * records and retire compares with; default: now, for drills). Each prints the diff it made.
 * Exit 2 with the reason, and nothing written, when a step is unsafe or the stack file is not one a
 * command may edit (see openStackToEdit).
 */
import { runMain } from "./cli";
import { runRelease } from "./release/command";

runMain(async () => runRelease(process.argv[2], process.argv.slice(3), (text) => process.stdout.write(text)));
