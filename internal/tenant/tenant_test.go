package tenant

import (
	"errors"
	"strings"
	"testing"
)

func TestValidateSlug(t *testing.T) {
	good := []string{"acme", "pam-quilts", "abc", "a1b", strings.Repeat("a", 40)}
	for _, s := range good {
		if err := ValidateSlug(s); err != nil {
			t.Errorf("ValidateSlug(%q) = %v, want nil", s, err)
		}
	}
	bad := []string{"", "ab", strings.Repeat("a", 41), "Acme", "-acme", "acme-", "ac--me", "ac me", "ac_me", "admin", "api", "www", "static", "t_1", "../x", "acmé"}
	for _, s := range bad {
		if err := ValidateSlug(s); !errors.Is(err, ErrBadSlug) {
			t.Errorf("ValidateSlug(%q) = %v, want ErrBadSlug", s, err)
		}
	}
}

func TestSlugFromHost(t *testing.T) {
	cases := []struct{ host, base, want string }{
		{"acme.pv.test", "pv.test", "acme"},
		{"acme.pv.test:8080", "pv.test", "acme"},
		{"ACME.PV.TEST", "pv.test", "acme"},
		{"pv.test", "pv.test", ""},
		{"a.b.pv.test", "pv.test", ""},
		{"acme.evil.test", "pv.test", ""},
		{"acme.pv.test", "", ""},
		{"evilpv.test", "pv.test", ""},
	}
	for _, c := range cases {
		if got := SlugFromHost(c.host, c.base); got != c.want {
			t.Errorf("SlugFromHost(%q, %q) = %q, want %q", c.host, c.base, got, c.want)
		}
	}
}
