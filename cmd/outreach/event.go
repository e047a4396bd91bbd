package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"outreach/campaigns"
)

const eventUsage = "event create FILE | list [--from T] [--to T] [--topic T] [--source ours|partners] | show ID | update ID FILE | cancel ID | notify ID [--from ADDR] | attendees ID | attendance ID FILE | conflicts ID"

func runEvent(ctx context.Context, e env, args []string) error {
	if len(args) == 0 {
		return fmt.Errorf("%s: %w", eventUsage, errUsage)
	}
	fs := flag.NewFlagSet("event "+args[0], flag.ContinueOnError)
	from := fs.String("from", "", "list: events ending after this time; notify: sender address")
	to := fs.String("to", "", "list: events starting before this time")
	topic := fs.String("topic", "", "list: only this topic")
	source := fs.String("source", "", "list: ours or partners (default both)")
	asJSON := fs.Bool("json", false, "print JSON")
	cfg, pos, db, err := openSubcommand(ctx, e, fs, eventUsage, args[1:])
	if err != nil {
		return err
	}
	defer db.Close()
	c := eventCmd{db: db, e: e, json: *asJSON, domain: hostOf(cfg.BaseURL)}
	switch {
	case args[0] == "list" && len(pos) == 0:
		return c.list(ctx, *from, *to, *topic, *source)
	case args[0] == "create" && len(pos) == 1:
		return c.create(ctx, pos[0])
	case len(pos) == 0:
		return fmt.Errorf("%s: %w", eventUsage, errUsage)
	}
	id, err := strconv.ParseInt(pos[0], 10, 64)
	if err != nil {
		return fmt.Errorf("event %s: %q is not an event id: %w", args[0], pos[0], errUsage)
	}
	switch {
	case args[0] == "update" && len(pos) == 2:
		return c.update(ctx, id, pos[1])
	case args[0] == "attendance" && len(pos) == 2:
		return c.attendance(ctx, id, pos[1])
	case len(pos) == 1:
		return c.act(ctx, args[0], id, *from)
	}
	return fmt.Errorf("%s: %w", eventUsage, errUsage)
}

func hostOf(base string) string {
	if u, err := url.Parse(base); err == nil && u.Hostname() != "" {
		return u.Hostname()
	}
	return "outreach.invalid"
}

type eventCmd struct {
	db     *sqlx.DB
	e      env
	json   bool
	domain string
}

func (c eventCmd) act(ctx context.Context, action string, id int64, from string) error {
	var ev campaigns.Event
	var err error
	switch action {
	case "show":
		ev, err = campaigns.EventByID(ctx, c.db, id)
	case "cancel":
		ev, err = campaigns.CancelEvent(ctx, c.db, id)
	case "notify":
		return c.notify(ctx, id, from)
	case "attendees":
		return c.attendees(ctx, id)
	case "conflicts":
		if ev, err = campaigns.EventByID(ctx, c.db, id); err != nil {
			return err
		}
		return c.printConflicts(ctx, ev)
	default:
		return fmt.Errorf("%s: %w", eventUsage, errUsage)
	}
	if err != nil {
		return err
	}
	return c.print(ctx, ev)
}

func readEventInput(file string) (campaigns.EventInput, error) {
	var in campaigns.EventInput
	err := readJSONFile(file, &in)
	return in, err
}

// readJSONFile decodes a definition file the way the API decodes a body:
// an unknown field is an error, not ignored, so a typo does not pass
// silently.
func readJSONFile(file string, v any) error {
	b, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	return nil
}

func (c eventCmd) create(ctx context.Context, file string) error {
	in, err := readEventInput(file)
	if err != nil {
		return err
	}
	ev, err := campaigns.CreateEvent(ctx, c.db, in, c.domain)
	if err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	return c.print(ctx, ev)
}

func (c eventCmd) update(ctx context.Context, id int64, file string) error {
	in, err := readEventInput(file)
	if err != nil {
		return err
	}
	ev, err := campaigns.UpdateEvent(ctx, c.db, id, in)
	if err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	return c.print(ctx, ev)
}

// print shows an event with its answers and the events it overlaps.
func (c eventCmd) print(ctx context.Context, ev campaigns.Event) error {
	counts, err := campaigns.CountsOfEvent(ctx, c.db, ev.ID)
	if err != nil {
		return err
	}
	conflicts, err := campaigns.Conflicts(ctx, c.db, ev)
	if err != nil {
		return err
	}
	if c.json {
		return json.NewEncoder(c.e.stdout).Encode(map[string]any{"event": ev, "counts": counts, "conflicts": conflicts})
	}
	w := c.e.stdout
	fmt.Fprintf(w, "event %d %q (%s, %s)\n  %s\n", ev.ID, ev.Title, ev.Kind, ev.Status, eventWhen(ev))
	if where := strings.Trim(strings.Join([]string{ev.Location, ev.City, ev.Country}, ", "), ", "); where != "" {
		fmt.Fprintf(w, "  %s\n", where)
	}
	if ev.Topic != "" {
		fmt.Fprintf(w, "  topic %s\n", ev.Topic)
	}
	if ev.Capacity != nil {
		fmt.Fprintf(w, "  capacity %d\n", *ev.Capacity)
	}
	fmt.Fprintf(w, "  yes %d, no %d, tentative %d, waitlisted %d, attended %d, no-show %d\n",
		counts.Yes, counts.No, counts.Tentative, counts.Waitlisted, counts.Attended, counts.NoShow)
	for _, cf := range conflicts {
		fmt.Fprintf(w, "  overlaps (%s): %s\n", cf.Reason, describeEvent(cf.Event))
	}
	return nil
}

func eventWhen(ev campaigns.Event) string {
	loc, err := time.LoadLocation(ev.TimeZone)
	if err != nil {
		loc = time.UTC
	}
	return ev.StartsAt.In(loc).Format("Mon 2 Jan 2006 15:04") + " – " + ev.EndsAt.In(loc).Format("Mon 2 Jan 2006 15:04 MST")
}

func describeEvent(ev campaigns.Event) string {
	s := fmt.Sprintf("%d %q, %s", ev.ID, ev.Title, eventWhen(ev))
	if ev.Source != nil {
		s += " [" + *ev.Source + "]"
	}
	return s
}

func (c eventCmd) printConflicts(ctx context.Context, ev campaigns.Event) error {
	list, err := campaigns.Conflicts(ctx, c.db, ev)
	if err != nil {
		return err
	}
	if c.json {
		return json.NewEncoder(c.e.stdout).Encode(map[string]any{"conflicts": list})
	}
	if len(list) == 0 {
		fmt.Fprintln(c.e.stdout, "no overlapping event with the same topic or city")
	}
	for _, cf := range list {
		fmt.Fprintf(c.e.stdout, "%s\t%s\n", cf.Reason, describeEvent(cf.Event))
	}
	return nil
}

func (c eventCmd) list(ctx context.Context, from, to, topic, source string) error {
	f := campaigns.EventFilter{Topic: topic, Source: source}
	for _, p := range []struct {
		v   string
		dst *time.Time
	}{{from, &f.From}, {to, &f.To}} {
		if p.v == "" {
			continue
		}
		t, err := campaigns.ParseEventTime(p.v, time.UTC)
		if err != nil {
			return fmt.Errorf("event list: %v: %w", err, errUsage)
		}
		*p.dst = t
	}
	list, err := campaigns.ListEvents(ctx, c.db, f)
	if err != nil {
		return err
	}
	if c.json {
		return json.NewEncoder(c.e.stdout).Encode(map[string]any{"events": list})
	}
	for _, ev := range list {
		fmt.Fprintf(c.e.stdout, "%s\t%s\n", ev.Status, describeEvent(ev))
	}
	return nil
}

func (c eventCmd) notify(ctx context.Context, id int64, from string) error {
	camp, err := campaigns.NotifyAttendees(ctx, c.db, id, campaigns.NoticeInput{From: from}, campaigns.SegmentOptions())
	if err != nil {
		return err
	}
	return campaignCmd{db: c.db, e: c.e, json: c.json}.printStatus(ctx, camp)
}

func (c eventCmd) attendees(ctx context.Context, id int64) error {
	list, err := campaigns.Attendees(ctx, c.db, id)
	if err != nil {
		return err
	}
	if c.json {
		return json.NewEncoder(c.e.stdout).Encode(map[string]any{"attendees": list})
	}
	for _, a := range list {
		answer, came := "-", "-"
		if a.RSVP != nil {
			answer = *a.RSVP
		}
		if a.Waitlisted {
			answer += " (waitlisted)"
		}
		if a.Attended != nil {
			came = map[bool]string{true: "attended", false: "no-show"}[*a.Attended]
		}
		email := ""
		if a.Email != nil {
			email = *a.Email
		}
		fmt.Fprintf(c.e.stdout, "%s\t%s\t%s\t%s\n", email, strings.TrimSpace(a.FirstName+" "+a.LastName), answer, came)
	}
	return nil
}

func (c eventCmd) attendance(ctx context.Context, id int64, file string) error {
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	defer f.Close()
	marks, rejected, err := campaigns.ParseAttendanceCSV(f, campaigns.MaxAttendanceCSV)
	if err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	res, err := campaigns.MarkAttendance(ctx, c.db, id, marks)
	if err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	res.Rejected = append(rejected, res.Rejected...)
	if c.json {
		return json.NewEncoder(c.e.stdout).Encode(res)
	}
	fmt.Fprintf(c.e.stdout, "marked %d, rejected %d\n", res.Marked, len(res.Rejected))
	for _, r := range res.Rejected {
		fmt.Fprintf(c.e.stdout, "  %s:%d: %s: %s\n", file, r.Line, r.Column, r.Reason)
	}
	return nil
}

const calendarUsage = "calendar import --source NAME (URL | FILE) | export [--topic T]"

// runCalendar imports a partner's calendar or writes ours as .ics.
func runCalendar(ctx context.Context, e env, args []string) error {
	if len(args) == 0 {
		return fmt.Errorf("%s: %w", calendarUsage, errUsage)
	}
	fs := flag.NewFlagSet("calendar "+args[0], flag.ContinueOnError)
	source := fs.String("source", "", "import: the partner calendar's name")
	topic := fs.String("topic", "", "export: only this topic")
	asJSON := fs.Bool("json", false, "print JSON")
	cfg, pos, db, err := openSubcommand(ctx, e, fs, calendarUsage, args[1:])
	if err != nil {
		return err
	}
	defer db.Close()
	switch {
	case args[0] == "export" && len(pos) == 0:
		data, err := campaigns.Feed(ctx, db, cfg.CalendarName, *topic)
		if err != nil {
			return err
		}
		_, err = e.stdout.Write(data)
		return err
	case args[0] == "import" && len(pos) == 1:
		return importCalendar(ctx, e, db, *source, pos[0], *asJSON)
	}
	return fmt.Errorf("%s: %w", calendarUsage, errUsage)
}

func importCalendar(ctx context.Context, e env, db *sqlx.DB, source, from string, asJSON bool) error {
	var data []byte
	var err error
	feedURL := ""
	if u, perr := url.Parse(from); perr == nil && u.Scheme != "" && u.Host != "" {
		feedURL = from
		data, err = campaigns.FetchCalendar(ctx, &http.Client{Timeout: 30 * time.Second}, from)
	} else {
		data, err = os.ReadFile(from)
		if err == nil && len(data) > campaigns.MaxCalendar {
			err = fmt.Errorf("larger than %d MiB", campaigns.MaxCalendar>>20)
		}
	}
	if err != nil {
		return fmt.Errorf("calendar import %s: %w", from, err)
	}
	res, err := campaigns.ImportCalendar(ctx, db, source, feedURL, data)
	if err != nil {
		return fmt.Errorf("calendar import %s: %w", from, err)
	}
	if asJSON {
		return json.NewEncoder(e.stdout).Encode(res)
	}
	fmt.Fprintf(e.stdout, "calendar %q: %d events: %d new, %d updated, %d unchanged, %d gone (marked cancelled)\n",
		res.Source, res.Events, res.Inserted, res.Updated, res.Unchanged, res.Removed)
	return nil
}
