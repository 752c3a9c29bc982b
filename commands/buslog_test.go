package commands_test

import (
	"bytes"
	"errors"
	"log/slog"
	"strings"
	"testing"

	"github.com/ThreeDotsLabs/watermill"

	"github.com/uivmm/uivmm/commands"
)

// Watermill's chatter is logged only when the logger's level lets it
// through (its Info counts as Debug); errors always are.
func TestBusLoggerLevels(t *testing.T) {
	for _, c := range []struct {
		level slog.Level
		want  []string
	}{
		{slog.LevelInfo, []string{"e"}},
		{slog.LevelDebug, []string{"e", "i", "d"}},
		{watermill.LevelTrace, []string{"e", "i", "d", "t"}},
	} {
		var buf bytes.Buffer
		log := commands.BusLogger(slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: c.level}))).
			With(watermill.LogFields{"handler": "h"})
		log.Error("e", errors.New("boom"), watermill.LogFields{"k": 1})
		log.Info("i", watermill.LogFields{"k": 2})
		log.Debug("d", watermill.LogFields{"k": 3})
		log.Trace("t", watermill.LogFields{"k": 4})
		var got []string
		for _, line := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
			if !strings.Contains(line, "handler=h") {
				t.Errorf("level %s: line %q lost the logger's fields", c.level, line)
			}
			for _, m := range []string{"e", "i", "d", "t"} {
				if strings.Contains(line, " msg="+m+" ") {
					got = append(got, m)
				}
			}
		}
		if strings.Join(got, ",") != strings.Join(c.want, ",") {
			t.Errorf("level %s: logged %v, want %v\n%s", c.level, got, c.want, buf.String())
		}
	}
}
