package api

import (
	"slices"
	"sort"
	"testing"
)

// TestSchemaTableCoversTheCatalogue keeps the OpenAPI schema table in step
// with the catalogue: no undocumented method, no stale entry.
func TestSchemaTableCoversTheCatalogue(t *testing.T) {
	var catalogue, table []string
	for name := range (&Server{}).catalogue() {
		catalogue = append(catalogue, name)
	}
	for name := range methodSpecs {
		table = append(table, name)
	}
	sort.Strings(catalogue)
	sort.Strings(table)
	if !slices.Equal(catalogue, table) {
		t.Errorf("schema table and catalogue differ:\n catalogue %v\n table     %v", catalogue, table)
	}
	for name, spec := range methodSpecs {
		if spec.summary == "" {
			t.Errorf("%s has no summary", name)
		}
		for _, v := range spec.variants {
			for _, f := range v {
				if !slices.ContainsFunc(spec.fields, func(sf specField) bool { return sf.name == f }) {
					t.Errorf("%s: variant names unknown field %s", name, f)
				}
			}
		}
	}
}

func TestOperationName(t *testing.T) {
	cases := map[string]string{"ssh-key.add": "SshKeyAdd", "user.passwordChange": "UserPasswordChange", "health.alive": "HealthAlive"}
	for in, want := range cases {
		if got := operationName(in); got != want {
			t.Errorf("operationName(%q) = %q, want %q", in, got, want)
		}
	}
}
