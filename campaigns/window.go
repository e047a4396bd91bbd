package campaigns

import (
	"strings"
	"time"
)

// Window is when a campaign may send: on the listed weekdays, between From
// and To (local "15:04" times, To exclusive), in TimeZone. An empty window
// means any time.
type Window struct {
	Days     []string `json:"days"`
	From     string   `json:"from"`
	To       string   `json:"to"`
	TimeZone string   `json:"time_zone"`
}

var weekdays = map[string]time.Weekday{
	"sun": time.Sunday, "mon": time.Monday, "tue": time.Tuesday, "wed": time.Wednesday,
	"thu": time.Thursday, "fri": time.Friday, "sat": time.Saturday,
}

func (w *Window) validate() error {
	if _, err := time.LoadLocation(w.TimeZone); err != nil {
		return invalid("window.time_zone", "unknown time zone %q (use an IANA name such as Europe/Berlin)", w.TimeZone)
	}
	for i, d := range w.Days {
		key := strings.ToLower(strings.TrimSpace(d))
		if len(key) > 3 {
			key = key[:3]
		}
		if _, ok := weekdays[key]; !ok {
			return invalid("window.days", "unknown day %q (use mon, tue, ... sun)", d)
		}
		w.Days[i] = key
	}
	if (w.From == "") != (w.To == "") {
		return invalid("window", "give both from and to, or neither")
	}
	from, err1 := minuteOfDay(w.From)
	to, err2 := minuteOfDay(w.To)
	if err1 != nil || err2 != nil {
		return invalid("window", "from and to must be times such as 09:00 and 17:30")
	}
	if w.From != "" && from >= to {
		return invalid("window", "from (%s) must be before to (%s)", w.From, w.To)
	}
	return nil
}

func minuteOfDay(s string) (int, error) {
	if s == "" {
		return 0, nil
	}
	t, err := time.Parse("15:04", s)
	if err != nil {
		return 0, err
	}
	return t.Hour()*60 + t.Minute(), nil
}

// Open reports whether sending is allowed at t.
func (w Window) Open(t time.Time) bool {
	loc, err := time.LoadLocation(w.TimeZone)
	if err != nil {
		loc = time.UTC
	}
	local := t.In(loc)
	if len(w.Days) > 0 && !w.hasDay(local.Weekday()) {
		return false
	}
	if w.From == "" {
		return true
	}
	from, _ := minuteOfDay(w.From)
	to, _ := minuteOfDay(w.To)
	m := local.Hour()*60 + local.Minute()
	return m >= from && m < to
}

func (w Window) hasDay(d time.Weekday) bool {
	for _, s := range w.Days {
		if weekdays[s] == d {
			return true
		}
	}
	return false
}
