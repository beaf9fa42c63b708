"""What scripts/setup.sh hands to pip: PyTorch's CPU index on an ordinary machine, the user's own index elsewhere."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests.conftest import ROOT

TORCH_CPU = "https://download.pytorch.org/whl/cpu"


def pip_args(**env: str) -> list[str]:
    """The arguments setup.sh would pass to ``pip install``, in an environment with no pip configuration but ``env``."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("PIP_") and k != "TORCH_INDEX_URL"}
    # PIP_CONFIG_FILE=os.devnull: pip reads no configuration file (neither this machine's nor the user's)
    clean |= {"PIP_CONFIG_FILE": os.devnull, **env}
    done = subprocess.run(
        ["bash", str(ROOT / "scripts" / "setup.sh"), "--print-pip-args"], env=clean, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.splitlines()


def test_an_ordinary_machine_gets_pytorchs_cpu_index_for_the_pinned_cpu_torch() -> None:
    args = pip_args()
    assert args[-2:] == ["--extra-index-url", TORCH_CPU]
    assert args[:4] == ["-c", "constraints.txt", "-e", ".[dev]"]
    assert "torch==2.13.0+cpu" in (ROOT / "constraints.txt").read_text().splitlines()


@pytest.mark.parametrize("variable", ["PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL", "PIP_FIND_LINKS"])
def test_an_index_the_user_configured_is_left_alone(variable: str) -> None:
    assert "--extra-index-url" not in pip_args(**{variable: "file:///somewhere"})


def test_an_index_in_pips_configuration_file_is_left_alone(tmp_path: Path) -> None:
    config = tmp_path / "pip.conf"
    config.write_text("[global]\nextra-index-url = https://mirror.example/simple\n")
    assert "--extra-index-url" not in pip_args(PIP_CONFIG_FILE=str(config))


def test_torch_index_url_overrides_either_way() -> None:
    assert pip_args(TORCH_INDEX_URL="https://torch.example/whl")[-1] == "https://torch.example/whl"
    assert "--extra-index-url" not in pip_args(TORCH_INDEX_URL="")
    assert pip_args(PIP_FIND_LINKS="/wheels", TORCH_INDEX_URL=TORCH_CPU)[-1] == TORCH_CPU
