/**
 * Progressive delivery (REL-3, REL-4, MON-3, MON-4, MON-9): the thresholds `npm run analyze` judges
 * a canary or a newly cut-over colour with, and the steps `npm run advance` takes. Defaults are the
 * RAG runbook's rollback decision matrix and its "monitor for 30 minutes" after a cutover.
 */
import { z } from "zod";

const fraction = z.number().gt(0).lt(1);
const factor = z.number().gt(1);

export const DeliverySchema = z
  .strictObject({
    steps: z
      .array(z.int().min(1).max(99))
      .min(1)
      .default([5, 25, 50])
      .refine((steps) => steps.every((weight, i) => i === 0 || weight > steps[i - 1]), "the weights must increase, e.g. [5, 25, 50]")
      .describe("Canary weights (percent of the edge's requests) npm run advance steps through while the verdict is advance; after the last, a cutover (REL-4: 5 % first)."),
    errorRate: z
      .strictObject({
        hold: fraction.default(0.005).describe("Hold (monitor closely, prepare rollback) at or above this share of 5xx responses of the candidate colour (0.5 %)."),
        rollback: fraction.default(0.01).describe("Roll back above this share (1 %: immediate rollback, MON-3)."),
      })
      .refine((e) => e.rollback > e.hold, { message: "rollback must be above hold", path: ["rollback"] })
      .prefault({})
      .describe("Error rate of the candidate colour over the analysis window (the decision matrix; MON-3)."),
    latencyVsBaseline: z
      .strictObject({
        hold: factor.default(1.5).describe("Hold (monitor, check for issues) when the candidate's p95 is above this many times the baseline."),
        rollback: factor.default(2).describe("Roll back above this many times the baseline (MON-4: > 2x baseline after a deploy)."),
      })
      .refine((l) => l.rollback > l.hold, { message: "rollback must be above hold", path: ["rollback"] })
      .prefault({})
      .describe(
        "p95 response time of the candidate against its baseline: during a canary the stable colour's p95 over the same window, after a cutover the old colour's p95 when traffic switched (MON-4).",
      ),
    restarts5m: z.int().min(0).default(3).describe("Roll back when the candidate colour's containers restarted more than this many times in 5 minutes (MON-9)."),
    minRequests: z
      .int()
      .min(1)
      .default(200)
      .describe(
        "Requests the candidate must have served in the analysis window before it is judged: with fewer the verdict is hold, never advance (at 200, one failure is 0.5 %).",
      ),
    holdMinutes: z
      .int()
      .min(0)
      .default(30)
      .describe(
        "Minutes after a cutover the analysis must stay advance before npm run advance retires the old colour (\"monitor for 30 minutes\"); the old colour is also kept for blueGreen.rollbackHoldHours.",
      ),
  })
  .prefault({})
  .describe(
    "Progressive delivery: the decision matrix npm run analyze applies to live metrics, and the steps npm run advance takes (canary weights, cutover, retire) as reviewed stack-file edits.",
  );

export type DeliveryConfig = z.output<typeof DeliverySchema>;
