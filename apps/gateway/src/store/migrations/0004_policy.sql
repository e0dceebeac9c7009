-- Each dataset version's data policy (seed §4.3, docs/data-policy.md): its classification (the
-- existing column) and the handling fields, stored explicitly so a later change of the defaults
-- never changes a stored policy. Existing versions get their level's defaults, the values of
-- DEFAULT_POLICIES in @cyxwiz/protocol/vocab (a gateway test checks the two agree).

ALTER TABLE dataset_versions
  ADD COLUMN encryption_required         boolean,
  ADD COLUMN key_escrow_allowed          boolean,
  ADD COLUMN min_reputation              smallint CHECK (min_reputation BETWEEN 0 AND 100),
  ADD COLUMN third_party_workers_allowed boolean,
  -- Region codes; empty: any region.
  ADD COLUMN allowed_regions             text[] NOT NULL DEFAULT '{}'
    CHECK (cardinality(allowed_regions) <= 32 AND array_position(allowed_regions, NULL) IS NULL),
  ADD COLUMN cache_ttl_hours             integer CHECK (cache_ttl_hours BETWEEN 0 AND 8760),
  ADD COLUMN secure_delete               boolean,
  -- NULL: kept until deleted. Otherwise the version is deleted at expires_at (created_at plus
  -- this many days of 24 hours), by the gateway's expiry sweeper.
  ADD COLUMN expire_after_days           integer CHECK (expire_after_days BETWEEN 1 AND 36500),
  ADD COLUMN expires_at                  timestamptz,
  ADD COLUMN audit_access                boolean,
  ADD COLUMN require_mfa                 boolean,
  ADD COLUMN require_secure_enclave      boolean;

UPDATE dataset_versions SET
  encryption_required         = classification IN ('confidential', 'restricted', 'top_secret'),
  key_escrow_allowed          = classification IN ('public', 'internal'),
  min_reputation              = CASE classification WHEN 'public' THEN 0 WHEN 'internal' THEN 25
                                  WHEN 'confidential' THEN 50 WHEN 'restricted' THEN 75 ELSE 90 END,
  third_party_workers_allowed = classification = 'public',
  cache_ttl_hours             = CASE classification WHEN 'public' THEN 168 WHEN 'internal' THEN 72
                                  WHEN 'confidential' THEN 24 WHEN 'restricted' THEN 4 ELSE 0 END,
  secure_delete               = classification IN ('confidential', 'restricted', 'top_secret'),
  audit_access                = classification <> 'public',
  require_mfa                 = classification IN ('restricted', 'top_secret'),
  require_secure_enclave      = classification = 'top_secret';

ALTER TABLE dataset_versions
  ALTER COLUMN encryption_required SET NOT NULL,
  ALTER COLUMN key_escrow_allowed SET NOT NULL,
  ALTER COLUMN min_reputation SET NOT NULL,
  ALTER COLUMN third_party_workers_allowed SET NOT NULL,
  ALTER COLUMN cache_ttl_hours SET NOT NULL,
  ALTER COLUMN secure_delete SET NOT NULL,
  ALTER COLUMN audit_access SET NOT NULL,
  ALTER COLUMN require_mfa SET NOT NULL,
  ALTER COLUMN require_secure_enclave SET NOT NULL,
  -- The second line behind the store (docs/data-policy.md): data stored unencrypted only at the
  -- levels that allow it, and never under a policy that requires encryption; an escrowed key
  -- only under a policy that allows escrow; an expiry time exactly when there is an expiry.
  ADD CONSTRAINT unencrypted_only_public_or_internal
    CHECK (encrypted OR classification IN ('public', 'internal')),
  ADD CONSTRAINT encrypted_where_policy_requires
    CHECK (encrypted OR NOT encryption_required),
  ADD CONSTRAINT escrow_only_where_policy_allows
    CHECK (escrowed_key IS NULL OR key_escrow_allowed),
  ADD CONSTRAINT expires_at_with_expiry
    CHECK ((expire_after_days IS NULL) = (expires_at IS NULL));

-- The expiry sweeper's question: which versions are due?
CREATE INDEX dataset_versions_expiry_idx ON dataset_versions (expires_at) WHERE expires_at IS NOT NULL;
