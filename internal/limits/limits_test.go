package limits

import (
	"context"
	"errors"
	"strings"
	"testing"
)

func TestParseValue(t *testing.T) {
	for in, want := range map[string]int64{"500MB": 500 << 20, "20 GB": 20 << 30, "1tb": 1 << 40, "1024": 1024, "12kb": 12 << 10} {
		if got, err := ParseValue(Bytes, in); err != nil || got != want {
			t.Errorf("ParseValue(bytes, %q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "-1", "many", "9999999999TB"} {
		if _, err := ParseValue(Bytes, bad); err == nil {
			t.Errorf("ParseValue(bytes, %q) accepted", bad)
		}
	}
	if _, err := ParseValue(Designs, "5GB"); err == nil {
		t.Error("a unit on a count was accepted")
	}
	if w, ok := Parse(" Designs "); !ok || w != Designs {
		t.Errorf("Parse(Designs) = %q %v", w, ok)
	}
}

func TestJudgeAndMargin(t *testing.T) {
	c := &Checker{}
	if err := c.judge(Designs, 100, 90, 10); err != nil {
		t.Errorf("exactly at the limit: %v", err)
	}
	err := c.judge(Designs, 100, 90, 11)
	if !errors.Is(err, ErrOverLimit) || !strings.Contains(err.Error(), "can hold 100 designs; it has 90, and this would add 11") {
		t.Errorf("one over: %v", err)
	}
	if err := c.judge(Designs, 100, 150, 0); err == nil {
		t.Error("already over, adding nothing: allowed")
	}
	if err := c.judge(Designs, 100, 150, -10); err == nil {
		t.Error("already over, removing a little: allowed as an addition")
	}
	c.Margin = 0.10
	if err := c.judge(Designs, 2000, 2000, 200); err != nil {
		t.Errorf("within a 10 %% margin: %v", err)
	}
	if err := c.judge(Designs, 2000, 2000, 201); err == nil {
		t.Error("past the 10 % margin: allowed")
	}
	if err := (*Checker)(nil).Check(context.Background(), 1, Designs, 1e9); err != nil {
		t.Errorf("a nil Checker refused: %v", err)
	}
	if s := HumanBytes(8 << 20); s != "8 MB" {
		t.Errorf("HumanBytes(8 MB) = %q", s)
	}
}
