export * from "./schema";
export * from "./validate";
export * from "./image";
export { rawPlatformConfig } from "./load";
export * from "./data";
export * from "./edge";
export * from "./monitoring";
export * from "./backups";
export { CapacityPlanSchema, capacityBudget, capacityPlanAnnotation, type CapacityPlan } from "./capacity";
