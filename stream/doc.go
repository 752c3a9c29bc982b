// Package stream is the live event stream: the hub that fans stored
// events out to Server-Sent Events and WebSocket subscribers, and the
// rendering of an event into the message both transports carry.
//
// # Protocol
//
// config.get hands out a stream id (NewStreamID); the id must be opened
// within Config.OpenTTL. GET or POST event.subscribe?stream=<id> serves
// SSE, or a WebSocket when the request is an Upgrade handshake. The stream
// is bound to a user by event.auth {stream, request_id} (bearer token), or
// at once by an Authorization: Bearer header on the GET or the upgrade.
// An unbound stream gets only pings and, after Config.AuthTimeout, a
// named SSE "close" event with "data: {}" (WebSocket: close code 1000).
// A binding lasts as long as the connection: a reconnect with the same id
// (EventSource does that) is accepted and needs a new event.auth.
//
// Pings are SSE comments (": ping") or WebSocket ping frames, never an
// unnamed message. Every message (the SSE data line, or one WebSocket text
// frame) is one JSON object, Message: the original front-end's type,
// request_id and body (a JSON:API document as a string), plus the domain
// event: position (also the SSE id), stream, event_type, time (unix
// seconds, like every time in the API), actor and data. Secrets are
// removed from data and body (Sanitize); internal streams (claims, id
// sequences) are never sent.
//
// # Ordering and delivery
//
// The hub is a projections.Runner listener: it sees every event once, in
// position order, renders it once, and never blocks. A dispatcher hands
// the events to the subscribers in batches, once per Config.FlushInterval
// (at once when the hub is quiet): under load a subscriber wakes, and is
// written with one system call, once per interval. The subscribers are
// spread over ten groups, each on its own phase of the interval, so the
// writes are spread evenly over it rather than coming in one burst. The
// dispatcher writes a subscriber's batch itself when the socket takes it
// without blocking and nothing is queued or held before it; otherwise
// (a full socket, a catch-up, a message held behind its request) the
// batch goes to the subscriber's queue and its own goroutine writes it,
// blocking within the write timeout. Each event's SSE event and
// WebSocket frame are made once, for every subscriber.
// Each subscriber has a bounded queue (Config.Buffer messages); one that
// still holds that many when the next batch comes is disconnected (SSE: a
// "close" event, WebSocket: StatusPolicyViolation) and counted, so a slow
// client never slows the writers or the other subscribers. On HTTP/1.x the
// SSE response is written on the taken-over connection ("Connection:
// close", no chunked encoding), as WebSocket frames are.
//
// A message carrying the request id of an HTTP request still being served
// is held (per subscriber, in order) until that request's reply has been
// written and flushed, plus Config.ReleaseGrace, at most Config.HoldMax:
// Middleware marks request ids in flight.
//
// Resuming: SSE Last-Event-ID, or ?from=<position> on either transport,
// is an exclusive checkpoint. Once bound, the subscriber catches up from
// the log (filtered as the live stream is), then drains its live queue,
// skipping positions already sent: no gap and no duplicate. While it
// catches up, a full queue drops live messages instead of the subscriber
// and the log is read again for them. Without a checkpoint, delivery
// starts at the position the hub had reached when the connection opened.
//
// # Who sees what
//
// A user in a group below 3 sees every event; any other user sees events
// they caused (metadata actor) and events about resources they own. The
// owner of an event comes from its stream kind (Catalog, Kind.Owner), then
// data.user_id / data.owner_id, then the owner learnt from earlier events
// of the same stream (or read from its first events).
//
// This package imports api, domain (and aggregate packages, for event
// names) and eventstore; it must not import commands, projections,
// readmodels or app.
package stream
