-- +goose Up

-- Web UI sessions. The cookie holds a random secret; only its SHA-256 is
-- stored, so a leaked table does not sign anyone in. Each session has its
-- own CSRF token, sent back with every form and htmx request.
CREATE TABLE sessions (
    token_hash    text PRIMARY KEY,
    user_id       bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf_token    text NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    last_seen_at  timestamptz NOT NULL DEFAULT now(),
    expires_at    timestamptz NOT NULL
);
CREATE INDEX sessions_user_idx ON sessions (user_id);

-- Failed sign-ins, by email and by client address, for the login throttle.
CREATE TABLE login_failures (
    id         bigserial PRIMARY KEY,
    email      text NOT NULL,
    client     text NOT NULL,
    failed_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX login_failures_email_idx ON login_failures (email, failed_at);
CREATE INDEX login_failures_client_idx ON login_failures (client, failed_at);

-- +goose Down
DROP TABLE login_failures;
DROP TABLE sessions;
