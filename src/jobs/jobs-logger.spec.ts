import { jobsLogger } from './jobs-logger.js';

describe('jobsLogger', () => {
  it("routes graphile-worker's levels to Nest's, routine info to debug, without metadata", () => {
    const lines: string[] = [];
    const sink = {
      error: (m: string) => lines.push(`error ${m}`),
      warn: (m: string) => lines.push(`warn ${m}`),
      debug: (m: string) => lines.push(`debug ${m}`),
      verbose: (m: string) => lines.push(`verbose ${m}`),
    };
    const logger = jobsLogger(sink);
    logger.error('Failed task 7', { job: { payload: { secret: 'x' } } });
    logger.warn('slow');
    logger.info('Completed task 8 with success');
    logger.debug('Found task 9');
    logger.scope({ label: 'cron' }).info('backfilling');
    expect(lines).toEqual([
      'error Failed task 7',
      'warn slow',
      'debug Completed task 8 with success',
      'verbose Found task 9',
      'debug cron: backfilling',
    ]);
  });
});
