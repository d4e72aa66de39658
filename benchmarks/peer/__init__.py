"""The peer halves of the side-by-side benchmarks: scripts that run in
the peer's own virtualenv (blazar 18.0.0, blazar-nova 10.0.0), where this
project is not installed, and time the peer's code on the data set our
side writes.

``bench_filter_peer`` runs by path and imports nothing of this
repository; ``bench_scale_peer`` runs as a module from the repository
root (``python -m benchmarks.peer.bench_scale_peer``) and imports only
``benchmarks.harness.scale_data`` (standard library only). Imports
nothing.
"""
