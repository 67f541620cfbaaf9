/** A check across keys of a validated configuration: a name, what it enforces (for the docs), and the check. */
import type { PlatformConfig, Problem } from "../types";

export interface Rule {
  /** Short kebab-case name, listed in docs/config-reference.md. */
  name: string;
  /** What it refuses and why, one sentence. */
  summary: string;
  check: (config: PlatformConfig) => Problem[];
}
