package projections

import (
	"strconv"
	"strings"
)

// streamID returns the numeric id at the end of a stream name such as
// "user-7", or 0.
func streamID(stream string) int64 {
	i := strings.LastIndexByte(stream, '-')
	if i < 0 {
		return 0
	}
	id, _ := strconv.ParseInt(stream[i+1:], 10, 64)
	return id
}

func firstErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
