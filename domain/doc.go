// Package domain holds what every aggregate package shares: the Event
// interface and the registry that decodes stored events by their stable
// type names, the Root that aggregates embed to track their revision and
// uncommitted changes, and the one error vocabulary (Error and its Kind)
// that the API maps to HTTP statuses.
//
// The aggregates themselves live in sub-packages (domain/user,
// domain/server, ...). This package and its sub-packages import only the
// standard library (and each other).
package domain
