/** postgres.parameters that CloudNativePG refuses, or that a dedicated key already sets. */
import { CNPG_FIXED_PARAMETERS } from "../limits";
import type { Rule } from "./rule";

/** Parameters the stack sets from keys of its own (components/postgres/render.ts). */
export const DEDICATED_PARAMETERS: Record<string, string> = {
  max_connections: "postgres.maxConnections",
  statement_timeout: "postgres.statementTimeout",
  idle_in_transaction_session_timeout: "postgres.idleInTransactionSessionTimeout",
  log_min_duration_statement: "postgres.slowQueryThreshold",
};

const FIXED = new Set<string>(CNPG_FIXED_PARAMETERS);

export const postgresParameters: Rule = {
  name: "postgres-parameters",
  summary: "postgres.parameters sets none of the parameters CloudNativePG fixes or blocks (its webhook refuses the Cluster) and none that a dedicated key sets.",
  check: (config) =>
    Object.keys(config.postgres?.parameters ?? {}).flatMap((parameter) => {
      const path = ["postgres", "parameters", parameter];
      if (FIXED.has(parameter)) return [{ path, message: "CloudNativePG sets or forbids this parameter itself (its webhook refuses the Cluster): remove it" }];
      const key = DEDICATED_PARAMETERS[parameter];
      return key ? [{ path, message: `set by ${key}: use that key instead` }] : [];
    }),
};
