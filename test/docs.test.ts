/**
 * The README and docs/runbook.md as a user of the repository reads them: every in-page link lands
 * on a heading, the runbook's table of contents lists every section, the files the documented
 * procedures write are ignored by git, and nothing points at files outside the repository
 * without saying what they are.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { anchors } from "../tools/config-docs";
import { PROJECT_DIR } from "./harness";

const read = (file: string) => fs.readFileSync(path.join(PROJECT_DIR, file), "utf8");
const DOCS = ["README.md", "docs/runbook.md"];
const headingsOf = (text: string) => [...text.replace(/^```[\s\S]*?^```/gm, "").matchAll(/^#{1,6} (.+)$/gm)].map((m) => m[1].trim());

describe("the documentation", () => {
  it.each(DOCS)("%s: every in-page link lands on a heading", (file) => {
    const text = read(file);
    const targets = new Set(anchors(headingsOf(text)));
    const links = [...text.matchAll(/\]\(#([^)]+)\)/g)].map((m) => m[1]);
    expect(links.length).toBeGreaterThan(0);
    expect(links.filter((anchor) => !targets.has(anchor))).toEqual([]);
  });

  it("docs/runbook.md has a table of contents with every section and alert", () => {
    const text = read("docs/runbook.md");
    const toc = text.slice(text.indexOf("<!-- toc:"), text.indexOf("<!-- /toc -->"));
    const sections = headingsOf(text.slice(text.indexOf("<!-- /toc -->"))).filter((h) => !h.startsWith("Operator"));
    expect(sections.length).toBeGreaterThan(40);
    for (const section of sections) expect({ section, listed: toc.includes(`[${section.replace(/^Alert: /, "")}](#`) }).toEqual({ section, listed: true });
  });

  it("git ignores the files the documented procedures write", () => {
    const written = DOCS.flatMap((file) => [...read(file).matchAll(/(?:> |--json |--out )([\w./-]+\.(?:json|sarif)|plan\/[\w./-]+)/g)].map((m) => m[1]));
    expect(written).toEqual(expect.arrayContaining(["staging.json", "plan/staging.json", "plan/production"]));
    for (const file of [...new Set(written), "policy.sarif", "policies/mcp-platform-policies-0.1.0.tgz", "policies/node_modules/x"]) {
      const ignored = spawnSync("git", ["check-ignore", "--no-index", "-q", file], { cwd: PROJECT_DIR }).status === 0;
      expect({ file, ignored }).toEqual({ file, ignored: true });
    }
  });

  it("mentions files outside the repository (../shared) only where the README says what they are", () => {
    const readme = read("README.md");
    const explained = readme.slice(readme.indexOf("## Where the requirements come from"));
    expect(explained.length).toBeGreaterThan(0);
    const outside = (text: string) => text.split("\n").filter((line) => /\.\.\/shared|RUNBOOK-REQUIREMENTS|seeds\//.test(line));
    expect(outside(readme.slice(0, readme.indexOf("## Where the requirements come from")))).toEqual([]);
    for (const file of ["docs/runbook.md", "docs/config-reference.md", "docs/policies.md"]) expect({ file, lines: outside(read(file)) }).toEqual({ file, lines: [] });
  });
});
