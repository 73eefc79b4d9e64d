/**
 * The app with its owner, space and latest release time in one statement, to be followed
 * by a WHERE on `a`: every app request starts here, so it is one round trip, not four.
 * Plain SQL, so the maintenance-writes benchmark's baseline sends exactly this too.
 */
export const APP_WITH_RELATIONS_SQL = `
  SELECT a.id, a.name, a.owner_id, a.space_id, a.region, a.stack, a.maintenance, a.one_off_count,
         a.created_at, a.updated_at,
         o.email AS owner_email, o.name AS owner_name, o.is_admin AS owner_is_admin,
         o.created_at AS owner_created_at, o.updated_at AS owner_updated_at,
         s.name AS space_name, s.owner_id AS space_owner_id, s.shield AS space_shield, s.region AS space_region,
         s.created_at AS space_created_at, s.updated_at AS space_updated_at,
         (SELECT r.created_at FROM releases r WHERE r.app_id = a.id ORDER BY r.version DESC LIMIT 1) AS released_at
  FROM apps a
  JOIN accounts o ON o.id = a.owner_id
  LEFT JOIN spaces s ON s.id = a.space_id`;

/** The statement that sets maintenance mode (migration add_set_maintenance_function). */
export const SET_MAINTENANCE_SQL =
  'SELECT app_name, app_updated_at FROM drydock_set_maintenance($1::uuid, $2, $3::uuid)';
