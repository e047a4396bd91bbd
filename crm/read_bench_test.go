package crm

import (
	"bytes"
	"testing"

	"outreach/crm/demo"
)

// BenchmarkReadImport measures the Go half of an import (decode, parse,
// validate, fold duplicates) on 100k demo rows, without a database.
func BenchmarkReadImport(b *testing.B) {
	var buf bytes.Buffer
	if err := demo.WriteCSV(&buf, demo.Options{Seed: 3, Organisations: 5000, Contacts: 100_000}); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(buf.Len()))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		rows, _, err := readImport(bytes.NewReader(buf.Bytes()), ImportOptions{})
		if err != nil || len(rows) != 100_000 {
			b.Fatalf("%d rows, %v", len(rows), err)
		}
	}
	b.ReportMetric(float64(100_000*b.N)/b.Elapsed().Seconds(), "rows/s")
}
