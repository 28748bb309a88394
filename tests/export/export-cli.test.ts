/**
 * `ner export web` as a command (files, sizes, errors, never replacing a folder it did not write;
 * the save rules of issue 18: user files, dotfiles, symlinks and the folder's mode kept, a symlinked
 * --out followed, one writer per folder) and the --serve server (127.0.0.1, cross-origin isolation
 * headers, no path escapes, no dotfiles).
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as http from "http";
import * as os from "os";
import * as path from "path";
import { showWebPage } from "../../src/export/notebook";
import { exportWebSite } from "../../src/export/web";
import { SAVE_MARKER } from "../../src/training/checkpoint";
import { acquireDirLock } from "../../src/util/lock";
import { serveSite } from "../../src/export/serve";
import { setDisplaySink, type MimeBundle } from "../../src/display/mime";
import { fixturePath, repoRoot } from "../helpers/fixtures";

let tmp: string;
before(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "ner-export-cli-"));
});
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

function ner(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  return spawnSync(process.execPath, [path.join(repoRoot, "bin", "ner.js"), ...args], {
    encoding: "utf8",
    timeout: 300_000,
  });
}

function get(url: string): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { timeout: 10_000 }, (res) => {
      let body = "";
      res.on("data", (c) => (body += c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on("timeout", () => req.destroy(new Error(`timeout: ${url}`)));
    req.on("error", reject);
  });
}

test("ner export web --json writes the site and lists its files; examples come from --examples", () => {
  const examples = path.join(tmp, "examples.txt");
  fs.writeFileSync(examples, "John lives in Paris .\n\nMary works for Google .\n");
  const out = path.join(tmp, "site");
  const res = ner(
    "export",
    "web",
    "--model",
    fixturePath("tiny-bert"),
    "--out",
    out,
    "--examples",
    examples,
    "--fp16",
    "--json",
  );
  assert.equal(res.status, 0, res.stderr);
  const summary = JSON.parse(res.stdout) as { files: Record<string, number>; totalBytes: number; weightsDtype: string };
  assert.equal(summary.weightsDtype, "F16");
  assert.equal(
    summary.totalBytes,
    Object.values(summary.files).reduce((a, b) => a + b, 0),
  );
  for (const [f, size] of Object.entries(summary.files)) assert.equal(fs.statSync(path.join(out, f)).size, size, f);
  const manifest = JSON.parse(fs.readFileSync(path.join(out, "site.json"), "utf8")) as { examples: string[] };
  assert.deepEqual(manifest.examples, ["John lives in Paris .", "Mary works for Google ."]);
  assert.deepEqual(fs.readdirSync(tmp).sort(), ["examples.txt", "site"], "no temporary folder left behind");
  // A second export replaces the first (it is a site this command wrote).
  assert.equal(ner("export", "web", "--model", fixturePath("tiny-bert"), "--out", out, "--json").status, 0);
});

test("ner export web refuses a non-empty folder that is not an export, and a bad model, leaving nothing", () => {
  const mine = path.join(tmp, "mine");
  fs.mkdirSync(mine);
  fs.writeFileSync(path.join(mine, "notes.txt"), "keep me");
  const res = ner("export", "web", "--model", fixturePath("tiny-bert"), "--out", mine);
  assert.equal(res.status, 1);
  assert.match(res.stderr, /^ner export web: --out .*mine is a non-empty folder that is not a previous export/m);
  assert.deepEqual(fs.readdirSync(mine), ["notes.txt"]);
  const bad = ner("export", "web", "--model", path.join(tmp, "nothing-here"), "--out", path.join(tmp, "bad"));
  assert.equal(bad.status, 1);
  assert.equal(bad.stderr.trim().split("\n").length, 1, bad.stderr);
  assert.ok(!fs.existsSync(path.join(tmp, "bad")));
  const agg = ner(
    "export",
    "web",
    "--model",
    fixturePath("tiny-bert"),
    "--out",
    path.join(tmp, "agg"),
    "--aggregation",
    "longest",
  );
  assert.equal(agg.status, 1);
  assert.match(agg.stderr, /Unknown aggregation strategy "longest"/);
});

test("the static server: files with COOP/COEP headers, 404s, no escape from the folder, 127.0.0.1", async () => {
  const site = path.join(tmp, "served");
  fs.mkdirSync(site);
  fs.writeFileSync(path.join(site, "index.html"), "<!DOCTYPE html><p>hi</p>");
  fs.writeFileSync(path.join(tmp, "secret.txt"), "no");
  const server = await serveSite(site);
  try {
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
    const index = await get(server.url);
    assert.equal(index.status, 200);
    assert.equal(index.headers["cross-origin-opener-policy"], "same-origin");
    assert.equal(index.headers["cross-origin-embedder-policy"], "require-corp");
    assert.match(String(index.headers["content-type"]), /^text\/html/);
    assert.equal((await get(server.url + "missing.js")).status, 404);
    assert.notEqual((await get(server.url + "..%2fsecret.txt")).status, 200);
    assert.notEqual((await get(server.url + "%2e%2e/secret.txt")).status, 200);
    fs.writeFileSync(path.join(site, ".env"), "TOKEN=x");
    fs.mkdirSync(path.join(site, ".git"));
    fs.writeFileSync(path.join(site, ".git", "config"), "[core]");
    for (const hidden of [".env", ".git/config", "%2eenv"])
      assert.equal((await get(server.url + hidden)).status, 404, `${hidden} is not served`);
  } finally {
    await server.close();
  }
  await assert.rejects(serveSite(tmp), /no index\.html/);
  const first = await serveSite(site);
  try {
    const port = Number(new URL(first.url).port);
    await assert.rejects(serveSite(site, port), new RegExp(`port ${port} on 127.0.0.1 is in use`));
  } finally {
    await first.close();
  }
});

test("the notebooks' showWebPage: exports with examples from the eval rows, serves, shows an iframe", async () => {
  const shown: MimeBundle[] = [];
  setDisplaySink((bundle) => void shown.push(bundle));
  const rows = [
    { tokens: ["no", "entity", "in", "here"], ner_tags: [0, 0, 0, 0] },
    { tokens: ["John", "lives", "in", "Paris", "."], ner_tags: [1, 0, 0, 5, 0] },
    { tokens: ["Rome", "."], ner_tags: [5, 0] },
  ];
  try {
    const page = await showWebPage(fixturePath("tiny-bert"), {
      out: path.join(tmp, "notebook-site"),
      examplesFrom: { rows },
      runCard: { f1: 0.5, data: "CoNLL-2003 (test)" },
    });
    try {
      const manifest = JSON.parse(fs.readFileSync(path.join(page.site.out, "site.json"), "utf8")) as {
        examples: string[];
        runCard: { f1: number; data: string };
      };
      assert.deepEqual(manifest.examples, ["John lives in Paris ."]);
      assert.deepEqual([manifest.runCard.f1, manifest.runCard.data], [0.5, "CoNLL-2003 (test)"]);
      assert.equal(shown.length, 1);
      assert.match(String(shown[0]["text/html"]), new RegExp(`<iframe src="${page.url}"`));
      assert.equal((await get(page.url)).status, 200);
    } finally {
      await page.close();
    }
  } finally {
    setDisplaySink(null);
  }
});

/** Inode, mode and content of every entry of `dir` (recursively; symlinks as their target text). */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (rel: string): void => {
    for (const name of fs.readdirSync(path.join(dir, rel))) {
      const p = path.join(dir, rel, name);
      const st = fs.lstatSync(p);
      const key = path.join(rel, name);
      if (st.isSymbolicLink()) out[key] = `link ${st.ino} -> ${fs.readlinkSync(p)}`;
      else if (st.isDirectory()) {
        out[key] = `dir ${st.ino} ${(st.mode & 0o777).toString(8)}`;
        walk(key);
      } else if (st.isFIFO()) out[key] = `fifo ${st.ino}`;
      else out[key] = `file ${st.ino} ${(st.mode & 0o777).toString(8)} ${fs.readFileSync(p, "utf8")}`;
    }
  };
  walk("");
  return out;
}

test(
  "a re-export replaces only its own files: user files, dotfiles, " + "symlinks, a FIFO and the mode are kept",
  async () => {
    const out = path.join(tmp, "kept");
    const first = await exportWebSite({ model: fixturePath("tiny-bert"), out });
    const ours = Object.keys(first.files);
    assert.ok(!ours.some((f) => f.includes("/")), "the site is one flat folder");
    // The user adds files of their own, makes the folder private and one of our files read-only.
    fs.writeFileSync(path.join(out, "notes.txt"), "keep me");
    fs.writeFileSync(path.join(out, ".env"), "SECRET=1");
    fs.mkdirSync(path.join(out, ".git", "refs"), { recursive: true });
    fs.writeFileSync(path.join(out, ".git", "HEAD"), "ref: refs/heads/main");
    fs.writeFileSync(path.join(tmp, "elsewhere.txt"), "outside");
    fs.symlinkSync(path.join(tmp, "elsewhere.txt"), path.join(out, "link"));
    fs.symlinkSync("missing-target", path.join(out, "dangling"));
    assert.equal(spawnSync("mkfifo", [path.join(out, "fifo")]).status, 0);
    fs.chmodSync(out, 0o700);
    fs.chmodSync(path.join(out, "index.html"), 0o600);
    const before = snapshot(out);
    const dirIno = fs.statSync(out).ino;

    const second = await exportWebSite({ model: fixturePath("tiny-bert"), out, fp16: true });
    assert.deepEqual(Object.keys(second.files).sort(), [...ours].sort());
    const after = snapshot(out);
    const userEntries = Object.keys(before).filter((k) => !ours.includes(k) && k !== SAVE_MARKER);
    assert.ok(userEntries.includes(".git/HEAD") && userEntries.includes("fifo"));
    for (const k of userEntries) assert.equal(after[k], before[k], `${k} untouched`);
    for (const f of ours) assert.notEqual(after[f], before[f], `${f} rewritten`);
    assert.equal(fs.statSync(out).mode & 0o777, 0o700, "the folder's mode is kept");
    assert.equal(fs.statSync(out).ino, dirIno, "the folder itself is never renamed (a mount point works)");
    assert.equal(fs.statSync(path.join(out, "index.html")).mode & 0o777, 0o600, "a replaced file keeps its mode");
    assert.equal(fs.statSync(path.join(out, "model.safetensors")).size, second.files["model.safetensors"]);
    const marker = JSON.parse(fs.readFileSync(path.join(out, SAVE_MARKER), "utf8")) as {
      files: Record<string, number>;
    };
    const { [SAVE_MARKER]: markerBytes, ...saved } = second.files;
    assert.deepEqual(marker.files, saved, "the marker lists the save");
    assert.equal(markerBytes, fs.statSync(path.join(out, SAVE_MARKER)).size);
    assert.deepEqual(
      Object.keys(after).filter((k) => !(k in before)),
      [],
      "no staging folder or lock file left behind",
    );
  },
);

test("a symlinked --out is followed: the link stays a link, the site goes into its target", () => {
  const target = path.join(tmp, "real-site");
  fs.mkdirSync(target, { mode: 0o750 });
  fs.chmodSync(target, 0o750);
  const link = path.join(tmp, "site-link");
  fs.symlinkSync(target, link);
  const res = ner("export", "web", "--model", fixturePath("tiny-bert"), "--out", link, "--json");
  assert.equal(res.status, 0, res.stderr);
  assert.ok(fs.lstatSync(link).isSymbolicLink(), "--out is still the symlink");
  assert.equal(fs.readlinkSync(link), target);
  assert.ok(fs.existsSync(path.join(target, "index.html")) && fs.existsSync(path.join(target, SAVE_MARKER)));
  assert.equal(fs.statSync(target).mode & 0o777, 0o750);
  assert.equal((JSON.parse(res.stdout) as { out: string }).out, fs.realpathSync(target));
  const dangling = path.join(tmp, "dangling-out");
  fs.symlinkSync(path.join(tmp, "no-such-folder"), dangling);
  const bad = ner("export", "web", "--model", fixturePath("tiny-bert"), "--out", dangling);
  assert.equal(bad.status, 1);
  assert.match(
    bad.stderr,
    /^ner export web: --out .*dangling-out is a symlink to .*no-such-folder, which does not exist/,
  );
  assert.ok(!fs.existsSync(path.join(tmp, "no-such-folder")));
});

test("one writer per folder: an export into a folder another process holds is refused at once, naming it", () => {
  const out = path.join(tmp, "busy");
  fs.mkdirSync(out);
  // This test process holds the folder's lock, as a running export or ner train would.
  const release = acquireDirLock(out, `--out ${out}`);
  try {
    const before = snapshot(out);
    const t0 = Date.now();
    const res = ner("export", "web", "--model", fixturePath("tiny-bert"), "--out", out);
    assert.equal(res.status, 1);
    assert.equal(res.stderr.trim().split("\n").length, 1, res.stderr);
    assert.match(res.stderr, new RegExp(`--out .*busy is in use by PID ${process.pid} on ${os.hostname()} since `));
    assert.deepEqual(snapshot(out), before, "nothing written");
    assert.ok(Date.now() - t0 < 60_000);
  } finally {
    release();
  }
  assert.equal(ner("export", "web", "--model", fixturePath("tiny-bert"), "--out", out).status, 0, "free again");
});
