/** The validated configuration's type and a validation problem: the leaf every rule and render imports. */
import type { ImagePinning } from "./image";
import type { PlatformParsed } from "./schema";

/** The validated configuration with every default resolved. */
export type PlatformConfig = Omit<PlatformParsed, "namespace" | "imagePinning"> & {
  namespace: string;
  imagePinning: ImagePinning;
};

/** One problem a rule finds: the key path (without the namespace) and what is wrong there. */
export type Problem = { path: PropertyKey[]; message: string };
