import { describeError } from '../common/http-client/describe-error.js';
import { JsonClient } from '../common/http-client/json-client.js';
import { DynoProtocolError, parseManagedDynos, type ManagedDyno } from './managed-dyno.js';

export const API = '/dyno-manager/v1';

/** What a manager tells about a dyno it runs. */
export interface DynoReport {
  state: 'starting' | 'up' | 'crashed' | 'down';
  generation: number;
  /** Omitted: keep the last one; null: clear it. */
  address?: string | null;
  exit_status?: number;
  error?: string;
}

export type ReportOutcome =
  | 'accepted'
  /** 409: the report is about an older generation than the dyno's. */
  | 'stale'
  /** 404: the dyno (or its app) is gone. */
  | 'gone'
  /** Another 4xx: the control plane will never take this report. */
  | 'refused';

/** A failure worth retrying: the network, a timeout, a 5xx or 429. */
export class ControlPlaneUnavailable extends Error {}

/** The control plane's dyno manager API, as the manager uses it. */
export class ControlPlaneApi {
  constructor(readonly client: JsonClient) {}

  async listAll(): Promise<{ version: number; dynos: ManagedDyno[] }> {
    const { status, body } = await this.call('GET', `${API}/dynos`);
    if (status !== 200) throw this.unexpected('the listing', status, body);
    const record = body as { version?: unknown; dynos?: unknown } | undefined;
    if (!record || !Number.isInteger(record.version))
      throw new DynoProtocolError('the listing has no version');
    return { version: record.version as number, dynos: parseManagedDynos(record.dynos, 'dynos') };
  }

  /** One app's dynos; null when the app is gone (404). */
  async listApp(appId: string): Promise<ManagedDyno[] | null> {
    const { status, body } = await this.call(
      'GET',
      `${API}/apps/${encodeURIComponent(appId)}/dynos`,
    );
    if (status === 404) return null;
    if (status !== 200) throw this.unexpected(`the listing of app ${appId}`, status, body);
    return parseManagedDynos(body, `app ${appId}'s dynos`);
  }

  async report(appId: string, dynoId: string, report: DynoReport): Promise<ReportOutcome> {
    const path = `${API}/apps/${encodeURIComponent(appId)}/dynos/${encodeURIComponent(dynoId)}/state`;
    const { status, body } = await this.call('PUT', path, report);
    if (status >= 200 && status < 300) return 'accepted';
    if (status === 409) return 'stale';
    if (status === 404) return 'gone';
    if (status >= 400 && status < 500 && status !== 429 && status !== 401 && status !== 403)
      return 'refused';
    throw this.unexpected('a state report', status, body);
  }

  async heartbeat(name: string, rendezvous: string | null): Promise<void> {
    const { status, body } = await this.call('PUT', `${API}/managers/${encodeURIComponent(name)}`, {
      rendezvous,
    });
    if (status !== 200) throw this.unexpected('the heartbeat', status, body);
  }

  private async call(method: string, path: string, body?: unknown) {
    try {
      return await this.client.request(method, path, body);
    } catch (error) {
      throw new ControlPlaneUnavailable(describeError(error), { cause: error });
    }
  }

  private unexpected(what: string, status: number, body: unknown): ControlPlaneUnavailable {
    const message = (body as { message?: unknown } | undefined)?.message;
    return new ControlPlaneUnavailable(
      `${what} answered ${status}${hint(status)}${typeof message === 'string' ? `: ${message}` : ''}`,
    );
  }
}

function hint(status: number): string {
  if (status === 401) return ' (check DYNO_MANAGER_TOKEN)';
  if (status === 403) return ' (the token lacks the dyno-manager scope)';
  return '';
}
