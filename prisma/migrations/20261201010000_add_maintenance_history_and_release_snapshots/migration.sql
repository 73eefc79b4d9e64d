-- Maintenance as a resource of its own: the app keeps why and since when (and by whom) it
-- is in its current mode, and every switch is kept in maintenance_changes.
ALTER TABLE "apps" ADD COLUMN "maintenance_reason" TEXT;
ALTER TABLE "apps" ADD COLUMN "maintenance_changed_at" TIMESTAMPTZ(3);
ALTER TABLE "apps" ADD COLUMN "maintenance_changed_by" UUID;

-- The history goes with its app, and outlives the accounts that made it (no key on actor_id).
CREATE TABLE "maintenance_changes" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "app_id" UUID NOT NULL,
    "enabled" BOOLEAN NOT NULL,
    "previous" BOOLEAN NOT NULL,
    "reason" TEXT,
    "actor_id" UUID,
    -- How the switch happened: api (a person or token), later window (a scheduled window).
    "source" TEXT NOT NULL,
    -- The change event's version: the history pages by it, as the audit trail does.
    "version" BIGINT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "maintenance_changes_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "maintenance_changes_app_id_fkey" FOREIGN KEY ("app_id") REFERENCES "apps"("id") ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE UNIQUE INDEX "maintenance_changes_version_key" ON "maintenance_changes"("version");
CREATE INDEX "maintenance_changes_app_id_version_idx" ON "maintenance_changes"("app_id", "version");

-- A release keeps the process types it runs, so that it can be rolled back to. Releases
-- from before this column have none (NULL) and cannot be.
ALTER TABLE "releases" ADD COLUMN "process_types" JSONB;
ALTER TABLE "releases" ADD COLUMN "rollback_of" INTEGER;

-- Each app's newest release runs the formation as it is now: that one can be rolled back to.
UPDATE "releases" r
SET "process_types" = COALESCE(
    (SELECT jsonb_object_agg(f."type", f."command") FROM "formations" f WHERE f."app_id" = r."app_id"),
    '{}'::jsonb)
WHERE r."version" = (SELECT max(r2."version") FROM "releases" r2 WHERE r2."app_id" = r."app_id");

-- The one-statement maintenance switch, now with a reason and how it happened: locks the
-- app's row and, when the flag changes, updates it with who and why, keeps the switch in
-- maintenance_changes and records the change event. Setting the value the app already has
-- changes nothing and records nothing. Returns the app's maintenance state under the
-- lock; no row when the app is gone.
DROP FUNCTION "drydock_set_maintenance"(UUID, BOOLEAN, UUID);
CREATE FUNCTION "drydock_set_maintenance"(
    p_app_id UUID,
    p_enabled BOOLEAN,
    p_actor_id UUID,
    p_reason TEXT,
    p_source TEXT
) RETURNS TABLE (
    "app_name" TEXT,
    "app_updated_at" TIMESTAMPTZ(3),
    "changed" BOOLEAN,
    "reason" TEXT,
    "changed_at" TIMESTAMPTZ(3),
    "changed_by" UUID
)
LANGUAGE plpgsql AS $$
DECLARE
    v_was BOOLEAN;
    v_version BIGINT;
BEGIN
    SELECT a."name", a."maintenance", a."updated_at", a."maintenance_reason",
           a."maintenance_changed_at", a."maintenance_changed_by"
    INTO app_name, v_was, app_updated_at, reason, changed_at, changed_by
    FROM "apps" a WHERE a."id" = p_app_id FOR UPDATE;
    IF NOT FOUND THEN
        RETURN;
    END IF;
    changed := v_was IS DISTINCT FROM p_enabled;
    IF changed THEN
        UPDATE "apps" SET "maintenance" = p_enabled, "maintenance_reason" = p_reason,
               "maintenance_changed_at" = now(), "maintenance_changed_by" = p_actor_id,
               "updated_at" = now()
        WHERE "id" = p_app_id
        RETURNING "apps"."updated_at", "apps"."maintenance_reason", "apps"."maintenance_changed_at",
                  "apps"."maintenance_changed_by"
        INTO app_updated_at, reason, changed_at, changed_by;
        v_version := drydock_record_event(
            CASE WHEN p_enabled THEN 'maintenance.enable' ELSE 'maintenance.disable' END,
            p_app_id, app_name, p_actor_id,
            jsonb_build_object('from', v_was, 'to', p_enabled, 'reason', p_reason, 'source', p_source));
        INSERT INTO "maintenance_changes"
            ("app_id", "enabled", "previous", "reason", "actor_id", "source", "version")
        VALUES (p_app_id, p_enabled, v_was, p_reason, p_actor_id, p_source, v_version);
    END IF;
    RETURN NEXT;
END;
$$;
