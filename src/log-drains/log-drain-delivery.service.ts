import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { PrismaService, PrismaTransaction } from '../database/prisma.service.js';
import { Jobs, type JobHelpers } from '../jobs/jobs.service.js';
import { LogDrainRepository, type DrainDelivery } from '../store/log-drain.repository.js';
import { LogRepository, type StoredLogLine } from '../store/log.repository.js';
import { DELIVER_TASK, deliveryJob, drainRetryDelayMs, SWEEP_TASK } from './drain-jobs.js';
import { DrainTransport } from './drain-transport.js';
import { LogDrainDispatch } from './log-drain-dispatch.service.js';
import { frameId, overflowLine, syslogFrame } from './logplex-frames.js';

/** A delivery's size: as many lines as Logplex batches, and a body well under receivers' limits. */
export const BATCH_LINES = 500;
export const BATCH_BYTES = 1024 * 1024;
/** A delivery's transaction outlives its POST (bounded by the transport) by this much. */
const LOCK_MARGIN_MS = 5000;
/** A wake-up that finds the drain's lock held tries again this much later. */
const BUSY_RETRY_MS = 1000;

/** A test's way in: deliveries trust this certificate authority too. */
export const DRAIN_TRANSPORT = Symbol('DRAIN_TRANSPORT');

/**
 * Delivers each drain's lines, a batch a job, in order, from its cursor: the lines after
 * the last one it took, read from the app's log. A 2xx moves the cursor on (and wakes the
 * drain again while lines wait); a 4xx other than 408 or 429 drops the batch, as Logplex
 * does; anything else leaves the cursor and tries again after a backoff kept in the drain's
 * row, so that wake-ups from new lines cannot hurry a drain that is down. Lines that left
 * the app's log before the drain took them (its 1,500 newest were not enough) are counted
 * and reported to the drain as Heroku's L10 line before the rest. A drain's deliveries take
 * turns on its lock in the database, held across the POST and released by the commit that
 * moves its cursor: a replica killed mid-delivery drops the lock with its connection, and
 * the next wake-up carries on from the cursor on any replica within a second or so.
 */
@Injectable()
export class LogDrainDelivery implements OnModuleDestroy {
  private readonly logger = new Logger(LogDrainDelivery.name);

  constructor(
    jobs: Jobs,
    private readonly prisma: PrismaService,
    private readonly drains: LogDrainRepository,
    private readonly logs: LogRepository,
    private readonly dispatch: LogDrainDispatch,
    @Inject(DRAIN_TRANSPORT) private readonly transport: DrainTransport,
  ) {
    jobs.register<{ drain_id?: unknown }>(DELIVER_TASK, (payload, helpers) =>
      typeof payload?.drain_id === 'string' ? this.deliver(payload.drain_id, helpers) : undefined,
    );
    jobs.register(SWEEP_TASK, () => this.sweep());
    jobs.schedule({ task: SWEEP_TASK, match: '* * * * *' });
  }

  async onModuleDestroy(): Promise<void> {
    await this.transport.close();
  }

  /** Delivers one batch of the drain's waiting lines, and schedules the next delivery. */
  async deliver(
    drainId: string,
    helpers: Pick<JobHelpers, 'abortSignal' | 'addJob'>,
  ): Promise<void> {
    const holdMs = this.transport.timeoutMs + LOCK_MARGIN_MS;
    const next = await this.prisma.$transaction(
      (tx) => this.deliverLocked(tx, drainId, holdMs, helpers.abortSignal),
      { timeout: holdMs },
    );
    // After the commit: the next delivery must find the lock free and the cursor moved.
    if (next) await helpers.addJob(DELIVER_TASK, { drain_id: drainId }, deliveryJob(drainId, next));
  }

  /** Wakes every drain that has lines waiting. */
  async sweep(): Promise<void> {
    for (const drainId of await this.drains.behind()) await this.dispatch.wake(drainId);
  }

  /**
   * One batch under the drain's lock, with its progress saved in the same transaction, so
   * deliveries of a drain take turns across replicas; when to deliver again, if at all.
   */
  private async deliverLocked(
    tx: PrismaTransaction,
    drainId: string,
    holdMs: number,
    signal: AbortSignal | undefined,
  ): Promise<Date | undefined> {
    const now = new Date();
    // Lines may have arrived during the holder's POST: look again soon rather than at the sweep.
    if (!(await this.drains.lockForDelivery(tx, drainId, holdMs)))
      return new Date(now.getTime() + BUSY_RETRY_MS);
    const drain = await this.drains.forDelivery(tx, drainId);
    if (!drain) return undefined;
    if (drain.retryAt && drain.retryAt > now) return drain.retryAt;

    // The head first: every line up to it had committed, so one missing now was removed.
    const head = await this.logs.head(drain.appId, tx);
    const read = await this.logs.after(drain.appId, drain.cursorSeq, BATCH_LINES, tx);
    const skipped = read.length
      ? read[0].seq - drain.cursorSeq - 1
      : Math.max(0, head - drain.cursorSeq);
    if (read.length === 0 && skipped === 0) return undefined;

    const lost = drain.unreported + skipped;
    const frames: string[] = [];
    if (lost > 0)
      frames.push(syslogFrame(overflowLine(lost, drain.unreportedSince ?? drain.cursorAt, now)));
    const lines = withinBytes(read, BATCH_BYTES - (frames[0]?.length ?? 0));
    for (const line of lines) frames.push(syslogFrame(line));
    const last = lines.at(-1);
    const toSeq = last ? last.seq : head;
    const outcome = await this.transport.post({
      url: drain.url,
      token: drain.token,
      frameId: frameId(drain.id, drain.cursorSeq, toSeq, lost),
      body: frames.join(''),
      count: frames.length,
      signal,
    });

    const more = toSeq < head || lines.length < read.length || read.length === BATCH_LINES;
    const step = { fromSeq: drain.cursorSeq, toSeq, toAt: last ? new Date(last.at) : now };
    if (outcome.outcome === 'failed') return this.failed(tx, drain, outcome.reason, now);
    if (outcome.outcome === 'refused') {
      this.logger.warn(
        `log drain ${drain.id} (app ${drain.appId}) ${outcome.reason}: its ${lines.length} lines are dropped, as Heroku drops them`,
      );
      await this.drains.advance(tx, drain.id, {
        ...step,
        lost: skipped + lines.length,
        reported: false,
      });
    } else {
      await this.drains.advance(tx, drain.id, { ...step, lost: skipped, reported: true });
    }
    return more ? new Date() : undefined;
  }

  /** Records a failed delivery and returns when to try again. */
  private async failed(
    tx: PrismaTransaction,
    drain: DrainDelivery,
    reason: string,
    now: Date,
  ): Promise<Date> {
    const failures = drain.failures + 1;
    const delayMs = drainRetryDelayMs(failures);
    const retryAt = new Date(now.getTime() + delayMs);
    await this.drains.failed(tx, drain.id, failures, retryAt, reason);
    // A drain that stays down would say so every few minutes: the first time, then every tenth.
    if (failures === 1 || failures % 10 === 0) {
      this.logger.warn(
        `log drain ${drain.id} (app ${drain.appId}): delivery failed ${failures} time(s) in a row, ${reason}; trying again in ${Math.ceil(delayMs / 1000)} s`,
      );
    }
    return retryAt;
  }
}

/** The first lines whose frames fit in `budget` bytes; at least one. */
function withinBytes(lines: StoredLogLine[], budget: number): StoredLogLine[] {
  let used = 0;
  for (let i = 0; i < lines.length; i++) {
    used += Buffer.byteLength(syslogFrame(lines[i]));
    if (used > budget && i > 0) return lines.slice(0, i);
  }
  return lines;
}
