// yaml-oracle answers how the Kubernetes API machinery reads YAML: the input stream is split into
// documents by apimachinery's YAMLReader (what kubectl and the API server use) and each document
// is converted with sigs.k8s.io/yaml's YAMLToJSONStrict (go-yaml v2: YAML 1.1 scalars, merge
// keys, duplicate keys rejected). The scanner's YAML reader is tested against its answers.
//
// Input on stdin: a JSON array of YAML streams. Output on stdout: a JSON array with, for each
// stream, either {"error": "..."} (the stream could not be split) or {"documents": [...]}, each
// document {"json": <the value>} or {"error": "..."}. Documents that decode to null (empty or
// comment-only) are listed as {"json": null}. `-version` prints the pinned module versions.
//
// A stream given as {"bytes": "<base64>"} is a file's bytes: they are first decoded as kubectl
// decodes a file or standard input (k8s.io/cli-runtime pkg/resource/visitor.go, FileVisitor:
// golang.org/x/text's unicode.BOMOverride over the UTF-8 decoder, so a UTF-16 byte order mark
// selects UTF-16 and invalid bytes become U+FFFD), and the answer also carries that text.
//
// A stream given as {"stream": "<text>"} is cut as kubectl cuts a file (cli-runtime's
// StreamVisitor: apimachinery's YAMLOrJSONDecoder, which reads a stream starting with `{` as JSON
// values one after the other, and turns to YAML when that fails after at most one value): each
// value decoded is a document {"json": ...}; the first error ends the stream as {"error": "..."}.
package main

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"

	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
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
	// Text is the decoded text of a stream given as bytes.
	Text *string `json:"text,omitempty"`
}

// decodeFile decodes a file's bytes as kubectl's FileVisitor does before splitting them.
func decodeFile(b []byte) (string, error) {
	out, err := io.ReadAll(transform.NewReader(bytes.NewReader(b), unicode.BOMOverride(unicode.UTF8.NewDecoder())))
	return string(out), err
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

// decodeStream cuts a stream as kubectl's StreamVisitor does, decoding each value.
func decodeStream(in string) stream {
	d := utilyaml.NewYAMLOrJSONDecoder(strings.NewReader(in), 4096)
	out := stream{Documents: []document{}}
	for {
		var v interface{}
		err := d.Decode(&v)
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			out.Error = err.Error()
			return out
		}
		j, err := json.Marshal(v)
		if err != nil {
			out.Error = err.Error()
			return out
		}
		out.Documents = append(out.Documents, document{JSON: j})
	}
}

func versions() string {
	s := ""
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, m := range info.Deps {
			switch m.Path {
			case "sigs.k8s.io/yaml", "go.yaml.in/yaml/v2", "k8s.io/apimachinery", "golang.org/x/text":
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
	var inputs []json.RawMessage
	if err := json.NewDecoder(os.Stdin).Decode(&inputs); err != nil {
		fmt.Fprintln(os.Stderr, "yaml-oracle: stdin must be a JSON array:", err)
		os.Exit(2)
	}
	results := make([]stream, len(inputs))
	for i, raw := range inputs {
		var text string
		if err := json.Unmarshal(raw, &text); err == nil {
			results[i] = convert(text)
			continue
		}
		var file struct {
			Bytes  *string `json:"bytes"`
			Stream *string `json:"stream"`
		}
		if err := json.Unmarshal(raw, &file); err == nil && file.Stream != nil {
			results[i] = decodeStream(*file.Stream)
			continue
		}
		if err := json.Unmarshal(raw, &file); err != nil || file.Bytes == nil {
			fmt.Fprintf(os.Stderr, "yaml-oracle: input %d is not a string, {\"bytes\": base64} or {\"stream\": text}\n", i)
			os.Exit(2)
		}
		b, err := base64.StdEncoding.DecodeString(*file.Bytes)
		if err != nil {
			fmt.Fprintf(os.Stderr, "yaml-oracle: input %d: %v\n", i, err)
			os.Exit(2)
		}
		decoded, err := decodeFile(b)
		if err != nil {
			results[i] = stream{Documents: []document{}, Error: err.Error()}
			continue
		}
		results[i] = convert(decoded)
		results[i].Text = &decoded
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(results); err != nil {
		fmt.Fprintln(os.Stderr, "yaml-oracle:", err)
		os.Exit(1)
	}
}
