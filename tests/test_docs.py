"""The docs against the code: every command of every ```bash block of README.md and docs/*.md
names a module, flags, config files, config fields, sweep files and repository paths that
exist, and every link between the pages resolves.

How a block is read: backslash continuations are joined; `#` comments are dropped; a line
is split into simple commands at `;`, `&`, `&&`, `|` and `||`; `VAR=value` words before a
command and the prefixes `time` and `taskset -c CPUS` are dropped (they change how it runs,
not what it runs); the header of a `for VAR in VALUES` loop is no command, and the body is
checked once per value with `$VAR` replaced.

What a command is checked for:
* `python -m gan_jax.<module>` and the console scripts of pyproject.toml (`gan-jax-train`,
  ...): the module exists and defines every `--flag` the command uses (absl's own flags,
  `--helpfull`, `--flagfile`, ..., count); its required flags are given.
* `--config FILE[:arg]` (also `--config=`): the file exists and loads with its argument
  (`get_config(arg)`), every `--config.a.b=value` names a field of that config
  (ml_collections; placeholders are fields), the config with the overrides parses as
  gan_jax.main's flag parser parses it (a value of the wrong type is an error; values with a
  `$` are not parsed), and gan_jax's config checks accept it, with `--mode` if given, as
  gan_jax.main checks them before it reads any data.
* `python -m gan_jax.sweep FILE`: the sweep file loads and checks as gan_jax.sweep loads it
  (get_sweep(), its axes, every trial's config), with the command's `--set a.b=v`, whose
  fields must be the base config's.
* `python scripts/X.py` and `python benchmarks/X.py`: the script exists and defines every flag
  used (absl or argparse).
* Every argument that is a path of the repository (configs/, experiments/, scripts/,
  benchmarks/, tests/, gan_jax/, docs/) exists. `../shared/data/...` (the offline data) and
  paths outside the repository (/tmp, /path/to/...) are not checked.

Flags are read from the modules' source (the `DEFINE_*` calls, `mark_flag(s)_as_required`,
argparse's `add_argument`, and `runpy.run_module` for the wrappers gan_jax/sweep.py, ...),
not by importing them: gan_jax.tools.sweep, gan_jax.eval.classifier and
gan_jax.tools.sample_photos define their flags under `if __name__ == '__main__'`, so an
import does not see them, and `--helpfull` in a subprocess costs seconds per module.
`test_source_flags_match_absl` checks the reading against absl's own registry for
gan_jax.main.

The commands that are not checked, each with the reason, are SKIPPED and SKIPPED_MODULES
below. A command of the docs that is neither checked nor skipped fails the test, so a new
kind of command needs a decision.
"""
import ast
import contextlib
import dataclasses
import functools
import itertools
import re
import shlex
import tomllib
from pathlib import Path

import pytest

from conftest import REPO, SHARED_DATA

DOCS = ['README.md', *sorted(p.relative_to(REPO).as_posix() for p in (REPO / 'docs').glob('*.md'))]

# Commands that are not checked, each with the reason.
SKIPPED = {
    'cd': 'changes the directory; nothing of gan_jax to check',
    'export': 'sets environment variables',
    'pip': "installs packages; tests/test_packaging.py checks pyproject.toml's and "
           "requirements.txt's versions",
    '.': 'activates the virtual environment',
    'source': 'activates the virtual environment',
    'tensorboard': "TensorBoard's own command, on a workdir",
    'wait': 'shell: waits for the jobs a loop started in the background',
    'done': 'shell: the end of a loop (its body is checked, once per value of the loop)',
}
# `python -m X` for modules that are not gan_jax's.
SKIPPED_MODULES = {
    'venv': "Python's own: makes the virtual environment",
    'pytest': 'the test suite; it runs this very test',
}
# Words put before a command that change how it runs, not what it runs: dropped.
PREFIXES = {'time': 1, 'taskset': 3}  # taskset -c CPUS COMMAND
REPO_PATH = re.compile(r'(configs|experiments|scripts|benchmarks|tests|gan_jax|docs)/')
ENV_ASSIGNMENT = re.compile(r'[A-Za-z_][A-Za-z0-9_]*=')
SHELL_VARIABLE = re.compile(r'\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?')
CONFIG_DEFINES = ('DEFINE_config_file', 'DEFINE_config_dict', 'DEFINE_config_dataclass')
BOOL_DEFINES = ('DEFINE_bool', 'DEFINE_boolean')


# ---------------------------------------------------------------- commands of a page


@dataclasses.dataclass
class Command:
  doc: str
  line: int
  text: str  # As written, continuations joined.
  words: list[str]  # One simple command, loop variables substituted.


def bash_blocks(text: str) -> list[tuple[int, list[str]]]:
  """The ```bash blocks of a markdown page: (line number of the first line, lines), with the
  fence's indentation removed."""
  blocks, lines = [], text.splitlines()
  i = 0
  while i < len(lines):
    fence = re.fullmatch(r'(\s*)```bash\s*', lines[i])
    if fence:
      indent, body, start = len(fence[1]), [], i + 2
      i += 1
      while i < len(lines) and not re.fullmatch(r'\s*```\s*', lines[i]):
        body.append(lines[i][indent:] if lines[i][:indent].isspace() else lines[i].lstrip())
        i += 1
      blocks.append((start, body))
    i += 1
  return blocks


def logical_lines(start: int, lines: list[str]) -> list[tuple[int, str]]:
  """Backslash continuations joined: (line number, line)."""
  joined, current, first = [], '', None
  for number, line in enumerate(lines, start):
    first = number if first is None else first
    if line.rstrip().endswith('\\'):
      current += line.rstrip()[:-1] + ' '
      continue
    joined.append((first, current + line))
    current, first = '', None
  if current:
    joined.append((first, current))
  return joined


def split_words(line: str) -> list[str]:
  """Shell words, comments dropped; ;, &, &&, | and || are words of their own."""
  lexer = shlex.shlex(line, posix=True, punctuation_chars=';&|')
  lexer.whitespace_split = True
  lexer.commenters = '#'
  return list(lexer)


def commands(doc: str, text: str) -> list[Command]:
  """Every simple command of the page's bash blocks, those in a `for` loop once per value."""
  found = []
  for start, lines in bash_blocks(text):
    loops = []  # (variable, values) of the loops the line is in.
    for number, line in logical_lines(start, lines):
      words = split_words(line)
      simple = [list(group) for separator, group in
                itertools.groupby(words, lambda w: w in (';', '&', '&&', '|', '||')) if not separator]
      for command in simple:
        if command[0] == 'do':  # The loop's body starts.
          command = command[1:]
          if not command:
            continue
        if command[0] == 'for':  # for VAR in VALUES: the header.
          loops.append((command[1], command[3:]))
          continue
        if command[0] == 'done':
          loops.pop()
        for values in itertools.product(*(v for _, v in loops)):
          variables = dict(zip((name for name, _ in loops), values))
          found.append(Command(doc, number, line.strip(), [
              SHELL_VARIABLE.sub(lambda m: variables.get(m[1], m[0]), w) for w in command]))
  return found


# ---------------------------------------------------------------- what a module accepts


@dataclasses.dataclass
class Flags:
  names: set[str] = dataclasses.field(default_factory=set)
  bools: set[str] = dataclasses.field(default_factory=set)
  configs: set[str] = dataclasses.field(default_factory=set)
  required: set[str] = dataclasses.field(default_factory=set)
  absl: bool = False  # absl's flags apply, and --noNAME for booleans.


def module_file(module: str) -> Path | None:
  path = REPO / module.replace('.', '/')
  for candidate in (path.with_suffix('.py'), path / '__main__.py'):
    if candidate.is_file():
      return candidate
  return None


def call_name(node: ast.Call) -> str:
  func = node.func
  return func.attr if isinstance(func, ast.Attribute) else getattr(func, 'id', '')


def literal_strings(node) -> list[str]:
  value = ast.literal_eval(node)
  return [value] if isinstance(value, str) else list(value)


@functools.cache
def source_flags(path: Path) -> Flags:
  """The flags a module or script defines, read from its source (see the module docstring)."""
  source = path.read_text()
  flags = Flags(absl='absl' in source)
  for node in ast.walk(ast.parse(source)):
    if not isinstance(node, ast.Call):
      continue
    name = call_name(node)
    if name == 'run_module':  # A wrapper: python -m gan_jax.sweep runs gan_jax.tools.sweep.
      return source_flags(module_file(ast.literal_eval(node.args[0])))
    if name.startswith('DEFINE_'):
      flag = ast.literal_eval(node.args[0])
      flags.names.add(flag)
      if name in CONFIG_DEFINES:
        flags.configs.add(flag)
      if name in BOOL_DEFINES:
        flags.bools.add(flag)
      if any(k.arg == 'required' and ast.literal_eval(k.value) for k in node.keywords):
        flags.required.add(flag)
    elif name in ('mark_flag_as_required', 'mark_flags_as_required'):
      flags.required.update(literal_strings(node.args[0]))
    elif name == 'add_argument':  # argparse: its options; positionals are not flags.
      options = [ast.literal_eval(a) for a in node.args if isinstance(a, ast.Constant)]
      flags.names.update(o.lstrip('-') for o in options if o.startswith('-'))
      if any(k.arg == 'action' and ast.literal_eval(k.value) in ('store_true', 'store_false')
             for k in node.keywords):
        flags.bools.update(o.lstrip('-') for o in options if o.startswith('-'))
      if any(k.arg == 'required' and ast.literal_eval(k.value) for k in node.keywords):
        flags.required.update(o.lstrip('-') for o in options if o.startswith('--'))
  return flags


@functools.cache
def absl_flags() -> dict[str, bool]:
  """The flags absl itself gives every program ({name: is a boolean}): logging's and app's,
  the help flags app.run adds, and the two its parser reads."""
  from absl import app, flags, logging  # noqa: F401  (they define the flags)
  builtin = {'help': True, 'helpshort': True, 'helpfull': True, 'helpxml': True,
             'flagfile': False, 'undefok': False, 'v': False}
  return builtin | {f.name: f.boolean for module, defined in flags.FLAGS.flags_by_module_dict().items()
                    if module.startswith('absl.') for f in defined}


@functools.cache
def console_scripts() -> dict[str, str]:
  scripts = tomllib.loads((REPO / 'pyproject.toml').read_text())['project']['scripts']
  return {name: target.split(':')[0] for name, target in scripts.items()}


# ---------------------------------------------------------------- the checks


def flag_words(words: list[str], flags: Flags) -> tuple[list[tuple[str, str | None]], list[str]]:
  """A command's arguments -> ([(flag, value or None)], positionals). A flag that is not a
  boolean and has no `=` takes the next word as its value, as absl and argparse read it."""
  bools = flags.bools | ({n for n, is_bool in absl_flags().items() if is_bool} if flags.absl
                         else set())
  pairs, positionals, i = [], [], 0
  while i < len(words):
    word = words[i]
    if not re.match(r'--?[A-Za-z]', word):
      positionals.append(word)
    else:
      name, equals, value = word.lstrip('-').partition('=')
      is_bool = name in bools or (flags.absl and name.startswith('no') and name[2:] in bools)
      if not equals and not is_bool and i + 1 < len(words) and not words[i + 1].startswith('-'):
        value, equals = words[i + 1], '='
        i += 1
      pairs.append((name, value if equals else None))
    i += 1
  return pairs, positionals


def field_problem(config, field: str) -> str | None:
  """None if `field` (a.b.c) is a field of the config, else what is wrong."""
  import ml_collections
  node, path = config, []
  for key in field.split('.'):
    where = '.'.join(path) or 'the config'
    if not isinstance(node, ml_collections.ConfigDict):
      return f'{where} is a value, not a group'
    if key not in node:
      return f'{where} has no field {key!r}; it has {sorted(node)}'
    node, path = node[key], [*path, key]
  return None


def load_config(path: Path, arg: str | None):
  """As --config loads it: get_config() or get_config(arg)."""
  from gan_jax.tools import sweep
  return sweep.load_config(f'{path}:{arg}' if arg is not None else str(path))


def on_this_machine(value: str) -> str:
  """The docs' offline data, ../shared/data/..., where this machine keeps it (conftest's
  SHARED_DATA: $GAN_JAX_SHARED_DATA, or the repository's sibling), so the checks that open
  a file (the Inception weights) do not depend on the folder the tests run from."""
  prefix = '../shared/data'
  return str(SHARED_DATA) + value[len(prefix):] if value.startswith(prefix) else value


def check_config(root: Path, flag: str, config_arg: str, overrides: list[tuple[str, str | None]],
                 mode: str | None = None) -> list[str]:
  """The config loads with its argument and takes every override, as the flag parser does,
  and gan_jax's config checks (and `--mode`'s) accept the result, as gan_jax.main's do."""
  from absl import flags
  from ml_collections import config_flags
  path, colon, arg = config_arg.partition(':')
  if not (root / path).is_file():
    return [f'{path} does not exist']
  try:
    config = load_config(root / path, arg if colon else None)
  except Exception as e:  # noqa: BLE001  (any error of a config file is the finding)
    return [f'--{flag} {config_arg}: the config does not load: {type(e).__name__}: {e}']
  problems = []
  for field, _ in overrides:
    problem = field_problem(config, field)
    if problem:
      problems.append(f'--{flag}.{field}: not a field of {config_arg} ({problem})')
  if problems:
    return problems
  argv = ['docs', f'--{flag}={root / path}{colon}{arg}']
  argv += [f'--{flag}.{f}={on_this_machine(v)}' for f, v in overrides
           if v is not None and '$' not in v]
  values = flags.FlagValues()
  config_flags.DEFINE_config_file(flag, None, '', flag_values=values, lock_config=True,
                                  sys_argv=argv)
  try:
    values(argv)
    config = values[flag].value  # Loads the config and applies the overrides.
  except Exception as e:  # noqa: BLE001
    return [f'--{flag}: {config_arg} with the overrides {argv[2:]} does not parse: '
            f'{type(e).__name__}: {str(e).strip().splitlines()[0]}']
  from gan_jax.run import checks, standalone
  try:  # What gan_jax.main checks before it reads any data.
    checks.check_config(config)
    if mode is not None:
      standalone.check_mode(config, mode)
  except Exception as e:  # noqa: BLE001  (ConfigError, or a check that broke)
    return [f'{config_arg} with {argv[2:]}{f" and --mode {mode}" if mode else ""}: '
            f"gan_jax's checks reject it: {e}"]
  return []


def check_sweep(root: Path, positionals: list[str], settings: list[str]) -> list[str]:
  from gan_jax.tools import sweep
  if len(positionals) != 1:
    return [f'gan_jax.sweep takes one sweep file, got {positionals}']
  file = positionals[0]
  if not (root / file).is_file():
    return [f'{file} does not exist']
  with contextlib.chdir(root):  # A sweep names its config relative to the repository.
    try:
      sweep.load_sweep(file, Path('/nonexistent/docs_check'), settings)
    except Exception as e:  # noqa: BLE001
      return [f'{file} does not load as a sweep: {type(e).__name__}: {e}']
  return []


def check_flags(where: str, pairs, flags: Flags) -> list[str]:
  known = flags.names | (set(absl_flags()) if flags.absl else set())
  problems = []
  for name, _ in pairs:
    base = name.split('.')[0]
    if '.' in name and base in flags.configs:
      continue
    if name in known or (flags.absl and name.startswith('no') and name[2:] in flags.bools):
      continue
    problems.append(f'--{name} is not a flag of {where}; its flags: {sorted(flags.names)}')
  given = {name for name, _ in pairs}
  problems += [f'{where} requires --{name}' for name in sorted(flags.required - given)]
  return problems


def check_paths(root: Path, words: list[str]) -> list[str]:
  """Every repository path among the words (or after a flag's '=') exists."""
  problems = []
  for word in words:
    for candidate in (word, word.partition('=')[2]):
      if not REPO_PATH.match(candidate):
        continue
      path = candidate.split(':')[0] if '.py:' in candidate else candidate
      if not (root / path).exists():
        problems.append(f'{path} does not exist')
  return problems


def check_program(root: Path, program: str, where: str, path: Path, arguments: list[str]):
  flags = source_flags(path)
  pairs, positionals = flag_words(arguments, flags)
  problems = check_flags(where, pairs, flags)
  for flag in flags.configs:
    config_args = [v for n, v in pairs if n == flag and v is not None]
    overrides = [(n[len(flag) + 1:], v) for n, v in pairs if n.startswith(flag + '.')]
    modes = [v for n, v in pairs if n == 'mode' and v is not None]
    if config_args:
      problems += check_config(root, flag, config_args[-1], overrides,
                               modes[-1] if modes and program == 'gan_jax.main' else None)
  if program == 'gan_jax.tools.sweep':
    problems += check_sweep(root, positionals, [v for n, v in pairs if n == 'set'])
  return problems


def command_problems(words: list[str], root: Path) -> list[str]:
  words = list(words)
  while words and ENV_ASSIGNMENT.match(words[0]):
    words.pop(0)
  while words and words[0] in PREFIXES:
    words = words[PREFIXES[words[0]]:]
  if not words:
    return []
  problems = check_paths(root, words)
  program, arguments = words[0], words[1:]
  scripts = console_scripts()
  if program in SKIPPED:
    return problems
  if program in scripts:
    module, rest = scripts[program], arguments
  elif program in ('python', 'python3') and arguments[:1] == ['-m'] and len(arguments) > 1:
    module, rest = arguments[1], arguments[2:]
    if module in SKIPPED_MODULES:
      return problems
  elif program in ('python', 'python3') and arguments and arguments[0].endswith('.py'):
    script = arguments[0]
    if not (root / script).is_file():
      return problems + [f'{script} does not exist']
    return problems + check_program(root, script, script, root / script, arguments[1:])
  else:
    return problems + [f'{program!r} is a command this test does not know: check it here or '
                       'add it to SKIPPED with the reason']
  if not module.startswith('gan_jax'):
    return problems + [f'python -m {module}: not a module of gan_jax; add it to SKIPPED_MODULES '
                       'with the reason if it belongs in the docs']
  path = module_file(module)
  if path is None:
    return problems + [f'module {module} does not exist']
  source = path.read_text()
  target = re.search(r"run_module\('([\w.]+)'", source)
  program = target[1] if target else module
  return problems + check_program(root, program, module, path, rest)


def check_command(words: list[str], root: Path = REPO) -> list[str]:
  """What is wrong with one simple command (an empty list: nothing)."""
  return list(dict.fromkeys(command_problems(words, root)))  # A missing config: one problem.


def check_markdown(doc: str, text: str, root: Path = REPO) -> list[str]:
  """Every problem of the page's commands, as 'doc:line: command\\n  problem'."""
  return [f'{c.doc}:{c.line}: {c.text}\n  {problem}'
          for c in commands(doc, text) for problem in check_command(c.words, root)]


# ---------------------------------------------------------------- the docs


def test_every_command_of_the_docs_works():
  problems = [p for doc in DOCS for p in check_markdown(doc, (REPO / doc).read_text())]
  assert not problems, '\n'.join([f'{len(problems)} broken commands in the docs:', *problems])


def test_the_docs_have_commands_to_check():
  """The checker sees the commands: a page of the docs whose blocks it could not read would
  pass vacuously."""
  found = [c for doc in DOCS for c in commands(doc, (REPO / doc).read_text())]
  programs = {' '.join(c.words[:3]) for c in found}
  assert len(found) > 50, len(found)
  assert 'python -m gan_jax.main' in programs and 'python -m gan_jax.sweep' in programs


def test_source_flags_match_absl():
  """Reading flags from the source gives what absl registers for gan_jax.main."""
  from absl import flags
  import gan_jax.main  # noqa: F401  (defines its flags)
  registered = {f.name for f in flags.FLAGS.get_flags_for_module('gan_jax.main')}
  assert source_flags(module_file('gan_jax.main')).names == registered
  assert source_flags(module_file('gan_jax.main')).required == {'config', 'workdir'}


def markdown_links(text: str) -> list[str]:
  return re.findall(r'\[[^\]]*\]\(([^)\s]+)\)', re.sub(r'```.*?```', '', text, flags=re.S))


def heading_anchors(text: str) -> set[str]:
  """GitHub's anchors of a page's headings."""
  headings = re.findall(r'^#+ (.+)$', re.sub(r'```.*?```', '', text, flags=re.S), flags=re.M)
  return {re.sub(r'[^\w\- ]', '', h.strip().lower()).replace(' ', '-') for h in headings}


def test_links_between_pages_resolve():
  problems = []
  for doc in DOCS:
    for link in markdown_links((REPO / doc).read_text()):
      if re.match(r'[a-z]+:', link):
        continue  # https:, mailto:
      target, _, anchor = link.partition('#')
      path = (REPO / doc).parent / target if target else REPO / doc
      if not path.exists():
        problems.append(f'{doc}: link {link}: {target} does not exist')
      elif anchor and path.suffix == '.md' and anchor not in heading_anchors(path.read_text()):
        problems.append(f'{doc}: link {link}: no heading #{anchor} in {target or doc}')
  assert not problems, '\n'.join(problems)


def test_every_docs_page_is_linked_from_the_readme_and_the_index():
  pages = {p.name for p in (REPO / 'docs').glob('*.md')} - {'README.md'}
  readme = {Path(link.partition('#')[0]).name
            for link in markdown_links((REPO / 'README.md').read_text())}
  index = {link.partition('#')[0] for link in markdown_links((REPO / 'docs/README.md').read_text())}
  assert pages - readme == set(), f'pages README.md does not link: {sorted(pages - readme)}'
  assert pages - index == set(), f'pages docs/README.md does not list: {sorted(pages - index)}'


# ---------------------------------------------------------------- the checker can fail

FAKE = """
Some text.

```bash
# A comment, then a good command over two lines.
python -m gan_jax.main --config configs/default.py --workdir /tmp/ring \\
  --config.loss.name=hinge --config.data.manual_dir=../shared/data/mnist
python -m gan_jax.main --config configs/default.py --wokdir /tmp/ring
python -m gan_jax.main --config configs/default.py --workdir /tmp/ring --config.loss.nme=hinge
python -m gan_jax.main --config configs/defualt.py --workdir /tmp/ring
```
"""


def test_the_checker_reports_each_mistake_with_the_page_and_the_command():
  problems = check_markdown('docs/fake.md', FAKE)
  assert len(problems) == 4, '\n'.join(problems)  # Lines 6-7 are right.
  misspelled, not_given, missing_field, missing_file = problems
  command = 'python -m gan_jax.main --config configs/default.py --wokdir /tmp/ring'
  assert misspelled.startswith(f'docs/fake.md:8: {command}\n  --wokdir is not a flag of '
                               "gan_jax.main; its flags: ['config', 'generator', 'mode',")
  assert not_given == f'docs/fake.md:8: {command}\n  gan_jax.main requires --workdir'
  assert missing_field.startswith('docs/fake.md:9: python -m gan_jax.main --config '
                                  'configs/default.py --workdir /tmp/ring --config.loss.nme=hinge\n'
                                  "  --config.loss.nme: not a field of configs/default.py (loss "
                                  "has no field 'nme'; it has ")
  assert missing_file == ('docs/fake.md:10: python -m gan_jax.main --config configs/defualt.py '
                          '--workdir /tmp/ring\n  configs/defualt.py does not exist')


@pytest.mark.parametrize('command, problem', [
    ('python -m gan_jax.main --config configs/default.py --workdir /tmp/x '
     '--config.train.num_steps=many', 'does not parse'),
    ('python -m gan_jax.main --config configs/default.py:tiny --workdir /tmp/x --nosuch',
     '--nosuch is not a flag of gan_jax.main'),
    ('python -m gan_jax.sweep experiments/ring_losses_tiny.py --workdir /tmp/x '
     '--set data.manul_dir=/d', 'is not a field of the base config'),
    ('python -m gan_jax.sweep experiments/no_such_sweep.py --workdir /tmp/x',
     'experiments/no_such_sweep.py does not exist'),
    ('gan-jax-benchmark --config configs/dcgan_cifar10.py --data=synthetic --image_size=32',
     '--image_size is not a flag of gan_jax.benchmark'),
    ('python -m gan_jax.no_such_module --flag', 'module gan_jax.no_such_module does not exist'),
    ('python scripts/mnist_fid_figures.py --manual_dirr=../shared/data/mnist',
     '--manual_dirr is not a flag of scripts/mnist_fid_figures.py'),
    ('python benchmarks/dcgan32_pytorch.py --step 50', '--step is not a flag'),
    ('python -m gan_jax.main --config configs/default.py --workdir /tmp/x --config.loss.name=hinj',
     "gan_jax's checks reject it"),
    ('python -m gan_jax.main --config configs/default.py --workdir /tmp/x --mode translate',
     "is not a mode of config.task='gan'"),
    ('rm -rf /tmp/ring', "'rm' is a command this test does not know"),
])
def test_the_checker_finds(command, problem):
  problems = check_command(split_words(command))
  assert any(problem in p for p in problems), problems


@pytest.mark.parametrize('command', [
    'python -m gan_jax.sweep experiments/ring_losses_tiny.py --workdir runs/x --report',
    'gan-jax-sweep experiments/ring_losses_tiny.py --workdir runs/x --set data.manual_dir=/d',
    'python -m gan_jax.main --mode eval --config=configs/default.py --workdir /tmp/ring --step 3',
    "python -m gan_jax.main --config configs/fanogan_mnist.py --workdir /tmp/f "
    "--config.data.classes='(3,)' --config.init_from.workdir=/tmp/g",
    'python -m gan_jax.classifier --dataset=fashion_mnist --manual_dir=../shared/data/x',
    'python -m gan_jax.main --config configs/default.py --workdir /tmp/x --alsologtostderr',
])
def test_the_checker_accepts(command):
  assert check_command(split_words(command)) == []


def test_loops_continuations_and_comments():
  text = ('```bash\nfor i in 0 1; do\n  XLA_FLAGS="--a --b" taskset -c $i python -m gan_jax.sweep '
          'experiments/pacgan_2d.py \\\n    --workdir runs/p --shard $i/2 &  # one per core\n'
          'done; wait\ncd /tmp && pip install x\n```\n')
  found = commands('x.md', text)
  assert [c.words[-1] for c in found[:2]] == ['0/2', '1/2']
  assert [c.line for c in found] == [3, 3, 5, 5, 6, 6]
  assert [p for c in found for p in check_command(c.words)] == []
