package config

import (
	"errors"
	"fmt"
	"os"
	"reflect"
	"strings"

	"gopkg.in/yaml.v3"
)

// ignoredKeys are top-level keys of the original ui-vmm that uivmm has no use
// for (its JWT keys, PostgreSQL, gRPC providers, at-rest key). Load accepts
// and drops them so that an original config.yaml loads unchanged.
var ignoredKeys = map[string]bool{
	"aes_key":   true,
	"jwt":       true,
	"db":        true,
	"providers": true,
}

// keyAliases maps a section to its original key names and the key each is
// an alias of.
var keyAliases = map[string]map[string]string{
	"mail": {"smtp": "host", "pass": "password"},
}

// ResolvePath picks the configuration file: flag when set, else DefaultPath
// when that file exists, else "" (no file: defaults only).
func ResolvePath(flag string) string {
	if flag != "" {
		return flag
	}
	if _, err := os.Stat(DefaultPath); err == nil {
		return DefaultPath
	}
	return ""
}

// Load reads the YAML file at path over Default. An empty path returns
// Default. Decoding is strict: every unknown key is reported with its full
// name and line, except the original ui-vmm keys listed in ignoredKeys.
// Zero values mean "the default". Load does not Validate: environment and
// flags are applied after it.
func Load(path string) (Config, error) {
	if path == "" {
		return Default(), nil
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		return Config{}, fmt.Errorf("reading config: %w", err)
	}
	c, err := Parse(raw)
	if err != nil {
		return Config{}, fmt.Errorf("config %s: %w", path, err)
	}
	return c, nil
}

// Parse is Load for YAML already in memory.
func Parse(raw []byte) (Config, error) {
	c := Default()
	var doc yaml.Node
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		return Config{}, err
	}
	if len(doc.Content) == 0 {
		return c, nil // empty file
	}
	root := doc.Content[0]
	if root.Kind == yaml.ScalarNode && root.Tag == "!!null" {
		return c, nil
	}
	if root.Kind != yaml.MappingNode {
		return Config{}, fmt.Errorf("line %d: the top level must be a mapping", root.Line)
	}
	// Report every problem in the file at once: aliases, unknown keys, values.
	err := errors.Join(
		normalize(root),
		checkKeys(root, reflect.TypeFor[Config](), ""),
		root.Decode(&c),
	)
	if err != nil {
		return Config{}, err
	}
	c.setDefaults()
	return c, nil
}

// normalize drops ignored top-level keys and renames aliased keys in place,
// keeping line numbers for later errors.
func normalize(root *yaml.Node) error {
	var kept []*yaml.Node
	var errs []error
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		if ignoredKeys[k.Value] {
			continue
		}
		if aliases, ok := keyAliases[k.Value]; ok {
			errs = append(errs, renameAliases(k.Value, resolve(v), aliases))
		}
		kept = append(kept, k, v)
	}
	root.Content = kept
	return errors.Join(errs...)
}

func renameAliases(section string, m *yaml.Node, aliases map[string]string) error {
	if m.Kind != yaml.MappingNode {
		return nil // the decoder reports the type error
	}
	present := map[string]bool{}
	for i := 0; i+1 < len(m.Content); i += 2 {
		present[m.Content[i].Value] = true
	}
	var errs []error
	var kept []*yaml.Node
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], m.Content[i+1]
		if target, ok := aliases[k.Value]; ok {
			if present[target] {
				errs = append(errs, fmt.Errorf("line %d: %q is the original name of %q; set only one",
					k.Line, section+"."+k.Value, section+"."+target))
				continue // reported once; dropped so it is not also an unknown key
			}
			k.Value = target
		}
		kept = append(kept, k, v)
	}
	m.Content = kept
	return errors.Join(errs...)
}

var unmarshalerType = reflect.TypeFor[yaml.Unmarshaler]()

// checkKeys reports every mapping key of n that has no field in t.
func checkKeys(n *yaml.Node, t reflect.Type, path string) error {
	n = resolve(n)
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if reflect.PointerTo(t).Implements(unmarshalerType) {
		return nil
	}
	var errs []error
	switch {
	case t.Kind() == reflect.Struct && n.Kind == yaml.MappingNode:
		fields := yamlFields(t)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if k.Tag == "!!merge" {
				errs = append(errs, checkMerge(v, t, path))
				continue
			}
			ft, ok := fields[k.Value]
			if !ok {
				errs = append(errs, fmt.Errorf("line %d: unknown key %q", k.Line, joinKey(path, k.Value)))
				continue
			}
			errs = append(errs, checkKeys(v, ft, joinKey(path, k.Value)))
		}
	case t.Kind() == reflect.Slice && n.Kind == yaml.SequenceNode:
		for i, item := range n.Content {
			errs = append(errs, checkKeys(item, t.Elem(), fmt.Sprintf("%s[%d]", path, i)))
		}
	}
	return errors.Join(errs...)
}

// checkMerge checks the mapping (or sequence of mappings) of a "<<" key.
func checkMerge(v *yaml.Node, t reflect.Type, path string) error {
	v = resolve(v)
	if v.Kind != yaml.SequenceNode {
		return checkKeys(v, t, path)
	}
	var errs []error
	for _, item := range v.Content {
		errs = append(errs, checkKeys(item, t, path))
	}
	return errors.Join(errs...)
}

// yamlFields maps each YAML key of struct type t to its field type.
func yamlFields(t reflect.Type) map[string]reflect.Type {
	fields := map[string]reflect.Type{}
	for f := range t.Fields() {
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if name == "-" {
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		fields[name] = f.Type
	}
	return fields
}

func resolve(n *yaml.Node) *yaml.Node {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	return n
}

func joinKey(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}
