package lxd

import (
	"context"
	"fmt"
	"net/url"
	"time"

	lxdclient "github.com/canonical/lxd/client"
)

// runOp sends a request that LXD answers with a background operation and
// waits until the operation ends. path is below /1.0 ("/instances"); the
// project is added here.
//
// The LXD client's own operation calls open an events websocket per
// operation that lingers; runOp polls GET /1.0/operations/<id>/wait
// instead, so nothing outlives the call. A failed operation gives *Error
// with Status 0 and LXD's message.
func (s *Server) runOp(ctx context.Context, c *lxdclient.ProtocolLXD, what, method, path string, body any) error {
	resp, _, err := c.RawQuery(method, s.apiPath(path, nil), body, "")
	if err != nil {
		return wrap(what, err)
	}
	op, err := resp.MetadataAsOperation()
	if err != nil {
		return wrap(what, fmt.Errorf("reading the operation: %w", err))
	}
	for !op.StatusCode.IsFinal() {
		wait := 30
		if dl, ok := ctx.Deadline(); ok {
			wait = max(1, min(wait, int(time.Until(dl).Seconds())))
		}
		q := url.Values{"timeout": {fmt.Sprint(wait)}}
		resp, _, err := c.RawQuery("GET", s.apiPath("/operations/"+url.PathEscape(op.ID)+"/wait", q), nil, "")
		if err != nil {
			return wrap(what, err)
		}
		if op, err = resp.MetadataAsOperation(); err != nil {
			return wrap(what, fmt.Errorf("reading the operation: %w", err))
		}
		if err := ctx.Err(); err != nil && !op.StatusCode.IsFinal() {
			return wrap(what, err)
		}
	}
	if op.Err != "" {
		return &Error{Op: what, Message: op.Err}
	}
	return nil
}

// apiPath is /1.0 + path with the Server's project in the query.
func (s *Server) apiPath(path string, query url.Values) string {
	q := url.Values{}
	for k, v := range query {
		q[k] = v
	}
	q.Set("project", s.s.project)
	return "/1.0" + path + "?" + q.Encode()
}
