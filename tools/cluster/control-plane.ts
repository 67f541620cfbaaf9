/**
 * The control plane on loopback: etcd, kube-apiserver, kube-controller-manager, kube-scheduler and
 * kwok, each a detached process whose id is kept in the cluster's state file, so that `down`
 * (another process) can stop them. The flags of each are pure functions of the cluster's layout.
 */
import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { stringify } from "yaml";
import type { Pki } from "./pki";

export interface Ports {
  etcdClient: number;
  etcdPeer: number;
  apiserver: number;
  kwok: number;
}

export interface ClusterState {
  dir: string;
  bin: string;
  server: string;
  kubeconfig: string;
  pki: Pki;
  ports: Ports;
  /** Process ids by component, in start order. */
  pids: Record<string, number>;
}

export const SERVICE_CIDR = "10.0.0.0/24";
/** Pod addresses kwok hands out: data in pod status and EndpointSlices, never a traffic target. */
export const POD_CIDR = "10.244.0.0/16";
export const KWOK_NODE_ANNOTATION = "kwok.x-k8s.io/node";

export const stateFile = (dir: string) => path.join(dir, "cluster.json");

export function readState(dir: string): ClusterState | undefined {
  const file = stateFile(dir);
  return fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, "utf8")) as ClusterState) : undefined;
}

export function kubeconfigText(server: string, pki: Pki): string {
  return stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: "mcp-test", cluster: { server, "certificate-authority": pki.caCert } }],
    users: [{ name: "admin", user: { "client-certificate": pki.adminCert, "client-key": pki.adminKey } }],
    contexts: [{ name: "mcp-test", context: { cluster: "mcp-test", user: "admin" } }],
    "current-context": "mcp-test",
  });
}

export function etcdArgs(dir: string, ports: Ports): string[] {
  const client = `http://127.0.0.1:${ports.etcdClient}`;
  const peer = `http://127.0.0.1:${ports.etcdPeer}`;
  return [
    "--name=test",
    `--data-dir=${path.join(dir, "etcd")}`,
    `--listen-client-urls=${client}`,
    `--advertise-client-urls=${client}`,
    `--listen-peer-urls=${peer}`,
    `--initial-advertise-peer-urls=${peer}`,
    `--initial-cluster=test=${peer}`,
    "--unsafe-no-fsync",
    "--log-level=warn",
  ];
}

export function apiserverArgs(dir: string, ports: Ports, pki: Pki): string[] {
  return [
    `--etcd-servers=http://127.0.0.1:${ports.etcdClient}`,
    "--bind-address=127.0.0.1",
    "--advertise-address=127.0.0.1",
    `--secure-port=${ports.apiserver}`,
    `--cert-dir=${path.join(dir, "apiserver")}`,
    `--tls-cert-file=${pki.serverCert}`,
    `--tls-private-key-file=${pki.serverKey}`,
    `--client-ca-file=${pki.caCert}`,
    "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
    `--service-account-key-file=${pki.serviceAccountPub}`,
    `--service-account-signing-key-file=${pki.serviceAccountKey}`,
    `--service-cluster-ip-range=${SERVICE_CIDR}`,
    "--authorization-mode=RBAC",
    // Service kubernetes would point at the advertised address, which must not be loopback.
    "--endpoint-reconciler-type=none",
    "--profiling=false",
  ];
}

/** Flags for the controller-manager and the scheduler: the admin kubeconfig, no leader election, no serving. */
function componentArgs(kubeconfig: string): string[] {
  return [`--kubeconfig=${kubeconfig}`, `--authentication-kubeconfig=${kubeconfig}`, `--authorization-kubeconfig=${kubeconfig}`, "--leader-elect=false", "--bind-address=127.0.0.1", "--secure-port=0"];
}

export function controllerManagerArgs(kubeconfig: string, pki: Pki): string[] {
  return [...componentArgs(kubeconfig), `--service-account-private-key-file=${pki.serviceAccountKey}`, `--root-ca-file=${pki.caCert}`, "--cluster-name=mcp-test"];
}

export const schedulerArgs = (kubeconfig: string): string[] => componentArgs(kubeconfig);

export function kwokArgs(kubeconfig: string, stages: string, ports: Ports): string[] {
  return [
    `--kubeconfig=${kubeconfig}`,
    `--config=${stages}`,
    "--manage-all-nodes=false",
    `--manage-nodes-with-annotation-selector=${KWOK_NODE_ANNOTATION}=fake`,
    `--cidr=${POD_CIDR}`,
    "--node-ip=10.244.255.254",
    `--server-address=127.0.0.1:${ports.kwok}`,
  ];
}

/** Starts a binary detached from this process, its output in <dir>/logs/<name>.log; returns its pid. */
export function startProcess(dir: string, bin: string, name: string, args: string[]): number {
  const logs = path.join(dir, "logs");
  fs.mkdirSync(logs, { recursive: true });
  const out = fs.openSync(path.join(logs, `${name}.log`), "a");
  const child = spawn(path.join(bin, name), args, { detached: true, stdio: ["ignore", out, out] });
  fs.closeSync(out);
  child.unref();
  if (child.pid === undefined) throw new Error(`${name} did not start`);
  return child.pid;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Is pid still the process this cluster started from bin/ (not another that got its id later)? */
export function isOurs(pid: number, bin: string): boolean {
  try {
    return isAlive(pid) && fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").startsWith(`${bin}/`);
  } catch {
    return false;
  }
}

/** The last lines of a component's log, for an error message. */
export function logTail(dir: string, name: string, lines = 15): string {
  const file = path.join(dir, "logs", `${name}.log`);
  return fs.existsSync(file) ? fs.readFileSync(file, "utf8").trimEnd().split("\n").slice(-lines).join("\n") : "(no log)";
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Thrown by a check of waitFor when waiting longer cannot help (a process died). */
export class StopWaiting extends Error {}

/** Polls until check returns a value (not undefined), or throws after timeoutMs with describe()'s text. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined>, timeoutMs: number, describe: () => string = () => ""): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline || last instanceof StopWaiting) {
      const detail = [last instanceof Error ? last.message : "", describe()].filter(Boolean).join("\n");
      throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}${detail ? `:\n${detail}` : ""}`);
    }
    await sleep(250);
  }
}

/** Stops the processes started from bin/, newest first: SIGTERM, then SIGKILL after a grace period. */
export async function stopProcesses(pids: Record<string, number>, bin: string, graceMs = 5000): Promise<void> {
  for (const pid of Object.values(pids).reverse()) {
    if (!isOurs(pid, bin)) continue;
    process.kill(pid, "SIGTERM");
    const deadline = Date.now() + graceMs;
    while (isAlive(pid) && Date.now() < deadline) await sleep(100);
    if (isAlive(pid)) process.kill(pid, "SIGKILL");
  }
}
