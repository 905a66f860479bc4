"""The package: pyproject.toml's ranges admit the exact versions requirements.txt locks (what
CI installs with `pip install -c requirements.txt -e ".[test]"`), every locked direct
dependency is declared, and every console script names a function that exists."""
import importlib
import re
import tomllib

from packaging.requirements import Requirement

from conftest import REPO

PYPROJECT = tomllib.loads((REPO / 'pyproject.toml').read_text())['project']


def canonical(name: str) -> str:
  return re.sub(r'[-_.]+', '-', name).lower()


def locked_versions() -> dict:
  """requirements.txt: {canonical name: pinned version}."""
  pins = {}
  for line in (REPO / 'requirements.txt').read_text().splitlines():
    line = line.split('#')[0].strip()
    if line:
      name, _, version = line.partition('==')
      pins[canonical(name)] = version
  return pins


def declared() -> list[Requirement]:
  extras = PYPROJECT['optional-dependencies']
  return [Requirement(r) for r in PYPROJECT['dependencies'] + extras['test']]


def test_the_lock_satisfies_every_declared_range():
  pins = locked_versions()
  for requirement in declared():
    name = canonical(requirement.name)
    assert name in pins, f'{requirement.name} is declared in pyproject.toml, not locked'
    assert requirement.specifier.contains(pins[name]), (
        f'requirements.txt locks {name}=={pins[name]}, outside pyproject.toml\'s {requirement}')


def test_every_direct_dependency_of_the_lock_is_declared():
  """The lock's first block (before '# Their dependencies') is what gan_jax imports."""
  text = (REPO / 'requirements.txt').read_text().split('# Their dependencies')[0]
  direct = {canonical(l.split('==')[0]) for l in text.splitlines()
            if '==' in l and not l.startswith('#')}
  names = {canonical(r.name) for r in declared()} | {'execnet'}  # xdist's, pinned as tested.
  assert direct <= names, direct - names


def test_console_scripts_name_functions():
  for script, target in PYPROJECT['scripts'].items():
    module, function = target.split(':')
    assert callable(getattr(importlib.import_module(module), function)), script
