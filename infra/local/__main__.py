"""``python -m infra.local``: run Ventanilla on this machine (what ``make dev`` calls)."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
import warnings
from pathlib import Path

from infra.local.persist import DataDir
from infra.local.stack import LocalStack


def main() -> None:
    parser = argparse.ArgumentParser(description="Ventanilla on one machine, no AWS account needed.")
    parser.add_argument("--port", type=int, default=8000, help="HTTP port (0 picks a free one)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--demo", action="store_true", help="create the demo staff accounts")
    parser.add_argument(
        "--data", type=Path, default=Path(".ventanilla"), help="folder that keeps the state across restarts"
    )
    parser.add_argument("--fresh", action="store_true", help="empty the data folder and start anew")
    parser.add_argument("--memory", action="store_true", help="keep nothing on disk (the tests' stacks)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # moto's request log
    warnings.filterwarnings("ignore", message="No application metrics to publish")  # metrics are off locally

    data = None if args.memory else DataDir(args.data.resolve())
    stack = LocalStack(port=args.port, host=args.host, demo=args.demo, data=data, fresh=args.fresh).start()
    # The banner goes out in one write, so no other thread's output runs into its lines (a reader
    # once got "...:45247Serving on ..." and took the web URL for moto's).
    lines: list[str] = []
    say = lines.append
    say(f"\nVentanilla corre en {stack.url}  (Ctrl-C para detener)")
    say(f"  API:      {stack.url}/api/v1/health   OpenAPI: {stack.url}/api/v1/openapi.json")
    say(f"  AWS local (moto): {stack.moto.url if stack.moto else '-'}")
    if data is not None:
        state = "recuperados" if stack.restored else "nuevos"
        say(f"  Datos ({state}): {data.root}  (--fresh para empezar de cero)")
    if stack.logins:
        say("  Cuentas de demostración (usuario / contraseña / rol):")
        for login in stack.logins:
            say(f"    {login.username:<20} {login.password:<20} {', '.join(login.groups)}")
    if stack.open311_key:
        say(f"  Open311 GeoReport v2: {stack.url}/open311/v2/discovery.json  api_key: {stack.open311_key}")
    if stack.citizen_login is not None:
        login = stack.citizen_login
        say("  Cuenta ciudadana de demostración (portal, «Mi cuenta»):")
        mine = f": {' y '.join(stack.citizen_numbers)}" if stack.citizen_numbers else ""
        say(f"    {login.username:<20} {login.password:<20} ciudadana, 2 solicitudes (web y correo){mine}")
    if stack.demo_numbers:
        say(f"  Solicitudes de demostración: {stack.demo_numbers[0]} a {stack.demo_numbers[-1]}")
    if stack.internal_numbers:
        first, last = stack.internal_numbers[0], stack.internal_numbers[-1]
        say(f"  Solicitudes internas (soporte, con activos): {first} a {last}")
    if stack.smtp is not None:
        address = os.environ.get("REQUESTS_ADDRESS", "")
        say(f"  Correo entrante (SMTP): 127.0.0.1:{stack.smtp.port}  para: {address}")
    if stack.demo:
        say("  Monitoreo: POST /api/v1/integrations/alerts/demo-monitor (secreto demo-monitor-secret)")
    say(f"READY {stack.url}")
    sys.stdout.write("\n".join(lines) + "\n")
    sys.stdout.flush()

    stop = threading.Event()
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    stop.wait()
    print("\nDeteniendo...", flush=True)
    stack.stop()
    sys.exit(0)


if __name__ == "__main__":
    main()
