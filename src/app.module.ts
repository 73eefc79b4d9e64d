import { DynamicModule, Module } from '@nestjs/common';
import { AccountsModule } from './accounts/accounts.module.js';
import { AddonsModule } from './addons/addons.module.js';
import { AppChangesModule } from './app-changes/app-changes.module.js';
import { AuditModule } from './audit/audit.module.js';
import { AppsModule } from './apps/apps.module.js';
import { AuthModule } from './auth/auth.module.js';
import { CollaboratorsModule } from './collaborators/collaborators.module.js';
import { CryptoModule } from './encryption-keys/crypto.module.js';
import { ConfigVarsModule } from './config-vars/config-vars.module.js';
import { DynoSizesModule } from './dyno-sizes/dyno-sizes.module.js';
import { DynosModule } from './dynos/dynos.module.js';
import { DynoUsageModule } from './dyno-usage/dyno-usage.module.js';
import { FormationsModule } from './formations/formations.module.js';
import { RegionsModule } from './regions/regions.module.js';
import { ReleasesModule } from './releases/releases.module.js';
import { EventsModule } from './events/events.module.js';
import { RoutingModule } from './routing/routing.module.js';
import type { AppConfig } from './config/app-config.js';
import { ConfigModule } from './config/config.module.js';
import { DatabaseModule } from './database/database.module.js';
import { HealthModule } from './health/health.module.js';
import { JobsModule } from './jobs/jobs.module.js';
import { DomainsModule } from './domains/domains.module.js';
import { LogDrainsModule } from './log-drains/log-drains.module.js';
import { LogsModule } from './logs/logs.module.js';
import { MaintenanceModule } from './maintenance/maintenance.module.js';
import { MaintenanceWindowsModule } from './maintenance-windows/maintenance-windows.module.js';
import { SlugsModule } from './slugs/slugs.module.js';
import { StacksModule } from './stacks/stacks.module.js';
import { StoreModule } from './store/store.module.js';
import { SpacesModule } from './spaces/spaces.module.js';
import { TokensModule } from './tokens/tokens.module.js';

@Module({})
export class AppModule {
  static forRoot(config: AppConfig, databaseUrl: string): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        DatabaseModule.forRoot(databaseUrl),
        CryptoModule,
        StoreModule,
        JobsModule,
        AppChangesModule,
        AuthModule,
        HealthModule,
        AccountsModule,
        TokensModule,
        SpacesModule,
        AppsModule,
        CollaboratorsModule,
        MaintenanceModule,
        MaintenanceWindowsModule,
        AddonsModule,
        FormationsModule,
        DynosModule,
        DynoUsageModule,
        DynoSizesModule,
        RegionsModule,
        StacksModule,
        ConfigVarsModule,
        ReleasesModule,
        SlugsModule,
        AuditModule,
        EventsModule,
        RoutingModule,
        LogsModule,
        LogDrainsModule,
        DomainsModule,
      ],
    };
  }
}
