/**
 * Pure rendering of the stack's namespace and its guard rails: pod security admission at
 * "restricted", a default-deny NetworkPolicy with DNS allowed, a ResourceQuota and a LimitRange.
 */
import type * as k8s from "@pulumi/kubernetes";
import { capacityPlanAnnotation, plannedTenants, type PlatformConfig } from "../../config";
import { kubernetesAmounts } from "../resources";
import { CAPACITY_PLAN_ANNOTATION, MANAGED_LABELS } from "../labels";

export interface NamespaceManifests {
  namespace: k8s.types.input.core.v1.Namespace;
  defaultDeny: k8s.types.input.networking.v1.NetworkPolicy;
  allowDns: k8s.types.input.networking.v1.NetworkPolicy;
  quota?: k8s.types.input.core.v1.ResourceQuota;
  limitRange: k8s.types.input.core.v1.LimitRange;
}

export function renderNamespace(config: Pick<PlatformConfig, "namespace" | "environment" | "quota" | "containerLimits" | "capacity" | "promotion" | "tenants">): NamespaceManifests {
  const labels = MANAGED_LABELS;
  const metadata = (name: string) => ({ name, namespace: config.namespace, labels });
  const { quota, containerLimits } = config;
  return {
    namespace: {
      apiVersion: "v1",
      kind: "Namespace",
      metadata: {
        name: config.namespace,
        labels: {
          ...labels,
          "mcp-platform.io/environment": config.environment,
          "pod-security.kubernetes.io/enforce": "restricted",
          "pod-security.kubernetes.io/enforce-version": "latest",
          "pod-security.kubernetes.io/warn": "restricted",
          "pod-security.kubernetes.io/audit": "restricted",
        },
        ...namespaceAnnotations(config),
      },
    },
    defaultDeny: {
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      metadata: metadata("default-deny"),
      spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] },
    },
    allowDns: {
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      metadata: metadata("allow-dns"),
      spec: {
        podSelector: {},
        policyTypes: ["Egress"],
        egress: [
          {
            to: [
              {
                namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } },
                podSelector: { matchLabels: { "k8s-app": "kube-dns" } },
              },
            ],
            ports: [
              { protocol: "UDP", port: 53 },
              { protocol: "TCP", port: 53 },
            ],
          },
        ],
      },
    },
    quota: quota && {
      apiVersion: "v1",
      kind: "ResourceQuota",
      metadata: metadata("quota"),
      spec: {
        hard: {
          "requests.cpu": quota.cpuRequests,
          "requests.memory": quota.memoryRequests,
          "limits.cpu": quota.cpuLimits,
          "limits.memory": quota.memoryLimits,
          pods: String(quota.pods),
        },
      },
    },
    limitRange: {
      apiVersion: "v1",
      kind: "LimitRange",
      metadata: metadata("container-limits"),
      spec: {
        limits: [
          {
            type: "Container",
            defaultRequest: kubernetesAmounts(containerLimits.defaultRequest),
            default: kubernetesAmounts(containerLimits.default),
            max: kubernetesAmounts(containerLimits.max),
          },
        ],
      },
    },
  };
}

/** The Namespace's annotations: the capacity plan the policies read (CAP-4), and the last promotion (REL-6), for who looks at the cluster. */
function namespaceAnnotations(config: Pick<PlatformConfig, "capacity" | "promotion" | "tenants">): { annotations?: Record<string, string> } {
  const annotations = {
    ...(config.capacity ? { [CAPACITY_PLAN_ANNOTATION]: capacityPlanAnnotation(config.capacity, plannedTenants(config.capacity, config.tenants)) } : {}),
    ...(config.promotion ? { "mcp-platform.io/promoted-from": config.promotion.from, "mcp-platform.io/promoted-at": config.promotion.at } : {}),
  };
  return Object.keys(annotations).length ? { annotations } : {};
}
