/**
 * The release commands on temporary copies of the real stack files: the whole cycle
 * promote -> canary 5 -> cutover -> rollback -> cutover -> retire, where after each step the plan
 * shows the expected Services, scale and edge weights, the policy pack accepts it, and the file
 * changed only in the expected lines; then every refusal, which writes nothing; then stack files
 * and --stack values no command may edit through, refused before anything is printed.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { UsageError } from "../../tools/cli";
import { InputError } from "../../config";
import { runRelease } from "../../tools/release/command";
import { runDelivery } from "../../tools/release/delivery-command";
import { stackDiff } from "../../tools/release/stack-file";
import type { PolicyAnalyzer } from "../../tools/policy/analyzer";
import { InProcessPack } from "../../tools/policy/in-process";
import { readPolicyConfig, resolvePolicyConfig } from "../../tools/policy/policy-config";
import type { Plan } from "../../tools/render-stack";
import { objects, PROJECT_DIR, projectCopy, render, renderFile, type K8sObject } from "../harness";

const POLICIES = path.join(PROJECT_DIR, "policies");
const STAGING_IMAGE = "ghcr.io/example/mcp-server:1.4.2@sha256:5d41402abc4b2a76b9719d911017c592ae2f9b7c6a1e0d3f4b5c6d7e8f90a1b2";
const PRODUCTION_IMAGE = "ghcr.io/example/mcp-server:1.4.1@sha256:3f1c9d7e2a4b6c8d0e1f2a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f";

/** The pack as npm run check runs it, in process (its parity with Pulumi's runner: test/integration/policy-parity.test.ts). */
let session: PolicyAnalyzer;
let stagingState: string;

beforeAll(async () => {
  session = InProcessPack.load(POLICIES);
  const staging = await render("staging");
  stagingState = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "mcp-state-")), "staging.json");
  fs.writeFileSync(stagingState, JSON.stringify(staging));
  const file = path.join(POLICIES, "config", "production.json");
  await session.configure(resolvePolicyConfig(readPolicyConfig(file), await session.info(), file));
}, 60000);
afterAll(() => session?.close());

/** A file's bytes as a string of one character per byte (latin1): equal strings are equal bytes, and jest compares strings at once where it walks a Buffer key by key (measured: most of this file's time). */
const bytes = (file: string) => fs.readFileSync(file, "latin1");

/** Runs a command in-process as `npm run <command> -- ...args --dir DIR` does; returns what it printed. */
function release(dir: string, command: string, ...args: string[]): string {
  let out = "";
  runRelease(command, [...args, "--dir", dir], (text) => (out += text));
  return out;
}

/** The keys on the lines a change added or removed, e.g. ["+canaryWeight", "-standbyScale"]. */
function changedKeys(before: string, after: string): string[] {
  return stackDiff("f", before, after)
    .split("\n")
    .filter((line) => /^[-+](?![-+]{2} )/.test(line))
    .map((line) => `${line[0]}${line.slice(1).trim().split(":")[0]}`)
    .sort();
}

interface Expected {
  live: string;
  preview: string;
  /** Each colour's scale: a number of replicas, or "hpa" when its autoscaler owns it. */
  scale: { blue: number | "hpa"; green: number | "hpa" };
  images: { blue: string; green: string };
  canary?: number;
}

function expectPlan(plan: Plan, expected: Expected): void {
  const all = objects(plan);
  const get = (id: string) => all.get(id) as K8sObject;
  expect(get("Service/api").spec.selector["mcp-platform.io/color"]).toBe(expected.live);
  expect(get("Service/api-preview").spec.selector["mcp-platform.io/color"]).toBe(expected.preview);
  for (const color of ["blue", "green"] as const) {
    const deployment = get(`Deployment/api-${color}`);
    const hpa = all.get(`HorizontalPodAutoscaler/api-${color}`);
    expect(hpa ? "hpa" : deployment.spec.replicas).toBe(expected.scale[color]);
    expect(deployment.spec.template.spec.containers[0].image).toBe(expected.images[color]);
  }
  const nginx = get("ConfigMap/edge-nginx").data["nginx.conf"] as string;
  if (expected.canary) {
    expect(nginx).toContain(`server api.mcp-production.svc.cluster.local:8000 weight=${100 - expected.canary};`);
    expect(nginx).toContain(`server api-preview.mcp-production.svc.cluster.local:8000 weight=${expected.canary};`);
  } else {
    expect(nginx).not.toContain("api-preview");
  }
}

describe("the release cycle on copies of the stack files", () => {
  const dir = projectCopy();
  const file = path.join(dir, "Pulumi.production.yaml");
  let previous = fs.readFileSync(file, "utf8");

  /** Runs a step, then checks the file's change, the plan and the policy pack. */
  async function step(command: string, args: string[], keys: string[], expected: Expected): Promise<void> {
    const out = release(dir, command, "--stack", "production", ...args);
    const text = fs.readFileSync(file, "utf8");
    expect(out).toContain("+++ ");
    expect(changedKeys(previous, text)).toEqual([...keys].sort());
    previous = text;
    const plan = await renderFile("production", file, true);
    expectPlan(plan, expected);
    expect(await session.analyze(plan.resources)).toEqual([]);
  }

  const scaled = { blue: "hpa", green: "hpa" } as const;
  const images = { blue: PRODUCTION_IMAGE, green: STAGING_IMAGE };

  it("promote carries the whole release: staging's api on production's standby colour at full scale, its worker by rolling update, and the evidence", async () => {
    const out = release(dir, "promote", "--from", "staging", "--to", "production", "--source-state", stagingState, "--now", "2026-11-24T06:00:00Z");
    expect(out).toContain(`api: ${PRODUCTION_IMAGE} -> ${STAGING_IMAGE} on green (standby, full scale; blue keeps serving)`);
    expect(out).toContain(`worker: ${PRODUCTION_IMAGE} -> ${STAGING_IMAGE} (rolling update: no colours)`);
    expect(out).toContain("recorded in mcp-platform:promotion: from staging at 2026-11-24T06:00:00.000Z");
    const text = fs.readFileSync(file, "utf8");
    expect(changedKeys(previous, text)).toEqual(
      ["+digest", "+standbyScale", "+tag", "-digest", "-standbyScale", "-tag", "+digest", "+tag", "-digest", "-tag", "+mcp-platform", "+from", "+at", "+images", "+api", "+worker"].sort(),
    );
    previous = text;
    const plan = await renderFile("production", file, true);
    expectPlan(plan, { live: "blue", preview: "green", scale: scaled, images });
    expect((objects(plan).get("Deployment/worker") as K8sObject).spec.template.spec.containers[0].image).toBe(STAGING_IMAGE);
    // The evidence, in the stack file (the pull request shows it), on the Namespace and in the outputs.
    expect(plan.outputs.promotion).toEqual({ from: "staging", at: "2026-11-24T06:00:00.000Z", images: { api: STAGING_IMAGE, worker: STAGING_IMAGE } });
    expect((objects(plan).get("Namespace/mcp-production") as K8sObject).metadata.annotations).toMatchObject({ "mcp-platform.io/promoted-from": "staging" });
    expect(await session.analyze(plan.resources)).toEqual([]);
  }, 30000);

  it("canary 5 sends 5 % through the edge to the standby colour", async () => {
    await step("canary", ["--service", "api", "--weight", "5"], ["+canaryWeight"], { live: "blue", preview: "green", scale: scaled, images, canary: 5 });
  }, 30000);

  it("cutover switches the Service, ends the canary, keeps blue at full scale and records the time", async () => {
    await step("cutover", ["--now", "2026-11-24T07:00:00Z"], ["-activeColor", "+activeColor", "-canaryWeight", "+cutoverAt"], {
      live: "green",
      preview: "blue",
      scale: scaled,
      images,
    });
    expect(previous).toContain('cutoverAt: "2026-11-24T07:00:00.000Z"');
  }, 30000);

  it("rollback switches back while blue still runs at full scale", async () => {
    await step("rollback", [], ["-activeColor", "+activeColor", "-cutoverAt"], { live: "blue", preview: "green", scale: scaled, images });
  }, 30000);

  it("cutover again", async () => {
    await step("cutover", ["--now", "2026-11-24T08:00:00Z"], ["-activeColor", "+activeColor", "+cutoverAt"], { live: "green", preview: "blue", scale: scaled, images });
  }, 30000);

  it("retire is refused within the hold time, then scales the old colour to 0 after it", async () => {
    expect(() => release(dir, "retire", "--stack", "production", "--now", "2026-11-25T07:59:00Z")).toThrow(/blue is kept for rollback for 24 h, until 2026-11-25T08:00:00.000Z/);
    expect(fs.readFileSync(file, "utf8")).toBe(previous);
    await step("retire", ["--now", "2026-11-25T08:00:00Z"], ["-standbyScale", "+standbyScale", "-cutoverAt"], { live: "green", preview: "blue", scale: { blue: 0, green: "hpa" }, images });
  }, 30000);
});

describe("refusals: exit 2 with the reason, nothing written", () => {
  /** Runs a command that must be refused; asserts the message and that no stack file changed. */
  function refused(dir: string, command: string, args: string[], message: RegExp): void {
    const before = ["staging", "production"].map((s) => fs.readFileSync(path.join(dir, `Pulumi.${s}.yaml`), "utf8"));
    let error: unknown;
    try {
      release(dir, command, ...args);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toMatch(message);
    expect(["staging", "production"].map((s) => fs.readFileSync(path.join(dir, `Pulumi.${s}.yaml`), "utf8"))).toEqual(before);
    for (const hint of hints((error as Error).message)) expect({ hint, problem: hintProblem(dir, hint) }).toEqual({ hint, problem: undefined });
  }
  /** The release commands a refusal suggests, as printed: `npm run NAME -- ARGS` (a usage line is a synopsis, not a suggestion). */
  const hints = (message: string) =>
    message
      .split("\n")
      .filter((line) => !line.startsWith("usage:"))
      .flatMap((line) => [...line.matchAll(/npm run (\w+) -- ([^();]*)/g)])
      .map((m) => ({ command: m[1], args: m[2].trim().split(/\s+/) }));
  /**
   * Why a suggested command would not run as printed: a missing or unknown option, or a stack or
   * service that does not exist. It may still be refused for the state it finds (retire inside the
   * hold time): that is the command working. Run with --dry-run, so nothing changes.
   */
  function hintProblem(dir: string, hint: { command: string; args: string[] }): string | undefined {
    try {
      release(dir, hint.command, ...hint.args, "--dry-run");
    } catch (error) {
      if (!(error instanceof Error)) return hint.args.join(" ") === "--help" ? undefined : "printed its usage instead of running"; // --help
      if (error instanceof UsageError || /no stack|has no service/.test(error.message)) return error.message;
    }
    return undefined;
  }
  const promoteArgs = () => ["--from", "staging", "--to", "production", "--source-state", stagingState];
  const edit = (dir: string, stack: string, from: string, to: string) => {
    const file = path.join(dir, `Pulumi.${stack}.yaml`);
    const text = fs.readFileSync(file, "utf8");
    if (!text.includes(from)) throw new Error(`no "${from}" in ${file}`);
    fs.writeFileSync(file, text.replace(from, to));
  };

  it("promote: an image not pinned by digest", () => {
    const dir = projectCopy();
    edit(dir, "staging", "            digest: sha256:5d41402abc4b2a76b9719d911017c592ae2f9b7c6a1e0d3f4b5c6d7e8f90a1b2\n", "");
    const state = path.join(dir, "staging-state.json");
    fs.writeFileSync(state, JSON.stringify({ services: { api: { activeColor: "blue", images: { blue: "ghcr.io/example/mcp-server:1.4.2" } } } }));
    refused(dir, "promote", ["--from", "staging", "--to", "production", "--source-state", state, "--service", "api"], /production refuses ghcr\.io\/example\/mcp-server:1\.4\.2 for api: imagePinning is "digest"/);
  });

  it("promote: a service of the target missing from the source's state refuses the whole release", () => {
    const dir = projectCopy();
    const state = path.join(dir, "staging-state.json");
    fs.writeFileSync(state, JSON.stringify({ services: { api: { activeColor: "blue", images: { blue: STAGING_IMAGE } } } }));
    refused(dir, "promote", ["--from", "staging", "--to", "production", "--source-state", state], /production's worker is not in staging's state: a release promotes every service, so verify it in staging first \(or pass --service to promote one\)/);
  });

  it("promote --service limits it to one service, and still records the evidence", () => {
    const dir = projectCopy();
    const out = release(dir, "promote", "--from", "staging", "--to", "production", "--source-state", stagingState, "--service", "worker", "--now", "2026-11-24T06:00:00Z");
    expect(out).toContain(`worker: ${PRODUCTION_IMAGE} -> ${STAGING_IMAGE} (rolling update: no colours)`);
    expect(out).not.toContain("api:");
    const text = fs.readFileSync(path.join(dir, "Pulumi.production.yaml"), "utf8");
    expect(text).toMatch(/ {2}mcp-platform:promotion:\n {4}from: staging\n {4}at: "2026-11-24T06:00:00.000Z"\n {4}images:\n {6}worker: ghcr\.io\/example\/mcp-server:1\.4\.2@sha256:5d41/);
  });

  it("promote: an immutable tag is accepted when the target allows it", () => {
    const dir = projectCopy();
    edit(dir, "staging", "            digest: sha256:5d41402abc4b2a76b9719d911017c592ae2f9b7c6a1e0d3f4b5c6d7e8f90a1b2\n", "");
    edit(dir, "production", "mcp-platform:imagePinning: digest", "mcp-platform:imagePinning: immutable-tag");
    const state = path.join(dir, "staging-state.json");
    fs.writeFileSync(state, JSON.stringify({ services: { api: { activeColor: "blue", images: { blue: "ghcr.io/example/mcp-server:1.4.2" } } } }));
    expect(release(dir, "promote", "--from", "staging", "--to", "production", "--source-state", state, "--service", "api")).toContain("-> ghcr.io/example/mcp-server:1.4.2 on green");
    expect(fs.readFileSync(path.join(dir, "Pulumi.production.yaml"), "utf8")).not.toContain("sha256:9a8b7c6d");
  });

  it("promote: a source stack whose file differs from what its last plan shows", () => {
    const dir = projectCopy();
    edit(dir, "staging", "tag: 1.4.2\n            digest: sha256:5d41", "tag: 1.4.3\n            digest: sha256:5d41");
    refused(dir, "promote", promoteArgs(), /staging's stack file runs ghcr\.io\/example\/mcp-server:1\.4\.3@.* but its state shows ghcr\.io\/example\/mcp-server:1\.4\.2@.*: deploy and verify staging first/);
  });

  it("promote: a plan of another stack given as the source state", () => {
    const dir = projectCopy();
    const state = path.join(dir, "state.json");
    fs.writeFileSync(state, JSON.stringify({ stack: "production", resources: [], outputs: {} }));
    refused(dir, "promote", ["--from", "staging", "--to", "production", "--source-state", state], /the plan given is of stack "production", not "staging"/);
  });

  it("promote: a target whose standby colour is still serving (canary, or cutover not retired)", () => {
    const dir = projectCopy();
    release(dir, "promote", ...promoteArgs());
    release(dir, "canary", "--stack", "production", "--service", "api", "--weight", "5");
    refused(dir, "promote", promoteArgs(), /api in production is in a canary \(5 % on green\): finish it/);
    release(dir, "cutover", "--stack", "production");
    refused(dir, "promote", promoteArgs(), /api in production: blue is still serving as the rollback target of the cutover at .*: roll back \(npm run rollback -- --stack production --service api\), or retire it/);
  });

  it("canary: 100, an idle standby, a service the edge does not route, a bad weight", () => {
    const dir = projectCopy();
    refused(dir, "canary", ["--stack", "production", "--service", "api", "--weight", "100"], /that is a cutover/);
    refused(dir, "canary", ["--stack", "production", "--service", "api", "--weight", "5"], /standby colour \(green\) runs 0 pods \(standbyScale: idle\): promote a release to it first/);
    refused(dir, "canary", ["--stack", "production", "--service", "worker", "--weight", "5"], /service "worker" of stack "production" is not blue-green/);
    refused(dir, "canary", ["--stack", "production", "--service", "api", "--weight", "five"], /--weight must be a whole percent from 0 to 99, got "five"/);
    refused(dir, "canary", ["--stack", "production", "--weight", "5"], /--service is required/);
  });

  it("cutover: to an idle standby, or twice", () => {
    const dir = projectCopy();
    refused(dir, "cutover", ["--stack", "production"], /standby colour \(green\) runs 0 pods \(standbyScale: idle\): promote a release to it first/);
    release(dir, "promote", ...promoteArgs());
    release(dir, "cutover", "--stack", "production");
    refused(dir, "cutover", ["--stack", "production"], /was cut over at .* and green is live: to switch back, roll back \(npm run rollback -- --stack production --service api\)/);
  });

  it("rollback: without a cutover, or after the old colour was retired", () => {
    const dir = projectCopy();
    refused(dir, "rollback", ["--stack", "production"], /previous colour \(green\) was retired \(scaled to 0\)/);
    release(dir, "promote", ...promoteArgs());
    refused(dir, "rollback", ["--stack", "production"], /api has no cutover to roll back/);
    release(dir, "cutover", "--stack", "production", "--now", "2026-11-20T00:00:00Z");
    release(dir, "retire", "--stack", "production", "--now", "2026-11-21T00:00:00Z");
    refused(dir, "rollback", ["--stack", "production"], /previous colour \(blue\) was retired/);
  });

  it("retire: during a canary", () => {
    const dir = projectCopy();
    release(dir, "promote", ...promoteArgs());
    release(dir, "canary", "--stack", "production", "--service", "api", "--weight", "5");
    refused(dir, "retire", ["--stack", "production"], /takes 5 % of requests: abort the canary first/);
    // Aborting the canary (weight 0) removes the setting; a release that never took traffic retires at once.
    release(dir, "canary", "--stack", "production", "--service", "api", "--weight", "0");
    expect(release(dir, "retire", "--stack", "production")).toContain("api: green (ghcr.io/example/mcp-server:1.4.2@");
  });

  it("bad input: unknown stack, unknown service, unknown command, a bad time", () => {
    const dir = projectCopy();
    refused(dir, "cutover", ["--stack", "prod"], /^no stack "prod": this project has production, staging \(Pulumi\.<stack>\.yaml\)$/);
    refused(dir, "cutover", ["--stack", "production", "--service", "apu"], /stack "production" has no service "apu" \(services: api, worker\)/);
    refused(dir, "deploy", ["--stack", "production"], /unknown command "deploy"; one of: promote, canary, cutover, rollback, retire/);
    refused(dir, "retire", ["--stack", "production", "--now", "soon"], /--now: "soon" is not a time/);
  });
});

describe("stack files a command must not edit: exit 2 before anything is printed, no byte changed", () => {
  /** After beforeAll wrote staging's state. */
  const promoteArgs = () => ["--source-state", stagingState, "--now", "2026-11-24T06:00:00Z"];
  const observed = () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "mcp-observed-")), "healthy.json");
    const figures = { errorRate: 0.001, p95Seconds: 0.2, restarts5m: 0, requests: 5000 };
    fs.writeFileSync(file, JSON.stringify({ stable: figures, candidate: figures, baselineP95Seconds: 0.2 }));
    return file;
  };
  /** Each command that edits a stack file, on the stack given, in a state where it would write. */
  const COMMANDS: Record<string, (dir: string, stack: string, print: (text: string) => void) => unknown> = {
    promote: (dir, stack, print) => runRelease("promote", ["--from", "staging", "--to", stack, ...promoteArgs(), "--dir", dir], print),
    canary: (dir, stack, print) => runRelease("canary", ["--stack", stack, "--service", "api", "--weight", "5", "--dir", dir], print),
    cutover: (dir, stack, print) => runRelease("cutover", ["--stack", stack, "--dir", dir], print),
    advance: (dir, stack, print) => runDelivery("advance", ["--stack", stack, "--service", "api", "--observed", observed(), "--dir", dir], print),
  };
  const outside = () => fs.mkdtempSync(path.join(os.tmpdir(), "mcp-outside-"));
  const production = (dir: string) => path.join(dir, "Pulumi.production.yaml");

  /** A hostile input: makes it in the project copy; returns the --stack value and the files that must not change. */
  const CASES: [string, (dir: string) => { stack: string; files: string[] }, (dir: string) => RegExp][] = [
    [
      "a --stack value that climbs out of the project (x/../../NAME)",
      (dir) => {
        const target = path.join(dir, `Pulumi.x/../../${path.basename(dir)}-evil.yaml`);
        fs.copyFileSync(production(dir), target);
        return { stack: `x/../../${path.basename(dir)}-evil`, files: [target] };
      },
      () => /^no stack "x\/\.\.\/\.\.\/[^"]+-evil": this project has production, staging \(Pulumi\.<stack>\.yaml\)$/,
    ],
    [
      "an absolute path as --stack",
      () => {
        const target = path.join(outside(), "Pulumi.production.yaml");
        fs.copyFileSync(path.join(PROJECT_DIR, "Pulumi.production.yaml"), target);
        return { stack: target, files: [target] };
      },
      () => /^no stack "\/.*Pulumi\.production\.yaml": this project has production, staging/,
    ],
    ["a --stack value with a slash", () => ({ stack: "production/api", files: [] }), () => /^no stack "production\/api": this project has production, staging/],
    [
      "a stack file that is a link to a file outside the project",
      (dir) => {
        const target = path.join(outside(), "Pulumi.production.yaml");
        fs.renameSync(production(dir), target);
        fs.symlinkSync(target, production(dir));
        return { stack: "production", files: [target] };
      },
      (dir) => new RegExp(`^${production(dir).replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} is a link to /.*Pulumi\\.production\\.yaml, outside the project \\(.*\\): a release edits only the project's own stack files`),
    ],
    [
      "a read-only stack file (0444: root could still write it)",
      (dir) => {
        fs.chmodSync(production(dir), 0o444);
        return { stack: "production", files: [] };
      },
      () => /Pulumi\.production\.yaml: read-only \(mode 444\): nothing written; make it writable \(chmod u\+w .*Pulumi\.production\.yaml\) and run again$/,
    ],
    [
      "a stack file with a Latin-1 byte in a comment",
      (dir) => {
        const bytes = fs.readFileSync(production(dir));
        const at = bytes.indexOf("\nconfig:");
        fs.writeFileSync(production(dir), Buffer.concat([bytes.subarray(0, at + 1), Buffer.from("# caf\xe9\n", "latin1"), bytes.subarray(at + 1)]));
        return { stack: "production", files: [] };
      },
      (dir) => {
        const bytes = fs.readFileSync(production(dir));
        const offset = bytes.indexOf(0xe9);
        return new RegExp(`Pulumi\\.production\\.yaml:${bytes.subarray(0, offset).filter((b) => b === 0x0a).length + 1}: not UTF-8 \\(byte 0xe9 at offset ${offset}\\); save the file as UTF-8$`);
      },
    ],
  ];

  it.each(CASES.flatMap(([name, make, message]) => Object.keys(COMMANDS).map((command) => [`${command}: ${name}`, command, make, message] as const)))("%s", async (_name, command, make, message) => {
    const dir = projectCopy();
    runRelease("promote", ["--from", "staging", "--to", "production", ...promoteArgs(), "--dir", dir], () => undefined); // so every command would write
    const { stack, files } = make(dir);
    const watched = [...["staging", "production"].map((s) => path.join(dir, `Pulumi.${s}.yaml`)), ...files];
    const before = watched.map(bytes);
    let out = "";
    let error: unknown;
    try {
      await COMMANDS[command](dir, stack, (text) => (out += text));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toMatch(message(dir));
    expect(out).toBe("");
    expect(watched.map(bytes)).toEqual(before);
  });

  it("a write the file system refuses (EROFS, EACCES) is exit 2 with the reason, and nothing printed", () => {
    const dir = projectCopy();
    runRelease("promote", ["--from", "staging", "--to", "production", ...promoteArgs(), "--dir", dir], () => undefined);
    const before = bytes(production(dir));
    // The module itself (the namespace import's bindings cannot be replaced); root passes EACCES, so the refusal is simulated.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const fsModule = require("fs") as typeof fs;
    for (const code of ["EROFS", "EACCES"]) {
      const spy = jest.spyOn(fsModule, "writeFileSync").mockImplementation(() => {
        throw Object.assign(new Error(`${code}: refused, open '${production(dir)}'`), { code });
      });
      let out = "";
      try {
        expect(() => runRelease("cutover", ["--stack", "production", "--dir", dir], (text) => (out += text))).toThrow(new RegExp(`Pulumi\\.production\\.yaml: cannot be written \\(${code}.*\\): nothing written; make it writable and run again$`));
      } finally {
        spy.mockRestore();
      }
      expect(out).toBe("");
    }
    expect(bytes(production(dir))).toEqual(before);
  });

  it("keeps a byte-order mark, CRLF line endings and non-ASCII text byte for byte through real edits", () => {
    const windows = (text: string) => `\uFEFF# Produktion — 終わり\r\n${text.replace(/\n/g, "\r\n")}`;
    const [plain, saved] = [projectCopy(), projectCopy()];
    fs.writeFileSync(production(saved), windows(fs.readFileSync(production(saved), "utf8")));
    for (const dir of [plain, saved]) {
      runRelease("promote", ["--from", "staging", "--to", "production", ...promoteArgs(), "--dir", dir], () => undefined);
      runRelease("canary", ["--stack", "production", "--service", "api", "--weight", "5", "--dir", dir], () => undefined);
      runRelease("cutover", ["--stack", "production", "--now", "2026-11-24T07:00:00Z", "--dir", dir], () => undefined);
    }
    const edited = fs.readFileSync(production(plain), "utf8");
    expect(edited).toContain('cutoverAt: "2026-11-24T07:00:00.000Z"');
    expect(bytes(production(saved))).toEqual(Buffer.from(windows(edited), "utf8").toString("latin1"));
  });
});
