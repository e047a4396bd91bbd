package templates

import (
	"embed"
	"strings"
)

// The default emails live in files so that they read as HTML and text, not
// as Go strings; they are embedded so that the binary carries them.
//
//go:embed email/*.tmpl
var emailFiles embed.FS

// DefaultInvitation is the invitation used when a campaign brings no
// templates of its own: English, short, with the event's date, time and
// place, RSVP buttons and an unsubscribe line. It also reads well for a
// campaign without an event.
func DefaultInvitation() Message { return embeddedMessage("invitation") }

// DefaultFollowUp is the reminder sent to those who have neither replied
// nor answered the RSVP.
func DefaultFollowUp() Message { return embeddedMessage("followup") }

// DefaultEventUpdate tells those who accepted an event that its time or
// place changed; the attached calendar entry updates their calendars.
func DefaultEventUpdate() Message { return embeddedMessage("eventupdate") }

// DefaultEventCancel tells those who accepted an event that it will not
// take place; the attached cancellation removes it from their calendars.
func DefaultEventCancel() Message { return embeddedMessage("eventcancel") }

func embeddedMessage(name string) Message {
	return Message{
		Subject: strings.TrimSpace(emailFile(name + ".subject.tmpl")),
		HTML:    emailFile(name + ".html.tmpl"),
		Text:    emailFile(name + ".text.tmpl"),
	}
}

// emailFile panics on a missing file: the set is fixed at build time and
// the tests render every message.
func emailFile(name string) string {
	b, err := emailFiles.ReadFile("email/" + name)
	if err != nil {
		panic("templates: " + err.Error())
	}
	return string(b)
}
