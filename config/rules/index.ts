/** The checks across keys, in the order their problems are reported; docs/config-reference.md lists them. */
import { backupJobs, restoreNeedsBackups } from "./backups";
import { capacityPlan, quotaCoversRelease } from "./capacity";
import { generatedNames, monitoringNamespace } from "./names";
import { postgresParameters } from "./postgres";
import { ephemeralStorageHolds, limitRangeOrder, limitsWithinMax, redisMaxmemory, requestsWithinLimits } from "./resources";
import type { Rule } from "./rule";
import { maintenanceOrIsolation, productionBackupMinimums } from "./runbook";
import { canaryRoute, dataUses, edgeRoutes, imagesPinned, productionPinning, secretReferences, serviceConnections, serviceMounts } from "./services";
import { tenantsOnboarding } from "./tenants";
import { deploymentSize, distinctWritablePaths, preStopWithinGrace } from "./workloads";

export type { Rule } from "./rule";

export const RULES: readonly Rule[] = [
  productionPinning,
  imagesPinned,
  serviceConnections,
  secretReferences,
  serviceMounts,
  dataUses,
  canaryRoute,
  limitsWithinMax,
  edgeRoutes,
  restoreNeedsBackups,
  backupJobs,
  quotaCoversRelease,
  capacityPlan,
  tenantsOnboarding,
  ephemeralStorageHolds,
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
