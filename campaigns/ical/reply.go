package ical

import (
	"errors"
	"fmt"
	"strings"

	goical "github.com/emersion/go-ical"
)

// Reply is an attendee's answer (iTIP METHOD:REPLY, RFC 5546 3.2.3).
type Reply struct {
	UID      string
	Sequence int
	Attendee string // email, lower-cased, without "mailto:" (any case of the scheme)
	PartStat string // "ACCEPTED", "DECLINED" or "TENTATIVE"
}

// ParseReply reads a METHOD:REPLY calendar, as Outlook, Google Calendar,
// Apple Mail and Thunderbird send it when an attendee answers an
// invitation. It is an error when the calendar is not a REPLY, has no
// VEVENT, UID or ATTENDEE, or when the answer is not one of ACCEPTED,
// DECLINED and TENTATIVE (DELEGATED or NEEDS-ACTION say nothing about
// coming).
//
// A reply may hold several VEVENTs (one per answered occurrence); the
// series' one (without RECURRENCE-ID) is read, else the first. A REPLY
// should name only the replying attendee; when it names several, the
// first that answered is taken.
func ParseReply(data []byte) (Reply, error) {
	cal, err := decode(data)
	if err != nil {
		return Reply{}, fmt.Errorf("ical: reply: %w", err)
	}
	if err := checkMethod(cal); err != nil {
		return Reply{}, fmt.Errorf("ical: reply: %w", err)
	}
	ev := replyEvent(cal)
	if ev == nil {
		return Reply{}, errors.New("ical: reply: the calendar has no VEVENT")
	}
	r, err := readReply(ev)
	if err != nil {
		return Reply{}, fmt.Errorf("ical: reply: %w", err)
	}
	return r, nil
}

func checkMethod(cal *goical.Calendar) error {
	p := cal.Props.Get(goical.PropMethod)
	if p == nil {
		return errors.New("not an iTIP reply: the calendar has no METHOD")
	}
	if m := strings.ToUpper(strings.TrimSpace(p.Value)); m != methodReply {
		return fmt.Errorf("not an iTIP reply: METHOD is %s, want REPLY", shorten(m))
	}
	return nil
}

// replyEvent is the VEVENT the reply is about.
func replyEvent(cal *goical.Calendar) *goical.Component {
	events := vevents(cal)
	for _, ev := range events {
		if ev.Props.Get(goical.PropRecurrenceID) == nil {
			return ev
		}
	}
	if len(events) > 0 {
		return events[0]
	}
	return nil
}

func readReply(ev *goical.Component) (Reply, error) {
	var r Reply
	if p := ev.Props.Get(goical.PropUID); p != nil {
		r.UID = strings.TrimSpace(textValue(p))
	}
	if r.UID == "" {
		return r, errors.New("the VEVENT has no UID")
	}
	seq, err := sequence(ev)
	if err != nil {
		return r, fmt.Errorf("event %q: %w", r.UID, err)
	}
	r.Sequence = seq
	att := answeringAttendee(ev)
	if att == nil {
		return r, fmt.Errorf("event %q: the VEVENT has no ATTENDEE", r.UID)
	}
	if r.Attendee = mailtoAddress(att); r.Attendee == "" {
		return r, fmt.Errorf("event %q: ATTENDEE %q has no email address (neither mailto: nor EMAIL=)", r.UID, shorten(att.Value))
	}
	r.PartStat = strings.ToUpper(strings.TrimSpace(att.Params.Get(goical.ParamParticipationStatus)))
	if !isAnswer(r.PartStat) {
		if r.PartStat == "" {
			return r, fmt.Errorf("event %q: ATTENDEE %s has no PARTSTAT", r.UID, r.Attendee)
		}
		return r, fmt.Errorf("event %q: ATTENDEE %s: PARTSTAT=%s is not an answer (want ACCEPTED, DECLINED or TENTATIVE)", r.UID, r.Attendee, shorten(r.PartStat))
	}
	return r, nil
}

// answeringAttendee is the first ATTENDEE with an answer, else the first
// ATTENDEE (whose missing answer readReply reports).
func answeringAttendee(ev *goical.Component) *goical.Prop {
	atts := ev.Props.Values(goical.PropAttendee)
	for i := range atts {
		if isAnswer(strings.ToUpper(strings.TrimSpace(atts[i].Params.Get(goical.ParamParticipationStatus)))) {
			return &atts[i]
		}
	}
	if len(atts) > 0 {
		return &atts[0]
	}
	return nil
}

func isAnswer(partStat string) bool {
	switch partStat {
	case "ACCEPTED", "DECLINED", "TENTATIVE":
		return true
	}
	return false
}
