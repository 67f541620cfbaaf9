/** The namespace quota against the worst moment of a release, and the capacity plan (CAP-4) against the database volume. */
import { capacityBudget, plannedTenants, totalDemand, type Demand } from "../capacity";
import { repeats } from "../primitives";
import { quantity } from "../quantity";
import type { Problem } from "../types";
import type { Rule } from "./rule";

const round = (n: number) => Math.round(n * 100) / 100;

export const quotaCoversRelease: Rule = {
  name: "quota-covers-release",
  summary: "The quota holds the stack at the worst moment of a release: every colour at full scale, at max replicas, plus surge, migrations, the data services and the backup jobs.",
  check: (config) => {
    const { quota } = config;
    if (!quota) return [];
    const demand = totalDemand(config);
    const checks: [keyof Demand, number, string][] = [
      ["pods", quota.pods, String(demand.pods)],
      ["cpuRequests", quantity(quota.cpuRequests), `${round(demand.cpuRequests)} CPU`],
      ["memoryRequests", quantity(quota.memoryRequests), `${round(demand.memoryRequests / 2 ** 30)}Gi`],
      ["cpuLimits", quantity(quota.cpuLimits), `${round(demand.cpuLimits)} CPU`],
      ["memoryLimits", quantity(quota.memoryLimits), `${round(demand.memoryLimits / 2 ** 30)}Gi`],
    ];
    return checks
      .filter(([key, allowed]) => demand[key] > allowed + 1e-9)
      .map(([key, , needed]) => ({
        path: ["quota", key],
        message: `too small for a release: the stack may need ${needed} (every colour at full scale, at max replicas, plus surge, migrations, the data services and the backup jobs); raise it or lower replicas`,
      }));
  },
};

export const capacityPlan: Rule = {
  name: "capacity-plan",
  summary: "CAP-4: the plan's tenants are listed once, in one place (mcp-platform:tenants or capacity.tenants), and the database volume holds the plan's database budget.",
  check: (config) => {
    const plan = config.capacity;
    if (!plan) return [];
    const problems: Problem[] = [];
    const listed = plan.tenants ?? [];
    for (const i of repeats(listed)) problems.push({ path: ["capacity", "tenants", i], message: `tenant "${listed[i]}" is listed twice` });
    if (config.tenants && plan.tenants) {
      problems.push({ path: ["capacity", "tenants"], message: "the plan counts the tenants of mcp-platform:tenants: remove capacity.tenants (one list of tenants, not two)" });
    } else if (!config.tenants && !plan.tenants) {
      problems.push({ path: ["capacity", "tenants"], message: "the plan needs its tenants: onboard them under mcp-platform:tenants, or list them here" });
    }
    const tenants = plannedTenants(plan, config.tenants);
    const database = capacityBudget(plan, tenants).database;
    if (config.postgres && quantity(config.postgres.storage.size) < database) {
      problems.push({
        path: ["postgres", "storage", "size"],
        message: `below the capacity plan's database budget for ${tenants.length} tenants (capacity.base.database + each tenant's database figure, capacity.perTenant.database unless its quota sets one = ${round(database / 2 ** 30)}Gi, CAP-4); raise it`,
      });
    }
    return problems;
  },
};
