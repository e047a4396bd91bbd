-- +goose Up

-- Partner projects' calendars, imported from an iCal URL or file. Their
-- events sit in the events table beside ours, marked with the source.
CREATE TABLE calendar_sources (
    id            bigserial PRIMARY KEY,
    name          text NOT NULL CHECK (btrim(name) <> ''),
    url           text NOT NULL DEFAULT '',
    imported_at   timestamptz,
    created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX calendar_sources_name_key ON calendar_sources (lower(name));

-- Events: our own (source_id NULL) and imported ones. sequence counts the
-- changes attendees were told about (iCalendar SEQUENCE); uid is the
-- imported event's UID, ours derive theirs from the id.
ALTER TABLE events
    ADD COLUMN description      text NOT NULL DEFAULT '',
    ADD COLUMN topic            text NOT NULL DEFAULT '',
    ADD COLUMN city             text NOT NULL DEFAULT '',
    ADD COLUMN country          text NOT NULL DEFAULT '',
    ADD COLUMN capacity         integer CHECK (capacity IS NULL OR capacity > 0),
    ADD COLUMN organiser        text NOT NULL DEFAULT '',
    ADD COLUMN organiser_email  text NOT NULL DEFAULT '',
    ADD COLUMN public           boolean NOT NULL DEFAULT true,
    ADD COLUMN status           text NOT NULL DEFAULT 'confirmed' CHECK (status IN ('confirmed', 'cancelled')),
    ADD COLUMN sequence         integer NOT NULL DEFAULT 0,
    ADD COLUMN source_id        bigint REFERENCES calendar_sources (id) ON DELETE CASCADE,
    ADD COLUMN uid              text,
    ADD COLUMN recurrence_id    timestamptz;
CREATE UNIQUE INDEX events_source_uid_key ON events (source_id, uid, coalesce(recurrence_id, '-infinity'))
    WHERE source_id IS NOT NULL;
CREATE INDEX events_starts_idx ON events (starts_at);

-- Who answered an event's invitations and who came. One row per contact
-- and event, whichever campaign (invitation or follow-up) they answered.
-- A yes beyond the capacity waits in line (waitlisted) until a place
-- frees up.
CREATE TABLE event_attendees (
    event_id      bigint NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    contact_id    bigint NOT NULL REFERENCES contacts (id),
    recipient_id  bigint REFERENCES recipients (id) ON DELETE SET NULL,
    rsvp          text CHECK (rsvp IN ('yes', 'no', 'tentative')),
    rsvp_at       timestamptz,
    waitlisted    boolean NOT NULL DEFAULT false,
    attended      boolean,
    marked_at     timestamptz,
    PRIMARY KEY (event_id, contact_id)
);
CREATE INDEX event_attendees_contact_idx ON event_attendees (contact_id);

-- A notice campaign tells an event's attendees about a change (update) or
-- a cancellation; its audience is the event's attendees, not a segment.
ALTER TABLE campaigns
    ADD COLUMN notice text NOT NULL DEFAULT '' CHECK (notice IN ('', 'update', 'cancel'));

-- +goose Down
ALTER TABLE campaigns DROP COLUMN notice;
DROP TABLE event_attendees;
DROP INDEX events_starts_idx;
DROP INDEX events_source_uid_key;
ALTER TABLE events
    DROP COLUMN description, DROP COLUMN topic, DROP COLUMN city, DROP COLUMN country,
    DROP COLUMN capacity, DROP COLUMN organiser, DROP COLUMN organiser_email, DROP COLUMN public,
    DROP COLUMN status, DROP COLUMN sequence, DROP COLUMN source_id, DROP COLUMN uid,
    DROP COLUMN recurrence_id;
DROP TABLE calendar_sources;
