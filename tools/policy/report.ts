/** How `npm run check` reports violations: text for people, JSON for tools, GitHub workflow annotations. Pure. */
import type { Violation } from "./analyzer";

export type Format = "text" | "json" | "github";
export const FORMATS: Format[] = ["text", "json", "github"];

export interface StackResult {
  stack: string;
  /** The policy config file the stack was checked with. */
  policyConfig: string;
  resources: number;
  violations: Violation[];
}

const mandatory = (v: Violation) => v.enforcementLevel === "mandatory" || v.enforcementLevel === "remediate";

/** Whether any stack has a violation that blocks a deployment. */
export const blocks = (results: StackResult[]) => results.some((r) => r.violations.some(mandatory));

/** The resource's type and name from its URN, for short messages. */
const shortUrn = (urn: string) => urn.split("::").slice(-2).join("::") || "(stack)";

export function formatResults(results: StackResult[], format: Format): string {
  if (format === "json") {
    return `${JSON.stringify(
      results.map((r) => ({ ...r, mandatory: r.violations.filter(mandatory).length, advisory: r.violations.length - r.violations.filter(mandatory).length })),
      null,
      2,
    )}\n`;
  }
  const lines: string[] = [];
  for (const result of results) {
    const hard = result.violations.filter(mandatory).length;
    const soft = result.violations.length - hard;
    if (format === "github") {
      for (const v of result.violations) {
        const kind = mandatory(v) ? "error" : "warning";
        lines.push(`::${kind} title=${escapeProperty(`${v.policy} (${result.stack})`)}::${escapeData(`${v.message}\n${v.urn}`)}`);
      }
      lines.push(`${result.stack}: ${hard} mandatory, ${soft} advisory violation(s) in ${result.resources} resources`);
      continue;
    }
    lines.push(`${result.stack}: ${hard} mandatory, ${soft} advisory violation(s) in ${result.resources} resources (policy config ${result.policyConfig})`);
    for (const v of [...result.violations].sort((a, b) => Number(mandatory(b)) - Number(mandatory(a)) || a.policy.localeCompare(b.policy))) {
      lines.push(`  [${v.enforcementLevel}] ${v.policy}  ${shortUrn(v.urn)}`);
      for (const line of v.message.split("\n")) lines.push(`      ${line}`);
    }
  }
  return `${lines.join("\n")}\n`;
}

// GitHub's workflow-command escaping: data escapes %, CR and LF; properties also : and ,.
const escapeData = (text: string) => text.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
const escapeProperty = (text: string) => escapeData(text).replace(/:/g, "%3A").replace(/,/g, "%2C");
