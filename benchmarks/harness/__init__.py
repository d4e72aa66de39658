"""What the benchmarks (``benchmarks/bench_*.py``) run on, not benchmarks
themselves: the registry that ``python -m benchmarks`` reads, the suite
driver and its report (``run_suite``, ``suite_report``), the scale data
set (``scale_data``), the Blazar, Keystone and Nova stacks
(``blazar_stack``, ``nova_stack``) and the parts of the cloud benchmark
(``cloud_*``, ``timed_scheduler``).

Imports nothing: ``benchmarks.peer.bench_scale_peer`` imports
``scale_data`` from here in Blazar's virtualenv, where this project is
not installed.
"""
