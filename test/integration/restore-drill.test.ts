/**
 * The physical restore drill's checks against a real PostgreSQL: a base backup plus archived WAL,
 * replayed to a target time on loopback as CloudNativePG replays the bucket's (restore_command,
 * recovery_target_time), then verify-recovery.sh on the recovered server, and the result pushed
 * to a real Pushgateway. Also the faults: a target beyond the archived WAL (PostgreSQL refuses to
 * end such a recovery: "recovery ended before configured recovery target was reached"), a missing
 * table, a failing check.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { PROJECT_DIR } from "../harness";
import { drillMetrics } from "../upstream/drill-metrics";
import { recoveryTargetTime } from "../../components/backup/cnpg-render";
import { freePort, hasBinary, runTool, startProcess, startS3, tempDir, uid, waitForPort, type S3 } from "./real-tools";

const tools = ["initdb", "pg_ctl", "pg_basebackup", "pg_dump", "psql", "aws", "moto_server", "runuser", "jq", "curl", "prometheus-pushgateway"];
const installed = tools.every((tool) => hasBinary(tool));
const describeWithTools = installed ? describe : describe.skip;
const SCRIPTS = path.join(PROJECT_DIR, "backup");
const BUCKET = "mcp-drill-test";

const asPostgres = (...args: string[]) => {
  const result = runTool("runuser", ["-u", "postgres", "--", ...args], process.env, 120000);
  if (result.status !== 0) throw new Error(`${args.join(" ")}: ${result.output}`);
  return result.output;
};
/**
 * recovery_target_time as CloudNativePG writes it from the drill's targetTime ("YYYY-MM-DD
 * HH:MM:SS+00:00", lib.sh recovery_time): its ConvertToPostgresFormat (cloudnative-pg/machinery
 * pkg/postgres/time) returns a value that is not RFC 3339 unchanged. RFC 3339 "...Z" would have
 * been rewritten, by older versions to a "...Z" that PostgreSQL refuses at startup (the first test
 * below shows it; cloudnative-pg#10819).
 */
const drillTargetTime = (t: Date) => `${t.toISOString().slice(0, 19).replace("T", " ")}+00:00`;

/** A directory the postgres user owns. */
const postgresDir = (prefix: string) => {
  const dir = tempDir(prefix);
  fs.chownSync(dir, uid("postgres"), uid("postgres"));
  return dir;
};

describeWithTools("the restore drill's checks on a point-in-time recovery", () => {
  const work = postgresDir("mcp-drill-");
  const archive = `${work}/archive`;
  let primaryPort: number;
  let env: NodeJS.ProcessEnv;
  let s3: S3;
  let pushgateway: ReturnType<typeof startProcess>;
  let pushgatewayUrl: string;
  /** Between the two batches of orders: the recovery target. */
  let target: Date;
  let recoverySeconds: number;
  let recoveredPort: number;
  const started: string[] = [];

  const psql = (port: number, query: string, database = "app") => {
    const result = spawnSync("psql", ["-X", "-At", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", String(port), "-U", "postgres", "-d", database, "-c", query], { encoding: "utf8" });
    if (result.status !== 0) throw new Error(`${query}: ${result.stderr}`);
    return result.stdout.trim();
  };
  const startServer = (data: string, port: number, extra: string[] = []) => {
    asPostgres("pg_ctl", "-D", data, "-l", `${data}.log`, "-w", "-t", "120", "-o", [`-p ${port}`, `-k ${work}`, "-c listen_addresses=127.0.0.1", "-c fsync=off", ...extra].join(" "), "start");
    started.push(data);
  };
  /** Recovers the base backup into a new data directory up to `to`, as CloudNativePG's recovery does; returns its port once promoted. */
  const recover = async (to: Date): Promise<{ port: number; data: string; log: () => string }> => {
    const data = `${postgresDir("mcp-drill-recovered-")}/data`;
    asPostgres("cp", "-a", `${work}/base`, data);
    fs.writeFileSync(`${data}/recovery.signal`, "");
    fs.appendFileSync(
      `${data}/postgresql.auto.conf`,
      `restore_command = 'cp ${archive}/%f %p'\nrecovery_target_time = '${drillTargetTime(to)}'\nrecovery_target_action = 'promote'\narchive_mode = off\n`,
    );
    const port = await freePort();
    return { port, data, log: () => (fs.existsSync(`${data}.log`) ? fs.readFileSync(`${data}.log`, "utf8") : "") };
  };
  const untilPromoted = async (port: number) => {
    for (let i = 0; i < 600; i++) {
      try {
        if (psql(port, "SELECT pg_is_in_recovery()", "postgres") === "f") return;
      } catch {
        // not accepting connections yet
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`the server on ${port} did not finish recovery`);
  };
  const verify = (extra: NodeJS.ProcessEnv = {}) =>
    runTool(path.join(SCRIPTS, "verify-recovery.sh"), [], { ...env, PGPORT: String(recoveredPort), RECOVERY_TARGET_EPOCH: String(Math.floor(target.getTime() / 1000)), ...extra }, 120000);

  beforeAll(async () => {
    // The endpoint starts (moto_server takes seconds) while the primary does.
    const endpoint = startS3({ buckets: [BUCKET] });
    fs.mkdirSync(archive);
    fs.chownSync(archive, uid("postgres"), uid("postgres"));
    asPostgres("initdb", "-D", `${work}/primary`, "-A", "trust", "-U", "postgres", "--no-sync");
    primaryPort = await freePort();
    startServer(`${work}/primary`, primaryPort, ["-c wal_level=replica", "-c archive_mode=on", `-c archive_command='cp %p ${archive}/%f'`]);
    psql(primaryPort, "CREATE DATABASE app", "postgres");
    psql(
      primaryPort,
      `CREATE TABLE customers (id int PRIMARY KEY, email text NOT NULL);
       INSERT INTO customers SELECT g, 'user' || g || '@example.com' FROM generate_series(1, 2000) g;
       CREATE TABLE orders (id bigint PRIMARY KEY, customer_id int NOT NULL REFERENCES customers, created_at timestamptz NOT NULL DEFAULT clock_timestamp());
       INSERT INTO orders (id, customer_id) SELECT g, 1 + g % 2000 FROM generate_series(1, 20000) g;`,
    );

    const pushPort = await freePort();
    pushgateway = startProcess("prometheus-pushgateway", [`--web.listen-address=127.0.0.1:${pushPort}`]);
    pushgatewayUrl = `http://127.0.0.1:${pushPort}`;
    [s3] = await Promise.all([endpoint, waitForPort(pushPort, 20000)]);
    env = { ...process.env, PGHOST: "127.0.0.1", PGPORT: String(primaryPort), PGUSER: "postgres", PGDATABASE: "app", BACKUP_BUCKET: BUCKET, ...s3.env };
    // The newest logical backup: the drill takes its list of tables from its manifest.
    expect(runTool(path.join(SCRIPTS, "logical-backup.sh"), [], env, 120000).status).toBe(0);

    // The base backup (its WAL comes from the archive, as the bucket's does), then two batches of writes around the target.
    asPostgres("pg_basebackup", "-h", "127.0.0.1", "-p", String(primaryPort), "-U", "postgres", "-D", `${work}/base`, "-X", "none", "-c", "fast");
    psql(primaryPort, "INSERT INTO orders (id, customer_id) SELECT g, 1 FROM generate_series(20001, 25000) g");
    // Whole seconds, as the drill's target.
    await new Promise((r) => setTimeout(r, 1100));
    target = new Date(Math.floor(Date.now() / 1000) * 1000);
    await new Promise((r) => setTimeout(r, 1100));
    psql(primaryPort, "INSERT INTO orders (id, customer_id) SELECT g, 1 FROM generate_series(25001, 30000) g");
    const segment = psql(primaryPort, "SELECT pg_walfile_name(pg_current_wal_lsn())");
    psql(primaryPort, "SELECT pg_switch_wal()");
    for (let i = 0; i < 200 && !fs.existsSync(`${archive}/${segment}`); i++) await new Promise((r) => setTimeout(r, 50));
    expect(fs.existsSync(`${archive}/${segment}`)).toBe(true);

    const recovered = await recover(target);
    const t0 = Date.now();
    startServer(recovered.data, recovered.port);
    await untilPromoted(recovered.port);
    recoverySeconds = (Date.now() - t0) / 1000;
    recoveredPort = recovered.port;
    process.stdout.write(`point-in-time recovery of the test database (22,000 rows, ${fs.readdirSync(archive).length} WAL files) took ${recoverySeconds.toFixed(2)} s\n`);
  }, 240000);

  afterAll(async () => {
    for (const data of started) runTool("runuser", ["-u", "postgres", "--", "pg_ctl", "-D", data, "-m", "immediate", "stop"]);
    await s3?.stop();
    await pushgateway?.stop();
  });

  it("PostgreSQL takes the drill's target format as recovery_target_time, and refuses the RFC 3339 Z form", () => {
    const check = (value: string) => {
      const dir = postgresDir("mcp-drill-guc-");
      asPostgres("initdb", "-D", `${dir}/data`, "-A", "trust", "-U", "postgres", "--no-sync");
      fs.writeFileSync(`${dir}/data/postgresql.auto.conf`, `recovery_target_time = '${value}'\n`);
      return runTool("runuser", ["-u", "postgres", "--", "postgres", "-D", `${dir}/data`, "-C", "recovery_target_time"]);
    };
    const ours = runTool("bash", ["-c", `. ${SCRIPTS}/lib.sh; recovery_time ${Math.floor(target.getTime() / 1000)}`]).output.trim();
    expect(ours).toBe(drillTargetTime(target));
    expect(check(ours).status).toBe(0);
    const rfc3339 = check(target.toISOString().replace(/\.\d+Z$/, "Z"));
    expect(rfc3339.status).not.toBe(0);
    expect(rfc3339.output).toMatch(/invalid value for parameter "recovery_target_time"/);
    // postgres.restoreFrom.targetTime, given in RFC 3339 as the config asks, renders the same way.
    for (const given of ["2026-11-22T09:30:00Z", "2026-11-22T10:30:00.250+01:00"]) {
      const rendered = recoveryTargetTime(given);
      expect(new Date(rendered.replace(" ", "T")).getTime()).toBe(new Date(given).getTime());
      expect(check(rendered).status).toBe(0);
    }
  });

  it("recovers exactly to the target: the writes before it are there, the ones after it are not", () => {
    expect(psql(recoveredPort, "SELECT count(*) FROM orders WHERE id <= 25000")).toBe("25000");
    expect(psql(recoveredPort, "SELECT count(*) FROM orders WHERE id > 25000")).toBe("0");
    expect(recoverySeconds).toBeLessThan(60);
  });

  it("verify-recovery.sh passes on the recovered server, with the newest data's time as the recovered point", () => {
    const result = verify({ RECOVERY_POINT_SQL: "SELECT max(created_at) FROM orders", RESTORE_CHECK_SQL: "SELECT count(*) = 0 FROM orders WHERE customer_id NOT IN (SELECT id FROM customers)" });
    expect(result.status).toBe(0);
    const report = JSON.parse(result.output.trim().split("\n").pop()!);
    expect(report).toMatchObject({ result: "ok", tables: 2 });
    const newest = Number(psql(recoveredPort, "SELECT extract(epoch FROM max(created_at))::bigint FROM orders"));
    expect(report.recovered_at).toBe(newest);
    expect(report.recovered_at).toBeLessThanOrEqual(Math.floor(target.getTime() / 1000));
  });

  it("without a recovery-point query, the target is the recovered point", () => {
    const result = verify();
    expect(result.status).toBe(0);
    expect(JSON.parse(result.output.trim().split("\n").pop()!).recovered_at).toBe(Math.floor(target.getTime() / 1000));
  });

  it("fails naming a table of the backup the recovered server lacks, and a check that does not hold", () => {
    psql(recoveredPort, "ALTER TABLE customers RENAME TO customers_gone");
    try {
      const missing = verify();
      expect(missing.status).toBe(1);
      expect(missing.output).toMatch(/table public\.customers: manifest 2000 rows, restored missing/);
      expect(missing.output).toMatch(/ERROR: 1 table\(s\) differ from the manifest/);
    } finally {
      psql(recoveredPort, "ALTER TABLE customers_gone RENAME TO customers");
    }
    const check = verify({ RESTORE_CHECK_SQL: "SELECT count(*) > 1000000 FROM orders" });
    expect(check.status).toBe(1);
    expect(check.output).toMatch(/check did not hold: SELECT count\(\*\) > 1000000 FROM orders \(returned: f\)/);
  });

  it("a target later than the archived WAL: PostgreSQL refuses to end the recovery, so the drill cannot pass", async () => {
    const recovered = await recover(new Date(Date.now() + 3600_000));
    // Started without -w: pg_ctl's wait may report a recovering server as started (seen under load),
    // so the test watches the server itself until it stops, and it must never have left recovery.
    const started = runTool(
      "runuser",
      ["-u", "postgres", "--", "pg_ctl", "-D", recovered.data, "-l", `${recovered.data}.log`, "-W", "-o", `-p ${recovered.port} -k ${work} -c listen_addresses=127.0.0.1 -c hot_standby=off`, "start"],
    );
    expect(started.status).toBe(0);
    const ended = /recovery ended before configured recovery target was reached|database system is ready to accept connections/;
    for (let i = 0; i < 600 && !ended.test(recovered.log()); i++) await new Promise((r) => setTimeout(r, 100));
    const running = () => runTool("runuser", ["-u", "postgres", "--", "pg_ctl", "-D", recovered.data, "status"]).status === 0;
    for (let i = 0; i < 100 && running(); i++) await new Promise((r) => setTimeout(r, 100));
    expect(running()).toBe(false);
    expect(recovered.log()).toMatch(/recovery ended before configured recovery target was reached/);
    expect(recovered.log()).not.toMatch(/database system is ready to accept connections/);
  });

  it("pushes the drill's result to a real Pushgateway, as the series the alerts read", () => {
    const push = runTool("bash", ["-c", `. ${SCRIPTS}/lib.sh; drill_metrics 1 ${recoverySeconds.toFixed(0)} 300 | push_metrics restore-drill postgres`], { ...env, PUSHGATEWAY_URL: pushgatewayUrl });
    expect(push.status).toBe(0);
    const served = runTool("curl", ["-sS", `${pushgatewayUrl}/metrics`]).output;
    for (const name of drillMetrics().keys()) expect(served).toMatch(new RegExp(`^${name}\\{cluster="postgres",instance="",job="restore-drill"\\} `, "m"));
    // A failed drill replaces the group: success 0, and no recovered point.
    runTool("bash", ["-c", `. ${SCRIPTS}/lib.sh; drill_metrics 0 42 | push_metrics restore-drill postgres`], { ...env, PUSHGATEWAY_URL: pushgatewayUrl });
    const failed = runTool("curl", ["-sS", `${pushgatewayUrl}/metrics`]).output;
    expect(failed).toMatch(/^mcp_restore_drill_success\{cluster="postgres",instance="",job="restore-drill"\} 0$/m);
    expect(failed).not.toMatch(/^mcp_restore_drill_recovery_point_age_seconds/m);
  });
});
