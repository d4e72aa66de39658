"""The Placement side of the reservation add-on.

The reservation store (the truth), the allocator that decides which hosts a
reservation gets, and, in later parts, the Placement encoding and the
reservation API.
"""
