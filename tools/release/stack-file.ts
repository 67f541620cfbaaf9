/**
 * Edits of a stack file that keep everything else byte for byte: each value is located with the
 * `yaml` document API (its node and source range), and only that range of the text is replaced,
 * so comments, key order, quoting and flow-style spacing outside the changed values survive, and
 * so do a byte-order mark, non-ASCII text and CRLF line endings (new lines take the file's ending).
 */
import { createTwoFilesPatch } from "diff";
import { isMap, isScalar, parseDocument, Scalar, stringify, type Document, type Node, type Pair, type YAMLMap } from "yaml";
import { InputError } from "../../config/errors";

export type YamlPath = string[];

/** One change: set the value at path (creating the key in its mapping), or remove the key (undefined). */
export interface Edit {
  path: YamlPath;
  value: string | number | boolean | Record<string, string | undefined> | undefined;
}

export class StackEditError extends InputError {}

/** Applies the edits in order; returns the new text. Pure. */
export function applyEdits(text: string, edits: Edit[]): string {
  return edits.reduce(applyEdit, text);
}

/** A unified diff of one stack file, as the commands print it. */
export function stackDiff(file: string, before: string, after: string): string {
  return createTwoFilesPatch(file, file, before, after, undefined, undefined, { context: 2 });
}

function applyEdit(text: string, edit: Edit): string {
  const doc = parse(text);
  const node = doc.getIn(edit.path, true) as Node | undefined;
  if (edit.value === undefined) return node === undefined ? text : removeKey(text, doc, edit.path);
  if (typeof edit.value === "object") {
    if (node !== undefined && !isMap(node)) throw new StackEditError(`${edit.path.join(".")}: expected a mapping`);
    if (node === undefined) return addKey(text, doc, edit.path, edit.value);
    if (node.flow) return splice(text, node.range!, flowMap(edit.value));
    // Leaf by leaf, so the keys that stay keep their lines.
    return applyEdits(text, Object.entries(edit.value).map(([key, value]) => ({ path: [...edit.path, key], value })));
  }
  if (node === undefined) return addKey(text, doc, edit.path, edit.value);
  if (!isScalar(node)) throw new StackEditError(`${edit.path.join(".")}: expected a single value`);
  return splice(text, node.range!, scalar(edit.value, node));
}

function parse(text: string): Document {
  const doc = parseDocument(text, { keepSourceTokens: false });
  if (doc.errors.length > 0) throw new StackEditError(`not valid YAML: ${doc.errors[0].message.split("\n")[0]}`);
  return doc;
}

function splice(text: string, range: [number, number, number], replacement: string): string {
  return text.slice(0, range[0]) + replacement + text.slice(range[1]);
}

/** A new key at the end of its (block) mapping, at the indentation of the mapping's keys. */
function addKey(text: string, doc: Document, path: YamlPath, value: NonNullable<Edit["value"]>): string {
  const parentPath = path.slice(0, -1);
  const parent = doc.getIn(parentPath, true) as Node | undefined;
  if (!isMap(parent) || parent.items.length === 0 || parent.flow) {
    throw new StackEditError(`${parentPath.join(".")}: no block mapping to add "${path[path.length - 1]}" to`);
  }
  const first = parent.items[0].key as Node;
  const indent = first.range![0] - lineStart(text, first.range![0]);
  const at = lineEnd(text, lastValueEnd(parent));
  const eol = text.includes("\r\n") ? "\r\n" : "\n";
  // The mapping may end the file without a final newline: the new key starts a line of its own.
  const lead = at > 0 && text[at - 1] !== "\n" ? eol : "";
  const pad = " ".repeat(indent);
  const key = `${pad}${stringify(path[path.length - 1]).trimEnd()}:`;
  const lines =
    typeof value === "object"
      ? [key, ...Object.entries(value).flatMap(([k, v]) => (v === undefined ? [] : [`${pad}  ${k}: ${scalar(v)}`]))]
      : [`${key} ${scalar(value)}`];
  return text.slice(0, at) + lead + lines.map((line) => `${line}${eol}`).join("") + text.slice(at);
}

function removeKey(text: string, doc: Document, path: YamlPath): string {
  const parent = doc.getIn(path.slice(0, -1), true) as YAMLMap;
  const pair = parent.items.find((item: Pair) => String((item.key as Scalar).value) === path[path.length - 1])!;
  if (parent.flow) throw new StackEditError(`${path.join(".")}: cannot remove a key from a flow mapping`);
  const start = lineStart(text, (pair.key as Node).range![0]);
  const end = lineEnd(text, (pair.value as Node).range![1]);
  return text.slice(0, start) + text.slice(end);
}

function lastValueEnd(map: YAMLMap): number {
  const last = map.items[map.items.length - 1];
  return ((last.value ?? last.key) as Node).range![1];
}

const lineStart = (text: string, at: number) => text.lastIndexOf("\n", at - 1) + 1;
/** The offset just past the newline that ends the line containing `at - 1` (the end of a value). */
function lineEnd(text: string, at: number): number {
  if (at > 0 && text[at - 1] === "\n") return at;
  const newline = text.indexOf("\n", at);
  return newline === -1 ? text.length : newline + 1;
}

/**
 * A scalar as YAML text: plain where it reads back as the same string (and the old value was
 * plain), double-quoted otherwise. Values that look like timestamps are quoted: YAML 1.1 readers
 * (the Pulumi CLI's) would turn them into times.
 */
function scalar(value: string | number | boolean, old?: Scalar): string {
  if (typeof value !== "string") return String(value);
  const plainAllowed = !old || old.type === Scalar.PLAIN;
  const roundTrips = parseDocument(value).toJS() === value && !/[#:]\s|^[-?:,[\]{}#&*!|>'"%@`]|\s$|^\d{4}-\d\d-\d\d/.test(value);
  return plainAllowed && roundTrips && value !== "" ? value : JSON.stringify(value);
}

function flowMap(value: Record<string, string | undefined>): string {
  const entries = Object.entries(value).filter(([, v]) => v !== undefined) as [string, string][];
  return `{ ${entries.map(([k, v]) => `${k}: ${scalar(v)}`).join(", ")} }`;
}
