/** Pure views of an offline plan: the resource tree, counts per type, manifests per component. */
import { stringify } from "yaml";
import type { Plan, PlannedResource } from "./render-stack";

/** The resource tree, children sorted by type and name, one line per resource. */
export function formatTree(plan: Plan): string {
  const children = new Map<string | null, PlannedResource[]>();
  for (const r of plan.resources) children.set(r.parent, [...(children.get(r.parent) ?? []), r]);
  const lines: string[] = [];
  const walk = (parent: string | null, prefix: string) => {
    const list = [...(children.get(parent) ?? [])].sort((a, b) => a.type.localeCompare(b.type) || a.name.localeCompare(b.name));
    list.forEach((r, i) => {
      const last = i === list.length - 1;
      const marks = [r.options.protect ? "protected" : "", r.options.ignoreChanges.length ? `ignoreChanges: ${r.options.ignoreChanges.join(",")}` : ""]
        .filter(Boolean)
        .join("; ");
      const branch = parent === null ? "" : last ? "└─ " : "├─ ";
      lines.push(`${prefix}${branch}${r.type} ${r.name}${marks ? `  [${marks}]` : ""}`);
      walk(r.urn, parent === null ? "" : prefix + (last ? "   " : "│  "));
    });
  };
  walk(null, "");
  return lines.join("\n");
}

export function countByType(plan: Plan): [string, number][] {
  const counts = new Map<string, number>();
  for (const r of plan.resources) counts.set(r.type, (counts.get(r.type) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => a[0].localeCompare(b[0]));
}

/** Is this a Kubernetes object (as opposed to a provider, component or other cloud's resource)? */
export function isKubernetesObject(r: PlannedResource): boolean {
  return r.custom && r.type.startsWith("kubernetes:") && !r.type.startsWith("pulumi:providers:") && typeof r.inputs.kind === "string";
}

/** Kubernetes objects grouped by the component that owns them, as multi-document YAML. */
export function manifestsByComponent(plan: Plan): Map<string, string> {
  const byUrn = new Map(plan.resources.map((r) => [r.urn, r]));
  const files = new Map<string, string[]>();
  for (const r of plan.resources.filter(isKubernetesObject).sort((a, b) => a.urn.localeCompare(b.urn))) {
    const owner = r.parent ? byUrn.get(r.parent) : undefined;
    const file = owner && !owner.custom && owner.type !== "pulumi:pulumi:Stack" ? owner.name : "stack";
    files.set(file, [...(files.get(file) ?? []), stringify(r.inputs, { lineWidth: 0 })]);
  }
  return new Map([...files.entries()].map(([file, docs]) => [file, docs.join("---\n")]));
}

/** Generated configuration files (nginx.conf, redis.conf, ...): every ConfigMap entry, as `<configmap>/<key>`. */
export function configFiles(plan: Plan): Map<string, string> {
  const files = new Map<string, string>();
  for (const r of plan.resources.filter(isKubernetesObject)) {
    const { kind, metadata, data } = r.inputs as { kind: string; metadata: { name: string }; data?: Record<string, string> };
    if (kind !== "ConfigMap" || !data) continue;
    for (const [key, text] of Object.entries(data)) files.set(`${metadata.name}/${key}`, text);
  }
  return files;
}
