package isolate

import (
	"strings"
	"testing"
)

func TestGuardOne(t *testing.T) {
	own, err := nsInode("net")
	if err != nil {
		t.Fatal(err)
	}
	if err := guardOne("net", own); err == nil || !strings.Contains(err.Error(), "refusing to run") {
		t.Errorf("guardOne(own inode) = %v, want a refusal", err)
	}
	if err := guardOne("net", ""); err == nil {
		t.Error("guardOne(unknown parent) = nil, want a refusal")
	}
	if err := guardOne("net", "1:2"); err != nil {
		t.Errorf("guardOne(other inode) = %v, want nil", err)
	}
}
