/** An error as a short phrase for a log line; fetch hides the socket error in `cause`. */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  if (cause && (cause.code || cause.message))
    return `${error.message}: ${cause.code ?? cause.message}`;
  return error.message;
}
