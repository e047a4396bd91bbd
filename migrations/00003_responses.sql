-- +goose Up

-- Every response hit, human or machine. Reports count distinct recipients
-- from here (human events by default); the first human open, click and the
-- answers are also kept on the recipient row for quick filtering.
CREATE TABLE recipient_events (
    id            bigserial PRIMARY KEY,
    recipient_id  bigint NOT NULL REFERENCES recipients (id) ON DELETE CASCADE,
    kind          text NOT NULL CHECK (kind IN ('open', 'click', 'rsvp_yes', 'rsvp_no', 'rsvp_tentative',
                      'unsubscribe', 'reply', 'auto_reply', 'bounce', 'soft_bounce')),
    machine       boolean NOT NULL DEFAULT false,
    reason        text NOT NULL DEFAULT '',
    url           text NOT NULL DEFAULT '',
    occurred_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX recipient_events_recipient_idx ON recipient_events (recipient_id, kind);

-- Inbound mail already handled, by Message-ID: ingesting the same message
-- twice (an MTA retry, a re-polled mailbox) changes nothing.
CREATE TABLE inbound_messages (
    message_id    text PRIMARY KEY,
    kind          text NOT NULL,
    recipient_id  bigint REFERENCES recipients (id) ON DELETE SET NULL,
    received_at   timestamptz NOT NULL DEFAULT now()
);

-- How far each polled mailbox has been read.
CREATE TABLE imap_state (
    mailbox       text PRIMARY KEY,
    uid_validity  bigint NOT NULL,
    last_uid      bigint NOT NULL
);

-- Follow-up matching and engagement predicates look up a recipient by the
-- Message-ID of the message it was sent.
CREATE UNIQUE INDEX recipients_message_id_key ON recipients (message_id) WHERE message_id IS NOT NULL;

-- Every activity of a contact also shows on their organisation's timeline;
-- filling the organisation here covers every writer (sends, tracking,
-- replies) without each repeating the lookup.
-- +goose StatementBegin
CREATE FUNCTION activities_organisation() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.organisation_id IS NULL AND NEW.contact_id IS NOT NULL THEN
        SELECT organisation_id INTO NEW.organisation_id FROM contacts WHERE id = NEW.contact_id;
    END IF;
    RETURN NEW;
END $$;
-- +goose StatementEnd
CREATE TRIGGER activities_organisation BEFORE INSERT ON activities
    FOR EACH ROW EXECUTE FUNCTION activities_organisation();

-- +goose Down
DROP TRIGGER activities_organisation ON activities;
DROP FUNCTION activities_organisation();
DROP INDEX recipients_message_id_key;
DROP TABLE imap_state;
DROP TABLE inbound_messages;
DROP TABLE recipient_events;
