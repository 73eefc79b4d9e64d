import { LoggerService } from '@nestjs/common';
import { pino, type DestinationStream, type Logger } from 'pino';
import pretty from 'pino-pretty';

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** LOG_FORMAT: JSON lines for machines, readable lines for people, or by the terminal (auto). */
export const LOG_FORMATS = ['auto', 'json', 'pretty'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

/** LOG_FORMAT as given (default auto); undefined when it is none of LOG_FORMATS. */
export function parseLogFormat(value: string | undefined): LogFormat | undefined {
  const format = (value || 'auto').toLowerCase() as LogFormat;
  return LOG_FORMATS.includes(format) ? format : undefined;
}

/** auto: readable on a terminal, JSON when stdout is a pipe or a file (a collector reads it). */
export function chooseLogFormat(format: LogFormat, stdoutIsTty: boolean): 'json' | 'pretty' {
  if (format !== 'auto') return format;
  return stdoutIsTty ? 'pretty' : 'json';
}

/**
 * One JSON line per event on stdout, or with `format` pretty one readable line (pino-pretty,
 * fed after redaction, so it sees what JSON would). Request logs carry the request id;
 * credentials are redacted wherever they might appear, and bodies (config var values) are
 * never logged.
 */
export function createLogger(
  level: LogLevel,
  destination?: DestinationStream,
  format: LogFormat = 'json',
): Logger {
  const chosen = chooseLogFormat(format, destination === undefined && process.stdout.isTTY);
  const stream =
    chosen === 'pretty'
      ? pretty({
          destination: destination ?? 1,
          // Written at once, as pino's own stdout is: nothing lost when the process exits.
          sync: true,
          translateTime: 'SYS:HH:MM:ss.l',
          ignore: 'pid,hostname,service',
        })
      : destination;
  return pino(
    {
      level,
      base: { service: 'drydock' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: {
        paths: [
          'req.headers.authorization',
          'req.headers.cookie',
          'headers.authorization',
          'authorization',
          'token',
          'password',
          '*.token',
          '*.password',
        ],
        censor: '[redacted]',
      },
    },
    stream,
  );
}

/** Nest's framework messages (startup, route mapping) in the same JSON stream. */
export class NestJsonLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}

  log(message: unknown, context?: string): void {
    this.logger.info({ context }, String(message));
  }
  error(message: unknown, trace?: string, context?: string): void {
    this.logger.error({ context, trace }, String(message));
  }
  warn(message: unknown, context?: string): void {
    this.logger.warn({ context }, String(message));
  }
  debug(message: unknown, context?: string): void {
    this.logger.debug({ context }, String(message));
  }
  verbose(message: unknown, context?: string): void {
    this.logger.trace({ context }, String(message));
  }
}
