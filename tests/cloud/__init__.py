"""The whole journey in a real cloud on this machine (tools/cloud.sh):
Keystone, Glance, Placement, Neutron's API, Nova's API, conductor,
scheduler and three computes, the reservation API and the lease agent, each
its own process; the real ``openstack`` CLI and Keystone tokens."""
