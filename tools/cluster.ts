/**
 * npm run cluster -- up | down | status
 *
 * A Kubernetes control plane on loopback for the cluster tests (tools/cluster/): `up` builds what
 * is missing, starts it with the CRDs installed and prints the kubeconfig to use; `down` stops it
 * and removes its data; `status` prints the kubeconfig of the running one, or exits 1.
 */
import { runMain, UsageError } from "./cli";
import { down, runningCluster, up } from "./cluster/cluster";

const USAGE = "npm run cluster -- up|down|status";

async function main(): Promise<number> {
  const [command, ...rest] = process.argv.slice(2);
  if (rest.length) throw new UsageError(`unexpected arguments: ${rest.join(" ")}\nusage: ${USAGE}`);
  switch (command) {
    case "up": {
      const state = await up();
      process.stdout.write(`export KUBECONFIG=${state.kubeconfig}\n`);
      return 0;
    }
    case "down":
      await down();
      process.stderr.write("cluster stopped, its data removed\n");
      return 0;
    case "status": {
      const state = runningCluster();
      if (!state) {
        process.stderr.write("no cluster running\n");
        return 1;
      }
      process.stdout.write(`export KUBECONFIG=${state.kubeconfig}\n`);
      return 0;
    }
    default:
      throw new UsageError(`unknown command ${JSON.stringify(command ?? "")}\nusage: ${USAGE}`);
  }
}

runMain(main);
