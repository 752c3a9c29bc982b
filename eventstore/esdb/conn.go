package esdb

import (
	"context"

	client "github.com/EventStore/EventStore-Client-Go/v4/esdb"
)

// conn is the part of the EventStoreDB client the Store uses. clientConn
// adapts *client.Client to it; the package's tests put an in-memory
// emulation behind it to run the contract suite without a server.
type conn interface {
	AppendToStream(ctx context.Context, stream string, opts client.AppendToStreamOptions, events ...client.EventData) (*client.WriteResult, error)
	ReadStream(ctx context.Context, stream string, opts client.ReadStreamOptions, count uint64) (eventReader, error)
	ReadAll(ctx context.Context, opts client.ReadAllOptions, count uint64) (eventReader, error)
	SubscribeToAll(ctx context.Context, opts client.SubscribeToAllOptions) (subscription, error)
	Close() error
}

// eventReader is a read in progress (*client.ReadStream): Recv returns
// io.EOF after the last event.
type eventReader interface {
	Recv() (*client.ResolvedEvent, error)
	Close()
}

// subscription is a running subscription (*client.Subscription).
type subscription interface {
	Recv() *client.SubscriptionEvent
	Close() error
}

// clientConn is conn over the real client.
type clientConn struct{ c *client.Client }

func (c clientConn) AppendToStream(ctx context.Context, stream string, opts client.AppendToStreamOptions, events ...client.EventData) (*client.WriteResult, error) {
	return c.c.AppendToStream(ctx, stream, opts, events...)
}

func (c clientConn) ReadStream(ctx context.Context, stream string, opts client.ReadStreamOptions, count uint64) (eventReader, error) {
	rs, err := c.c.ReadStream(ctx, stream, opts, count)
	if err != nil {
		return nil, err
	}
	return rs, nil
}

func (c clientConn) ReadAll(ctx context.Context, opts client.ReadAllOptions, count uint64) (eventReader, error) {
	rs, err := c.c.ReadAll(ctx, opts, count)
	if err != nil {
		return nil, err
	}
	return rs, nil
}

func (c clientConn) SubscribeToAll(ctx context.Context, opts client.SubscribeToAllOptions) (subscription, error) {
	sub, err := c.c.SubscribeToAll(ctx, opts)
	if err != nil {
		return nil, err
	}
	return sub, nil
}

func (c clientConn) Close() error { return c.c.Close() }
