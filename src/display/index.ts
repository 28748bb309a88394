/**
 * Display for notebooks and terminals: MIME output through tslab (or text outside it), kernel
 * detection, HTML escaping and tables. A leaf: it imports nothing else from src/, so charts, viz,
 * explore, notebook glue and training progress can all use it.
 */
export { escapeHtml } from "./html";
export {
  inTslabKernel,
  tslabIfRunning,
  tslabWriter,
  type TslabDisplay,
  type KernelWriter,
  type DisplayMessage,
} from "./kernel";
export {
  displayBundle,
  inKernel,
  LiveDisplay,
  plainText,
  setDisplaySink,
  showHtml,
  showMarkdown,
  uniqueId,
  type DisplaySink,
  type MimeBundle,
} from "./mime";
export { formatTable, moreRowsText, showTable, tableHtml, type Column, type TableOptions } from "./table";
export { WarningNotes } from "./notes";
export { EPOCH_TABLE_DIGITS, epochValueText, epochTableHtml, epochTableText, type EpochTableRow } from "./epochTable";
