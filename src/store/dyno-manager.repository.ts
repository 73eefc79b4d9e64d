import { Injectable } from '@nestjs/common';
import { PrismaService } from '../database/prisma.service.js';
import type { DynoManager } from '../generated/prisma/client.js';

/** The dyno_managers table: who runs dynos, when they were last heard of, where to attach. */
@Injectable()
export class DynoManagerRepository {
  constructor(private readonly prisma: PrismaService) {}

  /** A manager's heartbeat: it exists, now, with this rendezvous endpoint. */
  heartbeat(name: string, rendezvous: string | null): Promise<DynoManager> {
    const now = new Date();
    return this.prisma.dynoManager.upsert({
      where: { name },
      create: { name, rendezvous, lastSeenAt: now },
      update: { rendezvous, lastSeenAt: now },
    });
  }

  /** The rendezvous of the manager heard of most recently, if any was within `withinMs`. */
  async liveRendezvous(withinMs: number): Promise<string | null> {
    const manager = await this.prisma.dynoManager.findFirst({
      where: { rendezvous: { not: null }, lastSeenAt: { gte: new Date(Date.now() - withinMs) } },
      orderBy: { lastSeenAt: 'desc' },
      select: { rendezvous: true },
    });
    return manager?.rendezvous ?? null;
  }
}
