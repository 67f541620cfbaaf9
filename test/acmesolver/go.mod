module mcp-platform/test/acmesolver

go 1.22.0

require (
	github.com/cert-manager/cert-manager v1.16.2
	github.com/go-logr/logr v1.4.2
)
