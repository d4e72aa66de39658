"""The reservation store: database operations behind the allocator."""
