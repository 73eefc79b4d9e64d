-- Appends one event to the change log in a single round trip: takes the event-order lock
-- (held until commit, so events become visible in version order), inserts the event and
-- notifies every replica listening on drydock_events. Returns the event's version.
CREATE FUNCTION "drydock_record_event"(
    p_action TEXT,
    p_app_id UUID,
    p_app_name TEXT,
    p_actor_id UUID,
    p_data JSONB
) RETURNS BIGINT
LANGUAGE plpgsql AS $$
DECLARE
    v_version BIGINT;
BEGIN
    PERFORM pg_advisory_xact_lock(72736106);
    INSERT INTO "events" ("action", "app_id", "app_name", "actor_id", "data")
    VALUES (p_action, p_app_id, p_app_name, p_actor_id, COALESCE(p_data, '{}'::jsonb))
    RETURNING "version" INTO v_version;
    PERFORM pg_notify('drydock_events', v_version::TEXT);
    RETURN v_version;
END;
$$;
