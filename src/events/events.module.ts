import { Global, Module } from '@nestjs/common';
import { ChangeFeed } from './change-feed.service.js';
import { EventRetention } from './event-retention.service.js';
import { EventRepository } from './event.repository.js';

@Global()
@Module({
  providers: [EventRepository, ChangeFeed, EventRetention],
  exports: [EventRepository, ChangeFeed, EventRetention],
})
export class EventsModule {}
