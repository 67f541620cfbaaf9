/**
 * The public face of the monitoring component: the in-cluster addresses of the monitoring stack
 * (Alertmanager, Loki, Tempo's OTLP ports) and the Pushgateway jobs push to. Other parts import this file only.
 */
import { partSelector } from "../labels";

/** In-cluster addresses of the monitoring stack's services. */
export function monitoringEndpoints(monitoringNamespace: string) {
  const svc = (name: string, port: number) => `http://${name}.${monitoringNamespace}.svc:${port}`;
  return {
    alertmanager: svc("kube-prometheus-stack-alertmanager", 9093),
    loki: svc("loki", 3100),
    tempoQuery: svc("tempo", 3100),
    /** OTLP over gRPC, where services send traces. */
    otlp: svc("tempo", OTLP_GRPC_PORT),
  };
}

export const OTLP_GRPC_PORT = 4317;

export const OTLP_HTTP_PORT = 4318;

export const PUSHGATEWAY = {
  name: "pushgateway",
  port: 9091,
  selector: partSelector("pushgateway"),
} as const;

/** The address jobs push to. */
export const pushgatewayUrl = (namespace: string) => `http://${PUSHGATEWAY.name}.${namespace}.svc:${PUSHGATEWAY.port}`;

export * from "./rule-kit";
