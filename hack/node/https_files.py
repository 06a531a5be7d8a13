"""A small HTTPS file server for hack/node-e2e: the model server of a version whose model comes
over https:// with a CA the test made. Serves the files of DIR (GET and HEAD only) on ADDRESS (the
node's bridge address, reachable from pods and nothing else) at a port the kernel picks, written
to PORT_FILE once listening; every request is logged to stderr as one line. Exits after
MAX_SECONDS (default 1800) even if nobody stops it.

  python3 https_files.py ADDRESS DIR CERT KEY PORT_FILE [MAX_SECONDS]"""

import functools
import http.server
import os
import ssl
import sys
import threading

address, root, cert, key, port_file = sys.argv[1:6]
max_seconds = float(sys.argv[6]) if len(sys.argv) > 6 else 1800.0


class Handler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, fmt, *args):
        sys.stderr.write("%s %s\n" % (self.address_string(), fmt % args))
        sys.stderr.flush()


server = http.server.ThreadingHTTPServer(
    (address, 0), functools.partial(Handler, directory=root))
tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
tls.minimum_version = ssl.TLSVersion.TLSv1_2
tls.load_cert_chain(cert, key)
server.socket = tls.wrap_socket(server.socket, server_side=True)
with open(port_file + ".tmp", "w") as f:
    f.write("%d\n" % server.server_address[1])
os.replace(port_file + ".tmp", port_file)
timer = threading.Timer(max_seconds, server.shutdown)
timer.daemon = True
timer.start()
server.serve_forever()
