package instance_test

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/uivmm/uivmm/domain"
	"github.com/uivmm/uivmm/domain/instance"
)

var now = time.Unix(1_700_000_000, 0)

var spec = instance.Spec{Name: "web", Type: "container", Image: "busybox", Profiles: []string{"default"}}

var (
	requested = &instance.Requested{InstanceID: 5, ServerID: 3, UserID: 7, Spec: spec, RequestID: "r1", At: now.Unix()}
	created   = &instance.Created{InstanceID: 5, ServerID: 3, Name: "web", Snapshot: instance.Snapshot{Status: "stopped"}, At: now.Unix()}
	started   = &instance.Started{InstanceID: 5, ServerID: 3, Name: "web", Status: "running", At: now.Unix()}
	stopAsked = &instance.ActionRequested{InstanceID: 5, ServerID: 3, Name: "web", Action: "stop", RequestID: "r2", At: now.Unix()}
	delAsked  = &instance.ActionRequested{InstanceID: 5, ServerID: 3, Name: "web", Action: "delete", RequestID: "r3", At: now.Unix()}
	deleted   = &instance.Deleted{InstanceID: 5, ServerID: 3, Name: "web", At: now.Unix()}
)

// given builds an instance from history, as the repository would.
func given(events ...domain.Event) *instance.Instance {
	in := instance.New()
	for i, e := range events {
		in.When(e)
		in.Root().Loaded(uint64(i))
	}
	return in
}

// then checks the outcome: the error's kind and detail, or the events.
func then(t *testing.T, in *instance.Instance, err error, wantErr *domain.Error, want ...domain.Event) {
	t.Helper()
	if wantErr != nil {
		de, ok := domain.As(err)
		if !ok || de.Kind != wantErr.Kind || de.Detail != wantErr.Detail || de.Field != wantErr.Field {
			t.Fatalf("error = %v, want %s %q (%s)", err, wantErr.Kind, wantErr.Detail, wantErr.Field)
		}
		if n := len(in.Root().Changes()); n != 0 {
			t.Fatalf("a refused command recorded %d events", n)
		}
		return
	}
	if err != nil {
		t.Fatalf("unexpected error %v", err)
	}
	got := in.Root().Changes()
	if len(got) == 0 && len(want) == 0 {
		return
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("recorded %#v, want %#v", got, want)
	}
}

func TestRequest(t *testing.T) {
	with := func(f func(*instance.Spec)) instance.Spec {
		s := spec
		s.Profiles = []string{"default"}
		f(&s)
		return s
	}
	inv := func(field, detail string) *domain.Error { return domain.Invalid(field, detail) }
	for _, tc := range []struct {
		name    string
		given   []domain.Event
		spec    instance.Spec
		wantErr *domain.Error
		want    []domain.Event
	}{
		{name: "new instance", spec: spec, want: []domain.Event{requested}},
		{name: "type defaults to container", spec: with(func(s *instance.Spec) { s.Type = "" }), want: []domain.Event{requested}},
		{name: "duplicate profiles dropped", spec: with(func(s *instance.Spec) { s.Profiles = []string{"default", " default"} }),
			want: []domain.Event{requested}},
		{name: "no name", spec: with(func(s *instance.Spec) { s.Name = "" }), wantErr: inv("instance_name", domain.DetailFieldRequired)},
		{name: "name with underscore", spec: with(func(s *instance.Spec) { s.Name = "a_b" }), wantErr: inv("instance_name", instance.DetailNameInvalid)},
		{name: "name ends with hyphen", spec: with(func(s *instance.Spec) { s.Name = "web-" }), wantErr: inv("instance_name", instance.DetailNameInvalid)},
		{name: "name is a number", spec: with(func(s *instance.Spec) { s.Name = "123" }), wantErr: inv("instance_name", instance.DetailNameInvalid)},
		{name: "name too long", spec: with(func(s *instance.Spec) { s.Name = strings.Repeat("a", 64) }), wantErr: inv("instance_name", instance.DetailNameInvalid)},
		{name: "non-ascii name", spec: with(func(s *instance.Spec) { s.Name = "wéb" }), wantErr: inv("instance_name", instance.DetailNameInvalid)},
		{name: "bad type", spec: with(func(s *instance.Spec) { s.Type = "vm" }), wantErr: inv("instance_type", instance.DetailTypeInvalid)},
		{name: "no image", spec: with(func(s *instance.Spec) { s.Image = "" }), wantErr: inv("instance_image", domain.DetailFieldRequired)},
		{name: "bad image server", spec: with(func(s *instance.Spec) { s.ImageServer = "ftp://x" }),
			wantErr: inv("image_server_host", instance.DetailImageHostInvalid)},
		{name: "no profiles", spec: with(func(s *instance.Spec) { s.Profiles = []string{" "} }),
			wantErr: inv("instance_profiles", domain.DetailFieldRequired)},
		{name: "bad profile", spec: with(func(s *instance.Spec) { s.Profiles = []string{"a/b"} }),
			wantErr: inv("instance_profiles", instance.DetailProfilesInvalid)},
		{name: "negative memory", spec: with(func(s *instance.Spec) { s.MemoryMiB = -1 }), wantErr: inv("instance_memory", instance.DetailMemoryInvalid)},
		{name: "too many cpus", spec: with(func(s *instance.Spec) { s.CPUs = 5000 }), wantErr: inv("instance_cpu", instance.DetailCPUInvalid)},
		{name: "bad network", spec: with(func(s *instance.Spec) { s.Network = "10.0.0.1" }), wantErr: inv("instance_network", instance.DetailNetworkInvalid)},
		{name: "bad nameserver", spec: with(func(s *instance.Spec) { s.Nameservers = []string{"dns"} }),
			wantErr: inv("instance_nameserver", instance.DetailNameserverInvald)},
		{name: "stream already used", given: []domain.Event{requested}, spec: spec, wantErr: domain.Conflict(instance.DetailDuplicate)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := given(tc.given...)
			err := in.Request(5, 3, 7, tc.spec, "r1", now)
			then(t, in, err, tc.wantErr, tc.want...)
		})
	}
}

func TestCheckNormalisesTheNetwork(t *testing.T) {
	s := spec
	s.Network, s.Nameservers = "10.10.10.20/24", []string{"8.8.8.8", " 8.8.8.8", ""}
	got, err := s.Check()
	if err != nil || got.Interface != "eth0" || !reflect.DeepEqual(got.Nameservers, []string{"8.8.8.8"}) {
		t.Fatalf("Check = %+v, %v", got, err)
	}
}

func TestOutcomesOfARequest(t *testing.T) {
	failed := &instance.Failed{InstanceID: 5, ServerID: 3, Name: "web", Stage: "create", Reason: "no image", At: now.Unix()}
	for _, tc := range []struct {
		name  string
		given []domain.Event
		when  func(*instance.Instance)
		want  []domain.Event
	}{
		{"created", []domain.Event{requested}, func(in *instance.Instance) { in.MarkCreated(created.Snapshot, now) }, []domain.Event{created}},
		{"created again records nothing", []domain.Event{requested, created}, func(in *instance.Instance) { in.MarkCreated(created.Snapshot, now) }, nil},
		{"started", []domain.Event{requested, created}, func(in *instance.Instance) { in.MarkStarted("running", now) }, []domain.Event{started}},
		{"started twice records nothing", []domain.Event{requested, created, started}, func(in *instance.Instance) { in.MarkStarted("running", now) }, nil},
		{"failed", []domain.Event{requested}, func(in *instance.Instance) { in.Fail("create", "no image", "", now) }, []domain.Event{failed}},
		{"failed after the outcome records nothing", []domain.Event{requested, created, started},
			func(in *instance.Instance) { in.Fail("create", "no image", "", now) }, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := given(tc.given...)
			tc.when(in)
			then(t, in, nil, nil, tc.want...)
		})
	}
}

func TestActions(t *testing.T) {
	live := []domain.Event{requested, created, started}
	stopped := &instance.ActionSucceeded{InstanceID: 5, ServerID: 3, Name: "web", Action: "stop", RequestID: "r2", Status: "stopped", At: now.Unix()}
	delDone := &instance.ActionSucceeded{InstanceID: 5, ServerID: 3, Name: "web", Action: "delete", RequestID: "r3", Status: "deleted", At: now.Unix()}
	stopFailed := &instance.ActionFailed{InstanceID: 5, ServerID: 3, Name: "web", Action: "stop", RequestID: "r2", Reason: "busy", Status: "running", At: now.Unix()}
	for _, tc := range []struct {
		name    string
		given   []domain.Event
		when    func(*instance.Instance) error
		wantErr *domain.Error
		want    []domain.Event
	}{
		{name: "stop asked", given: live, when: func(in *instance.Instance) error { return in.RequestAction("stop", "r2", now) },
			want: []domain.Event{stopAsked}},
		{name: "same request again records nothing", given: append(live, stopAsked),
			when: func(in *instance.Instance) error { return in.RequestAction("stop", "r2", now) }},
		{name: "unknown action", given: live, when: func(in *instance.Instance) error { return in.RequestAction("reboot", "r2", now) },
			wantErr: domain.Invalid("instance_status", instance.DetailActionInvalid)},
		{name: "unknown instance", when: func(in *instance.Instance) error { return in.RequestAction("stop", "r2", now) },
			wantErr: domain.NotFound(instance.DetailNotFound)},
		{name: "deleted instance", given: append(live, delAsked, delDone, deleted),
			when: func(in *instance.Instance) error { return in.RequestAction("stop", "r2", now) }, wantErr: domain.NotFound(instance.DetailNotFound)},
		{name: "stop done", given: append(live, stopAsked),
			when: func(in *instance.Instance) error { in.CompleteAction("r2", "stopped", now); return nil }, want: []domain.Event{stopped}},
		{name: "stop done twice records nothing", given: append(live, stopAsked, stopped),
			when: func(in *instance.Instance) error { in.CompleteAction("r2", "stopped", now); return nil }},
		{name: "stop failed", given: append(live, stopAsked),
			when: func(in *instance.Instance) error { in.FailAction("r2", "busy", "running", now); return nil }, want: []domain.Event{stopFailed}},
		{name: "delete done ends the instance", given: append(live, delAsked),
			when: func(in *instance.Instance) error { in.CompleteAction("r3", "", now); return nil }, want: []domain.Event{delDone, deleted}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := given(tc.given...)
			err := tc.when(in)
			then(t, in, err, tc.wantErr, tc.want...)
		})
	}
}

func TestObservations(t *testing.T) {
	live := []domain.Event{requested, created, started}
	obs := func(status, prev string) *instance.StatusObserved {
		return &instance.StatusObserved{InstanceID: 5, ServerID: 3, Name: "web", Status: status, Previous: prev,
			Source: instance.SourceEvent, LXDAction: "x", At: now.Unix()}
	}
	vanished := &instance.VanishedExternally{InstanceID: 5, ServerID: 3, Name: "web", Source: instance.SourceEvent, At: now.Unix()}
	for _, tc := range []struct {
		name  string
		given []domain.Event
		when  func(*instance.Instance)
		want  []domain.Event
	}{
		{"out-of-band stop", live, func(in *instance.Instance) { in.Observe("stopped", instance.SourceEvent, "x", now) },
			[]domain.Event{obs("stopped", "running")}},
		{"known status records nothing", live, func(in *instance.Instance) { in.Observe("running", instance.SourceEvent, "x", now) }, nil},
		{"echo of a pending stop records nothing", append(live, stopAsked),
			func(in *instance.Instance) { in.Observe("stopped", instance.SourceEvent, "x", now) }, nil},
		{"a freeze during a pending stop is recorded", append(live, stopAsked),
			func(in *instance.Instance) { in.Observe("frozen", instance.SourceEvent, "x", now) }, []domain.Event{obs("frozen", "running")}},
		{"echo of the request's create and start records nothing", []domain.Event{requested},
			func(in *instance.Instance) { in.Observe("running", instance.SourceEvent, "x", now) }, nil},
		{"out-of-band delete", live, func(in *instance.Instance) { in.ObserveVanished(instance.SourceEvent, now) }, []domain.Event{vanished}},
		{"echo of a pending delete records nothing", append(live, delAsked),
			func(in *instance.Instance) { in.ObserveVanished(instance.SourceEvent, now) }, nil},
		{"an instance LXD never had cannot vanish", []domain.Event{requested},
			func(in *instance.Instance) { in.ObserveVanished(instance.SourceEvent, now) }, nil},
		{"nothing after the end", append(live, vanished),
			func(in *instance.Instance) { in.Observe("running", instance.SourceEvent, "x", now) }, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := given(tc.given...)
			tc.when(in)
			then(t, in, nil, nil, tc.want...)
		})
	}
}

func TestAppear(t *testing.T) {
	snap := instance.Snapshot{Type: "container", Status: "running"}
	in := given()
	if err := in.Appear(9, 3, 7, "ext", snap, instance.SourceReconcile, now); err != nil {
		t.Fatal(err)
	}
	want := &instance.AppearedExternally{InstanceID: 9, ServerID: 3, UserID: 7, Name: "ext", Snapshot: snap, Source: instance.SourceReconcile, At: now.Unix()}
	then(t, in, nil, nil, want)
	if !in.InLXD() || in.LXDStatus() != "running" || in.Owner() != 7 {
		t.Fatalf("When did not apply the appearance: %+v", in)
	}
	if err := given(want).Appear(9, 3, 7, "ext", snap, instance.SourceReconcile, now); !domain.IsKind(err, domain.KindConflict) {
		t.Fatalf("appearing twice = %v", err)
	}
}

func TestEventsRoundTrip(t *testing.T) {
	reg := domain.NewRegistry()
	instance.Register(reg)
	if len(reg.Types()) != 11 {
		t.Fatalf("registered %v", reg.Types())
	}
	ev, err := reg.Decode(instance.TypeRequested, []byte(`{"instance_id":5,"server_id":3,"user_id":7,"name":"web",
		"type":"container","image":"busybox","profiles":["default"],"request_id":"r1","at":1700000000}`))
	if err != nil || !reflect.DeepEqual(ev, domain.Event(requested)) {
		t.Fatalf("decoded %#v, %v", ev, err)
	}
}
