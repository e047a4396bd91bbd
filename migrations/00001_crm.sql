-- +goose Up

-- Organisations are matched by name, case-insensitively, so an import that
-- writes "ACME GmbH" and another that writes "Acme GmbH" meet in one row.
CREATE TABLE organisations (
    id          bigserial PRIMARY KEY,
    name        text NOT NULL CHECK (btrim(name) <> ''),
    type        text NOT NULL DEFAULT '' CHECK (type IN ('', 'business_support', 'finance', 'public', 'ngo', 'chamber', 'education', 'network', 'other')),
    country     text NOT NULL DEFAULT '' CHECK (country ~ '^([A-Z]{2})?$'),
    city        text NOT NULL DEFAULT '',
    website     text NOT NULL DEFAULT '',
    domain      text NOT NULL DEFAULT '',
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX organisations_name_key ON organisations (lower(name));
CREATE INDEX organisations_type_idx ON organisations (type);

-- Contacts. Text fields are NOT NULL with '' for "unknown" so that
-- comparisons in imports and segments need no NULL handling; email is the
-- one exception: an erased contact keeps its row (so counts stay right) but
-- loses its address, and only a hash remains to block re-imports.
CREATE TABLE contacts (
    id                  bigserial PRIMARY KEY,
    email               text CHECK (email IS NULL OR email = lower(email)),
    first_name          text NOT NULL DEFAULT '',
    last_name           text NOT NULL DEFAULT '',
    job_title           text NOT NULL DEFAULT '',
    seniority           text NOT NULL DEFAULT 'unknown' CHECK (seniority IN ('executive', 'senior', 'middle', 'operational', 'unknown')),
    seniority_inferred  boolean NOT NULL DEFAULT false,
    -- No foreign key on purpose: its per-row check was 30% of the time of a
    -- million-row import. Organisations are never deleted; merging two
    -- re-points their contacts in the same transaction.
    organisation_id     bigint,
    country             text NOT NULL DEFAULT '' CHECK (country ~ '^([A-Z]{2})?$'),
    language            text NOT NULL DEFAULT '' CHECK (language ~ '^([a-z]{2})?$'),
    topics              text[] NOT NULL DEFAULT '{}',
    tags                text[] NOT NULL DEFAULT '{}',
    consent             text NOT NULL DEFAULT 'legitimate_interest' CHECK (consent IN ('opt_in', 'legitimate_interest', 'unsubscribed')),
    consent_source      text NOT NULL DEFAULT '',
    consent_at          timestamptz NOT NULL DEFAULT now(),
    attributes          jsonb NOT NULL DEFAULT '{}',
    -- Where the contact came from (an import file, an API key, the demo).
    -- Creation is not written to the timeline as a row of its own: a
    -- million-row import would double its cost; the timeline derives it.
    source              text NOT NULL DEFAULT '',
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    erased_at           timestamptz,
    email_hash          text,
    CHECK ((erased_at IS NULL) = (email IS NOT NULL))
);
-- Emails are stored lower-cased (the CHECK above), so a plain unique index
-- gives case-insensitive uniqueness and serves ON CONFLICT (email).
CREATE UNIQUE INDEX contacts_email_key ON contacts (email);
CREATE INDEX contacts_erased_hash_idx ON contacts (email_hash) WHERE erased_at IS NOT NULL;
CREATE INDEX contacts_organisation_idx ON contacts (organisation_id);
-- Segment conditions filter on country (often a rare one) and on topics
-- and tags (GIN, for contains). Seniority, consent, language and created_at
-- are left unindexed on purpose: conditions on them match a large share of
-- rows, where a parallel scan beats an index, and every index slows imports
-- (measured: each btree costs about 1 s per million imported rows).
CREATE INDEX contacts_country_idx ON contacts (country);
CREATE INDEX contacts_topics_idx ON contacts USING gin (topics);
CREATE INDEX contacts_tags_idx ON contacts USING gin (tags);

-- The activity timeline: everything that happened to a contact or an
-- organisation, from imports and edits to (later) sends and responses.
CREATE TABLE activities (
    id               bigserial PRIMARY KEY,
    contact_id       bigint REFERENCES contacts (id) ON DELETE CASCADE,
    organisation_id  bigint REFERENCES organisations (id) ON DELETE CASCADE,
    kind             text NOT NULL,
    occurred_at      timestamptz NOT NULL DEFAULT now(),
    details          jsonb NOT NULL DEFAULT '{}',
    CHECK (contact_id IS NOT NULL OR organisation_id IS NOT NULL)
);
CREATE INDEX activities_contact_idx ON activities (contact_id, occurred_at DESC) WHERE contact_id IS NOT NULL;
CREATE INDEX activities_organisation_idx ON activities (organisation_id, occurred_at DESC) WHERE organisation_id IS NOT NULL;

CREATE TABLE segments (
    id          bigserial PRIMARY KEY,
    name        text NOT NULL CHECK (btrim(name) <> ''),
    expression  text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX segments_name_key ON segments (lower(name));

-- Coordinators sign in to the web UI; API keys act for scripts. Both carry
-- a role. Passwords are bcrypt hashes; API keys are random 256-bit secrets,
-- so a SHA-256 hash is enough and lets a key be looked up by its hash.
CREATE TABLE users (
    id             bigserial PRIMARY KEY,
    email          text NOT NULL CHECK (email = lower(email)),
    name           text NOT NULL DEFAULT '',
    role           text NOT NULL CHECK (role IN ('admin', 'coordinator', 'viewer')),
    password_hash  text NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now(),
    disabled_at    timestamptz
);
CREATE UNIQUE INDEX users_email_key ON users (email);

CREATE TABLE api_keys (
    id            bigserial PRIMARY KEY,
    name          text NOT NULL CHECK (btrim(name) <> ''),
    role          text NOT NULL CHECK (role IN ('admin', 'coordinator', 'viewer')),
    prefix        text NOT NULL,
    key_hash      text NOT NULL UNIQUE,
    user_id       bigint REFERENCES users (id) ON DELETE CASCADE,
    created_at    timestamptz NOT NULL DEFAULT now(),
    last_used_at  timestamptz,
    revoked_at    timestamptz
);

-- +goose Down
DROP TABLE api_keys;
DROP TABLE users;
DROP TABLE segments;
DROP TABLE activities;
DROP TABLE contacts;
DROP TABLE organisations;
