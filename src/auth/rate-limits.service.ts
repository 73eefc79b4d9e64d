import { Inject, Injectable } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { RateLimitError } from '../common/errors/api-errors.js';
import { addressKey, ClientAddress, clientAddressOf } from '../common/rate-limit/client-address.js';
import { Budget, RateLimiter } from '../common/rate-limit/rate-limiter.js';
import type { Principal } from '../common/auth/principal.js';
import { SERVICE_SCOPES } from '../common/auth/scopes.js';

const SERVICE = new Set<string>(SERVICE_SCOPES);

/**
 * drydock's request budgets, in this replica's memory:
 * - the Platform API: per account, RATE_LIMIT_REQUESTS_PER_HOUR (Heroku's 4,500 an hour);
 * - the machine APIs (routing, scheduler, dyno manager): per machine token, or per account
 *   for people's tokens (so minting tokens buys no more), RATE_LIMIT_MACHINE_REQUESTS_PER_SECOND;
 * - failed authentication: per client address, RATE_LIMIT_AUTH_FAILURES_PER_MINUTE.
 */
@Injectable()
export class RateLimits {
  private readonly accounts: RateLimiter;
  private readonly machines: RateLimiter;
  private readonly failures: RateLimiter;
  /**
   * Each principal's machine budget: principals live in the auth cache for seconds, so a
   * lookup costs one WeakMap get here instead of working out its key every request.
   */
  private readonly machineBudgets = new WeakMap<Principal, Budget>();
  private readonly clientAddress: ClientAddress;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    this.accounts = new RateLimiter(config.rateLimitRequestsPerHour, 3_600_000);
    this.machines = new RateLimiter(config.rateLimitMachineRequestsPerSecond, 1000);
    this.failures = new RateLimiter(config.rateLimitAuthFailuresPerMinute, 60_000);
    this.clientAddress = clientAddressOf(config.trustProxy);
  }

  /** Charges a Platform API request to the principal's account: what remains, or 429. */
  chargeAccount(principal: Principal): number {
    const now = Date.now();
    const budget = this.accounts.budget(principal.accountId, now);
    const remaining = this.accounts.take(budget, now);
    if (remaining >= 0) return remaining;
    throw new RateLimitError(undefined, {
      'Retry-After': String(this.accounts.retryAfterSeconds(budget, now)),
      'RateLimit-Remaining': '0',
    });
  }

  /** Charges a machine API request; 429 when its budget is spent. */
  chargeMachine(principal: Principal): void {
    const now = Date.now();
    let budget = this.machineBudgets.get(principal);
    if (budget === undefined) {
      const key = principal.scopes.some((scope) => SERVICE.has(scope))
        ? `token:${principal.tokenId}`
        : `account:${principal.accountId}`;
      budget = this.machines.budget(key, now);
      this.machineBudgets.set(principal, budget);
    }
    if (this.machines.take(budget, now) >= 0) return;
    throw new RateLimitError(
      `This token reached the machine API rate limit of ${this.config.rateLimitMachineRequestsPerSecond} requests a second.`,
      { 'Retry-After': String(this.machines.retryAfterSeconds(budget, now)) },
    );
  }

  /** The client a request counts for (see addressKey). */
  clientOf(request: IncomingMessage): string {
    return addressKey(this.clientAddress(request));
  }

  /** 429 for a client that failed authentication too often: its tokens are not even looked at. */
  refuseFailing(client: string): void {
    const now = Date.now();
    if (!this.failures.spent(client, now)) return;
    const budget = this.failures.budget(client, now);
    throw new RateLimitError(
      'Too many failed authentication attempts from your address. Please wait a few minutes.',
      { 'Retry-After': String(this.failures.retryAfterSeconds(budget, now)) },
    );
  }

  /** Counts a failed authentication against its client. */
  authenticationFailed(client: string): void {
    const now = Date.now();
    this.failures.take(this.failures.budget(client, now), now);
  }
}
