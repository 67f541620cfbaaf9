/**
 * The objects CloudNativePG creates for a Cluster and a Pooler, named after them, as its source
 * reads (cloudnative-pg/cloudnative-pg, read with the search tool):
 * - pkg/specs/serviceaccount.go CreateServiceAccount, pkg/specs/roles.go CreateRole and the
 *   RoleBinding beside it: a ServiceAccount, Role and RoleBinding named as the Cluster, which the
 *   operator reconciles (it rewrites the Role's rules to the instance manager's);
 * - pkg/specs/poddisruptionbudget.go: PodDisruptionBudgets `<cluster>` and `<cluster>-primary`;
 * - api/v1 cluster_funcs.go: Services `<cluster>-rw`, `-ro`, `-r`; Secrets `<cluster>-superuser`,
 *   `-app`, `-ca`, `-server`, `-replication`; the instance manager reads a ConfigMap `<cluster>`
 *   (roles.go getInvolvedConfigMapNames);
 * - pkg/specs/pgbouncer (ServiceAccount, Role, deployments, services): a Pooler's ServiceAccount,
 *   Role, RoleBinding, Deployment and Service are named as the Pooler.
 * An object of ours with one of these kinds and names in the cluster's namespace would be taken
 * over, rewritten or garbage-collected with the cluster.
 */
export function cnpgClusterObjects(cluster: string): string[] {
  return [
    ...["ServiceAccount", "Role", "RoleBinding", "PodDisruptionBudget", "ConfigMap"].map((kind) => `${kind}/${cluster}`),
    `PodDisruptionBudget/${cluster}-primary`,
    ...["rw", "ro", "r"].map((suffix) => `Service/${cluster}-${suffix}`),
    ...["superuser", "app", "ca", "server", "replication"].map((suffix) => `Secret/${cluster}-${suffix}`),
  ];
}

export function cnpgPoolerObjects(pooler: string): string[] {
  return ["ServiceAccount", "Role", "RoleBinding", "Deployment", "Service"].map((kind) => `${kind}/${pooler}`);
}
