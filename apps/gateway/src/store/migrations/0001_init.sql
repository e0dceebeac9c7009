-- The gateway's first schema (ARCHITECTURE §5): users, uploads in progress (transfers) and the
-- digests of their chunks, datasets and their immutable versions, and the append-only audit log.
-- PostgreSQL dialect, for PostgreSQL >= 15 and PGlite alike. The store validates every input
-- before it gets here; the CHECKs below are the second line, so no code path can store a value
-- the rest of the system would misread.

-- A dataset name as users see it in "name@vN": 1-128 characters, no path separator, no control
-- character, no "@" (it separates the version), not "." or "..".
CREATE DOMAIN dataset_name AS text
  CHECK (char_length(VALUE) BETWEEN 1 AND 128
         AND VALUE !~ '[\x01-\x1f\x7f-\x9f/\\@]'
         AND VALUE NOT IN ('.', '..'));

CREATE DOMAIN data_classification AS text
  CHECK (VALUE IN ('public', 'internal', 'confidential', 'restricted', 'top_secret'));

CREATE DOMAIN compression_codec AS text
  CHECK (VALUE IN ('none', 'zstd', 'lz4', 'snappy'));

-- A SHA-256 digest.
CREATE DOMAIN sha256_digest AS bytea
  CHECK (octet_length(VALUE) = 32);

CREATE TABLE users (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  username      text NOT NULL UNIQUE CHECK (username ~ '^[a-z0-9][a-z0-9._-]{0,63}$'),
  password_hash text NOT NULL CHECK (password_hash <> ''),
  admin         boolean NOT NULL DEFAULT false,
  created_at    timestamptz NOT NULL DEFAULT now()
);

-- An upload (seed §5.2 InitiateTransfer .. CommitUpload). Its chunks are recorded as they are
-- verified and stored; committing it creates a dataset version that keeps pointing at it, so
-- a version's chunk list is its transfer's (transfer_chunks).
CREATE TABLE transfers (
  id             text PRIMARY KEY CHECK (id ~ '^[A-Za-z0-9_-]{1,128}$'),
  owner          text NOT NULL REFERENCES users (username) ON UPDATE CASCADE,
  name           dataset_name NOT NULL,
  state          text NOT NULL DEFAULT 'pending'
                 CHECK (state IN ('pending', 'in_progress', 'verifying', 'completed', 'failed', 'cancelled')),
  classification data_classification NOT NULL,
  num_chunks     integer NOT NULL CHECK (num_chunks >= 0),
  chunk_size     integer NOT NULL CHECK (chunk_size > 0),
  total_size     bigint NOT NULL CHECK (total_size >= 0),
  merkle_root    sha256_digest,
  encrypted      boolean NOT NULL,
  compression    compression_codec NOT NULL,
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX transfers_owner_idx ON transfers (owner, created_at);
-- Finding abandoned uploads to clean up.
CREATE INDEX transfers_unfinished_idx ON transfers (updated_at) WHERE state IN ('pending', 'in_progress', 'verifying');

CREATE TABLE transfer_chunks (
  transfer_id text NOT NULL REFERENCES transfers (id) ON DELETE CASCADE,
  chunk_index integer NOT NULL CHECK (chunk_index >= 0),
  digest      sha256_digest NOT NULL,
  stored_size integer NOT NULL CHECK (stored_size >= 0),
  PRIMARY KEY (transfer_id, chunk_index)
);
-- "Is this blob still referenced?" when versions are deleted (chunk blobs are content-addressed
-- and shared between datasets, ARCHITECTURE §5).
CREATE INDEX transfer_chunks_digest_idx ON transfer_chunks (digest);

CREATE TABLE datasets (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  owner        text NOT NULL REFERENCES users (username) ON UPDATE CASCADE,
  name         dataset_name NOT NULL,
  -- The highest version number ever given out. Numbers are never reused, even after the newest
  -- version is deleted, so "name@v3" never names two different contents.
  last_version integer NOT NULL CHECK (last_version >= 1),
  created_at   timestamptz NOT NULL DEFAULT now(),
  UNIQUE (owner, name)
);

CREATE TABLE dataset_versions (
  dataset_id     bigint NOT NULL REFERENCES datasets (id) ON DELETE CASCADE,
  version        integer NOT NULL CHECK (version >= 1),
  transfer_id    text NOT NULL UNIQUE REFERENCES transfers (id),
  manifest       bytea NOT NULL,
  merkle_root    sha256_digest NOT NULL,
  total_size     bigint NOT NULL CHECK (total_size >= 0),
  stored_size    bigint NOT NULL CHECK (stored_size >= 0),
  num_chunks     integer NOT NULL CHECK (num_chunks >= 0),
  chunk_size     integer NOT NULL CHECK (chunk_size > 0),
  classification data_classification NOT NULL,
  codec          compression_codec NOT NULL,
  encrypted      boolean NOT NULL,
  escrowed_key   bytea,
  status         text NOT NULL DEFAULT 'ready' CHECK (status IN ('ready', 'corrupt')),
  created_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (dataset_id, version),
  -- Only Public and Internal data may escrow its key to the gateway (ARCHITECTURE §4), and only
  -- encrypted data has a key.
  CONSTRAINT escrow_only_public_or_internal
    CHECK (escrowed_key IS NULL OR (encrypted AND classification IN ('public', 'internal')))
);

-- Every access to data, appended and never changed (ARCHITECTURE §7).
CREATE TABLE audit_log (
  id      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at      timestamptz NOT NULL DEFAULT now(),
  actor   text NOT NULL,
  action  text NOT NULL,
  subject text NOT NULL,
  detail  jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(detail) = 'object')
);
CREATE INDEX audit_log_subject_idx ON audit_log (subject, id);

-- Append-only for real: UPDATE, DELETE and TRUNCATE fail whatever the statement. (The table's
-- owner or a superuser can still disable the trigger; where that matters, run migrations as an
-- owner role and the gateway as a role granted only INSERT and SELECT on audit_log.)
CREATE FUNCTION audit_log_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER audit_log_no_update_or_delete
  BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change();
CREATE TRIGGER audit_log_no_truncate
  BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change();
