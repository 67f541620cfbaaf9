/**
 * npm run smoke -- --url BASE [--expect-version V] [--stack NAME [--service NAME] [--config-file FILE]] [--timeout-ms N]
 *
 * Post-deploy verification (REL-7) against a base URL, e.g. the preview Service through
 * `kubectl port-forward svc/api-preview 8000`: liveness and readiness paths answer 200, the version
 * path answers 200 (and names --expect-version), every key endpoint the service's `smoke.paths`
 * lists answers 2xx. With --stack the paths come from the service's config, otherwise the defaults
 * (/health, /health/ready, /version). With --record the result goes into the stack file as evidence
 * for npm run advance (blueGreen.smokePassed). Exit 1 with what failed; 2 on bad input.
 */
import * as path from "path";
import type { ServiceConfig } from "../config";
import { runSmoke, smokeChecks } from "./release/smoke";
import { recordSmoke } from "./release/advance";
import { openStackToEdit, timeOf, write } from "./release/command";
import { httpUrl, parseCli, positiveInteger, required, runMain, UsageError, type Usage } from "./cli";
import { validStackConfig } from "./stack-config";

const USAGE: Usage = {
  synopsis: "npm run smoke -- --url BASE [--expect-version V] [--stack NAME [--service NAME] [--config-file FILE] [--record [--now ISO]]] [--timeout-ms N]",
  help: `Post-deploy checks (REL-7) against a base URL, e.g. svc/<service>-preview through kubectl port-forward:
the liveness and readiness paths answer 200, the version path answers 200 (naming --expect-version),
every path of the service's smoke.paths answers 2xx. Every check runs; each failure is listed.

  --url BASE            the base URL (http:// or https://)
  --expect-version V    the version the version path must name
  --stack NAME          take the paths from this stack's service (default: /health, /health/ready, /version)
  --service NAME        the service (needed when the stack has several HTTP services)
  --config-file FILE    read the stack's values from FILE instead of Pulumi.<stack>.yaml
  --timeout-ms N        per request (default 5000)
  --record              with --stack and --expect-version, for a blue-green service tested on
                        <service>-preview: a pass records the standby colour's image and the time
                        in the stack file (services.<service>.blueGreen.smokePassed, printed as a
                        diff), a failure removes that record; npm run advance moves traffic only
                        after a recorded pass
  --now ISO             the time recorded (default: now)

Exit codes: 0 every check passed, 1 a check failed, 2 bad input.`,
};
const PROJECT_DIR = path.resolve(__dirname, "..");

function serviceOf(stack: string, name: string | undefined, configFile: string | undefined): { name: string; svc: ServiceConfig } {
  const config = validStackConfig(PROJECT_DIR, stack, configFile).platform;
  const http = Object.entries(config.services).filter(([, svc]) => svc.port !== undefined);
  if (!name) {
    if (http.length === 1) return { name: http[0][0], svc: http[0][1] };
    throw new UsageError(`stack "${stack}" has ${http.length} HTTP services (${http.map(([n]) => n).join(", ")}): name one with --service`);
  }
  const svc = config.services[name];
  if (!svc) throw new UsageError(`stack "${stack}" has no service "${name}" (services: ${Object.keys(config.services).join(", ")})`);
  if (svc.port === undefined) throw new UsageError(`service "${name}" has no HTTP port to smoke-test`);
  return { name, svc };
}

async function main(): Promise<number> {
  const args = parseCli(
    {
      url: { type: "string" },
      "expect-version": { type: "string" },
      stack: { type: "string" },
      service: { type: "string" },
      "config-file": { type: "string" },
      "timeout-ms": { type: "string", default: "5000" },
      record: { type: "boolean" },
      now: { type: "string" },
    },
    USAGE,
  );
  const base = httpUrl("--url", required(args.url, "--url", USAGE), "http://127.0.0.1:8000");
  const timeoutMs = positiveInteger("--timeout-ms", args["timeout-ms"]);
  if ((args.service || args["config-file"] || args.record) && !args.stack) throw new UsageError("--service, --config-file and --record need --stack");
  if (args.record && !args["expect-version"]) throw new UsageError("--record needs --expect-version: the recorded pass must show which release <service>-preview served");
  if (args.now && !args.record) throw new UsageError("--now is the time --record records: give --record too");
  const service = args.stack ? serviceOf(args.stack, args.service, args["config-file"]) : undefined;
  const now = timeOf(args.now);
  const stack = args.record ? openStackToEdit(PROJECT_DIR, args.stack!, args["config-file"]) : undefined;
  if (stack) recordSmoke(stack, service!.name, true, now); // refuses a service without colours before testing

  const results = await runSmoke(base, smokeChecks(service?.svc, args["expect-version"]), timeoutMs);
  for (const { check, ok, detail } of results) {
    process.stdout.write(`${ok ? "ok  " : "FAIL"}  ${check.name.padEnd(9)} GET ${check.path}: ${detail}\n`);
  }
  const failed = results.filter((r) => !r.ok).length;
  process.stdout.write(failed ? `\n${failed} of ${results.length} checks failed against ${base.href}\n` : `\nall ${results.length} checks passed against ${base.href}\n`);
  if (stack) write(PROJECT_DIR, stack, [recordSmoke(stack, service!.name, failed === 0, now)], false, (text) => process.stdout.write(text));
  return failed ? 1 : 0;
}

runMain(main);
