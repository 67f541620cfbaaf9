/** What each service's settings refer to: images pinned for the environment, other services, generated secrets, volumes, data services, an edge route. */
import { pinningProblem } from "../image";
import { routedServices } from "../topology";
import type { DataUse } from "../data";
import type { Image, ServiceConfig } from "../schema";
import type { PlatformConfig, Problem } from "../types";
import type { Rule } from "./rule";

/** Every image a service runs, with its key path. */
function serviceImages(svc: ServiceConfig): { path: string[]; image: Image }[] {
  if (svc.blueGreen) {
    return [
      { path: ["blueGreen", "blue", "image"], image: svc.blueGreen.blue.image },
      { path: ["blueGreen", "green", "image"], image: svc.blueGreen.green.image },
    ];
  }
  return svc.image ? [{ path: ["image"], image: svc.image }] : [];
}

/** One problem list per service, each path under services.<name>. */
const perService = (check: (svc: ServiceConfig, name: string, config: PlatformConfig) => Problem[]) => (config: PlatformConfig) =>
  Object.entries(config.services).flatMap(([name, svc]) => check(svc, name, config).map((p) => ({ ...p, path: ["services", name, ...p.path] })));

export const productionPinning: Rule = {
  name: "production-pinning",
  summary: 'Production pins images by "digest" or "immutable-tag", never by a tag alone.',
  check: (config) => (config.environment === "production" && config.imagePinning === "tag" ? [{ path: ["imagePinning"], message: 'production needs "digest" or "immutable-tag"' }] : []),
};

export const imagesPinned: Rule = {
  name: "images-pinned",
  summary: "Every service image is pinned as imagePinning asks (a digest, or an immutable tag).",
  check: perService((svc, _, config) =>
    serviceImages(svc).flatMap(({ path, image }) => {
      const problem = pinningProblem(image, config.imagePinning);
      return problem ? [{ path, message: problem }] : [];
    }),
  ),
};

export const serviceConnections: Rule = {
  name: "service-connections",
  summary: "connectsTo names other services of the stack that have a port.",
  check: perService((svc, name, config) =>
    svc.connectsTo.flatMap((target, i): Problem[] => {
      const other = config.services[target];
      if (target === name) return [{ path: ["connectsTo", i], message: "a service need not list itself" }];
      if (!other) return [{ path: ["connectsTo", i], message: `no service "${target}" (services: ${Object.keys(config.services).join(", ")})` }];
      if (other.port === undefined) return [{ path: ["connectsTo", i], message: `service "${target}" has no port to connect to` }];
      return [];
    }),
  ),
};

export const secretReferences: Rule = {
  name: "secret-references",
  summary: "An env value { secret: NAME } names a secret of secrets.generated.",
  check: perService((svc, _, config) =>
    Object.entries(svc.env).flatMap(([variable, value]) => {
      if (typeof value !== "object" || !("secret" in value) || config.secrets.generated[value.secret]) return [];
      const known = Object.keys(config.secrets.generated);
      return [{ path: ["env", variable, "secret"], message: `no generated secret "${value.secret}": add it under mcp-platform:secrets.generated${known.length ? ` (have: ${known.join(", ")})` : ""}` }];
    }),
  ),
};

export const serviceMounts: Rule = {
  name: "service-mounts",
  summary: "A service's mounts name declared volumes, each at a path of its own (not /tmp or a writable path).",
  check: perService((svc, _, config) => {
    const problems: Problem[] = [];
    const paths = new Map<string, string>([["/tmp", "the writable /tmp"], ...svc.writablePaths.map((p, i): [string, string] => [p, `writablePaths[${i}]`])]);
    svc.mounts.forEach((mount, i) => {
      if (!config.volumes[mount.volume]) {
        const known = Object.keys(config.volumes);
        problems.push({ path: ["mounts", i, "volume"], message: `no volume "${mount.volume}": declare it under mcp-platform:volumes${known.length ? ` (have: ${known.join(", ")})` : ""}` });
      }
      const taken = paths.get(mount.path);
      if (taken) problems.push({ path: ["mounts", i, "path"], message: `${mount.path} is already ${taken}: mount each volume at a path of its own` });
      paths.set(mount.path, `mounts[${i}]`);
    });
    return problems;
  }),
};

function missingDataService(config: PlatformConfig, use: DataUse): string | undefined {
  switch (use) {
    case "postgres":
      return config.postgres ? undefined : "needs mcp-platform:postgres to be configured";
    case "postgres-pooled":
      return config.postgres?.pooler ? undefined : "needs mcp-platform:postgres.pooler to be configured";
    case "redis-cache":
      return config.redis?.cache ? undefined : "needs mcp-platform:redis.cache to be configured";
    case "redis-queue":
      return config.redis?.queue ? undefined : "needs mcp-platform:redis.queue to be configured";
  }
}

export const dataUses: Rule = {
  name: "data-uses",
  summary: "Each data service a service uses is configured; postgres and postgres-pooled are not both used (they set the same DATABASE_* variables).",
  check: perService((svc, _, config) => {
    const problems: Problem[] = svc.uses.flatMap((use, i) => {
      const missing = missingDataService(config, use);
      return missing ? [{ path: ["uses", i], message: missing }] : [];
    });
    if (svc.uses.includes("postgres") && svc.uses.includes("postgres-pooled")) {
      problems.push({ path: ["uses"], message: "use postgres or postgres-pooled, not both (they set the same DATABASE_* variables)" });
    }
    return problems;
  }),
};

export const canaryRoute: Rule = {
  name: "canary-route",
  summary: "A canary weight needs an edge route to the service: the split happens at the edge.",
  check: perService((svc, name, config) =>
    svc.blueGreen?.canaryWeight && !routedServices(config.edge).includes(name)
      ? [{ path: ["blueGreen", "canaryWeight"], message: "the canary split happens at the edge: route this service in mcp-platform:edge.routes, or set 0" }]
      : [],
  ),
};

export const edgeRoutes: Rule = {
  name: "edge-routes",
  summary: "Every edge route names a service of the stack that has a port.",
  check: (config) =>
    (config.edge?.routes ?? []).flatMap((route, i): Problem[] => {
      const target = config.services[route.service];
      if (!target) return [{ path: ["edge", "routes", i, "service"], message: `no service "${route.service}" (services: ${Object.keys(config.services).join(", ")})` }];
      if (target.port === undefined) return [{ path: ["edge", "routes", i, "service"], message: `service "${route.service}" has no port to route to` }];
      return [];
    }),
};
