/**
 * Cron schedules as Kubernetes parses a CronJob's (robfig/cron/v3 ParseStandard, parse.go getRange):
 * five fields, each a list of `*`, `?`, a value or a range `a-b`, with an optional `/step`; `a/step`
 * runs from a to the field's maximum. Values are numbers (or month and weekday names) within the
 * field's bounds. Pure.
 */
import { CRON_FIELDS } from "./limits";

type Field = (typeof CRON_FIELDS)[number];

/** Why the server would refuse `schedule`, or undefined when it parses. */
export function cronProblem(schedule: string): string | undefined {
  const fields = schedule.trim().split(/\s+/);
  if (fields.length !== 5) return `five fields (minute hour day-of-month month day-of-week), not ${fields.length}`;
  for (const [i, text] of fields.entries()) {
    const field = CRON_FIELDS[i];
    for (const part of text.split(",")) {
      const problem = partProblem(part, field);
      if (problem) return `${field.name} "${text}": ${problem}`;
    }
  }
  return undefined;
}

function partProblem(part: string, field: Field): string | undefined {
  const [range, step, ...extra] = part.split("/");
  if (extra.length) return "too many slashes";
  if (step !== undefined && !(/^\d+$/.test(step) && Number(step) > 0)) return `step "${step}" is not a positive number`;
  if (range === "*" || range === "?") return undefined;
  const [low, high, ...more] = range.split("-");
  if (more.length) return "too many hyphens";
  const start = value(low, field);
  const end = high === undefined ? start : value(high, field);
  for (const [text, n] of [[low, start], [high, end]] as const) {
    if (text === undefined) continue;
    if (n === undefined) return `"${text}" is not a number${"names" in field ? ` or a name (${field.names.join(", ")})` : ""}`;
    if (n < field.min || n > field.max) return `${n} is outside ${field.min}-${field.max}`;
  }
  if (start! > end!) return `range ${range} begins after it ends`;
  return undefined;
}

function value(text: string, field: Field): number | undefined {
  if (/^\d+$/.test(text)) return Number(text);
  const index = "names" in field ? (field.names as readonly string[]).indexOf(text.toLowerCase()) : -1;
  return index < 0 ? undefined : index + ("names" in field && field.name === "month" ? 1 : 0);
}
