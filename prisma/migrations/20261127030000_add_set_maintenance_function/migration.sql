-- Turns maintenance mode on or off in a single statement, so the hottest write needs no
-- interactive transaction: locks the app's row, and when the flag changes updates it and
-- records the event (drydock_record_event) with who changed it from what to what.
-- Setting the value the app already has changes nothing and records nothing.
-- Returns the app's name and updated_at as they are under the lock; no row when the app
-- is gone.
CREATE FUNCTION "drydock_set_maintenance"(
    p_app_id UUID,
    p_enabled BOOLEAN,
    p_actor_id UUID
) RETURNS TABLE ("app_name" TEXT, "app_updated_at" TIMESTAMPTZ(3))
LANGUAGE plpgsql AS $$
DECLARE
    v_was BOOLEAN;
BEGIN
    SELECT a."name", a."maintenance", a."updated_at" INTO app_name, v_was, app_updated_at
    FROM "apps" a WHERE a."id" = p_app_id FOR UPDATE;
    IF NOT FOUND THEN
        RETURN;
    END IF;
    IF v_was IS DISTINCT FROM p_enabled THEN
        UPDATE "apps" SET "maintenance" = p_enabled, "updated_at" = now()
        WHERE "id" = p_app_id
        RETURNING "apps"."updated_at" INTO app_updated_at;
        PERFORM drydock_record_event(
            CASE WHEN p_enabled THEN 'maintenance.enable' ELSE 'maintenance.disable' END,
            p_app_id, app_name, p_actor_id,
            jsonb_build_object('from', v_was, 'to', p_enabled));
    END IF;
    RETURN NEXT;
END;
$$;
