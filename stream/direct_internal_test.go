package stream

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"testing"
	"time"
)

// A write that must not block sends what the socket takes, keeps the
// rest, and says so; the rest goes out first when the connection is
// written again, so the client reads every byte once, in order.
func TestDirectWriteKeepsTheRest(t *testing.T) {
	for _, kind := range []string{"sse", "ws"} {
		t.Run(kind, func(t *testing.T) {
			client, server := tcpPair(t)
			var dw directWriter
			var write func([]*event) error
			switch kind {
			case "sse":
				tr := &sseTransport{conn: server, raw: rawConn(server), timeout: 5 * time.Second}
				dw, write = tr, func(evs []*event) error { return tr.write(context.Background(), evs) }
			case "ws":
				bc := newBatchConn(server, 5*time.Second)
				tr := &wsTransport{bc: bc}
				dw, write = tr, func(evs []*event) error { return tr.write(context.Background(), evs) }
			}
			var want bytes.Buffer
			frame := func(ev *event) []byte {
				if kind == "sse" {
					return ev.sse
				}
				return ev.ws
			}
			// The client does not read: the socket fills.
			pos, partial, refused := uint64(0), false, false
			for i := 0; i < 10_000 && !partial; i++ {
				var evs []*event
				for range 40 {
					pos++
					evs = append(evs, framed(&event{pos: pos, line: []byte(fmt.Sprintf(`{"n":%d,"pad":"%0200d"}`, pos, pos))}))
				}
				written, pending := dw.writeNow(evs)
				if !written {
					refused = true // nothing taken: the caller would queue them
					pos -= 40
					break
				}
				for _, ev := range evs {
					want.Write(frame(ev))
				}
				partial = pending
			}
			if !partial { // batches of 40 messages do not fit the buffer exactly
				t.Fatalf("the socket never took part of a batch (refused whole: %v, after %d messages)", refused, pos)
			}
			if written, _ := dw.writeNow([]*event{framed(&event{pos: pos + 1, line: []byte(`{}`)})}); written {
				t.Fatal("a second direct write went ahead of the kept rest")
			}
			// Now the client reads everything that comes.
			last := framed(&event{pos: pos + 1, line: []byte(`{"last":1}`)})
			want.Write(frame(last))
			got := readN(client, int64(want.Len()))
			if err := dw.flushPending(); err != nil {
				t.Fatal(err)
			}
			if err := write([]*event{last}); err != nil {
				t.Fatal(err)
			}
			if b := <-got; !bytes.Equal(b, want.Bytes()) {
				t.Fatalf("client read %d bytes, want %d (equal prefix: %v)", len(b), want.Len(), bytes.HasPrefix(want.Bytes(), b))
			}
		})
	}
}

// readN reads n bytes from conn (within 10 s) in the background.
func readN(conn net.Conn, n int64) <-chan []byte {
	got := make(chan []byte, 1)
	go func() {
		var b bytes.Buffer
		_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
		_, _ = io.CopyN(&b, conn, n)
		got <- b.Bytes()
	}()
	return got
}

// tcpPair connects two loopback sockets with small buffers.
func tcpPair(t *testing.T) (client, server net.Conn) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	if client, err = net.Dial("tcp", ln.Addr().String()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { client.Close() })
	if server, err = ln.Accept(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { server.Close() })
	_ = server.(*net.TCPConn).SetWriteBuffer(8 << 10)
	_ = client.(*net.TCPConn).SetReadBuffer(8 << 10)
	return client, server
}

// A batch larger than one writev takes (IOV_MAX buffers), written while
// the client reads, so writes end inside buffers and resume there: the
// client gets every byte once, in order.
func TestDirectWriteOfAManyBufferBatch(t *testing.T) {
	for _, kind := range []string{"sse", "ws"} {
		t.Run(kind, func(t *testing.T) {
			client, server := tcpPair(t)
			_ = server.(*net.TCPConn).SetWriteBuffer(64 << 10)
			_ = client.(*net.TCPConn).SetReadBuffer(64 << 10)
			var dw directWriter
			frame := func(ev *event) []byte { return ev.ws }
			switch kind {
			case "sse":
				dw, frame = &sseTransport{conn: server, raw: rawConn(server), timeout: 5 * time.Second}, func(ev *event) []byte { return ev.sse }
			case "ws":
				dw = &wsTransport{bc: newBatchConn(server, 5*time.Second)}
			}
			var want bytes.Buffer
			var evs []*event
			for pos := uint64(1); pos <= 3*iovMax+7; pos++ {
				ev := framed(&event{pos: pos, line: []byte(fmt.Sprintf(`{"n":%d,"pad":"%0*d"}`, pos, int(pos%300), pos))})
				evs = append(evs, ev)
				want.Write(frame(ev))
			}
			got := readN(client, int64(want.Len()))
			for {
				written, pending := dw.writeNow(evs)
				if written {
					if pending {
						if err := dw.flushPending(); err != nil {
							t.Fatal(err)
						}
					}
					break
				}
				time.Sleep(time.Millisecond) // full: the client is reading
			}
			if b := <-got; !bytes.Equal(b, want.Bytes()) {
				t.Fatalf("client read %d bytes, want %d (equal prefix: %v)", len(b), want.Len(), bytes.HasPrefix(want.Bytes(), b))
			}
		})
	}
}
