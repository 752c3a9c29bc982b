package passkey

import "errors"

// Sentinel errors returned (wrapped) by the ceremonies. Inspect them with
// errors.Is; every failure matches exactly one. All describe a request the
// client got wrong and map to HTTP 400, never 401. The wrapped detail is for
// logs, never for the client.
var (
	// ErrNoChallenge means there is no pending challenge for the purpose and
	// login: it was never issued, has expired, was replaced by a newer Begin,
	// or was already used by a Finish call.
	ErrNoChallenge = errors.New("passkey: no pending challenge")

	// ErrBadOrigin means the client data names an origin that is not one of
	// Config.RPOrigins.
	ErrBadOrigin = errors.New("passkey: origin not allowed")

	// ErrBadChallenge means the client data answers another challenge than
	// the one pending for the login (an old or replayed response).
	ErrBadChallenge = errors.New("passkey: challenge mismatch")

	// ErrUnknownCredential means the response uses a credential that the
	// user does not own (any more) or that was not offered in
	// allowCredentials. BeginLogin also returns it for a user without
	// credentials.
	ErrUnknownCredential = errors.New("passkey: unknown credential")

	// ErrCloned means the signature counter did not increase, which signals a
	// cloned authenticator. The assertion is refused.
	ErrCloned = errors.New("passkey: signature counter regression, authenticator may be cloned")

	// ErrInvalid means anything else: a malformed body, a bad signature, a
	// wrong ceremony type or RP ID hash, a user other than the one the
	// challenge was issued to, a re-registration of an excluded credential,
	// or an invalid argument to a Begin call.
	ErrInvalid = errors.New("passkey: invalid webauthn request")
)
