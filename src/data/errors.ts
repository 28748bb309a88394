/**
 * Errors raised for bad corpus files. Every message names the file, the 1-based line
 * and the problem, so a user can open the file at the right place.
 */
export class DataFormatError extends Error {
  constructor(
    /** File the problem was found in (as given by the caller). */
    readonly file: string,
    /** 1-based line number (1 for whole-file problems such as an empty file). */
    readonly line: number,
    /** What is wrong, without the location. */
    readonly problem: string,
  ) {
    super(`${file}:${line}: ${problem}`);
    this.name = "DataFormatError";
  }
}

/** A resolved corpus file could not be found or fetched (offline, HTTP error, checksum mismatch). */
export class CorpusFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CorpusFileError";
  }
}
