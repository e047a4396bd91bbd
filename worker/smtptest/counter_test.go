package smtptest

import (
	"net/smtp"
	"strings"
	"testing"
)

func TestCounterCountsWholeMessages(t *testing.T) {
	c := NewCounter(t)
	long := strings.Repeat("x", 100<<10) // longer than the read buffer, ending in a dot
	bodies := []string{
		"Subject: one\r\n\r\n.leading dot\r\n.\r\nnot the end\r\n",
		"Subject: two\r\n\r\n" + long + ".\r\nlast line\r\n",
	}
	for i, body := range bodies {
		to := []string{"a@example.org", "b@example.org"}[i]
		if err := smtp.SendMail(c.Addr, nil, "from@example.org", []string{to}, []byte(body)); err != nil {
			t.Fatalf("message %d: %v", i, err)
		}
	}
	if c.Count() != 2 || len(c.Times()) != 2 {
		t.Fatalf("counted %d messages, want 2", c.Count())
	}
	if per := c.PerRecipient(); per["a@example.org"] != 1 || per["b@example.org"] != 1 {
		t.Errorf("per recipient %v", per)
	}
}
