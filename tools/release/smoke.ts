/** Post-deploy smoke checks (REL-7): which paths to check, and checking them over HTTP. */
import type { ServiceConfig } from "../../config";

export interface SmokeCheck {
  name: string;
  path: string;
  /** Accepts the status; a version check also reads the body. */
  expect: "200" | "2xx";
  version?: string;
}

export interface SmokeResult {
  check: SmokeCheck;
  ok: boolean;
  detail: string;
}

/** The checks for a service (its configured paths), or the runbook defaults. Pure. */
export function smokeChecks(service: ServiceConfig | undefined, expectVersion?: string): SmokeCheck[] {
  const probes = service?.probes ?? { livenessPath: "/health", readinessPath: "/health/ready" };
  const smoke = service?.smoke ?? { versionPath: "/version", paths: [] };
  return [
    { name: "liveness", path: probes.livenessPath, expect: "200" },
    { name: "readiness", path: probes.readinessPath, expect: "200" },
    { name: "version", path: smoke.versionPath, expect: "200", version: expectVersion },
    ...smoke.paths.map((p): SmokeCheck => ({ name: "endpoint", path: p, expect: "2xx" })),
  ];
}

/** Runs every check (all of them, so one report shows everything that is wrong). */
export async function runSmoke(base: URL, checks: SmokeCheck[], timeoutMs: number): Promise<SmokeResult[]> {
  return Promise.all(checks.map((check) => runCheck(base, check, timeoutMs)));
}

async function runCheck(base: URL, check: SmokeCheck, timeoutMs: number): Promise<SmokeResult> {
  const url = new URL(check.path.replace(/^\//, ""), base.href.endsWith("/") ? base : `${base.href}/`);
  const started = Date.now();
  let response: Response;
  let body: string;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), redirect: "manual" });
    body = await response.text();
  } catch (error) {
    const reason = (error as Error).name === "TimeoutError" ? `no answer within ${timeoutMs} ms` : ((error as Error & { cause?: Error }).cause?.message ?? (error as Error).message);
    return { check, ok: false, detail: reason };
  }
  const ms = Date.now() - started;
  const statusOk = check.expect === "200" ? response.status === 200 : response.status >= 200 && response.status < 300;
  if (!statusOk) return { check, ok: false, detail: `${response.status} (expected ${check.expect}) ${body.slice(0, 120).trim()}` };
  if (check.version !== undefined) {
    const found = versionIn(body);
    if (found !== check.version) return { check, ok: false, detail: `version ${found === undefined ? "not found in the answer" : `"${found}"`}, expected "${check.version}"` };
  }
  return { check, ok: true, detail: `${response.status} in ${ms} ms` };
}

/** The version a /version answer names: JSON {"version": ...} or the text itself. */
function versionIn(body: string): string | undefined {
  try {
    const parsed = JSON.parse(body) as unknown;
    if (parsed && typeof parsed === "object" && "version" in parsed) return String((parsed as { version: unknown }).version);
    if (typeof parsed === "string") return parsed;
  } catch {
    // plain text
  }
  return body.trim() || undefined;
}
