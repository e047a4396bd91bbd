package demo

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"testing"

	"outreach/crm/vocab"
)

// TestSeniorityMatchesInference checks that the titles the generator writes
// are the ones the importer understands: where a row states its seniority,
// vocab.InferSeniority must reach the same value from the job title alone for
// at least 95% of rows. Disagreements are logged, most frequent first, so
// that a change to either table shows what it moved.
func TestSeniorityMatchesInference(t *testing.T) {
	_, rows := generate(t, Options{Seed: 5, Contacts: 30_000})
	filled, agree := 0, 0
	wrong := map[string]int{}
	for _, row := range rows {
		title, want := row[6], row[7]
		if want == "" {
			continue
		}
		filled++
		if got := vocab.InferSeniority(title); got == want {
			agree++
		} else {
			wrong[fmt.Sprintf("%q: file says %s, InferSeniority says %s", title, want, got)]++
		}
	}
	keys := make([]string, 0, len(wrong))
	for k := range wrong {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b string) int { return cmp.Or(wrong[b]-wrong[a], strings.Compare(a, b)) })
	for _, k := range keys {
		t.Logf("%4d × %s", wrong[k], k)
	}
	share := float64(agree) / float64(filled)
	t.Logf("InferSeniority agrees on %d of %d rows with a seniority (%.1f%%)", agree, filled, share*100)
	if share < 0.95 {
		t.Errorf("InferSeniority agrees on only %.1f%% of rows, want at least 95%%", share*100)
	}
}
