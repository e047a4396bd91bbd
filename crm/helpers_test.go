package crm_test

import (
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	libpq "github.com/lib/pq"

	"outreach/crm"
)

func pq(s []string) libpq.StringArray { return libpq.StringArray(s) }

// contactFields compares contacts on what a user sees, ignoring ids and times.
func contactFields() cmp.Option {
	return cmpopts.IgnoreFields(crm.Contact{}, "ID", "OrganisationID", "ConsentAt", "Source", "CreatedAt", "UpdatedAt", "Attributes")
}
