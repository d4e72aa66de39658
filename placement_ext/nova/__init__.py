"""The reservation service's calls to Nova and Glance: the compute API
client, reservation flavors, instances on reserved hosts, snapshots handed
to the lease's project, and the comparison of the store with Nova."""
