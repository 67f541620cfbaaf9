/**
 * Loading a stack file as the Pulumi CLI hands it to the program: namespaced keys, empty values, no
 * duplicate keys, UTF-8 without control characters, no secure value under mcp-platform (in the
 * offline tools and in the program itself), and a large file read in linear time.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ConfigError, rawPlatformConfig } from "../../config";
import { loadStackConfig, StackFileError } from "../../tools/stack-config";
import { PROJECT_DIR } from "../harness";

const STAGING = fs.readFileSync(path.join(PROJECT_DIR, "Pulumi.staging.yaml"), "utf8");

function stackFile(content: string | Buffer): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "mcp-load-")), "Pulumi.test.yaml");
  fs.writeFileSync(file, content);
  return file;
}
const load = (content: string | Buffer) => loadStackConfig(PROJECT_DIR, "staging", stackFile(content));
const refusal = (content: string | Buffer): string => {
  try {
    load(content);
  } catch (error) {
    if (error instanceof StackFileError) return error.message;
    throw error;
  }
  throw new Error("loaded");
};
/** The staging file with lines added at the end of its config mapping. */
const withLines = (...lines: string[]) => `${STAGING.trimEnd()}\n${lines.map((l) => `  ${l}`).join("\n")}\n`;

describe("keys as the CLI reads them", () => {
  it.each([
    ["mcp-platfrom:edge: {}", /mcp-platfrom:edge: unknown namespace "mcp-platfrom"; did you mean "mcp-platform:edge"\?/],
    ["mcp-plaform:namespace: x", /did you mean "mcp-platform:namespace"\?/],
    ["edge: {}", /edge: not namespaced: .*did you mean "mcp-platform:edge"\?/],
    ["namespace: mcp-other", /namespace: not namespaced/],
  ])("refuses %j", (line, message) => expect(refusal(withLines(line))).toMatch(message));

  it("passes other namespaces through (providers' settings)", () => {
    const config = load(withLines("docker:host: unix:///var/run/docker.sock", "kubernetes:context: staging")).config;
    expect(config).toMatchObject({ "docker:host": "unix:///var/run/docker.sock", "kubernetes:context": "staging" });
  });

  it('reads an empty value as "", not "null"', () => {
    const config = load(STAGING.replace("mcp-platform:kubeContext: staging", "mcp-platform:kubeContext:")).config;
    expect(config["mcp-platform:kubeContext"]).toBe("");
  });
});

describe("the file's text", () => {
  it("refuses a key given twice, with its line", () => {
    const text = withLines("mcp-platform:restartedAt: a", "mcp-platform:restartedAt: b");
    const line = text.split("\n").length - 1;
    expect(refusal(text)).toMatch(new RegExp(`:${line}:3: key "mcp-platform:restartedAt" is given twice in the same mapping`));
  });

  it("refuses a key given twice inside a value", () => {
    expect(refusal(STAGING.replace("    instances: 1\n", "    instances: 1\n    instances: 2\n"))).toMatch(/key "instances" is given twice/);
  });

  it("refuses bytes that are not UTF-8, naming the line and offset", () => {
    const text = Buffer.from(withLines("mcp-platform:restartedAt: caf\u00e9"), "latin1");
    const offset = text.indexOf(0xe9);
    const line = text.subarray(0, offset).toString("latin1").split("\n").length;
    expect(refusal(text)).toMatch(new RegExp(`:${line}: not UTF-8 \\(byte 0xe9 at offset ${offset}\\)`));
  });

  it("reads a file with a byte-order mark and CRLF line endings as the same values, and keeps its text as it is", () => {
    const windows = `\uFEFF${STAGING.replace(/\n/g, "\r\n")}`;
    const loaded = load(Buffer.from(windows, "utf8"));
    expect(loaded.config).toEqual(load(STAGING).config);
    expect(loaded.text).toBe(windows);
  });

  it("accepts non-ASCII UTF-8", () => {
    expect(load(withLines("mcp-platform:restartedAt: café – 終わり")).config["mcp-platform:restartedAt"]).toBe("café – 終わり");
  });

  it.each([["NUL", "\u0000"], ["ESC", "\u001b"], ["DEL", "\u007f"]])("refuses a %s character, with its line and column", (_name, c) => {
    const text = withLines(`mcp-platform:restartedAt: a${c}b`);
    const line = text.split("\n").length - 1;
    expect(refusal(text)).toMatch(new RegExp(`:${line}:30: a control character`));
  });
});

describe("secure values", () => {
  it.each([
    ["a whole key", "mcp-platform:restartedAt:\n    secure: AAABAKx0ZXN0"],
    ["inside a structured value", "mcp-platform:promotion:\n    from: staging\n    at: 2026-01-01T00:00:00Z\n    images:\n      api:\n        secure: AAABAKx0ZXN0"],
  ])("under mcp-platform are refused (%s): they would be rendered in plain text", (_name, line) => {
    expect(refusal(withLines(line))).toMatch(/a secure value: mcp-platform generates its secrets itself/);
  });

  it("under another namespace are kept secret", () => {
    const loaded = load(withLines("aws:secretKey:\n    secure: AAABAKx0ZXN0"));
    expect(loaded.secretKeys).toEqual(["aws:secretKey"]);
  });

  it("are taken only for the settings a provider receives as secrets (the Keycloak client secret)", () => {
    const loaded = load(withLines("mcp-platform:identityClientSecret:\n    secure: AAABAKx0ZXN0"));
    expect(loaded.secretKeys).toEqual(["mcp-platform:identityClientSecret"]);
    expect(() => rawPlatformConfig({ "mcp-platform:environment": "staging", "mcp-platform:identityClientSecret": "decrypted" }, (key) => key === "mcp-platform:identityClientSecret")).not.toThrow();
  });

  it.each(["mcp-platform:identityClientSecret: client-secret-value", 'mcp-platform:identityClientSecret: "client-secret-value"'])(
    "refuse the Keycloak client secret given in plain text (%j), saying to set it with --secret",
    (line) => {
      const refused = refusal(withLines(line));
      expect(refused).toMatch("mcp-platform:identityClientSecret: a plain value, but it is a secret the stack file must hold encrypted: run pulumi config set --secret mcp-platform:identityClientSecret <value>");
      expect(refused).not.toMatch(/client-secret-value/);
    },
  );

  it("take the Keycloak client secret empty, as the project's default leaves it", () => {
    expect(load(withLines('mcp-platform:identityClientSecret: ""')).config["mcp-platform:identityClientSecret"]).toBe("");
    expect(() => rawPlatformConfig({ "mcp-platform:environment": "staging", "mcp-platform:identityClientSecret": "" }, () => false)).not.toThrow();
  });

  it("refuse the Keycloak client secret in plain text in the program too, from the keys the CLI marks secret", () => {
    const plain = () => rawPlatformConfig({ "mcp-platform:environment": "staging", "mcp-platform:identityClientSecret": "client-secret-value" }, () => false);
    expect(plain).toThrow(ConfigError);
    expect(plain).toThrow("mcp-platform:identityClientSecret: a plain value, but it is a secret the stack file must hold encrypted: run pulumi config set --secret mcp-platform:identityClientSecret <value>");
  });

  it("are refused by the program too, from the keys the CLI marks secret", () => {
    expect(() => rawPlatformConfig({ "mcp-platform:environment": "staging", "mcp-platform:restartedAt": "decrypted" }, (key) => key === "mcp-platform:restartedAt")).toThrow(ConfigError);
    expect(() => rawPlatformConfig({ "mcp-platform:environment": "staging", "aws:secretKey": "decrypted" }, (key) => key === "aws:secretKey")).not.toThrow();
  });
});

describe("a large stack file", () => {
  // One map of about 110,000 keys at 5 MB: the yaml library's duplicate check compares each key with every other.
  const bulk = (megabytes = 5) => {
    const lines: string[] = [];
    let size = 0;
    for (let i = 0; size < megabytes * 1024 * 1024; i++) {
      const line = `    KEY_${i}: value-${i}-${"x".repeat(20)}`;
      lines.push(line);
      size += line.length + 1;
    }
    return lines;
  };

  it("loads 5 MB in linear time", () => {
    const text = `${STAGING.trimEnd()}\n  mcp-platform:bulk:\n${bulk().join("\n")}\n`;
    const started = Date.now();
    expect(load(text).config["mcp-platform:bulk"]).toMatch(/^\{"KEY_0":/);
    expect(Date.now() - started).toBeLessThan(30000);
  }, 60000);

  // The file above already runs the one-pass duplicate check over all its keys; this one shows it names the line, in a 0.5 MB map.
  it("still finds a duplicate key, at its line", () => {
    const lines = bulk(0.5);
    lines.push(lines[1000].replace(/: .*/, ": again"));
    const text = `${STAGING.trimEnd()}\n  mcp-platform:bulk:\n${lines.join("\n")}\n`;
    const line = text.split("\n").length - 1;
    expect(refusal(text)).toMatch(new RegExp(`:${line}:5: key "KEY_1000" is given twice`));
  }, 60000);
});
