"""Serving a fake on 127.0.0.1: a WSGI app on a free port in a daemon thread, over HTTP or
HTTPS with a throwaway certificate, stopped (socket closed, thread joined) on request."""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any

from prewire.emulator.tls import self_signed


class LocalServer:
    def __init__(self, app: Any, *, tls: bool = False, **options: Any) -> None:
        self.app, self.tls, self.options = app, tls, options
        self.certificate: Path | None = None
        self.url = ""
        self.host_port = ""
        self._server: Any = None
        self._thread: threading.Thread | None = None

    def start(self) -> LocalServer:
        from werkzeug.serving import make_server

        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        ssl_context = None
        if self.tls:
            certificate, key = self_signed()
            self.certificate, ssl_context = certificate, (str(certificate), str(key))
        self._server = make_server(
            "127.0.0.1", 0, self.app, threaded=True, ssl_context=ssl_context, **self.options
        )
        host, port = self._server.server_address[:2]
        self.host_port = f"{host}:{port}"
        self.url = f"{'https' if self.tls else 'http'}://{self.host_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=10)
        self._server = None
