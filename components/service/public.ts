/** The public face of the service component: what other parts refer to (the app's Secret, a service's component label). */
import type { ServiceConfig } from "../../config";

/** Name of the Secret that holds the generated application secrets. */
export const APP_SECRETS = "app-secrets";

export function componentOf(svc: ServiceConfig): string {
  return svc.port === undefined ? "worker" : "server";
}
export { servicePanels, serviceRules } from "./monitoring";
