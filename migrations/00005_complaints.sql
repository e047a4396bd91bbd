-- +goose Up

-- A spam complaint (an ARF feedback report from a mailbox provider's
-- feedback loop) is a response of its own: it suppresses the address.
ALTER TABLE recipient_events DROP CONSTRAINT recipient_events_kind_check;
ALTER TABLE recipient_events ADD CONSTRAINT recipient_events_kind_check CHECK (kind IN ('open', 'click',
    'rsvp_yes', 'rsvp_no', 'rsvp_tentative', 'unsubscribe', 'reply', 'auto_reply', 'bounce', 'soft_bounce', 'complaint'));

-- +goose Down
DELETE FROM recipient_events WHERE kind = 'complaint';
ALTER TABLE recipient_events DROP CONSTRAINT recipient_events_kind_check;
ALTER TABLE recipient_events ADD CONSTRAINT recipient_events_kind_check CHECK (kind IN ('open', 'click',
    'rsvp_yes', 'rsvp_no', 'rsvp_tentative', 'unsubscribe', 'reply', 'auto_reply', 'bounce', 'soft_bounce'));
