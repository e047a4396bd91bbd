package campaigns

import (
	"bytes"
	"fmt"
)

// MailView is a stored message as its recipient would read it: the
// header fields people look at, decoded, and the first HTML and plain
// text bodies with their transfer encoding and charset undone.
type MailView struct {
	From, To, Subject, Date string
	HTML, Text              string
}

// ReadMail parses a raw RFC 5322 message (such as an outbox message's
// source) with the same MIME walker as inbound mail, so nested
// multiparts, quoted-printable, base64 and charsets are all handled once.
func ReadMail(raw []byte) (MailView, error) {
	h, body, err := splitMessage(raw)
	if err != nil {
		return MailView{}, fmt.Errorf("campaigns: read mail: %w", err)
	}
	v := MailView{From: decodeWords(h.Get("From")), To: decodeWords(h.Get("To")),
		Subject: decodeWords(h.Get("Subject")), Date: h.Get("Date")}
	var p inboundParts
	p.walk(h, bytes.NewReader(body), 0)
	if len(p.html) > 0 {
		v.HTML = p.html[0]
	}
	if len(p.plain) > 0 {
		v.Text = p.plain[0]
	}
	return v, nil
}
