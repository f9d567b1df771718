// promql-check reads Prometheus alerting/recording rules on stdin and parses every `expr` with
// the Prometheus PromQL parser, so the tests judge generated rules the way Prometheus will.
//
// The parser runs with default options, as a Prometheus server without feature flags does:
// experimental functions are rejected.
//
// Input: YAML or JSON, one or more documents, each a PrometheusRule object (`spec.groups`) or a
// rule-groups file (`groups`). Exit 0 when every expression parses and every `for` is a valid
// duration; otherwise exit 1 naming the group, the rule and the error. `-version` prints the
// version of the parser module compiled in.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"

	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/promql/parser"
	"go.yaml.in/yaml/v3"
)

type rule struct {
	Alert  string `yaml:"alert"`
	Record string `yaml:"record"`
	Expr   string `yaml:"expr"`
	For    string `yaml:"for"`
}

type group struct {
	Name  string `yaml:"name"`
	Rules []rule `yaml:"rules"`
}

type document struct {
	Groups []group `yaml:"groups"`
	Spec   struct {
		Groups []group `yaml:"groups"`
	} `yaml:"spec"`
}

func parserVersion() string {
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, m := range info.Deps {
			if m.Path == "github.com/prometheus/prometheus" {
				return m.Version
			}
		}
	}
	return "unknown"
}

// check returns the number of expressions parsed, or the first problem found.
func check(in io.Reader) (int, error) {
	pql := parser.NewParser(parser.Options{})
	dec := yaml.NewDecoder(in)
	n := 0
	for {
		var doc document
		if err := dec.Decode(&doc); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return n, fmt.Errorf("input is not YAML or JSON: %w", err)
		}
		for _, g := range append(doc.Groups, doc.Spec.Groups...) {
			for i, r := range g.Rules {
				name := r.Alert + r.Record
				if name == "" {
					name = fmt.Sprintf("rules[%d]", i)
				}
				if r.Expr == "" {
					return n, fmt.Errorf("group %q, rule %q: empty expr", g.Name, name)
				}
				if _, err := pql.ParseExpr(r.Expr); err != nil {
					return n, fmt.Errorf("group %q, rule %q: %v\n  expr: %s", g.Name, name, err, r.Expr)
				}
				if r.For != "" {
					if _, err := model.ParseDuration(r.For); err != nil {
						return n, fmt.Errorf("group %q, rule %q: for: %v", g.Name, name, err)
					}
				}
				n++
			}
		}
	}
	if n == 0 {
		return 0, errors.New("no rules found (expected `groups` or `spec.groups`)")
	}
	return n, nil
}

func main() {
	if len(os.Args) > 1 && os.Args[1] == "-version" {
		fmt.Println(parserVersion())
		return
	}
	n, err := check(os.Stdin)
	if err != nil {
		fmt.Fprintln(os.Stderr, "promql-check:", err)
		os.Exit(1)
	}
	fmt.Printf("promql-check: %d expressions parsed (prometheus %s)\n", n, parserVersion())
}
