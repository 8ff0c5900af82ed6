"""The CLI as a Unix citizen: a reader that leaves early is not an error."""

import subprocess
import sys


def test_params_piped_into_head_exits_cleanly():
    proc = subprocess.Popen(
        [sys.executable, "-m", "siyi_sim.cli", "params"], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    first = proc.stdout.readline()
    proc.stdout.close()  # like `| head -1`: the reader goes away
    stderr = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 0
    assert first.startswith(b"run.days")
    assert "Broken pipe" not in stderr and "Traceback" not in stderr
