// tslab compiles every src/ file a notebook imports with its bundled TypeScript 5.0.4, NOT strict,
// CommonJS, ES2022 lib (no DOM), ignoring tsconfig.json. Code that passes `tsc --strict` can still
// fail there (narrowing differs without strictNullChecks), and the kernel then reports only
// "line:col - message" with no file name. This test compiles all of src/ the way tslab does.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { repoRoot } from "../helpers/fixtures";

test("every src/ module compiles under tslab's compiler settings", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ner-tslab-tsc-"));
  const config = {
    compilerOptions: {
      target: "ES2022",
      lib: ["ES2022"],
      module: "CommonJS",
      moduleResolution: "node10",
      strict: false,
      esModuleInterop: true,
      skipLibCheck: true,
      resolveJsonModule: true,
      noEmit: true,
      types: ["node"],
      typeRoots: [path.join(repoRoot, "node_modules", "@types")],
    },
    include: [path.join(repoRoot, "src", "**", "*.ts")],
  };
  const file = path.join(dir, "tsconfig.json");
  fs.writeFileSync(file, JSON.stringify(config));
  // The compiler tslab itself bundles (same version as the project's devDependency).
  const tsc = require.resolve("@tslab/typescript-for-tslab/lib/tsc.js", {
    paths: [path.join(repoRoot, "node_modules", "tslab")],
  });
  const res = spawnSync(process.execPath, [tsc, "-p", file], { cwd: repoRoot, encoding: "utf8" });
  fs.rmSync(dir, { recursive: true, force: true });
  assert.equal(res.status, 0, `src/ does not compile the way tslab compiles it:\n${res.stdout}${res.stderr}`);
});
