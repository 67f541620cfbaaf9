/**
 * Every stack and every example (as production) applied to the real API server by server-side
 * apply: no error, no warning (deprecations, Pod Security), every Deployment's and StatefulSet's
 * pods Ready and every Job complete on kwok's nodes, every Service's EndpointSlices on exactly the
 * Ready pods it selects; then all of it deleted again, namespaces included.
 */
import * as path from "path";
import { Deployer } from "../../tools/cluster/apply";
import type { KubeClient } from "../../tools/cluster/kube-client";
import { render, renderFile, STACKS } from "../harness";
import { clusterObjects, connect, endpointsMatch, EXAMPLES, lines, notReady, rollout, teardown } from "./cluster";

let client: KubeClient;
beforeAll(() => (client = connect()));
afterAll(() => client?.close());

const cases = [
  ...STACKS.map((stack) => ({ name: `stack ${stack}`, plan: () => render(stack, undefined, true) })),
  ...EXAMPLES.map((file) => ({ name: `example ${path.basename(file)} (as production)`, plan: () => renderFile("production", file, true) })),
];

describe.each(cases)("$name", ({ plan }) => {
  it("is applied without an error or a warning, its pods become Ready, its Services reach them, and it is deleted again", async () => {
    const deployer = new Deployer(client);
    const objects = clusterObjects(await plan());
    const { result, waiting } = await rollout(client, deployer, objects);
    try {
      expect(lines(result.errors)).toEqual([]);
      expect(lines(result.warnings)).toEqual([]);
      expect(notReady(waiting)).toEqual([]);
      for (const [service, { selected, endpoints }] of Object.entries(await endpointsMatch(client, deployer.applied))) {
        expect({ service, endpoints }).toEqual({ service, endpoints: selected });
      }
    } finally {
      const removed = await teardown(client, deployer);
      expect(lines(removed.errors)).toEqual([]);
    }
  });
});
