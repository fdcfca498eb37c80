package lazy

import (
	"sync"
	"testing"
)

func TestRegexpCompilesOnceOnFirstUse(t *testing.T) {
	re := Regexp(`^a+b$`)
	var wg sync.WaitGroup
	got := make(chan any, 8)
	for range 8 {
		wg.Go(func() { got <- re() })
	}
	wg.Wait()
	close(got)
	first := re()
	for r := range got {
		if r != first {
			t.Fatal("Regexp returned two different compiled expressions")
		}
	}
	if !first.MatchString("aab") || first.MatchString("ba") {
		t.Fatalf("compiled %q matches wrongly", first)
	}
}

func TestRegexpPanicsOnUseOfABadExpression(t *testing.T) {
	re := Regexp(`(`) // building it must not panic: nothing is compiled yet
	defer func() {
		if recover() == nil {
			t.Fatal("an invalid expression did not panic on first use")
		}
	}()
	re()
}
