/**
 * What a PromQL expression reads: every vector selector's metric name and the label names it
 * matches on, from Prometheus's own Lezer grammar (@prometheus-io/lezer-promql), not a regex.
 */
import { parser } from "@prometheus-io/lezer-promql";

export interface Selector {
  /** The metric name; undefined for a selector by labels only (`{__name__=~"..."}`). */
  metric?: string;
  labels: string[];
  /** The selector as written, for messages. */
  text: string;
}

export function selectorsOf(expr: string): Selector[] {
  const tree = parser.parse(expr);
  const selectors: Selector[] = [];
  const errors: string[] = [];
  tree.iterate({
    enter: (node) => {
      if (node.type.isError) errors.push(`at ${node.from}: ${JSON.stringify(expr.slice(Math.max(0, node.from - 10), node.to + 10))}`);
      if (node.name !== "VectorSelector") return;
      const selector: Selector = { labels: [], text: expr.slice(node.from, node.to) };
      const cursor = node.node.cursor();
      cursor.firstChild();
      do {
        if (cursor.name === "Identifier") selector.metric = expr.slice(cursor.from, cursor.to);
      } while (cursor.nextSibling());
      node.node.getChildren("LabelMatchers").forEach((matchers) =>
        matchers.getChildren("UnquotedLabelMatcher").forEach((m) => {
          const name = m.getChild("LabelName");
          if (name) selector.labels.push(expr.slice(name.from, name.to));
        }),
      );
      selectors.push(selector);
      return false;
    },
  });
  if (errors.length) throw new Error(`not PromQL: ${expr} (${errors.join("; ")})`);
  return selectors;
}
