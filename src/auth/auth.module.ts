import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AuthGuard } from './auth.guard.js';
import { AuthService } from './auth.service.js';
import { RateLimits } from './rate-limits.service.js';

@Module({
  providers: [AuthService, RateLimits, { provide: APP_GUARD, useClass: AuthGuard }],
  exports: [AuthService, RateLimits],
})
export class AuthModule {}
