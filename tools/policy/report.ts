/**
 * How `npm run check` reports violations: text for people, JSON for tools, GitHub workflow
 * annotations on the stack file's lines, SARIF 2.1.0 for code scanning. Pure.
 */
import type * as Sarif from "sarif";
import type { PackInfo, Violation } from "./analyzer";
import type { SourceLocation } from "./locate";

export type Format = "text" | "json" | "github" | "sarif";
export const FORMATS: Format[] = ["text", "json", "github", "sarif"];

/** A violation with the stack-file line that causes it, where the stack file is known. */
export type LocatedViolation = Violation & { location?: SourceLocation };

export interface StackResult {
  stack: string;
  /** The stack file the stack was rendered from, when several files render the same stack (npm run check -- --all: the examples). */
  configFile?: string;
  /** The policy config file the stack was checked with. */
  policyConfig: string;
  /** Resources the pack analyzed (components, providers and the stack are not). */
  resources: number;
  violations: LocatedViolation[];
}

const mandatory = (v: Violation) => v.enforcementLevel === "mandatory" || v.enforcementLevel === "remediate";

/** Whether any stack has a violation that blocks a deployment. */
export const blocks = (results: StackResult[]) => results.some((r) => r.violations.some(mandatory));

/** The resource's own type and name from its URN (its parents' types left out), for short messages. */
function shortUrn(urn: string): string {
  const [type, name] = urn.split("::").slice(-2);
  return name === undefined ? "(stack)" : `${type.split("$").pop()}::${name}`;
}

/** How reports name a checked stack: its name, and the file it came from when that tells it apart. */
const label = (result: StackResult) => (result.configFile ? `${result.stack} (${result.configFile})` : result.stack);

const where = (location: SourceLocation | undefined) => (location ? `${location.file}:${location.line} (${location.setting})` : undefined);

export function formatResults(results: StackResult[], format: Format, pack: PackInfo): string {
  if (format === "sarif") return `${JSON.stringify(sarifLog(results, pack), null, 2)}\n`;
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
      for (const v of result.violations) lines.push(annotation(v, label(result)));
      lines.push(`${label(result)}: ${hard} mandatory, ${soft} advisory violation(s) in ${result.resources} resources`);
      continue;
    }
    lines.push(`${label(result)}: ${hard} mandatory, ${soft} advisory violation(s) in ${result.resources} resources (policy config ${result.policyConfig})`);
    for (const v of [...result.violations].sort((a, b) => Number(mandatory(b)) - Number(mandatory(a)) || a.policy.localeCompare(b.policy))) {
      lines.push(`  [${v.enforcementLevel}] ${v.policy}  ${shortUrn(v.urn)}${v.location ? `  at ${where(v.location)}` : ""}`);
      for (const line of v.message.split("\n")) lines.push(`      ${line}`);
    }
  }
  return `${lines.join("\n")}\n`;
}

/**
 * A GitHub workflow command, `::error file=F,line=L,col=C,title=T::message` (GitHub's "Workflow
 * commands for GitHub Actions": error and warning take file, line, endLine, col, endColumn and
 * title), so the annotation shows on that line of the pull request's diff.
 */
function annotation(v: LocatedViolation, stack: string): string {
  const properties = [
    ...(v.location ? [`file=${escapeProperty(v.location.file)}`, `line=${v.location.line}`, `col=${v.location.column}`] : []),
    `title=${escapeProperty(`${v.policy} (${stack})`)}`,
  ];
  const body = `${v.message}\n${shortUrn(v.urn)}${v.location ? `; set by ${v.location.setting}` : ""}`;
  return `::${mandatory(v) ? "error" : "warning"} ${properties.join(",")}::${escapeData(body)}`;
}

// GitHub's workflow-command escaping: data escapes %, CR and LF; properties also : and ,.
const escapeData = (text: string) => text.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
const escapeProperty = (text: string) => escapeData(text).replace(/:/g, "%3A").replace(/,/g, "%2C");

/**
 * A SARIF 2.1.0 log (OASIS; GitHub code scanning reads its subset: a rule per policy with
 * shortDescription, results with ruleId, level, message and a physicalLocation with
 * artifactLocation.uri relative to the repository root and region.startLine).
 */
function sarifLog(results: StackResult[], pack: PackInfo): Sarif.Log {
  const rules: Sarif.ReportingDescriptor[] = pack.policies.map((p) => ({
    id: p.name,
    shortDescription: { text: p.description },
    defaultConfiguration: { level: p.enforcementLevel === "advisory" ? "warning" : "error" },
  }));
  const ruleIndex = new Map(rules.map((r, i) => [r.id, i]));
  return {
    $schema: "https://json.schemastore.org/sarif-2.1.0.json",
    version: "2.1.0",
    runs: [
      {
        tool: { driver: { name: `${pack.name} policy pack`, version: pack.version || undefined, informationUri: "https://www.pulumi.com/docs/iac/crossguard/", rules } },
        results: results.flatMap((result) =>
          result.violations.map(
            (v): Sarif.Result => ({
              ruleId: v.policy,
              ...(ruleIndex.has(v.policy) ? { ruleIndex: ruleIndex.get(v.policy) } : {}),
              level: mandatory(v) ? "error" : "warning",
              message: { text: `${label(result)}: ${v.message}` },
              locations: [
                {
                  ...(v.location
                    ? { physicalLocation: { artifactLocation: { uri: v.location.file, uriBaseId: "%SRCROOT%" }, region: { startLine: v.location.line, startColumn: v.location.column } } }
                    : {}),
                  logicalLocations: [{ fullyQualifiedName: v.urn || result.stack, kind: "resource" }],
                },
              ],
              partialFingerprints: { policyResource: `${label(result)}/${v.policy}/${shortUrn(v.urn)}` },
            }),
          ),
        ),
      },
    ],
  };
}
