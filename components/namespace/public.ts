/** The public face of the namespace component: its alert rules. */
export { namespaceRules } from "./monitoring";
