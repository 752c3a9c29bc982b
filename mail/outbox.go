package mail

import (
	"context"
	"crypto/rand"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// DefaultOutboxFrom is the sender written into outbox files unless WithFrom
// says otherwise.
const DefaultOutboxFrom = "uivmm <uivmm@localhost>"

// Outbox is a Sender that writes each message as an RFC 5322 .eml file into a
// directory instead of sending it: for development, tests, and hosts without
// a relay. Files appear atomically (written to a hidden temporary file, synced,
// then renamed), with mode 0600 in a directory created with mode 0700; names
// sort by time of writing. An Outbox is safe for concurrent use.
type Outbox struct {
	dir  string
	from string
}

// NewOutbox returns an Outbox writing into dir, which is created on the first
// Send if needed.
func NewOutbox(dir string) *Outbox {
	return &Outbox{dir: dir, from: DefaultOutboxFrom}
}

// WithFrom returns a copy of o that writes from as the sender.
func (o *Outbox) WithFrom(from string) *Outbox {
	c := *o
	c.from = from
	return &c
}

// Dir is the directory o writes into.
func (o *Outbox) Dir() string { return o.dir }

// Send writes m as a new .eml file. It fails, writing nothing, on a header
// injection or a bad address. It returns ctx's error if ctx is already done.
func (o *Outbox) Send(ctx context.Context, m Message) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("writing mail to outbox: %w", err)
	}
	now := time.Now()
	msg, err := compose(m, o.from, now)
	if err != nil {
		return fmt.Errorf("writing mail to outbox: %w", err)
	}
	if err := os.MkdirAll(o.dir, 0o700); err != nil {
		return fmt.Errorf("creating outbox: %w", err)
	}
	name := now.UTC().Format("20060102T150405.000000000Z") + "-" + strings.ToLower(rand.Text()[:10]) + ".eml"
	if err := writeAtomic(o.dir, name, msg.data); err != nil {
		return fmt.Errorf("writing mail to outbox: %w", err)
	}
	return nil
}

// writeAtomic writes data to dir/name through a temporary file in dir, so a
// reader never sees a partial file.
func writeAtomic(dir, name string, data []byte) (err error) {
	f, err := os.CreateTemp(dir, ".eml-*.tmp") // mode 0600
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			_ = os.Remove(tmp)
		}
	}()
	if _, err = f.Write(data); err != nil {
		_ = f.Close()
		return err
	}
	if err = f.Sync(); err != nil {
		_ = f.Close()
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	if err = os.Rename(tmp, filepath.Join(dir, name)); err != nil {
		return err
	}
	if d, derr := os.Open(dir); derr == nil { // make the rename durable
		_ = d.Sync()
		_ = d.Close()
	}
	return nil
}
