/**
 * The app with its owner, space, its current release's time and slug (size, stack), and
 * whether the account $1 (null for none) is one of its collaborators, in one statement, to
 * be followed by a WHERE on `a` whose parameters start at $2: every app request starts
 * here, so it is one round trip, access check included, not five.
 * A module of plain constants, so the maintenance-writes benchmark's baseline imports and
 * sends exactly these statements too.
 */
export const APP_WITH_RELATIONS_SQL = `
  SELECT a.id, a.name, a.owner_id, a.space_id, a.region, a.stack, a.build_stack, a.maintenance, a.one_off_count,
         a.maintenance_reason, a.maintenance_changed_at, a.maintenance_changed_by,
         a.maintenance_frozen, a.maintenance_snapshot, a.maintenance_max_duration,
         a.maintenance_auto_off_when_overdue, a.maintenance_overdue_at, a.maintenance_ends_at,
         a.maintenance_window_id, a.maintenance_jobs,
         a.created_at, a.updated_at,
         o.email AS owner_email, o.name AS owner_name, o.is_admin AS owner_is_admin,
         o.created_at AS owner_created_at, o.updated_at AS owner_updated_at,
         s.name AS space_name, s.owner_id AS space_owner_id, s.shield AS space_shield, s.region AS space_region,
         s.created_at AS space_created_at, s.updated_at AS space_updated_at,
         cr.created_at AS released_at, cr.slug_id AS current_slug_id,
         cr.slug_stack AS current_slug_stack, cr.slug_size AS current_slug_size,
         EXISTS (SELECT 1 FROM collaborators c WHERE c.app_id = a.id AND c.account_id = $1::uuid) AS collaborates
  FROM apps a
  JOIN accounts o ON o.id = a.owner_id
  LEFT JOIN spaces s ON s.id = a.space_id
  LEFT JOIN LATERAL (
    SELECT r.created_at, r.slug_id, sl.stack AS slug_stack, b.size AS slug_size
    FROM releases r
    LEFT JOIN slugs sl ON sl.id = r.slug_id
    LEFT JOIN blobs b ON b.id = sl.blob_id
    WHERE r.app_id = a.id ORDER BY r.version DESC LIMIT 1
  ) cr ON true`;

/**
 * Turns maintenance mode on or off in one statement (drydock_set_maintenance, migration
 * add_maintenance_plans): $1 app id, $2 enabled, $3 actor id, $4 reason, $5 source,
 * $6 when it will end (null: nothing plans to end it).
 */
export const SET_MAINTENANCE_SQL = `
  SELECT app_name, app_updated_at, changed, deferred, reason, changed_at, changed_by
  FROM drydock_set_maintenance($1::uuid, $2, $3::uuid, $4, $5, $6::timestamptz)`;
