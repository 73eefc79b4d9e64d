import { Injectable } from '@nestjs/common';
import { PrismaService, PrismaTransaction } from '../database/prisma.service.js';
import type { LogDrain } from '../generated/prisma/client.js';

export type { LogDrain };

/**
 * The class of drains' delivery locks (two-key advisory locks, a space apart from the
 * one-key locks elsewhere); the drain's id hashes to the second key, and two drains whose
 * ids share a hash only take turns.
 */
const DELIVERY_LOCK_CLASS = 72_736_108;

/** What a delivery needs of a drain: where, as whom, from which line, and its backoff. */
export interface DrainDelivery {
  id: string;
  appId: string;
  url: string;
  token: string;
  cursorSeq: number;
  cursorAt: Date;
  unreported: number;
  unreportedSince: Date | null;
  failures: number;
  retryAt: Date | null;
}

/** How a delivery moves a drain on: past `toSeq`, with the lines it lost on the way. */
export interface DrainAdvance {
  fromSeq: number;
  toSeq: number;
  toAt: Date;
  /** Lines the drain lost in this step, counted into `dropped`. */
  lost: number;
  /**
   * The drain took the batch, and with it the L10 line of every loss so far (those of this
   * step included); false when it refused the batch, whose lines join the losses to report.
   */
  reported: boolean;
}

/** Apps' log drains: the resource, and each drain's delivery progress. */
@Injectable()
export class LogDrainRepository {
  constructor(private readonly prisma: PrismaService) {}

  list(db: PrismaTransaction, appId: string): Promise<LogDrain[]> {
    return db.logDrain.findMany({
      where: { appId },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    });
  }

  /** The app's drain named by its id, its URL or its token (Heroku's query identity). */
  find(db: PrismaTransaction, appId: string, identity: string): Promise<LogDrain | null> {
    const byId = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(identity);
    return db.logDrain.findFirst({
      where: {
        appId,
        OR: [
          ...(byId ? [{ id: identity.toLowerCase() }] : []),
          { url: identity },
          { token: identity },
        ],
      },
    });
  }

  count(db: PrismaTransaction, appId: string): Promise<number> {
    return db.logDrain.count({ where: { appId } });
  }

  /**
   * Adds a drain whose cursor is the app's log head as of this transaction: it receives the
   * lines written from now on.
   */
  async create(
    tx: PrismaTransaction,
    drain: { appId: string; url: string; token: string },
  ): Promise<LogDrain> {
    const [{ id }] = await tx.$queryRaw<{ id: string }[]>`
      INSERT INTO log_drains (app_id, url, token, cursor_seq, cursor_at)
      SELECT ${drain.appId}::uuid, ${drain.url}, ${drain.token},
             COALESCE((SELECT head FROM log_streams WHERE app_id = ${drain.appId}::uuid), 0),
             clock_timestamp()
      RETURNING id`;
    return tx.logDrain.findUniqueOrThrow({ where: { id } });
  }

  async delete(tx: PrismaTransaction, id: string): Promise<void> {
    await tx.logDrain.delete({ where: { id } });
  }

  /** Every drain's id and app, for the in-memory directory. */
  all(db: PrismaTransaction): Promise<{ id: string; appId: string }[]> {
    return db.logDrain.findMany({ select: { id: true, appId: true } });
  }

  /** The drains with lines waiting: their cursor is behind their app's log head. */
  async behind(): Promise<string[]> {
    const rows = await this.prisma.$queryRaw<{ id: string }[]>`
      SELECT d.id FROM log_drains d JOIN log_streams s ON s.app_id = d.app_id
      WHERE s.head > d.cursor_seq`;
    return rows.map((row) => row.id);
  }

  /**
   * Takes the drain's delivery lock until `tx` ends, and lets `tx` sit idle (a POST in
   * flight) for `holdMs`; false while another delivery holds it. PostgreSQL releases it when
   * the holder's connection goes, with the replica that died holding it. An advisory lock,
   * not the row's: removing the drain (or its app) does not wait for a POST.
   */
  async lockForDelivery(tx: PrismaTransaction, id: string, holdMs: number): Promise<boolean> {
    await tx.$queryRaw`SELECT set_config('idle_in_transaction_session_timeout', ${String(holdMs)}, true)`;
    const [{ locked }] = await tx.$queryRaw<{ locked: boolean }[]>`
      SELECT pg_try_advisory_xact_lock(${DELIVERY_LOCK_CLASS}::int, hashtext(${id})) AS locked`;
    return locked;
  }

  async forDelivery(tx: PrismaTransaction, id: string): Promise<DrainDelivery | null> {
    const drain = await tx.logDrain.findUnique({ where: { id } });
    if (!drain) return null;
    return {
      id: drain.id,
      appId: drain.appId,
      url: drain.url,
      token: drain.token,
      cursorSeq: Number(drain.cursorSeq),
      cursorAt: drain.cursorAt,
      unreported: Number(drain.unreported),
      unreportedSince: drain.unreportedSince,
      failures: drain.failures,
      retryAt: drain.retryAt,
    };
  }

  /**
   * Moves the drain past a delivered (or refused) batch and clears its backoff, if its
   * cursor is still where the delivery read from; false when it moved meanwhile.
   */
  async advance(tx: PrismaTransaction, id: string, step: DrainAdvance): Promise<boolean> {
    const updated = await tx.$executeRaw`
      UPDATE log_drains SET
        cursor_seq = ${step.toSeq}::bigint,
        cursor_at = ${step.toAt}::timestamptz,
        dropped = dropped + ${step.lost}::bigint,
        unreported = CASE WHEN ${step.reported}::boolean THEN 0 ELSE unreported + ${step.lost}::bigint END,
        unreported_since = CASE
          WHEN ${step.reported}::boolean THEN NULL
          WHEN ${step.lost}::bigint > 0 THEN COALESCE(unreported_since, cursor_at)
          ELSE unreported_since END,
        failures = 0, retry_at = NULL, last_error = NULL, delivered_at = now()
      WHERE id = ${id}::uuid AND cursor_seq = ${step.fromSeq}::bigint`;
    return updated === 1;
  }

  /** Records a failed delivery: one more failure in a row, and when to try again. */
  async failed(
    tx: PrismaTransaction,
    id: string,
    failures: number,
    retryAt: Date,
    reason: string,
  ): Promise<void> {
    await tx.$executeRaw`
      UPDATE log_drains SET failures = ${failures}, retry_at = ${retryAt}, last_error = ${reason}
      WHERE id = ${id}::uuid`;
  }
}
