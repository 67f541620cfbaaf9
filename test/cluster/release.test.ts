/**
 * The release cycle as `pulumi up` runs it: each step is a release command on a copy of the stack
 * files, then the re-rendered plan applied to the real API server (objects that left the plan
 * deleted). promote -> smoke target -> canary 5 % -> cutover -> rollback -> cutover -> retire ->
 * secret rotation -> restart: no step may hit an error (an immutable field above all) or a
 * warning, every workload gets Ready, and Services api and api-preview end on the right colour's
 * Ready pods.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseDocument } from "yaml";
import { Deployer } from "../../tools/cluster/apply";
import type { KubeClient } from "../../tools/cluster/kube-client";
import { serviceEndpoints } from "../../tools/cluster/readiness";
import { waitFor } from "../../tools/cluster/control-plane";
import { runRelease } from "../../tools/release/command";
import { PROJECT_DIR, render, renderFile } from "../harness";
import { clusterObjects, connect, endpointsMatch, lines, notReady, rollout, teardown } from "./cluster";

const NAMESPACE = "mcp-production";
let client: KubeClient;
let deployer: Deployer;
const cycle = { dir: "", file: "", stagingState: "" };

beforeAll(async () => {
  client = connect();
  deployer = new Deployer(client);
  cycle.dir = fs.mkdtempSync(path.join(os.tmpdir(), "mcp-cluster-release-"));
  for (const file of ["Pulumi.yaml", "Pulumi.staging.yaml", "Pulumi.production.yaml"]) fs.copyFileSync(path.join(PROJECT_DIR, file), path.join(cycle.dir, file));
  cycle.file = path.join(cycle.dir, "Pulumi.production.yaml");
  cycle.stagingState = path.join(cycle.dir, "staging.json");
  fs.writeFileSync(cycle.stagingState, JSON.stringify(await render("staging")));
}, 60000);
afterAll(async () => {
  if (client) {
    const removed = await teardown(client, deployer);
    client.close();
    expect(lines(removed.errors)).toEqual([]);
  }
}, 120000);

const release = (command: string, ...args: string[]) => runRelease(command, [...args, "--dir", cycle.dir], () => undefined);

/** Sets a value in the copy of the production stack file, keeping the rest as written. */
function setConfig(keyPath: string[], value: unknown): void {
  const doc = parseDocument(fs.readFileSync(cycle.file, "utf8"));
  doc.setIn(["config", ...keyPath], value);
  fs.writeFileSync(cycle.file, doc.toString());
}

/** Re-renders the stack file, applies it and checks what the server and the controllers made of it; returns what it pruned and the pods behind Service api. */
async function deployStep(live: "blue" | "green", preview: { color: "blue" | "green"; pods: boolean }): Promise<{ pruned: string[]; livePods: string[] }> {
  const objects = clusterObjects(await renderFile("production", cycle.file, true));
  const { result, waiting } = await rollout(client, deployer, objects);
  expect(lines(result.errors)).toEqual([]);
  expect(lines(result.warnings)).toEqual([]);
  expect(notReady(waiting)).toEqual([]);
  for (const [service, { selected, endpoints }] of Object.entries(await endpointsMatch(client, deployer.applied))) {
    expect({ service, endpoints }).toEqual({ service, endpoints: selected });
  }
  const colours = async (service: string) => (await serviceEndpoints(client, NAMESPACE, service)).filter((e) => e.ready).map((e) => e.labels["mcp-platform.io/color"]);
  const expectColour = async (service: string, colour: string, some: boolean) => {
    const seen = await waitFor(`${service} on ${colour}`, async () => {
      const now = await colours(service);
      return now.every((c) => c === colour) && now.length > 0 === some ? now : undefined;
    }, 20000).catch(() => colours(service));
    expect({ service, colours: [...new Set(seen)] }).toEqual({ service, colours: some ? [colour] : [] });
  };
  await expectColour("api", live, true);
  await expectColour("api-preview", preview.color, preview.pods);
  const livePods = (await serviceEndpoints(client, NAMESPACE, "api")).filter((e) => e.ready).map((e) => e.pod).sort();
  return { pruned: result.pruned, livePods };
}

let before: { pruned: string[]; livePods: string[] };

describe("the release cycle on the real API server", () => {
  it("first deploy: blue serves, green idle", async () => {
    before = await deployStep("blue", { color: "green", pods: false });
  });

  it("promote: green runs staging's image at full scale; the smoke target api-preview reaches its Ready pods", async () => {
    release("promote", "--from", "staging", "--to", "production", "--source-state", cycle.stagingState);
    await deployStep("blue", { color: "green", pods: true });
  });

  it("canary 5 %", async () => {
    release("canary", "--stack", "production", "--service", "api", "--weight", "5");
    await deployStep("blue", { color: "green", pods: true });
  });

  it("cutover", async () => {
    release("cutover", "--stack", "production", "--now", "2026-11-24T07:00:00Z");
    await deployStep("green", { color: "blue", pods: true });
  });

  it("rollback", async () => {
    release("rollback", "--stack", "production");
    await deployStep("blue", { color: "green", pods: true });
  });

  it("cutover again", async () => {
    release("cutover", "--stack", "production", "--now", "2026-11-24T08:00:00Z");
    await deployStep("green", { color: "blue", pods: true });
  });

  it("retire: blue scaled to 0, what left the plan deleted", async () => {
    release("retire", "--stack", "production", "--now", "2026-11-25T08:00:00Z");
    before = await deployStep("green", { color: "blue", pods: false });
    expect(before.pruned).toContain("HorizontalPodAutoscaler mcp-production/api-blue");
  });

  it("secret rotation (secrets.rotation)", async () => {
    setConfig(["mcp-platform:secrets", "rotation"], 1);
    const after = await deployStep("green", { color: "blue", pods: false });
    // The pods that use the rotated secrets were replaced.
    expect(after.livePods.filter((pod) => before.livePods.includes(pod))).toEqual([]);
    before = after;
  });

  it("restart (restartedAt)", async () => {
    setConfig(["mcp-platform:restartedAt"], "2026-11-26T00:00:00Z");
    const after = await deployStep("green", { color: "blue", pods: false });
    expect(after.livePods.filter((pod) => before.livePods.includes(pod))).toEqual([]);
  });
});
