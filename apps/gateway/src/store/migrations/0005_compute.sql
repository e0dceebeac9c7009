-- The compute plane (seed §7, docs/compute.md): registered workers and the challenges they sign,
-- training jobs, their shards, rounds, the updates workers send, the global model after each
-- round, and the chunk-key grants made for workers. All job state lives here, none in the
-- gateway's memory, so a restarted gateway resumes every job where it was.

-- A nonce handed out by GetChallenge: good for one Register, until expires_at.
CREATE TABLE node_challenges (
  nonce      bytea PRIMARY KEY CHECK (octet_length(nonce) = 32),
  expires_at timestamptz NOT NULL
);
CREATE INDEX node_challenges_expiry_idx ON node_challenges (expires_at);

-- A worker: a `cyxwiz daemon` or a volunteer's browser tab, known by its Ed25519 key.
CREATE TABLE nodes (
  -- nodeIdOf(signing_public_key): "node_" and 32 hex digits.
  node_id              text PRIMARY KEY CHECK (node_id ~ '^node_[0-9a-f]{32}$'),
  signing_public_key   bytea NOT NULL UNIQUE CHECK (octet_length(signing_public_key) = 32),
  agreement_public_key bytea NOT NULL CHECK (octet_length(agreement_public_key) = 32),
  kind                 text NOT NULL CHECK (kind IN ('daemon', 'browser')),
  label                text NOT NULL DEFAULT '' CHECK (char_length(label) <= 128),
  cores                integer NOT NULL CHECK (cores BETWEEN 0 AND 4096),
  memory_bytes         bigint NOT NULL CHECK (memory_bytes >= 0),
  backend              text NOT NULL CHECK (backend IN ('webgpu', 'wasm', 'cpu')),
  region               text NOT NULL DEFAULT '' CHECK (char_length(region) <= 64),
  storage_bytes        bigint NOT NULL CHECK (storage_bytes >= 0),
  state                text NOT NULL CHECK (state IN ('idle', 'busy', 'lost', 'left')),
  -- 0-100: starts at 50, lowered by rejected updates, raised by accepted ones.
  reputation           double precision NOT NULL DEFAULT 50 CHECK (reputation BETWEEN 0 AND 100),
  -- Who the node's operator is, when a person's token registered it (the daemon started with a
  -- token); NULL for an anonymous volunteer. Owners' own workers are not third parties.
  operator             text REFERENCES users (username) ON UPDATE CASCADE,
  -- Raised at every Register: node tokens carry it, so an older token stops working.
  session              integer NOT NULL DEFAULT 1 CHECK (session >= 1),
  registered_at        timestamptz NOT NULL DEFAULT now(),
  last_heartbeat       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX nodes_live_idx ON nodes (last_heartbeat) WHERE state IN ('idle', 'busy');

CREATE TABLE jobs (
  id            text PRIMARY KEY CHECK (id ~ '^job_[0-9a-f]{24}$'),
  owner         text NOT NULL REFERENCES users (username) ON UPDATE CASCADE,
  -- The dataset version trained on; no foreign key, so a job's record outlives a deleted version
  -- (the job fails when its data is gone).
  dataset_id    bigint NOT NULL,
  version       integer NOT NULL CHECK (version >= 1),
  dataset_ref   text NOT NULL,
  -- The JobSpec as protobuf JSON (proto/cyxwiz/compute/v1/job_service.proto), validated on submit.
  spec          jsonb NOT NULL,
  state         text NOT NULL CHECK (state IN ('waiting_for_workers', 'waiting_for_keys', 'running',
                                                'succeeded', 'failed', 'cancelled')),
  reason        text NOT NULL DEFAULT '',
  current_round integer NOT NULL DEFAULT 0 CHECK (current_round >= 0),
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX jobs_owner_idx ON jobs (owner, created_at);
CREATE INDEX jobs_active_idx ON jobs (state) WHERE state IN ('waiting_for_workers', 'waiting_for_keys', 'running');

-- A job's shards: which train samples each holds, the chunks they are in, and who trains it.
CREATE TABLE job_shards (
  job_id        text NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
  shard         integer NOT NULL CHECK (shard >= 0),
  -- Ascending chunk indices, and per chunk the dataset-wide index of its first sample.
  chunk_indices integer[] NOT NULL,
  chunk_first_samples bigint[] NOT NULL,
  -- [[start, end), ...] sample ranges, ascending.
  sample_ranges jsonb NOT NULL,
  samples       bigint NOT NULL CHECK (samples >= 0),
  node_id       text REFERENCES nodes (node_id),
  PRIMARY KEY (job_id, shard)
);

-- A worker's part in a job, as the job page shows it.
CREATE TABLE job_workers (
  job_id             text NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
  node_id            text NOT NULL REFERENCES nodes (node_id),
  shard              integer NOT NULL CHECK (shard >= 0),
  state              text NOT NULL CHECK (state IN ('assigned', 'fetching', 'training', 'submitted', 'lost', 'left')),
  backend            text NOT NULL DEFAULT '',
  samples_per_second double precision NOT NULL DEFAULT 0,
  local_loss         double precision,
  local_accuracy     double precision,
  local_samples      bigint NOT NULL DEFAULT 0,
  -- Whether the job's data was erased by the worker (reported on leave, cancel or end).
  erased             boolean NOT NULL DEFAULT false,
  assigned_at        timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (job_id, node_id)
);

CREATE TABLE job_rounds (
  job_id           text NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
  round            integer NOT NULL CHECK (round >= 1),
  started_at       timestamptz NOT NULL DEFAULT now(),
  deadline         timestamptz NOT NULL,
  closed_at        timestamptz,
  closed_by        text CHECK (closed_by IN ('quorum', 'deadline')),
  updates_accepted integer NOT NULL DEFAULT 0,
  updates_rejected integer NOT NULL DEFAULT 0,
  -- The global model after this round, on the evaluation split.
  eval_loss        double precision,
  eval_accuracy    double precision,
  eval_samples     bigint,
  PRIMARY KEY (job_id, round)
);

-- Each round's updates, accepted or rejected (with why), kept until the round is aggregated.
CREATE TABLE job_updates (
  job_id      text NOT NULL,
  round       integer NOT NULL,
  node_id     text NOT NULL REFERENCES nodes (node_id),
  samples     bigint NOT NULL CHECK (samples >= 0),
  -- The encoded delta (docs/training.md "Updates"); NULL once aggregated or when rejected.
  delta       bytea,
  accepted    boolean NOT NULL,
  reason      text NOT NULL DEFAULT '',
  loss        double precision,
  accuracy    double precision,
  received_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (job_id, round, node_id),
  FOREIGN KEY (job_id, round) REFERENCES job_rounds (job_id, round) ON DELETE CASCADE
);

-- The global weights (encodeUpdate, float32) published for a round: round 0 is the initial model.
CREATE TABLE job_models (
  job_id  text NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
  round   integer NOT NULL CHECK (round >= 0),
  weights bytea NOT NULL,
  PRIMARY KEY (job_id, round)
);

-- Chunk keys wrapped to a worker's X25519 key for its shard (docs/crypto.md): a serialized
-- ChunkKeyGrant, made by the gateway (escrowed keys) or by the owner's dashboard.
CREATE TABLE job_key_grants (
  job_id     text NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
  node_id    text NOT NULL REFERENCES nodes (node_id),
  shard      integer NOT NULL CHECK (shard >= 0),
  grant_data bytea NOT NULL,
  made_by    text NOT NULL CHECK (made_by IN ('gateway', 'owner')),
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (job_id, node_id, shard)
);
