/**
 * The backup scripts for real: a PostgreSQL cluster and an S3-compatible endpoint (moto) on
 * loopback, the real pg_dump / pg_restore / aws. Backup -> restore check -> restore round trip on a
 * few tens of thousands of rows (size is npm run bench:backup's), and the faults that must fail
 * loudly without harming good data. One PostgreSQL and one endpoint serve the whole file; the test
 * itself reads and changes objects over plain HTTP (startS3), the scripts with the aws CLI.
 */
import { spawnSync } from "child_process";
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { PROJECT_DIR } from "../harness";
import { readerPolicy, writerPolicy } from "../../components/backup/storage-render";
import { freePort, hasBinary, listedKeys, runTool, startPostgres, startS3, tempDir, type Credentials, type Postgres, type S3 } from "./real-tools";

const tools = ["initdb", "pg_ctl", "pg_dump", "pg_restore", "psql", "aws", "moto_server", "runuser", "shellcheck", "curl"];
const installed = tools.every((tool) => hasBinary(tool));
const describeWithTools = installed ? describe : describe.skip;
const SCRIPTS = path.join(PROJECT_DIR, "backup");
const BUCKET = "mcp-backups-test";
/** SHA-256 in hex, computed here by Node: the expectations never come from the scripts' own tool. */
const sha256 = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");

describeWithTools("backup, restore check and restore", () => {
  let pg: Postgres;
  let s3: S3;
  /** The endpoint that enforces keys and policies ("with credentials enforced by the endpoint"), started with the other. */
  let authS3: S3;
  let env: NodeJS.ProcessEnv;

  const sql = (query: string, database = "app") => {
    const result = spawnSync("psql", ["-X", "-At", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", String(pg.port), "-U", "postgres", "-d", database, "-c", query], {
      encoding: "utf8",
    });
    if (result.status !== 0) throw new Error(`${query}: ${result.stderr}`);
    return result.stdout.trim();
  };
  const script = (name: string, args: string[] = [], extra: NodeJS.ProcessEnv = {}) => runTool(path.join(SCRIPTS, name), args, { ...env, ...extra }, 120000);
  const keys = () => s3.keys(BUCKET);
  /** A checksum of every table's contents, to compare a restore with its source. */
  const contents = (database: string) =>
    ["customers", "orders", "order_items"].map((t) => `${t}:${sql(`SELECT count(*) || ':' || md5(string_agg(x::text, '|' ORDER BY x::text)) FROM ${t} x`, database)}`);

  beforeAll(async () => {
    // Both endpoints start (moto_server takes seconds) while PostgreSQL does. The credentialed one:
    // its first 7 requests (the bucket, then the writer and the restore drill's reader with their
    // keys) are not checked; from then on, keys are.
    const endpoints = Promise.all([startS3({ buckets: [BUCKET] }), startS3({ buckets: [BUCKET], noAuthActions: 7 })]);
    pg = startPostgres(await freePort());
    [s3, authS3] = await endpoints;
    env = { ...process.env, PGHOST: "127.0.0.1", PGPORT: String(pg.port), PGUSER: "postgres", PGDATABASE: "postgres", BACKUP_BUCKET: BUCKET, ...s3.env };
    sql("CREATE DATABASE app", "postgres");
    sql(`CREATE TABLE customers (id int PRIMARY KEY, email text NOT NULL UNIQUE);
         INSERT INTO customers SELECT g, 'user' || g || '@example.com' FROM generate_series(1, 2000) g;
         CREATE TABLE orders (id bigint PRIMARY KEY, customer_id int NOT NULL REFERENCES customers, total numeric(12,2), note text, created_at timestamptz);
         INSERT INTO orders SELECT g, 1 + g % 2000, (g % 1000) / 7.0, md5(g::text), '2026-01-01'::timestamptz + g * interval '1 minute' FROM generate_series(1, 30000) g;
         CREATE TABLE order_items (order_id bigint REFERENCES orders, sku text, quantity int);
         INSERT INTO order_items SELECT 1 + g % 30000, 'SKU-' || (g % 500), 1 + g % 5 FROM generate_series(1, 10000) g;`);
    env.PGDATABASE = "app";
  }, 120000);

  afterAll(async () => {
    pg?.stop();
    await Promise.all([s3?.stop(), authS3?.stop()]);
  });

  it("the scripts are shellcheck-clean, and so are the tools' (the benchmark's S3 endpoint and the control plane's builds)", () => {
    const scripts = fs.readdirSync(SCRIPTS).filter((f) => f.endsWith(".sh"));
    expect(scripts).toEqual(expect.arrayContaining(["lib.sh", "logical-backup.sh", "restore-check.sh", "restore.sh", "volume-backup.sh", "volume-restore.sh"]));
    const tools = fs.readdirSync(path.join(PROJECT_DIR, "tools"), { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".sh"));
    expect(tools).toEqual(expect.arrayContaining(["go-build.sh", "s3-endpoint.sh", path.join("cluster", "build.sh")]));
    const result = runTool("shellcheck", ["-x", ...scripts.map((f) => path.join(SCRIPTS, f)), ...tools.map((f) => path.join(PROJECT_DIR, "tools", f))]);
    expect(result.output).toBe("");
    expect(result.status).toBe(0);
  });

  it("uploads the dump and a manifest with its checksum and exact row counts under logical/yyyy/mm/dd/", () => {
    const result = script("logical-backup.sh");
    expect(result.output).toMatch(/"result":"ok"/);
    expect(result.status).toBe(0);
    const uploaded = keys();
    expect(uploaded).toHaveLength(2);
    for (const key of uploaded) expect(key).toMatch(/^logical\/\d{4}\/\d{2}\/\d{2}\/app-\d{8}T\d{6}Z\.(dump|manifest\.json)$/);
    const manifest = JSON.parse(s3.get(BUCKET, uploaded.find((k) => k.endsWith(".manifest.json"))!).toString("utf8"));
    expect(manifest).toMatchObject({ database: "app", tables: { "public.customers": 2000, "public.orders": 30000, "public.order_items": 10000 } });
    // The checksum is the stored dump's, computed here by Node (not by the script's own tool).
    const dump = s3.get(BUCKET, uploaded.find((k) => k.endsWith(".dump"))!);
    expect(manifest.sha256).toBe(sha256(dump));
    expect(manifest.size_bytes).toBe(dump.length);
  });

  it("restore check restores the newest backup into a scratch database, matches the manifest and drops it", () => {
    const result = script("restore-check.sh", [], { RESTORE_CHECK_SQL: "SELECT count(*) = 0 FROM orders WHERE customer_id NOT IN (SELECT id FROM customers)\nSELECT min(id) = 1 FROM orders" });
    expect(result.output).toMatch(/restore check passed: .*3 table\(s\) match/);
    expect(result.status).toBe(0);
    expect(sql("SELECT count(*) FROM pg_database WHERE datname LIKE 'restore_check_%'", "postgres")).toBe("0");
  });

  it("restores a backup whose data equals the source, table by table", () => {
    const result = script("restore.sh", ["--target", "app_restored", "--latest"]);
    expect(result.output).toMatch(/restored .* into app_restored/);
    expect(result.status).toBe(0);
    expect(contents("app_restored")).toEqual(contents("app"));
  });

  it("refuses to overwrite a database that holds tables, unless --force", () => {
    sql("INSERT INTO customers VALUES (999999, 'late@example.com')", "app_restored");
    const refused = script("restore.sh", ["--target", "app_restored", "--latest"]);
    expect(refused.status).toBe(1);
    expect(refused.output).toMatch(/database app_restored already holds 3 table\(s\): refusing to overwrite it \(add --force to replace them\)/);
    expect(sql("SELECT count(*) FROM customers WHERE id = 999999", "app_restored")).toBe("1");
    const forced = script("restore.sh", ["--target", "app_restored", "--latest", "--force"]);
    expect(forced.status).toBe(0);
    expect(contents("app_restored")).toEqual(contents("app"));
  });

  it("fails a restore check whose SQL check does not hold", () => {
    const result = script("restore-check.sh", [], { RESTORE_CHECK_SQL: "SELECT count(*) > 1000000 FROM orders" });
    expect(result.status).toBe(1);
    expect(result.output).toMatch(/check did not hold: SELECT count\(\*\) > 1000000 FROM orders \(returned: f\)/);
  });

  describe("faults fail loudly and harm no good data", () => {
    /** Replaces the newest dump (or its manifest) in the bucket; returns a function that puts the original back. */
    function tamper(suffix: ".dump" | ".manifest.json", change: (bytes: Buffer) => Buffer): () => void {
      const key = keys().filter((k) => k.endsWith(suffix)).pop()!;
      const original = s3.get(BUCKET, key);
      s3.put(BUCKET, key, change(original));
      return () => s3.put(BUCKET, key, original);
    }
    /** The manifest with its sha256 field changed by `change` (removed when it returns undefined). */
    const manifestSha = (change: (sha: string) => string | undefined) => (bytes: Buffer) => {
      const manifest = JSON.parse(bytes.toString("utf8"));
      return Buffer.from(JSON.stringify({ ...manifest, sha256: change(manifest.sha256) }));
    };

    const before = () => contents("app_restored");

    it.each([
      ["a truncated dump", ".dump" as const, (b: Buffer) => b.subarray(0, Math.floor(b.length / 2)), /checksum mismatch for app-.*\.dump: the backup is damaged/],
      ["a flipped byte", ".dump" as const, (b: Buffer) => Buffer.from(b.map((x, i) => (i === Math.floor(b.length / 3) ? x ^ 0xff : x))), /checksum mismatch/],
      ["a manifest without its checksum", ".manifest.json" as const, manifestSha(() => undefined), /the manifest of app-.*\.dump records no sha256: the backup cannot be verified/],
      ["a manifest with another checksum", ".manifest.json" as const, manifestSha((sha) => [...sha].reverse().join("")), /checksum mismatch for app-.*\.dump: the backup is damaged/],
    ])("%s", (_what, suffix, change, message) => {
      const good = before();
      const objects = keys();
      const restoreOriginal = tamper(suffix, change);
      try {
        const check = script("restore-check.sh");
        expect(check.status).toBe(1);
        expect(check.output).toMatch(message);
        const restore = script("restore.sh", ["--target", "app_restored", "--latest", "--force"]);
        expect(restore.status).toBe(1);
        expect(restore.output).toMatch(message);
        // The target was not touched: the checksum is verified before anything is restored.
        expect(before()).toEqual(good);
        // ...and no backup object was deleted or written by the scripts.
        expect(keys()).toEqual(objects);
      } finally {
        restoreOriginal();
      }
    });

    it("a new target comes only from a verified dump that restores: neither a damaged nor an unrestorable one leaves a database", () => {
      const leftovers = () => sql("SELECT count(*) FROM pg_database WHERE datname = 'app_new' OR datname LIKE 'restore_staging_%'", "postgres");
      const objects = keys();
      const putBack: (() => void)[] = [];
      try {
        putBack.push(tamper(".dump", (b) => b.subarray(0, 1000)));
        const damaged = script("restore.sh", ["--target", "app_new", "--latest"]);
        expect(damaged.status).toBe(1);
        expect(damaged.output).toMatch(/checksum mismatch for app-.*\.dump: the backup is damaged/);
        expect(leftovers()).toBe("0");
        // Not an archive, with its own checksum in the manifest: verified, then refused by pg_restore.
        const garbage = Buffer.from("not a pg_dump archive\n");
        putBack.push(tamper(".dump", () => garbage), tamper(".manifest.json", manifestSha(() => sha256(garbage))));
        const unrestorable = script("restore.sh", ["--target", "app_new", "--latest"]);
        expect(unrestorable.status).toBe(1);
        expect(unrestorable.output).toMatch(/pg_restore into app_new failed: .*input file does not appear to be a valid archive/);
        expect(leftovers()).toBe("0");
      } finally {
        // Last change first: the first one's original is the object as it was.
        for (const undo of putBack.reverse()) undo();
      }
      expect(keys()).toEqual(objects);
    });

    it("an unreachable endpoint", async () => {
      const objects = keys();
      const closed = `http://127.0.0.1:${await freePort()}`;
      const backup = script("logical-backup.sh", [], { AWS_ENDPOINT_URL: closed, AWS_MAX_ATTEMPTS: "1" });
      expect(backup.status).toBe(1);
      expect(backup.output).toMatch(/ERROR: cannot upload .* to s3:\/\/mcp-backups-test\/logical\//);
      const check = script("restore-check.sh", [], { AWS_ENDPOINT_URL: closed, AWS_MAX_ATTEMPTS: "1" });
      expect(check.status).toBe(1);
      expect(check.output).toMatch(/ERROR: cannot list s3:\/\/mcp-backups-test\/logical\/ \(endpoint, credentials, bucket\?\)/);
      expect(keys()).toEqual(objects);
    });

    it.each([
      ["openssl", /ERROR: cannot compute the checksum of app-.*\.dump: no manifest written, the backup is incomplete/],
      ["wc", /ERROR: cannot count the bytes of app-.*\.dump: no manifest written, the backup is incomplete/],
    ])("a checksum or size that cannot be computed (a failing %s): no manifest, so the backup is never chosen", (tool, message) => {
      const objects = keys();
      // A tool that fails, first on PATH.
      const bin = tempDir(`mcp-broken-${tool}-`);
      fs.writeFileSync(path.join(bin, tool), `#!/bin/sh\necho '${tool}: broken' >&2\nexit 1\n`, { mode: 0o755 });
      const backup = script("logical-backup.sh", [], { PATH: `${bin}:${env.PATH ?? process.env.PATH}` });
      expect(backup.status).toBe(1);
      expect(backup.output).toMatch(message);
      // At most the dump as far as it went: no manifest.
      expect(keys().filter((k) => !objects.includes(k) && !k.endsWith(".dump"))).toEqual([]);
    });

    it("an unreachable database", async () => {
      const objects = keys();
      const backup = script("logical-backup.sh", [], { PGPORT: String(await freePort()) });
      expect(backup.status).toBe(1);
      expect(backup.output).toMatch(/ERROR: cannot open a snapshot of app/);
      expect(keys()).toEqual(objects);
    });
  });

  describe("volume backups (BAK-7)", () => {
    const volumeKeys = () => keys().filter((k) => k.startsWith("volumes/"));
    let source: string;

    beforeAll(() => {
      source = tempDir("mcp-volume-");
      fs.mkdirSync(`${source}/2026/11`, { recursive: true });
      for (let i = 0; i < 200; i++) fs.writeFileSync(`${source}/2026/11/upload-${i}.bin`, Buffer.alloc(1000 + i, i));
      fs.writeFileSync(`${source}/name with spaces.txt`, "kept as is\n");
      fs.symlinkSync("2026/11/upload-1.bin", `${source}/latest`);
    });

    /** Every file of a tree with its contents' checksum, and symlinks with their target. */
    const tree = (dir: string) => runTool("bash", ["-c", `cd "${dir}" && find . -type f -exec sha256sum {} + | sort && find . -type l -printf '%p -> %l\\n' | sort`]).output;

    it("archives the volume with a manifest (its checksum) under volumes/<claim>/yyyy/mm/dd/, and restores it file for file", () => {
      const backup = script("volume-backup.sh", [], { SOURCE_DIR: source, VOLUME_NAME: "uploads", BACKUP_PREFIX: "" });
      expect(backup.output).toMatch(/"result":"ok".*"files":201/);
      expect(backup.status).toBe(0);
      const uploaded = volumeKeys();
      expect(uploaded).toHaveLength(2);
      for (const key of uploaded) expect(key).toMatch(/^volumes\/uploads\/\d{4}\/\d{2}\/\d{2}\/uploads-\d{8}T\d{6}Z\.(tar\.gz|manifest\.json)$/);
      const manifest = JSON.parse(s3.get(BUCKET, uploaded.find((k) => k.endsWith(".manifest.json"))!).toString("utf8"));
      expect(manifest.sha256).toBe(sha256(s3.get(BUCKET, uploaded.find((k) => k.endsWith(".tar.gz"))!)));

      const target = `${tempDir("mcp-volume-restore-")}/uploads`;
      const restore = script("volume-restore.sh", ["--volume", "uploads", "--target", target, "--latest"], { BACKUP_PREFIX: "" });
      expect(restore.output).toMatch(/restored volumes\/uploads\/.* into /);
      expect(restore.status).toBe(0);
      expect(tree(target)).toEqual(tree(source));
    });

    it("refuses a non-empty target unless --force, and never unpacks a damaged archive", () => {
      const target = tempDir("mcp-volume-restore-");
      fs.writeFileSync(`${target}/keep.txt`, "mine");
      const refused = script("volume-restore.sh", ["--volume", "uploads", "--target", target, "--latest"], { BACKUP_PREFIX: "" });
      expect(refused.status).toBe(1);
      expect(refused.output).toMatch(/is not empty: refusing to overwrite it \(add --force to replace the archive's files\)/);
      expect(fs.readdirSync(target)).toEqual(["keep.txt"]);

      const archiveKey = volumeKeys().find((k) => k.endsWith(".tar.gz"))!;
      const bytes = s3.get(BUCKET, archiveKey);
      s3.put(BUCKET, archiveKey, bytes.subarray(0, bytes.length - 100));
      try {
        const damaged = script("volume-restore.sh", ["--volume", "uploads", "--target", target, "--latest", "--force"], { BACKUP_PREFIX: "" });
        expect(damaged.status).toBe(1);
        expect(damaged.output).toMatch(/checksum mismatch for uploads-.*\.tar\.gz: the backup is damaged/);
        expect(fs.readdirSync(target)).toEqual(["keep.txt"]);
      } finally {
        s3.put(BUCKET, archiveKey, bytes);
      }
      const forced = script("volume-restore.sh", ["--volume", "uploads", "--target", target, "--latest", "--force"], { BACKUP_PREFIX: "" });
      expect(forced.status).toBe(0);
      expect(fs.readdirSync(target)).toContain("keep.txt");
      expect(fs.readdirSync(target)).toContain("name with spaces.txt");
    });

    it("fails loudly when the volume is not mounted", () => {
      const result = script("volume-backup.sh", [], { SOURCE_DIR: "/nonexistent/data", VOLUME_NAME: "uploads", BACKUP_PREFIX: "" });
      expect(result.status).toBe(1);
      expect(result.output).toMatch(/SOURCE_DIR \/nonexistent\/data is not a directory: is the volume mounted\?/);
    });
  });

  describe("with credentials enforced by the endpoint", () => {
    let authEnv: NodeJS.ProcessEnv;
    let writer: Credentials;
    let reader: Credentials;

    beforeAll(() => {
      authEnv = { ...env, ...authS3.env };
      const KMS_KEY = "arn:aws:kms:us-east-1:123456789012:key/test";
      /** A user with exactly one inline policy, and its access key. */
      const user = (name: string, policy: object): Credentials => {
        authS3.iam("CreateUser", { UserName: name });
        authS3.iam("PutUserPolicy", { UserName: name, PolicyName: name, PolicyDocument: JSON.stringify(policy) });
        const created = authS3.iam("CreateAccessKey", { UserName: name });
        const field = (tag: string) => new RegExp(`<${tag}>([^<]+)</${tag}>`).exec(created)![1];
        return { AWS_ACCESS_KEY_ID: field("AccessKeyId"), AWS_SECRET_ACCESS_KEY: field("SecretAccessKey") };
      };
      // The writer gets exactly the policy the stack gives it, the reader exactly the restore
      // drill's (BackupStorage: writerPolicy, readerPolicy).
      writer = user("backup", writerPolicy(`arn:aws:s3:::${BUCKET}`, KMS_KEY));
      reader = user("reader", readerPolicy(`arn:aws:s3:::${BUCKET}`, KMS_KEY));
      authEnv = { ...authEnv, ...writer };
    }, 60000);

    /** What the endpoint answers `credentials` for one request: 200 or 204 when allowed, 403 with AccessDenied when not. */
    const expectAllowed = (credentials: Credentials, method: "GET" | "PUT" | "DELETE", key?: string) => {
      const answer = authS3.requestAs(credentials, method, BUCKET, key);
      expect({ method, key, status: answer.status }).toEqual({ method, key, status: method === "DELETE" ? 204 : 200 });
      return answer.body;
    };
    const expectDenied = (credentials: Credentials, method: "GET" | "PUT" | "DELETE", key: string) => {
      const answer = authS3.requestAs(credentials, method, BUCKET, key);
      expect({ method, key, status: answer.status, denied: /<Code>AccessDenied<\/Code>/.test(answer.body) }).toEqual({ method, key, status: 403, denied: true });
    };

    it("lets the writer's policy back up but neither delete a backup nor write elsewhere", () => {
      expect(runTool(path.join(SCRIPTS, "logical-backup.sh"), [], authEnv, 120000).status).toBe(0);
      expectAllowed(writer, "PUT", "logical/probe");
      expect(expectAllowed(writer, "GET", "logical/probe")).toBe("x");
      expectDenied(writer, "DELETE", "logical/probe");
      expectDenied(writer, "PUT", "other/probe");
    });

    it("lets the restore drill's reader list and read the backups, and write or delete nothing", () => {
      // Listed from the bucket's root (the policy's "" prefix): moto miscomputes the signature of a
      // ListObjectsV2 whose prefix ends in "/" once keys are enforced, for any user.
      const manifest = listedKeys(expectAllowed(reader, "GET")).find((k) => k.startsWith("logical/") && k.endsWith(".manifest.json"))!;
      expect(manifest).toMatch(/^logical\//);
      expect(JSON.parse(expectAllowed(reader, "GET", manifest))).toMatchObject({ database: "app" });
      expectDenied(reader, "PUT", "logical/probe-reader");
      expectDenied(reader, "DELETE", manifest);
      expectDenied(reader, "PUT", "postgres/x");
    });

    // The right key backs up: the writer's test above.
    it("fails loudly with a wrong key", () => {
      const wrong = runTool(path.join(SCRIPTS, "logical-backup.sh"), [], { ...authEnv, AWS_SECRET_ACCESS_KEY: "not-the-secret", AWS_MAX_ATTEMPTS: "1" }, 120000);
      expect(wrong.status).toBe(1);
      expect(wrong.output).toMatch(/SignatureDoesNotMatch|InvalidAccessKeyId|AccessDenied/);
      expect(wrong.output).toMatch(/ERROR: cannot upload/);
    });
  });
});
