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
    print(f"\nVentanilla corre en {stack.url}  (Ctrl-C para detener)", flush=True)
    print(f"  API:      {stack.url}/api/v1/health   OpenAPI: {stack.url}/api/v1/openapi.json")
    print(f"  AWS local (moto): {stack.moto.url if stack.moto else '-'}")
    if data is not None:
        state = "recuperados" if stack.restored else "nuevos"
        print(f"  Datos ({state}): {data.root}  (--fresh para empezar de cero)")
    if stack.logins:
        print("  Cuentas de demostración (usuario / contraseña / rol):")
        for login in stack.logins:
            print(f"    {login.username:<20} {login.password:<20} {', '.join(login.groups)}")
    if stack.open311_key:
        print(f"  Open311 GeoReport v2: {stack.url}/open311/v2/discovery.json  api_key: {stack.open311_key}")
    if stack.citizen_login is not None:
        login = stack.citizen_login
        print("  Cuenta ciudadana de demostración (portal, «Mi cuenta»):")
        print(f"    {login.username:<20} {login.password:<20} ciudadana, 2 solicitudes (web y correo)")
    if stack.demo_numbers:
        print(f"  Solicitudes de demostración: {stack.demo_numbers[0]} a {stack.demo_numbers[-1]}")
    if stack.smtp is not None:
        address = os.environ.get("REQUESTS_ADDRESS", "")
        print(f"  Correo entrante (SMTP): 127.0.0.1:{stack.smtp.port}  para: {address}")
    if stack.demo:
        print("  Monitoreo: POST /api/v1/integrations/alerts/demo-monitor (secreto demo-monitor-secret)")
    # One write with its newline: the web thread prints "Serving on ..." meanwhile, and print()
    # writes the text and the newline apart (a reader once got "localhost:45247Serving").
    sys.stdout.write(f"READY {stack.url}\n")
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
