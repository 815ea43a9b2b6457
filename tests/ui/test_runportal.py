"""Running the portal on another port: `make demo PORT=…` and `runportal --port`."""

import shutil
import subprocess

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from apps.core.management.commands.runportal import with_port


@pytest.mark.parametrize(
    "addrport,port,expected",
    [
        ("127.0.0.1:8000", 8010, "127.0.0.1:8010"),
        ("0.0.0.0:8000", 9000, "0.0.0.0:9000"),
        ("[::1]:8000", 8010, "[::1]:8010"),
        ("8000", 8010, "8010"),
    ],
)
def test_the_port_replaces_the_one_of_the_address(addrport, port, expected):
    assert with_port(addrport, port) == expected


@pytest.mark.parametrize("port", [0, 65536, -1])
def test_a_port_out_of_range_is_refused_with_a_clear_error(port):
    with pytest.raises(CommandError, match="between 1 and 65535"):
        with_port("127.0.0.1:8000", port)


class StoppedProcess:
    """Stands in for a child process that has already exited."""

    started: list[list[str]] = []

    def __init__(self, command, **kwargs):
        self.started.append(command)

    def poll(self):
        return 0

    def wait(self, timeout=None):
        return 0


def test_runportal_serves_on_the_given_port(monkeypatch, capsys):
    monkeypatch.setattr("apps.core.management.commands.runportal.subprocess.Popen", StoppedProcess)
    StoppedProcess.started = []

    call_command("runportal", "--port", "8010")

    web = next(command for command in StoppedProcess.started if "runserver" in command)
    assert web[-2:] == ["127.0.0.1:8010", "--noreload"]
    assert "http://127.0.0.1:8010/" in capsys.readouterr().out


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
@pytest.mark.parametrize("args,port", [([], "8000"), (["PORT=8010"], "8010")])
def test_make_demo_passes_the_port_to_runportal(args, port):
    dry_run = subprocess.run(
        ["make", "--dry-run", "demo", *args],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
    ).stdout

    assert f"manage.py runportal --port {port}" in dry_run


def test_the_readme_says_how_to_choose_the_port():
    readme = (settings.BASE_DIR / "README.md").read_text()

    assert "make demo PORT=8010" in readme
    assert "runportal --port 8010" in readme
