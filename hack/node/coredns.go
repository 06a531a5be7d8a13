// CoreDNS for the test node, built by hack/testenv-node with only the plugins its Corefile uses.
// Upstream's main imports every plugin (cloud DNS providers with their SDKs, tracing, etcd, ...),
// which made CoreDNS the slowest Go build of a cold test world; this main registers bind, ready,
// errors and kubernetes and runs CoreDNS's own coremain, so the server itself is upstream's.
package main

import (
	"github.com/coredns/coredns/core/dnsserver"
	"github.com/coredns/coredns/coremain"

	_ "github.com/coredns/coredns/plugin/bind"
	_ "github.com/coredns/coredns/plugin/errors"
	_ "github.com/coredns/coredns/plugin/kubernetes"
	_ "github.com/coredns/coredns/plugin/ready"
)

// The plugins' order in a server block's chain: upstream's core/dnsserver/zdirectives.go order,
// keeping only those registered above (a Corefile naming any other plugin is refused at start).
func init() {
	dnsserver.Directives = []string{"bind", "ready", "errors", "kubernetes"}
}

func main() {
	coremain.Run()
}
