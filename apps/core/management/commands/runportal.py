"""Run the portal with its Celery worker and beat in one terminal; Ctrl+C stops all three."""

import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from apps.core.demo import DEMO_PASSWORD, LOGINS


def with_port(addrport: str, port: int) -> str:
    """`addrport` ("127.0.0.1:8000", or a bare port) served on `port` instead."""
    if not 1 <= port <= 65535:
        raise CommandError(f"The port must be between 1 and 65535 (it is {port}).")
    host, separator, _ = addrport.rpartition(":")
    return f"{host}:{port}" if separator else str(port)


class Command(BaseCommand):
    help = "Start the web server, a Celery worker and Celery beat together (development)."

    def add_arguments(self, parser):
        parser.add_argument("--addrport", default="127.0.0.1:8000")
        parser.add_argument(
            "--port", type=int, help="Serve on this port (of the --addrport address)."
        )

    def handle(self, *args, addrport: str, port: int | None = None, **options):
        if port is not None:
            addrport = with_port(addrport, port)
        python = sys.executable
        manage = str(settings.BASE_DIR / "manage.py")
        celery = [python, "-m", "celery", "-A", "config"]
        commands = {
            "web": [python, manage, "runserver", addrport, "--noreload"],
            "worker": [*celery, "worker", "--loglevel", "INFO", "--concurrency", "2"],
            "beat": [*celery, "beat", "--loglevel", "INFO"],
        }
        broker = "Redis" if settings.REDIS_URL else "embedded file-system broker"
        database = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
        self.stdout.write(self.style.SUCCESS(f"\nBPO Operations Portal: http://{addrport}/"))
        self.stdout.write(f"Database: {database}; broker: {broker}")
        self.stdout.write(f"Demo logins (password '{DEMO_PASSWORD}'):")
        for username, description in LOGINS:
            self.stdout.write(f"  {username:<10} {description}")
        self.stdout.write("Press Ctrl+C to stop the portal, the worker and beat.\n")
        processes = {
            name: subprocess.Popen(command, cwd=settings.BASE_DIR, env=os.environ.copy())
            for name, command in commands.items()
        }
        try:
            while all(process.poll() is None for process in processes.values()):
                time.sleep(0.5)
            stopped = [name for name, process in processes.items() if process.poll() is not None]
            self.stderr.write(f"{', '.join(stopped)} stopped; stopping the rest.")
        except KeyboardInterrupt:
            pass
        finally:
            for process in processes.values():
                if process.poll() is None:
                    process.send_signal(signal.SIGTERM)
            for process in processes.values():
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    process.kill()
