-- Apps' custom domains (Heroku's domain of kind "custom"): host names routers send to the
-- app besides its default `<app>.<APPS_DOMAIN>`, which is not stored (it follows renames).
-- A host name belongs to one app at most, across all apps: it is what routes a request.
-- Stored lower case, without a trailing dot, as the API normalizes them.
CREATE TABLE "domains" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "app_id" UUID NOT NULL,
    "hostname" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "domains_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "domains_app_id_fkey" FOREIGN KEY ("app_id") REFERENCES "apps"("id") ON DELETE CASCADE ON UPDATE CASCADE
);

CREATE UNIQUE INDEX "domains_hostname_key" ON "domains"("hostname");
-- The routing view reads an app's domains by app.
CREATE INDEX "domains_app_id_idx" ON "domains"("app_id");
