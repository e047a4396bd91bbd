package vocab

// OrganisationTypes lists the canonical organisation types, as stored in
// organisations.type and written in segment expressions.
var OrganisationTypes = []string{"business_support", "finance", "public", "ngo", "chamber", "education", "network", "other"}

// organisationTypeNames maps folded inputs to a type. Besides the canonical
// values with spaces or hyphens, it holds only names that cannot denote
// another type: "association" could be an NGO or a network, so it is absent.
var organisationTypeNames = map[string]string{
	"business support":                 "business_support",
	"businesssupport":                  "business_support",
	"business support organisation":    "business_support",
	"business support organization":    "business_support",
	"bso":                              "business_support",
	"financial":                        "finance",
	"financial institution":            "finance",
	"public authority":                 "public",
	"public administration":            "public",
	"public sector":                    "public",
	"public body":                      "public",
	"government":                       "public",
	"non profit":                       "ngo",
	"nonprofit":                        "ngo",
	"not for profit":                   "ngo",
	"npo":                              "ngo",
	"non governmental organisation":    "ngo",
	"non governmental organization":    "ngo",
	"chamber of commerce":              "chamber",
	"chamber of commerce and industry": "chamber",
}

func init() {
	for _, t := range OrganisationTypes {
		organisationTypeNames[foldKey(t)] = t
	}
}

// ParseOrganisationType returns the canonical organisation type for s: a
// canonical value in any case, with spaces or hyphens for its underscore
// ("Business Support", "business-support"), or an unambiguous common name
// ("NGO", "non-profit", "Chamber of Commerce"). ok is false otherwise.
func ParseOrganisationType(s string) (string, bool) {
	t, ok := organisationTypeNames[foldKey(s)]
	return t, ok
}
