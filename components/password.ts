import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";

/**
 * A generated password (SEC-1): letters and digits only, so it can stand unescaped in a URL such as
 * DATABASE_URL; a new value whenever `rotation` changes. The result is a secret output.
 */
export function generatedPassword(name: string, rotation: string, parent: pulumi.Resource, length = 32, protect = false): pulumi.Output<string> {
  return new random.RandomPassword(name, { length, special: false, keepers: { rotation } }, { parent, protect }).result;
}
