package ical

import (
	"errors"
	"fmt"
	"io"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	goical "github.com/emersion/go-ical"
)

// Parse reads a calendar (a feed or an .ics file) and returns its events
// that start within [from, to), ordered by start. A zero from or to
// leaves that side open.
//
// Recurring events (RRULE, RDATE, EXDATE) are expanded to their
// occurrences in the window, at most 500 per series (and the scan of a
// series stops after 100,000 occurrences before the window, so that a
// series started centuries ago cannot stall an import). Each occurrence
// keeps the series' UID and has RecurrenceID set to its original start; a
// VEVENT with a RECURRENCE-ID replaces the occurrence it names, and is
// returned if its own start is in the window. Sub-daily rules (FREQ=HOURLY,
// MINUTELY, SECONDLY) and rule parts outside RFC 5545 are refused: no
// event series is planned that way, and the expander can spend seconds on
// them. A rule that can never match (BYMONTH=2;BYMONTHDAY=30) still costs
// the expander up to a few tenths of a second, so input from untrusted
// sources should be limited in size by the caller (io.LimitReader), as
// Parse reads all of it.
//
// Times are resolved as the file says: UTC ("Z") values; TZID with an IANA
// name; TZID with a Windows zone name as Outlook and Exchange write them;
// any other TZID as the fixed standard-time offset of the file's own
// VTIMEZONE. Floating times and all-day (DATE) values are taken in
// floating (UTC if nil). An event's TimeZone is the IANA name of its
// DTSTART's zone, or "UTC" when there is none (UTC, or a fixed offset from
// a VTIMEZONE). Without DTEND an event lasts its DURATION, else nothing
// (an all-day event: one day); an end before the start is taken as the
// start.
//
// Events are returned as the file has them: two VEVENTs with the same UID
// (a feed that repeats an event, or two versions of it) are both
// returned, and choosing between them (by SEQUENCE, then LAST-MODIFIED)
// is the caller's job.
//
// Malformed input is an error that says where: the line for syntax
// errors, the VEVENT (its position, UID and SUMMARY) for a bad or missing
// value; an event without UID or DTSTART is an error. Only the first
// VCALENDAR of the input is read. Text with backslash escapes that RFC
// 5545 does not define (such as "\:") is read leniently, without the
// backslash.
func Parse(r io.Reader, from, to time.Time, floating *time.Location) ([]Event, error) {
	if floating == nil {
		floating = time.UTC
	}
	if !from.IsZero() && !to.IsZero() && !to.After(from) {
		return nil, fmt.Errorf("ical: parse: empty window: %s is not after %s", to.Format(time.RFC3339), from.Format(time.RFC3339))
	}
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("ical: parse: %w", err)
	}
	cal, err := decode(data)
	if err != nil {
		return nil, fmt.Errorf("ical: parse: %w", err)
	}
	res := newResolver(cal, floating)
	var series []parsedEvent
	for i, c := range vevents(cal) {
		pe, err := res.event(c)
		if err != nil {
			return nil, fmt.Errorf("ical: parse: %s: %w", describe(c, i), err)
		}
		pe.index = i
		series = append(series, pe)
	}
	events, err := res.expandAll(series, window{from: from, to: to})
	if err != nil {
		return nil, fmt.Errorf("ical: parse: %w", err)
	}
	slices.SortStableFunc(events, func(a, b Event) int { return a.Start.Compare(b.Start) })
	return events, nil
}

// vevents are the calendar's events, in file order.
func vevents(cal *goical.Calendar) []*goical.Component {
	var out []*goical.Component
	for _, c := range cal.Children {
		if c.Name == goical.CompEvent {
			out = append(out, c)
		}
	}
	return out
}

// describe names a VEVENT in an error message: its position, and its UID
// and SUMMARY as far as they can be read.
func describe(c *goical.Component, index int) string {
	s := fmt.Sprintf("VEVENT #%d", index+1)
	if p := c.Props.Get(goical.PropUID); p != nil {
		s += fmt.Sprintf(" (UID %q", shorten(textValue(p)))
		if p := c.Props.Get(goical.PropSummary); p != nil {
			s += fmt.Sprintf(", SUMMARY %q", shorten(textValue(p)))
		}
		return s + ")"
	}
	if p := c.Props.Get(goical.PropSummary); p != nil {
		s += fmt.Sprintf(" (SUMMARY %q)", shorten(textValue(p)))
	}
	return s
}

// parsedEvent is a VEVENT read, before recurrences are expanded.
type parsedEvent struct {
	ev     Event
	comp   *goical.Component
	index  int            // position in the file, for error messages
	loc    *time.Location // the zone DTSTART's wall time is in: recurrences repeat in it
	allDay bool
}

// event reads one VEVENT.
func (r *resolver) event(c *goical.Component) (parsedEvent, error) {
	pe := parsedEvent{comp: c}
	ev := &pe.ev
	p := c.Props.Get(goical.PropUID)
	if p != nil {
		ev.UID = strings.TrimSpace(textValue(p))
	}
	if ev.UID == "" {
		return pe, errors.New("no UID")
	}
	p = c.Props.Get(goical.PropDateTimeStart)
	if p == nil {
		return pe, errors.New("no DTSTART")
	}
	start, err := r.dateTime(p)
	if err != nil {
		return pe, err
	}
	ev.Start, ev.TimeZone, pe.loc, pe.allDay = start.t, start.zone.name, start.zone.loc, start.date
	if ev.End, err = r.end(c, start); err != nil {
		return pe, err
	}
	if p := c.Props.Get(goical.PropRecurrenceID); p != nil {
		rid, err := r.dateTime(p)
		if err != nil {
			return pe, err
		}
		ev.RecurrenceID = rid.t
	}
	if err := readDetails(c, ev); err != nil {
		return pe, err
	}
	return pe, nil
}

// readDetails reads the properties that are not times.
func readDetails(c *goical.Component, ev *Event) error {
	ev.Title = optionalText(c, goical.PropSummary)
	ev.Description = optionalText(c, goical.PropDescription)
	ev.Location = optionalText(c, goical.PropLocation)
	if p := c.Props.Get(goical.PropURL); p != nil {
		ev.URL = strings.TrimSpace(p.Value)
	}
	for _, p := range c.Props.Values(goical.PropCategories) {
		ev.Categories = append(ev.Categories, textList(&p)...)
	}
	if p := c.Props.Get(goical.PropStatus); p != nil {
		ev.Cancelled = strings.EqualFold(strings.TrimSpace(p.Value), statusCancel)
	}
	if p := c.Props.Get(goical.PropOrganizer); p != nil {
		ev.Organizer = Address{Name: strings.TrimSpace(p.Params.Get(goical.ParamCommonName)), Email: mailtoAddress(p)}
	}
	seq, err := sequence(c)
	if err != nil {
		return err
	}
	ev.Sequence = seq
	if p := c.Props.Get(goical.PropLastModified); p != nil {
		t, err := p.DateTime(time.UTC)
		if err != nil {
			return fmt.Errorf("LAST-MODIFIED %q: %s", shorten(p.Value), trimPrefix(err))
		}
		ev.Modified = t.UTC()
	}
	return nil
}

// sequence reads SEQUENCE, 0 when absent (RFC 5545 3.8.7.4).
func sequence(c *goical.Component) (int, error) {
	p := c.Props.Get(goical.PropSequence)
	if p == nil {
		return 0, nil
	}
	n, err := strconv.Atoi(strings.TrimSpace(p.Value))
	if err != nil || n < 0 {
		return 0, fmt.Errorf("SEQUENCE %q is not a non-negative integer", shorten(p.Value))
	}
	return n, nil
}

// dateTime is a resolved DTSTART, DTEND, RECURRENCE-ID, EXDATE or RDATE
// value.
type dateTime struct {
	t    time.Time
	zone zone
	date bool // a DATE value: an all-day event
}

// dateTime resolves a date or date-time property. go-ical parses the
// value, but its own TZID handling only knows IANA names, so the zone is
// chosen here: go-ical reads the wall time, and wallInstant places it in
// the zone.
func (r *resolver) dateTime(p *goical.Prop) (dateTime, error) {
	value := strings.TrimSpace(p.Value)
	valueType := strings.ToUpper(p.Params.Get(goical.ParamValue))
	dt := dateTime{zone: r.floating, date: valueType == string(goical.ValueDate) || (valueType == "" && len(value) == len(dateLayout))}
	switch tzid := p.Params.Get(goical.ParamTimezoneID); {
	case dt.date:
	case strings.HasSuffix(value, "Z"):
		dt.zone = utcZone()
	case strings.TrimSpace(tzid) != "":
		z, err := r.zone(tzid)
		if err != nil {
			return dt, fmt.Errorf("%s: %w", p.Name, err)
		}
		dt.zone = z
	}
	probe := goical.Prop{Name: p.Name, Params: goical.Params{}, Value: value}
	if valueType != "" {
		probe.Params.Set(goical.ParamValue, valueType)
	}
	wall, err := probe.DateTime(time.UTC)
	if err != nil {
		return dt, fmt.Errorf("%s %q: %s", p.Name, shorten(p.Value), trimPrefix(err))
	}
	dt.t = wallInstant(wall, dt.zone.loc)
	return dt, nil
}

// end is the event's end: DTEND, else DTSTART plus DURATION, else DTSTART
// (plus one day for an all-day event), per RFC 5545 3.6.1. An end before
// the start, which some producers write, is taken as the start.
func (r *resolver) end(c *goical.Component, start dateTime) (time.Time, error) {
	end := start.t
	if p := c.Props.Get(goical.PropDateTimeEnd); p != nil {
		e, err := r.dateTime(p)
		if err != nil {
			return end, err
		}
		end = e.t
	} else if p := c.Props.Get(goical.PropDuration); p != nil {
		e, err := addDuration(start.t, p)
		if err != nil {
			return end, err
		}
		end = e
	} else if start.date {
		end = start.t.AddDate(0, 0, 1)
	}
	if end.Before(start.t) {
		end = start.t
	}
	return end, nil
}

// addDuration adds a DURATION to t. A duration of whole days or weeks is
// nominal (RFC 5545 3.3.6): P1D on the day DST starts is 23 hours.
func addDuration(t time.Time, p *goical.Prop) (time.Time, error) {
	d, err := p.Duration()
	if err != nil {
		return t, fmt.Errorf("DURATION %q: %s", shorten(p.Value), trimPrefix(err))
	}
	if !strings.ContainsAny(strings.ToUpper(p.Value), "T") && d%(24*time.Hour) == 0 {
		return t.AddDate(0, 0, int(d/(24*time.Hour))), nil
	}
	return t.Add(d), nil
}

// textValue reads a TEXT value. go-ical's Text() stops at the first
// unescaped comma, which producers that do not escape commas in SUMMARY
// or LOCATION write; its TextList joined with commas keeps them. Escapes
// it refuses are read leniently (see unescapeLenient).
func textValue(p *goical.Prop) string {
	return strings.Join(textList(p), ",")
}

// textList reads a TEXT list with go-ical. For CATEGORIES the items are
// trimmed and empty ones dropped; for single values textValue joins them
// back.
func textList(p *goical.Prop) []string {
	items, err := p.TextList()
	if err != nil {
		items = unescapeLenient(p.Value)
	}
	if p.Name != goical.PropCategories {
		return items
	}
	var out []string
	for _, it := range items {
		if it = strings.TrimSpace(it); it != "" {
			out = append(out, it)
		}
	}
	return out
}

// unescapeLenient reads a TEXT list that go-ical refused: an escape RFC
// 5545 3.3.11 does not define ("\:", "\'") stands for its character, and
// a trailing backslash for itself, which is evidently what producers that
// write them mean.
func unescapeLenient(s string) []string {
	var items []string
	var sb strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ',':
			items = append(items, sb.String())
			sb.Reset()
		case c != '\\' || i == len(s)-1:
			sb.WriteByte(c)
		case s[i+1] == 'n' || s[i+1] == 'N':
			sb.WriteByte('\n')
			i++
		default:
			sb.WriteByte(s[i+1])
			i++
		}
	}
	return append(items, sb.String())
}

func optionalText(c *goical.Component, name string) string {
	if p := c.Props.Get(name); p != nil {
		return textValue(p)
	}
	return ""
}

// mailtoAddress is the email of an ORGANIZER or ATTENDEE: the mailto: URI
// in any case of the scheme ("MAILTO:" from Outlook), else the EMAIL
// parameter (RFC 7986), which Apple writes next to urn:uuid: values.
// It is lower-cased, since addresses are matched case-insensitively.
func mailtoAddress(p *goical.Prop) string {
	v := strings.TrimSpace(p.Value)
	if len(v) > len("mailto:") && strings.EqualFold(v[:len("mailto:")], "mailto:") {
		v = v[len("mailto:"):]
		if u, err := url.PathUnescape(v); err == nil {
			v = u
		}
		if i := strings.IndexByte(v, '?'); i >= 0 {
			v = v[:i] // mailto: headers (RFC 6068) are no part of the address
		}
		return strings.ToLower(strings.TrimSpace(v))
	}
	return strings.ToLower(strings.TrimSpace(p.Params.Get(goical.ParamEmail)))
}
