/**
 * Every test file loads Pulumi's function serialization on first use, as the commands do
 * (tools/lazy-closure.ts): Jest keeps a module registry per test file, so without this each file
 * paid for loading TypeScript's compiler and npm's arborist with @pulumi/pulumi.
 */
import { forwarders, LAZY_MODULES } from "../tools/lazy-closure";

for (const [id, names] of Object.entries(LAZY_MODULES)) {
  jest.mock(id, () => forwarders(names, () => jest.requireActual(id)));
}
