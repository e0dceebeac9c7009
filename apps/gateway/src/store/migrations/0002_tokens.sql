-- API tokens (ARCHITECTURE §7): long-lived bearer tokens for the CLI, scripts and a Prometheus
-- scraper, each recorded so it can be listed and revoked before it expires. The token itself (a
-- signed JWT) is never stored: its `jti` claim is the id here. Sign-in (session) tokens are not
-- recorded; they live hours.

CREATE TABLE api_tokens (
  id         text PRIMARY KEY CHECK (id ~ '^tok_[A-Za-z0-9_-]{16,64}$'),
  owner      text NOT NULL REFERENCES users (username) ON UPDATE CASCADE,
  label      text NOT NULL CHECK (char_length(label) BETWEEN 1 AND 100 AND label !~ '[\x01-\x1f\x7f-\x9f]'),
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  -- Set once, when the token is revoked; a revoked token is refused wherever it is presented.
  revoked_at timestamptz,
  CHECK (expires_at > created_at)
);
CREATE INDEX api_tokens_owner_idx ON api_tokens (owner, created_at);
-- The gateway reloads the revoked, unexpired ids every few seconds (auth/token-verifier.ts).
CREATE INDEX api_tokens_revoked_idx ON api_tokens (expires_at) WHERE revoked_at IS NOT NULL;
