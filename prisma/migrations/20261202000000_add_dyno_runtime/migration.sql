-- Code that runs: slugs, their archives in blob storage, and releases of a slug.

-- Blob storage shared by every API replica: an archive is a row and its bytes in 1 MiB
-- chunks, so neither upload nor download holds a whole archive in memory.
CREATE TABLE "blobs" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    -- Bytes and SHA-256 (hex) once an upload completed; NULL while none has.
    "size" BIGINT,
    "sha256" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "completed_at" TIMESTAMPTZ(3),

    CONSTRAINT "blobs_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "blob_chunks" (
    "blob_id" UUID NOT NULL,
    "seq" INTEGER NOT NULL,
    "data" BYTEA NOT NULL,

    CONSTRAINT "blob_chunks_pkey" PRIMARY KEY ("blob_id", "seq"),
    CONSTRAINT "blob_chunks_blob_id_fkey" FOREIGN KEY ("blob_id") REFERENCES "blobs"("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- Heroku's slug: process types and commit of an archive of `./app`.
CREATE TABLE "slugs" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "app_id" UUID NOT NULL,
    "blob_id" UUID NOT NULL,
    "process_types" JSONB NOT NULL,
    "commit" TEXT,
    "commit_description" TEXT,
    "buildpack_provided_description" TEXT,
    "stack" TEXT NOT NULL,
    -- sha256 of the secret in the blob URL (the URL itself is shown once), and until when
    -- it may be used.
    "upload_token_hash" TEXT,
    "upload_expires_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "slugs_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "slugs_app_id_fkey" FOREIGN KEY ("app_id") REFERENCES "apps"("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "slugs_blob_id_fkey" FOREIGN KEY ("blob_id") REFERENCES "blobs"("id") ON DELETE RESTRICT ON UPDATE CASCADE
);
CREATE INDEX "slugs_app_id_idx" ON "slugs"("app_id");
CREATE UNIQUE INDEX "slugs_upload_token_hash_key" ON "slugs"("upload_token_hash");

-- The code a release runs; NULL for releases of config or process types alone before any slug.
ALTER TABLE "releases" ADD COLUMN "slug_id" UUID;
ALTER TABLE "releases" ADD CONSTRAINT "releases_slug_id_fkey" FOREIGN KEY ("slug_id") REFERENCES "slugs"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- Dynos that run: what the dyno manager must do and what it saw.
-- Bumped whenever the dyno must start again (restart, stop, new release, new size or
-- command); a manager's report names the generation it is about, so a stale report can
-- never undo a restart.
ALTER TABLE "dynos" ADD COLUMN "generation" INTEGER NOT NULL DEFAULT 1;
-- When the dyno entered its current state (updated_at moves with any write).
ALTER TABLE "dynos" ADD COLUMN "state_changed_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP;
-- How the last process ended, and the manager's one-line account of why it crashed.
ALTER TABLE "dynos" ADD COLUMN "exit_status" INTEGER;
ALTER TABLE "dynos" ADD COLUMN "error" TEXT;
-- An attached one-off dyno: a pseudo-terminal or not, and the sha256 of its single-use
-- rendezvous secret until it is used or expires.
ALTER TABLE "dynos" ADD COLUMN "tty" BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE "dynos" ADD COLUMN "attach_secret_hash" TEXT;
ALTER TABLE "dynos" ADD COLUMN "attach_expires_at" TIMESTAMPTZ(3);

-- The time each dyno was up, from its manager's reports: dyno usage is summed from here.
-- No key to dynos on purpose: usage outlives the dyno.
CREATE TABLE "dyno_sessions" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "app_id" UUID NOT NULL,
    "dyno_id" UUID NOT NULL,
    "dyno_name" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "size" TEXT NOT NULL,
    "started_at" TIMESTAMPTZ(3) NOT NULL,
    "ended_at" TIMESTAMPTZ(3),

    CONSTRAINT "dyno_sessions_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "dyno_sessions_app_id_fkey" FOREIGN KEY ("app_id") REFERENCES "apps"("id") ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE INDEX "dyno_sessions_app_id_started_at_idx" ON "dyno_sessions"("app_id", "started_at");
-- A dyno's open session is closed by its next report, under the app's lock.
CREATE INDEX "dyno_sessions_dyno_id_idx" ON "dyno_sessions"("dyno_id");

-- Dyno managers that told us they are alive, and where `heroku run` attaches to them.
CREATE TABLE "dyno_managers" (
    "name" TEXT NOT NULL,
    -- host:port of its rendezvous (TLS) endpoint; NULL when it takes no attachments.
    "rendezvous" TEXT,
    "last_seen_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "dyno_managers_pkey" PRIMARY KEY ("name")
);
