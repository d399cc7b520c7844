"""Build hook: the wheel carries the browser libraries the built sites serve.

The metadata is in pyproject.toml. `build_py` copies the npm files named in
`compiler/vendored.py` from `node_modules/` (fetched by `npm ci`, never
committed) into the wheel's `compiler/assets/vendor/`, where the installed `kb` finds them.
"""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent


def _vendored():
    spec = importlib.util.spec_from_file_location("_kb_vendored", HERE / "compiler" / "vendored.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class BuildPyWithBrowserLibraries(build_py):
    def run(self) -> None:
        editable = getattr(self, "editable_mode", False)
        if not editable:  # a module deleted from the checkout must not linger in build/lib
            shutil.rmtree(Path(self.build_lib) / "compiler", ignore_errors=True)
        super().run()
        if editable:
            return  # an editable install reads the checkout's node_modules/ directly
        assets = _vendored()
        missing = []
        for package, file in assets.VENDORED:
            source = HERE / "node_modules" / package / file
            if not source.is_file():
                missing.append(str(source))
                continue
            target = Path(self.build_lib) / "compiler" / "assets" / "vendor" / assets.vendored_name(
                package, file)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
        if missing:
            raise SystemExit("error: missing browser libraries " + ", ".join(missing)
                             + ": run `npm ci` in the checkout before building the wheel")


setup(cmdclass={"build_py": BuildPyWithBrowserLibraries})
