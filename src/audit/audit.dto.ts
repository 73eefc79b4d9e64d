import { ApiProperty } from '@nestjs/swagger';
import { CHANGE_ACTIONS, ChangeEvent } from '../events/change-event.js';

class AuditAppDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'myapp', description: 'The name at the time of the change' })
  name!: string;
}

class AuditActorDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ type: String, nullable: true, example: 'operator@example.com' })
  email!: string | null;
}

/** One change to an app, as the change log keeps it (payloads never hold secret values). */
export class AuditEventDto {
  @ApiProperty({ example: '57', description: "The change's version in the change log" })
  id!: string;
  @ApiProperty({ example: 57 }) version!: number;
  @ApiProperty({ enum: CHANGE_ACTIONS, example: 'maintenance.enable' }) action!: string;
  @ApiProperty({ type: AuditAppDto }) app!: AuditAppDto;
  @ApiProperty({
    type: AuditActorDto,
    nullable: true,
    description: 'Who made the change; null for drydock itself',
  })
  actor!: AuditActorDto | null;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    example: { from: false, to: true, reason: 'Migrating', source: 'api' },
    description:
      'The change, by action (see the ChangePayloads schema): config changes name keys, never values',
  })
  data!: Record<string, unknown>;
  @ApiProperty({ example: '2026-12-01T18:00:00.000Z' }) created_at!: string;
}

export function toAuditEvent(event: ChangeEvent, emails: Map<string, string>): AuditEventDto {
  return {
    id: String(event.version),
    version: event.version,
    action: event.action,
    app: { id: event.appId!, name: event.appName ?? '' },
    actor: event.actorId ? { id: event.actorId, email: emails.get(event.actorId) ?? null } : null,
    data: event.data as Record<string, unknown>,
    created_at: event.createdAt.toISOString(),
  };
}
