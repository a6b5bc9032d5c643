"""HTTP endpoint for the channel tests on 127.0.0.1:PORT. Every request is appended to
OUTDIR/requests.jsonl as {"method","path","headers","body"}. The answer depends on the path:
a segment "status-NNN" answers NNN with a Graph-style error body; anything else answers 200
with the body given by the path's last segment's kind ("sendsms": Kannel's "0: Accepted for
delivery", otherwise a Send API result)."""
import json
import os
import re
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Handler(BaseHTTPRequestHandler):
    def _record(self, body):
        with open(os.path.join(self.server.outdir, "requests.jsonl"), "a") as f:
            f.write(json.dumps({"method": self.command, "path": self.path,
                                "headers": {k.lower(): v for k, v in self.headers.items()},
                                "body": body.decode("utf-8", "replace")}) + "\n")

    def _answer(self):
        m = re.search(r"status-(\d{3})", self.path)
        if m:
            code = int(m.group(1))
            payload = json.dumps({"error": {"message": "Invalid OAuth access token" if code in (401, 403)
                                            else "simulated failure", "code": 190}}).encode()
            ctype = "application/json"
        elif "sendsms" in self.path:
            code, payload, ctype = 202, b"0: Accepted for delivery", "text/plain"
        else:
            code = 200
            payload = json.dumps({"recipient_id": "1254459154682919",
                                  "message_id": "m_AG5Hz2Uq7tuwNEhXfYYKj8mJEM"}).encode()
            ctype = "application/json"
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def do_GET(self):
        self._record(b"")
        self._answer()

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        self._record(self.rfile.read(length))
        self._answer()

    def log_message(self, *args):
        pass


def main():
    server = ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler)
    server.outdir = sys.argv[2]
    server.serve_forever()


if __name__ == "__main__":
    main()
