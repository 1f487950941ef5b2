package nsutil

import (
	"errors"
	"os"
	"strings"
)

// SysctlGet reads a per-namespace sysctl of n, e.g.
// n.SysctlGet("net.ipv4.ip_forward") == "1". key is sysctl(8)'s dotted
// form or a path below /proc/sys ("net/ipv4/conf/eth0.1/forwarding", for
// names that contain dots). Only keys under net are accepted: others are
// not per network namespace and would read or change the host. The file
// is opened on a thread inside n (Do), which is what selects the
// namespace. The value is returned without its trailing newline.
func (n *NetNS) SysctlGet(key string) (string, error) {
	p, err := sysctlPath(key)
	if err != nil {
		return "", &OpError{Op: "sysctl get", Name: n.name, Key: key, Err: err}
	}
	var val string
	err = n.Do(func() error {
		b, err := os.ReadFile(p)
		val = strings.TrimSuffix(string(b), "\n")
		return err
	})
	if err != nil {
		return "", &OpError{Op: "sysctl get", Name: n.name, Key: key, Err: bare(err)}
	}
	return val, nil
}

// SysctlSet writes value to a per-namespace sysctl of n (see SysctlGet
// for key), e.g. n.SysctlSet("net.ipv4.ip_forward", "1").
func (n *NetNS) SysctlSet(key, value string) error {
	p, err := sysctlPath(key)
	if err != nil {
		return &OpError{Op: "sysctl set", Name: n.name, Key: key, Err: err}
	}
	err = n.Do(func() error {
		// O_WRONLY without O_CREAT or O_TRUNC: proc files do not take them.
		f, err := os.OpenFile(p, os.O_WRONLY, 0)
		if err != nil {
			return err
		}
		if _, err := f.WriteString(value); err != nil {
			f.Close()
			return err
		}
		return f.Close()
	})
	if err != nil {
		return &OpError{Op: "sysctl set", Name: n.name, Key: key, Err: bare(err)}
	}
	return nil
}

// bare drops the /proc/sys path from a file error: the key names it.
func bare(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// sysctlPath maps "net.ipv4.ip_forward" or "net/ipv4/ip_forward" to
// /proc/sys/net/ipv4/ip_forward, refusing anything outside /proc/sys/net.
func sysctlPath(key string) (string, error) {
	rel := key
	if !strings.Contains(key, "/") {
		rel = strings.ReplaceAll(key, ".", "/")
	}
	parts := strings.Split(rel, "/")
	if len(parts) < 2 || parts[0] != "net" {
		return "", errors.New("only keys under net (per network namespace) are allowed")
	}
	for _, p := range parts {
		if p == "" || p == "." || p == ".." {
			return "", errors.New("malformed key: expected e.g. net.ipv4.ip_forward")
		}
	}
	return "/proc/sys/" + rel, nil
}
