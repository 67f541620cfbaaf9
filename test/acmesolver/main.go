// Command acmesolver runs cert-manager's own HTTP-01 solver (pkg/issuer/acme/http/solver at the
// version in go.mod) with the flags cert-manager's solver pods get, for the edge's tests.
package main

import (
	"flag"
	"os"

	"github.com/cert-manager/cert-manager/pkg/issuer/acme/http/solver"
	"github.com/go-logr/logr"
)

func main() {
	s := &solver.HTTP01Solver{}
	flag.IntVar(&s.ListenPort, "listen-port", 8089, "port to listen on")
	flag.StringVar(&s.Domain, "domain", "", "the domain being validated")
	flag.StringVar(&s.Token, "token", "", "the challenge token")
	flag.StringVar(&s.Key, "key", "", "the challenge key")
	flag.Parse()
	if err := s.Listen(logr.Discard()); err != nil {
		os.Stderr.WriteString(err.Error() + "\n")
		os.Exit(1)
	}
}
