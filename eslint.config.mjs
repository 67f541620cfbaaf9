// ESLint flat config: TypeScript's recommended rules over the whole project.
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["node_modules/", "bin/", "plan/", "coverage/", "policies/node_modules/"] },
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
    },
  },
  {
    // The program loads each Kubernetes class from its API group's module. The package's index
    // (and helm/v3's, through the yaml module) requires every API group of the SDK and glob with
    // it: 115 more modules and 45 ms at the start of every plan, check and `pulumi up`.
    files: ["components/**/*.ts", "config/**/*.ts", "index.ts"],
    rules: {
      "@typescript-eslint/no-restricted-imports": [
        "error",
        {
          paths: ["@pulumi/kubernetes", "@pulumi/kubernetes/helm", "@pulumi/kubernetes/helm/v3", "@pulumi/kubernetes/yaml"].map((name) => ({
            name,
            allowTypeImports: true,
            message: "import the class from its API group (e.g. @pulumi/kubernetes/core/v1, @pulumi/kubernetes/helm/v3/release); types may still come from the package with `import type`",
          })),
        },
      ],
    },
  },
  {
    files: ["**/*.js", "**/*.cjs"],
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
);
