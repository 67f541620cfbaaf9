/** The checks across keys, in the order their problems are reported; docs/config-reference.md lists them. */
import { generatedNames, monitoringNamespace } from "./names";
import { postgresParameters } from "./postgres";
import { limitRangeOrder, redisMaxmemory, requestsWithinLimits } from "./resources";
import type { Rule } from "./rule";
import { maintenanceOrIsolation, productionBackupMinimums } from "./runbook";
import { deploymentSize, distinctWritablePaths, preStopWithinGrace } from "./workloads";

export type { Rule } from "./rule";

export const RULES: readonly Rule[] = [
  requestsWithinLimits,
  limitRangeOrder,
  redisMaxmemory,
  preStopWithinGrace,
  distinctWritablePaths,
  deploymentSize,
  postgresParameters,
  generatedNames,
  monitoringNamespace,
  productionBackupMinimums,
  maintenanceOrIsolation,
];
