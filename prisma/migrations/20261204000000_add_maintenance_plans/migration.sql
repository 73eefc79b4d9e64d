-- Maintenance that plans itself: what the current maintenance brings with it (a formation
-- snapshot to restore, a freeze, a longest duration, the window that started it, when it
-- will end), the app's scheduler policy, and scheduled maintenance windows.

CREATE TABLE "maintenance_windows" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "app_id" UUID NOT NULL,
    "starts_at" TIMESTAMPTZ(3) NOT NULL,
    "ends_at" TIMESTAMPTZ(3) NOT NULL,
    "reason" TEXT,
    -- Process types scaled to 0 while the window's maintenance lasts, restored after.
    "scale_down" TEXT[] DEFAULT ARRAY[]::TEXT[],
    -- At ends_at: restore the snapshot and turn maintenance off.
    "auto_off" BOOLEAN NOT NULL DEFAULT true,
    "freeze" BOOLEAN NOT NULL DEFAULT false,
    "max_duration" INTEGER,
    "auto_off_when_overdue" BOOLEAN NOT NULL DEFAULT false,
    -- scheduled, active, completed or cancelled; only the job engine's transitions and a
    -- cancel move it, each under the app's row lock.
    "state" TEXT NOT NULL DEFAULT 'scheduled',
    "created_by" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "maintenance_windows_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "maintenance_windows_app_id_fkey" FOREIGN KEY ("app_id") REFERENCES "apps"("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "maintenance_windows_state_check" CHECK ("state" IN ('scheduled', 'active', 'completed', 'cancelled')),
    CONSTRAINT "maintenance_windows_span_check" CHECK ("ends_at" > "starts_at")
);
CREATE INDEX "maintenance_windows_app_id_starts_at_idx" ON "maintenance_windows"("app_id", "starts_at");
-- The sweep's and the routing view's question: which windows are still to start or end.
CREATE INDEX "maintenance_windows_open_idx" ON "maintenance_windows"("starts_at")
    WHERE "state" IN ('scheduled', 'active');

-- The current maintenance's plan; reset by every switch (drydock_set_maintenance).
ALTER TABLE "apps" ADD COLUMN "maintenance_frozen" BOOLEAN NOT NULL DEFAULT false;
-- [{"type": "worker", "quantity": 3}]: the quantities scaled to 0, to restore at the end.
ALTER TABLE "apps" ADD COLUMN "maintenance_snapshot" JSONB;
ALTER TABLE "apps" ADD COLUMN "maintenance_max_duration" INTEGER;
ALTER TABLE "apps" ADD COLUMN "maintenance_auto_off_when_overdue" BOOLEAN NOT NULL DEFAULT false;
-- When maintenance.overdue was recorded: it is recorded once per maintenance.
ALTER TABLE "apps" ADD COLUMN "maintenance_overdue_at" TIMESTAMPTZ(3);
-- When something will turn the maintenance off (a window's end, auto-off when overdue).
ALTER TABLE "apps" ADD COLUMN "maintenance_ends_at" TIMESTAMPTZ(3);
ALTER TABLE "apps" ADD COLUMN "maintenance_window_id" UUID;
-- Whether schedulers run the app's jobs during maintenance: run (as Heroku) or pause.
ALTER TABLE "apps" ADD COLUMN "maintenance_jobs" TEXT NOT NULL DEFAULT 'run';
ALTER TABLE "apps" ADD CONSTRAINT "apps_maintenance_jobs_check" CHECK ("maintenance_jobs" IN ('run', 'pause'));
ALTER TABLE "apps" ADD CONSTRAINT "apps_maintenance_window_id_fkey" FOREIGN KEY ("maintenance_window_id")
    REFERENCES "maintenance_windows"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- The history keeps overdue alerts besides switches.
ALTER TABLE "maintenance_changes" ADD COLUMN "action" TEXT;
UPDATE "maintenance_changes"
    SET "action" = CASE WHEN "enabled" THEN 'maintenance.enable' ELSE 'maintenance.disable' END;
ALTER TABLE "maintenance_changes" ALTER COLUMN "action" SET NOT NULL;

-- The one-statement switch, now with when the maintenance will end (p_ends_at, in the
-- event so routers can say Retry-After). Turning off clears the plan of the maintenance
-- it ends, so an app that is off has none: a caller that brings a plan writes it before
-- turning on, in the same transaction (and its events last, to hold the event-order lock
-- briefly). Turning off an app whose maintenance has a snapshot to restore or a window to
-- complete changes nothing and answers deferred: that takes the write path, which
-- restores the formation first (MaintenanceSwitcher).
DROP FUNCTION "drydock_set_maintenance"(UUID, BOOLEAN, UUID, TEXT, TEXT);
CREATE FUNCTION "drydock_set_maintenance"(
    p_app_id UUID,
    p_enabled BOOLEAN,
    p_actor_id UUID,
    p_reason TEXT,
    p_source TEXT,
    p_ends_at TIMESTAMPTZ
) RETURNS TABLE (
    "app_name" TEXT,
    "app_updated_at" TIMESTAMPTZ(3),
    "changed" BOOLEAN,
    "deferred" BOOLEAN,
    "reason" TEXT,
    "changed_at" TIMESTAMPTZ(3),
    "changed_by" UUID
)
LANGUAGE plpgsql AS $$
DECLARE
    v_was BOOLEAN;
    v_version BIGINT;
    v_pending BOOLEAN;
BEGIN
    SELECT a."name", a."maintenance", a."updated_at", a."maintenance_reason",
           a."maintenance_changed_at", a."maintenance_changed_by",
           a."maintenance_snapshot" IS NOT NULL OR a."maintenance_window_id" IS NOT NULL
    INTO app_name, v_was, app_updated_at, reason, changed_at, changed_by, v_pending
    FROM "apps" a WHERE a."id" = p_app_id FOR UPDATE;
    IF NOT FOUND THEN
        RETURN;
    END IF;
    changed := v_was IS DISTINCT FROM p_enabled;
    deferred := changed AND NOT p_enabled AND v_pending;
    IF deferred THEN
        changed := false;
    ELSIF changed THEN
        UPDATE "apps" SET "maintenance" = p_enabled, "maintenance_reason" = p_reason,
               "maintenance_changed_at" = now(), "maintenance_changed_by" = p_actor_id,
               "maintenance_ends_at" = CASE WHEN p_enabled THEN p_ends_at END,
               "maintenance_frozen" = p_enabled AND "maintenance_frozen",
               "maintenance_snapshot" = CASE WHEN p_enabled THEN "maintenance_snapshot" END,
               "maintenance_max_duration" = CASE WHEN p_enabled THEN "maintenance_max_duration" END,
               "maintenance_auto_off_when_overdue" = p_enabled AND "maintenance_auto_off_when_overdue",
               "maintenance_overdue_at" = NULL,
               "maintenance_window_id" = CASE WHEN p_enabled THEN "maintenance_window_id" END,
               "updated_at" = now()
        WHERE "id" = p_app_id
        RETURNING "apps"."updated_at", "apps"."maintenance_reason", "apps"."maintenance_changed_at",
                  "apps"."maintenance_changed_by"
        INTO app_updated_at, reason, changed_at, changed_by;
        v_version := drydock_record_event(
            CASE WHEN p_enabled THEN 'maintenance.enable' ELSE 'maintenance.disable' END,
            p_app_id, app_name, p_actor_id,
            CASE WHEN p_enabled
                THEN jsonb_build_object('from', v_was, 'to', p_enabled, 'reason', p_reason,
                    'source', p_source, 'ends_at', to_char(p_ends_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))
                ELSE jsonb_build_object('from', v_was, 'to', p_enabled, 'reason', p_reason, 'source', p_source)
            END);
        INSERT INTO "maintenance_changes"
            ("app_id", "action", "enabled", "previous", "reason", "actor_id", "source", "version")
        VALUES (p_app_id, CASE WHEN p_enabled THEN 'maintenance.enable' ELSE 'maintenance.disable' END,
                p_enabled, v_was, p_reason, p_actor_id, p_source, v_version);
    END IF;
    RETURN NEXT;
END;
$$;

-- The platform's log lines, now also for maintenance plans, overdue alerts and windows.
CREATE OR REPLACE FUNCTION "drydock_change_log_lines"(
    p_action TEXT,
    p_data JSONB,
    p_actor_email TEXT
) RETURNS TABLE ("source" TEXT, "dyno" TEXT, "message" TEXT)
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
    v_by TEXT := CASE WHEN p_actor_email IS NULL THEN '' ELSE ' by user ' || p_actor_email END;
    v_reason TEXT := regexp_replace(COALESCE(p_data->>'reason', ''), '[[:cntrl:]]+', ' ', 'g');
    v_via TEXT := CASE WHEN COALESCE(p_data->>'source', 'api') = 'api' THEN '' ELSE ' (' || (p_data->>'source') || ')' END;
BEGIN
    CASE p_action
    WHEN 'maintenance.enable' THEN
        RETURN QUERY SELECT 'app', 'api', 'Enable maintenance mode' || v_by || v_via
            || CASE WHEN v_reason = '' THEN '' ELSE ': ' || v_reason END;
    WHEN 'maintenance.disable' THEN
        RETURN QUERY SELECT 'app', 'api', 'Disable maintenance mode' || v_by || v_via;
    WHEN 'maintenance.update' THEN
        RETURN QUERY SELECT 'app', 'api', 'Update maintenance mode' || v_by || ': freeze '
            || CASE WHEN (p_data->>'freeze')::boolean THEN 'on' ELSE 'off' END
            || ', jobs ' || (p_data->>'jobs')
            || CASE WHEN p_data->>'max_duration' IS NULL THEN '' ELSE ', max duration ' || (p_data->>'max_duration') || ' s' END
            || CASE WHEN jsonb_array_length(p_data->'scale_down') = 0 THEN ''
                    ELSE ', scaled down ' || (SELECT string_agg(t, ', ') FROM jsonb_array_elements_text(p_data->'scale_down') t) END;
    WHEN 'maintenance.overdue' THEN
        RETURN QUERY SELECT 'app', 'api', 'Maintenance mode is overdue: on since ' || (p_data->>'since')
            || ', longer than its max duration of ' || (p_data->>'max_duration') || ' s'
            || CASE WHEN (p_data->>'auto_off')::boolean THEN '; turning it off' ELSE '' END;
    WHEN 'window.create' THEN
        RETURN QUERY SELECT 'app', 'api', 'Schedule maintenance window ' || (p_data->>'window_id')
            || ' from ' || (p_data->>'starts_at') || ' to ' || (p_data->>'ends_at') || v_by;
    WHEN 'window.state' THEN
        -- The job engine moves windows on time; only a cancel is someone's doing.
        RETURN QUERY SELECT 'app', 'api', 'Maintenance window ' || (p_data->>'window_id') || ' is now '
            || (p_data->>'to') || CASE WHEN p_data->>'to' = 'cancelled' THEN v_by ELSE '' END;
    WHEN 'formation.update' THEN
        RETURN QUERY SELECT 'app', 'api', 'Scaled to ' || (p_data->>'type') || '@'
            || (p_data->'quantity'->>'to') || ':' || (p_data->'size'->>'to') || v_by;
    WHEN 'release.create' THEN
        RETURN QUERY VALUES
            ('app', 'api', (p_data->>'description') || v_by),
            ('app', 'api', 'Release v' || (p_data->>'version') || ' created' || v_by);
    WHEN 'app.rename' THEN
        RETURN QUERY SELECT 'app', 'api',
            'Rename app from ' || (p_data->>'from') || ' to ' || (p_data->>'to') || v_by;
    WHEN 'dyno.create' THEN
        RETURN QUERY SELECT 'app', 'api',
            'Starting process with command `' || (p_data->>'command') || '`' || v_by;
    WHEN 'dyno.restart' THEN
        RETURN QUERY SELECT 'app', 'api', 'Restart '
            || (SELECT string_agg(d, ', ') FROM jsonb_array_elements_text(p_data->'dynos') d) || v_by;
    WHEN 'dyno.stop' THEN
        RETURN QUERY SELECT 'app', 'api', 'Stop '
            || (SELECT string_agg(d, ', ') FROM jsonb_array_elements_text(p_data->'dynos') d) || v_by;
    WHEN 'dyno.state' THEN
        IF p_data->>'exit_status' IS NOT NULL THEN
            RETURN QUERY SELECT 'heroku', p_data->>'name', 'Process exited with status ' || (p_data->>'exit_status');
        END IF;
        IF (p_data->>'from') IS DISTINCT FROM (p_data->>'state') THEN
            RETURN QUERY SELECT 'heroku', p_data->>'name',
                'State changed from ' || (p_data->>'from') || ' to ' || (p_data->>'state');
        END IF;
    ELSE
        RETURN;
    END CASE;
END;
$$;
