package campaigns

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

func TestInboundDebugDump(t *testing.T) {
	files, _ := filepath.Glob("testdata/mail/*.eml")
	for _, f := range files {
		raw, _ := os.ReadFile(f)
		in, err := ParseInbound(raw)
		b, _ := json.MarshalIndent(in, "", "  ")
		t.Logf("%s err=%v\n%s", f, err, b)
	}
}
