package main

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// progress draws a one-line progress bar on w (a terminal's stderr).
type progress struct {
	w    io.Writer
	last time.Time
}

func newProgress(w io.Writer) *progress { return &progress{w: w} }

func (p *progress) update(done, total uint64) {
	if time.Since(p.last) < 100*time.Millisecond && done < total {
		return
	}
	p.last = time.Now()
	frac := 1.0
	if total > 0 {
		frac = float64(done) / float64(total)
	}
	n := int(frac * 40)
	fmt.Fprintf(p.w, "\r[%s%s] %3.0f%% %d/%d", strings.Repeat("=", n), strings.Repeat(" ", 40-n), frac*100, done, total)
}

func (p *progress) done() { fmt.Fprintln(p.w) }
