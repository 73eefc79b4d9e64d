import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { Inject, Injectable } from '@nestjs/common';
import { isDynoManager, Principal } from '../common/auth/principal.js';
import { ForbiddenError, InvalidParamsError, NotFoundError } from '../common/errors/api-errors.js';
import { AppAccess } from '../app-changes/app-access.service.js';
import { type AppConfig, encryptionKeyOf } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { PrismaService } from '../database/prisma.service.js';
import { LogDrainDispatch } from '../log-drains/log-drain-dispatch.service.js';
import { AppRepository } from '../store/app.repository.js';
import { FormationRepository } from '../store/formation.repository.js';
import { LOG_LINES_KEPT, LogRepository } from '../store/log.repository.js';
import { LogWriter, parseLogBatch, refusedLine } from './log-batch.js';
import { checkGrant, LogGrant, logGrantKey, signGrant } from './log-grant.js';
import { API_DYNO, DYNO_FILTER, LOG_SOURCES, LogFilter, ROUTER_DYNO } from './log-line.js';
import { pickBacklog } from './log-backlog.js';
import { logEvent, LogTailHub } from './log-tail-hub.service.js';
import {
  DEFAULT_SESSION_LINES,
  LogIngestResultDto,
  LogSessionCreateDto,
  LogSessionResponseDto,
} from './logs.dto.js';

export const LOG_STREAM_PATH = 'log-streams';
/** One-off dynos' process type, which no formation declares. */
const ONE_OFF_TYPE = 'run';

/**
 * Apps' logs as Heroku's API has them: log sessions (a signed URL to read one app's log,
 * filtered, once or as a tail) and the ingest routers and dyno managers write to.
 */
@Injectable()
export class LogsService {
  private readonly grantKey: Buffer;
  private readonly retentionMs: number;

  constructor(
    private readonly prisma: PrismaService,
    private readonly access: AppAccess,
    private readonly apps: AppRepository,
    private readonly formations: FormationRepository,
    private readonly logs: LogRepository,
    private readonly tails: LogTailHub,
    private readonly drains: LogDrainDispatch,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.grantKey = logGrantKey(encryptionKeyOf(config));
    this.retentionMs = config.logRetentionHours * 3600_000;
  }

  async createSession(
    principal: Principal,
    idOrName: string,
    body: LogSessionCreateDto,
    requestBaseUrl: string,
  ): Promise<LogSessionResponseDto> {
    const app = await this.access.find(principal, idOrName);
    const lines = body.lines ?? DEFAULT_SESSION_LINES;
    if (lines < 0 || lines > LOG_LINES_KEPT)
      throw new InvalidParamsError(`lines must be between 0 and ${LOG_LINES_KEPT}.`);
    const source = body.source ?? null;
    if (source !== null && !(LOG_SOURCES as readonly string[]).includes(source))
      throw new InvalidParamsError(`Unknown source ${source}: use ${LOG_SOURCES.join(' or ')}.`);
    const dyno = body.dyno ?? null;
    if (dyno !== null) await this.checkDynoFilter(app.id, dyno);

    const now = new Date();
    const grant: LogGrant = {
      session: randomUUID(),
      appId: app.id,
      source,
      dyno,
      lines,
      tail: body.tail ?? false,
      issuedAt: Math.floor(now.getTime() / 1000),
    };
    const base = this.config.publicUrl ?? requestBaseUrl;
    return {
      id: grant.session,
      logplex_url: `${base}/${LOG_STREAM_PATH}/${grant.session}?grant=${signGrant(this.grantKey, grant)}`,
      created_at: now.toISOString(),
      updated_at: now.toISOString(),
    };
  }

  /**
   * Streams a session's lines into the response `open` starts once the grant holds: the
   * newest `lines` (or, for a tail that reconnects, every line after its Last-Event-ID),
   * then, for a tail, each new line as it comes.
   */
  async stream(
    session: string,
    token: unknown,
    lastEventId: string | undefined,
    open: () => ServerResponse,
  ): Promise<void> {
    const resumeAfter = lastEventId && /^\d{1,15}$/.test(lastEventId) ? Number(lastEventId) : null;
    const check = checkGrant(this.grantKey, session, token, Date.now(), resumeAfter !== null);
    if (!check.valid) {
      throw new NotFoundError(
        check.reason === 'expired'
          ? 'This log session expired: start a new one (heroku logs).'
          : 'There is no such log session.',
      );
    }
    const { grant } = check;
    if (!(await this.apps.fetch(this.prisma, { id: grant.appId })))
      throw new NotFoundError("Couldn't find that app.");

    const filter: LogFilter = { source: grant.source, dyno: grant.dyno };
    const retained = await this.logs.retained(grant.appId, new Date(Date.now() - this.retentionMs));
    const backlog = pickBacklog(retained, filter, grant.lines, resumeAfter);
    const cursor = retained.length
      ? Math.max(retained[retained.length - 1].seq, resumeAfter ?? 0)
      : Math.max(await this.logs.head(grant.appId), resumeAfter ?? 0);

    const response = open();
    // Reconnect soon after a dropped stream (the default is 3 s).
    response.write(`retry: 1000\n\n${backlog.map(logEvent).join('')}`);
    if (!grant.tail) {
      response.end();
      return;
    }
    // The backlog is in time order, its last id not always the newest: a reconnect resumes here.
    response.write(`id: ${cursor}\n\n`);
    await this.tails.follow(grant.appId, filter, response, cursor);
  }

  async ingest(principal: Principal, body: unknown): Promise<LogIngestResultDto> {
    const writer = writerOf(principal);
    if (!writer)
      throw new ForbiddenError('Only routers (routing scope) and dyno managers write log lines.');
    const lines = parseLogBatch(body, new Date());
    for (const line of lines) {
      const refused = refusedLine(writer, line);
      if (refused) throw new ForbiddenError(refused);
    }
    const accepted = await this.logs.append(lines);
    this.drains.linesAppended(new Set(lines.map((line) => line.appId)));
    return { accepted, skipped: lines.length - accepted };
  }

  /** A dyno filter names a dyno or process type the app could have, the router or the api. */
  private async checkDynoFilter(appId: string, dyno: string): Promise<void> {
    if (dyno === ROUTER_DYNO || dyno === API_DYNO) return;
    const type = dyno.split('.', 1)[0];
    const types = [
      ...Object.keys(await this.formations.processTypes(this.prisma, appId)),
      ONE_OFF_TYPE,
    ];
    if (!DYNO_FILTER.test(dyno) || !types.includes(type)) {
      throw new InvalidParamsError(
        `Unknown dyno ${dyno}: use a dyno (web.1), a process type (${types.join(', ')}), ${ROUTER_DYNO} or ${API_DYNO}.`,
      );
    }
  }
}

function writerOf(principal: Principal): LogWriter | undefined {
  if (principal.scopes.includes('routing')) return 'router';
  if (isDynoManager(principal)) return 'dyno-manager';
  return undefined;
}
