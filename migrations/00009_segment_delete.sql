-- +goose Up

-- A campaign chosen by saved segment reads the segment when it starts. The
-- foreign key used to set it to NULL when the segment was deleted, which
-- left the campaign with an empty expression: everyone. Deleting a segment
-- now first copies its expression into the campaigns that use it, so a
-- draft, a scheduled campaign or a copy of an old one keeps the audience it
-- was given.
-- +goose StatementBegin
CREATE FUNCTION campaigns_keep_segment_audience() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE campaigns SET audience_where = OLD.expression WHERE audience_segment_id = OLD.id;
    RETURN OLD;
END $$;
-- +goose StatementEnd
CREATE TRIGGER segments_deleted BEFORE DELETE ON segments
    FOR EACH ROW EXECUTE FUNCTION campaigns_keep_segment_audience();

-- +goose Down
DROP TRIGGER segments_deleted ON segments;
DROP FUNCTION campaigns_keep_segment_audience();
