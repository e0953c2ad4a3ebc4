"""Build hook: models/ and data/investeringsplan/ ship inside the package as data only (pyproject.toml maps them to
invest/_data/), so the default plan's build script does not become a module of the installed package."""

from setuptools import setup
from setuptools.command.build_py import build_py


class DataOnly(build_py):
    def find_package_modules(self, package, package_dir):
        return [] if package.startswith("invest._data") else super().find_package_modules(package, package_dir)


setup(cmdclass={"build_py": DataOnly})
