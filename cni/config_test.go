package cni

import (
	"errors"
	"net/netip"
	"reflect"
	"testing"
)

const bridgeConf = `{
  "cniVersion": "0.3.1", "name": "mynet", "type": "nsnet",
  "bridge": "cni0", "isGateway": true, "isDefaultGateway": true, "forceAddress": false,
  "ipMasq": true, "hairpinMode": true, "mtu": 1450, "promiscMode": false,
  "ipam": {"type": "host-local", "subnet": "10.22.0.0/16", "routes": [{"dst": "0.0.0.0/0"}]},
  "dns": {"nameservers": ["10.22.0.1"]},
  "runtimeConfig": {"portMappings": [{"hostPort": 8080, "containerPort": 80, "protocol": "TCP"},
                                     {"hostPort": 5353, "containerPort": 53, "protocol": "udp", "hostIP": "127.0.0.1"}],
                    "ips": ["10.22.0.9/16"], "mac": "c2:11:22:33:44:55"},
  "args": {"cni": {"ips": ["10.22.0.10"]}},
  "prevResult": {"cniVersion": "0.3.1", "ips": [{"version": "4", "address": "10.22.0.9/16"}], "dns": {}},
  "someOtherPluginField": [1, 2, 3]
}`

func TestDecodeConf(t *testing.T) {
	c, err := DecodeConf([]byte(bridgeConf))
	if err != nil {
		t.Fatal(err)
	}
	want := RuntimeConfig{
		PortMappings: []PortMapping{
			{HostPort: 8080, ContainerPort: 80, Protocol: "tcp"},
			{HostPort: 5353, ContainerPort: 53, Protocol: "udp", HostIP: netip.MustParseAddr("127.0.0.1")},
		},
		IPs: []netip.Addr{netip.MustParseAddr("10.22.0.9")},
		MAC: "c2:11:22:33:44:55",
	}
	if !reflect.DeepEqual(c.RuntimeConfig, want) {
		t.Errorf("runtimeConfig = %+v", c.RuntimeConfig)
	}
	if !c.IsGateway || !c.IPMasq || !c.HairpinMode || c.MTU != 1450 || c.Bridge != "cni0" || c.IPAM.Type != "host-local" {
		t.Errorf("bridge fields = %+v", c)
	}
	if c.PrevResult == nil || c.PrevResult.IPs[0].Address.String() != "10.22.0.9/16" {
		t.Errorf("prevResult = %+v", c.PrevResult)
	}
	if c.HasValidAttachments {
		t.Error("no valid-attachments list, but HasValidAttachments")
	}
}

func TestDecodeConfErrors(t *testing.T) {
	for _, tt := range []struct {
		in   string
		code int
		msg  string
	}{
		{`{"cniVersion":"1.0.0","name":"n","type":"nsnet"`, 6, ""},
		{`{"cniVersion":"1.0.0","name":"n","mtu":"1500"}`, 6, "mtu: want an integer, have a string"},
		{`{"cniVersion":"0.2.0","name":"n"}`, 1, "incompatible CNI versions"},
		{`{"name":"n"}`, 1, "incompatible CNI versions"},
		{`{"cniVersion":"1.0.0"}`, 7, "missing network name"},
		{`{"cniVersion":"1.0.0","name":"a/b"}`, 7, `invalid characters in network name "a/b"`},
		{`{"cniVersion":"1.0.0","name":"n","vlan":100}`, 2, "unsupported field in network configuration: vlan=100"},
		{`{"cniVersion":"1.0.0","name":"n","vlan":0}`, 0, ""},
		{`{"cniVersion":"1.0.0","name":"n","hairpinMode":true,"promiscMode":true}`, 7, "cannot set hairpin mode and promiscuous mode at the same time"},
		{`{"cniVersion":"1.0.0","name":"n","bridge":"averyveryverylongbridge"}`, 7, `invalid bridge name "averyveryverylongbridge": interface name is too long (at most 15 bytes)`},
		{`{"cniVersion":"1.0.0","name":"n","runtimeConfig":{"portMappings":[{"hostPort":0,"containerPort":80}]}}`, 7, ""},
		{`{"cniVersion":"1.0.0","name":"n","runtimeConfig":{"portMappings":[{"hostPort":1,"containerPort":80,"protocol":"sctp"}]}}`, 2, ""},
		{`{"cniVersion":"1.0.0","name":"n","runtimeConfig":{"ips":["10.0.0.300"]}}`, 6, ""},
	} {
		_, err := DecodeConf([]byte(tt.in))
		code := 0
		var ce *Error
		var de *DecodeError
		switch {
		case errors.As(err, &ce):
			code = ce.Code
		case errors.As(err, &de):
			code = CodeDecodingFailure
		case err != nil:
			code = -1
		}
		if code != tt.code || tt.msg != "" && (ce == nil || ce.Msg != tt.msg) && (de == nil || de.Error() != tt.msg) {
			t.Errorf("DecodeConf(%s) = %v (code %d), want code %d %q", tt.in, err, code, tt.code, tt.msg)
		}
	}
}

func TestValidAttachments(t *testing.T) {
	c, err := DecodeConf([]byte(`{"cniVersion":"1.1.0","name":"n","cni.dev/valid-attachments":[]}`))
	if err != nil || !c.HasValidAttachments || len(c.ValidAttachments) != 0 {
		t.Fatalf("empty list: %v %+v", err, c)
	}
	c, err = DecodeConf([]byte(`{"cniVersion":"1.1.0","name":"n","cni.dev/valid-attachments":[{"containerID":"a","ifname":"eth0"}]}`))
	if err != nil || !reflect.DeepEqual(c.ValidAttachments, []Attachment{{"a", "eth0"}}) {
		t.Fatalf("%v %+v", err, c)
	}
}

// FuzzDecodeConf: a configuration that decodes is written back by
// AppendJSON, and that decodes to the same configuration.
func FuzzDecodeConf(f *testing.F) {
	f.Add([]byte(bridgeConf))
	f.Add([]byte(`{"cniVersion":"1.1.0","name":"n","type":"nsnet","cni.dev/valid-attachments":[{"containerID":"a","ifname":"eth0"}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		c1, err := DecodeConf(b)
		if err != nil {
			return
		}
		b2 := c1.AppendJSON(nil)
		c2, err := DecodeConf(b2)
		if err != nil {
			t.Fatalf("written configuration does not decode: %v\n%s", err, b2)
		}
		if b3 := c2.AppendJSON(nil); string(b3) != string(b2) {
			t.Fatalf("round trip changed the configuration:\n%s\n%s", b2, b3)
		}
	})
}

func TestSelect(t *testing.T) {
	for _, tt := range []struct {
		v    string
		vs   []string
		want string
	}{
		{"1.0.0", nil, "1.0.0"},
		{"0.3.1", []string{"0.4.0", "1.1.0", "2.0.0"}, "1.1.0"},
		{"1.1.0", []string{"0.3.1"}, "1.1.0"},
		{"0.2.0", []string{"0.1.0"}, ""},
		{"9.9.9", []string{"1.0.0", "bogus"}, "1.0.0"},
	} {
		if got := Select(tt.v, tt.vs); got != tt.want {
			t.Errorf("Select(%q, %q) = %q, want %q", tt.v, tt.vs, got, tt.want)
		}
	}
}

func FuzzDecodeConfList(f *testing.F) {
	f.Add([]byte(`{"cniVersion":"1.0.0","cniVersions":["1.0.0","1.1.0"],"name":"n","disableCheck":true,"plugins":[{"type":"nsnet","ipam":{"type":"host-local","subnet":"10.1.0.0/24"}},{"type":"portmap","capabilities":{"portMappings":true}}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		l1, err := DecodeConfList(b)
		if err != nil {
			return
		}
		b2 := l1.AppendJSON(nil)
		l2, err := DecodeConfList(b2)
		if err != nil {
			t.Fatalf("written list does not decode: %v\n%s", err, b2)
		}
		if b3 := l2.AppendJSON(nil); string(b3) != string(b2) || l1.Version() != l2.Version() {
			t.Fatalf("round trip changed the list:\n%s\n%s", b2, b3)
		}
		for i := range l1.Plugins {
			if _, err := DecodeConfList(append(append([]byte(`{"name":"x","plugins":[`), l1.PluginConf(i)...), "]}"...)); err != nil {
				t.Fatalf("plugin %d's request configuration is not an object: %v", i, err)
			}
		}
	})
}

func TestPluginConf(t *testing.T) {
	l, err := DecodeConfList([]byte(`{"cniVersion":"1.0.0","cniVersions":["1.1.0"],"name":"n","plugins":[{"type":"portmap","capabilities":{"portMappings":true},"x":1}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(l.PluginConf(0)), `{"cniVersion":"1.1.0","name":"n","type":"portmap","x":1}`; got != want {
		t.Errorf("got %s\nwant %s", got, want)
	}
}
