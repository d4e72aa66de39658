"""A real OpenStack cloud on this machine, for journey tests and trying
the project: ``tools/cloud.sh up|down|status`` (see tools/cloud/README.md).

Modules, one job each: layout (paths, ports, names), environment (the
venv), checks (what must be there first), mariadb and rabbit (databases,
vhost), configs and filter_conf (configuration files; BlazarFilter by the
DevStack plugin), processes (start, find, stop), wsgi_server (serves the
WSGI APIs), services (the process table), identity (Keystone), seed
(image, flavor, computes, host enrolment), clouds_yaml, cloud (up, down,
status), __main__ (the command line).

Standard library only: the orchestration runs under any python3; the
services run from the cloud's venv.
"""
