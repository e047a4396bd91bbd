package segment

import (
	"strconv"
	"strings"
	"time"
)

// Engagement is a condition on a contact's part in past campaigns, such as
// replied(campaign 12). The segment package only parses it: the data lives
// with the campaigns, so Options.Engagement compiles it.
type Engagement struct {
	Kind       string        // invited, opened, clicked, replied or rsvp
	Answer     string        // for rsvp: "yes", "no" or "" (either)
	CampaignID int64         // 0 = any campaign
	Since      time.Time     // zero = no lower bound
	Within     time.Duration // 0 = no window; counted back from the time of the query
	Pos        int           // position of Kind in the source
}

// engagementKinds are the engagement predicates, in the order help shows them.
var engagementKinds = []string{"invited", "opened", "clicked", "replied", "rsvp"}

// maxWithin bounds "within" so that a duration cannot overflow; a century
// covers any real campaign history.
const maxWithin = 100 * 365 * 24 * time.Hour

// durationUnits are the units "within" accepts; months and years vary in
// length, so they are left out rather than guessed.
var durationUnits = map[byte]time.Duration{'h': time.Hour, 'd': 24 * time.Hour, 'w': 7 * 24 * time.Hour}

// String prints the predicate with its arguments in a fixed order: answer,
// campaign, since, within.
func (e *Engagement) String() string {
	var args []string
	if e.Answer != "" {
		args = append(args, e.Answer)
	}
	if e.CampaignID != 0 {
		args = append(args, "campaign "+strconv.FormatInt(e.CampaignID, 10))
	}
	if !e.Since.IsZero() {
		args = append(args, "since "+formatTime(e.Since))
	}
	if e.Within != 0 {
		args = append(args, "within "+formatDuration(e.Within))
	}
	if len(args) == 0 {
		return e.Kind
	}
	return e.Kind + "(" + strings.Join(args, ", ") + ")"
}

// parseDuration reads "12h", "30d" or "2w".
func parseDuration(s string) (time.Duration, bool) {
	if len(s) < 2 {
		return 0, false
	}
	unit, ok := durationUnits[s[len(s)-1]|0x20]
	digits := s[:len(s)-1]
	n, err := strconv.ParseInt(digits, 10, 64)
	if !ok || err != nil || n < 1 || strings.TrimLeft(digits, "0123456789") != "" || n > int64(maxWithin/unit) {
		return 0, false
	}
	return time.Duration(n) * unit, true
}

// formatDuration prints d in days when it is a whole number of them, and in
// hours otherwise, so that parseDuration reads it back unchanged.
func formatDuration(d time.Duration) string {
	day := 24 * time.Hour
	if d%day == 0 {
		return strconv.FormatInt(int64(d/day), 10) + "d"
	}
	return strconv.FormatInt(int64(d/time.Hour), 10) + "h"
}

// parseTime reads a date (2026-01-31, meaning that day in UTC) or an RFC 3339
// timestamp. dateOnly tells the caller that the value stands for a whole day.
func parseTime(s string) (t time.Time, dateOnly, ok bool) {
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, true, true
	}
	t, err := time.Parse(time.RFC3339, s)
	return t, false, err == nil
}

// formatTime prints a midnight UTC instant as a date, anything else as RFC 3339.
func formatTime(t time.Time) string {
	if _, offset := t.Zone(); offset == 0 && t.Equal(t.Truncate(24*time.Hour)) {
		return t.UTC().Format(time.DateOnly)
	}
	return t.Format(time.RFC3339Nano)
}
