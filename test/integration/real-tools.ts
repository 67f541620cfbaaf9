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

import { freePort } from "../../tools/net";

export { freePort };

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

export const uid = (user: string) => Number(spawnSync("id", ["-u", user], { encoding: "utf8" }).stdout.trim());
export const gid = (user: string) => Number(spawnSync("id", ["-g", user], { encoding: "utf8" }).stdout.trim());

export interface Postgres {
  port: number;
  stop: () => void;
}

/** A throw-away PostgreSQL cluster on 127.0.0.1 (trust authentication), run as the postgres user (initdb refuses root). */
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

/** The environment the aws CLI and the backup scripts read to reach an S3 endpoint. */
export interface S3Env {
  AWS_ENDPOINT_URL: string;
  AWS_ACCESS_KEY_ID: string;
  AWS_SECRET_ACCESS_KEY: string;
  AWS_DEFAULT_REGION: string;
}

/** The object keys of a ListObjectsV2 response, in its order. */
export function listedKeys(listing: string): string[] {
  return [...listing.matchAll(/<Key>([^<]*)<\/Key>/g)].map((m) => m[1].replace(/&amp;/g, "&"));
}

/** An access key pair, as the aws CLI reads it from the environment. */
export type Credentials = Pick<S3Env, "AWS_ACCESS_KEY_ID" | "AWS_SECRET_ACCESS_KEY">;

export interface S3 {
  env: S3Env;
  /** The keys of a bucket under a prefix, sorted. */
  keys: (bucket: string, prefix?: string) => string[];
  get: (bucket: string, key: string) => Buffer;
  put: (bucket: string, key: string, body: Buffer) => void;
  /**
   * One S3 request (ListObjectsV2 for a bucket without a key, GetObject, PutObject or DeleteObject)
   * signed with other keys: its HTTP status and body, so a refusal such as AccessDenied is a result.
   */
  requestAs: (credentials: Credentials, method: "GET" | "PUT" | "DELETE", bucket: string, key?: string) => { status: number; body: string };
  /** One call of the endpoint's IAM Query API (moto serves IAM beside S3), its XML response. */
  iam: (action: string, parameters: Record<string, string>) => string;
  stop: () => Promise<void>;
}

/**
 * An S3-compatible endpoint (moto) on 127.0.0.1 with the given buckets, its objects and IAM users
 * read and written by curl (milliseconds, where each aws CLI call takes half a second to start),
 * signed with the test keys of `env` (or others, for requestAs). With `noAuthActions` (moto's
 * INITIAL_NO_AUTH_ACTION_COUNT), moto checks keys and policies from that many requests on, the
 * buckets' creation counted: the test keys are refused from then on.
 */
export async function startS3(options: { buckets?: string[]; noAuthActions?: number } = {}): Promise<S3> {
  const port = await freePort();
  const auth = options.noAuthActions === undefined ? [] : [`INITIAL_NO_AUTH_ACTION_COUNT=${options.noAuthActions}`];
  const moto = startProcess("env", [...auth, "moto_server", "-H", "127.0.0.1", "-p", String(port)]);
  await waitForPort(port, 20000);
  const env: S3Env = { AWS_ENDPOINT_URL: `http://127.0.0.1:${port}`, AWS_ACCESS_KEY_ID: "test", AWS_SECRET_ACCESS_KEY: "test", AWS_DEFAULT_REGION: "us-east-1" };
  const url = (bucket: string, key = "") => `${env.AWS_ENDPOINT_URL}/${bucket}${key && "/" + key.split("/").map(encodeURIComponent).join("/")}`;
  /**
   * curl signing for `service` (moto routes a request by the service its signature names) with
   * `credentials`; exit status and output. S3 requests name their payload unsigned, as S3 requires
   * the header (curl 7.88 does not send it, and an endpoint checking signatures refuses them).
   */
  const signed = (args: string[], service = "s3", credentials: Credentials = env) => {
    const payload = service === "s3" ? ["-H", "x-amz-content-sha256: UNSIGNED-PAYLOAD"] : [];
    const signing = ["--aws-sigv4", `aws:amz:${env.AWS_DEFAULT_REGION}:${service}`, "--user", `${credentials.AWS_ACCESS_KEY_ID}:${credentials.AWS_SECRET_ACCESS_KEY}`];
    return spawnSync("curl", ["-sS", "--max-time", "60", ...signing, ...payload, ...args], { maxBuffer: 1 << 30 });
  };
  const curl = (args: string[], service = "s3"): Buffer => {
    const result = signed(["--fail-with-body", ...args], service);
    if (result.status !== 0) throw new Error(`curl ${args.join(" ")}: ${result.error ?? `exit ${result.status}`}: ${result.stderr}${result.stdout}`);
    return result.stdout;
  };
  const s3: S3 = {
    env,
    keys: (bucket, prefix = "") => {
      const listing = curl([`${url(bucket)}?list-type=2&max-keys=1000&prefix=${encodeURIComponent(prefix)}`]).toString("utf8");
      if (/<IsTruncated>true</.test(listing)) throw new Error(`more than 1000 keys under s3://${bucket}/${prefix}`);
      return listedKeys(listing).sort();
    },
    get: (bucket, key) => curl([url(bucket, key)]),
    put: (bucket, key, body) => {
      const file = path.join(tempDir("mcp-s3-put-"), "body");
      fs.writeFileSync(file, body);
      curl(["-X", "PUT", "-H", "Content-Type: application/octet-stream", "--data-binary", `@${file}`, url(bucket, key)]);
      fs.rmSync(path.dirname(file), { recursive: true });
    },
    requestAs: (credentials, method, bucket, key) => {
      const target = key === undefined ? `${url(bucket)}?list-type=2` : url(bucket, key);
      // A PUT's body is "x", typed as put above (moto reads a form-encoded body as a form, storing nothing).
      const body = method === "PUT" ? ["-H", "Content-Type: application/octet-stream", "--data-binary", "x"] : [];
      const result = signed(["-X", method, ...body, "-w", "\n%{http_code}", target], "s3", credentials);
      if (result.status !== 0) throw new Error(`curl ${method} ${target}: ${result.error ?? `exit ${result.status}`}: ${result.stderr}`);
      const output = result.stdout.toString("utf8");
      const end = output.lastIndexOf("\n");
      return { status: Number(output.slice(end + 1)), body: output.slice(0, end) };
    },
    iam: (action, parameters) =>
      curl(["-X", "POST", "--data", new URLSearchParams({ Action: action, Version: "2010-05-08", ...parameters }).toString(), `${env.AWS_ENDPOINT_URL}/`], "iam").toString("utf8"),
    stop: moto.stop,
  };
  for (const bucket of options.buckets ?? []) curl(["-X", "PUT", url(bucket)]);
  return s3;
}
