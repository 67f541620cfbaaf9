/** The restricted Pod Security Standard, as the security contexts every workload of the stack uses. Pure. */
import type * as k8s from "@pulumi/kubernetes";

/** A container that cannot gain privileges or write its root filesystem. */
export const RESTRICTED_CONTAINER: k8s.types.input.core.v1.SecurityContext = {
  allowPrivilegeEscalation: false,
  privileged: false,
  readOnlyRootFilesystem: true,
  capabilities: { drop: ["ALL"] },
};

/** A pod that runs as the given non-root uid under the runtime's default seccomp profile. */
export function restrictedPod(uid: number): k8s.types.input.core.v1.PodSecurityContext {
  return { runAsNonRoot: true, runAsUser: uid, runAsGroup: uid, fsGroup: uid, seccompProfile: { type: "RuntimeDefault" } };
}
