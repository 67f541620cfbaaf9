/**
 * SQL settings of the backup jobs (backups.jobs.restoreCheckSql, backups.drill.recoveryPointSql) against
 * a real PostgreSQL, run the way backup/lib.sh's psql_value runs them (`psql -c`). What the validation
 * accepts runs as one query and answers; what it refuses is shown to do harm when given to psql as it
 * is: a second statement runs, a meta-command runs a shell.
 */
import * as fs from "fs";
import * as path from "path";
import { spawnSync } from "child_process";
import { parsePlatformConfig } from "../../config";
import { freePort, hasBinary, startPostgres, tempDir, type Postgres } from "./real-tools";

const installed = ["initdb", "pg_ctl", "psql", "runuser"].every((tool) => hasBinary(tool));
const describeWithPostgres = installed ? describe : describe.skip;

function problems(check: string, recoveryPoint?: string): string[] {
  const result = parsePlatformConfig({
    environment: "staging",
    services: { api: { image: { repository: "r/api", tag: "1.0.0" }, port: 8000 } },
    postgres: {},
    backups: {
      bucket: "mcp-backups",
      region: "eu-west-1",
      drBucket: "mcp-backups-dr",
      drRegion: "eu-central-1",
      jobs: { image: { repository: "r/tools", tag: "17-1" }, restoreCheckSql: [check] },
      drill: recoveryPoint === undefined ? {} : { recoveryPointSql: recoveryPoint },
    },
  });
  return result.ok ? [] : result.errors;
}

const ACCEPTED: string[] = [
  "SELECT count(*) = 2 FROM orders",
  "SELECT 'a;b' = 'a' || ';' || 'b'",
  "SELECT $$--;\\!$$ <> ''",
  "SELECT $body$ ; $$ $body$ <> ''",
  "SELECT E'it\\'s; \\\\' <> ''",
  "SELECT 'C:\\temp\\' = 'C:' || chr(92) || 'temp' || chr(92)",
  'SELECT "we;ird" FROM (SELECT true AS "we;ird") q',
  "WITH x AS (SELECT count(*) AS n FROM orders) SELECT n > 0 FROM x",
  "SELECT '/* not a comment */ -- nor this' <> ''",
  "VALUES (true)",
];

/** Refused, with the words of the reason. */
const REFUSED: [string, RegExp][] = [
  ["SELECT true; CREATE TABLE pwned ()", /no ;/],
  ["SELECT true;", /no ;/],
  ["\\! touch pwned-file", /a query \(SELECT/],
  ["SELECT true \\g", /no backslash/],
  ["SELECT true -- and a comment", /without comments/],
  ["SELECT true /* x */", /without comments/],
  ["SELECT 'unterminated", /strings are closed/],
  ['SELECT "unterminated', /identifiers are closed/],
  ["SELECT $$ open", /dollar-quoted strings are closed/],
  ["SELECT 1) + (SELECT 2", /balanced parentheses/],
  ["SELECT (1", /balanced parentheses/],
  ["DROP TABLE orders", /a query \(SELECT/],
  ["", /at least 1 character/],
  ["SELECT true\nSELECT false", /one line of SQL/],
];

describe("SQL settings are refused unless a single query", () => {
  it.each(REFUSED)("%j", (sql, reason) => {
    const errors = problems(sql);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^mcp-platform:backups\.jobs\.restoreCheckSql\[0\]: /);
    expect(errors[0]).toMatch(reason);
    const drill = problems("SELECT true", sql).filter((e) => e.startsWith("mcp-platform:backups.drill.recoveryPointSql"));
    if (sql !== "") expect(drill[0]).toMatch(reason); // "" there means "not set"
  });
});

describeWithPostgres("with a real PostgreSQL (psql -c, as backup/lib.sh runs them)", () => {
  let pg: Postgres;
  let cwd: string;
  const psql = (sql: string) =>
    spawnSync("psql", ["-X", "-At", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", String(pg.port), "-U", "postgres", "-d", "postgres", "-c", sql], { encoding: "utf8", cwd });

  beforeAll(async () => {
    pg = startPostgres(await freePort());
    cwd = tempDir("mcp-sql-");
    expect(psql("CREATE TABLE orders (id int, created_at timestamptz); INSERT INTO orders VALUES (1, now()), (2, now())").status).toBe(0);
  });
  afterAll(() => pg?.stop());

  it.each(ACCEPTED)("accepted and answers true as one query: %j", (sql) => {
    expect(problems(sql)).toEqual([]);
    const result = psql(sql);
    expect(result.stderr).toBe("");
    expect(result.stdout).toBe("t\n");
  });

  it("an accepted recovery-point query runs inside the drill's wrapper (backup/verify-recovery.sh)", () => {
    const sql = "SELECT max(created_at) FROM orders WHERE 'x;)' <> ''";
    expect(problems("SELECT true", sql)).toEqual([]);
    const result = psql(`SELECT extract(epoch FROM (${sql}))::bigint`);
    expect(result.status).toBe(0);
    expect(Number(result.stdout)).toBeGreaterThan(1_700_000_000);
  });

  it("negative control: psql -c runs the second statement of a refused check", () => {
    expect(psql("SELECT true; CREATE TABLE pwned ()").status).toBe(0);
    expect(psql("SELECT count(*) FROM pwned").stdout).toBe("0\n");
  });

  it("negative control: psql -c runs \\! as a shell command", () => {
    psql("\\! touch pwned-file");
    expect(fs.existsSync(path.join(cwd, "pwned-file"))).toBe(true);
  });
});
