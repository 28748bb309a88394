// The kernelspec preloads jupyter/kernels/tslab/status-order.js so that the kernel's busy/idle
// status follows the Jupyter protocol: tslab sends "busy" for every queued cell when it arrives
// and "idle" when each ends, so front ends showed "Idle" while a later cell (training) ran.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "fs";
import * as path from "path";
import { repoRoot } from "../helpers/fixtures";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { orderStatus } = require("../../jupyter/kernels/tslab/status-order.js") as {
  orderStatus: (publish: (status: string, parent: Msg) => void) => (status: string, parent: Msg) => void;
};

interface Msg {
  header: { msg_type: string; msg_id: string };
}
const msg = (type: string, id: string): Msg => ({ header: { msg_type: type, msg_id: id } });

test("status order: queued cells report busy when they start; the kernel stays busy until the queue drains", () => {
  const sent: string[] = [];
  const publish = orderStatus((status, parent) => sent.push(`${status}:${parent.header.msg_id}`));
  const [a, b, c] = ["a", "b", "c"].map((id) => msg("execute_request", id));
  // tslab's order: all three arrive (busy each), then each ends (idle each), a completion in between.
  publish("busy", a);
  publish("busy", b);
  publish("busy", c);
  publish("idle", a);
  publish("busy", msg("complete_request", "x"));
  publish("idle", msg("complete_request", "x"));
  publish("idle", b);
  publish("idle", c);
  assert.deepEqual(sent, ["busy:a", "idle:a", "busy:b", "busy:x", "idle:x", "busy:b", "idle:b", "busy:c", "idle:c"]);
  // The last status of every stretch in which a cell runs is "busy"; idle only once nothing is queued.
  assert.equal(sent[sent.length - 1], "idle:c");
});

test("status order: a single cell is unchanged", () => {
  const sent: string[] = [];
  const publish = orderStatus((status, parent) => sent.push(`${status}:${parent.header.msg_id}`));
  publish("busy", msg("execute_request", "a"));
  publish("idle", msg("execute_request", "a"));
  publish("busy", msg("kernel_info_request", "k"));
  publish("idle", msg("kernel_info_request", "k"));
  assert.deepEqual(sent, ["busy:a", "idle:a", "busy:k", "idle:k"]);
});

test("the project's kernelspec preloads the status fix", () => {
  const spec = JSON.parse(
    fs.readFileSync(path.join(repoRoot, "jupyter", "kernels", "tslab", "kernel.json"), "utf8"),
  ) as { argv: string[] };
  assert.match(
    spec.argv.join(" "),
    /node -r \.\/jupyter\/kernels\/tslab\/status-order\.js node_modules\/tslab\/bin\/tslab kernel/,
  );
  // And it patches the ZmqServer tslab actually runs.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { ZmqServer } = require("tslab/dist/jupyter") as {
    ZmqServer: { prototype: { publishStatus: { nerOrdered?: boolean } } };
  };
  assert.equal(ZmqServer.prototype.publishStatus.nerOrdered, true);
});
