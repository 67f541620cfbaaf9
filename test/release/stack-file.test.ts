/** Stack-file edits: only the changed values' text changes, everything else stays byte for byte. */
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { applyEdits, StackEditError, stackDiff } from "../../tools/release/stack-file";
import { PROJECT_DIR, STACKS } from "../harness";

const TEXT = `# The stack
config:
  mcp-platform:services:
    api:
      env: { A: "1", B: two }   # flow style, padded
      command: ["uvicorn", "app"]
      blueGreen:
        activeColor: blue # which colour serves
        standbyScale: idle
        green:
          image:
            repository: ghcr.io/x/app
            tag: "1.4.0"
            digest: sha256:aaaa
      # migrations follow
      migrations:
        command: [alembic]
`;
const bg = (...rest: string[]) => ["config", "mcp-platform:services", "api", "blueGreen", ...rest];

/** The lines that differ between two texts (removed with -, added with +). */
function changedLines(before: string, after: string): string[] {
  return stackDiff("f", before, after)
    .split("\n")
    .filter((line) => /^[-+](?![-+]{2} )/.test(line));
}

describe("applyEdits", () => {
  it.each(STACKS)("leaves the %s stack file byte for byte when nothing changes", (stack) => {
    const text = fs.readFileSync(path.join(PROJECT_DIR, `Pulumi.${stack}.yaml`), "utf8");
    expect(applyEdits(text, [])).toBe(text);
    const active = parse(text).config["mcp-platform:services"].api.blueGreen.activeColor;
    expect(applyEdits(text, [{ path: bg("activeColor"), value: active }])).toBe(text);
  });

  it("replaces one scalar and keeps its comment", () => {
    const after = applyEdits(TEXT, [{ path: bg("activeColor"), value: "green" }]);
    expect(changedLines(TEXT, after)).toEqual(["-        activeColor: blue # which colour serves", "+        activeColor: green # which colour serves"]);
  });

  it("adds a key at the end of its mapping, at its indentation, and removes it again", () => {
    const added = applyEdits(TEXT, [{ path: bg("canaryWeight"), value: 5 }]);
    expect(changedLines(TEXT, added)).toEqual(["+        canaryWeight: 5"]);
    expect(parse(added).config["mcp-platform:services"].api.blueGreen.canaryWeight).toBe(5);
    expect(applyEdits(added, [{ path: bg("canaryWeight"), value: undefined }])).toBe(TEXT);
  });

  it("quotes what would not read back as the same string: times, numbers, booleans", () => {
    const after = applyEdits(TEXT, [
      { path: bg("cutoverAt"), value: "2026-11-24T07:00:00.000Z" },
      { path: bg("standbyScale"), value: "true" },
    ]);
    const blueGreen = parse(after).config["mcp-platform:services"].api.blueGreen;
    expect(blueGreen.cutoverAt).toBe("2026-11-24T07:00:00.000Z");
    expect(after).toContain('cutoverAt: "2026-11-24T07:00:00.000Z"');
    expect(blueGreen.standbyScale).toBe("true");
  });

  it("sets an image leaf by leaf: keeps quoting style, drops a key the new image lacks, adds a new mapping in block style", () => {
    const after = applyEdits(TEXT, [
      { path: bg("green", "image"), value: { repository: "ghcr.io/x/app", tag: "1.4.2", digest: undefined } },
      { path: ["config", "mcp-platform:services", "api", "smoke"], value: { versionPath: "/version", paths: undefined } },
    ]);
    expect(changedLines(TEXT, after)).toEqual([
      '-            tag: "1.4.0"',
      "-            digest: sha256:aaaa",
      '+            tag: "1.4.2"',
      "+      smoke:",
      "+        versionPath: /version",
    ]);
    expect(parse(after).config["mcp-platform:services"].api.smoke).toEqual({ versionPath: "/version" });
  });

  it("replaces a flow mapping as a whole, keeping the rest of its line", () => {
    const after = applyEdits(TEXT, [{ path: ["config", "mcp-platform:services", "api", "env"], value: { A: "1", B: "three" } }]);
    expect(changedLines(TEXT, after)).toEqual(['-      env: { A: "1", B: two }   # flow style, padded', '+      env: { A: "1", B: three }   # flow style, padded']);
  });

  it("names the key when the file's shape does not fit the edit", () => {
    expect(() => applyEdits(TEXT, [{ path: bg("activeColor", "x"), value: "y" }])).toThrow(StackEditError);
    expect(() => applyEdits(TEXT, [{ path: ["config", "mcp-platform:services", "api", "command"], value: "x" }])).toThrow(
      /mcp-platform:services\.api\.command: expected a single value/,
    );
    expect(() => applyEdits("config: [\n", [])).not.toThrow();
    expect(() => applyEdits("config: [\n", [{ path: ["config", "x"], value: 1 }])).toThrow(/not valid YAML/);
  });
});

describe("applyEdits on a file with a byte-order mark, CRLF line endings and non-ASCII text", () => {
  /** TEXT as saved by a Windows editor: BOM, CRLF, a comment in other scripts. */
  const windows = (text: string) => `\uFEFF# Bühne — 終わり\r\n${text.replace(/\n/g, "\r\n")}`;
  const edits = [
    { path: bg("activeColor"), value: "grün" },
    { path: bg("canaryWeight"), value: 5 },
    { path: bg("standbyScale"), value: undefined },
    { path: bg("smokePassed"), value: { image: "ghcr.io/x/app@sha256:aaaa", at: "2026-12-03T08:00:00.000Z" } },
    { path: ["config", "mcp-platform:services", "api", "env"], value: { A: "1", B: "drei" } },
  ];

  it("changes exactly what the same edits change in the LF file, in the file's own line endings, keeping the mark", () => {
    expect(applyEdits(windows(TEXT), edits)).toBe(windows(applyEdits(TEXT, edits)));
  });

  it("starts a new line for a key added after a last line without a newline", () => {
    expect(applyEdits("config:\r\n  a:\r\n    b: 1", [{ path: ["config", "a", "c"], value: 2 }])).toBe("config:\r\n  a:\r\n    b: 1\r\n    c: 2\r\n");
  });
});
