package stream_test

import (
	"strconv"

	"github.com/uivmm/uivmm/eventstore"
)

func itoa[T ~int64 | ~uint64 | ~int](v T) string {
	return strconv.FormatInt(int64(v), 10)
}

func sysMeta(requestID string) eventstore.Metadata {
	return eventstore.Metadata{ActorKind: eventstore.ActorSystem, RequestID: requestID}
}
