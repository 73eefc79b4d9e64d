import { Injectable, Logger } from '@nestjs/common';
import type { PrismaTransaction } from '../database/prisma.service.js';
import type { ChangeEvent } from '../events/change-event.js';
import { ChangeApplier, ChangeFeed } from '../events/change-feed.service.js';
import { Jobs } from '../jobs/jobs.service.js';
import { LogDrainRepository } from '../store/log-drain.repository.js';
import { DELIVER_TASK, deliveryJob } from './drain-jobs.js';

/**
 * Which apps have drains, in memory on every replica (kept by the change feed), and the
 * wake-ups of their deliveries: after a batch of lines is ingested here, and after any
 * change of such an app, whose lines the events trigger wrote in the change's own
 * transaction. Every replica hears every change and wakes the same drains; the job key
 * leaves one delivery waiting per drain. Waking never waits on the delivery itself.
 */
@Injectable()
export class LogDrainDispatch implements ChangeApplier {
  private readonly logger = new Logger(LogDrainDispatch.name);
  private readonly byApp = new Map<string, Set<string>>();

  constructor(
    feed: ChangeFeed,
    private readonly drains: LogDrainRepository,
    private readonly jobs: Jobs,
  ) {
    feed.register(this);
    feed.subscribe((events) => this.changed(events));
  }

  async load(tx: PrismaTransaction): Promise<void> {
    this.byApp.clear();
    for (const drain of await this.drains.all(tx)) this.add(drain.appId, drain.id);
  }

  async apply(events: ChangeEvent[]): Promise<void> {
    for (const event of events) {
      if (event.appId === null) continue;
      if (event.action === 'drain.add') this.add(event.appId, event.data.drain_id);
      else if (event.action === 'drain.remove')
        this.byApp.get(event.appId)?.delete(event.data.drain_id);
      else if (event.action === 'app.destroy') this.byApp.delete(event.appId);
    }
  }

  /** The app's drains as this replica knows them. */
  drainsOf(appId: string): string[] {
    return [...(this.byApp.get(appId) ?? [])];
  }

  /** Wakes the drains of these apps, whose logs just grew; returns at once. */
  linesAppended(appIds: Iterable<string>): void {
    const drains = new Set<string>();
    for (const appId of appIds) for (const drain of this.byApp.get(appId) ?? []) drains.add(drain);
    for (const drain of drains) void this.wake(drain);
  }

  /** Adds the drain's delivery job (or leaves the one waiting as it is). */
  async wake(drainId: string): Promise<void> {
    if (this.jobs.stopping) return;
    try {
      await this.jobs.addJob(DELIVER_TASK, { drain_id: drainId }, deliveryJob(drainId));
    } catch (error) {
      // The sweep wakes every drain with lines waiting within a minute.
      this.logger.warn(`could not wake log drain ${drainId}: ${String(error)}`);
    }
  }

  private changed(events: ChangeEvent[]): void {
    const apps = new Set<string>();
    for (const event of events) if (event.appId !== null) apps.add(event.appId);
    this.linesAppended(apps);
  }

  private add(appId: string, drainId: string): void {
    let drains = this.byApp.get(appId);
    if (!drains) this.byApp.set(appId, (drains = new Set()));
    drains.add(drainId);
  }
}
