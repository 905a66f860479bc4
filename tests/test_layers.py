"""The package's floors hold (pyproject.toml's import-linter contract: common -> config ->
data, models, objectives -> eval -> training -> tasks -> run -> tools and main), and no
module imports itself back through others (no cycle, function-level imports included)."""
import os

import grimp
from importlinter import cli

from conftest import REPO


def test_every_import_runs_down_the_floors():
  cwd = os.getcwd()
  os.chdir(REPO)  # import-linter reads pyproject.toml from the working directory.
  try:
    assert cli.lint_imports(config_filename=str(REPO / 'pyproject.toml'), no_cache=True,
                            no_logo=True) == 0
  finally:
    os.chdir(cwd)


def strongly_connected(graph: grimp.ImportGraph) -> list[set[str]]:
  """Tarjan's strongly connected components of the module import graph, with more than one
  module (a cycle)."""
  index, low, on_stack, stack, components = {}, {}, set(), [], []

  def visit(module):
    index[module] = low[module] = len(index)
    stack.append(module)
    on_stack.add(module)
    for imported in graph.find_modules_directly_imported_by(module):
      if imported not in index:
        visit(imported)
        low[module] = min(low[module], low[imported])
      elif imported in on_stack:
        low[module] = min(low[module], index[imported])
    if low[module] == index[module]:
      component = set()
      while True:
        member = stack.pop()
        on_stack.discard(member)
        component.add(member)
        if member == module:
          break
      if len(component) > 1:
        components.append(component)

  for module in sorted(graph.modules):
    if module not in index:
      visit(module)
  return components


def test_no_import_cycle():
  graph = grimp.build_graph('gan_jax')
  assert strongly_connected(graph) == []


def test_the_cycle_finder_finds_a_cycle():
  graph = grimp.ImportGraph()
  for module in ('a', 'b', 'c'):
    graph.add_module(module)
  graph.add_import(importer='a', imported='b')
  graph.add_import(importer='b', imported='c')
  assert strongly_connected(graph) == []
  graph.add_import(importer='c', imported='a')
  assert strongly_connected(graph) == [{'a', 'b', 'c'}]
