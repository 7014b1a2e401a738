"""`pip install ./python` offline (no index, no build isolation, no
dependency) installs both packages, nereid and neptune; a fresh
interpreter imports them from there, not from the source tree, and runs a
track through the library. Skipped, saying why, when this python3 has no
pip or setuptools."""
import os
import shutil
import subprocess
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.join(os.path.dirname(os.path.dirname(HERE)), "python")


def test_pip_install_offline(tmp_path, datasets):
    for module in ("pip", "setuptools"):
        probe = subprocess.run([sys.executable, "-c", f"import {module}"], capture_output=True)
        if probe.returncode != 0:
            pytest.skip(f"{sys.executable} has no {module}: "
                        "apt-get install python3-pip python3-setuptools")
    src = tmp_path / "src"
    shutil.copytree(SOURCE, src, ignore=shutil.ignore_patterns("build", "*.egg-info",
                                                              "__pycache__"))
    target = tmp_path / "site"
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "LD_PRELOAD")}
    env.update(PIP_NO_INDEX="1", PIP_DISABLE_PIP_VERSION_CHECK="1", PIP_NO_CACHE_DIR="1")
    out = subprocess.run([sys.executable, "-m", "pip", "install", "--no-build-isolation",
                          "--no-deps", "--no-index", "--target", str(target), str(src)],
                         env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr
    assert (target / "nereid" / "_run.py").exists()
    assert (target / "neptune" / "__init__.py").exists()
    code = ("import nereid, neptune, neptune.exceptions, neptune.types\n"
            "assert nereid.__file__.startswith(%r), nereid.__file__\n"
            "assert neptune.__file__.startswith(%r), neptune.__file__\n"
            "assert 'compatibility package' in neptune.__doc__\n"
            "run = neptune.init_run()\n"
            "run['data_versions'].track_files('datasets/')\n"
            "print(run['data_versions'].fetch_hash())\n"
            "run.stop()\n") % (str(target), str(target))
    env = dict(os.environ, PYTHONPATH=str(target))  # the ASan runtime stays preloaded
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert len(out.stdout.strip()) == 64
