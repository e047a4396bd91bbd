package templates

import (
	"fmt"
	"sync"
	"time"
)

// Contact is the recipient as templates see it: .Contact.FirstName and so on.
type Contact struct {
	FirstName, LastName, Email, JobTitle, Seniority, Organisation, OrganisationType, Country, Language string

	Topics     []string
	Attributes map[string]string
}

// Event is the event a campaign invites to.
type Event struct {
	Title    string
	Start    time.Time
	End      time.Time
	TimeZone string // IANA name; Start/End are rendered in it by the date functions
	Location string
	URL      string
}

// Campaign is what templates may know about the campaign sending them.
type Campaign struct{ Name string }

// Data is everything one message is rendered from.
type Data struct {
	Contact        Contact
	Event          *Event // nil when the campaign has no event
	Campaign       Campaign
	UnsubscribeURL string
	RSVPYesURL     string
	RSVPNoURL      string
}

// view is what the templates actually execute on. It mirrors Data field
// for field, except that the event's times carry the reader's language and
// the event's time zone: template functions cannot see the data, and this
// lets date localise without cloning templates per render.
type view struct {
	Contact        Contact
	Event          *eventView
	Campaign       Campaign
	UnsubscribeURL string
	RSVPYesURL     string
	RSVPNoURL      string
}

type eventView struct {
	Title    string
	Start    *eventTime
	End      *eventTime
	TimeZone string
	Location string
	URL      string

	// times holds what Start and End point to. Pointers, because handing a
	// struct to a template function boxes a copy of it on every call.
	times [2]eventTime
}

// eventTime is an instant already moved into the event's time zone, so that
// promoted methods such as .Event.Start.Hour answer in local time too.
type eventTime struct {
	time.Time
	lang *locale
}

// String makes {{ .Event.Start }} read as a localised date and time rather
// than Go's debugging format.
func (t eventTime) String() string {
	if t.IsZero() {
		return ""
	}
	return t.locale().format(t.Time, "datetime")
}

func (t eventTime) locale() *locale {
	if t.lang == nil {
		return english
	}
	return t.lang
}

func newView(d Data) (*view, error) {
	v := &view{
		Contact:        d.Contact,
		Campaign:       d.Campaign,
		UnsubscribeURL: d.UnsubscribeURL,
		RSVPYesURL:     d.RSVPYesURL,
		RSVPNoURL:      d.RSVPNoURL,
	}
	if d.Event == nil {
		return v, nil
	}
	ev, err := newEventView(d.Event, localeFor(d.Contact.Language))
	v.Event = ev
	return v, err
}

func newEventView(e *Event, lang *locale) (*eventView, error) {
	loc, err := zone(e.TimeZone)
	if err != nil {
		return nil, err
	}
	ev := &eventView{Title: e.Title, TimeZone: e.TimeZone, Location: e.Location, URL: e.URL}
	ev.times = [2]eventTime{
		{Time: inZone(e.Start, loc), lang: lang},
		{Time: inZone(e.End, loc), lang: lang},
	}
	ev.Start, ev.End = &ev.times[0], &ev.times[1]
	return ev, nil
}

func inZone(t time.Time, loc *time.Location) time.Time {
	if loc == nil || t.IsZero() {
		return t
	}
	return t.In(loc)
}

// zones caches loaded locations: time.LoadLocation reads and parses the
// zone file on every call, far too slow for each message sent.
var zones sync.Map

// zone returns the location named name, or nil for "" (times keep the zone
// they came with).
func zone(name string) (*time.Location, error) {
	if name == "" {
		return nil, nil
	}
	if loc, ok := zones.Load(name); ok {
		return loc.(*time.Location), nil
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, fmt.Errorf("templates: event time zone %q: %w", name, err)
	}
	zones.Store(name, loc)
	return loc, nil
}
