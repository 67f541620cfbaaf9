/**
 * SQL that the backup jobs hand to `psql -c` (restore checks, the drill's recovery point). psql runs
 * every statement of such a string, and one starting with a backslash is a meta-command (`\!` runs a
 * shell), so a setting must be exactly one query: no `;`, no comment, no backslash outside a string,
 * balanced parentheses (the drill wraps it in `extract(epoch FROM (...))`). Strings, quoted identifiers
 * and dollar-quoted bodies are skipped as PostgreSQL's lexer reads them
 * (https://www.postgresql.org/docs/current/sql-syntax-lexical.html).
 */

/** Why `sql` is not a single query, or undefined when it is one. Pure. */
export function singleQueryProblem(sql: string): string | undefined {
  if (!/^\s*(select|with|values|table)\b/i.test(sql)) return "a query (SELECT, WITH, VALUES or TABLE ...)";
  let depth = 0;
  for (let i = 0; i < sql.length; i++) {
    const c = sql[i];
    const next = sql[i + 1];
    if (c === "'" ) {
      const escapes = /[eE]/.test(sql[i - 1] ?? "") && !/[\w$]/.test(sql[i - 2] ?? "");
      const end = stringEnd(sql, i, escapes);
      if (end < 0) return "a query whose strings are closed (a ' is not)";
      i = end;
    } else if (c === '"') {
      const end = sql.indexOf('"', i + 1);
      if (end < 0) return 'a query whose quoted identifiers are closed (a " is not)';
      i = end;
    } else if (c === "$" && !/[\w$]/.test(sql[i - 1] ?? "")) {
      const tag = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(sql.slice(i))?.[0];
      if (tag) {
        const end = sql.indexOf(tag, i + tag.length);
        if (end < 0) return `a query whose dollar-quoted strings are closed (${tag} is not)`;
        i = end + tag.length - 1;
      }
    } else if (c === ";") return "a single query: no ; (psql -c runs every statement of the text)";
    else if (c === "\\") return "no backslash outside a string (psql reads \\ as a meta-command: \\! runs a shell)";
    else if ((c === "-" && next === "-") || (c === "/" && next === "*")) return "a query without comments (-- or /* */)";
    else if (c === "(") depth++;
    else if (c === ")" && --depth < 0) return "a query with balanced parentheses (a ) closes nothing)";
  }
  return depth === 0 ? undefined : "a query with balanced parentheses (a ( is not closed)";
}

/** Index of the quote that closes the string opening at `start` ('' is a quote inside; \ escapes in E'...'). */
function stringEnd(sql: string, start: number, escapes: boolean): number {
  for (let i = start + 1; i < sql.length; i++) {
    if (escapes && sql[i] === "\\") i++;
    else if (sql[i] === "'") {
      if (sql[i + 1] === "'") i++;
      else return i;
    }
  }
  return -1;
}
