import { Global, Module } from '@nestjs/common';
import { AppAccess } from './app-access.service.js';
import { AppChanges } from './app-changes.service.js';

/** The write path every change to an app takes, and the access rule every read shares. */
@Global()
@Module({ providers: [AppAccess, AppChanges], exports: [AppAccess, AppChanges] })
export class AppChangesModule {}
