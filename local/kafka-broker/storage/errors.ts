/**
 * The error of broker storage: damage it will not guess about (a damaged topics.json, a data directory of
 * another format version), use after close, and appends that cannot complete. Not retriable: the message
 * names the file and what to do.
 */
export class StorageError extends Error {
  override readonly name = 'StorageError';
  readonly retriable = false;
}
