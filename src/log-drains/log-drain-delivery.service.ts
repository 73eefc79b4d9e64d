import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
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

/** A test's way in: deliveries trust this certificate authority too. */
export const DRAIN_TRANSPORT = Symbol('DRAIN_TRANSPORT');

/**
 * Delivers each drain's lines, a batch a job, in order, from its cursor: the lines after
 * the last one it took, read from the app's log. A 2xx moves the cursor on (and wakes the
 * drain again while lines wait); a 4xx other than 408 or 429 drops the batch, as Logplex
 * does; anything else leaves the cursor and tries again after a backoff kept in the drain's
 * row, so that wake-ups from new lines cannot hurry a drain that is down. Lines that left
 * the app's log before the drain took them (its 1,500 newest were not enough) are counted
 * and reported to the drain as Heroku's L10 line before the rest.
 */
@Injectable()
export class LogDrainDelivery implements OnModuleDestroy {
  private readonly logger = new Logger(LogDrainDelivery.name);

  constructor(
    jobs: Jobs,
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

  /** Delivers one batch of the drain's waiting lines. */
  async deliver(
    drainId: string,
    helpers: Pick<JobHelpers, 'abortSignal' | 'addJob'>,
  ): Promise<void> {
    const drain = await this.drains.forDelivery(drainId);
    if (!drain) return;
    const now = new Date();
    if (drain.retryAt && drain.retryAt > now)
      return this.schedule(helpers, drain.id, drain.retryAt);

    // The head first: every line up to it had committed, so one missing now was removed.
    const head = await this.logs.head(drain.appId);
    const read = await this.logs.after(drain.appId, drain.cursorSeq, BATCH_LINES);
    const skipped = read.length
      ? read[0].seq - drain.cursorSeq - 1
      : Math.max(0, head - drain.cursorSeq);
    if (read.length === 0 && skipped === 0) return;

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
      signal: helpers.abortSignal,
    });

    const more = toSeq < head || lines.length < read.length || read.length === BATCH_LINES;
    const step = { fromSeq: drain.cursorSeq, toSeq, toAt: last ? new Date(last.at) : now };
    if (outcome.outcome === 'failed') return this.failed(helpers, drain, outcome.reason, now);
    if (outcome.outcome === 'refused') {
      this.logger.warn(
        `log drain ${drain.id} (app ${drain.appId}) ${outcome.reason}: its ${lines.length} lines are dropped, as Heroku drops them`,
      );
      await this.drains.advance(drain.id, {
        ...step,
        lost: skipped + lines.length,
        reported: false,
      });
    } else {
      await this.drains.advance(drain.id, { ...step, lost: skipped, reported: true });
    }
    if (more)
      await helpers.addJob(DELIVER_TASK, { drain_id: drain.id }, deliveryJob(drain.id, new Date()));
  }

  /** Wakes every drain that has lines waiting. */
  async sweep(): Promise<void> {
    for (const drainId of await this.drains.behind()) await this.dispatch.wake(drainId);
  }

  private async failed(
    helpers: Pick<JobHelpers, 'addJob'>,
    drain: DrainDelivery,
    reason: string,
    now: Date,
  ): Promise<void> {
    const failures = drain.failures + 1;
    const delayMs = drainRetryDelayMs(failures);
    const retryAt = new Date(now.getTime() + delayMs);
    await this.drains.failed(drain.id, failures, retryAt, reason);
    // A drain that stays down would say so every few minutes: the first time, then every tenth.
    if (failures === 1 || failures % 10 === 0) {
      this.logger.warn(
        `log drain ${drain.id} (app ${drain.appId}): delivery failed ${failures} time(s) in a row, ${reason}; trying again in ${Math.ceil(delayMs / 1000)} s`,
      );
    }
    await this.schedule(helpers, drain.id, retryAt);
  }

  private async schedule(
    helpers: Pick<JobHelpers, 'addJob'>,
    drainId: string,
    at: Date,
  ): Promise<void> {
    await helpers.addJob(DELIVER_TASK, { drain_id: drainId }, deliveryJob(drainId, at));
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
