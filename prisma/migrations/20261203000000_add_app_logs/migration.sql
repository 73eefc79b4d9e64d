-- Each app's log (what `heroku logs` reads): its lines numbered 1, 2, 3… per app. `head`
-- is the newest number; appending takes the stream's row lock until commit, so one app's
-- lines become visible in number order and a reader that has seen N never later finds N-1.
CREATE TABLE "log_streams" (
    "app_id" UUID NOT NULL,
    "head" BIGINT NOT NULL DEFAULT 0,
    CONSTRAINT "log_streams_pkey" PRIMARY KEY ("app_id"),
    CONSTRAINT "log_streams_app_id_fkey" FOREIGN KEY ("app_id") REFERENCES "apps"("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- One line: when it was written (microseconds, as Heroku prints them), by what (source
-- `app` or `heroku`, dyno `web.1`, `router`, `api`) and what it says (one line, no newline).
CREATE TABLE "log_lines" (
    "app_id" UUID NOT NULL,
    "seq" BIGINT NOT NULL,
    "logged_at" TIMESTAMPTZ(6) NOT NULL,
    "source" TEXT NOT NULL,
    "dyno" TEXT NOT NULL,
    "message" TEXT NOT NULL,
    CONSTRAINT "log_lines_pkey" PRIMARY KEY ("app_id", "seq"),
    CONSTRAINT "log_lines_app_id_fkey" FOREIGN KEY ("app_id") REFERENCES "log_streams"("app_id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- The age limit prunes by time, across apps.
CREATE INDEX "log_lines_logged_at_idx" ON "log_lines"("logged_at");

-- Appends lines (arrays of one length, in order) to their apps' logs in one statement:
-- numbers them after each app's head, keeps the newest 1,500 of each app, and tells every
-- replica (channel drydock_logs, payload "<app id> <head>") at commit. Lines of apps that do
-- not exist are left out. Streams are locked in app id order, so two batches naming the same
-- apps never deadlock. Returns how many lines it stored.
CREATE FUNCTION "drydock_append_log_lines"(
    p_app_ids UUID[],
    p_logged_at TIMESTAMPTZ[],
    p_sources TEXT[],
    p_dynos TEXT[],
    p_messages TEXT[]
) RETURNS INT
LANGUAGE plpgsql AS $$
DECLARE
    c_kept CONSTANT BIGINT := 1500;
    v_stored INT := 0;
    v_stream RECORD;
BEGIN
    FOR v_stream IN
        WITH "input" AS (
            SELECT t.* FROM unnest(p_app_ids, p_logged_at, p_sources, p_dynos, p_messages)
                WITH ORDINALITY AS t("app_id", "logged_at", "source", "dyno", "message", "n")
            WHERE EXISTS (SELECT 1 FROM "apps" a WHERE a."id" = t."app_id")
        ),
        "counts" AS (
            SELECT i."app_id", count(*) AS "lines" FROM "input" i GROUP BY i."app_id"
        ),
        "heads" AS (
            INSERT INTO "log_streams" AS s ("app_id", "head")
            SELECT c."app_id", c."lines" FROM "counts" c ORDER BY c."app_id"
            ON CONFLICT ("app_id") DO UPDATE SET "head" = s."head" + excluded."head"
            RETURNING s."app_id", s."head"
        ),
        "stored" AS (
            INSERT INTO "log_lines" ("app_id", "seq", "logged_at", "source", "dyno", "message")
            SELECT i."app_id",
                   h."head" - c."lines" + row_number() OVER (PARTITION BY i."app_id" ORDER BY i."n"),
                   i."logged_at", i."source", i."dyno", i."message"
            FROM "input" i JOIN "heads" h USING ("app_id") JOIN "counts" c USING ("app_id")
            RETURNING 1
        ),
        "trimmed" AS (
            DELETE FROM "log_lines" l USING "heads" h
            WHERE l."app_id" = h."app_id" AND l."seq" <= h."head" - c_kept
        )
        SELECT h."app_id", h."head", (SELECT count(*) FROM "stored") AS "stored" FROM "heads" h
    LOOP
        PERFORM pg_notify('drydock_logs', v_stream."app_id"::TEXT || ' ' || v_stream."head"::TEXT);
        v_stored := v_stream."stored";
    END LOOP;
    RETURN v_stored;
END;
$$;

-- What the platform itself says about a change, as Heroku writes it: `app[api]` lines for
-- what people did (with who did it, never a config value: config changes name their keys),
-- `heroku[<dyno>]` lines for a dyno's state changes.
CREATE FUNCTION "drydock_change_log_lines"(
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

-- Every app change writes its log lines in the change's own transaction: exactly once,
-- whichever replica or SQL function recorded it.
CREATE FUNCTION "drydock_log_change"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    v_email TEXT;
    v_lines RECORD;
BEGIN
    IF NEW."actor_id" IS NOT NULL THEN
        SELECT a."email" INTO v_email FROM "accounts" a WHERE a."id" = NEW."actor_id";
    END IF;
    SELECT array_agg(l."source") AS sources, array_agg(l."dyno") AS dynos, array_agg(l."message") AS messages
        INTO v_lines FROM drydock_change_log_lines(NEW."action", NEW."data", v_email) l;
    IF v_lines.messages IS NOT NULL THEN
        PERFORM drydock_append_log_lines(
            array_fill(NEW."app_id", ARRAY[cardinality(v_lines.messages)]),
            array_fill(clock_timestamp(), ARRAY[cardinality(v_lines.messages)]),
            v_lines.sources, v_lines.dynos, v_lines.messages);
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER "events_log_change" AFTER INSERT ON "events"
    FOR EACH ROW WHEN (NEW."app_id" IS NOT NULL) EXECUTE FUNCTION drydock_log_change();
