/**
 * `up`: builds what is missing, makes the PKI, starts etcd and the control plane on loopback,
 * installs the CRDs from ../shared/schemas and registers kwok nodes in three zones; `down` stops
 * every process and removes the cluster's data.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as http from "http";
import * as os from "os";
import * as path from "path";
import { parseAllDocuments } from "yaml";
import {
  apiserverArgs,
  controllerManagerArgs,
  etcdArgs,
  isOurs,
  KWOK_NODE_ANNOTATION,
  kubeconfigText,
  kwokArgs,
  logTail,
  readState,
  schedulerArgs,
  startProcess,
  stateFile,
  stopProcesses,
  StopWaiting,
  waitFor,
  type ClusterState,
  type Ports,
} from "./control-plane";
import { KubeClient, type KubeObject } from "./kube-client";
import { createPki } from "./pki";
import { freePort } from "../net";

export const CACHE_DIR = process.env.MCP_CLUSTER_CACHE ?? path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), ".cache"), "mcp-platform", "cluster");
/** Where a running cluster keeps its state, data and logs. */
export const CLUSTER_DIR = process.env.MCP_CLUSTER_DIR ?? path.join(CACHE_DIR, "run");
export const SCHEMAS_DIR = path.resolve(process.env.MCP_SCHEMAS_DIR ?? path.join(__dirname, "..", "..", "..", "shared", "schemas"));
/** The CRD folders installed as they are: CloudNativePG and barman (crds/), monitoring and cert-manager (cluster/). */
export const CRD_DIRS = ["crds", "cluster"].map((d) => path.join(SCHEMAS_DIR, d));

/** kwok nodes: two per zone, large enough for every stack's worst case. */
export const ZONES = ["zone-a", "zone-b", "zone-c"];
const NODES_PER_ZONE = 2;

export function clientFor(state: ClusterState): KubeClient {
  return new KubeClient({ server: state.server, caCert: state.pki.caCert, clientCert: state.pki.adminCert, clientKey: state.pki.adminKey });
}

/** Runs build.sh (a no-op when everything is built) and returns the folder of the binaries. */
export function build(): string {
  const result = spawnSync("bash", [path.join(__dirname, "build.sh")], { stdio: ["ignore", "pipe", "inherit"], encoding: "utf8" });
  if (result.status !== 0) throw new Error(`tools/cluster/build.sh failed (exit ${result.status})`);
  return result.stdout.trim().split("\n").pop() as string;
}

function httpOk(url: string): Promise<true | undefined> {
  return new Promise((resolve, reject) => {
    http.get(url, (res) => {
      res.resume();
      resolve(res.statusCode === 200 ? true : undefined);
    }).on("error", reject);
  });
}

export function kwokNode(name: string, zone: string): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: {
      name,
      annotations: { [KWOK_NODE_ANNOTATION]: "fake", "node.alpha.kubernetes.io/ttl": "0" },
      labels: { "kubernetes.io/hostname": name, "kubernetes.io/os": "linux", "kubernetes.io/arch": "amd64", "topology.kubernetes.io/zone": zone, type: "kwok" },
    },
    spec: {},
    status: {
      allocatable: { cpu: "64", memory: "256Gi", pods: "110", "ephemeral-storage": "1Ti" },
      capacity: { cpu: "64", memory: "256Gi", pods: "110", "ephemeral-storage": "1Ti" },
    },
  };
}

export function crdDocuments(dirs: string[]): KubeObject[] {
  return dirs.flatMap((dir) =>
    fs
      .readdirSync(dir)
      .filter((f) => f.endsWith(".yaml"))
      .sort()
      .flatMap((f) => parseAllDocuments(fs.readFileSync(path.join(dir, f), "utf8")).map((d) => d.toJS() as KubeObject))
      .filter((o) => o?.kind === "CustomResourceDefinition"),
  );
}

async function installCrds(client: KubeClient): Promise<number> {
  const crds = crdDocuments(CRD_DIRS);
  for (const crd of crds) await client.apply(crd);
  for (const crd of crds) {
    await waitFor(`CRD ${crd.metadata.name} to be established`, async () => {
      const live = await client.get<{ status?: { conditions?: { type: string; status: string }[] } }>("apiextensions.k8s.io/v1", "CustomResourceDefinition", crd.metadata.name);
      return live?.status?.conditions?.some((c) => c.type === "Established" && c.status === "True") || undefined;
    }, 20000);
  }
  client.forgetDiscovery();
  return crds.length;
}

async function registerNodes(client: KubeClient): Promise<void> {
  const nodes = ZONES.flatMap((zone) => Array.from({ length: NODES_PER_ZONE }, (_, i) => kwokNode(`kwok-${zone}-${i}`, zone)));
  for (const node of nodes) await client.request("POST", "/api/v1/nodes", node);
  await waitFor("kwok nodes to be Ready", async () => {
    const live = await client.list<{ status?: { conditions?: { type: string; status: string }[] } }>("v1", "Node");
    const ready = live.filter((n) => n.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True"));
    return ready.length === nodes.length || undefined;
  }, 20000);
}

/** The cluster that runs, if its processes are all alive. */
export function runningCluster(dir = CLUSTER_DIR): ClusterState | undefined {
  const state = readState(dir);
  return state && Object.values(state.pids).every((pid) => isOurs(pid, state.bin)) ? state : undefined;
}

export async function up(dir = CLUSTER_DIR, log: (line: string) => void = console.error): Promise<ClusterState> {
  const running = runningCluster(dir);
  if (running) {
    log(`cluster already running (${running.server})`);
    return running;
  }
  await down(dir);
  const bin = build();
  const started = Date.now();
  fs.mkdirSync(path.join(dir, "pki"), { recursive: true });
  const pki = createPki(path.join(dir, "pki"));
  const ports: Ports = { etcdClient: await freePort(), etcdPeer: await freePort(), apiserver: await freePort(), kwok: await freePort() };
  const server = `https://127.0.0.1:${ports.apiserver}`;
  const kubeconfig = path.join(dir, "kubeconfig");
  fs.writeFileSync(kubeconfig, kubeconfigText(server, pki));
  const state: ClusterState = { dir, bin, server, kubeconfig, pki, ports, pids: {} };
  const start = (name: string, args: string[]) => {
    state.pids[name] = startProcess(dir, bin, name, args);
    fs.writeFileSync(stateFile(dir), JSON.stringify(state, null, 2));
  };
  /** Fails the wait at once when a component has exited. */
  const stillRunning = () => {
    for (const [name, pid] of Object.entries(state.pids)) if (!isOurs(pid, bin)) throw new StopWaiting(`${name} exited:\n${logTail(dir, name)}`);
  };
  const client = clientFor(state);
  try {
    start("etcd", etcdArgs(dir, ports));
    await waitFor("etcd", () => (stillRunning(), httpOk(`http://127.0.0.1:${ports.etcdClient}/health`)), 20000, () => logTail(dir, "etcd"));
    start("kube-apiserver", apiserverArgs(dir, ports, pki));
    await waitFor("kube-apiserver /readyz", async () => (stillRunning(), (await client.request<string>("GET", "/readyz")).body !== undefined ? true : undefined), 30000, () => logTail(dir, "kube-apiserver"));
    start("kube-controller-manager", controllerManagerArgs(kubeconfig, pki));
    start("kube-scheduler", schedulerArgs(kubeconfig));
    start("kwok", kwokArgs(kubeconfig, path.join(bin, "kwok-stages.yaml"), ports));
    stillRunning();
    const crds = await installCrds(client);
    await registerNodes(client);
    await waitFor("ServiceAccount default/default (the controller-manager runs)", async () => (await client.get("v1", "ServiceAccount", "default", "default")) && true, 30000, () => logTail(dir, "kube-controller-manager"));
    log(`cluster up in ${((Date.now() - started) / 1000).toFixed(1)} s: ${server}, ${crds} CRDs, ${ZONES.length * NODES_PER_ZONE} kwok nodes`);
    return state;
  } catch (error) {
    await stopProcesses(state.pids, bin);
    throw error;
  } finally {
    client.close();
  }
}

/** Stops the cluster's processes and removes its data; nothing running is no error. */
export async function down(dir = CLUSTER_DIR): Promise<void> {
  const state = readState(dir);
  if (state) await stopProcesses(state.pids, state.bin);
  fs.rmSync(dir, { recursive: true, force: true });
}
