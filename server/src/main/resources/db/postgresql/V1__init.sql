-- Initial schema for PostgreSQL. Times are milliseconds since the epoch (UTC).
CREATE TABLE nodes (
  name TEXT PRIMARY KEY,
  spiffe_id TEXT NOT NULL,
  attestor TEXT NOT NULL,
  status TEXT NOT NULL,
  enrolled_at BIGINT NOT NULL,
  revoked_at BIGINT
);
CREATE TABLE join_tokens (
  token_sha256 TEXT PRIMARY KEY,
  node TEXT NOT NULL,
  created_by TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  used_at BIGINT
);
CREATE TABLE challenges (
  id TEXT PRIMARY KEY,
  node TEXT NOT NULL,
  attestor TEXT NOT NULL,
  nonce TEXT NOT NULL,
  expires_at BIGINT NOT NULL,
  used_at BIGINT
);
CREATE TABLE owner_keys (
  owner TEXT PRIMARY KEY,
  public_key TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE TABLE bundles (
  id TEXT PRIMARY KEY,
  owner TEXT NOT NULL,
  manifest_sha256 TEXT NOT NULL,
  owner_recipients TEXT NOT NULL,
  registered_at BIGINT NOT NULL,
  revoked_at BIGINT
);
CREATE TABLE grants (
  id TEXT PRIMARY KEY,
  bundle_id TEXT NOT NULL REFERENCES bundles (id),
  owner TEXT NOT NULL,
  grantee TEXT NOT NULL,
  partitions TEXT NOT NULL,
  nodes TEXT NOT NULL,
  expires_at BIGINT,
  created_at BIGINT NOT NULL,
  revoked_at BIGINT
);
CREATE INDEX grants_bundle ON grants (bundle_id);
CREATE TABLE jobs (
  id TEXT PRIMARY KEY,
  user_name TEXT NOT NULL,
  partition_name TEXT NOT NULL,
  nodes TEXT NOT NULL,
  bundles TEXT NOT NULL,
  started_at BIGINT NOT NULL,
  deadline_at BIGINT NOT NULL,
  released_at BIGINT
);
CREATE TABLE job_nodes (
  job_id TEXT NOT NULL REFERENCES jobs (id),
  node TEXT NOT NULL,
  started_at BIGINT NOT NULL,
  ended_at BIGINT,
  PRIMARY KEY (job_id, node)
);
CREATE TABLE audit (
  seq BIGINT PRIMARY KEY,
  at BIGINT NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  outcome TEXT NOT NULL,
  reason TEXT,
  bundle_id TEXT,
  job_id TEXT,
  node TEXT,
  detail TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL
);
CREATE INDEX audit_bundle ON audit (bundle_id);
CREATE INDEX audit_job ON audit (job_id);
CREATE FUNCTION audit_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'audit log is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_no_change BEFORE UPDATE OR DELETE ON audit
  FOR EACH ROW EXECUTE FUNCTION audit_append_only();
CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit
  FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();
