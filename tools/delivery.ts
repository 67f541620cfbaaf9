/**
 * Progressive delivery on live metrics (REL-3, REL-4, MON-3, MON-4, MON-9):
 *
 *   npm run analyze -- --stack production [--service NAME] (--prometheus URL | --observed FILE) [--format json]
 *   npm run advance -- --stack production [--service NAME] (--prometheus URL | --observed FILE) [--dry-run]
 *
 * analyze prints the verdict of the runbook's decision matrix on the release in progress; advance
 * makes its step as the release commands' stack-file edit. Exit 0 advance, 3 hold, 4 rollback, 2 bad input.
 */
import { runMain } from "./cli";
import { runDelivery } from "./release/delivery-command";

runMain(async () => runDelivery(process.argv[2], process.argv.slice(3), (text) => process.stdout.write(text)));
