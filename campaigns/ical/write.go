package ical

import (
	"bytes"
	"errors"
	"fmt"
	"net/mail"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	goical "github.com/emersion/go-ical"
)

// prodID names this software in every calendar it writes (RFC 5545 3.7.3).
const prodID = "-//Outreach//Outreach//EN"

// iTIP methods (RFC 5546 1.4) this package writes or reads.
const (
	methodPublish = "PUBLISH"
	methodRequest = "REQUEST"
	methodCancel  = "CANCEL"
	methodReply   = "REPLY"
)

// Calendar-level properties go-ical has no constant for.
const (
	propCalName   = "X-WR-CALNAME"
	statusCancel  = "CANCELLED"
	statusConfirm = "CONFIRMED"
)

// Address is a calendar user: a name and an email.
type Address struct{ Name, Email string }

// Event is one calendar event.
type Event struct {
	UID          string    // stable identifier, e.g. "event-42@outreach.example.org"
	Sequence     int       // SEQUENCE: incremented by the caller on every significant change
	Title        string    // SUMMARY
	Description  string    // DESCRIPTION
	Start, End   time.Time // DTSTART, DTEND (a zero End writes no DTEND: the event ends as it starts)
	TimeZone     string    // IANA name ("Europe/Berlin"); "" or "UTC" means times in UTC with a Z suffix
	Location     string    // LOCATION
	URL          string    // URL
	Categories   []string  // CATEGORIES, e.g. the community-of-practice topic
	Cancelled    bool      // STATUS:CANCELLED, else STATUS:CONFIRMED
	Organizer    Address   // ORGANIZER; optional (empty Email: no ORGANIZER)
	Modified     time.Time // LAST-MODIFIED (zero: omitted)
	RecurrenceID time.Time // RECURRENCE-ID: set by Parse for an occurrence of a recurring event; zero otherwise
}

// Invitation builds an iTIP message (RFC 5546) for one attendee: method
// "REQUEST" (an invitation or an update of one) or "CANCEL". It carries
// one VEVENT with the attendee (RSVP=TRUE on a REQUEST, so that clients
// offer Accept/Decline and send a REPLY to the organizer) and a VTIMEZONE
// for the event's zone. stamp is the DTSTAMP, the moment the message is
// made; SEQUENCE is the caller's, who must raise it on every significant
// change, or clients ignore the update.
//
// iTIP needs an organizer on both methods (RFC 5546 3.2.2, 3.2.5): it is
// where replies go. A REQUEST for an event marked Cancelled is refused, as
// clients would show it as a live invitation; send a CANCEL.
func Invitation(method string, ev Event, attendee Address, stamp time.Time) ([]byte, error) {
	method = strings.ToUpper(strings.TrimSpace(method))
	if method != methodRequest && method != methodCancel {
		return nil, fmt.Errorf("ical: invitation: method %q: want REQUEST or CANCEL", method)
	}
	if strings.TrimSpace(ev.Organizer.Email) == "" {
		return nil, fmt.Errorf("ical: invitation %q: a %s needs an organizer (RFC 5546), and the event has none", ev.UID, method)
	}
	if method == methodRequest && ev.Cancelled {
		return nil, fmt.Errorf("ical: invitation %q: the event is cancelled: send a CANCEL, not a REQUEST", ev.UID)
	}
	zs := newZoneSet()
	comp, err := zs.event(ev, stamp)
	if err != nil {
		return nil, fmt.Errorf("ical: invitation: %w", err)
	}
	att, err := attendeeProp(attendee, method == methodRequest)
	if err != nil {
		return nil, fmt.Errorf("ical: invitation %q: attendee: %w", ev.UID, err)
	}
	comp.Props.Add(att)
	if method == methodCancel {
		comp.Props.SetText(goical.PropStatus, statusCancel)
	}
	cal := newCalendar(method)
	cal.Children = append(zs.components(), comp)
	return encode(cal)
}

// Feed builds a published calendar (METHOD:PUBLISH) of the events, named
// name, for subscription by Google Calendar, Outlook and Thunderbird.
// A feed carries no attendees: it is public, and attendees in a PUBLISH
// make some clients treat the entries as invitations. Cancelled events
// stay in the feed with STATUS:CANCELLED, so that subscribers drop them.
// stamp is the DTSTAMP of every event.
func Feed(name string, events []Event, stamp time.Time) ([]byte, error) {
	cal := newCalendar(methodPublish)
	cal.Props.SetText(goical.PropCalendarScale, "GREGORIAN")
	if name = cleanText(strings.TrimSpace(name)); name != "" {
		calName := goical.NewProp(propCalName)
		calName.SetText(name)
		calName.Params.Del(goical.ParamValue) // go-ical marks X- properties VALUE=TEXT; clients expect none
		cal.Props.Set(calName)
		cal.Props.SetText(goical.PropName, name) // RFC 7986, for clients that ignore X- properties
	}
	zs := newZoneSet()
	comps := make([]*goical.Component, 0, len(events))
	for i, ev := range events {
		comp, err := zs.event(ev, stamp)
		if err != nil {
			return nil, fmt.Errorf("ical: feed event %d: %w", i, err)
		}
		comps = append(comps, comp)
	}
	cal.Children = append(zs.components(), comps...)
	return encode(cal)
}

func newCalendar(method string) *goical.Calendar {
	cal := goical.NewCalendar()
	cal.Props.SetText(goical.PropProductID, prodID)
	cal.Props.SetText(goical.PropVersion, "2.0")
	cal.Props.SetText(goical.PropMethod, method)
	return cal
}

// event builds the VEVENT shared by invitations and feeds, and records the
// zone it uses.
func (zs *zoneSet) event(ev Event, stamp time.Time) (*goical.Component, error) {
	if err := checkEvent(ev, stamp); err != nil {
		return nil, err
	}
	loc, err := lookupZone(ev.TimeZone)
	if err != nil {
		return nil, fmt.Errorf("event %q: %w", ev.UID, err)
	}
	c := goical.NewComponent(goical.CompEvent)
	c.Props.SetText(goical.PropUID, cleanText(strings.TrimSpace(ev.UID)))
	c.Props.Set(&goical.Prop{Name: goical.PropSequence, Params: goical.Params{}, Value: strconv.Itoa(ev.Sequence)})
	c.Props.Set(zs.dateTimeProp(goical.PropDateTimeStamp, stamp, nil))
	c.Props.Set(zs.dateTimeProp(goical.PropDateTimeStart, ev.Start, loc))
	if !ev.End.IsZero() {
		c.Props.Set(zs.dateTimeProp(goical.PropDateTimeEnd, ev.End, loc))
	}
	if !ev.RecurrenceID.IsZero() {
		c.Props.Set(zs.dateTimeProp(goical.PropRecurrenceID, ev.RecurrenceID, loc))
	}
	if !ev.Modified.IsZero() {
		c.Props.Set(zs.dateTimeProp(goical.PropLastModified, ev.Modified, nil))
	}
	c.Props.SetText(goical.PropSummary, cleanText(ev.Title))
	setOptionalText(c.Props, goical.PropDescription, ev.Description)
	setOptionalText(c.Props, goical.PropLocation, ev.Location)
	if err := setURL(c.Props, ev.URL); err != nil {
		return nil, fmt.Errorf("event %q: %w", ev.UID, err)
	}
	setCategories(c.Props, ev.Categories)
	status := statusConfirm
	if ev.Cancelled {
		status = statusCancel
	}
	c.Props.SetText(goical.PropStatus, status)
	if strings.TrimSpace(ev.Organizer.Email) != "" {
		org, err := addressProp(goical.PropOrganizer, ev.Organizer)
		if err != nil {
			return nil, fmt.Errorf("event %q: organizer: %w", ev.UID, err)
		}
		c.Props.Set(org)
	}
	return c, nil
}

// checkEvent refuses what no client could show sensibly.
func checkEvent(ev Event, stamp time.Time) error {
	switch {
	case strings.TrimSpace(ev.UID) == "":
		return errors.New("event has no UID")
	case ev.Start.IsZero():
		return fmt.Errorf("event %q has no start", ev.UID)
	case !ev.End.IsZero() && ev.End.Before(ev.Start):
		return fmt.Errorf("event %q ends (%s) before it starts (%s)", ev.UID, ev.End.Format(time.RFC3339), ev.Start.Format(time.RFC3339))
	case ev.Sequence < 0:
		return fmt.Errorf("event %q: negative SEQUENCE %d", ev.UID, ev.Sequence)
	case stamp.IsZero():
		return fmt.Errorf("event %q: no DTSTAMP: stamp is the zero time", ev.UID)
	}
	return nil
}

func setOptionalText(props goical.Props, name, text string) {
	if text = cleanText(text); strings.TrimSpace(text) != "" {
		props.SetText(name, text)
	}
}

func setURL(props goical.Props, raw string) error {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return nil
	}
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("URL %q: %w", raw, err)
	}
	props.SetURI(goical.PropURL, u)
	return nil
}

func setCategories(props goical.Props, categories []string) {
	var cats []string
	for _, c := range categories {
		if c = strings.TrimSpace(cleanText(c)); c != "" && !slices.Contains(cats, c) {
			cats = append(cats, c)
		}
	}
	if len(cats) == 0 {
		return
	}
	p := goical.NewProp(goical.PropCategories)
	p.SetTextList(cats)
	props.Set(p)
}

// attendeeProp is the invited person. RSVP=TRUE asks the client to answer
// with a REPLY; a CANCEL asks for no answer.
func attendeeProp(a Address, rsvp bool) (*goical.Prop, error) {
	p, err := addressProp(goical.PropAttendee, a)
	if err != nil {
		return nil, err
	}
	p.Params.Set(goical.ParamRole, "REQ-PARTICIPANT")
	p.Params.Set(goical.ParamParticipationStatus, "NEEDS-ACTION")
	if rsvp {
		p.Params.Set(goical.ParamRSVP, "TRUE")
	}
	return p, nil
}

// addressProp is an ORGANIZER or ATTENDEE: a mailto: URI, with the name as
// CN.
func addressProp(name string, a Address) (*goical.Prop, error) {
	email, err := cleanEmail(a.Email)
	if err != nil {
		return nil, err
	}
	p := goical.NewProp(name)
	p.Value = "mailto:" + email
	if cn := cleanParam(a.Name); cn != "" {
		p.Params.Set(goical.ParamCommonName, cn)
	}
	return p, nil
}

// cleanEmail accepts a bare address (or a mailto: URI), since anything
// else in a mailto: value breaks the reply path.
func cleanEmail(s string) (string, error) {
	s = strings.TrimSpace(s)
	if len(s) >= len("mailto:") && strings.EqualFold(s[:len("mailto:")], "mailto:") {
		s = s[len("mailto:"):]
	}
	addr, err := mail.ParseAddress(s)
	if err != nil || addr.Address != s || strings.ContainsAny(s, "\"\\") {
		return "", fmt.Errorf("%q is not a plain email address", s)
	}
	return s, nil
}

// cleanText makes s fit a TEXT value: valid UTF-8, line breaks as LF
// (go-ical escapes LF as \n but refuses CR), and none of the other
// control characters RFC 5545 3.3.11 leaves out.
func cleanText(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\n' || r == '\t':
			return r
		case r < 0x20 || r == 0x7f:
			return -1
		}
		return r
	}, s)
}

// cleanParam makes s fit a parameter value, which cannot be escaped
// (RFC 5545 3.2): no line breaks, and no DQUOTE, which go-ical refuses
// and which would end the quoted value; a name like `Anna "Ann" Meier`
// becomes `Anna 'Ann' Meier`.
func cleanParam(s string) string {
	s = strings.NewReplacer("\n", " ", "\t", " ", `"`, "'").Replace(cleanText(s))
	return strings.Join(strings.Fields(s), " ")
}

// encode writes cal through the folding writer.
func encode(cal *goical.Calendar) ([]byte, error) {
	var buf bytes.Buffer
	fw := &foldWriter{w: &buf}
	if len(cal.Children) == 0 {
		// go-ical refuses a calendar without components, but a feed
		// with no events yet is normal, and clients accept it.
		writeBareCalendar(fw, cal.Props)
	} else if err := goical.NewEncoder(fw).Encode(cal); err != nil {
		return nil, fmt.Errorf("ical: encode: %s", strings.TrimPrefix(err.Error(), "ical: "))
	}
	if err := fw.Flush(); err != nil {
		return nil, fmt.Errorf("ical: encode: %w", err)
	}
	return buf.Bytes(), nil
}

// writeBareCalendar writes a VCALENDAR with only its own properties, in
// the Encoder's order. They are this package's, without parameters.
func writeBareCalendar(fw *foldWriter, props goical.Props) {
	names := make([]string, 0, len(props))
	for name := range props {
		names = append(names, name)
	}
	slices.Sort(names)
	fmt.Fprintf(fw, "BEGIN:%s\r\n", goical.CompCalendar)
	for _, name := range names {
		for _, p := range props[name] {
			fmt.Fprintf(fw, "%s:%s\r\n", p.Name, p.Value)
		}
	}
	fmt.Fprintf(fw, "END:%s\r\n", goical.CompCalendar)
}
