/* eslint-disable @typescript-eslint/no-explicit-any -- the mutations reach into a parsed plan file, which is JSON of any shape */
/**
 * A plan file is checked before the policies read it (tools/plan-file.ts): every plan the program
 * writes passes, and a plan edited by hand or cut short is refused naming the field.
 */
import { planFileProblems } from "../tools/plan-file";
import { EXAMPLE_FILES, render, renderExample, STACKS } from "./harness";
import type { Plan } from "../tools/render-stack";

const plans: [string, Plan][] = [];
beforeAll(async () => {
  for (const stack of STACKS) plans.push([stack, await render(stack)]);
  for (const file of EXAMPLE_FILES) plans.push([file, await renderExample(file)]);
});

it("passes every plan of every stack and example, as written to a file", () => {
  for (const [name, plan] of plans) expect({ name, problems: planFileProblems(JSON.parse(JSON.stringify(plan))) }).toEqual({ name, problems: [] });
});

const mutated = (change: (plan: Record<string, any>) => void) => {
  const plan = JSON.parse(JSON.stringify(plans[0][1]));
  change(plan);
  return planFileProblems(plan);
};

it.each<[string, (plan: Record<string, any>) => void, RegExp]>([
  ["not an object", (p) => Object.keys(p).forEach((k) => delete p[k]), /^project: /],
  ["no stack", (p) => delete p.stack, /^stack: /],
  ["resources not a list", (p) => (p.resources = {}), /^resources: /],
  ["a null resource", (p) => (p.resources[3] = null), /^resources\[3\]: /],
  ["a resource without type", (p) => delete p.resources[2].type, /^resources\[2\]\.type: /],
  ["null inputs", (p) => (p.resources[1].inputs = null), /^resources\[1\]\.inputs: /],
  ["options cut short", (p) => delete p.resources[4].options.dependsOn, /^resources\[4\]\.options\.dependsOn: /],
  ["not a URN", (p) => (p.resources[0].urn = "api"), /^resources\[0\]\.urn: .*a Pulumi URN/],
  ["a URN twice", (p) => (p.resources[5].urn = p.resources[1].urn), /^resources\[5\]\.urn: .* is also resources\[1\]'s/],
])("refuses %s, naming the field", (_name, change, message) => {
  const problems = mutated(change);
  expect(problems.length).toBeGreaterThan(0);
  expect(problems[0]).toMatch(message);
});

it("refuses null and a bare list", () => {
  expect(planFileProblems(null)[0]).toMatch(/^\(the whole file\): /);
  expect(planFileProblems([])[0]).toMatch(/^\(the whole file\): /);
});
