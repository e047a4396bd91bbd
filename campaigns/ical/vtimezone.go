package ical

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	goical "github.com/emersion/go-ical"
)

const (
	dateLayout      = "20060102"
	localLayout     = "20060102T150405"
	utcLayout       = "20060102T150405Z"
	propLicLocation = "X-LIC-LOCATION"
)

// zoneSet collects the zones an output calendar refers to, with the span
// of local times written in each, so that every TZID gets a VTIMEZONE
// (RFC 5545 3.2.19) covering exactly the years it is used in.
type zoneSet struct {
	used map[string]*zoneUse
}

type zoneUse struct {
	loc         *time.Location
	first, last time.Time
}

func newZoneSet() *zoneSet {
	return &zoneSet{used: map[string]*zoneUse{}}
}

// lookupZone loads an event's TimeZone. It returns nil for UTC, which is
// written with a Z suffix and needs no VTIMEZONE.
func lookupZone(name string) (*time.Location, error) {
	name = strings.TrimSpace(name)
	if name == "" || strings.EqualFold(name, "UTC") {
		return nil, nil
	}
	if name == "Local" {
		// time.LoadLocation accepts it, but it means this server's zone.
		return nil, fmt.Errorf("time zone %q is not an IANA zone name", name)
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, fmt.Errorf("unknown time zone %q: %w", name, err)
	}
	return loc, nil
}

// dateTimeProp writes t as a DATE-TIME property: local time with a TZID
// when loc is set, else UTC. A local time in the hour repeated when DST
// ends is written in UTC instead: RFC 5545 3.3.5 readers take it as the
// first of its two instants, Go's time package as the second, and UTC is
// the same to all.
func (zs *zoneSet) dateTimeProp(name string, t time.Time, loc *time.Location) *goical.Prop {
	t = t.Truncate(time.Second)
	p := goical.NewProp(name)
	p.Value = t.UTC().Format(utcLayout)
	if loc == nil || !unambiguous(t, loc) {
		return p
	}
	local := t.In(loc)
	p.Params.Set(goical.ParamTimezoneID, loc.String())
	p.Value = local.Format(localLayout)
	zs.cover(loc, local)
	return p
}

// unambiguous reports whether t's wall time in loc names t alone. Another
// instant with the same wall time would have another offset, one of those
// in force a day before or after t (no zone changes twice in a day).
func unambiguous(t time.Time, loc *time.Location) bool {
	const day = 24 * 60 * 60
	_, offset := t.In(loc).Zone()
	wall := t.Unix() + int64(offset) // wall time, counted as if in UTC
	for _, near := range []int64{t.Unix() - day, t.Unix() + day} {
		other := stateAt(loc, near).offset
		if other == offset {
			continue
		}
		if stateAt(loc, wall-int64(other)).offset == other {
			return false
		}
	}
	return true
}

// cover records that a local time in loc was written.
func (zs *zoneSet) cover(loc *time.Location, local time.Time) {
	u, ok := zs.used[loc.String()]
	if !ok {
		zs.used[loc.String()] = &zoneUse{loc: loc, first: local, last: local}
		return
	}
	if local.Before(u.first) {
		u.first = local
	}
	if local.After(u.last) {
		u.last = local
	}
}

// components returns one VTIMEZONE per zone used, sorted by TZID so that
// the output is stable.
func (zs *zoneSet) components() []*goical.Component {
	names := make([]string, 0, len(zs.used))
	for name := range zs.used {
		names = append(names, name)
	}
	slices.Sort(names)
	comps := make([]*goical.Component, 0, len(names))
	for _, name := range names {
		u := zs.used[name]
		comps = append(comps, cachedVTimezone(u.loc, u.first.Year(), u.last.Year()))
	}
	return comps
}

// zoneCache holds the VTIMEZONE built for each zone and span of years:
// a campaign writes the same one into every recipient's invitation, and
// building it (a search of the zone's transitions) is most of an
// invitation's cost. The components are only read once built.
var zoneCache sync.Map // "zone|first|last" -> *goical.Component

func cachedVTimezone(loc *time.Location, first, last int) *goical.Component {
	key := fmt.Sprintf("%s|%d|%d", loc.String(), first, last)
	if c, ok := zoneCache.Load(key); ok {
		return c.(*goical.Component)
	}
	from := time.Date(first, time.January, 1, 0, 0, 0, 0, loc)
	to := time.Date(last+1, time.January, 1, 0, 0, 0, 0, loc)
	c, _ := zoneCache.LoadOrStore(key, vtimezone(loc, from, to))
	return c.(*goical.Component)
}

// zoneState is what a zone says at one instant; a change in it is a
// transition.
type zoneState struct {
	offset int // seconds east of UTC
	abbrev string
	dst    bool
}

func stateAt(loc *time.Location, unix int64) zoneState {
	t := time.Unix(unix, 0).In(loc)
	abbrev, offset := t.Zone()
	return zoneState{offset: offset, abbrev: abbrev, dst: t.IsDST()}
}

// observance is one STANDARD or DAYLIGHT sub-component: the zone's state
// from onset (a UTC instant) on, and the offset in force before it.
type observance struct {
	onset      int64
	fromOffset int
	zoneState
}

// vtimezone describes loc between from and to with the zone's actual
// transitions (Go does not expose them, so they are found by scanning),
// preceded by the last one before from, so that times before the span's
// first change are defined too and STANDARD and DAYLIGHT alternate as
// clients expect. A zone without a change in the two years before from
// starts with the offset in force at from, as of 1970 (which is what
// Google Calendar writes for such zones).
func vtimezone(loc *time.Location, from, to time.Time) *goical.Component {
	const twoYears = 2 * 366 * 24 * 60 * 60
	obs := transitions(loc, from.Unix()-twoYears, from.Unix())
	if len(obs) > 0 {
		obs = obs[len(obs)-1:]
	} else {
		s := stateAt(loc, from.Unix())
		onset := min(time.Date(1970, time.January, 1, 0, 0, 0, 0, time.UTC).Unix()-int64(s.offset), from.Unix())
		obs = []observance{{onset: onset, fromOffset: s.offset, zoneState: s}}
	}
	obs = append(obs, transitions(loc, from.Unix(), to.Unix())...)

	tz := goical.NewComponent(goical.CompTimezone)
	tz.Props.Set(&goical.Prop{Name: goical.PropTimezoneID, Params: goical.Params{}, Value: loc.String()})
	tz.Props.Set(&goical.Prop{Name: propLicLocation, Params: goical.Params{}, Value: loc.String()})
	for _, o := range obs {
		tz.Children = append(tz.Children, o.component())
	}
	return tz
}

// transitions finds the instants in [from, to) at which loc changes
// offset, abbreviation or DST flag: a day-by-day scan, then a binary
// search to the second inside a day that changed. Two changes within one
// day that cancel out are missed; no zone in the tz database has them in
// the years an event could be in.
func transitions(loc *time.Location, from, to int64) []observance {
	const day = 24 * 60 * 60
	var out []observance
	cur, state := from, stateAt(loc, from)
	for cur < to {
		next := min(cur+day, to)
		if s := stateAt(loc, next); s == state {
			cur = next
			continue
		}
		at := firstChange(loc, cur, next, state)
		s := stateAt(loc, at)
		out = append(out, observance{onset: at, fromOffset: state.offset, zoneState: s})
		cur, state = at, s
	}
	return out
}

// firstChange returns the first second in (lo, hi] at which loc is no
// longer in state; the caller knows it is at lo and is not at hi.
func firstChange(loc *time.Location, lo, hi int64, state zoneState) int64 {
	for hi-lo > 1 {
		mid := lo + (hi-lo)/2
		if stateAt(loc, mid) == state {
			lo = mid
		} else {
			hi = mid
		}
	}
	return hi
}

// component writes the observance. Its DTSTART is the local wall time
// just before the change, in the offset being left (RFC 5545 3.6.5: the
// "02:00" of a spring-forward change, the "03:00" of a fall-back one).
func (o observance) component() *goical.Component {
	name := goical.CompTimezoneStandard
	if o.dst {
		name = goical.CompTimezoneDaylight
	}
	c := goical.NewComponent(name)
	wall := time.Unix(o.onset+int64(o.fromOffset), 0).UTC().Format(localLayout)
	c.Props.Set(&goical.Prop{Name: goical.PropDateTimeStart, Params: goical.Params{}, Value: wall})
	c.Props.Set(&goical.Prop{Name: goical.PropTimezoneOffsetFrom, Params: goical.Params{}, Value: formatOffset(o.fromOffset)})
	c.Props.Set(&goical.Prop{Name: goical.PropTimezoneOffsetTo, Params: goical.Params{}, Value: formatOffset(o.offset)})
	if o.abbrev != "" {
		c.Props.SetText(goical.PropTimezoneName, o.abbrev)
	}
	return c
}

// formatOffset writes a UTC offset as RFC 5545 3.3.14 wants it: +HHMM,
// with seconds only when there are any, and never "-0000".
func formatOffset(seconds int) string {
	sign := '+'
	if seconds < 0 {
		sign, seconds = '-', -seconds
	}
	h, m, s := seconds/3600, seconds/60%60, seconds%60
	if s != 0 {
		return fmt.Sprintf("%c%02d%02d%02d", sign, h, m, s)
	}
	return fmt.Sprintf("%c%02d%02d", sign, h, m)
}
