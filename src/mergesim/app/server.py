"""Start the app's web server: ``mergesim app`` (through :func:`mergesim.api.app`).

:func:`serve` binds the port first (so a port in use is one clear line, and port 0 picks a
free one whose number is printed), hands the socket to uvicorn running Solara's Starlette
application, and blocks until interrupted. The page (:mod:`mergesim.app.page`) learns the
scenario and the results folder from environment variables (:func:`app_inputs`), because
Solara builds a fresh page per browser session inside its own server.

Solara runs offline: its browser assets come from the ``solara-assets`` package (part of the
``app`` extra), and telemetry is switched off.
"""

from __future__ import annotations

import errno
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from mergesim.config import Scenario, load_scenario
from mergesim.errors import UserError

DEFAULT_HOST = "127.0.0.1"
#: Solara's own default port.
DEFAULT_PORT = 8765
ENV_SCENARIO = "MERGESIM_APP_SCENARIO"
ENV_RESULTS = "MERGESIM_APP_RESULTS"
INSTALL_HINT = "pip install -e '.[app]'"


@dataclass(frozen=True)
class AppInputs:
    """What every page of one server shows.

    Attributes:
        base: The scenario the app was started with (defaults: the seed county).
        others: Scenario files offered as run B (the ``.toml`` files beside ``base``'s file).
        results: The folder the results browser opens first.
    """

    base: Scenario
    others: dict[str, Path]
    results: Path


def app_inputs() -> AppInputs:
    """The :class:`AppInputs` the server was started with (from the environment)."""
    path = os.environ.get(ENV_SCENARIO, "")
    base = load_scenario(path) if path else Scenario()
    folder = Path(path).parent if path else Path("scenarios")
    others = {}
    if folder.is_dir():
        others = {
            p.stem: p
            for p in sorted(folder.glob("*.toml"))
            if not path or p.resolve() != Path(path).resolve()
        }
    return AppInputs(base, others, Path(os.environ.get(ENV_RESULTS, "results")))


def _bind(host: str, port: int) -> socket.socket:
    """A listening socket on ``host:port`` (port 0: a free one)."""
    if not 0 <= port <= 65535:
        raise UserError(
            f"value {port} is out of range; allowed: 0..65535 (0 = a free port)",
            source="command line",
            key="--port",
        )
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as e:
        raise UserError(
            f"cannot resolve host {host!r}: {e.strerror}", source="command line", key="--host"
        ) from None
    family, _, _, _, addr = infos[0]
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(addr)
    except OSError as e:
        sock.close()
        what = (
            "is in use; choose another --port (0 = a free one)"
            if e.errno == errno.EADDRINUSE
            else f"cannot be opened: {e.strerror}"
        )
        raise UserError(f"{host}:{port} {what}", source="command line", key="--port") from None
    sock.listen(128)
    return sock


def serve(
    scenario: str | Path | None,
    *,
    host: str,
    port: int,
    results: str | Path,
    ready: Callable[[str], None] | None = None,
) -> None:
    """Serve the app until interrupted (Ctrl+C).

    Args:
        scenario: Scenario file (None: the seed county's defaults). Validated before start.
        host: Address to listen on (``127.0.0.1``: this machine only).
        port: Port (0: a free one).
        results: Folder the results browser opens first.
        ready: Called with the page's address once the port is open.

    Raises:
        mergesim.errors.UserError: The ``app`` extra is not installed, a bad scenario file, or
            a port that cannot be opened (one line each).
    """
    if scenario is not None:
        load_scenario(scenario)  # a bad file is one line now, not an error inside the page
    os.environ[ENV_SCENARIO] = str(Path(scenario).resolve()) if scenario is not None else ""
    os.environ[ENV_RESULTS] = str(Path(results).resolve())
    os.environ["SOLARA_APP"] = "mergesim.app.page"
    os.environ["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] = "false"
    try:
        # The web stack is the optional ``app`` extra: imported only when the app starts.
        import solara.server.starlette
        import uvicorn
    except ImportError as e:
        raise UserError(
            f"the app needs the optional web stack ({e.name} is missing); "
            f"install it with: {INSTALL_HINT}",
            source="app",
        ) from None
    sock = _bind(host, port)
    bound = sock.getsockname()[1]
    os.environ["SERVER_NAME"], os.environ["SERVER_PORT"] = host, str(bound)
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{shown}:{bound}/"
    config = uvicorn.Config(solara.server.starlette.app, log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    if ready is not None:
        ready(url)
    try:
        server.run(sockets=[sock])
    finally:
        sock.close()
