package demo

import (
	"runtime"
	"sync"
)

// ordered runs produce(0..n-1) on up to workers goroutines and hands the
// results to consume in index order, on the calling goroutine, with at most
// a few results waiting at a time. It stops at the first error of consume.
func ordered[T any](n, workers int, produce func(i int) T, consume func(T) error) error {
	if workers <= 1 || n <= 1 {
		for i := 0; i < n; i++ {
			if err := consume(produce(i)); err != nil {
				return err
			}
		}
		return nil
	}
	type job struct {
		i   int
		out chan T
	}
	slots := make(chan chan T, 2*workers)
	jobs := make(chan job)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				j.out <- produce(j.i)
			}
		}()
	}
	go func() {
		defer close(slots)
		defer close(jobs)
		for i := 0; i < n; i++ {
			out := make(chan T, 1)
			select {
			case slots <- out:
			case <-stop:
				return
			}
			select {
			case jobs <- job{i, out}:
			case <-stop:
				return
			}
		}
	}()
	var err error
	for out := range slots {
		if err = consume(<-out); err != nil {
			close(stop)
			break
		}
	}
	wg.Wait()
	return err
}

// workers is how many goroutines generate and encode designs.
func workers() int { return runtime.GOMAXPROCS(0) }
