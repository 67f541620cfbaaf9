/**
 * Kubernetes resource quantities ("500m", "2", "1Gi") as numbers, so limits can be compared.
 * CPU comes back in cores, memory in bytes. A leaf module of the pack; the program's config
 * validation uses it too.
 */
const SUFFIX: Record<string, number> = {
  "": 1,
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
};

export const QUANTITY_PATTERN = /^(\d+(?:\.\d+)?)(m|k|M|G|T|Ki|Mi|Gi|Ti)?$/;

/** Parses a quantity; returns undefined for text that is not one. */
export function parseQuantity(text: string): number | undefined {
  const match = QUANTITY_PATTERN.exec(text);
  if (!match) return undefined;
  return Number(match[1]) * SUFFIX[match[2] ?? ""];
}
