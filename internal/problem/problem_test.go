package problem_test

import (
	"errors"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/patternvault/patternvault/internal/problem"
)

var errTaken = problem.Conflict("taken", "That name is taken.")

func TestSentinelsSurviveWrapping(t *testing.T) {
	cause := errors.New("unique violation on names_key")
	cases := map[string]error{
		"as is":        errTaken,
		"with %w":      fmt.Errorf("svc: save: %w", errTaken),
		"with a cause": errTaken.Wrap(cause),
		"reworded":     errTaken.Reword("The name “Ann” is taken."),
		"reworded and wrapped, then wrapped again": fmt.Errorf("svc: %w", errTaken.Reword("x").Wrap(cause)),
	}
	for name, err := range cases {
		if !errors.Is(err, errTaken) {
			t.Errorf("%s: errors.Is(%v, errTaken) = false", name, err)
		}
		p, ok := problem.As(err)
		if !ok || p.Status != http.StatusConflict || p.Code != "taken" {
			t.Errorf("%s: As = %+v, %v", name, p, ok)
		}
	}
	if errors.Is(problem.Conflict("taken", "That name is taken."), errTaken) {
		t.Error("a problem made separately matches the sentinel: identity must not be by value")
	}
	if w := errTaken.Wrap(cause); !errors.Is(w, cause) || w.Message != errTaken.Message {
		t.Errorf("Wrap lost the cause or the message: %v", w)
	}
	if errTaken.Err != nil || errTaken.Message != "That name is taken." {
		t.Error("Wrap or Reword changed the sentinel itself")
	}
}

func TestMessageNeverCarriesTheCause(t *testing.T) {
	p := problem.NotFound("gone", "That design is gone.").Wrap(errors.New("store: pattern 7 of tenant 3: no rows"))
	if p.Message != "That design is gone." {
		t.Errorf("message %q", p.Message)
	}
	if got, want := p.Error(), "That design is gone: store: pattern 7 of tenant 3: no rows"; got != want {
		t.Errorf("Error() = %q, want %q (for the log)", got, want)
	}
}

func TestStatuses(t *testing.T) {
	cases := []struct {
		err  *problem.Error
		want int
	}{
		{problem.BadRequest("c", "m"), 400}, {problem.Unauthorized("c", "m"), 401}, {problem.Forbidden("c", "m"), 403},
		{problem.NotFound("c", "m"), 404}, {problem.Conflict("c", "m"), 409}, {problem.Gone("c", "m"), 410},
		{problem.TooLarge("c", "m"), 413}, {problem.Invalid("c", "m"), 422}, {problem.TooMany("c", "m", 0), 429},
		{problem.Unavailable("c", "m"), 503},
	}
	for _, c := range cases {
		if got := problem.Status(fmt.Errorf("x: %w", c.err)); got != c.want {
			t.Errorf("%+v: status %d, want %d", c.err, got, c.want)
		}
	}
	if got := problem.Status(errors.New("disk on fire")); got != 500 {
		t.Errorf("a plain error is %d, want 500", got)
	}
	if p := problem.TooMany("slow_down", "Wait.", 0).Retry(90 * time.Second); p.RetryAfter != 90*time.Second {
		t.Errorf("Retry: %v", p.RetryAfter)
	}
}
