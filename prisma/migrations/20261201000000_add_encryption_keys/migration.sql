-- The keys that sealed this database's secrets, by id (never the key itself), so that a
-- replica started without one of them refuses to boot instead of failing on every read.
CREATE TABLE "encryption_keys" (
    "id" TEXT NOT NULL,
    "check_value" TEXT NOT NULL,
    "has_v1_values" BOOLEAN NOT NULL DEFAULT false,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "retired_at" TIMESTAMPTZ(3),

    CONSTRAINT "encryption_keys_pkey" PRIMARY KEY ("id")
);

-- The env var a token was configured from: a new value there revokes the token.
ALTER TABLE "api_tokens" ADD COLUMN "bootstrap" TEXT;

-- Tokens made from DRYDOCK_ADMIN_TOKEN before this column existed.
UPDATE "api_tokens" SET "bootstrap" = 'DRYDOCK_ADMIN_TOKEN'
WHERE "description" = 'DRYDOCK_ADMIN_TOKEN'
  AND "account_id" IN (SELECT "id" FROM "accounts" WHERE "email" = 'admin@drydock.local');
