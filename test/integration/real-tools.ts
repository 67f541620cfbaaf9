/** Helpers for tests that drive real servers and tools from Debian packages, on loopback only. */
import { spawn, spawnSync, type ChildProcess } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";

/**
 * Whether a binary is installed. CI installs every one the tests use (.ci/run), so there a missing
 * binary fails the suite; on a workstation without it the tests are skipped, and say so.
 */
export function hasBinary(name: string): boolean {
  const found = spawnSync("sh", ["-c", `command -v ${name}`], { encoding: "utf8" }).status === 0;
  if (!found && process.env.CI) throw new Error(`${name} is not installed: .ci/run must apt-get install it`);
  if (!found) process.stderr.write(`skipping the tests that need ${name}: not installed (apt-get install it to run them)\n`);
  return found;
}

export { freePort } from "../../tools/net";

/** Resolves once something accepts connections on 127.0.0.1:port, rejects after `ms`. */
export async function waitForPort(port: number, ms = 10000): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, "127.0.0.1");
      socket.once("connect", () => (socket.destroy(), resolve(true)));
      socket.once("error", () => resolve(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`nothing listening on 127.0.0.1:${port} after ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** Runs a tool to completion with its output in a file (see startProcess): status and output. */
export function runTool(command: string, args: string[], env: NodeJS.ProcessEnv = process.env, timeout = 60000): { status: number | null; output: string } {
  const log = path.join(tempDir("mcp-tool-"), "output.log");
  const fd = fs.openSync(log, "a");
  const result = spawnSync(command, args, { stdio: ["ignore", fd, fd], timeout, env });
  fs.closeSync(fd);
  return { status: result.status, output: fs.readFileSync(log, "utf8") };
}

/**
 * Starts a server process; its output goes to a file, kept for failure messages. (A file, not a
 * pipe: Node's pipes are sockets, and servers that open /dev/stdout, as nginx's config does, cannot
 * open a socket that way.)
 */
export function startProcess(command: string, args: string[]): { child: ChildProcess; output: () => string; stop: () => Promise<void> } {
  const log = path.join(tempDir("mcp-process-"), "output.log");
  const fd = fs.openSync(log, "a");
  const child = spawn(command, args, { stdio: ["ignore", fd, fd] });
  fs.closeSync(fd);
  return {
    child,
    output: () => fs.readFileSync(log, "utf8"),
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}

export interface Postgres {
  port: number;
  stop: () => void;
}

/** A throw-away PostgreSQL cluster on 127.0.0.1, run as the postgres user (initdb refuses root). */
export function startPostgres(port: number): Postgres {
  const dir = tempDir("mcp-pg-");
  fs.chownSync(dir, uid("postgres"), gid("postgres"));
  const asPostgres = (...args: string[]) => {
    const result = runTool("runuser", ["-u", "postgres", "--", ...args]);
    if (result.status !== 0) throw new Error(`${args.join(" ")}: ${result.output}`);
  };
  asPostgres("initdb", "-D", `${dir}/data`, "-A", "trust", "-U", "postgres", "--no-sync");
  asPostgres("pg_ctl", "-D", `${dir}/data`, "-l", `${dir}/log`, "-w", "-o", `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`, "start");
  return { port, stop: () => void runTool("runuser", ["-u", "postgres", "--", "pg_ctl", "-D", `${dir}/data`, "-m", "fast", "stop"]) };
}

const uid = (user: string) => Number(spawnSync("id", ["-u", user], { encoding: "utf8" }).stdout.trim());
const gid = (user: string) => Number(spawnSync("id", ["-g", user], { encoding: "utf8" }).stdout.trim());
