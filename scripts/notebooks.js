#!/usr/bin/env node
// Executes notebooks headless with scripts/run-notebook.py, stopping at the first failure.
//   npm run notebooks                      all of notebooks/*.ipynb, in name order
//   npm run notebooks -- notebooks/02_*.ipynb --profile smoke
// Other arguments go to run-notebook.py (--out-dir, --timeout, --in-place, ...). The Python used is
// NER_PYTHON, else the first of /usr/bin/python3 and python3 that can import nbclient
// (scripts/setup-jupyter.sh installs it).
const { spawnSync } = require("child_process");
const fs = require("fs");
const path = require("path");

const root = path.resolve(__dirname, "..");

function canRun(py) {
  const r = spawnSync(py, ["-c", "import nbclient, nbformat, jupyter_client"], { stdio: "ignore" });
  return r.status === 0;
}

function findPython() {
  const candidates = process.env.NER_PYTHON ? [process.env.NER_PYTHON] : ["/usr/bin/python3", "python3"];
  for (const py of candidates) if (canRun(py)) return py;
  return null;
}

const args = process.argv.slice(2);
const hasNotebook = args.some((a) => a.endsWith(".ipynb"));
const notebooks = hasNotebook
  ? []
  : fs
      .readdirSync(path.join(root, "notebooks"))
      .filter((f) => f.endsWith(".ipynb"))
      .sort()
      .map((f) => path.join(root, "notebooks", f));
if (!hasNotebook && notebooks.length === 0) {
  console.error("notebooks: no notebooks/*.ipynb found");
  process.exit(2);
}
const py = findPython();
if (!py) {
  console.error(
    "notebooks: no Python with nbclient found (tried " +
      (process.env.NER_PYTHON || "/usr/bin/python3, python3") +
      "); run scripts/setup-jupyter.sh",
  );
  process.exit(2);
}
const res = spawnSync(py, [path.join(root, "scripts", "run-notebook.py"), ...args, ...notebooks], {
  stdio: "inherit",
  env: process.env,
});
process.exit(res.status === null ? 1 : res.status);
