package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseCNI(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want request
		err  string
	}{
		{[]string{"nsnet", "cni", "list"}, cniListReq{}, ""},
		{[]string{"nsnet", "cni", "list", "mynet", "state", "/tmp/s"}, cniListReq{network: "mynet", stateDir: "/tmp/s"}, ""},
		{[]string{"nsnet", "cni", "list", "a", "b"}, nil, `cni list: unexpected "b": expected cni list [NETWORK] [state DIR]`},
		{[]string{"nsnet", "cni", "frob"}, nil, `cni: "frob" is unknown: expected list`},
	} {
		inv, err := parse(tt.args)
		switch {
		case tt.err != "" && (err == nil || err.Error() != tt.err):
			t.Errorf("%v: %v, want %s", tt.args, err, tt.err)
		case tt.err == "" && (err != nil || inv.req != tt.want):
			t.Errorf("%v: %+v %v", tt.args, inv, err)
		}
	}
}

// TestCNIList reads records as the plugin writes them.
func TestCNIList(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "mynet"), 0o755)
	rec := `{"containerID":"c1","ifname":"eth0","netns":"/proc/7/ns/net","bridge":"cni0","hostIf":"veth0a1b2c3d","hostMAC":"02:11:22:33:44:55","ips":["10.1.0.5/24"],"ipam":"host-local","dataDir":"/var/lib/cni/networks","masquerade":["10.1.0.5/32"],"ports":[{"proto":"tcp","hostPort":8080,"to":"10.1.0.5:80"}]}` + "\n"
	os.WriteFile(filepath.Join(dir, "mynet", "c1:eth0"), []byte(rec), 0o600)
	var out, errb bytes.Buffer
	if code := run([]string{"nsnet", "cni", "list", "state", dir}, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	want := "NETWORK  CONTAINER  IFNAME  ADDRESSES    HOST END      NETNS           PORTS\n" +
		"mynet    c1         eth0    10.1.0.5/24  veth0a1b2c3d  /proc/7/ns/net  tcp 8080->10.1.0.5:80\n"
	if out.String() != want {
		t.Errorf("got\n%s\nwant\n%s", out.String(), want)
	}
	out.Reset()
	if code := run([]string{"nsnet", "-j", "cni", "list", "mynet", "state", dir}, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	if got := out.String(); !strings.HasPrefix(got, `[{"network":"mynet","containerID":"c1","ifname":"eth0",`) || !strings.HasSuffix(got, "}]\n") {
		t.Errorf("-j: %s", got)
	}
}
