// Command m0check is run by TestMainThreadUntouched. Unlike a correct
// program, it does NOT lock its main goroutine in init, so nsutil's
// workers can land on the main thread; nsutil must then leave that
// thread alone. It exits 1 if the thread-group leader ever leaves its
// network namespace.
package main

import (
	"fmt"
	"os"

	"github.com/nsnet/nsnet/nsutil"
)

func main() {
	home, err := os.Readlink("/proc/self/ns/net")
	if err != nil {
		fmt.Println(err)
		os.Exit(1)
	}
	for i := range 300 {
		f, err := nsutil.NewAnonymous()
		if err != nil {
			fmt.Println(err)
			os.Exit(1)
		}
		f.Close()
		if now, _ := os.Readlink("/proc/self/ns/net"); now != home {
			fmt.Printf("after %d namespaces the main thread is in %s, not %s\n", i+1, now, home)
			os.Exit(1)
		}
	}
	fmt.Println("ok")
}
