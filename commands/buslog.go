package commands

import (
	"context"
	"log/slog"

	"github.com/ThreeDotsLabs/watermill"
)

// BusLogger adapts log for Watermill's buses and routers. Watermill's Info
// goes to Debug (it is chatty), and the level is checked before
// Watermill's fields are converted: Watermill logs every message it
// routes, for every handler, at Debug or Trace, and converting those
// fields for a disabled level was a large share of the event bus's
// allocations.
func BusLogger(log *slog.Logger) watermill.LoggerAdapter {
	return &busLogger{log: log, inner: watermill.NewSlogLoggerWithLevelMapping(log,
		map[slog.Level]slog.Level{slog.LevelInfo: slog.LevelDebug})}
}

type busLogger struct {
	log   *slog.Logger // for the level checks
	inner watermill.LoggerAdapter
}

func (l *busLogger) enabled(level slog.Level) bool { return l.log.Enabled(context.Background(), level) }

func (l *busLogger) Error(msg string, err error, fields watermill.LogFields) {
	l.inner.Error(msg, err, fields)
}

func (l *busLogger) Info(msg string, fields watermill.LogFields) {
	if l.enabled(slog.LevelDebug) {
		l.inner.Info(msg, fields)
	}
}

func (l *busLogger) Debug(msg string, fields watermill.LogFields) {
	if l.enabled(slog.LevelDebug) {
		l.inner.Debug(msg, fields)
	}
}

func (l *busLogger) Trace(msg string, fields watermill.LogFields) {
	if l.enabled(watermill.LevelTrace) {
		l.inner.Trace(msg, fields)
	}
}

func (l *busLogger) With(fields watermill.LogFields) watermill.LoggerAdapter {
	return &busLogger{log: l.log, inner: l.inner.With(fields)}
}
