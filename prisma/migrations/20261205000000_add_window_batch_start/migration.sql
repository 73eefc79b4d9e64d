-- Starts up to p_limit due maintenance windows of the plain kind, set-based, in one
-- statement: windows with a reason and an end but no formation snapshot, no freeze and no
-- longest duration, on apps not already in maintenance. A thousand windows planned for the
-- same second are usually that, and one transaction each would take many seconds. Every
-- other window, and one whose app another change holds locked (SKIP LOCKED), is left to its
-- own start job on the write path (MaintenanceWindowTransitions.start).
--
-- It does for each window what that path does, and the one-statement switch
-- (drydock_set_maintenance) inside it: the window becomes active and its end job is added;
-- the app turns maintenance on with the window's reason, plan and end; maintenance.enable
-- (the switch's own payload, source window) and window.state are recorded, and the switch
-- kept in the history. The windows' start jobs are removed (one a worker holds right now is
-- kept from retrying): they would find nothing to do. The events come last, together, so
-- the event-order lock is held for one insert rather than across the batch, and one NOTIFY
-- wakes every replica's change feed. Returns the windows started.
CREATE FUNCTION "drydock_start_due_windows"(
    p_limit INTEGER,
    p_start_task TEXT,
    p_end_task TEXT
) RETURNS SETOF UUID
LANGUAGE plpgsql AS $$
DECLARE
    v_ids UUID[];
    v_apps UUID[];
    v_names TEXT[];
    v_actors UUID[];
    v_reasons TEXT[];
    v_window_ends TIMESTAMPTZ[];
    v_maintenance_ends TIMESTAMPTZ[];
    v_auto_off_when_overdue BOOLEAN[];
    v_last BIGINT;
BEGIN
    SELECT array_agg(c."id" ORDER BY c."starts_at", c."id"),
           array_agg(c."app_id" ORDER BY c."starts_at", c."id"),
           array_agg(c."app_name" ORDER BY c."starts_at", c."id"),
           array_agg(c."actor_id" ORDER BY c."starts_at", c."id"),
           array_agg(c."reason" ORDER BY c."starts_at", c."id"),
           array_agg(c."ends_at" ORDER BY c."starts_at", c."id"),
           array_agg(CASE WHEN c."auto_off" THEN c."ends_at" END ORDER BY c."starts_at", c."id"),
           array_agg(c."auto_off_when_overdue" ORDER BY c."starts_at", c."id")
    INTO v_ids, v_apps, v_names, v_actors, v_reasons, v_window_ends, v_maintenance_ends,
         v_auto_off_when_overdue
    FROM (
        SELECT mw."id", mw."app_id", mw."starts_at", mw."ends_at", mw."reason", mw."auto_off",
               mw."auto_off_when_overdue", a."name" AS "app_name",
               COALESCE(mw."created_by", a."owner_id") AS "actor_id"
        FROM "maintenance_windows" mw
        JOIN "apps" a ON a."id" = mw."app_id"
        WHERE mw."state" = 'scheduled' AND mw."starts_at" <= now() AND mw."ends_at" > now()
          AND COALESCE(cardinality(mw."scale_down"), 0) = 0
          AND NOT mw."freeze" AND mw."max_duration" IS NULL
          AND NOT a."maintenance"
        ORDER BY mw."starts_at", mw."id"
        LIMIT p_limit
        FOR UPDATE OF mw, a SKIP LOCKED
    ) c;
    IF v_ids IS NULL THEN
        RETURN;
    END IF;

    UPDATE "maintenance_windows" SET "state" = 'active', "updated_at" = now()
    WHERE "id" = ANY(v_ids);
    PERFORM graphile_worker.add_jobs(ARRAY(
        SELECT ROW(p_end_task, json_build_object('window_id', u."id"), NULL, u."ends_at", 25,
                   p_end_task || ':' || u."id", NULL, NULL)::graphile_worker.job_spec
        FROM unnest(v_ids, v_window_ends) AS u("id", "ends_at")));
    PERFORM graphile_worker.remove_job(p_start_task || ':' || u."id") FROM unnest(v_ids) AS u("id");
    UPDATE "apps" a SET "maintenance" = true, "maintenance_reason" = u."reason",
           "maintenance_changed_at" = now(), "maintenance_changed_by" = u."actor_id",
           "maintenance_ends_at" = u."ends_at", "maintenance_frozen" = false,
           "maintenance_snapshot" = NULL, "maintenance_max_duration" = NULL,
           "maintenance_auto_off_when_overdue" = u."auto_off_when_overdue",
           "maintenance_overdue_at" = NULL, "maintenance_window_id" = u."id", "updated_at" = now()
    FROM unnest(v_ids, v_apps, v_actors, v_reasons, v_maintenance_ends, v_auto_off_when_overdue)
        AS u("id", "app_id", "actor_id", "reason", "ends_at", "auto_off_when_overdue")
    WHERE a."id" = u."app_id";

    PERFORM pg_advisory_xact_lock(72736106);
    WITH "recorded" AS (
        INSERT INTO "events" ("action", "app_id", "app_name", "actor_id", "data")
        SELECT e."action", u."app_id", u."app_name", u."actor_id", e."data"
        FROM unnest(v_ids, v_apps, v_names, v_actors, v_reasons, v_maintenance_ends)
            WITH ORDINALITY AS u("id", "app_id", "app_name", "actor_id", "reason", "ends_at", "n")
        CROSS JOIN LATERAL (VALUES
            (1, 'maintenance.enable', jsonb_build_object('from', false, 'to', true,
                'reason', u."reason", 'source', 'window',
                'ends_at', to_char(u."ends_at" AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))),
            (2, 'window.state', jsonb_build_object('window_id', u."id", 'from', 'scheduled', 'to', 'active'))
        ) AS e("k", "action", "data")
        ORDER BY u."n", e."k"
        RETURNING "version", "app_id", "action"
    ), "history" AS (
        INSERT INTO "maintenance_changes"
            ("app_id", "action", "enabled", "previous", "reason", "actor_id", "source", "version")
        SELECT r."app_id", r."action", true, false, u."reason", u."actor_id", 'window', r."version"
        FROM "recorded" r
        JOIN unnest(v_apps, v_actors, v_reasons) AS u("app_id", "actor_id", "reason")
            ON u."app_id" = r."app_id"
        WHERE r."action" = 'maintenance.enable'
    )
    SELECT max("version") INTO v_last FROM "recorded";
    PERFORM pg_notify('drydock_events', v_last::TEXT);

    RETURN QUERY SELECT unnest(v_ids);
END;
$$;
