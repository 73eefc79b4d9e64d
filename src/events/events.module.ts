import { Global, Module } from '@nestjs/common';
import { ChangeFeed } from './change-feed.service.js';
import { EventRetention } from './event-retention.service.js';

@Global()
@Module({ providers: [ChangeFeed, EventRetention], exports: [ChangeFeed, EventRetention] })
export class EventsModule {}
