/**
 * A small client of the Kubernetes REST API for the cluster tests: discovery (kind -> resource),
 * server-side apply with strict field validation, get, list and delete. Every answer's `Warning`
 * headers are collected, so a caller can fail on deprecations and Pod Security warnings.
 */
import * as fs from "fs";
import * as https from "https";

export interface Credentials {
  server: string;
  caCert: string;
  clientCert: string;
  clientKey: string;
}

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string>; [key: string]: unknown };
  [key: string]: unknown;
}

/** A failed request: the server's status message, its reason (AlreadyExists, Invalid, ...) and code. */
export class KubeError extends Error {
  constructor(
    message: string,
    readonly code: number,
    readonly reason: string,
  ) {
    super(message);
  }
}

interface Resource {
  name: string;
  namespaced: boolean;
}

export interface Response<T> {
  body: T;
  warnings: string[];
}

/** The texts of `Warning: 299 - "text"` headers (RFC 7234), however Node joined them. */
export function parseWarnings(header: string | string[] | undefined): string[] {
  const joined = Array.isArray(header) ? header.join(", ") : (header ?? "");
  return [...joined.matchAll(/\d{3} \S+ "((?:[^"\\]|\\.)*)"/g)].map((m) => m[1].replace(/\\(.)/g, "$1"));
}

/** The path of a kind's collection, e.g. /apis/apps/v1/namespaces/ns/deployments. */
export function collectionPath(apiVersion: string, resource: string, namespace?: string): string {
  const base = apiVersion.includes("/") ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
  return `${base}${namespace ? `/namespaces/${namespace}` : ""}/${resource}`;
}

export class KubeClient {
  private readonly agent: https.Agent;
  private readonly resources = new Map<string, Resource>();
  /** The field manager of every apply, as the Pulumi provider uses one of its own. */
  readonly fieldManager = "mcp-platform-tests";

  constructor(private readonly credentials: Credentials) {
    this.agent = new https.Agent({
      keepAlive: true,
      ca: fs.readFileSync(credentials.caCert),
      cert: fs.readFileSync(credentials.clientCert),
      key: fs.readFileSync(credentials.clientKey),
    });
  }

  close(): void {
    this.agent.destroy();
  }

  request<T>(method: string, path: string, body?: unknown, contentType = "application/json"): Promise<Response<T>> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const req = https.request(
        `${this.credentials.server}${path}`,
        { method, agent: this.agent, headers: { accept: "application/json", ...(payload ? { "content-type": contentType, "content-length": Buffer.byteLength(payload) } : {}) } },
        (res) => {
          let text = "";
          res.setEncoding("utf8");
          res.on("data", (chunk) => (text += chunk));
          res.on("end", () => {
            const parsed = text ? safeJson(text) : {};
            const status = res.statusCode ?? 0;
            if (status >= 400) {
              const { message, reason } = (parsed ?? {}) as { message?: string; reason?: string };
              reject(new KubeError(`${method} ${path}: ${status} ${message ?? text}`, status, reason ?? ""));
            } else {
              resolve({ body: parsed as T, warnings: parseWarnings(res.headers.warning) });
            }
          });
        },
      );
      req.on("error", reject);
      req.end(payload);
    });
  }

  /** Forgets what discovery found (after CRDs were installed). */
  forgetDiscovery(): void {
    this.resources.clear();
  }

  private async discover(apiVersion: string): Promise<void> {
    const path = apiVersion.includes("/") ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
    const { body } = await this.request<{ resources: { name: string; kind: string; namespaced: boolean }[] }>("GET", path);
    for (const r of body.resources) if (!r.name.includes("/")) this.resources.set(`${apiVersion}/${r.kind}`, { name: r.name, namespaced: r.namespaced });
  }

  async resourceOf(apiVersion: string, kind: string): Promise<Resource> {
    const key = `${apiVersion}/${kind}`;
    if (!this.resources.has(key)) await this.discover(apiVersion);
    const found = this.resources.get(key);
    if (!found) throw new KubeError(`the server has no ${kind} in ${apiVersion}`, 404, "NotFound");
    return found;
  }

  async objectPath(apiVersion: string, kind: string, name: string, namespace?: string): Promise<string> {
    const resource = await this.resourceOf(apiVersion, kind);
    return `${collectionPath(apiVersion, resource.name, resource.namespaced ? (namespace ?? "default") : undefined)}/${encodeURIComponent(name)}`;
  }

  /** Server-side apply, conflicts forced, unknown or duplicate fields refused (fieldValidation=Strict). */
  async apply<T = KubeObject>(object: KubeObject, options: { dryRun?: boolean } = {}): Promise<Response<T>> {
    const path = await this.objectPath(object.apiVersion, object.kind, object.metadata.name, object.metadata.namespace);
    const query = `fieldManager=${this.fieldManager}&force=true&fieldValidation=Strict${options.dryRun ? "&dryRun=All" : ""}`;
    return this.request<T>("PATCH", `${path}?${query}`, object, "application/apply-patch+yaml");
  }

  async get<T = KubeObject>(apiVersion: string, kind: string, name: string, namespace?: string): Promise<T | undefined> {
    try {
      return (await this.request<T>("GET", await this.objectPath(apiVersion, kind, name, namespace))).body;
    } catch (error) {
      if (error instanceof KubeError && error.code === 404) return undefined;
      throw error;
    }
  }

  /** The objects of a kind (in a namespace, or all), optionally selected: { labelSelector, fieldSelector }. */
  async list<T = KubeObject>(apiVersion: string, kind: string, namespace?: string, selectors: Record<string, string> = {}): Promise<T[]> {
    const resource = await this.resourceOf(apiVersion, kind);
    const query = new URLSearchParams(selectors).toString();
    const { body } = await this.request<{ items: T[] }>("GET", `${collectionPath(apiVersion, resource.name, resource.namespaced ? namespace : undefined)}${query ? `?${query}` : ""}`);
    return body.items;
  }

  /** Deletes an object and its dependents (background propagation); a missing object is no error. */
  async delete(object: Pick<KubeObject, "apiVersion" | "kind" | "metadata">): Promise<void> {
    const path = await this.objectPath(object.apiVersion, object.kind, object.metadata.name, object.metadata.namespace);
    try {
      await this.request("DELETE", path, { kind: "DeleteOptions", apiVersion: "v1", propagationPolicy: "Background" });
    } catch (error) {
      if (!(error instanceof KubeError && error.code === 404)) throw error;
    }
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return { message: text };
  }
}
