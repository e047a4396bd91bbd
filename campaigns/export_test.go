package campaigns

import "testing"

// SetSnapshotSlice makes audience snapshots take n contacts per
// transaction for the rest of the test, so that tests see several slices
// without inserting thousands of contacts.
func SetSnapshotSlice(t testing.TB, n int) {
	old := snapshotSlice
	snapshotSlice = n
	t.Cleanup(func() { snapshotSlice = old })
}
