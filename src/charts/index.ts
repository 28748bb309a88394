/** Plotly figure builders and their offline rendering for notebooks (PNG export: ./png). */
export * from "./figure";
export * from "./training";
export * from "./perType";
export * from "./confusion";
export * from "./distributions";
export * from "./render";
export * from "./svg";
export * from "./ticks";
