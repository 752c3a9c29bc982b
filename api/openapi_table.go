package api

// This file is the schema table of the OpenAPI document: one entry per
// catalogue method, with the request fields of CONTRACT.md §4. A test
// checks that it covers exactly the router's methods.

// specFieldType is a request specField's JSON type as the API accepts it.
type specFieldType uint8

const (
	tString      specFieldType = iota
	tInt                       // a JSON integer
	tBool                      // a JSON boolean
	tIntOrString               // an integer, or a numeric string ("8443")
	tObject                    // a JSON object; props lists its fields
	tBinary                    // a file part of a multipart body
)

// specField is one request specField.
type specField struct {
	name     string
	typ      specFieldType
	required bool
	desc     string
	enum     []string
	props    []specField
}

// response kinds of a method's 200.
type respKind uint8

const (
	respSingle respKind = iota // a Document with one resource
	respList                   // a Document with a list
	respAck                    // an Ack
	respStream                 // text/event-stream or a WebSocket
)

// methodSpec documents one method.
type methodSpec struct {
	summary string
	fields  []specField
	// variants are alternative sets of required fields (anyOf), for
	// methods whose step is chosen by the fields present.
	variants  [][]string
	resp      respKind
	resType   string
	errs      []int // statuses beyond those every method can return
	multipart bool
}

func reqField(name string, t specFieldType, desc string) specField {
	return specField{name: name, typ: t, required: true, desc: desc}
}
func optField(name string, t specFieldType, desc string) specField {
	return specField{name: name, typ: t, desc: desc}
}

var (
	fServerID  = reqField("server_id", tIntOrString, "id of the LXD server (server.list)")
	fProvider  = reqField("provider", tString, `the server's provider, "lxd"`)
	fRequestID = optField("request_id", tString, "the client's uuid for this request; the event that reports the outcome carries it")
	onServer   = []specField{fServerID, fProvider}
	serverConn = []specField{
		reqField("server_host", tString, "LXD host name or address"),
		reqField("server_port", tIntOrString, "LXD API port, such as 8443"),
		reqField("server_password", tString, "the LXD trust password (never stored)"),
		reqField("server_protocol", tString, `"lxd"`),
		optField("provider", tString, `"lxd"`),
		optField("server_path", tString, "unused; accepted for compatibility"),
	}
	instanceActions = []string{"start", "stop", "stop-force", "restart", "restart-force", "freeze", "unfreeze", "delete"}
)

// lxdErrs are the statuses of a call that reaches an LXD server.
var lxdErrs = []int{404, 502}

func onServerWith(extra ...specField) []specField {
	return append(append([]specField{}, onServer...), extra...)
}

// methodSpecs is the schema table, keyed by method name.
var methodSpecs = map[string]methodSpec{
	"certificate.list": {summary: "List a server's trusted certificates.", fields: onServer, resp: respList, resType: "certificate", errs: lxdErrs},
	"certificate.revoke": {summary: "Remove a certificate from a server's trust store.", resp: respAck, resType: "certificate", errs: lxdErrs,
		fields: onServerWith(reqField("certificate_fingerprint", tString, "fingerprint of the certificate"))},
	"config.get": {summary: "Public settings and a new event-stream id.", resp: respSingle, resType: "config"},
	"event.auth": {summary: "Bind an event stream to the caller.", resp: respAck, resType: "event", errs: []int{404},
		fields: []specField{reqField("stream", tString, "the stream id from config.get"), fRequestID}},
	"event.subscribe": {summary: "Open the event stream (server-sent events, or WebSocket with an Upgrade handshake).", resp: respStream, errs: []int{404},
		fields: []specField{reqField("stream", tString, "the stream id from config.get (in the query string for GET)")}},
	"health.alive": {summary: "Liveness probe.", resp: respAck, resType: "health"},
	"health.ready": {summary: "Readiness probe: 503 until the store answers and the read models have caught up.", resp: respAck, resType: "health"},
	"image.delete": {summary: "Delete an image from a server.", resp: respAck, resType: "image", errs: lxdErrs,
		fields: onServerWith(reqField("image_fingerprint", tString, "fingerprint of the image"))},
	"image.list": {summary: "List the images a server can use.", resp: respList, resType: "image", errs: lxdErrs,
		fields: onServerWith(optField("image_server_host", tString, `"" for the host's own images, or the URL of a simplestreams server`))},
	"image.serverList": {summary: "List the image servers offered for a server (never empty).", fields: onServer, resp: respList, resType: "image", errs: lxdErrs},
	"instance.action": {summary: "Start, stop, restart, freeze, unfreeze or delete an instance; the outcome arrives on the event stream.",
		resp: respAck, resType: "instance", errs: lxdErrs,
		fields: onServerWith(reqField("instance_name", tString, "the instance"),
			specField{name: "instance_status", typ: tString, required: true, desc: "the action", enum: instanceActions}, fRequestID)},
	"instance.add": {summary: "Create an instance; completion arrives on the event stream.", resp: respAck, resType: "instance", errs: lxdErrs,
		fields: onServerWith(
			reqField("instance_name", tString, "name of the new instance"),
			specField{name: "instance_type", typ: tString, required: true, desc: "kind of instance", enum: []string{"container", "virtual-machine"}},
			optField("image_server_host", tString, `"" or absent for the host's own images, else a simplestreams URL`),
			reqField("instance_image", tString, "image fingerprint (or alias on the host's own images)"),
			reqField("instance_profiles", tString, "profile names, comma-separated, at least one"),
			optField("instance_memory", tString, `memory in MiB, such as "512"`),
			optField("instance_cpu", tString, `CPU count, such as "2"`),
			optField("instance_command", tString, "may be empty"),
			optField("instance_interface", tString, `NIC name such as "eth0", or ""`),
			optField("instance_network", tString, `static address in CIDR form such as "10.10.10.20/24", or ""`),
			optField("instance_nameserver", tString, `name server such as "8.8.8.8"`),
			optField("instance_dhcp", tBool, "use DHCP"),
			fRequestID)},
	"instance.get": {summary: "One instance, full form.", resp: respSingle, resType: "instance", errs: lxdErrs,
		fields: onServerWith(reqField("instance_name", tString, "the instance"))},
	"instance.list": {summary: "List a server's instances.", resp: respList, resType: "instance", errs: lxdErrs,
		fields: onServerWith(optField("instance_id", tString, "ignored"))},
	"network.list": {summary: "List a server's networks.", fields: onServer, resp: respList, resType: "network", errs: lxdErrs},
	"pool.list":    {summary: "List a server's storage pools.", fields: onServer, resp: respList, resType: "pool", errs: lxdErrs},
	"profile.delete": {summary: "Delete a profile.", resp: respAck, resType: "profile", errs: lxdErrs,
		fields: onServerWith(reqField("profile_name", tString, "the profile"))},
	"profile.list": {summary: "List a server's profiles.", fields: onServer, resp: respList, resType: "profile", errs: lxdErrs},
	"profile.update": {summary: "Update (and optionally rename) a profile.", resp: respAck, resType: "profile", errs: lxdErrs,
		fields: onServerWith(reqField("profile_name", tString, "the current name"), reqField("profile_body", tString, "the profile as YAML"),
			optField("profile_rename", tString, "the new name, only when renaming (equals the YAML name)"))},
	"server.add": {summary: "Add an LXD server.", fields: serverConn, resp: respSingle, resType: "server", errs: []int{502}},
	"server.get": {summary: "One server, full form, with its profiles, certificates, pools and volumes in included.", fields: onServer, resp: respSingle, resType: "server", errs: lxdErrs},
	"server.list": {summary: "List the servers the caller may see.", resp: respList, resType: "server",
		fields: []specField{optField("provider", tString, "optional filter"), optField("server_id", tIntOrString, "optional filter")}},
	"server.verify": {summary: "Test the connection to an LXD server without adding it.", fields: serverConn, resp: respAck, resType: "server", errs: []int{502}},
	"simplestream.add": {summary: "Declare a simplestreams product.", resp: respSingle, resType: "simplestream",
		fields: []specField{reqField("product_os", tString, "such as ubuntu"), reqField("product_release", tString, "such as 22.04"),
			reqField("product_arch", tString, "such as amd64"), optField("product_variant", tString, "such as default"),
			optField("product_aliases", tString, "comma-separated aliases"), optField("product_release_title", tString, "human-readable release")}},
	"simplestream.images": {summary: "List the files of the built-in simplestreams server.", resp: respList, resType: "simplestream"},
	"simplestream.list": {summary: "The built-in simplestreams server; streams/v1/index.json, streams/v1/images.json and every item path are served under this method's path.",
		resp: respList, resType: "simplestream"},
	"simplestream.upload": {summary: "Upload an image file for a product version.", resp: respSingle, resType: "simplestream", multipart: true,
		fields: []specField{reqField("file", tBinary, "the image file"),
			{name: "payload", typ: tObject, required: true, desc: "a JSON part", props: []specField{
				reqField("product_id", tString, `such as "ubuntu:22.04:amd64:default"`), reqField("product_version_serial", tString, "such as 20240101")}}}},
	"ssh-key.add": {summary: "Add an SSH public key to the caller's account.", resp: respAck, resType: "ssh-key",
		fields: []specField{reqField("key_name", tString, "a name for the key"), reqField("key_public", tString, `the public key, starting with "ssh-"`)}},
	"ssh-key.delete": {summary: "Delete one of the caller's SSH keys.", resp: respAck, resType: "ssh-key", errs: []int{404},
		fields: []specField{reqField("key_id", tInt, "id of the key")}},
	"ssh-key.get": {summary: "List the caller's SSH keys.", resp: respList, resType: "ssh-key"},
	"token.create": {summary: "Create an API token; attributes.token is shown once.", resp: respSingle, resType: "token",
		fields: []specField{reqField("token_lifetime", tInt, "lifetime in seconds (the UI offers 3600, 86400, 2592000, 31536000)"),
			optField("token_revoke_all", tBool, "revoke the caller's other API tokens")}},
	"token.get":    {summary: "List the caller's tokens.", resp: respList, resType: "token"},
	"token.revoke": {summary: "Revoke a token.", resp: respAck, resType: "token", errs: []int{404}, fields: []specField{reqField("token_name", tString, "the token's GUID")}},
	"user.assertionGet": {summary: "Passkey login, step 1: request options (attributes.publicKey).", resp: respSingle, resType: "credential", errs: []int{404},
		fields: []specField{reqField("user_login", tString, "login or e-mail")}},
	"user.assertionVerify": {summary: "Passkey login, step 2: verify the assertion; answers as user.login.", resp: respSingle, resType: "user", errs: []int{404, 429},
		fields: []specField{reqField("user_login", tString, "login or e-mail"), reqField("id", tString, "credential id (base64url)"),
			reqField("rawId", tString, "credential id (base64url)"), reqField("type", tString, `"public-key"`),
			{name: "response", typ: tObject, required: true, desc: "the authenticator's assertion, base64url", props: []specField{
				reqField("authenticatorData", tString, ""), reqField("clientDataJSON", tString, ""), reqField("signature", tString, ""), optField("userHandle", tString, "may be empty")}}}},
	"user.credentialDelete": {summary: "Delete one of the caller's passkeys.", resp: respAck, resType: "user", errs: []int{404},
		fields: []specField{reqField("key_id", tInt, "id of the passkey")}},
	"user.credentialGet": {summary: "List the caller's passkeys.", resp: respList, resType: "credential"},
	"user.credentialMake": {summary: "Passkey registration: without response, creation options; with response, verify and store the passkey (a Bearer token adds it to the caller when user_register is false).",
		resp: respSingle, resType: "credential", errs: []int{404, 409},
		fields: []specField{reqField("user_login", tString, "login"), optField("user_email", tString, "e-mail (registration)"),
			optField("user_register", tBool, "true on the register page, false to add a key to the caller's account"),
			optField("attestation_type", tString, "step 1: attestation preference"), optField("authenticator_attachment", tString, "step 1: platform or cross-platform"),
			optField("id", tString, "step 2: credential id"), optField("rawId", tString, "step 2: credential id (base64url)"), optField("type", tString, `step 2: "public-key"`),
			{name: "response", typ: tObject, desc: "step 2: the attestation, base64url", props: []specField{
				reqField("attestationObject", tString, ""), reqField("clientDataJSON", tString, "")}}}},
	"user.emailChange": {summary: `Change e-mail: with user_code "" a code is mailed to the new address; with the code the change applies.`, resp: respAck, resType: "user",
		fields: []specField{reqField("user_email", tString, "the new address"), optField("user_code", tString, `"" or the 36-character code`)}},
	"user.get": {summary: "The caller's account.", resp: respSingle, resType: "user"},
	"user.login": {summary: "Log in with a password; attributes.token is the bearer token, the user is in included.", resp: respSingle, resType: "user", errs: []int{404, 429},
		fields: []specField{reqField("user_login", tString, "login or e-mail"), reqField("user_password", tString, "the password")}},
	"user.logout": {summary: "Revoke the token of this call.", resp: respAck, resType: "user"},
	"user.passwordChange": {summary: "Change the caller's password.", resp: respAck, resType: "user",
		fields: []specField{reqField("user_password", tString, "at least 6 characters"), reqField("user_passwordRepeat", tString, "the same again")}},
	"user.passwordLock": {summary: `Lock password login ({true,""}), ask for an unlock code ({false,""}) or unlock with it ({false,code}).`, resp: respAck, resType: "user",
		fields: []specField{reqField("user_password_locked", tBool, "the wanted state"), reqField("user_code", tString, `"" or the 36-character code`)}},
	"user.recovery": {summary: "Password recovery: {user_email} mails a code, {user_code} checks it, {user_code, user_password, user_passwordRepeat} resets the password.",
		resp: respAck, resType: "user", errs: []int{403, 404},
		fields: []specField{optField("user_email", tString, "step 1"), optField("user_code", tString, "steps 2 and 3"),
			optField("user_password", tString, "step 3, at least 6 characters"), optField("user_passwordRepeat", tString, "step 3, the same again")},
		variants: [][]string{{"user_email"}, {"user_code"}, {"user_code", "user_password", "user_passwordRepeat"}}},
	"user.register": {summary: "Registration: {user_login, user_email, user_password, user_passwordRepeat} creates an inactive account and mails a code; {user_code} activates it.",
		resp: respAck, resType: "user", errs: []int{403, 404, 409},
		fields: []specField{optField("user_login", tString, "step 1"), optField("user_email", tString, "step 1"),
			optField("user_password", tString, "step 1, at least 6 characters"), optField("user_passwordRepeat", tString, "step 1, the same again"),
			optField("user_code", tString, "step 2: the mailed code")},
		variants: [][]string{{"user_login", "user_email", "user_password", "user_passwordRepeat"}, {"user_code"}}},
	"volume.list": {summary: "List a server's storage volumes.", fields: onServer, resp: respList, resType: "volume", errs: lxdErrs},
}
