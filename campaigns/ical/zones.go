package ical

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	goical "github.com/emersion/go-ical"
)

// zone is a resolved TZID: where to read wall times, and the name to put
// in Event.TimeZone (an IANA name, or "UTC" when there is none).
type zone struct {
	loc  *time.Location
	name string
}

func utcZone() zone { return zone{loc: time.UTC, name: "UTC"} }

// resolver turns the date-times of one calendar into instants. It is made
// per calendar, since the VTIMEZONEs it falls back on are the file's own.
type resolver struct {
	floating  zone
	vtimezone map[string]*goical.Component // by TZID
	cache     map[string]zone
}

func newResolver(cal *goical.Calendar, floating *time.Location) *resolver {
	r := &resolver{
		floating:  zone{loc: floating, name: ianaName(floating)},
		vtimezone: map[string]*goical.Component{},
		cache:     map[string]zone{},
	}
	for _, c := range cal.Children {
		if c.Name != goical.CompTimezone {
			continue
		}
		if p := c.Props.Get(goical.PropTimezoneID); p != nil {
			r.vtimezone[strings.TrimSpace(p.Value)] = c
		}
	}
	return r
}

// ianaName is loc's name if it is an IANA zone, else "UTC": Event.TimeZone
// must be usable with time.LoadLocation, and "Local" or a fixed zone's
// made-up name is not.
func ianaName(loc *time.Location) string {
	name := loc.String()
	if name == "" || name == "Local" || name == "UTC" {
		return "UTC"
	}
	if _, err := time.LoadLocation(name); err != nil {
		return "UTC"
	}
	return name
}

// wallInstant resolves a wall time (given as if in UTC) in loc as RFC 5545
// 3.3.5 says: of the two instants in the hour repeated when DST ends, the
// first; in the hour skipped when DST starts, with the offset in force
// before the change. (time.Date leaves both cases unspecified.)
func wallInstant(wall time.Time, loc *time.Location) time.Time {
	const day = 24 * 60 * 60
	w := wall.Unix()
	before := stateAt(loc, w-day).offset
	var best int64
	found := false
	for _, offset := range []int{before, stateAt(loc, w).offset, stateAt(loc, w+day).offset} {
		if i := w - int64(offset); stateAt(loc, i).offset == offset && (!found || i < best) {
			best, found = i, true
		}
	}
	if !found {
		best = w - int64(before)
	}
	return time.Unix(best, int64(wall.Nanosecond())).In(loc)
}

// zone resolves a TZID: an IANA name (also inside a prefix such as
// "/mozilla.org/20050126_1/Europe/Berlin"), a Windows zone name as Outlook
// and Exchange write them, or else the file's own VTIMEZONE, taken as the
// fixed offset of its standard time.
func (r *resolver) zone(tzid string) (zone, error) {
	tzid = strings.TrimSpace(tzid)
	if z, ok := r.cache[tzid]; ok {
		return z, nil
	}
	z, err := r.lookup(tzid)
	if err != nil {
		return zone{}, err
	}
	r.cache[tzid] = z
	return z, nil
}

func (r *resolver) lookup(tzid string) (zone, error) {
	if loc, ok := loadIANA(tzid); ok {
		return zone{loc: loc, name: loc.String()}, nil
	}
	if name, ok := windowsZone(tzid); ok {
		if loc, err := time.LoadLocation(name); err == nil {
			return zone{loc: loc, name: name}, nil
		}
	}
	vtz, ok := r.vtimezone[tzid]
	if !ok {
		return zone{}, fmt.Errorf("unknown TZID %q, and the calendar has no VTIMEZONE for it", tzid)
	}
	offset, err := standardOffset(vtz)
	if err != nil {
		return zone{}, fmt.Errorf("VTIMEZONE %q: %w", tzid, err)
	}
	return zone{loc: time.FixedZone(tzid, offset), name: "UTC"}, nil
}

// loadIANA loads tzid as an IANA zone name, also trying the trailing
// "Area/City" parts of a path-like TZID.
func loadIANA(tzid string) (*time.Location, bool) {
	for name := tzid; name != ""; {
		if loc, ok := loadExact(name); ok {
			return loc, true
		}
		i := strings.IndexByte(name, '/')
		if i < 0 {
			break
		}
		name = name[i+1:]
		if !strings.Contains(name, "/") {
			break // a bare "Berlin" is no zone name
		}
	}
	return nil, false
}

func loadExact(name string) (*time.Location, bool) {
	if strings.EqualFold(name, "UTC") || strings.EqualFold(name, "Z") {
		return time.UTC, true
	}
	if name == "Local" || name == "" {
		return nil, false
	}
	loc, err := time.LoadLocation(name)
	return loc, err == nil
}

// standardOffset is the TZOFFSETTO of the VTIMEZONE's latest STANDARD
// observance (of its latest DAYLIGHT one if it has no STANDARD). One
// fixed offset is what can be trusted of a zone we cannot identify: it is
// right for half the year at least, and for zones without DST always.
func standardOffset(vtz *goical.Component) (int, error) {
	var best *goical.Component
	bestStart := ""
	for _, kind := range []string{goical.CompTimezoneStandard, goical.CompTimezoneDaylight} {
		for _, obs := range vtz.Children {
			if obs.Name != kind {
				continue
			}
			start := ""
			if p := obs.Props.Get(goical.PropDateTimeStart); p != nil {
				start = p.Value
			}
			if best == nil || start > bestStart {
				best, bestStart = obs, start
			}
		}
		if best != nil {
			break
		}
	}
	if best == nil {
		return 0, errors.New("no STANDARD or DAYLIGHT observance")
	}
	p := best.Props.Get(goical.PropTimezoneOffsetTo)
	if p == nil {
		return 0, fmt.Errorf("%s observance without TZOFFSETTO", best.Name)
	}
	return parseOffset(p.Value)
}

// parseOffset reads a UTC offset (RFC 5545 3.3.14): +HHMM or +HHMMSS.
func parseOffset(s string) (int, error) {
	s = strings.TrimSpace(s)
	bad := fmt.Errorf("malformed UTC offset %q", s)
	if (len(s) != 5 && len(s) != 7) || (s[0] != '+' && s[0] != '-') {
		return 0, bad
	}
	var parts [3]int
	for i := 0; 1+2*i < len(s); i++ {
		n, err := strconv.Atoi(s[1+2*i : 3+2*i])
		if err != nil || n < 0 {
			return 0, bad
		}
		parts[i] = n
	}
	if parts[0] > 23 || parts[1] > 59 || parts[2] > 59 {
		return 0, bad
	}
	seconds := parts[0]*3600 + parts[1]*60 + parts[2]
	if s[0] == '-' {
		seconds = -seconds
	}
	return seconds, nil
}

// windowsZone maps the Windows zone names that Outlook and Exchange write
// as TZID to IANA names, after CLDR's windowsZones.xml (the "001"
// territory). A switch rather than a map keeps it constant.
func windowsZone(name string) (string, bool) {
	switch strings.ToLower(strings.TrimSpace(name)) {
	case "utc", "coordinated universal time":
		return "UTC", true
	case "gmt standard time":
		return "Europe/London", true
	case "greenwich standard time":
		return "Atlantic/Reykjavik", true
	case "w. europe standard time":
		return "Europe/Berlin", true
	case "romance standard time":
		return "Europe/Paris", true
	case "central europe standard time":
		return "Europe/Budapest", true
	case "central european standard time":
		return "Europe/Warsaw", true
	case "e. europe standard time":
		return "Europe/Chisinau", true
	case "fle standard time":
		return "Europe/Helsinki", true // "Helsinki, Kyiv, Riga, Sofia, Tallinn, Vilnius"
	case "gtb standard time":
		return "Europe/Bucharest", true
	case "kaliningrad standard time":
		return "Europe/Kaliningrad", true
	case "russian standard time":
		return "Europe/Moscow", true
	case "turkey standard time":
		return "Europe/Istanbul", true
	case "israel standard time":
		return "Asia/Jerusalem", true
	case "south africa standard time":
		return "Africa/Johannesburg", true
	case "w. central africa standard time":
		return "Africa/Lagos", true
	case "morocco standard time":
		return "Africa/Casablanca", true
	case "arabian standard time":
		return "Asia/Dubai", true
	case "india standard time":
		return "Asia/Kolkata", true
	case "china standard time":
		return "Asia/Shanghai", true
	case "singapore standard time":
		return "Asia/Singapore", true
	case "tokyo standard time":
		return "Asia/Tokyo", true
	case "aus eastern standard time":
		return "Australia/Sydney", true
	case "e. south america standard time":
		return "America/Sao_Paulo", true
	case "atlantic standard time":
		return "America/Halifax", true
	case "eastern standard time":
		return "America/New_York", true
	case "central standard time":
		return "America/Chicago", true
	case "mountain standard time":
		return "America/Denver", true
	case "pacific standard time":
		return "America/Los_Angeles", true
	}
	return "", false
}
