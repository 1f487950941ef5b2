package bench

// A Way is one tool or library that builds the seed's per-namespace setup:
// a named netns; a veth pair with one end in the namespace and the other
// on the shared bridge; an address; lo and both ends up; a default route
// via the bridge's address.
type Way struct {
	Key      string // short id: flags, sub-benchmark names
	Name     string // table label
	Teardown string // how this way tears down, for the teardown table
	NoIPv6   bool   // the new links get no IPv6 link-local address (verified)
	OneQueue bool   // the veth ends have one TX and one RX queue (verified)
	// Start prepares a run of the way in e (handles, sockets, worker threads).
	Start func(e *Env) (Instance, error)
}

// An Instance is one run of a Way.
type Instance interface {
	// Setup builds namespace i; the bench times each call.
	Setup(i int) error
	// Teardown removes namespace i (and what the way made for it).
	Teardown(i int) error
	Close() error
}

// A BulkInstance sets up all n namespaces in one call (a CLI applying a
// generated topology): only the total is measured, per-namespace figures are
// total/n.
type BulkInstance interface {
	Instance
	SetupAll(n int) error
	TeardownAll(n int) error
}

// Ways returns every setup way, in table order. A way whose tool is missing
// here fails in Start with an error wrapping ErrMissing; callers skip it and
// say so.
//
// bin is the path of the static nsnet binary, for the CLI row.
func Ways(bin string) []Way {
	return []Way{
		ipWay(),
		ipBatchWay(),
		vishDockerWay(),
		vishBestWay(),
		rawWay(false, false),
		rawWay(true, false),
		rawWay(true, true),
		nsnetWay(false, false),
		nsnetWay(true, false),
		nsnetWay(true, true),
		topoWay(),
		cliWay(bin),
	}
}
