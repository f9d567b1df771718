// yaml-oracle answers how the Kubernetes API machinery reads YAML: the input stream is split into
// documents by apimachinery's YAMLReader (what kubectl and the API server use) and each document
// is converted with sigs.k8s.io/yaml's YAMLToJSONStrict (go-yaml v2: YAML 1.1 scalars, merge
// keys, duplicate keys rejected). The scanner's YAML reader is tested against its answers.
//
// Input on stdin: a JSON array of YAML streams. Output on stdout: a JSON array with, for each
// stream, either {"error": "..."} (the stream could not be split) or {"documents": [...]}, each
// document {"json": <the value>} or {"error": "..."}. Documents that decode to null (empty or
// comment-only) are listed as {"json": null}. `-version` prints the pinned module versions.
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"

	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"
)

type document struct {
	JSON  json.RawMessage `json:"json,omitempty"`
	Error string          `json:"error,omitempty"`
}

type stream struct {
	Documents []document `json:"documents"`
	Error     string     `json:"error,omitempty"`
}

func convert(in string) stream {
	r := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader([]byte(in))))
	out := stream{Documents: []document{}}
	for {
		chunk, err := r.Read()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			out.Error = err.Error()
			return out
		}
		j, err := yaml.YAMLToJSONStrict(chunk)
		if err != nil {
			out.Documents = append(out.Documents, document{Error: err.Error()})
			continue
		}
		out.Documents = append(out.Documents, document{JSON: j})
	}
}

func versions() string {
	s := ""
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, m := range info.Deps {
			switch m.Path {
			case "sigs.k8s.io/yaml", "go.yaml.in/yaml/v2", "k8s.io/apimachinery":
				s += m.Path + "@" + m.Version + "\n"
			}
		}
	}
	return s
}

func main() {
	if len(os.Args) > 1 && os.Args[1] == "-version" {
		fmt.Print(versions())
		return
	}
	var inputs []string
	if err := json.NewDecoder(os.Stdin).Decode(&inputs); err != nil {
		fmt.Fprintln(os.Stderr, "yaml-oracle: stdin must be a JSON array of strings:", err)
		os.Exit(2)
	}
	results := make([]stream, len(inputs))
	for i, in := range inputs {
		results[i] = convert(in)
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(results); err != nil {
		fmt.Fprintln(os.Stderr, "yaml-oracle:", err)
		os.Exit(1)
	}
}
