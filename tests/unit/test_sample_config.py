"""The committed sample configuration files match the options in code."""

from importlib import metadata
import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]


@pytest.mark.parametrize('generator_conf, sample', [
    ('etc/blazar-nova-config-generator.conf', 'etc/blazar-nova.conf.sample'),
    ('etc/nova-blazar-filter-config-generator.conf',
     'etc/nova.conf.blazar-filter.sample'),
])
def test_sample_is_current(tmp_path, generator_conf, sample):
    installed = {entry.name for entry in
                 metadata.entry_points(group='oslo.config.opts')}
    missing = [line.split('=')[1].strip() for line in
               (ROOT / generator_conf).read_text().splitlines()
               if line.startswith('namespace')
               and line.split('=')[1].strip() not in installed]
    assert not missing, ('no entry point for the namespace(s) %s: the '
                         'installed metadata is older than setup.cfg, run '
                         'pip install -e . again' % ', '.join(missing))
    output = tmp_path / 'sample.conf'
    # In a process of its own: other tests (Nova's fixtures) change some
    # libraries' option defaults (oslo.policy's) for the whole process.
    subprocess.run([sys.executable, '-c',
                    'import sys; from oslo_config import generator; '
                    'sys.exit(generator.main(sys.argv[1:]))',
                    '--config-file', str(ROOT / generator_conf),
                    '--output-file', str(output)],
                   check=True, capture_output=True, timeout=120)
    assert output.read_text() == (ROOT / sample).read_text(), (
        '%s is stale: run oslo-config-generator --config-file %s'
        % (sample, generator_conf))


def test_policy_sample_is_current(tmp_path):
    from oslo_policy import generator as policy_generator
    output = tmp_path / 'policy.yaml'
    policy_generator.generate_sample(
        args=['--config-file',
              str(ROOT / 'etc/blazar-nova-policy-generator.conf'),
              '--output-file', str(output)])
    assert output.read_text() == (ROOT / 'etc/policy.yaml.sample')\
        .read_text(), ('etc/policy.yaml.sample is stale: run '
                       'oslopolicy-sample-generator --config-file '
                       'etc/blazar-nova-policy-generator.conf')
