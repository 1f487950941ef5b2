package cni

import (
	"github.com/nsnet/nsnet/internal/jsonlite"
)

// A ConfList is a network configuration list (a .conflist file).
type ConfList struct {
	CNIVersion   string
	CNIVersions  []string
	Name         string
	DisableCheck bool
	DisableGC    bool
	Plugins      []jsonlite.Value // each plugin's object, as written
}

// DecodeConfList reads a configuration list.
func DecodeConfList(data []byte) (*ConfList, error) {
	root, err := jsonlite.Parse(data)
	if err != nil {
		return nil, &DecodeError{Msg: "invalid JSON: " + err.Error()}
	}
	if root.Kind != jsonlite.Object {
		return nil, mistyped(&root, "", "a configuration list object")
	}
	l := &ConfList{}
	err = object(&root, "", func(key string, v *jsonlite.Value, path string) error {
		switch key {
		case "cniVersion":
			return str(v, path, &l.CNIVersion)
		case "cniVersions":
			return stringList(v, path, &l.CNIVersions)
		case "name":
			return str(v, path, &l.Name)
		case "disableCheck":
			return boolean(v, path, &l.DisableCheck)
		case "disableGC":
			return boolean(v, path, &l.DisableGC)
		case "plugins":
			l.Plugins = nil
			return list(v, path, func(_ int, v *jsonlite.Value, path string) error {
				if v.Kind != jsonlite.Object {
					return mistyped(v, path, "a plugin object")
				}
				l.Plugins = append(l.Plugins, *v)
				return nil
			})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if l.Name == "" {
		return nil, &Error{Code: CodeInvalidConfig, Msg: "missing network name"}
	}
	if !ValidNetworkName(l.Name) {
		return nil, &Error{Code: CodeInvalidConfig, Msg: "invalid characters in network name " + quote(l.Name)}
	}
	if len(l.Plugins) == 0 {
		return nil, &Error{Code: CodeInvalidConfig, Msg: "no plugins in list"}
	}
	return l, nil
}

// Version is the version a runtime selects for the list (the spec's
// version selection over cniVersion and cniVersions), "" if nsnet
// supports none of them.
func (l *ConfList) Version() string { return Select(l.CNIVersion, l.CNIVersions) }

// PluginConf is the request configuration of plugin i as a runtime
// derives it: the plugin's object with cniVersion (the selected version)
// and name inserted, capabilities removed, other fields unchanged.
func (l *ConfList) PluginConf(i int) []byte {
	p := l.Plugins[i]
	out := jsonlite.Value{Kind: jsonlite.Object, Members: []jsonlite.Member{
		{Key: "cniVersion", Value: jsonlite.Value{Kind: jsonlite.String, Text: l.Version()}},
		{Key: "name", Value: jsonlite.Value{Kind: jsonlite.String, Text: l.Name}},
	}}
	for _, m := range p.Members {
		switch m.Key {
		case "cniVersion", "name", "capabilities":
			continue
		}
		out.Members = append(out.Members, m)
	}
	return jsonlite.AppendValue(nil, out)
}

// AppendJSON writes the list back (PluginConf's inverse is not needed:
// plugins are kept as written).
func (l *ConfList) AppendJSON(b []byte) []byte {
	b = append(b, '{')
	b = appendStr(b, "cniVersion", l.CNIVersion)
	if l.CNIVersions != nil {
		b = appendStrings(b, "cniVersions", l.CNIVersions)
	}
	b = appendStr(b, "name", l.Name)
	if l.DisableCheck {
		b = append(b, `,"disableCheck":true`...)
	}
	if l.DisableGC {
		b = append(b, `,"disableGC":true`...)
	}
	b = jsonlite.AppendKey(b, "plugins")
	b = jsonlite.AppendArray(b, l.Plugins, jsonlite.AppendValue)
	return append(b, '}')
}
