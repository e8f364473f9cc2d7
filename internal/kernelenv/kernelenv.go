// Package kernelenv sets the jsii kernel's environment for the synth: the
// jsii runtime reads the environment of the Node.js process it starts
// while the Go packages initialize, before main, so only a new process
// can change it.
//
// The one setting is JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION: on
// Node.js 20 (end of life, which cdktf 0.20 runs on) the kernel prints a
// banner of a dozen lines on stderr at every synth, where the synth's own
// warnings belong.
package kernelenv

import (
	"fmt"
	"io"
	"os"

	"github.com/aws/jsii-runtime-go"
)

// SilenceEnv silences the kernel's end-of-life banner for the Node.js
// major version it holds.
const SilenceEnv = "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION"

// Start is the one call the app makes before it loads jsii: unless the
// environment sets SilenceEnv already (to anything: the user's choice
// stands), it runs the app again with SilenceEnv=20 and never returns.
// When that fails it notes why on notes and returns: the synth runs, with
// the banner.
func Start(notes io.Writer) {
	if _, set := os.LookupEnv(SilenceEnv); set {
		return
	}
	exe, err := os.Executable()
	if err == nil {
		// The runtime unpacked itself into a temporary directory while
		// the packages initialized: remove it, or every synth would leave
		// one behind.
		jsii.Close()
		err = execSelf(exe, os.Args, append(os.Environ(), SilenceEnv+"=20"))
	}
	fmt.Fprintf(notes, "note: could not run the app again with %s=20 (%v): the jsii runtime may print its Node.js end-of-life banner\n", SilenceEnv, err)
}
