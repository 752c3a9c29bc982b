package commands

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/ThreeDotsLabs/watermill/components/cqrs"
	"github.com/ThreeDotsLabs/watermill/components/requestreply"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/ThreeDotsLabs/watermill/pubsub/gochannel"

	"github.com/uivmm/uivmm/domain"
)

// Handler is one command handler, as built by the New...Handler
// constructors: the command's lasting name and the watermill handler.
type Handler struct {
	Name string
	cqrs func(backend requestreply.Backend[Result], timeout time.Duration, log *slog.Logger) cqrs.CommandHandler
}

// handler adapts a typed handle function. The watermill handler returns at
// once and the work runs in its own goroutine, so commands of one type are
// handled concurrently (the store's expected revision serialises writers to
// one aggregate); the reply goes back through the requestreply backend.
func handler[C any](name string, handle func(ctx context.Context, cmd *C) (Result, error)) Handler {
	return Handler{Name: name, cqrs: func(backend requestreply.Backend[Result], timeout time.Duration, log *slog.Logger) cqrs.CommandHandler {
		return cqrs.NewCommandHandler(name, func(ctx context.Context, cmd *C) error {
			orig := cqrs.OriginalMessageFromCtx(ctx)
			go func() {
				ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), timeout)
				defer cancel()
				res, err := handle(ctx, cmd)
				res.Err = toReply(err)
				logFailure(ctx, log, name, err, res.Err)
				_ = backend.OnCommandProcessed(ctx, requestreply.BackendOnCommandProcessedParams[Result]{
					Command: cmd, CommandMessage: orig, HandlerResult: res,
				})
			}()
			return nil
		})
	}}
}

// Bus sends commands over Watermill (an in-process GoChannel) and waits
// for their results. It is safe for concurrent use.
type Bus struct {
	pubsub  *gochannel.GoChannel
	router  *message.Router
	cmdBus  *cqrs.CommandBus
	backend *requestreply.PubSubBackend[Result]
	log     *slog.Logger
	observe func(command string, took time.Duration, err error)
}

// BusConfig configures a Bus.
type BusConfig struct {
	// Timeout bounds one command, from send to reply.
	Timeout time.Duration
	Logger  *slog.Logger
	// Observer, when set, is called after every Send with the command's
	// name, how long it took and its error (nil on success); metrics uses
	// it. It must be quick and safe for concurrent use.
	Observer func(command string, took time.Duration, err error)
}

// NewBus wires handlers to a command processor. Call Run to start it.
func NewBus(cfg BusConfig, handlers ...Handler) (*Bus, error) {
	if cfg.Timeout <= 0 {
		cfg.Timeout = 30 * time.Second
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	wlog := BusLogger(cfg.Logger)
	ps := gochannel.NewGoChannel(gochannel.Config{OutputChannelBuffer: 1024}, wlog)
	router, err := message.NewRouter(message.RouterConfig{}, wlog)
	if err != nil {
		return nil, fmt.Errorf("command router: %w", err)
	}
	marshaler := cqrs.JSONMarshaler{GenerateName: commandName}
	topic := func(name string) string { return "commands." + name }
	cmdBus, err := cqrs.NewCommandBusWithConfig(ps, cqrs.CommandBusConfig{
		GeneratePublishTopic: func(p cqrs.CommandBusGeneratePublishTopicParams) (string, error) { return topic(p.CommandName), nil },
		Marshaler:            marshaler, Logger: wlog,
	})
	if err != nil {
		return nil, fmt.Errorf("command bus: %w", err)
	}
	replyTimeout := cfg.Timeout + time.Second
	backend, err := requestreply.NewPubSubBackend(requestreply.PubSubBackendConfig{
		Publisher:             ps,
		SubscriberConstructor: func(requestreply.PubSubBackendSubscribeParams) (message.Subscriber, error) { return ps, nil },
		GeneratePublishTopic: func(p requestreply.PubSubBackendPublishParams) (string, error) {
			return "replies." + string(p.OperationID), nil
		},
		GenerateSubscribeTopic: func(p requestreply.PubSubBackendSubscribeParams) (string, error) {
			return "replies." + string(p.OperationID), nil
		},
		ListenForReplyTimeout: &replyTimeout,
		Logger:                wlog,
	}, requestreply.BackendPubsubJSONMarshaler[Result]{})
	if err != nil {
		return nil, fmt.Errorf("reply backend: %w", err)
	}
	proc, err := cqrs.NewCommandProcessorWithConfig(router, cqrs.CommandProcessorConfig{
		GenerateSubscribeTopic: func(p cqrs.CommandProcessorGenerateSubscribeTopicParams) (string, error) {
			return topic(p.CommandName), nil
		},
		SubscriberConstructor: func(cqrs.CommandProcessorSubscriberConstructorParams) (message.Subscriber, error) { return ps, nil },
		Marshaler:             marshaler, Logger: wlog,
	})
	if err != nil {
		return nil, fmt.Errorf("command processor: %w", err)
	}
	for _, h := range handlers {
		if err := proc.AddHandlers(h.cqrs(backend, cfg.Timeout, cfg.Logger)); err != nil {
			return nil, fmt.Errorf("adding handler %s: %w", h.Name, err)
		}
	}
	return &Bus{pubsub: ps, router: router, cmdBus: cmdBus, backend: backend, log: cfg.Logger, observe: cfg.Observer}, nil
}

func commandName(v any) string {
	if c, ok := v.(interface{ CommandName() string }); ok {
		return c.CommandName()
	}
	return cqrs.FullyQualifiedStructName(v)
}

// Run runs the command processor until ctx is done.
func (b *Bus) Run(ctx context.Context) error { return b.router.Run(ctx) }

// Running is closed once the processor accepts commands.
func (b *Bus) Running() chan struct{} { return b.router.Running() }

// Close stops the processor and the pub/sub.
func (b *Bus) Close() error { return errors.Join(b.router.Close(), b.pubsub.Close()) }

// Send sends cmd and waits for its result. A handler's failure comes back
// as the *domain.Error it returned (other failures as a 500-kind error).
func (b *Bus) Send(ctx context.Context, cmd Command) (_ Result, err error) {
	if b.observe != nil {
		defer func(start time.Time) { b.observe(cmd.CommandName(), time.Since(start), err) }(time.Now())
	}
	reply, err := requestreply.SendWithReply[Result](ctx, b.cmdBus, b.backend, cmd)
	if err != nil {
		if ctx.Err() != nil {
			return Result{}, &domain.Error{Kind: domain.KindTimeout, Detail: "the command timed out", Err: err}
		}
		return Result{}, fmt.Errorf("sending %s: %w", cmd.CommandName(), err)
	}
	if reply.Error != nil {
		var timeout requestreply.ReplyTimeoutError
		if errors.As(reply.Error, &timeout) {
			return Result{}, &domain.Error{Kind: domain.KindTimeout, Detail: "the command timed out", Err: reply.Error}
		}
		return Result{}, fmt.Errorf("%s: %w", cmd.CommandName(), reply.Error)
	}
	res := reply.HandlerResult
	if res.Err != nil {
		return res, res.Err.asError()
	}
	return res, nil
}

// logFailure logs the cause of a failed command: the reply carries only
// the safe detail, so this is where an operator finds out why.
func logFailure(ctx context.Context, log *slog.Logger, name string, err error, reply *ReplyError) {
	if err == nil {
		return
	}
	lvl := slog.LevelDebug
	if reply.Kind == domain.KindInternal || reply.Kind >= domain.KindUpstream && reply.Kind <= domain.KindTimeout {
		lvl = slog.LevelError
	}
	log.Log(ctx, lvl, "command failed", "command", name, "kind", reply.Kind.String(), "err", err.Error())
}
