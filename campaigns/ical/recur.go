package ical

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	goical "github.com/emersion/go-ical"
)

const (
	// maxOccurrences bounds the occurrences one series yields, so that
	// an endless daily rule cannot fill the caller's database.
	maxOccurrences = 500
	// maxScan bounds the occurrences a series is walked through before
	// the window starts.
	maxScan = 100_000
	// maxInterval is the largest INTERVAL accepted: larger ones mean
	// nothing for events and overflow the expander's date arithmetic.
	maxInterval = 1000
)

// window is [from, to); a zero bound is open.
type window struct{ from, to time.Time }

func (w window) contains(t time.Time) bool {
	return (w.from.IsZero() || !t.Before(w.from)) && (w.to.IsZero() || t.Before(w.to))
}

// occurrenceKey names one occurrence of a series: its UID and original
// start.
type occurrenceKey struct {
	uid   string
	start int64
}

func keyOf(uid string, start time.Time) occurrenceKey {
	return occurrenceKey{uid: uid, start: start.Unix()}
}

func isRecurring(c *goical.Component) bool {
	return c.Props.Get(goical.PropRecurrenceRule) != nil || c.Props.Get(goical.PropRecurrenceDates) != nil
}

// expandAll returns the events in the window: single events and
// overridden occurrences as they are, series as their occurrences, less
// those an override replaces.
func (r *resolver) expandAll(events []parsedEvent, w window) ([]Event, error) {
	overridden := map[occurrenceKey]bool{}
	for _, pe := range events {
		if !pe.ev.RecurrenceID.IsZero() {
			overridden[keyOf(pe.ev.UID, pe.ev.RecurrenceID)] = true
		}
	}
	var out []Event
	for _, pe := range events {
		if !pe.ev.RecurrenceID.IsZero() || !isRecurring(pe.comp) {
			if w.contains(pe.ev.Start) {
				out = append(out, pe.ev)
			}
			continue
		}
		starts, err := r.occurrences(pe, w)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", describe(pe.comp, pe.index), err)
		}
		for _, t := range starts {
			if !overridden[keyOf(pe.ev.UID, t)] {
				out = append(out, pe.occurrence(t))
			}
		}
	}
	return out, nil
}

// occurrence is the series' event moved to start, lasting as long as the
// first one.
func (pe parsedEvent) occurrence(start time.Time) Event {
	ev := pe.ev
	ev.Categories = slices.Clone(ev.Categories)
	ev.Start, ev.RecurrenceID = start, start
	if pe.allDay {
		days := math.Round(pe.ev.End.Sub(pe.ev.Start).Hours() / 24)
		ev.End = start.AddDate(0, 0, int(days))
	} else {
		ev.End = start.Add(pe.ev.End.Sub(pe.ev.Start))
	}
	return ev
}

// occurrences lists the starts of a series within the window. The
// expander is third-party code fed with untrusted rules, so a panic in it
// is an error about the event rather than a crash.
func (r *resolver) occurrences(pe parsedEvent, w window) (starts []time.Time, err error) {
	defer func() {
		if rec := recover(); rec != nil {
			starts, err = nil, fmt.Errorf("recurrence cannot be expanded (%v)", rec)
		}
	}()
	next, err := r.recurrence(pe, w)
	if err != nil {
		return nil, err
	}
	for scanned := 0; scanned < maxScan && len(starts) < maxOccurrences; scanned++ {
		t, ok := next()
		if !ok || (!w.to.IsZero() && !t.Before(w.to)) {
			break
		}
		if w.contains(t) {
			starts = append(starts, t)
		}
	}
	return starts, nil
}

// recurrence returns an iterator over the series' starts, in order.
//
// The RRULE is expanded by go-ical's RecurrenceSet on a copy of the event
// whose DTSTART and EXDATEs are rewritten as wall times in the series'
// zone, because go-ical resolves TZIDs only as IANA names, and occurrences
// must repeat at the same local time across DST changes. RDATEs are added
// here: go-ical reads EXDATE in their place. DTSTART is added too, as it
// always counts as the first occurrence (RFC 5545 3.8.5.3) while the
// expander yields it only when it matches the rule.
func (r *resolver) recurrence(pe parsedEvent, w window) (func() (time.Time, bool), error) {
	exdates, err := r.dateList(pe, goical.PropExceptionDates)
	if err != nil {
		return nil, err
	}
	rdates, err := r.dateList(pe, goical.PropRecurrenceDates)
	if err != nil {
		return nil, err
	}
	rr := pe.comp.Props.Get(goical.PropRecurrenceRule)
	if rr == nil {
		return listIterator(append(rdates, pe.ev.Start), exdates), nil
	}
	rule, err := normalizeRule(rr.Value, pe.loc, pe.allDay, w.to)
	if err != nil {
		return nil, err
	}
	clone := goical.NewComponent(goical.CompEvent)
	clone.Props.Set(wallProp(goical.PropDateTimeStart, pe.ev.Start, pe.loc, pe.allDay))
	clone.Props.Set(&goical.Prop{Name: goical.PropRecurrenceRule, Params: goical.Params{}, Value: rule})
	for _, t := range exdates {
		clone.Props.Add(wallProp(goical.PropExceptionDates, t, pe.loc, pe.allDay))
	}
	set, err := clone.RecurrenceSet(pe.loc)
	if err != nil {
		return nil, fmt.Errorf("RRULE %q: %s", shorten(rr.Value), trimPrefix(err))
	}
	set.RDate(pe.ev.Start)
	for _, t := range rdates {
		set.RDate(t)
	}
	return set.Iterator(), nil
}

// wallProp writes t as a wall time in loc without TZID, which go-ical
// then reads back in loc.
func wallProp(name string, t time.Time, loc *time.Location, date bool) *goical.Prop {
	p := &goical.Prop{Name: name, Params: goical.Params{}, Value: t.In(loc).Format(localLayout)}
	if date {
		p.Params.Set(goical.ParamValue, string(goical.ValueDate))
		p.Value = t.In(loc).Format(dateLayout)
	}
	return p
}

// dateList reads every value of the EXDATE or RDATE properties (each may
// hold several, comma-separated; an RDATE may be a PERIOD, whose start is
// taken) as instants in the series' zone. A DATE given for a series with
// times means the occurrence on that day, as some producers write it.
func (r *resolver) dateList(pe parsedEvent, name string) ([]time.Time, error) {
	var out []time.Time
	for _, p := range pe.comp.Props.Values(name) {
		params := goical.Params{}
		for k, v := range p.Params {
			params[k] = v
		}
		if strings.EqualFold(params.Get(goical.ParamValue), "PERIOD") {
			params.Del(goical.ParamValue)
		}
		for _, v := range strings.Split(p.Value, ",") {
			v, _, _ = strings.Cut(v, "/")
			dt, err := r.dateTime(&goical.Prop{Name: name, Params: params, Value: v})
			if err != nil {
				return nil, err
			}
			t := dt.t.In(pe.loc)
			if dt.date && !pe.allDay {
				s := pe.ev.Start.In(pe.loc)
				t = time.Date(t.Year(), t.Month(), t.Day(), s.Hour(), s.Minute(), s.Second(), 0, pe.loc)
			}
			out = append(out, t)
		}
	}
	return out, nil
}

// listIterator iterates over a series given by RDATEs alone.
func listIterator(starts, exdates []time.Time) func() (time.Time, bool) {
	slices.SortFunc(starts, func(a, b time.Time) int { return a.Compare(b) })
	starts = slices.CompactFunc(starts, time.Time.Equal)
	starts = slices.DeleteFunc(starts, func(t time.Time) bool {
		return slices.ContainsFunc(exdates, t.Equal)
	})
	return func() (time.Time, bool) {
		if len(starts) == 0 {
			return time.Time{}, false
		}
		t := starts[0]
		starts = starts[1:]
		return t, true
	}
}

// normalizeRule prepares an RRULE value for the expander: UNTIL becomes
// the UTC instant it means (a DATE or floating UNTIL is in the series'
// zone; the expander would read it in UTC) and is brought forward to the
// window's end, so that an endless rule stops there; sub-daily
// frequencies and absurd intervals are refused, since the expander can
// spend seconds on them, and so are rule parts RFC 5545 does not have. Property names are upper-cased, as the expander
// wants them.
func normalizeRule(value string, loc *time.Location, allDay bool, to time.Time) (string, error) {
	var parts []string
	var until time.Time
	for _, part := range strings.Split(strings.ToUpper(strings.TrimSpace(value)), ";") {
		if part = strings.TrimSpace(part); part == "" {
			continue
		}
		key, val, ok := strings.Cut(part, "=")
		if !ok {
			return "", fmt.Errorf("RRULE %q: %q is not NAME=VALUE", shorten(value), shorten(part))
		}
		switch key {
		case "UNTIL":
			t, err := parseUntil(val, loc, allDay)
			if err != nil {
				return "", fmt.Errorf("RRULE %q: %w", shorten(value), err)
			}
			until = t
			continue
		case "FREQ":
			if val == "HOURLY" || val == "MINUTELY" || val == "SECONDLY" {
				return "", fmt.Errorf("RRULE FREQ=%s: only DAILY, WEEKLY, MONTHLY and YEARLY rules are expanded", val)
			}
		case "INTERVAL":
			if n, err := strconv.Atoi(val); err != nil || n < 1 || n > maxInterval {
				return "", fmt.Errorf("RRULE INTERVAL=%s: want 1 to %d", shorten(val), maxInterval)
			}
		case "COUNT", "BYSECOND", "BYMINUTE", "BYHOUR", "BYDAY", "BYMONTHDAY", "BYYEARDAY", "BYWEEKNO", "BYMONTH", "BYSETPOS", "WKST":
		default:
			// The expander knows BYEASTER too, and panics on some values.
			return "", fmt.Errorf("RRULE %q: %s is no RFC 5545 rule part", shorten(value), shorten(key))
		}
		parts = append(parts, part)
	}
	if !to.IsZero() && (until.IsZero() || until.After(to)) {
		until = to
	}
	if !until.IsZero() {
		parts = append(parts, "UNTIL="+until.UTC().Format(utcLayout))
	}
	return strings.Join(parts, ";"), nil
}

// parseUntil reads an RRULE's UNTIL. A DATE UNTIL on a series with times
// includes that whole day.
func parseUntil(v string, loc *time.Location, allDay bool) (time.Time, error) {
	switch len(v) {
	case len(utcLayout):
		if t, err := time.Parse(utcLayout, v); err == nil {
			return t, nil
		}
	case len(localLayout):
		if t, err := time.ParseInLocation(localLayout, v, loc); err == nil {
			return t, nil
		}
	case len(dateLayout):
		if t, err := time.ParseInLocation(dateLayout, v, loc); err == nil {
			if allDay {
				return t, nil
			}
			return t.AddDate(0, 0, 1).Add(-time.Second), nil
		}
	}
	return time.Time{}, fmt.Errorf("UNTIL=%s is not a date or date-time", shorten(v))
}
