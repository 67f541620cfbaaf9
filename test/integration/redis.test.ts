/**
 * The rendered redis.conf of each role, in a real redis-server on loopback: authentication is
 * required, the eviction policy and memory limit are in force, and only the queue persists writes.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { parsePlatformConfig } from "../../config";
import { redisConf } from "../../components/redis/render";
import { freePort, hasBinary, startProcess, tempDir, waitForPort } from "./real-tools";
import { type RedisRole } from "../../components/redis/public";

const PASSWORD = "integration-test-password";
const redisInstalled = hasBinary("redis-server") && hasBinary("redis-cli");

function redisConfig() {
  // Tiny memory ceilings, so the tests can fill them.
  const result = parsePlatformConfig({
    environment: "staging",
    services: { api: { image: { repository: "r/api", tag: "1.0.0" }, port: 8000 } },
    redis: { cache: { maxmemory: "2mb" }, queue: { maxmemory: "2mb" } },
  });
  if (!result.ok) throw new Error(result.errors.join("\n"));
  return result.config.redis!;
}

(redisInstalled ? describe : describe.skip).each(["cache", "queue"] as RedisRole[])("redis-server with the %s role's config", (role) => {
  let port: number;
  let dir: string;
  let server: ReturnType<typeof startProcess>;

  /** Runs one command, or with `input` one command per line. */
  const cli = (args: string[], auth = true, input?: string) => {
    const result = spawnSync("redis-cli", ["-h", "127.0.0.1", "-p", String(port), ...args], {
      encoding: "utf8",
      input,
      env: { ...process.env, ...(auth ? { REDISCLI_AUTH: PASSWORD } : {}) },
      timeout: 5000,
    });
    return `${result.stdout}${result.stderr}`.trim();
  };

  beforeAll(async () => {
    dir = tempDir(`mcp-redis-${role}-`);
    port = await freePort();
    const authConf = path.join(dir, "auth.conf");
    fs.writeFileSync(authConf, `requirepass ${PASSWORD}\n`);
    const conf = path.join(dir, "redis.conf");
    fs.writeFileSync(conf, redisConf(role, redisConfig(), { authConf, dir, port }));
    server = startProcess("redis-server", [conf]);
    await waitForPort(port).catch((e) => {
      throw new Error(`${e.message}\n${server.output()}`);
    });
  });

  afterAll(async () => {
    await server?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("refuses clients without the password", () => {
    expect(cli(["ping"], false)).toMatch(/NOAUTH Authentication required/);
    expect(cli(["ping"])).toBe("PONG");
  });

  it("runs with the role's memory limit and eviction policy", () => {
    expect(cli(["config", "get", "maxmemory"])).toBe(`maxmemory\n${2 * 1024 * 1024}`);
    expect(cli(["config", "get", "maxmemory-policy"])).toBe(`maxmemory-policy\n${role === "cache" ? "allkeys-lru" : "noeviction"}`);
  });

  it("refuses the commands that wipe data", () => {
    expect(cli(["flushall"])).toMatch(/unknown command/i);
  });

  it(role === "cache" ? "evicts old keys when full" : "refuses writes when full rather than drop jobs", () => {
    const value = "x".repeat(10_000);
    const commands = Array.from({ length: 400 }, (_, i) => `SET key:${i} ${value}`).join("\n");
    const replies = cli([], true, `${commands}\n`).split("\n");
    const refused = replies.find((reply) => reply !== "OK") ?? "";
    if (role === "cache") {
      expect(refused).toBe("");
      expect(Number(cli(["dbsize"]))).toBeLessThan(400);
      expect(cli(["info", "stats"])).toMatch(/evicted_keys:[1-9]/);
    } else {
      expect(refused).toMatch(/OOM command not allowed/);
      expect(cli(["info", "stats"])).toMatch(/evicted_keys:0/);
    }
  });

  it(role === "queue" ? "persists every write to the append-only file" : "keeps nothing on disk", () => {
    expect(cli(["config", "get", "appendonly"])).toBe(`appendonly\n${role === "queue" ? "yes" : "no"}`);
    const files = fs.readdirSync(dir);
    if (role === "queue") {
      expect(files).toContain("appendonlydir");
      const aof = fs.readdirSync(path.join(dir, "appendonlydir")).filter((f) => f.endsWith(".incr.aof"));
      expect(aof.length).toBe(1);
      expect(fs.readFileSync(path.join(dir, "appendonlydir", aof[0]), "utf8")).toContain("key:0");
    } else {
      expect(files.filter((f) => f.endsWith(".rdb") || f === "appendonlydir")).toEqual([]);
    }
  });
});
