"""`python -m fclocal serve --config examples/s.yaml --host 127.0.0.1 --port 9000 --state-dir var/fclocal`"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from pathlib import Path

from fclocal.app import App, Options
from fclocal.config import ConfigError
from fclocal.keys import keys_from_env
from fclocal.server import Server
from fclocal.watch import watch


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m fclocal", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser(
        "serve", help="serve the FC 3.0 and 2.0 APIs for the functions of s.yaml files"
    )
    serve.add_argument(
        "--config",
        type=Path,
        action="append",
        help="a Serverless Devs project file, 2.x or 3.x (repeat for more; default s.yaml)",
    )
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=9000, help="0 picks a free port (printed at start-up)")
    serve.add_argument("--state-dir", type=Path, default=Path("var/fclocal"), help="SQLite store and logs")
    serve.add_argument("--reload", action="store_true", help="pick up changes to the code and the s.yaml")
    serve.add_argument("--max-instances", type=int, default=10, help="instances per function (default 10)")
    serve.add_argument(
        "--instance-wait",
        type=float,
        default=10.0,
        help="seconds a sync request waits for a free instance before 429 ResourceExhausted (default 10)",
    )
    serve.add_argument("--idle-seconds", type=float, default=300.0, help="idle instances end after this long")
    serve.add_argument(
        "--async-workers", type=int, default=32, help="async invocations run at once (default 32)"
    )
    serve.add_argument(
        "--retry-delay", type=float, default=1.0, help="first async retry delay, doubling (default 1s)"
    )
    serve.add_argument("--access-log", action="store_true", help="print one line per request")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        keys = keys_from_env()
        options = Options(
            max_instances=args.max_instances,
            instance_wait=args.instance_wait,
            idle_seconds=args.idle_seconds,
            async_workers=args.async_workers,
            retry_delay=args.retry_delay,
        )
        app = App(args.config or [Path("s.yaml")], args.state_dir, keys, options)
    except (ConfigError, ValueError) as exc:
        print(f"fclocal: cannot start: {exc}", file=sys.stderr)
        return 2
    server = Server((args.host, args.port), app, access_log=args.access_log)
    host, port = server.server_address[:2]
    stop = threading.Event()
    if args.reload:
        threading.Thread(target=watch, args=(app, stop), name="fclocal-reload", daemon=True).start()
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.shutdown).start())
    functions = ", ".join(f"{f.service}/{f.name}" if f.service else f.name for f in app.project.functions())
    print(f"fclocal: serving {functions}", flush=True)
    print(f"fclocal: account {keys.account_id}, key ids {', '.join(sorted(keys.secrets))}", flush=True)
    print(f"fclocal listening on http://{host}:{port}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
        server.server_close()
        app.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
