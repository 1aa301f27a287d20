-- Bundles are registered from their signed bundle manifest: keep the ciphertext digest, the key
-- location and the output recipient that it names.
ALTER TABLE bundles ADD COLUMN ciphertext_sha256 TEXT;
ALTER TABLE bundles ADD COLUMN ciphertext_size BIGINT;
ALTER TABLE bundles ADD COLUMN kv_mount TEXT;
ALTER TABLE bundles ADD COLUMN kv_path TEXT;
ALTER TABLE bundles ADD COLUMN output_recipient TEXT;
-- Bundles registered before carry no signed bundle manifest, so no job may use them any more.
UPDATE bundles SET revoked_at = CAST(EXTRACT(EPOCH FROM now()) * 1000 AS BIGINT)
  WHERE revoked_at IS NULL;
ALTER TABLE bundles DROP COLUMN owner_recipients;
