-- An app's log drains (Heroku's log-drain): URLs its lines are POSTed to in Heroku's HTTPS
-- drain format. `cursor_seq` is the number of the app's last line the drain took (its
-- log's head when it was added: a drain receives lines from then on) and `cursor_at` that
-- line's time. `dropped` counts every line the drain lost (gone from the app's log before
-- the drain took it, or refused by it with a 4xx); `unreported` and `unreported_since` the
-- losses its next delivery reports in an L10 line. `failures` and `retry_at` hold the
-- backoff of a drain that stopped answering.
CREATE TABLE "log_drains" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "app_id" UUID NOT NULL,
    "url" TEXT NOT NULL,
    "token" TEXT NOT NULL,
    "cursor_seq" BIGINT NOT NULL,
    "cursor_at" TIMESTAMPTZ(6) NOT NULL,
    "dropped" BIGINT NOT NULL DEFAULT 0,
    "unreported" BIGINT NOT NULL DEFAULT 0,
    "unreported_since" TIMESTAMPTZ(6),
    "failures" INTEGER NOT NULL DEFAULT 0,
    "retry_at" TIMESTAMPTZ(3),
    "last_error" TEXT,
    "delivered_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "log_drains_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "log_drains_app_id_fkey" FOREIGN KEY ("app_id") REFERENCES "apps"("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- A URL once per app (Heroku: "Url has already been taken"); also the app's drains by app.
CREATE UNIQUE INDEX "log_drains_app_id_url_key" ON "log_drains"("app_id", "url");
CREATE UNIQUE INDEX "log_drains_token_key" ON "log_drains"("token");
