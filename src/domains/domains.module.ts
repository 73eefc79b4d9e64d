import { Module } from '@nestjs/common';
import { DomainsController } from './domains.controller.js';
import { DomainsService } from './domains.service.js';
import { SniEndpointsController } from './sni-endpoints.controller.js';

/** Heroku's domains: an app's default host name and the custom ones routers send to it. */
@Module({
  controllers: [DomainsController, SniEndpointsController],
  providers: [DomainsService],
})
export class DomainsModule {}
