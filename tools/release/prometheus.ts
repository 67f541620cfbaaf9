/**
 * The figures progressive delivery judges, read from Prometheus's HTTP API (/api/v1/query) through
 * the stack's per-colour recording rules (components/monitoring/rules.ts): app_color:http_requests,
 * app_color:http_error_ratio, app_color:http_request_duration_seconds:p95_5m and
 * app_color:pod_restarts:increase5m. During a canary the window is the rules' 5 minutes now; after a
 * cutover it is everything since the cutover (the worst 5 minutes of it among those with at least
 * delivery.minRequests requests), and the baseline is the old colour's p95 when traffic switched.
 */
import type { Color } from "../../config";
import { UsageError } from "../cli";
import type { ColorFigures, Observation, Phase } from "./analysis";

/** The recording rules' window, in seconds. */
const RULE_WINDOW = 300;

/** Runs one instant query; a vector's first sample value, or null when the result is empty (or NaN). */
export async function queryValue(prometheus: URL, query: string, time: Date, timeoutMs: number): Promise<number | null> {
  const url = new URL("api/v1/query", prometheus.href.endsWith("/") ? prometheus : `${prometheus.href}/`);
  url.searchParams.set("query", query);
  url.searchParams.set("time", (time.getTime() / 1000).toFixed(3));
  let response: Response;
  let text: string;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    text = await response.text();
  } catch (error) {
    const reason = (error as Error).name === "TimeoutError" ? `no answer within ${timeoutMs} ms` : ((error as Error & { cause?: Error }).cause?.message ?? (error as Error).message);
    throw new UsageError(
      `cannot query Prometheus at ${prometheus.href} (${reason}): check --prometheus, e.g. kubectl -n monitoring port-forward svc/kube-prometheus-stack-prometheus 9090 and --prometheus http://127.0.0.1:9090`,
    );
  }
  let body: { status?: string; error?: string; data?: { resultType?: string; result?: { value?: [number, string] }[] } };
  try {
    body = JSON.parse(text);
  } catch {
    throw new UsageError(`${url.origin}${url.pathname} answered ${response.status} with something that is not Prometheus's JSON (${text.slice(0, 80).trim()}): is --prometheus a Prometheus server?`);
  }
  if (!response.ok || body.status !== "success") throw new UsageError(`Prometheus at ${prometheus.href} refused ${query}: ${response.status} ${body.error ?? text.slice(0, 120)}`);
  if (body.data?.resultType !== "vector") throw new UsageError(`Prometheus answered ${query} with a ${body.data?.resultType}, not a vector`);
  const sample = body.data.result?.[0]?.value;
  if (!sample) return null;
  const value = Number(sample[1]);
  return Number.isFinite(value) ? value : null;
}

/** The series selector of one service's colour in the stack's namespace. */
const selector = (namespace: string, service: string, color: Color) => `{namespace="${namespace}",app="${service}",color="${color}"}`;

/** Observes a service's two colours as the phase asks: now (canary), or since the cutover. */
export async function observe(prometheus: URL, namespace: string, phase: Phase, minRequests: number, now: Date, timeoutMs = 5000): Promise<Observation> {
  const q = (query: string, time = now) => queryValue(prometheus, query, time, timeoutMs);
  const since = phase.kind === "cutover" ? Math.max(1, Math.round((now.getTime() - phase.cutoverAt.getTime()) / 1000)) : 0;
  const figures = async (color: Color): Promise<ColorFigures> => {
    const s = selector(namespace, phase.service, color);
    if (since === 0) {
      const [rate, errorRate, p95, restarts] = await Promise.all([
        q(`app_color:http_requests:rate5m${s}`),
        q(`app_color:http_error_ratio:rate5m${s}`),
        q(`app_color:http_request_duration_seconds:p95_5m${s}`),
        q(`app_color:pod_restarts:increase5m${s}`),
      ]);
      return figuresOf(rate === null ? 0 : rate * RULE_WINDOW, errorRate, p95, restarts);
    }
    const range = `[${since}s]`;
    // The worst 5 minutes among those with enough traffic to judge (one failure in a quiet night's three requests is no 33 % error rate).
    const judged = (rule: string) => `max_over_time((${rule}${s} and on (namespace, app, color) app_color:http_requests:rate5m${s} >= ${minRequests / RULE_WINDOW})[${since}s:])`;
    const [avgRate, errorRate, p95, restarts] = await Promise.all([
      q(`avg_over_time(app_color:http_requests:rate5m${s}${range})`),
      q(judged("app_color:http_error_ratio:rate5m")),
      q(judged("app_color:http_request_duration_seconds:p95_5m")),
      q(`max_over_time(app_color:pod_restarts:increase5m${s}${range})`),
    ]);
    const requests = avgRate === null ? 0 : avgRate * since;
    // With no 5 minutes busy enough, there is no error rate to report: figuresOf's "requests but no error series" does not apply.
    return { ...figuresOf(requests, errorRate, p95, restarts), ...(errorRate === null ? { errorRate: null } : {}) };
  };
  const [stable, candidate] = await Promise.all([figures(phase.stable), figures(phase.candidate)]);
  const baselineP95Seconds =
    phase.kind === "cutover" ? await q(`app_color:http_request_duration_seconds:p95_5m${selector(namespace, phase.service, phase.stable)}`, phase.cutoverAt) : stable.p95Seconds;
  return { stable, candidate, baselineP95Seconds };
}

/** A colour with requests and no error series has answered none with an error. */
function figuresOf(requests: number, errorRate: number | null, p95: number | null, restarts: number | null): ColorFigures {
  return {
    errorRate: errorRate ?? (requests > 0 ? 0 : null),
    p95Seconds: p95,
    restarts5m: restarts === null ? 0 : Math.round(restarts),
    requests: Math.round(requests),
  };
}
