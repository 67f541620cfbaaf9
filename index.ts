/**
 * mcp-platform: the stack program. Reads and validates the stack configuration, then builds the
 * platform; the returned object becomes the stack outputs. All logic lives in config/ and components/.
 */
import * as pulumi from "@pulumi/pulumi";
import { ConfigError, rawPlatformConfig, requirePlatformConfig } from "./config";
import { buildPlatform } from "./components/platform";

/**
 * Whether the CLI passed a key as secret (PULUMI_CONFIG_SECRET_KEYS). The SDK exports the function
 * but leaves it out of its typings (@internal); without it, no key counts as secret.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const sdkConfig = require("@pulumi/pulumi/runtime/config") as { isConfigSecret?: (key: string) => boolean };
const isConfigSecret = (key: string) => sdkConfig.isConfigSecret?.(key) ?? false;

export = () => {
  let config;
  try {
    config = requirePlatformConfig(rawPlatformConfig(pulumi.runtime.allConfig(), isConfigSecret));
  } catch (error) {
    // One line per problem, no stack trace.
    if (error instanceof ConfigError) throw new pulumi.RunError(error.message);
    throw error;
  }
  return buildPlatform(config);
};
