import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import type { ServerResponse } from 'node:http';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { DATABASE_URL } from '../database/database.tokens.js';
import { NotificationListener } from '../database/notification-listener.js';
import { LogRepository, StoredLogLine } from '../store/log.repository.js';
import { formatLogLine, LogFilter, matchesFilter } from './log-line.js';

/** The channel drydock_append_log_lines notifies, with "<app id> <head>". */
export const LOGS_CHANNEL = 'drydock_logs';
export const LOG_TAIL_APPLICATION_NAME = 'drydock log tails';
/** A tail whose client leaves this much unread is cut off; it resumes with Last-Event-ID. */
const MAX_BUFFERED_BYTES = 1024 * 1024;
const READ_BATCH = 1000;
const RETRY_MS = 1000;

interface Tail {
  appId: string;
  filter: LogFilter;
  response: ServerResponse;
  /** The newest line number sent or skipped. */
  cursor: number;
}

/** One line as an SSE message: its number as the id, so a reconnect resumes after it. */
export function logEvent(line: StoredLogLine): string {
  return `id: ${line.seq}\ndata: ${formatLogLine(line)}\n\n`;
}

/**
 * `heroku logs --tail` on this replica: every line appended after a tail's cursor, by any
 * replica, reaches it. Appends notify at commit; the hub then reads each tailed app's new
 * lines once, whatever the number of its tails, and hands each tail what its filter keeps.
 * Reading by line number after a cursor makes a lost connection harmless: on its return
 * every tailed app is read again from where its tails are.
 */
@Injectable()
export class LogTailHub implements OnModuleDestroy {
  private readonly logger = new Logger(LogTailHub.name);
  private readonly tails = new Map<string, Set<Tail>>();
  private readonly reading = new Map<string, Promise<void>>();
  private readonly readAgain = new Set<string>();
  private readonly listener: NotificationListener;
  private readonly heartbeat: NodeJS.Timeout;
  private started?: Promise<void>;

  constructor(
    private readonly logs: LogRepository,
    @Inject(DATABASE_URL) databaseUrl: string,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.listener = new NotificationListener({
      databaseUrl,
      applicationName: LOG_TAIL_APPLICATION_NAME,
      channel: LOGS_CHANNEL,
      onNotification: (payload) => this.notified(payload),
      onReconnect: () => {
        for (const appId of this.tails.keys()) this.read(appId);
      },
    });
    this.heartbeat = setInterval(() => this.beat(), config.watchHeartbeatSeconds * 1000);
    this.heartbeat.unref();
  }

  get tailCount(): number {
    let count = 0;
    for (const tails of this.tails.values()) count += tails.size;
    return count;
  }

  /** Listens from the first tail on: a replica nobody tails holds no connection for it. */
  private start(): Promise<void> {
    this.started ??= this.listener.start().catch((error: unknown) => {
      this.started = undefined;
      throw error;
    });
    return this.started;
  }

  /** Follows the app's log after line `cursor` into `response`, until the client leaves. */
  async follow(
    appId: string,
    filter: LogFilter,
    response: ServerResponse,
    cursor: number,
  ): Promise<void> {
    await this.start();
    const tail: Tail = { appId, filter, response, cursor };
    let tails = this.tails.get(appId);
    if (!tails) this.tails.set(appId, (tails = new Set()));
    tails.add(tail);
    response.on('close', () => this.remove(tail));
    // Lines appended between the caller's backlog read and now.
    this.read(appId);
  }

  onModuleDestroy(): Promise<void> {
    clearInterval(this.heartbeat);
    for (const tails of this.tails.values()) for (const tail of tails) tail.response.end();
    this.tails.clear();
    return this.listener.stop();
  }

  private remove(tail: Tail): void {
    const tails = this.tails.get(tail.appId);
    if (tails?.delete(tail) && tails.size === 0) this.tails.delete(tail.appId);
  }

  private notified(payload: string): void {
    const [appId, head] = payload.split(' ');
    const tails = this.tails.get(appId);
    if (!tails) return;
    const newest = Number(head);
    for (const tail of tails) {
      if (!(tail.cursor >= newest)) {
        this.read(appId);
        return;
      }
    }
  }

  /** Reads the app's new lines for its tails; concurrent calls for one app coalesce. */
  private read(appId: string): void {
    if (this.reading.has(appId)) {
      this.readAgain.add(appId);
      return;
    }
    const reading = this.readNew(appId)
      .catch((error: unknown) => {
        this.logger.warn(`could not read new log lines of app ${appId}: ${error}; retrying`);
        setTimeout(() => this.read(appId), RETRY_MS).unref();
      })
      .finally(() => {
        this.reading.delete(appId);
        if (this.readAgain.delete(appId)) this.read(appId);
      });
    this.reading.set(appId, reading);
  }

  private async readNew(appId: string): Promise<void> {
    for (;;) {
      const tails = this.tails.get(appId);
      if (!tails) return;
      let from = Infinity;
      for (const tail of tails) from = Math.min(from, tail.cursor);
      const lines = await this.logs.after(appId, from, READ_BATCH);
      for (const tail of tails) this.send(tail, lines);
      if (lines.length < READ_BATCH) return;
    }
  }

  private send(tail: Tail, lines: StoredLogLine[]): void {
    let chunk = '';
    for (const line of lines) {
      if (line.seq <= tail.cursor) continue;
      tail.cursor = line.seq;
      if (matchesFilter(tail.filter, line)) chunk += logEvent(line);
    }
    if (!chunk) return;
    tail.response.write(chunk);
    if (tail.response.writableLength > MAX_BUFFERED_BYTES) tail.response.end();
  }

  private beat(): void {
    for (const tails of this.tails.values())
      for (const tail of tails) tail.response.write(': heartbeat\n\n');
  }
}
