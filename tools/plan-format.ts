/** Pure views of an offline plan: the resource tree, counts, manifests per component, Helm releases, generated config files. */
import { stringify } from "yaml";
import { PLAIN_KEYS_ANNOTATION } from "../components/labels";
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

/** A resource the policy pack analyzes: a custom resource that is not a provider (what `pulumi preview --policy-pack` analyzes). */
export const isChecked = (r: PlannedResource) => r.custom && !r.type.startsWith("pulumi:providers:");

/** What a plan's total is made of: the resources the pack checks (npm run check counts these), providers, components and the stack. */
export function planCounts(plan: Plan): { total: number; checked: number; providers: number; components: number } {
  const checked = plan.resources.filter(isChecked).length;
  const providers = plan.resources.filter((r) => r.custom && !isChecked(r)).length;
  const components = plan.resources.filter((r) => !r.custom && r.type !== "pulumi:pulumi:Stack").length;
  return { total: plan.resources.length, checked, providers, components };
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

/**
 * Generated configuration files (nginx.conf, redis.conf, alertmanager.yaml, ...) as `<object>/<key>`:
 * every ConfigMap entry, and the Secret entries that hold configuration without credentials
 * (listed in the Secret's PLAIN_KEYS_ANNOTATION).
 */
export function configFiles(plan: Plan): Map<string, string> {
  const files = new Map<string, string>();
  for (const r of plan.resources.filter(isKubernetesObject)) {
    const { kind, metadata, data, stringData } = r.inputs as {
      kind: string;
      metadata: { name: string; annotations?: Record<string, string> };
      data?: Record<string, string>;
      stringData?: Record<string, string>;
    };
    const entries =
      kind === "ConfigMap"
        ? Object.entries(data ?? {})
        : kind === "Secret"
          ? (metadata.annotations?.[PLAIN_KEYS_ANNOTATION]?.split(",") ?? []).map((key): [string, string] => [key, stringData?.[key] ?? ""])
          : [];
    for (const [key, text] of entries) files.set(`${metadata.name}/${key}`, text);
  }
  return files;
}

/**
 * Every Helm release as two files under `<namespace>/<release>`: `.yaml` with its chart, version,
 * repository, namespace and options, `.values.yaml` with its values as `helm template --values` takes them.
 */
export function helmReleases(plan: Plan): Map<string, string> {
  const files = new Map<string, string>();
  for (const r of plan.resources.filter((resource) => resource.type === "kubernetes:helm.sh/v3:Release")) {
    const { values, repositoryOpts, name = r.name, chart, version, namespace = "default", ...rest } = r.inputs as Record<string, unknown> & { repositoryOpts?: { repo?: string } };
    // `compat` is the provider's own marker, not a setting of the release.
    const options = Object.fromEntries(Object.entries(rest).filter(([key]) => key !== "compat"));
    const base = `${namespace}/${name}`;
    const repository = repositoryOpts?.repo;
    const command = `helm template ${name} ${chart}${repository ? ` --repo ${repository}` : ""} --version ${version} --namespace ${namespace} --values ${base}.values.yaml`;
    const release = { name, chart, version, ...(repository ? { repository } : {}), namespace, ...options };
    files.set(`${base}.yaml`, `# Helm release ${name} (resource ${r.name}). Render it offline from this folder:\n#   ${command}\n${stringify(release, { lineWidth: 0 })}`);
    files.set(`${base}.values.yaml`, stringify(values ?? {}, { lineWidth: 0 }));
  }
  return files;
}
