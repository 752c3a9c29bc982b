package lxd_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/uivmm/uivmm/lxd"
)

func TestErrorMatchesSentinels(t *testing.T) {
	all := []error{lxd.ErrNotFound, lxd.ErrConflict, lxd.ErrInUse, lxd.ErrNotTrusted, lxd.ErrUnreachable, lxd.ErrTimeout}
	cases := []struct {
		name string
		err  *lxd.Error
		want []error
	}{
		{"404", &lxd.Error{Status: 404, Message: "Instance not found"}, []error{lxd.ErrNotFound}},
		{"409", &lxd.Error{Status: 409, Message: "Name already taken"}, []error{lxd.ErrConflict}},
		{"profile in use", &lxd.Error{Status: 400, Message: "Profile is currently in use"}, []error{lxd.ErrInUse, lxd.ErrConflict}},
		{"failed operation, already exists", &lxd.Error{Message: `Instance "c1" already exists`}, []error{lxd.ErrConflict}},
		{"not authorized", &lxd.Error{Status: 403, Message: "not authorized"}, []error{lxd.ErrNotTrusted}},
		{"other 403", &lxd.Error{Status: 403, Message: `The "default" profile cannot be deleted`}, nil},
		{"500", &lxd.Error{Status: 500, Message: "boom"}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			wrapped := fmt.Errorf("context: %w", tc.err)
			for _, sentinel := range all {
				want := false
				for _, w := range tc.want {
					want = want || w == sentinel
				}
				if got := errors.Is(wrapped, sentinel); got != want {
					t.Errorf("errors.Is(%v, %v) = %v, want %v", tc.err, sentinel, got, want)
				}
			}
			var as *lxd.Error
			if !errors.As(wrapped, &as) || as.Message != tc.err.Message {
				t.Errorf("errors.As lost the LXD message")
			}
		})
	}
}
