package web

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/oauth2-proxy/mockoidc"

	"github.com/patternvault/patternvault/internal/auth/google"
	"github.com/patternvault/patternvault/internal/testrig"
)

// googleRig runs an in-process OpenID provider (mockoidc) as Google.
func googleRig(t testing.TB) (*rig, *mockoidc.MockOIDC) {
	t.Helper()
	m, err := mockoidc.Run()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Shutdown() })
	r := newRigWith(t, "", testrig.Options{}, func(base string) *google.Provider {
		p, err := google.New(context.Background(), google.Config{ClientID: m.ClientID, ClientSecret: m.ClientSecret,
			RedirectURL: base + googleCallback, IssuerURL: m.Issuer()})
		if err != nil {
			t.Fatal(err)
		}
		return p
	})
	return r, m
}

// googleSignIn plays the whole round trip through the provider.
func googleSignIn(t testing.TB, b *browser) page {
	t.Helper()
	p := b.get("/signin/google")
	wantRedirect(t, p, "http")
	p = b.get(p.Location) // the provider's authorize endpoint
	if p.Status != http.StatusFound && p.Status != http.StatusSeeOther {
		t.Fatalf("provider answered %d", p.Status)
	}
	return b.get(p.Location) // back to our callback
}

func TestGoogleSignIn(t *testing.T) {
	t.Parallel()
	r, m := googleRig(t)
	want(t, r.browser(t).get("/signin"), 200, "Sign in with Google")

	// A new person: an account is made, verified, signed in.
	m.QueueUser(&mockoidc.MockUser{Subject: "g-ada", Email: "ada@example.com", EmailVerified: true})
	ada := r.browser(t)
	wantRedirect(t, googleSignIn(t, ada), "/")
	wantRedirect(t, ada.get("/"), "/workspaces/new") // verified: straight to the workspace step
	u, err := r.Store.UserByEmail(context.Background(), "ada@example.com")
	if err != nil || !u.Verified() {
		t.Fatalf("user after Google sign-in: %+v, %v", u, err)
	}

	// An existing password account is linked by verified email only.
	r.signUp(t, "pam@example.com")
	m.QueueUser(&mockoidc.MockUser{Subject: "g-pam-unverified", Email: "pam@example.com", EmailVerified: false})
	want(t, googleSignIn(t, r.browser(t)), http.StatusForbidden, "not verified")
	m.QueueUser(&mockoidc.MockUser{Subject: "g-pam", Email: "PAM@example.com", EmailVerified: true})
	pam := r.browser(t)
	wantRedirect(t, googleSignIn(t, pam), "/")
	want(t, pam.get("/account"), 200, "pam@example.com")
	pamUser, _ := r.Store.UserByEmail(context.Background(), "pam@example.com")
	linked, err := r.Store.UserByIdentity(context.Background(), "google", "g-pam")
	if err != nil || linked.ID != pamUser.ID {
		t.Errorf("Google identity linked to %+v, %v; want Pam's account", linked, err)
	}

	// A forged callback (no flow cookie, or a wrong state) signs nobody in.
	evil := r.browser(t)
	want(t, evil.get(googleCallback+"?state=x&code=y"), http.StatusBadRequest)
	wantRedirect(t, evil.get("/account"), "/signin")
}

func TestGoogleHiddenWhenNotConfigured(t *testing.T) {
	t.Parallel()
	r := newRig(t, "")
	p := r.browser(t).get("/signin")
	want(t, p, 200)
	if strings.Contains(p.Body, "Sign in with Google") {
		t.Error("Google button shown without configuration")
	}
	want(t, r.browser(t).get("/signin/google"), http.StatusNotFound)
}
