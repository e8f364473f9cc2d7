package change

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestProviderCallsAreTheProvidersOwn reads the provider's source
// (ProviderModule, from the Go module cache or the module proxy) and
// expects each row's file to exist and each of its operations to be one
// the service's code calls: a row that names a call the provider does
// not make, or a file that is not there, fails.
func TestProviderCallsAreTheProvidersOwn(t *testing.T) {
	cmd := exec.Command("go", "mod", "download", "-json", ProviderModule)
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod")
	out, err := cmd.Output()
	var module struct{ Dir string }
	if err == nil {
		err = json.Unmarshal(out, &module)
	}
	if err != nil || module.Dir == "" {
		if os.Getenv("CI") != "" {
			t.Fatalf("the provider's source %s is needed to check the calls: %v", ProviderModule, err)
		}
		t.Skipf("the provider's source %s is not available here: %v", ProviderModule, err)
	}
	services := map[string]string{}
	for typ, rows := range ProviderCalls {
		if rows.Source == "" {
			continue
		}
		file := filepath.Join(module.Dir, "internal", "service", rows.Source)
		if _, err := os.Stat(file); err != nil {
			t.Errorf("%s: %v", typ, err)
			continue
		}
		svc := rows.Service()
		if _, ok := services[svc]; !ok {
			services[svc] = serviceSource(t, filepath.Join(module.Dir, "internal", "service", svc))
		}
		for _, list := range [][]Call{rows.Create, rows.Update, rows.Delete} {
			for _, c := range list {
				if !regexp.MustCompile(`\.` + c.API + `\(ctx`).MatchString(services[svc]) {
					t.Errorf("%s: the provider's %s code never calls %s", typ, svc, c.API)
				}
			}
		}
		for attr, list := range rows.ByAttribute {
			for _, c := range list {
				if !strings.Contains(services[svc], "."+c.API+"(ctx") {
					t.Errorf("%s (%s): the provider's %s code never calls %s", typ, attr, svc, c.API)
				}
			}
		}
	}
}

// serviceSource is the Go source of a provider service's directory, its
// tests aside.
func serviceSource(t *testing.T, dir string) string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		b.Write(data)
	}
	return b.String()
}
