/** The stack's capacity plan as configured (CAP-4, mcp-platform:capacity): its schema alone, so the stack's schema imports no computation. */
import { z } from "zod";
import { CAP4_PLAN } from "../policies/contract";
import { cpu, DNS_LABEL, memory } from "./primitives";

const Amounts = (defaults: { cpu: string; memory: string; database: string }, what: string) =>
  z.strictObject({
    cpu: cpu.default(defaults.cpu).describe(`CPU requests ${what}.`),
    memory: memory.default(defaults.memory).describe(`Memory requests ${what}.`),
    database: memory.default(defaults.database).describe(`Database storage ${what} (postgres.storage.size must cover it).`),
  });

export const CapacityPlanSchema = z
  .strictObject({
    tenants: z
      .array(z.string().max(63).regex(DNS_LABEL, "a tenant id: a lowercase DNS label"))
      .min(1)
      .optional()
      .describe("The tenants the stack serves, by id, for a stack that does not onboard them itself. With mcp-platform:tenants, leave it out: the plan counts those."),
    base: Amounts(CAP4_PLAN.base, "of the plan without tenants")
      .prefault({})
      .describe("The plan without tenants (CAP-4: 2 CPU, 4 GiB, 20 GiB of database)."),
    perTenant: Amounts(CAP4_PLAN.perTenant, "each tenant adds")
      .prefault({})
      .describe("What each tenant adds (CAP-4: 0.1 CPU, 256 MiB, 1 GiB of database)."),
    backupStorage: memory
      .optional()
      .describe(
        "Storage the backups may take (a bucket quota or budget): checked against 3x the database plan (CAP-4). Omit for a bucket without a limit.",
      ),
  })
  .describe(
    "The stack's capacity plan (CAP-4): base plus per-tenant amounts for its tenants (mcp-platform:tenants, or capacity.tenants). The database volume must cover it at plan time; policies capacity-plan (90 %) and capacity-plan-warning (80 %) check that the requests at rest, the database volume and the backup storage carry the tenants, instead of the policy config's tenant count. Omit for the policy config's plan.",
  );

export type CapacityPlan = z.output<typeof CapacityPlanSchema>;
