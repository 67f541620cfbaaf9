/**
 * npm run cluster -- up | down | status
 *
 * A Kubernetes control plane on loopback for the cluster tests (tools/cluster/): `up` builds what
 * is missing, starts it with the CRDs installed and prints the kubeconfig to use; `down` stops it
 * and removes its data; `status` prints the kubeconfig of the running one, or exits 1.
 */
import { answerHelp, runMain, UsageError, type Usage } from "./cli";
import { down, runningCluster, up } from "./cluster/cluster";

const USAGE: Usage = {
  synopsis: "npm run cluster -- up|down|status",
  help: `A Kubernetes control plane on loopback (etcd, kube-apiserver, controller-manager, scheduler, kwok
nodes) with the upstream CRDs installed, for the cluster tests and for trying objects by hand.

  up       build what is missing (cached outside the repository), start it, print export KUBECONFIG=...
  down     stop it and remove its data
  status   print the running one's export KUBECONFIG=..., or exit 1

Exit codes: 0 done, 1 no cluster running (status) or a failure, 2 bad input.`,
};

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  answerHelp(argv, USAGE);
  const [command, ...rest] = argv;
  if (rest.length) throw new UsageError(`unexpected arguments: ${rest.join(" ")}\nusage: ${USAGE.synopsis}`);
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
      throw new UsageError(`unknown command ${JSON.stringify(command ?? "")}\nusage: ${USAGE.synopsis}`);
  }
}

runMain(main);
