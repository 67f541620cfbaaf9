/** Validated configurations for direct tests of pure renders: a staging stack with one service, plus what a test adds. */
import { parsePlatformConfig, type PlatformConfig } from "../config";

export const SERVICE_IMAGE = { repository: "ghcr.io/example/mcp-server", tag: "1.4.2" };

/** A staging stack with the service `api` (port 8000) and `extra`'s keys; throws with every problem if it is invalid. */
export function stagingConfig(extra: Record<string, unknown> = {}, image: Record<string, unknown> = SERVICE_IMAGE): PlatformConfig {
  const result = parsePlatformConfig({ environment: "staging", services: { api: { image, port: 8000 } }, ...extra });
  if (!result.ok) throw new Error(result.errors.join("\n"));
  return result.config;
}
