// The Go side of bench/bench_chan.c: the same programs with goroutines and
// channels. Build: cd bench/go && go build -o ../../build/bench/chan_go .
// Run: chan_go [quick]. Prints "name value" lines that bench_chan reads.
// Single-thread rows run with GOMAXPROCS=1, the cross-thread rows with 2.
package main

import (
	"fmt"
	"os"
	"runtime"
	"sort"
	"sync"
	"syscall"
	"time"
)

// cpuNow: process CPU time (user+sys) in ns. The machine is shared: CPU
// time leaves out the time other programs had the core. Single-thread rows
// use it (GOMAXPROCS=1: one P does the work); the cross-thread row uses
// wall time.
func cpuNow() int64 {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return ru.Utime.Nano() + ru.Stime.Nano()
}

type clock struct {
	cpu  bool
	t0   time.Time
	cpu0 int64
}

func start(cpu bool) clock { return clock{cpu, time.Now(), cpuNow()} }
func (c clock) ns() float64 {
	if c.cpu {
		return float64(cpuNow() - c.cpu0)
	}
	return float64(time.Since(c.t0).Nanoseconds())
}

var useCPU = true

func median(f func() float64) float64 {
	r := []float64{f(), f(), f()}
	sort.Float64s(r)
	return r[1]
}

// unbuffered ping-pong, ns one way
func pingpong(n int) float64 {
	a, b := make(chan int), make(chan int)
	go func() {
		for v := range a {
			b <- v + 1
		}
	}()
	t := start(useCPU)
	for i := 0; i < n; i++ {
		a <- i
		<-b
	}
	d := t.ns()
	close(a)
	return d / float64(2*n)
}

// the same ping-pong with each goroutine locked to its own OS thread: the
// runtime cannot keep both on one P, so every hand-off wakes the other
// thread, as two arsenal schedulers on two threads must
func pingpongLocked(n int) float64 {
	a, b := make(chan int), make(chan int)
	ready := make(chan bool)
	go func() {
		runtime.LockOSThread()
		ready <- true
		for v := range a {
			b <- v + 1
		}
	}()
	<-ready
	runtime.LockOSThread()
	t := start(false)
	for i := 0; i < n; i++ {
		a <- i
		<-b
	}
	d := t.ns()
	runtime.UnlockOSThread()
	close(a)
	return d / float64(2*n)
}

// ping-pong where every operation is a 2-clause select
func selectPingpong(n int) float64 {
	a, b, never := make(chan int), make(chan int), make(chan int)
	done := make(chan bool)
	go func() {
		for i := 0; i < n; i++ {
			var v int
			select {
			case v = <-a:
			case <-never:
			}
			select {
			case b <- v + 1:
			case <-never:
			}
		}
		done <- true
	}()
	t := start(true)
	for i := 0; i < n; i++ {
		select {
		case a <- i:
		case <-never:
		}
		select {
		case <-b:
		case <-never:
		}
	}
	d := t.ns()
	<-done
	return d / float64(2*n)
}

// producer -> consumer over a cap-1024 channel, million messages per second
func buffered(n int) float64 {
	c := make(chan int, 1024)
	done := make(chan int)
	go func() {
		s := 0
		for v := range c {
			s += v
		}
		done <- s
	}()
	t := start(useCPU)
	for i := 0; i < n; i++ {
		c <- i
	}
	close(c)
	<-done
	return float64(n) / (t.ns() / 1e9) / 1e6
}

// spawn a goroutine that does nothing and run it to completion, ns each
func spawn(n int) float64 {
	var wg sync.WaitGroup
	t := start(true)
	for i := 0; i < n; i += 32 {
		wg.Add(32)
		for k := 0; k < 32; k++ {
			go func() { wg.Done() }()
		}
		wg.Wait()
	}
	return t.ns() / float64(n)
}

func main() {
	quick := len(os.Args) > 1 && os.Args[1] == "quick"
	n := 2000000
	if quick {
		n = 200000
	}
	runtime.GOMAXPROCS(1)
	fmt.Printf("pingpong_ns %.1f\n", median(func() float64 { return pingpong(n) }))
	fmt.Printf("select_ns %.1f\n", median(func() float64 { return selectPingpong(n / 2) }))
	fmt.Printf("buffered_mps %.1f\n", median(func() float64 { return buffered(4 * n) }))
	fmt.Printf("spawn_ns %.1f\n", median(func() float64 { return spawn(n) }))
	runtime.GOMAXPROCS(2)
	useCPU = false
	fmt.Printf("xthread_ns %.1f\n", median(func() float64 { return pingpong(n / 4) }))
	fmt.Printf("xthread_locked_ns %.1f\n", median(func() float64 { return pingpongLocked(n / 40) }))
	fmt.Printf("xbuffered_mps %.1f\n", median(func() float64 { return buffered(n) }))
}
