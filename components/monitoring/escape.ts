/**
 * Escaping of user text for the languages the monitoring renders: PromQL and LogQL string literals,
 * and literal text inside Prometheus's alert templates (Go text/template). Pure.
 */

/**
 * A double-quoted PromQL (or LogQL) string literal. Both lexers take Go's escapes, of which JSON's
 * (`\"`, `\\`, `\n`, `\uXXXX`, ...) are a subset, so JSON's quoting is a valid literal of the same text.
 */
export function promqlString(text: string): string {
  return JSON.stringify(text);
}

/**
 * Text that Prometheus (and Loki's ruler) put through Go's text/template as it is: an annotation or a
 * label made of user text. `{{` would open an action; written as the action `{{ "{{" }}` it prints itself.
 */
export function templateLiteral(text: string): string {
  return text.replace(/\{\{/g, '{{ "{{" }}');
}
