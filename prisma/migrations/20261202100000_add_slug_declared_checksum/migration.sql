-- The SHA-256 (hex) a client declared when it created a slug; its upload must match it.
ALTER TABLE "slugs" ADD COLUMN "declared_sha256" TEXT;

-- A slug's archive goes with it: when a slug is deleted (with its app) or its blob replaced
-- (an upload taking the place of the empty blob a slug starts with), the blob it held is
-- deleted, chunks and all, so no archive outlives every slug that pointed to it.
CREATE FUNCTION drydock_drop_slug_blob() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' OR OLD.blob_id IS DISTINCT FROM NEW.blob_id THEN
    DELETE FROM blobs WHERE id = OLD.blob_id;
  END IF;
  RETURN NULL;
END;
$$;

CREATE TRIGGER slugs_drop_blob AFTER DELETE OR UPDATE OF blob_id ON "slugs"
  FOR EACH ROW EXECUTE FUNCTION drydock_drop_slug_blob();
