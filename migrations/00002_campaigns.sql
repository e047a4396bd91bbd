-- +goose Up

-- Suppression beyond consent: a hard bounce or a spam complaint stops all
-- mail to the address, checked again just before every send.
ALTER TABLE contacts ADD COLUMN bounced_at timestamptz, ADD COLUMN complained_at timestamptz;

-- Instance settings Outreach generates itself, such as the signing secret
-- when OUTREACH_SECRET is not set.
CREATE TABLE settings (
    key    text PRIMARY KEY,
    value  text NOT NULL
);

CREATE TABLE events (
    id             bigserial PRIMARY KEY,
    title          text NOT NULL CHECK (btrim(title) <> ''),
    kind           text NOT NULL DEFAULT 'workshop' CHECK (kind IN ('conference', 'cop_session', 'workshop', 'webinar')),
    starts_at      timestamptz NOT NULL,
    ends_at        timestamptz NOT NULL,
    time_zone      text NOT NULL DEFAULT 'UTC',
    location       text NOT NULL DEFAULT '',
    url            text NOT NULL DEFAULT '',
    host_event_id  bigint REFERENCES events (id),
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    CHECK (ends_at >= starts_at)
);

CREATE TABLE campaigns (
    id                     bigserial PRIMARY KEY,
    name                   text NOT NULL CHECK (btrim(name) <> ''),
    status                 text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'scheduled', 'running', 'paused', 'done', 'cancelled')),
    audience_where         text NOT NULL DEFAULT '',
    audience_segment_id    bigint REFERENCES segments (id) ON DELETE SET NULL,
    from_address           text NOT NULL,
    from_name              text NOT NULL DEFAULT '',
    reply_to               text NOT NULL DEFAULT '',
    event_id               bigint REFERENCES events (id),
    per_minute             int NOT NULL DEFAULT 0 CHECK (per_minute >= 0),
    per_domain_per_minute  int NOT NULL DEFAULT 0 CHECK (per_domain_per_minute >= 0),
    window_days            text[] NOT NULL DEFAULT '{}',
    window_from            text NOT NULL DEFAULT '',
    window_to              text NOT NULL DEFAULT '',
    window_time_zone       text NOT NULL DEFAULT 'UTC',
    tracking               boolean NOT NULL DEFAULT true,
    scheduled_at           timestamptz,
    started_at             timestamptz,
    finished_at            timestamptz,
    created_at             timestamptz NOT NULL DEFAULT now(),
    updated_at             timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX campaigns_active_idx ON campaigns (status) WHERE status IN ('scheduled', 'running');

-- Step 0 is the invitation; later steps are follow-ups sent after_seconds
-- after the previous step to those who have neither replied nor RSVP'd.
CREATE TABLE campaign_steps (
    campaign_id    bigint NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
    position       int NOT NULL CHECK (position >= 0),
    after_seconds  bigint NOT NULL DEFAULT 0 CHECK (after_seconds >= 0),
    subject        text NOT NULL,
    html           text NOT NULL,
    text           text NOT NULL DEFAULT '',
    PRIMARY KEY (campaign_id, position)
);

-- One row per contact and step: the audience snapshot, the send state and,
-- later, the responses. The contact's segment fields are copied at
-- snapshot time so reports group by what the contact was when invited.
-- The address is not copied: it is read at send time, so an erasure or a
-- correction in between is respected.
CREATE TABLE recipients (
    id                 bigserial PRIMARY KEY,
    campaign_id        bigint NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
    step               int NOT NULL,
    contact_id         bigint NOT NULL REFERENCES contacts (id),
    status             text NOT NULL DEFAULT 'pending'
                       CHECK (status IN ('pending', 'queued', 'sending', 'sent', 'failed', 'bounced', 'suppressed')),
    seniority          text NOT NULL DEFAULT 'unknown',
    organisation_id    bigint,
    organisation       text NOT NULL DEFAULT '',
    organisation_type  text NOT NULL DEFAULT '',
    country            text NOT NULL DEFAULT '',
    language           text NOT NULL DEFAULT '',
    topics             text[] NOT NULL DEFAULT '{}',
    batch_id           bigint,
    attempts           int NOT NULL DEFAULT 0,
    next_attempt_at    timestamptz NOT NULL DEFAULT now(),
    message_id         text,
    queued_at          timestamptz,
    claimed_at         timestamptz,
    sent_at            timestamptz,
    last_error         text NOT NULL DEFAULT '',
    opened_at          timestamptz,
    clicked_at         timestamptz,
    replied_at         timestamptz,
    rsvp               text CHECK (rsvp IN ('yes', 'no', 'tentative')),
    rsvp_at            timestamptz,
    unsubscribed_at    timestamptz,
    bounced_at         timestamptz,
    UNIQUE (campaign_id, step, contact_id)
);
-- The dispatcher's scan: due pending rows of one campaign, oldest first.
CREATE INDEX recipients_pending_idx ON recipients (campaign_id, next_attempt_at, id) WHERE status = 'pending';
-- Work in flight, looked up by batch (handler) and by age (reconciler).
CREATE INDEX recipients_inflight_idx ON recipients (batch_id) WHERE status IN ('queued', 'sending');
CREATE INDEX recipients_contact_idx ON recipients (contact_id);
CREATE INDEX recipients_campaign_status_idx ON recipients (campaign_id, status);

CREATE SEQUENCE recipient_batches;

-- The outbox keeps what would have been sent when no SMTP server is
-- configured: a new user can try everything and nothing leaves the machine.
CREATE TABLE outbox (
    id            bigserial PRIMARY KEY,
    campaign_id   bigint REFERENCES campaigns (id) ON DELETE CASCADE,
    recipient_id  bigint REFERENCES recipients (id) ON DELETE CASCADE,
    message_id    text NOT NULL UNIQUE,
    mail_from     text NOT NULL,
    rcpt_to       text NOT NULL,
    subject       text NOT NULL,
    raw           bytea NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX outbox_campaign_idx ON outbox (campaign_id, id);

-- Erasure (crm) keeps anonymous counts: a recipient row keeps seniority,
-- organisation type and country, but not which organisation, which
-- together with seniority could name the person.
-- +goose StatementBegin
CREATE FUNCTION recipients_forget_erased() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE recipients SET organisation = '', organisation_id = NULL WHERE contact_id = NEW.id;
    DELETE FROM outbox WHERE recipient_id IN (SELECT id FROM recipients WHERE contact_id = NEW.id);
    RETURN NEW;
END $$;
-- +goose StatementEnd
CREATE TRIGGER contacts_erased AFTER UPDATE OF erased_at ON contacts
    FOR EACH ROW WHEN (OLD.erased_at IS NULL AND NEW.erased_at IS NOT NULL)
    EXECUTE FUNCTION recipients_forget_erased();

-- +goose Down
DROP TRIGGER contacts_erased ON contacts;
DROP FUNCTION recipients_forget_erased();
DROP TABLE outbox;
DROP SEQUENCE recipient_batches;
DROP TABLE recipients;
DROP TABLE campaign_steps;
DROP TABLE campaigns;
DROP TABLE events;
DROP TABLE settings;
ALTER TABLE contacts DROP COLUMN bounced_at, DROP COLUMN complained_at;
