import { Injectable } from '@nestjs/common';
import { AppAccess } from '../app-changes/app-access.service.js';
import type { Principal } from '../common/auth/principal.js';
import { findDynoSize } from '../dyno-sizes/dyno-size-catalogue.js';
import { DynoUsageRepository } from '../store/dyno-usage.repository.js';
import { DynoUsageDto } from './dyno-usage.dto.js';
import { usagePeriod } from './usage-period.js';

/** What an app's dynos used, per day, type and size: the seed's dyno hours. */
@Injectable()
export class DynoUsageService {
  constructor(
    private readonly access: AppAccess,
    private readonly usage: DynoUsageRepository,
  ) {}

  async daily(
    principal: Principal,
    idOrName: string,
    start: string | undefined,
    end: string | undefined,
  ): Promise<DynoUsageDto[]> {
    const period = usagePeriod(start, end);
    const app = await this.access.find(principal, idOrName);
    const rows = await this.usage.daily(app.id, period.start, period.end);
    return rows.map((row) => {
      const size = findDynoSize(row.size);
      return {
        date: row.date,
        type: row.type,
        size: size?.name ?? row.size,
        seconds: round(row.seconds, 3),
        dyno_units: round((row.seconds / 86_400) * (size?.preciseDynoUnits ?? 1), 6),
        maintenance_seconds: round(row.maintenanceSeconds, 3),
      };
    });
  }
}

function round(value: number, digits: number): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}
