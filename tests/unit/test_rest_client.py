"""Whether a service's keystoneauth group says how to reach it."""

from oslo_config import cfg

from placement_ext.conf import glance as glance_conf
from placement_ext import rest_client


def _conf(*args):
    conf = cfg.ConfigOpts()
    glance_conf.register_opts(conf)
    conf(list(args), default_config_files=[])
    return conf


def test_an_unregistered_group_is_not_configured():
    assert rest_client.configured(_conf(), 'nova') is False


def test_a_registered_group_without_auth_or_endpoint_is_not():
    assert rest_client.configured(_conf(), 'glance') is False


def test_an_endpoint_or_an_auth_type_is(tmp_path):
    path = tmp_path / 'a.conf'
    path.write_text('[glance]\nendpoint_override = http://127.0.0.1:9292\n')
    assert rest_client.configured(_conf('--config-file', str(path)),
                                  'glance') is True
    path.write_text('[glance]\nauth_type = password\n')
    assert rest_client.configured(_conf('--config-file', str(path)),
                                  'glance') is True
