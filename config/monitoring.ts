/** Configuration of how the stack is monitored. */
import { z } from "zod";
import { DNS_LABEL } from "./primitives";

export const MonitoringSchema = z
  .strictObject({
    namespace: z
      .string()
      .regex(DNS_LABEL, "a lowercase DNS label")
      .default("monitoring")
      .describe("Namespace of the Prometheus that scrapes this stack; the network policies let it reach every metrics port (MON-16)."),
  })
  .describe("Monitoring of the stack.");

export type MonitoringConfig = z.output<typeof MonitoringSchema>;
