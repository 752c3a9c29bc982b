package app_test

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/uivmm/uivmm/app"
)

// The registry decodes with segmentio/encoding for speed; every registered
// event must come out exactly as the standard library would decode it.
func TestRegistryDecodesLikeEncodingJSON(t *testing.T) {
	reg := app.Registry()
	types := reg.Types()
	if len(types) < 20 {
		t.Fatalf("only %d event types registered", len(types))
	}
	for _, name := range types {
		zero, err := reg.Decode(name, []byte(`{}`))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		sample := reflect.New(reflect.TypeOf(zero).Elem())
		fill(sample.Elem(), 1)
		data, err := json.Marshal(sample.Interface())
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		got, err := reg.Decode(name, data)
		if err != nil {
			t.Fatalf("%s: decoding %s: %v", name, data, err)
		}
		want := reflect.New(reflect.TypeOf(zero).Elem()).Interface()
		if err := json.Unmarshal(data, want); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: decoded\n%#v\nencoding/json gives\n%#v\nfrom %s", name, got, want, data)
		}
		if !reflect.DeepEqual(got, sample.Interface()) {
			t.Errorf("%s: %s does not round-trip: %#v", name, data, got)
		}
	}
	if _, err := reg.Decode(types[0], []byte(`{"x":`)); err == nil {
		t.Error("truncated JSON decoded without an error")
	}
}

// fill sets every settable field of v to a non-zero value derived from n
// (strings get characters that need escaping).
func fill(v reflect.Value, n int) {
	switch v.Kind() {
	case reflect.String:
		v.SetString("é\"<x>\\" + string(rune('a'+n%26)))
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		v.SetInt(int64(n * 7))
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		v.SetUint(uint64(n * 3))
	case reflect.Float32, reflect.Float64:
		v.SetFloat(float64(n) + 0.5)
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				fill(v.Field(i), n+i+1)
			}
		}
	case reflect.Slice:
		if v.Type().Elem().Kind() == reflect.Uint8 { // []byte and json.RawMessage
			v.SetBytes([]byte(`{"k":[1,"two"]}`))
			return
		}
		s := reflect.MakeSlice(v.Type(), 2, 2)
		fill(s.Index(0), n+1)
		fill(s.Index(1), n+2)
		v.Set(s)
	case reflect.Map:
		m := reflect.MakeMap(v.Type())
		k := reflect.New(v.Type().Key()).Elem()
		fill(k, n)
		e := reflect.New(v.Type().Elem()).Elem()
		fill(e, n+1)
		m.SetMapIndex(k, e)
		v.Set(m)
	case reflect.Pointer:
		p := reflect.New(v.Type().Elem())
		fill(p.Elem(), n)
		v.Set(p)
	}
}
