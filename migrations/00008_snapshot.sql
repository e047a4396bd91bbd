-- +goose Up

-- A large audience is snapshotted in slices of contacts, in contact id
-- order: the first slice in the transaction that starts the campaign, the
-- rest by the dispatcher, one slice per transaction, while the first
-- recipients are already being mailed. Until the last slice is taken the
-- campaign keeps the audience expression it resolved at the start (a saved
-- segment edited meanwhile does not change it) and the last contact id
-- taken; both are NULL once the snapshot is complete.
ALTER TABLE campaigns ADD COLUMN snapshot_where text, ADD COLUMN snapshot_after bigint;

-- +goose Down
ALTER TABLE campaigns DROP COLUMN snapshot_where, DROP COLUMN snapshot_after;
