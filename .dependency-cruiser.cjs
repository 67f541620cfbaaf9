/**
 * The architecture's rules, checked by `npm run lint` (dependency-cruiser) and test/architecture.test.ts:
 * no import circles; a component's folder is its own, and other parts import only its public face
 * (public.ts: names, ports, selectors, endpoints) or its Pulumi component (index.ts); the policy pack
 * is self-contained; configuration knows nothing of components or tools.
 */
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    { name: "no-circular", severity: "error", comment: "An import circle: split the shared part into a leaf module.", from: {}, to: { circular: true } },
    {
      name: "component-internals",
      severity: "error",
      comment: "Another component's internals: import its public face (public.ts) or its Pulumi component (index.ts) instead.",
      from: { path: "^components/([^/]+)/" },
      to: { path: "^components/[^/]+/", pathNot: ["^components/$1/", "^components/[^/]+/(public|index)\\.ts$"] },
    },
    {
      name: "internals-from-outside",
      severity: "error",
      comment: "A component's internals from outside its folder: import its public face (public.ts) or its Pulumi component (index.ts).",
      from: { path: "^(components/[^/]+\\.ts|config/|policies/|tools/|index\\.ts)" },
      to: { path: "^components/[^/]+/", pathNot: "^components/[^/]+/(public|index)\\.ts$" },
    },
    {
      name: "policies-self-contained",
      severity: "error",
      comment: "The policy pack is published on its own: it imports only its own files and packages.",
      from: { path: "^policies/" },
      to: { pathNot: ["^policies/", "node_modules"], dependencyTypesNot: ["core"] },
    },
    {
      name: "config-is-a-leaf",
      severity: "error",
      comment: "Configuration (schema, validation, rules) is read by components and tools, never the other way.",
      from: { path: "^config/" },
      to: { path: "^(components|tools)/" },
    },
    { name: "program-without-tools", severity: "error", comment: "The Pulumi program does not depend on the offline tools.", from: { path: "^(components/|index\\.ts)" }, to: { path: "^tools/" } },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "(^|/)node_modules/" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
  },
};
