/**
 * The Pushgateway of a stack: where batch jobs that end before Prometheus could scrape them (the
 * restore drill) leave their results. One pod (pushed groups live in one place), its data on an
 * emptyDir persisted across container restarts, scraped with honorLabels so the pushed job and
 * grouping labels stay. Pure.
 */
import type * as k8s from "@pulumi/kubernetes";
import type { Image } from "../../config";
import { imageReference, PUSHGATEWAY_RESOURCES } from "../../config";
import { clientsRule, podPolicy, scrapeRule } from "../network";
import { RESTRICTED_CONTAINER, restrictedPod } from "../security";
import { containerResources, type CustomResourceManifest } from "../resources";
import { PUSHGATEWAY } from "./public";

/** nobody, as the image runs it. */
const PUSHGATEWAY_UID = 65534;


export interface PushgatewayManifests {
  statefulSet: k8s.types.input.apps.v1.StatefulSet;
  service: k8s.types.input.core.v1.Service;
  podMonitor: CustomResourceManifest;
  networkPolicy: k8s.types.input.networking.v1.NetworkPolicy;
}

export function renderPushgateway(ctx: { namespace: string; monitoringNamespace: string; image: Image; clients: Record<string, string>[]; release: string }): PushgatewayManifests {
  const labels = { ...PUSHGATEWAY.selector, "app.kubernetes.io/component": "monitoring", "app.kubernetes.io/managed-by": "pulumi" };
  const metadata = { name: PUSHGATEWAY.name, namespace: ctx.namespace, labels };
  return {
    statefulSet: {
      apiVersion: "apps/v1",
      kind: "StatefulSet",
      metadata,
      spec: {
        serviceName: PUSHGATEWAY.name,
        replicas: 1,
        selector: { matchLabels: PUSHGATEWAY.selector },
        template: {
          metadata: { labels },
          spec: {
            automountServiceAccountToken: false,
            securityContext: restrictedPod(PUSHGATEWAY_UID),
            containers: [
              {
                name: "pushgateway",
                image: imageReference(ctx.image),
                args: ["--persistence.file=/data/metrics", "--persistence.interval=1m"],
                ports: [{ name: "http", containerPort: PUSHGATEWAY.port, protocol: "TCP" }],
                resources: containerResources(PUSHGATEWAY_RESOURCES),
                securityContext: RESTRICTED_CONTAINER,
                readinessProbe: { httpGet: { path: "/-/ready", port: "http" }, periodSeconds: 10 },
                livenessProbe: { httpGet: { path: "/-/healthy", port: "http" }, periodSeconds: 10 },
                volumeMounts: [{ name: "data", mountPath: "/data" }],
              },
            ],
            volumes: [{ name: "data", emptyDir: { sizeLimit: "64Mi" } }],
          },
        },
      },
    },
    service: {
      apiVersion: "v1",
      kind: "Service",
      metadata,
      spec: { type: "ClusterIP", selector: PUSHGATEWAY.selector, ports: [{ name: "http", port: PUSHGATEWAY.port, targetPort: "http", protocol: "TCP" }] },
    },
    podMonitor: {
      apiVersion: "monitoring.coreos.com/v1",
      kind: "PodMonitor",
      metadata: { name: PUSHGATEWAY.name, namespace: ctx.namespace, labels: { ...labels, release: ctx.release } },
      spec: {
        selector: { matchLabels: PUSHGATEWAY.selector },
        // Keep the pushed `job` and grouping labels instead of the scrape's.
        podMetricsEndpoints: [{ port: "http", path: "/metrics", interval: "30s", honorLabels: true }],
      },
    },
    networkPolicy: podPolicy(metadata, PUSHGATEWAY.selector, {
      ingress: [...clientsRule(ctx.clients, PUSHGATEWAY.port), scrapeRule(ctx.monitoringNamespace, PUSHGATEWAY.port)],
      egress: [],
    }),
  };
}
