-- An app's collaborators (Heroku's collaborator, for personal apps): accounts other than the
-- owner that may do what the owner does, except delete or rename the app and manage its
-- collaborators. The owner is not a row here: it is the app's owner_id.
CREATE TABLE "collaborators" (
    "id" UUID NOT NULL DEFAULT gen_random_uuid(),
    "app_id" UUID NOT NULL,
    "account_id" UUID NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "collaborators_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "collaborators_app_id_fkey" FOREIGN KEY ("app_id") REFERENCES "apps"("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "collaborators_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "accounts"("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- Once per app and account; also the access check of every app request (app, principal).
CREATE UNIQUE INDEX "collaborators_app_id_account_id_key" ON "collaborators"("app_id", "account_id");
-- The apps an account collaborates on, for its app list.
CREATE INDEX "collaborators_account_id_idx" ON "collaborators"("account_id");
