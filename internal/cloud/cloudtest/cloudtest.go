// Package cloudtest points package cloud's SDK clients at servers a test
// runs on loopback: an HTTP server on 127.0.0.1 for the length of the
// test, and the environment in which the SDK takes test credentials and
// none of the machine's configuration. The tests of the commands that
// call AWS (verify, validate-logs) and the fakes they run against share
// them.
package cloudtest

import (
	"net"
	"net/http"
	"testing"
)

// Serve answers on a loopback port with handler until the test ends, and
// returns its URL.
func Serve(t testing.TB, handler http.Handler) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: handler}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return "http://" + ln.Addr().String()
}

// Credentials gives the SDK test credentials and no configuration of
// the machine's, until the test ends.
func Credentials(t testing.TB) {
	t.Helper()
	for k, v := range map[string]string{"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test", "AWS_EC2_METADATA_DISABLED": "true",
		"AWS_CONFIG_FILE": "/dev/null", "AWS_SHARED_CREDENTIALS_FILE": "/dev/null"} {
		t.Setenv(k, v)
	}
}
