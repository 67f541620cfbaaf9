/**
 * The shape of a plan file (`npm run plan -- --json`), checked before the policies read it: a plan
 * edited by hand or cut short must be refused naming the field, not crash a policy with a stack trace.
 */
import { z } from "zod";

const urns = z.array(z.string());

const ResourceSchema = z.object({
  urn: z.string().regex(/^urn:pulumi:/, "a Pulumi URN (urn:pulumi:<stack>::<project>::<type>::<name>)"),
  type: z.string().min(1),
  name: z.string().min(1),
  custom: z.boolean(),
  parent: z.string().nullable(),
  inputs: z.record(z.string(), z.unknown()),
  options: z.object({
    protect: z.boolean(),
    dependsOn: urns,
    ignoreChanges: z.array(z.string()),
    deleteBeforeReplace: z.boolean(),
    replaceOnChanges: z.array(z.string()),
    retainOnDelete: z.boolean(),
    additionalSecretOutputs: z.array(z.string()),
    provider: z.string().nullable(),
    propertyDependencies: z.record(z.string(), urns),
  }),
});

const PlanSchema = z.object({
  project: z.string().min(1),
  stack: z.string().min(1),
  stackFile: z.string().optional(),
  resources: z.array(ResourceSchema),
  outputs: z.record(z.string(), z.unknown()),
});

const fieldPath = (path: readonly PropertyKey[]) => path.map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`)).join("").replace(/^\./, "") || "(the whole file)";

/** What is wrong with a parsed plan file, one line per problem (at most `max`); [] when it is a plan. Pure. */
export function planFileProblems(plan: unknown, max = 20): string[] {
  const parsed = PlanSchema.safeParse(plan);
  if (!parsed.success) {
    return parsed.error.issues.slice(0, max).map((issue) => `${fieldPath(issue.path)}: ${issue.message.replace(/^Invalid input: /, "")}`);
  }
  const seen = new Map<string, number>();
  const problems: string[] = [];
  parsed.data.resources.forEach((resource, i) => {
    const first = seen.get(resource.urn);
    if (first !== undefined) problems.push(`resources[${i}].urn: ${resource.urn} is also resources[${first}]'s: a URN names one resource`);
    else seen.set(resource.urn, i);
  });
  return problems.slice(0, max);
}
