/**
 * The one use of Node's Buffer in the modules the page bundles (safetensors header text:
 * `Buffer.from(arrayBuffer, offset, length).toString("utf8")`), on TextDecoder. The bundler
 * gives it only to our src/ modules that mention `Buffer`.
 */
export const Buffer = {
  from(buffer: ArrayBufferLike, byteOffset = 0, length?: number): { toString(encoding?: string): string } {
    const bytes = new Uint8Array(buffer, byteOffset, length);
    return {
      toString(encoding = "utf8"): string {
        if (encoding !== "utf8" && encoding !== "utf-8")
          throw new Error(`Buffer shim: only utf8 text, not ${encoding}`);
        return new TextDecoder().decode(bytes);
      },
    };
  },
};
