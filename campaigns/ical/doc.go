// Package ical is the iCalendar layer (RFC 5545, iTIP RFC 5546) of the
// outreach CRM: it writes the invitations and cancellations that go out
// with campaign mail, the public calendar feed that people subscribe to,
// and reads back attendees' replies and partners' calendars.
//
// Components are built and parsed with github.com/emersion/go-ical, which
// also expands recurrence rules. Three things are added on top of it
// because calendar clients depend on them and go-ical leaves them out:
//
//   - Line folding (RFC 5545 3.1): go-ical writes each content line whole;
//     Outlook and some mail gateways mangle lines longer than 75 octets, so
//     every output goes through a folding writer that never splits a UTF-8
//     sequence.
//   - VTIMEZONE components generated from Go's tz database, one per zone
//     referenced by a TZID, because RFC 5545 3.2.19 requires them and
//     Outlook shows times wrong without them.
//   - Time zone resolution when reading: IANA names, the Windows zone names
//     that Outlook and Exchange write, and, for any other TZID, the file's
//     own VTIMEZONE as a fixed offset.
//
// Mail carrying an invitation should name the method in its MIME type, as
// Outlook looks there first: "text/calendar; method=REQUEST; charset=UTF-8"
// (or method=CANCEL).
//
// The package needs the tz database at run time (time.LoadLocation). A
// binary that runs where /usr/share/zoneinfo is missing (scratch or
// distroless images) should import time/tzdata in its main package.
package ical
