/**
 * No object of ours has the kind and name of one CloudNativePG creates for a Cluster or Pooler in
 * the same namespace (test/upstream/cnpg-names.ts): the live cluster, its poolers, and the restore
 * drill's scratch cluster (created by the drill from its template), on every stack and example.
 */
import { cnpgClusterObjects, cnpgPoolerObjects } from "./upstream/cnpg-names";
import { EXAMPLE_FILES, objects, render, renderExample, STACKS, type K8sObject } from "./harness";
import type { Plan } from "../tools/render-stack";

const plans: [string, Plan][] = [];
beforeAll(async () => {
  for (const stack of STACKS) plans.push([stack, await render(stack)]);
  for (const file of EXAMPLE_FILES) plans.push([file, await renderExample(file)]);
});

const key = (o: K8sObject) => `${o.metadata.namespace}|${o.kind}/${o.metadata.name}`;

/** Every Cluster and Pooler the operator will see: the planned ones and the drill's scratch cluster template. */
function operatorOwners(planned: K8sObject[]): { owner: string; namespace: string; creates: string[] }[] {
  const templates = planned.filter((o) => o.kind === "ConfigMap" && o.data?.["cluster.json"]).map((o) => ({ ...JSON.parse(o.data["cluster.json"]), metadata: { namespace: o.metadata.namespace, ...JSON.parse(o.data["cluster.json"]).metadata } }) as K8sObject);
  return [...planned, ...templates].flatMap((o) => {
    if (o.apiVersion !== "postgresql.cnpg.io/v1") return [];
    const namespace = o.metadata.namespace!;
    if (o.kind === "Cluster") return [{ owner: `Cluster/${o.metadata.name}`, namespace, creates: cnpgClusterObjects(o.metadata.name) }];
    if (o.kind === "Pooler") return [{ owner: `Pooler/${o.metadata.name}`, namespace, creates: cnpgPoolerObjects(o.metadata.name) }];
    return [];
  });
}

it("covers the live cluster, a pooler and the drill's scratch cluster", () => {
  const owners = operatorOwners([...objects(plans.find(([name]) => name === "production")![1]).values()]).map((o) => o.owner.split("/")[0]);
  expect(new Set(owners)).toEqual(new Set(["Cluster", "Pooler"]));
  expect(owners.filter((kind) => kind === "Cluster").length).toBeGreaterThanOrEqual(2);
});

it.each(STACKS.map(String).concat(EXAMPLE_FILES))("%s: no object of ours is one CloudNativePG creates", (name) => {
  const planned = [...objects(plans.find(([n]) => n === name)![1]).values()];
  const ours = new Set(planned.map(key));
  const taken = operatorOwners(planned).flatMap(({ owner, namespace, creates }) => creates.filter((object) => ours.has(`${namespace}|${object}`)).map((object) => `${object} (created for ${owner})`));
  expect(taken).toEqual([]);
});
