// `npm run lint:docker`: checks Dockerfiles with dockerfile-utils (the validator behind the Docker language service
// in VS Code; hadolint cannot be installed here). Unlike its CLI, which exits 0 after warnings, any finding fails:
// its warnings are real mistakes too, such as `CMD ['node', 'x']` (single quotes: run through a shell, not as JSON)
// or a relative WORKDIR.
//
//   node scripts/lint-dockerfile.mjs [file…]     (default: Dockerfile)
import { readFile } from "node:fs/promises";
import { validate } from "dockerfile-utils";

const SEVERITY = { 1: "error", 2: "warning", 3: "info", 4: "hint" };
const files = process.argv.length > 2 ? process.argv.slice(2) : ["Dockerfile"];

let findings = 0;
for (const file of files) {
  const content = await readFile(file, "utf8");
  const lines = content.split(/\r?\n/);
  for (const { range, severity, message } of validate(content)) {
    findings += 1;
    const { line, character } = range.start;
    console.error(`${file}:${line + 1}:${character + 1}: ${SEVERITY[severity] ?? "error"}: ${message}`);
    console.error(`  ${lines[line] ?? ""}`);
  }
}
if (findings > 0) {
  console.error(`lint:docker: ${findings} problem(s)`);
  process.exit(1);
}
console.log(`lint:docker: ${files.join(", ")}: no problems`);
