/**
 * mcp-platform: the stack program. Reads and validates the stack configuration, then builds the
 * platform; the returned object becomes the stack outputs. All logic lives in config/ and components/.
 */
import * as pulumi from "@pulumi/pulumi";
import { ConfigError, rawPlatformConfig, requirePlatformConfig } from "./config";
import { buildPlatform } from "./components/platform";

export = () => {
  let config;
  try {
    config = requirePlatformConfig(rawPlatformConfig(pulumi.runtime.allConfig()));
  } catch (error) {
    // One line per problem, no stack trace.
    if (error instanceof ConfigError) throw new pulumi.RunError(error.message);
    throw error;
  }
  return buildPlatform(config);
};
