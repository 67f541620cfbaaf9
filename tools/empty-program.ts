/**
 * The empty-program harness `npm run bench` measures the plan against: the same process as
 * `npm run plan -- --stack production` (the TypeScript loader, the SDK, the stack's configuration, the mock runtime,
 * the exit) with a program that registers nothing. What a plan takes beyond this is the program:
 * loading its modules and providers, and rendering its resources.
 */
import * as path from "path";
import { runMain } from "./cli";
import { renderStack } from "./render-stack";

runMain(async () => {
  const plan = await renderStack({ projectDir: path.resolve(__dirname, ".."), stack: "production" }, () => ({}));
  process.stdout.write(`${plan.resources.length} resource(s)\n`);
});
