import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsString, MaxLength } from 'class-validator';
import { Omittable } from '../common/validation/omittable.decorator.js';
import type { AppWithRelations } from '../store/app.repository.js';
import type { CollaboratorWithAccount } from '../store/collaborator.repository.js';

export class CollaboratorCreateDto {
  @ApiProperty({
    example: 'collaborator@example.com',
    description: 'The email or id of an existing account (`~` for yourself)',
  })
  @IsString()
  @MaxLength(254)
  user!: string;

  @ApiPropertyOptional({
    example: false,
    description: 'Accepted for Heroku compatibility: drydock sends no invitation emails',
  })
  @Omittable()
  @IsBoolean()
  silent?: boolean;
}

class CollaboratorAppDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'myapp' }) name!: string;
}

class CollaboratorUserDto {
  @ApiProperty({ example: 'collaborator@example.com' }) email!: string;
  @ApiProperty({ example: false, description: 'drydock has no identity providers' })
  federated!: boolean;
  @ApiProperty({ format: 'uuid' }) id!: string;
}

class AppPermissionDto {
  @ApiProperty({ example: 'deploy' }) name!: string;
  @ApiProperty({ example: 'Can deploy the app.' }) description!: string;
}

/** Heroku's team-app permissions, as they fall to the members of a personal app. */
const PERMISSIONS: Record<'deploy' | 'manage' | 'operate' | 'view', AppPermissionDto> = {
  deploy: { name: 'deploy', description: 'Can manage config, deploy and roll back the app.' },
  manage: {
    name: 'manage',
    description: 'Can delete and rename the app and manage its collaborators.',
  },
  operate: {
    name: 'operate',
    description: 'Can scale and restart dynos, run commands and switch maintenance.',
  },
  view: { name: 'view', description: 'Can view the app.' },
};
const COLLABORATOR_PERMISSIONS = [PERMISSIONS.deploy, PERMISSIONS.operate, PERMISSIONS.view];
const OWNER_PERMISSIONS = [
  PERMISSIONS.deploy,
  PERMISSIONS.manage,
  PERMISSIONS.operate,
  PERMISSIONS.view,
];

/**
 * Heroku's collaborator resource. An app's list starts with its owner (role `owner`, its
 * id the owner's account id, since the app's creation), as Heroku lists personal apps.
 */
export class CollaboratorResponseDto {
  @ApiProperty({ type: CollaboratorAppDto }) app!: CollaboratorAppDto;
  @ApiProperty({ example: '2026-12-06T12:00:00.000Z' }) created_at!: string;
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({
    type: [AppPermissionDto],
    description:
      'What the account may do: collaborators deploy, operate and view; the owner also manages (delete, rename, collaborators)',
  })
  permissions!: AppPermissionDto[];
  @ApiProperty({ enum: ['owner', 'collaborator'], example: 'collaborator' }) role!:
    'owner' | 'collaborator';
  @ApiProperty({ example: '2026-12-06T12:00:00.000Z' }) updated_at!: string;
  @ApiProperty({ type: CollaboratorUserDto }) user!: CollaboratorUserDto;
}

export function toCollaboratorResponse(
  app: AppWithRelations,
  collaborator: CollaboratorWithAccount,
): CollaboratorResponseDto {
  return {
    app: { id: app.id, name: app.name },
    created_at: collaborator.createdAt.toISOString(),
    id: collaborator.id,
    permissions: COLLABORATOR_PERMISSIONS,
    role: 'collaborator',
    updated_at: collaborator.updatedAt.toISOString(),
    user: { email: collaborator.account.email, federated: false, id: collaborator.account.id },
  };
}

export function toOwnerResponse(app: AppWithRelations): CollaboratorResponseDto {
  return {
    app: { id: app.id, name: app.name },
    created_at: app.createdAt.toISOString(),
    id: app.owner.id,
    permissions: OWNER_PERMISSIONS,
    role: 'owner',
    updated_at: app.createdAt.toISOString(),
    user: { email: app.owner.email, federated: false, id: app.owner.id },
  };
}
