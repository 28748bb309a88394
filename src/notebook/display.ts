/**
 * Notebook display helpers. They live in the leaf module src/display; this file keeps the
 * `./src/notebook/display` import that notebooks use working.
 */
export * from "../display/index";
