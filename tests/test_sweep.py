"""gan_jax.sweep: sweep files, trials and their commands, shards, skip and resume, the report.

One real sweep (experiments/ring_losses_tiny.py, 2 losses x 2 seeds of 4 steps) is
run once for the module; its trials share a JAX compilation cache, so only the
first trial of each loss compiles.
"""
import csv
import json
import os
import re
import shlex
import shutil
import statistics
import subprocess
import sys

import numpy as np
import pytest

from conftest import REPO
from gan_jax.tools import sweep, sweep_report, trials

TINY = 'experiments/ring_losses_tiny.py'
TINY_TRIALS = ['loss.name=non_saturating,seed=0', 'loss.name=non_saturating,seed=1',
               'loss.name=hinge,seed=0', 'loss.name=hinge,seed=1']
METRIC = 'coverage/reverse_kl'


@pytest.fixture(autouse=True)
def in_repo(monkeypatch):
  """Sweep files name their config relative to the repository root, as the README runs them."""
  monkeypatch.chdir(REPO)


def run_cli(root, *flags, cache_dir=None):
  env = dict(os.environ)
  if cache_dir:
    env |= {'JAX_COMPILATION_CACHE_DIR': str(cache_dir),
            'JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS': '0'}
  return subprocess.run([sys.executable, '-m', 'gan_jax.sweep', TINY, f'--workdir={root}', *flags],
                        cwd=REPO, env=env, capture_output=True, text=True, timeout=600)


def launched(output: str) -> list[str]:
  """The trials a sweep's output says it started."""
  return [line.split(' trial ')[1].split(' (')[0] for line in output.splitlines()
          if line.startswith('[') and ' trial ' in line]


def config_mtimes(root) -> dict[str, int]:
  """config.json is rewritten by every launch of a trial."""
  return {name: (root / name / 'config.json').stat().st_mtime_ns for name in TINY_TRIALS
          if (root / name / 'config.json').exists()}


@pytest.fixture(scope='module')
def swept(tmp_path_factory):
  """Shard 1/2 of the tiny sweep, then the whole sweep again in the same folder."""
  root = tmp_path_factory.mktemp('sweep') / 'ring'
  cache_dir = tmp_path_factory.mktemp('jax_cache')
  shard = run_cli(root, '--shard=1/2', cache_dir=cache_dir)
  after_shard = sorted(p.name for p in root.iterdir() if p.is_dir())
  mtimes = config_mtimes(root)
  whole = run_cli(root, cache_dir=cache_dir)
  return dict(root=root, cache_dir=cache_dir, shard=shard, after_shard=after_shard,
              mtimes_after_shard=mtimes, whole=whole)


def test_shard_runs_exactly_the_odd_trials(swept):
  assert swept['shard'].returncode == 0, swept['shard'].stderr[-3000:]
  assert launched(swept['shard'].stdout) == [TINY_TRIALS[1], TINY_TRIALS[3]]
  assert swept['after_shard'] == sorted([TINY_TRIALS[1], TINY_TRIALS[3]])
  assert '2 trials: 0 finished already, 2 to run.' in swept['shard'].stdout


def test_second_run_skips_finished_trials_and_runs_the_rest(swept):
  root, output = swept['root'], swept['whole'].stdout
  assert swept['whole'].returncode == 0, swept['whole'].stderr[-3000:]
  assert launched(output) == [TINY_TRIALS[0], TINY_TRIALS[2]]
  assert f'skip {TINY_TRIALS[1]}: finished (step 4)' in output
  assert f'[2/2] trial {TINY_TRIALS[2]} (done 3, left 1, ETA 0:' in output
  now, before = config_mtimes(root), swept['mtimes_after_shard']
  assert {name: now[name] for name in before} == before  # Trials 1 and 3 were not relaunched.
  for trial in sweep.load_sweep(TINY, root).trials:
    assert trials.is_finished(trial)
    assert (trial.workdir / 'checkpoints' / '4').is_dir()
  manifest = json.loads((root / 'sweep.json').read_text())
  assert [t['name'] for t in manifest['trials']] == TINY_TRIALS
  assert manifest['trials'][2]['overrides']['loss.name'] == 'hinge'


def expected_from_metrics_jsonl(workdir) -> dict[str, dict[int, float]]:
  """Metric -> {step: value}, read straight from the file (the last record of a step wins)."""
  series = {}
  for line in (workdir / 'metrics.jsonl').read_text().splitlines():
    record = json.loads(line)
    assert record['generator'] == 'ema'
    series.setdefault(f'{record["eval"]}/{record["metric"]}', {})[record['step']] = record['value']
  return series


def read_csv(path) -> list[dict]:
  with open(path, newline='') as f:
    return list(csv.DictReader(f))


def markdown_table(text: str) -> dict[str, dict[str, str]]:
  """results.md's table: variant -> {column title: cell}, bold marks kept."""
  lines = [line.strip('|').split(' | ') for line in text.splitlines() if line.startswith('| ')]
  titles = [title.strip() for title in lines[0]]
  return {cells[0].strip().strip('*'): dict(zip(titles, (c.strip() for c in cells)))
          for cells in lines[1:]}


def mean_std(values) -> str:
  values = np.array(values)
  return f'{values.mean():.4g} ± {values.std(ddof=1):.2g}'


def test_a_cell_is_the_mean_and_sample_std_in_the_columns_formats():
  """sweep_report.mean_std, the one cell formatter of every results table, by hand."""
  assert sweep_report.mean_std([]) == '–'
  assert sweep_report.mean_std([0.123456]) == '0.1235'
  assert sweep_report.mean_std([1.0, 2.0, 4.0]) == '2.333 ± 1.5'  # std: sqrt(7/3) = 1.528.
  assert sweep_report.mean_std([91.0, 94.0], '{:.1f}', '{:.1f}') == '92.5 ± 2.1'


def test_report_numbers_and_best_variant(swept):
  root = swept['root']
  result = run_cli(root, '--report')
  assert result.returncode == 0, result.stderr[-3000:]
  rows = {row['trial']: row for row in read_csv(root / 'results.csv')}
  assert list(rows) == TINY_TRIALS
  finals, bests = {}, {}
  for name in TINY_TRIALS:
    series = expected_from_metrics_jsonl(root / name)
    assert sorted(series) == ['coverage/high_quality_fraction', 'coverage/modes_captured', METRIC]
    row = rows[name]
    assert (row['loss.name'], row['seed'], row['status'], row['step']) == (
        name.split(',')[0].split('=')[1], name[-1], 'finished', '4')
    for key, values in series.items():
      assert sorted(values) == [2, 4]
      assert float(row[f'{key}/last']) == values[4] and row[f'{key}/last_step'] == '4'
      if key == METRIC:
        best_step = min(values, key=values.get)
        assert float(row[f'{key}/best']) == values[best_step]
        assert int(row[f'{key}/best_step']) == best_step
        bests[name] = values[best_step]
      else:
        assert float(row[f'{key}/min']) == min(values.values())
        assert float(row[f'{key}/max']) == max(values.values())
    assert json.loads(row['coverage/protocol'])['num_generated'] == 512
    finals[name] = {key: values[4] for key, values in series.items()}

  text = (root / 'results.md').read_text()
  table = markdown_table(text)
  means = {}
  for variant in ('loss.name=non_saturating', 'loss.name=hinge'):
    names = [f'{variant},seed={s}' for s in (0, 1)]
    assert table[variant]['seeds'] == '2'
    for key in finals[names[0]]:
      assert table[variant][key].strip('*') == mean_std([finals[n][key] for n in names]), key
    assert table[variant][f'{METRIC} best (min)'] == mean_std([bests[n] for n in names])
    means[variant] = np.mean([finals[n][METRIC] for n in names])
  best = min(means, key=means.get)
  other = max(means, key=means.get)
  assert means[best] != means[other]  # Else the marking would not be tested.
  assert table[best]['variant'] == f'**{best}**' and table[best][METRIC].startswith('**')
  assert table[other]['variant'] == other and not table[other][METRIC].startswith('**')
  assert f'**Best variant: `{best}`**' in text
  assert 'None: every trial has results.' in text
  for key in finals[TINY_TRIALS[0]]:
    png = root / 'plots' / f'{key.replace("/", ".")}.png'
    assert png.read_bytes()[:8] == b'\x89PNG\r\n\x1a\n'


def test_deleted_trial_is_rerun_alone(swept):
  root = swept['root']
  shutil.rmtree(root / TINY_TRIALS[2])
  before = config_mtimes(root)
  result = run_cli(root, cache_dir=swept['cache_dir'])
  assert result.returncode == 0, result.stderr[-3000:]
  assert launched(result.stdout) == [TINY_TRIALS[2]]
  assert '4 trials: 3 finished already, 1 to run.' in result.stdout
  after = config_mtimes(root)
  assert {n: after[n] for n in before} == before and TINY_TRIALS[2] in after
  assert trials.is_finished(sweep.load_sweep(TINY, root).trials[2])


# ---------------------------------------------------------------- without training


def test_print_commands_prints_one_command_per_trial_and_runs_nothing(tmp_path, capsys):
  assert sweep.sweep_command(TINY, tmp_path / 'ring', print_commands=True) == 0
  lines = capsys.readouterr().out.splitlines()
  assert len(lines) == 4
  for line, name in zip(lines, TINY_TRIALS):
    argv = shlex.split(line)
    loss, seed = (part.split('=')[1] for part in name.split(','))
    assert argv[:3] == [sys.executable, '-m', 'gan_jax.main']
    assert argv[3:5] == ['--config=configs/default.py:tiny', f'--workdir={tmp_path}/ring/{name}']
    assert f'--config.loss.name={loss}' in argv and argv[-1] == f'--config.seed={seed}'
    assert '--config.optim.g_lr=0.01' in argv
  assert [p.name for p in (tmp_path / 'ring').iterdir()] == ['sweep.json']
  assert sweep.sweep_command(TINY, tmp_path / 'ring', shard='0/2', print_commands=True) == 0
  assert [shlex.split(line)[4] for line in capsys.readouterr().out.splitlines()] == [
      f'--workdir={tmp_path}/ring/{TINY_TRIALS[i]}' for i in (0, 2)]


def test_machine_settings_end_every_command_and_stay_out_of_trial_names(tmp_path, capsys):
  settings = ['data.manual_dir=/data/mnist', 'inception_weights=/w/pool3.npz']
  assert sweep.sweep_command(TINY, tmp_path / 'ring', print_commands=True, settings=settings) == 0
  lines = capsys.readouterr().out.splitlines()
  assert len(lines) == 4
  for line, name in zip(lines, TINY_TRIALS):
    argv = shlex.split(line)
    assert argv[4] == f'--workdir={tmp_path}/ring/{name}'
    assert argv[-2:] == ['--config.data.manual_dir=/data/mnist',
                         '--config.inception_weights=/w/pool3.npz']


def test_a_sweep_switches_an_eval_off_for_every_trial(tmp_path, capsys):
  """--set evals.<name>.enabled=False ends every trial's command (gan_jax.main's
  --config.evals.<name>.enabled=False; test_evaluation.py runs a disabled eval)."""
  setting = 'evals.coverage.enabled=False'
  assert sweep.sweep_command(TINY, tmp_path / 'ring', print_commands=True,
                             settings=[setting]) == 0
  lines = capsys.readouterr().out.splitlines()
  assert len(lines) == len(TINY_TRIALS)
  assert all(shlex.split(line)[-1] == f'--config.{setting}' for line in lines)


@pytest.mark.parametrize('setting,message', [
    ('data.manual_dir', 'expected field=value'),
    ('data.manual=/x', "'data.manual' is not a field of the base config; data has:"),
    ('seed=3', "set config.seed with the sweep's 'seeds' list"),
])
def test_bad_machine_settings_are_rejected(tmp_path, setting, message):
  with pytest.raises(sweep.SweepError, match=re.escape(message)):
    sweep.load_sweep(TINY, tmp_path, [setting])


def write_sweep(tmp_path, **spec):
  path = tmp_path / 'sweep_file.py'
  path.write_text(f'def get_sweep():\n  return {spec!r}\n')
  return str(path)


BASE = dict(config='configs/default.py:tiny', seeds=[0])


@pytest.mark.parametrize('spec, message', [
    (dict(BASE, grids={'loss.name': ['hinge']}), "unknown keys ['grids']"),
    (dict(config='configs/default.py'), "missing keys ['seeds']"),
    (dict(BASE, grid={'loss.nme': ['hinge']}), "'loss.nme' is not a field of the base config; "
                                               "loss has: ["),
    (dict(BASE, fixed={'trian.num_steps': 2}), "'trian.num_steps' is not a field"),
    (dict(BASE, grid={'loss': ['hinge']}), "'loss' is a group"),
    (dict(BASE, grid={'loss.name': []}), "grid['loss.name'] must be a non-empty list"),
    (dict(BASE, grid={'optim.g_lr': ['1e-4']}), "'1e-4' is a str; the field is a float"),
    (dict(BASE, grid={'seed': [1, 2]}), "'seeds' list"),
    (dict(BASE, fixed={'loss.name': 'hinge'}, grid={'loss.name': ['hinge']}),
     "['loss.name'] set in both fixed and grid"),
    (dict(BASE, grid={'loss.name': ['hinj']}), "trial 'loss.name=hinj,seed=0': config.loss.name="),
    (dict(BASE, variants=[]), 'variants must be a non-empty list'),
    (dict(BASE, variants=['loss.name=hinge']), 'variants must be a non-empty list'),
    (dict(BASE, random_seed=1), 'random_samples and random_seed need random'),
    (dict(BASE, seeds=[]), 'seeds must be a non-empty list'),
    (dict(BASE, seeds=[1, 1]), 'distinct'),
    (dict(BASE, random={'optim.g_lr': (1e-5, 1e-3, 'log')}), 'random needs random_samples'),
    (dict(BASE, random={'optim.g_lr': (0.0, 1e-3, 'log')}, random_samples=2), 'low > 0 for log'),
    (dict(BASE, random={'loss.name': (1, 2, 'linear')}, random_samples=2), 'numeric field'),
    (dict(BASE, random={'loss.name': ['hinge']}, random_samples=3), 'are both'),
    (dict(BASE, metric='cover/reverse_kl'), "with an eval of config.evals: ('coverage',)"),
    (dict(BASE, metric='coverage/reverse_kl/raw'), "config.evals.coverage.generator='ema'"),
    (dict(BASE, mode='lowest'), "mode='lowest'; accepted: ('min', 'max')"),
    (dict(BASE, config='configs/nope.py'), "config file 'configs/nope.py' not found"),
    (dict(BASE, init_from='runs/gan'), 'init_from must be a folder template with {trial}'),
])
def test_invalid_sweep_files_are_rejected_with_the_reason(tmp_path, spec, message):
  with pytest.raises(sweep.SweepError) as error:
    sweep.load_sweep(write_sweep(tmp_path, **spec), tmp_path)
  assert message in str(error.value)


def test_the_metric_is_checked_against_each_trials_config(tmp_path):
  """A raw-G metric is accepted where the sweep's fixed fields make its eval run both
  generators, and rejected naming the one variant that sets the eval back to the EMA's."""
  spec = dict(BASE, metric='coverage/reverse_kl/raw', fixed={'evals.coverage.generator': 'both'})
  sweep.load_sweep(write_sweep(tmp_path, **spec), tmp_path)
  spec = dict(BASE, metric='coverage/reverse_kl/raw', variants=[
      {'evals.coverage.generator': 'both'}, {'evals.coverage.generator': 'ema'}])
  with pytest.raises(sweep.SweepError, match=re.escape(
      "trial 'evals.coverage.generator=ema,seed=0': metric='coverage/reverse_kl/raw' is the "
      "raw generator's value, but config.evals.coverage.generator='ema'")):
    sweep.load_sweep(write_sweep(tmp_path, **spec), tmp_path)


@pytest.mark.parametrize('text', ['2/2', '1/0', '-1/2', 'a/b', '1', '1/2/3'])
def test_bad_shards_are_rejected(text):
  with pytest.raises(sweep.SweepError, match='expected i/n with 0 <= i < n'):
    sweep.parse_shard(text)


def test_command_line_reports_errors_without_a_traceback(tmp_path):
  result = run_cli(tmp_path, '--shard=2/2')
  assert result.returncode == 1
  assert result.stderr.strip() == ("gan_jax.sweep: --shard='2/2': expected i/n with 0 <= i < n, "
                                   'e.g. --shard=0/4.')


def test_grid_and_variants_expand_in_order_with_safe_names(tmp_path):
  path = write_sweep(tmp_path, config='configs/default.py:tiny', seeds=[3, 4],
                     variants=[{}, {'data.name': 'grid'}],
                     grid={'loss.name': ['hinge', 'minimax'], 'data.path': ['a/b c']})
  trials = sweep.load_sweep(path, tmp_path / 'root').trials
  assert [t.index for t in trials] == list(range(8))
  assert [t.name for t in trials[:3]] == ['loss.name=hinge,data.path=a_b_c,seed=3',
                                          'loss.name=hinge,data.path=a_b_c,seed=4',
                                          'loss.name=minimax,data.path=a_b_c,seed=3']
  assert trials[4].name == 'data.name=grid,loss.name=hinge,data.path=a_b_c,seed=3'
  assert trials[0].fields == {'data.name': 'ring', 'loss.name': 'hinge', 'data.path': 'a/b c'}
  assert trials[4].overrides == {'data.name': 'grid', 'loss.name': 'hinge', 'data.path': 'a/b c',
                                 'seed': 3}
  assert '--config.data.path=a/b c' in trials[0].command
  assert trials[0].workdir == tmp_path / 'root' / trials[0].name


def test_a_second_stage_starts_each_trial_from_the_first_stages_trial_of_its_name(tmp_path):
  path = write_sweep(tmp_path, config='configs/default.py:tiny', seeds=[0, 1],
                     grid={'loss.name': ['hinge']}, init_from='{root}/../gan/{trial}',
                     fixed={'init_from.parts': 'g_params'})
  trials = sweep.load_sweep(path, tmp_path / 'encoder').trials
  assert [t.name for t in trials] == ['loss.name=hinge,seed=0', 'loss.name=hinge,seed=1']
  for t in trials:
    assert t.overrides['init_from.workdir'] == f'{tmp_path}/encoder/../gan/{t.name}'
    assert f'--config.init_from.workdir={tmp_path}/encoder/../gan/{t.name}' in t.command


def test_random_search_is_deterministic_and_in_range(tmp_path):
  first = sweep.load_sweep('experiments/ring_lr_search.py', tmp_path).trials
  again = sweep.load_sweep('experiments/ring_lr_search.py', tmp_path).trials
  assert [t.overrides for t in first] == [t.overrides for t in again]
  assert len(first) == 16 and len({t.name for t in first}) == 16
  for trial in first:
    for field in ('optim.g_lr', 'optim.d_lr'):
      value = trial.overrides[field]
      assert 1e-5 <= value <= 1e-3 and float(f'{value:.3g}') == value
  assert len({t.overrides['optim.g_lr'] for t in first}) == 8


@pytest.mark.parametrize('path', sorted(str(p.relative_to(REPO))
                                        for p in (REPO / 'experiments').glob('*.py')))
def test_shipped_sweep_files_load(path, tmp_path):
  assert sweep.load_sweep(path, tmp_path).trials


def fake_trial(tmp_path, name, script):
  """A 4-step trial whose command is Python `script` (its workdir is `w`), not a training run."""
  workdir = tmp_path / name
  setup = f'import json, os, pathlib, signal, time; w = pathlib.Path({str(workdir)!r}); '
  return trials.Trial(index=0, name=name, variant=name, fields={}, seed=0, overrides={},
                     workdir=workdir, num_steps=4, command=[sys.executable, '-c', setup + script])


def writes_checkpoint(step):
  """What a run of 4 steps leaves when its latest checkpoint is `step`."""
  return (f'(w / "checkpoints" / "{step}").mkdir(parents=True); '
          '(w / "config.json").write_text(json.dumps({"train": {"num_steps": 4}}))')


def test_failures_are_reported_and_the_sweep_goes_on(tmp_path, capsys):
  trials = [fake_trial(tmp_path, 'crashes', 'raise SystemExit(3)'),
            fake_trial(tmp_path, 'stopped_early', writes_checkpoint(2)),
            fake_trial(tmp_path, 'finishes', writes_checkpoint(4))]
  assert sweep.run_trials(trials) == 1
  out = capsys.readouterr().out
  assert 'FAILED crashes: exit status 3' in out
  assert 'FAILED stopped_early: exit status 0 but unfinished (step 2 of 4)' in out
  assert '[3/3] trial finishes (done 0, left 1, ETA 0:00:' in out
  assert '1 of 3 trials finished, 2 failed.' in out
  assert sweep.run_trials(trials[2:]) == 0  # Now nothing to do: its checkpoint is the last step.
  assert 'skip finishes: finished (step 4)' in capsys.readouterr().out


def test_finished_needs_the_last_checkpoint_of_a_run_of_that_length(tmp_path):
  trial = fake_trial(tmp_path, 'trial', '')
  assert trials.trial_status(trial) == 'not started'
  (trial.workdir / 'checkpoints' / '2').mkdir(parents=True)
  (trial.workdir / 'checkpoints' / '4.orbax-checkpoint-tmp-17').mkdir()  # A save cut short.
  (trial.workdir / 'config.json').write_text(json.dumps({'train': {'num_steps': 4}}))
  assert trials.trial_status(trial) == 'unfinished (step 2 of 4)'
  (trial.workdir / 'checkpoints' / '4').mkdir()
  assert trials.is_finished(trial)
  (trial.workdir / 'config.json').write_text(json.dumps({'train': {'num_steps': 8}}))
  assert not trials.is_finished(trial)  # Step 4 of a longer run's schedule is not this trial's end.


def test_a_signal_stops_the_running_trial_and_the_sweep(tmp_path, capsys):
  # The trial sends SIGTERM to the sweep (this process), which passes it on to the trial.
  trials = [fake_trial(tmp_path, 'long', 'os.kill(os.getppid(), signal.SIGTERM); time.sleep(60)'),
            fake_trial(tmp_path, 'next', writes_checkpoint(4))]
  assert sweep.run_trials(trials) == 1
  assert 'Stopped by SIGTERM in trial long (not started); run the same command to resume.' in (
      capsys.readouterr().out)
  assert not trials[1].workdir.exists()


def fabricated_sweep(tmp_path, finals: dict[str, float], mode='min'):
  """The tiny sweep's trials with made-up results: trial -> final reverse KL (None: missing)."""
  path = write_sweep(tmp_path, config='configs/default.py:tiny', seeds=[0, 1], metric=METRIC,
                     mode=mode, grid={'loss.name': ['non_saturating', 'hinge']})
  loaded = sweep.load_sweep(path, tmp_path / 'root')
  for trial in loaded.trials:
    if finals[trial.name] is None:
      continue
    (trial.workdir / 'checkpoints' / '4').mkdir(parents=True)
    (trial.workdir / 'config.json').write_text(json.dumps({'train': {'num_steps': 4}}))
    records = [{'eval': 'coverage', 'metric': 'reverse_kl', 'value': value, 'generator': 'ema',
                'step': step, 'protocol': {'mixture': 'ring', 'step': step}}
               for step, value in ((2, 5.0), (4, 9.0), (4, finals[trial.name]))]
    (trial.workdir / 'metrics.jsonl').write_text(
        ''.join(json.dumps(r) + '\n' for r in records) + '{"cut by a ki')
  return loaded


def test_report_marks_the_best_variant_and_lists_missing_trials(tmp_path):
  finals = dict(zip(TINY_TRIALS, [1.0, 3.0, 4.0, None]))
  loaded = fabricated_sweep(tmp_path, finals, mode='max')
  sweep_report.write_report(loaded, tmp_path / 'root')
  table = (tmp_path / 'root' / 'results.md').read_text()
  assert (f'| loss.name=non_saturating | 2 | {statistics.mean([1.0, 3.0]):.4g} ± '
          f'{statistics.stdev([1.0, 3.0]):.2g} | 5 ± 0 |') in table
  assert '| **loss.name=hinge** | 1 of 2 | **4** | 5 |' in table  # max: 4 beats a mean of 2.
  assert f'- `{TINY_TRIALS[3]}`: not started' in table
  rows = read_csv(tmp_path / 'root' / 'results.csv')
  assert (rows[0][f'{METRIC}/last'], rows[0][f'{METRIC}/best']) == ('1.0', '5.0')
  assert rows[3]['status'] == 'not started' and rows[3][f'{METRIC}/last'] == ''


def test_report_ranks_by_min_by_default_of_the_sweep(tmp_path):
  finals = dict(zip(TINY_TRIALS, [1.0, 3.0, 4.0, 0.5]))
  sweep_report.write_report(fabricated_sweep(tmp_path, finals), tmp_path / 'root')
  table = (tmp_path / 'root' / 'results.md').read_text()
  assert '| **loss.name=non_saturating** | 2 | **2 ± 1.4** | 2 ± 1.4 |' in table
  assert '**Best variant: `loss.name=non_saturating`**, by the lowest mean final' in table


def test_report_merges_committed_trial_records_across_machines(tmp_path):
  results = tmp_path / 'committed'
  for machine in ('first_machine', 'second_machine'):
    (tmp_path / machine).mkdir()
  finals = dict(zip(TINY_TRIALS, [1.0, 3.0, None, None]))
  first = fabricated_sweep(tmp_path / 'first_machine', finals)
  sweep_report.write_report(first, tmp_path / 'unused', results)
  assert sorted(p.stem for p in (results / 'trials').glob('*.json')) == sorted(TINY_TRIALS[:2])
  before = (results / 'results.md').read_text()
  # Another machine: the first one's runs/ are gone, two other trials finish there, and an
  # unfinished rerun of a committed trial does not replace its committed record.
  second = fabricated_sweep(tmp_path / 'second_machine', dict(zip(TINY_TRIALS, [None, None, 4.0,
                                                                                0.5])))
  (second.trials[0].workdir / 'checkpoints' / '2').mkdir(parents=True)
  sweep_report.write_report(second, tmp_path / 'unused', results)
  table = (results / 'results.md').read_text()
  assert '| **loss.name=non_saturating** | 2 | **2 ± 1.4** |' in before
  assert '| **loss.name=non_saturating** | 2 | **2 ± 1.4** |' in table
  assert '| loss.name=hinge | 2 | 2.25 ± 2.5 |' in table
  assert 'None: every trial has results.' in table
  rows = read_csv(results / 'results.csv')
  assert [row['status'] for row in rows] == ['finished'] * 4
  assert rows[0][f'{METRIC}/best'] == '1.0' and rows[0][f'{METRIC}/best_step'] == '4'
  assert not (tmp_path / 'unused').exists()


def test_train_series_become_curves_in_the_report(tmp_path):
  """train_series: those train metrics, per logged step, as 'train/<name>' series, columns
  and plots; other train metrics stay out."""
  finals = dict(zip(TINY_TRIALS, [1.0, 3.0, 4.0, None]))
  loaded = fabricated_sweep(tmp_path, finals)
  loaded.train_series.extend(['ada_p', 'absent'])
  for trial, p_final in zip(loaded.trials[:3], (0.2, 0.4, 0.6)):
    logged = [{'step': 2, 'ada_p': 0.1, 'd_loss': 1.0}, {'step': 4, 'ada_p': p_final}]
    (trial.workdir / 'train_metrics.jsonl').write_text(
        ''.join(json.dumps(r) + '\n' for r in logged) + '{"step": 5, "ada')
  sweep_report.write_report(loaded, tmp_path / 'root')
  assert sweep_report.run_record(loaded.trials[0], loaded.train_series)['series'][
      'train/ada_p'] == {2: 0.1, 4: 0.2}
  rows = read_csv(tmp_path / 'root' / 'results.csv')
  assert [row['train/ada_p/last'] for row in rows] == ['0.2', '0.4', '0.6', '']
  assert rows[0]['train/ada_p/max'] == '0.2' and 'train/d_loss/last' not in rows[0]
  assert (tmp_path / 'root' / 'plots' / 'train.ada_p.png').exists()
  assert '| train/ada_p |' in (tmp_path / 'root' / 'results.md').read_text()


def test_train_series_must_be_metric_names(tmp_path):
  path = write_sweep(tmp_path, config='configs/default.py:tiny', seeds=[0],
                     train_series='ada_p')
  with pytest.raises(sweep.SweepError, match=r"train_series must be a list .*'ada_p'"):
    sweep.load_sweep(path, tmp_path / 'root')


def test_results_needs_report(tmp_path):
  with pytest.raises(sweep.SweepError, match='--results is where --report merges'):
    sweep.sweep_command(TINY, tmp_path / 'ring', results=str(tmp_path / 'committed'))
