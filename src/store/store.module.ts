import { Global, Module } from '@nestjs/common';
import { AccountRepository } from './account.repository.js';
import { AppRepository } from './app.repository.js';
import { BlobStore } from './blob.repository.js';
import { CollaboratorRepository } from './collaborator.repository.js';
import { ConfigVarRepository } from './config-var.repository.js';
import { DomainRepository } from './domain.repository.js';
import { DynoManagerRepository } from './dyno-manager.repository.js';
import { DynoRepository } from './dyno.repository.js';
import { DynoUsageRepository } from './dyno-usage.repository.js';
import { FormationRepository } from './formation.repository.js';
import { LogDrainRepository } from './log-drain.repository.js';
import { LogRepository } from './log.repository.js';
import { MaintenanceWindowRepository } from './maintenance-window.repository.js';
import { MaintenanceRepository } from './maintenance.repository.js';
import { ReleaseRepository } from './release.repository.js';
import { SlugRepository } from './slug.repository.js';
import { SpaceRepository } from './space.repository.js';
import { TokenRepository } from './token.repository.js';

const REPOSITORIES = [
  AccountRepository,
  AppRepository,
  BlobStore,
  CollaboratorRepository,
  ConfigVarRepository,
  DomainRepository,
  DynoManagerRepository,
  DynoRepository,
  DynoUsageRepository,
  FormationRepository,
  LogDrainRepository,
  LogRepository,
  MaintenanceRepository,
  MaintenanceWindowRepository,
  ReleaseRepository,
  SlugRepository,
  SpaceRepository,
  TokenRepository,
];

/** One query class per aggregate: where every table's SQL lives. */
@Global()
@Module({ providers: REPOSITORIES, exports: REPOSITORIES })
export class StoreModule {}
