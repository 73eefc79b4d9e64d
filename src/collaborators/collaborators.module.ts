import { Module } from '@nestjs/common';
import { CollaboratorsController } from './collaborators.controller.js';
import { CollaboratorsService } from './collaborators.service.js';

/** Heroku's collaborators: the accounts besides the owner with access to an app. */
@Module({ controllers: [CollaboratorsController], providers: [CollaboratorsService] })
export class CollaboratorsModule {}
