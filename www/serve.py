#!/usr/bin/env python3
"""Serve the replay page locally: build it (www/build.sh) and serve target/www.

    python3 www/serve.py              # build, then http://127.0.0.1:8000/
    python3 www/serve.py --no-build --port 0

Python's own static server, with the types the page needs (`.wasm` as
`application/wasm`, modules as `text/javascript`) and no caching, so a rebuild shows at
once. It binds to 127.0.0.1 unless told otherwise. The page's Content-Security-Policy is
in its own <meta> tag, so any static host enforces it; this server adds none.
"""

import argparse
import functools
import http.server
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

TYPES = {
    ".wasm": "application/wasm",
    ".js": "text/javascript",
    ".mjs": "text/javascript",
    ".json": "application/json",
    ".css": "text/css",
    ".html": "text/html; charset=utf-8",
    ".gz": "application/gzip",
}


class Handler(http.server.SimpleHTTPRequestHandler):
    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map, **TYPES}
    quiet = False

    def end_headers(self):
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        super().end_headers()

    def log_message(self, format, *args):
        if not self.quiet:
            super().log_message(format, *args)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8000, help="0 picks a free port")
    parser.add_argument("--bind", default="127.0.0.1")
    parser.add_argument("--dir", default=os.path.join(ROOT, "target", "www"))
    parser.add_argument("--no-build", action="store_true", help="serve what is built")
    parser.add_argument("--quiet", action="store_true", help="no request log")
    args = parser.parse_args()

    if not args.no_build:
        env = dict(os.environ, WWW_OUT=args.dir)
        subprocess.run(["bash", os.path.join(ROOT, "www", "build.sh")], check=True, env=env)
    if not os.path.isfile(os.path.join(args.dir, "index.html")):
        sys.exit(f"serve: nothing built in {args.dir} (run without --no-build)")

    Handler.quiet = args.quiet
    handler = functools.partial(Handler, directory=args.dir)
    with http.server.ThreadingHTTPServer((args.bind, args.port), handler) as server:
        host, port = server.server_address[:2]
        print(f"serving {args.dir} on http://{host}:{port}/", flush=True)
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
