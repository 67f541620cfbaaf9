/** Quantities the configuration has already validated, as numbers (CPU in cores, memory in bytes). */
import { parseQuantity } from "../policies/quantity";

export { QUANTITY_PATTERN } from "../policies/quantity";

/** Parses a quantity that has already been validated by the config schema. */
export function quantity(text: string): number {
  const value = parseQuantity(text);
  if (value === undefined) throw new Error(`not a Kubernetes quantity: "${text}"`);
  return value;
}
