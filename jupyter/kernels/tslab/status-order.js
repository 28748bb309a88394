// Preloaded into the tslab kernel (`node -r`, see kernel.json): sends the kernel's busy/idle
// status in the order of the Jupyter protocol.
//
// Why: tslab 1.0.22 (dist/jupyter.js, ZmqServer.handleShellMessage) publishes "busy" as soon as a
// shell message ARRIVES and "idle" when its handling ends, and handles messages concurrently
// (execute requests wait in a queue). With several cells queued (Run All, or running a cell while
// another runs), every "busy" is sent at once and the first cell's "idle" arrives while the next
// cell runs: the front end says "Idle" while a training cell is running.
// Fix: an execute request announces "busy" when it STARTS (when the one before it has sent
// "idle"), and after any "idle" the kernel announces "busy" again while requests are still queued.
"use strict";

/**
 * Wrap `publish(status, parent)` so that execute requests report busy when they start and the
 * kernel reports busy while any is queued. Pure, for tests: `publish` is called with what to send.
 */
function orderStatus(publish) {
  const queue = []; // execute requests that arrived and have not sent "idle", in arrival (= run) order
  return function publishStatus(status, parent) {
    const isExecute = parent && parent.header && parent.header.msg_type === "execute_request";
    if (isExecute && status === "busy") {
      queue.push(parent);
      if (queue.length === 1) publish.call(this, "busy", parent);
      return;
    }
    if (isExecute && status === "idle") {
      const i = queue.findIndex((m) => m.header.msg_id === parent.header.msg_id);
      if (i >= 0) queue.splice(i, 1);
    }
    publish.call(this, status, parent);
    // The next queued request runs now (or still runs, after another message's idle).
    if (status === "idle" && queue.length > 0) publish.call(this, "busy", queue[0]);
  };
}

function install() {
  let jupyter;
  try {
    jupyter = require("tslab/dist/jupyter");
  } catch (e) {
    return; // not tslab's layout: leave the kernel as it is
  }
  const proto = jupyter.ZmqServer && jupyter.ZmqServer.prototype;
  if (!proto || typeof proto.publishStatus !== "function" || proto.publishStatus.nerOrdered) return;
  const ordered = orderStatus(proto.publishStatus);
  ordered.nerOrdered = true;
  proto.publishStatus = ordered;
}

if (require.main !== module) install();
module.exports = { orderStatus };
