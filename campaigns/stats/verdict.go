package stats

import (
	"fmt"
	"strconv"
	"strings"
)

// labels are the words a verdict is written with.
type labels struct {
	a, b   string
	metric string
}

// verdict states what c supports. Non-significant results say "too few
// recipients to tell" rather than "no difference": absence of evidence is
// not evidence of absence.
func verdict(l labels, c Comparison, equal bool) string {
	if equal {
		return fmt.Sprintf("no difference seen: %s and %s both %s %s of the time (%s); the true difference could be anywhere from %s to %s points.",
			l.a, l.b, l.metric, percent(c.A.Value), formatP(c.P), points(c.Difference.Low), points(c.Difference.High))
	}
	direction := "more often than"
	if c.Difference.Value < 0 {
		direction = "less often than"
	}
	head := fmt.Sprintf("%s %s %s %s (%s vs %s)", l.a, l.metric, direction, l.b, percent(c.A.Value), percent(c.B.Value))
	if c.Significant {
		return fmt.Sprintf("%s; the difference is real (%s), somewhere between %s and %s points.",
			head, formatP(c.P), points(c.Difference.Low), points(c.Difference.High))
	}
	return fmt.Sprintf("%s, but there are too few recipients to tell (%s); about %d per group would be needed to tell a difference this size.",
		head, formatP(c.P), c.NeededPerGroup)
}

// emptyVerdict is the verdict when at least one group has no recipients.
func emptyVerdict(l labels, nA, nB int) string {
	switch {
	case nA == 0 && nB == 0:
		return fmt.Sprintf("no recipients in %s or %s: nothing to compare.", l.a, l.b)
	case nA == 0:
		return fmt.Sprintf("no recipients in %s: nothing to compare.", l.a)
	default:
		return fmt.Sprintf("no recipients in %s: nothing to compare.", l.b)
	}
}

// smallGroupWarning names the groups under 30 recipients, or returns "".
func smallGroupWarning(l labels, nA, nB int) string {
	var small []string
	if nA < 30 {
		small = append(small, l.a)
	}
	if nB < 30 {
		small = append(small, l.b)
	}
	if len(small) == 0 {
		return ""
	}
	return fmt.Sprintf("fewer than 30 recipients in %s: intervals are wide", strings.Join(small, " and "))
}

// percent formats a proportion as a percentage with one decimal: "22.0%".
func percent(p float64) string {
	return fmt.Sprintf("%.1f%%", 100*p)
}

// points formats a difference of proportions in signed percentage points.
func points(d float64) string {
	return fmt.Sprintf("%+.1f", 100*d)
}

// formatP formats a p-value for a sentence with two significant figures:
// "p = 0.31", "p = 0.0083". Rounding must not make a significant result read
// "p = 0.05".
func formatP(p float64) string {
	if p < 0.001 {
		return "p < 0.001"
	}
	s := strconv.FormatFloat(p, 'g', 2, 64)
	if p < 0.05 && s == "0.05" {
		return "p < 0.05"
	}
	return "p = " + s
}
