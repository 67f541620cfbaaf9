/**
 * Tenants against a real PostgreSQL on loopback (TEN-1, TEN-2, BAK-5): two tenants provisioned from
 * the rendered SQL twice (the second run changes nothing), isolation as tenant A's role, the
 * verification failing on a tampered tenant, one tenant restored from its backup (moto S3) while the
 * other's later writes survive, and removal after a verified final backup dropping only that tenant.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { PROJECT_DIR } from "../harness";
import { TenantArchiveSchema, TenantSchema } from "../../config";
import { renderTenantRemovalSql, renderTenantSql, tenantVerificationSql } from "../../components/tenants/sql";
import { freePort, hasBinary, runTool, startPostgres, startS3, tempDir, type Postgres, type S3 } from "./real-tools";

const tools = ["initdb", "pg_ctl", "pg_dump", "pg_restore", "psql", "aws", "moto_server", "runuser", "curl"];
const installed = tools.every((tool) => hasBinary(tool));
const describeWithTools = installed ? describe : describe.skip;
const SCRIPTS = path.join(PROJECT_DIR, "backup");
const BUCKET = "mcp-tenants-test";

const tenants = {
  acme: TenantSchema.parse({ displayName: "ACME Corp", database: { login: true }, settings: { plan: "gold", locale: "en-GB" } }),
  "dunder-mifflin": TenantSchema.parse({ settings: { plan: "silver" } }),
};

describeWithTools("tenants in a real PostgreSQL", () => {
  let pg: Postgres;
  let s3: S3;
  let env: NodeJS.ProcessEnv;
  const dir = tempDir("mcp-tenants-");
  for (const [id, tenant] of Object.entries(tenants)) fs.writeFileSync(path.join(dir, `${id}.sql`), renderTenantSql(id, tenant));

  const psql = (args: string[], user = "postgres") =>
    spawnSync("psql", ["-X", "-At", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", String(pg.port), "-U", user, "-d", "app", ...args], { encoding: "utf8" });
  const sql = (query: string, user = "postgres") => {
    const result = psql(["-c", query], user);
    if (result.status !== 0) throw new Error(`${query}: ${result.stderr}`);
    return result.stdout.trim();
  };
  const sqlError = (query: string, user = "postgres") => {
    const result = psql(["-c", query], user);
    expect(result.status).not.toBe(0);
    return result.stderr;
  };
  const runFile = (file: string) => psql(["-f", file]);
  const script = (name: string, args: string[]) => runTool(path.join(SCRIPTS, name), args, env, 120000);

  /** Everything provisioning touches, as text: roles, schemas, tables with RLS flags and ACLs, policies (with their oids), columns' defaults, and the data rows with their xmin (a rewritten row has a new one). */
  const catalog = () =>
    sql(`SELECT json_build_object(
      'roles', (SELECT json_agg(json_build_object('name', rolname, 'login', rolcanlogin, 'super', rolsuper, 'bypassrls', rolbypassrls, 'limit', rolconnlimit) ORDER BY rolname) FROM pg_roles WHERE rolname LIKE 'tenant\\_%'),
      'database', (SELECT datacl::text FROM pg_database WHERE datname = 'app'),
      'schemas', (SELECT json_agg(json_build_object('name', nspname, 'oid', oid, 'acl', nspacl::text) ORDER BY nspname) FROM pg_namespace WHERE nspname LIKE 'tenant\\_%'),
      'tables', (SELECT json_agg(json_build_object('name', c.oid::regclass::text, 'oid', c.oid, 'rls', c.relrowsecurity, 'force', c.relforcerowsecurity, 'acl', c.relacl::text) ORDER BY c.oid::regclass::text)
                 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname LIKE 'tenant\\_%' AND c.relkind = 'r'),
      'policies', (SELECT json_agg(json_build_object('oid', p.oid, 'table', p.polrelid::regclass::text, 'name', polname, 'using', pg_get_expr(polqual, polrelid), 'check', pg_get_expr(polwithcheck, polrelid)) ORDER BY p.oid) FROM pg_policy p),
      'defaults', (SELECT json_agg(json_build_object('table', adrelid::regclass::text, 'default', pg_get_expr(adbin, adrelid)) ORDER BY adrelid::regclass::text, adnum) FROM pg_attrdef),
      'settings', (SELECT json_agg(json_build_object('row', s::text, 'xmin', s.xmin::text) ORDER BY s::text) FROM (SELECT xmin, * FROM tenant_acme.tenant_settings UNION ALL SELECT xmin, * FROM tenant_dunder_mifflin.tenant_settings) s),
      'audit', (SELECT json_agg(json_build_object('row', a::text, 'xmin', a.xmin::text) ORDER BY a::text) FROM (SELECT xmin, * FROM tenant_acme.audit_log UNION ALL SELECT xmin, * FROM tenant_dunder_mifflin.audit_log) a)
    )`);
  /** A tenant's data: every row of its tables. */
  const contents = (schema: string) => sql(`SELECT (SELECT string_agg(s::text, '|' ORDER BY s::text) FROM ${schema}.tenant_settings s) || ' / ' || (SELECT count(*) FROM ${schema}.audit_log)`);

  beforeAll(async () => {
    const endpoint = startS3({ buckets: [BUCKET] });
    pg = startPostgres(await freePort());
    s3 = await endpoint;
    env = { ...process.env, PGHOST: "127.0.0.1", PGPORT: String(pg.port), PGUSER: "postgres", PGDATABASE: "app", BACKUP_BUCKET: BUCKET, ...s3.env };
    const created = spawnSync("psql", ["-X", "-h", "127.0.0.1", "-p", String(pg.port), "-U", "postgres", "-d", "postgres", "-c", "CREATE DATABASE app"], { encoding: "utf8" });
    expect(created.status).toBe(0);
  }, 120000);

  afterAll(async () => {
    pg?.stop();
    await s3?.stop();
  });

  it("provisions two tenants from the rendered SQL; a second run changes nothing", () => {
    for (const id of Object.keys(tenants)) {
      const result = runFile(path.join(dir, `${id}.sql`));
      expect(result.stderr).toMatch(new RegExp(`NOTICE:  tenant ${id} verified`));
      expect(result.status).toBe(0);
    }
    const first = catalog();
    expect(JSON.parse(first).roles).toEqual([
      { name: "tenant_acme", login: true, super: false, bypassrls: false, limit: 20 },
      { name: "tenant_dunder_mifflin", login: false, super: false, bypassrls: false, limit: -1 },
    ]);
    expect(JSON.parse(first).tables).toHaveLength(4);
    for (const table of JSON.parse(first).tables) expect(table).toMatchObject({ rls: true, force: true });
    expect(sql("SELECT key || '=' || value FROM tenant_acme.tenant_settings ORDER BY key")).toBe("locale=en-GB\nplan=gold\ntenant.display_name=ACME Corp\ntenant.id=acme");
    for (const id of Object.keys(tenants)) expect(runFile(path.join(dir, `${id}.sql`)).status).toBe(0);
    expect(catalog()).toEqual(first);
  });

  it("as tenant A's role, tenant B's rows are invisible and unwritable, and A's own rows are confined to A", () => {
    sql("INSERT INTO tenant_acme.tenant_settings (key, value) VALUES ('theme', 'dark')", "tenant_acme");
    expect(sqlError("SELECT * FROM tenant_dunder_mifflin.tenant_settings", "tenant_acme")).toMatch(/permission denied for schema tenant_dunder_mifflin/);
    expect(sqlError("INSERT INTO tenant_dunder_mifflin.tenant_settings (key, value) VALUES ('x', 'y')", "tenant_acme")).toMatch(/permission denied for schema tenant_dunder_mifflin/);
    // Row-level security within A's own tables: a row of B's there (planted by a superuser) is not A's to see or write.
    sql("INSERT INTO tenant_acme.tenant_settings (tenant_id, key, value) VALUES ('dunder-mifflin', 'planted', 'by the superuser')");
    expect(sql("SELECT string_agg(DISTINCT tenant_id, ',') FROM tenant_acme.tenant_settings", "tenant_acme")).toBe("acme");
    expect(sql("UPDATE tenant_acme.tenant_settings SET value = 'x' WHERE key = 'planted'", "tenant_acme")).toBe("UPDATE 0");
    expect(sqlError("INSERT INTO tenant_acme.tenant_settings (tenant_id, key, value) VALUES ('dunder-mifflin', 'k', 'v')", "tenant_acme")).toMatch(/new row violates row-level security policy/);
    // The audit log is append-only for the tenant.
    expect(sqlError("DELETE FROM tenant_acme.audit_log", "tenant_acme")).toMatch(/permission denied for table audit_log/);
    // A NOLOGIN tenant role, taken on with SET ROLE, is bound the same way.
    sql("INSERT INTO tenant_dunder_mifflin.tenant_settings (tenant_id, key, value) VALUES ('acme', 'planted', 'by the superuser')");
    expect(sql("SET ROLE tenant_dunder_mifflin; SELECT count(*) FROM tenant_dunder_mifflin.tenant_settings WHERE tenant_id <> 'dunder-mifflin'")).toBe("SET\n0");
    sql("DELETE FROM tenant_dunder_mifflin.tenant_settings WHERE tenant_id <> 'dunder-mifflin'");
    expect(sqlError("SET ROLE tenant_dunder_mifflin; SELECT * FROM tenant_acme.tenant_settings")).toMatch(/permission denied for schema tenant_acme/);
    sql("DELETE FROM tenant_acme.tenant_settings WHERE tenant_id <> 'acme'");
  });

  it("the verification fails on a tampered tenant: RLS disabled, or a table without it", () => {
    sql("ALTER TABLE tenant_dunder_mifflin.tenant_settings DISABLE ROW LEVEL SECURITY");
    const verify = path.join(dir, "verify.sql");
    fs.writeFileSync(verify, tenantVerificationSql("dunder-mifflin"));
    const disabled = runFile(verify);
    expect(disabled.status).not.toBe(0);
    expect(disabled.stderr).toMatch(/verification failed: row-level security is not enabled and forced on tenant_dunder_mifflin\.\{tenant_settings\}/);
    // Provisioning puts RLS back; a table someone added without RLS fails the whole run, which commits nothing.
    sql("CREATE TABLE tenant_dunder_mifflin.orders (tenant_id text, total numeric)");
    const before = catalog();
    const run = runFile(path.join(dir, "dunder-mifflin.sql"));
    expect(run.status).not.toBe(0);
    expect(run.stderr).toMatch(/verification failed: row-level security is not enabled and forced on tenant_dunder_mifflin\.\{orders\}/);
    expect(catalog()).toEqual(before);
    sql("DROP TABLE tenant_dunder_mifflin.orders");
    expect(runFile(path.join(dir, "dunder-mifflin.sql")).status).toBe(0);
    expect(runFile(verify).status).toBe(0);
    sql("GRANT USAGE ON SCHEMA tenant_acme TO tenant_dunder_mifflin");
    expect(runFile(verify).stderr).toMatch(/verification failed: role tenant_dunder_mifflin may use or create in other schemas: tenant_acme/);
    sql("REVOKE USAGE ON SCHEMA tenant_acme FROM tenant_dunder_mifflin");
  });

  describe("one tenant's backup and restore (BAK-5)", () => {
    let atBackup: string;

    it("backs up tenant A's schema alone and verifies it in a scratch database", () => {
      atBackup = contents("tenant_acme");
      const result = script("tenant-backup.sh", ["--tenant", "acme"]);
      expect(result.output).toMatch(/"result":"ok","tenant":"acme","tenantArchives":\{"acme":\{"backup":"s3:\/\/mcp-tenants-test\/tenants\/acme\/\d{4}\/\d{2}\/\d{2}\/app-\d{8}T\d{6}Z\.dump"/);
      expect(result.status).toBe(0);
      expect(sql("SELECT count(*) FROM pg_database WHERE datname LIKE 'restore_check_%'")).toBe("0");
    });

    it("refuses without --force, then brings A back to its backup while B's later writes survive", () => {
      sql("INSERT INTO tenant_acme.tenant_settings (key, value) VALUES ('after-backup', 'lost on restore')", "tenant_acme");
      sql("UPDATE tenant_acme.tenant_settings SET value = 'platinum' WHERE key = 'plan'");
      sql("INSERT INTO tenant_dunder_mifflin.tenant_settings (key, value) VALUES ('after-backup', 'kept')");
      const changedA = contents("tenant_acme");
      const laterB = contents("tenant_dunder_mifflin");
      const refused = script("tenant-restore.sh", ["--tenant", "acme", "--latest"]);
      expect(refused.status).toBe(1);
      expect(refused.output).toMatch(/schema tenant_acme of tenant acme already holds 2 table\(s\): refusing to overwrite it \(add --force to replace them\)/);
      expect(contents("tenant_acme")).toBe(changedA);
      const restored = script("tenant-restore.sh", ["--tenant", "acme", "--latest", "--force"]);
      expect(restored.output).toMatch(/"result":"ok","tenant":"acme".*"tables":2/);
      expect(restored.status).toBe(0);
      expect(contents("tenant_acme")).toBe(atBackup);
      expect(contents("tenant_dunder_mifflin")).toBe(laterB);
      // The restored schema is still isolated: its policies and grants came back with it.
      expect(runFile(path.join(dir, "acme.sql")).status).toBe(0);
      expect(sql("SELECT count(*) FROM tenant_acme.tenant_settings", "tenant_acme")).toBe("5");
      expect(sqlError("SELECT * FROM tenant_dunder_mifflin.tenant_settings", "tenant_acme")).toMatch(/permission denied/);
    });

    it("verifies the checksum before touching anything, and restores only a backup of that tenant", () => {
      const key = s3
        .keys(BUCKET, "tenants/acme/")
        .filter((k) => k.endsWith(".dump"))
        .pop()!;
      const bytes = s3.get(BUCKET, key);
      s3.put(BUCKET, key, bytes.subarray(0, Math.floor(bytes.length / 2)));
      sql("INSERT INTO tenant_acme.tenant_settings (key, value) VALUES ('kept', 'by a refused restore')", "tenant_acme");
      const good = contents("tenant_acme");
      try {
        const damaged = script("tenant-restore.sh", ["--tenant", "acme", "--latest", "--force"]);
        expect(damaged.status).toBe(1);
        expect(damaged.output).toMatch(/checksum mismatch for app-.*\.dump: the backup is damaged/);
        expect(contents("tenant_acme")).toBe(good);
      } finally {
        s3.put(BUCKET, key, bytes);
      }
      const other = script("tenant-restore.sh", ["--tenant", "dunder-mifflin", "--backup", `s3://${BUCKET}/${key}`, "--force"]);
      expect(other.status).toBe(2);
      expect(other.output).toMatch(/--backup must be a backup of tenant dunder-mifflin/);
      sql("DELETE FROM tenant_acme.tenant_settings WHERE key = 'kept'");
    });
  });

  it("removal after a verified final backup drops only tenant A (TEN-2)", () => {
    const final = script("tenant-backup.sh", ["--tenant", "acme"]);
    expect(final.status).toBe(0);
    const record = JSON.parse(final.output.trim().split("\n").pop()!) as { tenantArchives: Record<string, unknown> };
    expect(Object.keys(record.tenantArchives)).toEqual(["acme"]);
    expect(TenantArchiveSchema.safeParse(record.tenantArchives.acme).success).toBe(true);
    const b = contents("tenant_dunder_mifflin");
    const file = path.join(dir, "acme-removal.sql");
    fs.writeFileSync(file, renderTenantRemovalSql("acme"));
    for (let run = 0; run < 2; run++) {
      const removed = runFile(file);
      expect(removed.status).toBe(0);
    }
    expect(sql("SELECT count(*) FROM pg_namespace WHERE nspname = 'tenant_acme'")).toBe("0");
    expect(sql("SELECT count(*) FROM pg_roles WHERE rolname = 'tenant_acme'")).toBe("0");
    expect(contents("tenant_dunder_mifflin")).toBe(b);
    expect(runFile(path.join(dir, "dunder-mifflin.sql")).status).toBe(0);
    // The final backup still restores the removed tenant, should it come back.
    expect(runFile(path.join(dir, "acme.sql")).status).toBe(0);
    const back = script("tenant-restore.sh", ["--tenant", "acme", "--backup", String((record.tenantArchives.acme as { backup: string }).backup), "--force"]);
    expect(back.status).toBe(0);
  });
});
