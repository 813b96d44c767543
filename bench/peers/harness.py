"""What `run` and `check` share: where ganpipe and the peers' Python are, running one process
and reading its JSON, the two configurations."""
import json
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
CONFIGURATIONS = {"reference": (512, 256), "small": (64, 64)}  # name: (width, batch size)
PEERS = ("torch", "jax")


def ganpipe():
    """$GANPIPE, else <repo>/.build/release/ganpipe, built with `swift build -c release` if missing."""
    if "GANPIPE" in os.environ:
        return os.environ["GANPIPE"]
    binary = REPO / ".build" / "release" / "ganpipe"
    if not binary.exists():
        subprocess.run(["swift", "build", "-c", "release"], cwd=REPO, check=True)
    return str(binary)


def python():
    """The peers' venv interpreter ($PEERS_VENV, else bench/peers/.venv), made by ./setup if missing."""
    venv = Path(os.environ.get("PEERS_VENV", HERE / ".venv"))
    if not (venv / "bin" / "python").exists():
        subprocess.run([str(HERE / "setup")], check=True)
    return str(venv / "bin" / "python")


def peer_command(peer, *arguments):
    return [python(), str(HERE / f"wgan_gp_{peer}.py"), *map(str, arguments)]


def output(command):
    """Runs `command` to the end (stderr passes through) and returns its standard output."""
    return subprocess.run(command, check=True, stdout=subprocess.PIPE, text=True).stdout


def last_json(command):
    return json.loads(output(command).strip().splitlines()[-1])


def json_lines(command):
    return [json.loads(line) for line in output(command).splitlines() if line.startswith("{")]


def load():
    """The 1-, 5- and 15-minute load averages, as `uptime` prints them."""
    return "load average %.2f, %.2f, %.2f" % os.getloadavg()


def log(message):
    print(message, file=sys.stderr, flush=True)
