package main

import (
	"os/exec"
	"strings"
	"testing"
)

// TestDependenciesPointOneWay keeps the design's import rule true:
// cmd -> worker -> campaigns -> crm, templates and migrations for all.
func TestDependenciesPointOneWay(t *testing.T) {
	forbidden := map[string][]string{
		"outreach/crm/...":       {"outreach/campaigns", "outreach/worker", "outreach/cmd"},
		"outreach/campaigns/...": {"outreach/worker", "outreach/cmd"},
		"outreach/worker/...":    {"outreach/cmd"},
		"outreach/templates/...": {"outreach/crm", "outreach/campaigns", "outreach/worker", "outreach/cmd"},
	}
	for pkgs, bans := range forbidden {
		out, err := exec.Command("go", "list", "-deps", pkgs).CombinedOutput()
		if err != nil {
			t.Fatalf("go list %s: %v\n%s", pkgs, err, out)
		}
		for _, dep := range strings.Fields(string(out)) {
			for _, ban := range bans {
				if dep == ban || strings.HasPrefix(dep, ban+"/") {
					t.Errorf("%s depends on %s", pkgs, dep)
				}
			}
		}
	}
}
