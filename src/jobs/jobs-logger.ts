import { Logger as GraphileLogger, type LogFunctionFactory } from 'graphile-worker';

/** Where graphile-worker's lines go: Nest's Logger, or anything with its four methods. */
export interface JobsLogSink {
  error(message: string): void;
  warn(message: string): void;
  debug(message: string): void;
  verbose(message: string): void;
}

/**
 * graphile-worker's logger writing to `sink`. Its info lines (each job completed, each
 * worker started) are routine here and go to debug; its metadata (job rows, payloads) is
 * left out, so nothing a job carries reaches the log by this path.
 */
export function jobsLogger(sink: JobsLogSink): GraphileLogger {
  const factory: LogFunctionFactory = (scope) => (level, message) => {
    const text = scope.label ? `${scope.label}: ${message}` : message;
    // LogLevel is a const enum of these strings.
    const name = String(level);
    if (name === 'error') sink.error(text);
    else if (name === 'warning') sink.warn(text);
    else if (name === 'info') sink.debug(text);
    else sink.verbose(text);
  };
  return new GraphileLogger(factory);
}
