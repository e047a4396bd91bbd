package chart

import (
	"fmt"
	"strings"
)

// describe writes the chart out in words for screen readers, e.g.
// "Replied, by seniority. Bar chart of 3 groups with 95% intervals, axis
// from 0% to 30%. executive: 4% of 87 recipients replied (95% interval 1%
// to 9%). ..."
func describe(bars []Bar, metric, title string, a axis) string {
	var b strings.Builder
	if title != "" {
		b.WriteString(title)
		if !strings.ContainsAny(title[len(title)-1:], ".!?") {
			b.WriteString(".")
		}
		b.WriteString(" ")
	}
	fmt.Fprintf(&b, "Bar chart of %d %s with 95%% intervals, axis from 0%% to %d%%.",
		len(bars), plural(len(bars), "group", "groups"), a.max)
	for _, bar := range bars {
		b.WriteString(" ")
		b.WriteString(sentence(bar, metric))
	}
	return b.String()
}

// sentence describes one bar.
func sentence(b Bar, metric string) string {
	verb := ""
	if metric != "" {
		verb = " " + metric
	}
	return fmt.Sprintf("%s: %s of %d %s%s (95%% interval %s to %s).",
		label(b), percent(b.Value), b.N, plural(b.N, "recipient", "recipients"), verb,
		percent(b.Low), percent(b.High))
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
