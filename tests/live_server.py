"""A real HTTP server for the whole Django app in a thread (port 0), for browser and HTTP tests.

One request per connection (`Connection: close`): a request thread ends — and Django closes its
database connection — as soon as its response is sent. With keep-alive, a thread waiting for the
browser's next request kept its connection open past the test, and the test database could not
be dropped at the end of the run ("is being accessed by other users").
"""

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from django.contrib.staticfiles.handlers import StaticFilesHandler
from django.core.handlers.wsgi import WSGIHandler
from django.core.servers.basehttp import ServerHandler, ThreadedWSGIServer, WSGIRequestHandler


class _ClosingServerHandler(ServerHandler):
    def cleanup_headers(self):
        super().cleanup_headers()
        self.headers["Connection"] = "close"
        self.request_handler.close_connection = True


class _OneRequestHandler(WSGIRequestHandler):
    def log_message(self, *args):
        pass

    def handle_one_request(self):
        """Django's, with a handler that closes the connection after the response."""
        self.raw_requestline = self.rfile.readline(65537)
        if len(self.raw_requestline) > 65536:
            self.requestline = self.request_version = self.command = ""
            self.send_error(414)
            return
        if not self.parse_request():
            return
        handler = _ClosingServerHandler(
            self.rfile, self.wfile, self.get_stderr(), self.get_environ()
        )
        handler.request_handler = self
        handler.run(self.server.get_app())


@contextmanager
def live_wsgi_server(*, static: bool = False) -> Iterator[int]:
    """Serve the app on 127.0.0.1 (a free port, yielded) until the block ends; every request
    thread has finished, its database connection closed, when this returns."""
    server = ThreadedWSGIServer(("127.0.0.1", 0), _OneRequestHandler, allow_reuse_address=False)
    server.set_app(StaticFilesHandler(WSGIHandler()) if static else WSGIHandler())
    server.daemon_threads = False
    server.block_on_close = True  # server_close() joins the request threads
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
