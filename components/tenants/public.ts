/** The public face of the tenants component: what the services (their environment), Postgres (the managed roles) and the platform (the Jobs' pods) take from it. */
export { tenantAppEnv, tenantJobLabels, tenantManagedRoles } from "./render";
export { tenantRules } from "./monitoring";
