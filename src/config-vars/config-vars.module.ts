import { Module } from '@nestjs/common';
import { ConfigVarsController } from './config-vars.controller.js';
import { ConfigVarsService } from './config-vars.service.js';

@Module({
  controllers: [ConfigVarsController],
  providers: [ConfigVarsService],
  exports: [ConfigVarsService],
})
export class ConfigVarsModule {}
